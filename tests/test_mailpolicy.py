"""How TREWS writes a message out (``alerts.mailpolicy``): the fast body encoder and the fast
To: header must read back, through the standard library's parser as a mail program would, as
exactly what was put in, for any text and any name."""

import email
import email.policy
from email.headerregistry import Address, Group
from email.message import EmailMessage

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from alerts.mailpolicy import MAIL_POLICY, smtp_bytes, text_part
from alerts.message import build_message, recipient_address

# Anything a template or a subscriber's name can hold, surrogates aside (not text).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)
# Names short enough for one line (long ones are folded by the standard library, as before).
NAMES = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=8)
TRICKY_BODIES = [
    "Kính gửi Người đọc,\nThuế = 12,5 %   \n",
    "x" * 200,
    ".\n.\nFrom here\n",
    "trailing tab\t\nend",
    "windows\r\nline\rends\n",
    "=?utf-8?q?not_a_header?=",
]


def _written(msg: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(smtp_bytes(msg), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _message(body: str = "a", recipient: Address | str = "lan@example.vn") -> EmailMessage:
    return build_message(body, f"<p>{body}</p>", kind="alert", language="vi", subject="Tiêu đề",
                         mail_from="TREWS <canhbao@trews.invalid>", recipient=recipient,
                         msgid="<alert-1@trews.invalid>")


def _lines_of(body: str) -> list[bytes]:
    return body.encode().splitlines()


@pytest.mark.parametrize("body", TRICKY_BODIES)
def test_a_tricky_body_reads_back_as_written(body: str) -> None:
    parsed = _written(_message(body))
    text = parsed.get_body(("plain",)).get_content()
    assert text.replace("\r\n", "\n").encode().splitlines() == _lines_of(body)
    html = parsed.get_body(("html",)).get_content()
    assert html.replace("\r\n", "\n").encode().splitlines() == _lines_of(f"<p>{body}</p>")


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_any_body_is_seven_bit_in_short_lines_and_reads_back(body: str) -> None:
    part = text_part(body, "plain")
    encoded = part.get_payload()
    assert encoded.isascii()
    assert all(len(line) <= 76 for line in encoded.splitlines())  # RFC 2045
    decoded = part.get_payload(decode=True)
    assert decoded.splitlines() == (body.encode().splitlines() or [b""])  # one line end at least
    assert part.get_content_charset() == "utf-8"
    assert part["Content-Transfer-Encoding"] == "quoted-printable"


@pytest.mark.parametrize("name", ["Nguyễn Thị Lan", "Doe, John", 'Evil "x" <y@z>', "", "Plain"])
def test_the_recipient_is_one_line_and_reads_back(name: str) -> None:
    msg = _message(recipient=recipient_address("lan@giaybaobi.example.vn", name))
    to = _to_lines(msg)
    assert len(to) == 1 and len(to[0]) <= 78
    assert _addresses(msg) == [(name, "lan@giaybaobi.example.vn")]


def test_a_long_name_is_folded_and_reads_back() -> None:
    name = "Nguyễn Thị Lan của Công ty TNHH Giấy Bao Bì Xuất Khẩu Việt Nam"
    msg = _message(recipient=recipient_address("lan@giaybaobi.example.vn", name))
    assert len(_to_lines(msg)) > 1
    assert _addresses(msg) == [(name, "lan@giaybaobi.example.vn")]


def _to_lines(msg: EmailMessage) -> list[bytes]:
    head = smtp_bytes(msg).split(b"\r\n\r\n", 1)[0]
    return (b"To: " + head.split(b"\r\nTo: ", 1)[1].split(b"\r\nSubject:", 1)[0]).split(b"\r\n")


def _addresses(msg: EmailMessage) -> list[tuple[str, str]]:
    return [(a.display_name, a.addr_spec) for a in _written(msg)["To"].addresses]


@settings(max_examples=300, deadline=None)
@given(NAMES)
def test_any_short_name_is_one_line_and_reads_back(name: str) -> None:
    recipient = recipient_address("lan@example.vn", name)
    msg = _message(recipient=recipient)
    assert len(_to_lines(msg)) == 1
    assert not _written(msg)["To"].defects
    assert _addresses(msg) == [(recipient.display_name, "lan@example.vn")]


def test_other_address_lists_are_written_by_the_standard_library() -> None:
    """A group, or several readers, take the standard path and keep their structure."""
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["To"] = [Group("Hiệp hội", [Address("Lan", "lan", "example.vn")]),
                 Address("Hoa", "hoa", "example.vn")]
    msg.set_content("x")
    parsed = _written(msg)["To"]
    assert [g.display_name for g in parsed.groups] == ["Hiệp hội", None]
    assert [a.addr_spec for a in parsed.addresses] == ["lan@example.vn", "hoa@example.vn"]


@pytest.mark.parametrize("addr_spec", [
    "lan@example.vn", "lan.nguyen+alerts@mail.example.vn", '"lan nguyen"@example.vn',
    "Lan@EXAMPLE.VN", "user@[127.0.0.1]",
])
def test_a_mailbox_is_the_address_the_standard_parser_makes(addr_spec: str) -> None:
    """A plain address is split at its @ instead of parsed: the same address either way, and
    one that needs quoting or is not plain goes through the standard parser."""
    ours = recipient_address(addr_spec, "Lan")
    standard = Address(display_name="Lan", addr_spec=addr_spec)
    assert (ours.username, ours.domain, ours.addr_spec) == (
        standard.username, standard.domain, standard.addr_spec)
    assert _addresses(_message(recipient=ours)) == [("Lan", standard.addr_spec)]


def test_a_message_id_that_is_not_one_plain_token_is_parsed_as_the_standard_one() -> None:
    """Message-ID and List-Unsubscribe skip the parse only for one plain ASCII token."""
    for value in ("<alert-1@trews.invalid>", "<alert 1@trews.invalid> (comment)"):
        msg = EmailMessage(policy=MAIL_POLICY)
        msg["Message-ID"] = value
        standard = EmailMessage(policy=email.policy.default)
        standard["Message-ID"] = value
        assert str(msg["Message-ID"]) == str(standard["Message-ID"])
        assert [str(d) for d in msg["Message-ID"].defects] == [
            str(d) for d in standard["Message-ID"].defects]
        assert msg.as_bytes() == standard.as_bytes()


VIETNAMESE_WORDS = ["Chống", "bán", "phá", "giá", "Khởi", "xướng", "Tiếp", "tục", "áp", "dụng",
                    "cảnh", "báo", "Ống", "thép", "[TREWS][CAO]", "–", "Hoa", "Kỳ", "2026:"]


@settings(max_examples=80, deadline=None)
@given(words=st.lists(st.sampled_from(VIETNAMESE_WORDS), min_size=1, max_size=70),
       utf8=st.booleans())
def test_a_subject_decodes_to_what_was_written(words: list[str], utf8: bool) -> None:
    """Long subjects are folded into several encoded words; none loses the space between two
    words ("Khởixướng" was read by every mail program: the space sat between encoded words).
    Subjects of 80 to 300 characters, the length of real alert subjects, are the ones folded."""
    subject = " ".join(words)
    assume(len(subject) <= 300)
    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = subject
    message["From"] = "canhbao@trews.invalid"
    message.set_content("x")
    received = email.message_from_bytes(smtp_bytes(message, utf8=utf8),
                                        policy=email.policy.default)
    assert received["Subject"] == subject
