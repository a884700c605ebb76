"""Alert rendering on a real Federal Register notice, in both languages, parsed back as a mail
client would; plus the catalogue's completeness, since a missing Vietnamese entry silently shows
English to a Vietnamese exporter."""

import dataclasses
import email
import email.policy
import json
import re
from datetime import UTC, date, datetime
from email.message import EmailMessage
from html import unescape
from pathlib import Path

import pytest
from aiosmtplib.email import flatten_message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from alerts import AlertContext, render_alert
from alerts.i18n import LOCALE_DIR, as_date, catalogue_path, country_name, format_day
from alerts.mailpolicy import smtp_bytes
from alerts.render import CaseContext, build_view, merged_parts, render_parts
from rules.matching import naive_match
from rules.subscriptions import Subscription

ROOT = Path(__file__).resolve().parent.parent
FR_PAGE = (
    ROOT / "replay/recordings/us/fr_api_documents_2024-01-02_to_2024-01-17_page1_all_fields.json"
)
MAIL_FROM = "TREWS <canhbao@trews.invalid>"
HOSTILE = 'Bags <script>alert(1)</script> & "quotes"\r\nBcc: victim@example.com From China'


def _fr_document(number: str) -> dict:
    page = json.loads(FR_PAGE.read_text(encoding="utf-8"))
    return next(doc for doc in page["results"] if doc["document_number"] == number)


PAPER = Subscription("paper-bags", sectors=["paper"], hs_codes=["4819"], keywords=["bags"],
                     markets=["US"], min_severity="medium")


@pytest.fixture(scope="module")
def paper_bags() -> AlertContext:
    """The real notice 2023-28945 (AD preliminary on Vietnamese paper shopping bags), with the
    analysis the rules are expected to produce. Its deadline is illustrative: the FR API record
    carries none, and the hearing request window of such notices is 30 days from publication."""
    doc = _fr_document("2023-28945")
    analysis = {
        "trade_remedy": True,
        "market": "US",
        "vietnam": "subject",
        "countries": ["VN"],
        "measures": ["AD"],
        "proceeding": "investigation",
        "stage": "preliminary",
        "new_case": False,
        "case_numbers": doc["docket_ids"],
        "hs_codes": ["4819.30.0040", "4819.40.0040"],
        "sectors": ["paper"],
        "deadlines": [{"kind": "hearing_request", "date": "2024-02-02"}],
        "severity": "high",
        "reasons": [
            "Vietnam is a named origin",
            "preliminary determination changes what is paid",
        ],
    }
    # what the matcher says (the analysis' HS codes as the rules normalise them)
    [found] = naive_match(analysis | {"hs_codes": ["4819300040", "4819400040"]}, doc["title"],
                          "", [PAPER])
    return AlertContext(
        delivery_id=4711,
        recipient_email="lan@giaybaobi.example.vn",
        recipient_name="Nguyễn Thị Lan",
        language="vi",
        timezone="Asia/Ho_Chi_Minh",
        notice_title=doc["title"],
        notice_url=doc["html_url"],
        notice_published=date.fromisoformat(doc["publication_date"]),
        source_name="Federal Register (Commerce ITA and USITC)",
        analysis=analysis,
        sector_names={"paper": {"en": "paper", "vi": "giấy"}},
        match_reasons=found.reasons,
        detected_at=datetime(2024, 1, 2, 13, 50, tzinfo=UTC),
        manage_url="http://127.0.0.1:8000/manage/synthetic-token",
    )


def _roundtrip(msg: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _parts(msg: EmailMessage) -> tuple[str, str]:
    """The text and HTML of the alternative part (the whole mail, or its first part when an
    .ics of the notice's deadlines goes with it)."""
    if msg.get_content_type() == "multipart/mixed":
        msg = next(msg.iter_parts())
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    return parts[0].get_content(), parts[1].get_content()


def test_vietnamese_alert(paper_bags: AlertContext) -> None:
    msg = _roundtrip(render_alert(paper_bags, MAIL_FROM))
    text, html = _parts(msg)

    assert msg["Subject"] == (
        "[TREWS][CAO] Hoa Kỳ – Chống bán phá giá – Paper Shopping Bags: Kết luận sơ bộ – "
        "hạn chót 02/02/2024"
    )
    assert msg["From"] == MAIL_FROM
    assert msg["To"].addresses[0].display_name == "Nguyễn Thị Lan"
    assert msg["To"].addresses[0].addr_spec == "lan@giaybaobi.example.vn"
    assert msg["Message-ID"] == "<alert-4711@trews.invalid>"
    assert msg["Content-Language"] == "vi"
    assert msg["Date"].datetime.tzinfo is not None
    for body in (text, html):
        assert "Kết luận sơ bộ" in body
        assert "Chống bán phá giá" in body
        assert "tiền ký quỹ" in body  # preliminary: budget for cash deposits
        assert "Việt Nam là nước bị điều tra" in body
        assert "A-552-836" in body
        assert "4819.40.0040" in body
        assert "03/01/2024" in body  # published
        assert "02/02/2024" in body  # deadline, vi style
        assert "Yêu cầu phiên điều trần" in body
        assert "giấy" in body  # matched sector, in the reader's language
        assert "20:50, 02/01/2024 (GMT+07:00)" in body  # 13:50 UTC in Hanoi
        assert "quản lý đăng ký" in body  # footer: how to stop
        assert "Certain Paper Shopping Bags From the Socialist Republic of Vietnam" in body
    assert paper_bags.notice_url in text
    assert f'href="{paper_bags.notice_url}"' in html
    assert "Preliminary determination" not in text


def test_english_alert(paper_bags: AlertContext) -> None:
    msg = _roundtrip(render_alert(dataclasses.replace(paper_bags, language="en"), MAIL_FROM))
    text, html = _parts(msg)

    assert msg["Subject"] == (
        "[TREWS][HIGH] United States – Anti-dumping – Paper Shopping Bags: "
        "Preliminary determination – deadline 2 Feb 2024"
    )
    assert msg["Content-Language"] == "en"
    for body in (text, html):
        assert "Preliminary determination" in body
        assert "cash deposits" in body
        assert "3 Jan 2024" in body
        assert "2 Feb 2024" in body
        assert "Request a hearing" in body
        assert "manage your subscription" in body
        assert "2 Jan 2024, 20:50 (GMT+07:00)" in body
        assert "Kết luận" not in body


def test_message_id_is_stable_per_delivery(paper_bags: AlertContext) -> None:
    first = render_alert(paper_bags, MAIL_FROM, domain="alerts.example")
    again = render_alert(paper_bags, MAIL_FROM, domain="alerts.example")
    other = render_alert(dataclasses.replace(paper_bags, delivery_id=4712), MAIL_FROM)
    assert first["Message-ID"] == again["Message-ID"] == "<alert-4711@alerts.example>"
    assert other["Message-ID"] == "<alert-4712@trews.invalid>"


def test_hostile_title_is_escaped_and_cannot_inject_headers(paper_bags: AlertContext) -> None:
    ctx = dataclasses.replace(
        paper_bags, notice_title=HOSTILE, notice_url="javascript:alert(1)", recipient_name="X\nY"
    )
    msg = _roundtrip(render_alert(ctx, MAIL_FROM))
    text, html = _parts(msg)

    assert "<script>" not in html
    # css-inline re-serialises the document: quotes in text need no escaping there.
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"quotes\"" in html
    assert "javascript:" not in html  # an unsafe scheme is never linked
    assert "<script>alert(1)</script>" in text  # plain text is not HTML: shown as written
    assert msg["Bcc"] is None
    assert "\n" not in msg["Subject"] and "<script>" in msg["Subject"]


def test_language_and_fallbacks(paper_bags: AlertContext) -> None:
    """An unknown language reads Vietnamese; unknown codes still give a useful alert."""
    ctx = dataclasses.replace(
        paper_bags,
        language="fr",
        timezone="Not/AZone",
        notice_title="Notice of Scope Rulings",
        analysis={
            **paper_bags.analysis,
            "stage": "something-new",
            "vietnam": "none",
            "countries": ["CN", "TW"],
            "severity": "??",
            "deadlines": [{"kind": "odd_kind", "date": "not a date"}],
        },
    )
    msg = _roundtrip(render_alert(ctx, MAIL_FROM))
    text, _html = _parts(msg)
    assert msg["Content-Language"] == "vi"
    # Vietnam not named: a trade-diversion warning, tagged as such instead of a severity
    assert msg["Subject"] == ("[TREWS][NGUY CƠ CHUYỂN HƯỚNG THƯƠNG MẠI] Hoa Kỳ – Chống bán phá giá "
                              "– giấy: Chưa xác định được bước")
    assert "nguy cơ chuyển hướng thương mại" in text
    assert "Trung Quốc, Đài Loan (Trung Quốc)" in text
    assert "(GMT+07:00)" in text  # bad zone: Vietnam time, not a lost mail


def test_safeguard_and_circumvention_roles(paper_bags: AlertContext) -> None:
    safeguard = {
        **paper_bags.analysis,
        "measures": ["SG"],
        "vietnam": "none",
        "stage": "initiation",
    }
    text, _ = _parts(render_alert(dataclasses.replace(paper_bags, analysis=safeguard), MAIL_FROM))
    assert "mọi xuất xứ" in text and "3%" in text
    assert "Q&V" not in text  # a safeguard has no firm rates: no Q&V advice

    evasion = {**paper_bags.analysis, "proceeding": "circumvention", "vietnam": "circumvention"}
    ctx = dataclasses.replace(paper_bags, analysis=evasion, language="en")
    msg = render_alert(ctx, MAIL_FROM)
    assert msg["Subject"].endswith(
        "Anti-dumping – Paper Shopping Bags: Anti-circumvention inquiry – Preliminary determination"
        " – deadline 2 Feb 2024"
    )
    text = " ".join(_parts(msg)[0].split())  # the text part is wrapped
    assert "as seriously as a new case" in text and "cash deposits" in text


@pytest.mark.parametrize(
    ("proceeding", "stage", "label", "advice"),
    [
        (
            "administrative_review",
            "initiation",
            "Rà soát hành chính – khởi xướng",
            "xác nhận không có lô hàng nào",
        ),
        ("administrative_review", "results", "Rà soát hành chính – Kết quả rà soát", "mức ký quỹ"),
        ("expiry_review", "initiation", "Rà soát cuối kỳ – khởi xướng",
         "thông báo ý định tham gia trong vòng 15 ngày"),
        ("expiry_review", "continuation", "Rà soát cuối kỳ – Tiếp tục áp dụng", "thêm năm năm"),
        ("investigation", "termination", "Chấm dứt", "được hoàn trả hoặc giải tỏa"),
        ("court_decision", "court_decision", "Phán quyết của tòa án hoặc WTO", "bị ảnh hưởng"),
    ],
)
def test_stage_within_its_proceeding(
    paper_bags: AlertContext, proceeding: str, stage: str, label: str, advice: str
) -> None:
    """What to do depends on the proceeding: a review's initiation is not a new case's."""
    analysis = {**paper_bags.analysis, "proceeding": proceeding, "stage": stage}
    msg = render_alert(dataclasses.replace(paper_bags, analysis=analysis), MAIL_FROM)
    text = " ".join(_parts(msg)[0].split())
    assert msg["Subject"].split(": ", 1)[1].startswith(label)
    assert advice in text


def test_long_product_is_cut_at_a_word(paper_bags: AlertContext) -> None:
    title = "Certain " + "Very Long Product Name " * 6 + "From the Socialist Republic of Vietnam"
    msg = render_alert(dataclasses.replace(paper_bags, notice_title=title), MAIL_FROM)
    product = msg["Subject"].split(" – ")[2].split(":")[0]
    assert product.endswith("…") and len(product) <= 48
    assert product.removesuffix("…").split()[-1] in {"Very", "Long", "Product", "Name"}


def test_dates_and_countries_in_both_languages() -> None:
    assert format_day(date(2024, 1, 31), "vi") == "31/01/2024"
    assert format_day(date(2024, 1, 31), "en") == "31 Jan 2024"
    for code, vi, en in [("US", "Hoa Kỳ", "United States"), ("EU", "Liên minh châu Âu", None),
                         ("IT", "Italia", "Italy"), ("HK", "Hồng Kông (Trung Quốc)", None)]:
        assert country_name(code, "vi") == vi
        assert en is None or country_name(code, "en") == en
    assert country_name("KH", "vi") == "Campuchia"
    assert country_name("XX", "en") == "XX"


@pytest.mark.parametrize("value", ["not a date", ["2024-01-02"], {"date": "2024-01-02"}, None])
def test_a_deadline_of_any_shape_in_the_analysis_is_skipped_not_a_crash(
        paper_bags: AlertContext, value: object) -> None:
    """The analysis is data: a deadline whose date is not a date leaves the alert whole."""
    analysis = paper_bags.analysis | {"deadlines": [{"kind": "comments", "date": value}]}
    view = build_view(dataclasses.replace(paper_bags, analysis=analysis))
    assert view.deadlines == () and as_date(value) is None


def test_vietnamese_catalogue_covers_every_message() -> None:
    """Every message id in the templates and the Python code has a reviewed translation."""
    method_map = [("**.py", "python"), ("templates/**.j2", "jinja2")]
    options = {"templates/**.j2": {"extensions": "jinja2.ext.i18n"}}
    used = {
        msgid if isinstance(msgid, str) else msgid[0]
        for _file, _line, msgid, _comments, _context in extract_from_dir(
            str(ROOT / "alerts"),
            method_map,
            options,
            keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)},
        )
    }
    with catalogue_path("vi").open("rb") as po_file:
        catalog = read_po(po_file, locale="vi")
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0]): m
        for m in catalog
        if m.id and m.string and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    assert used - set(translated) == set(), "untranslated: run pybabel update (babel.cfg)"
    assert not [m.id for m in catalog if m.id and m.fuzzy]
    placeholder = re.compile(r"%\(\w+\)[sd]")
    for msgid, message in translated.items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            assert sorted(placeholder.findall(string)) == sorted(placeholder.findall(msgid))
    assert (LOCALE_DIR / "vi" / "LC_MESSAGES" / "messages.po").is_file()


BASIS = "Commerce's final determination is due 75 days after the preliminary (extendable to 135)"


def test_vietnams_case_and_its_next_step_in_both_languages(paper_bags: AlertContext) -> None:
    """The next step, its date, and the rule the date comes from (so the reader can weigh it)."""
    case = CaseContext(("A-552-836",), "final", date(2024, 5, 17), BASIS)
    ctx = dataclasses.replace(paper_bags, cases=(case,))
    for language, expected, basis in (
        ("en", "Vietnam's case: A-552-836 – next expected: Final determination by 17 May 2024",
         f"Basis: {BASIS}"),
        ("vi", "Vụ việc liên quan đến Việt Nam: A-552-836 – bước tiếp theo dự kiến: "
               "Kết luận cuối cùng trước ngày 17/05/2024",
         "Căn cứ: Bộ Thương mại Hoa Kỳ ban hành kết luận cuối cùng trong vòng 75 ngày kể từ "
         "ngày ban hành kết luận sơ bộ (có thể gia hạn đến 135 ngày)"),
    ):
        message = render_alert(dataclasses.replace(ctx, language=language), MAIL_FROM)
        text, html = _parts(_roundtrip(message))
        assert expected in text
        assert expected.split(": ", 1)[1] in html
        assert basis in " ".join(text.split())
        label, sentence = basis.split(": ", 1)
        assert re.search(f"<th[^>]*>{label}</th><td[^>]*>{re.escape(sentence)}</td>",
                         unescape(html))


def test_the_alert_links_to_the_notice_and_case_pages_in_the_readers_language(
        paper_bags: AlertContext) -> None:
    """With the web front end's address, the alert leads to TREWS's page of the notice (the
    whole analysis) and of Vietnam's case (its timeline); without it, to neither."""
    case = CaseContext(("A-552-836",), "final", date(2024, 5, 17), BASIS, case_id=12)
    ctx = dataclasses.replace(paper_bags, cases=(case,), site_url="https://trews.example.vn/",
                              notice_id=345)
    for language, label in (("vi", "Phân tích của TREWS về thông báo này"),
                            ("en", "TREWS analysis of this notice")):
        text, html = _parts(_roundtrip(render_alert(
            dataclasses.replace(ctx, language=language), MAIL_FROM)))
        notice_page = f"https://trews.example.vn/notices/345?lang={language}"
        case_page = f"https://trews.example.vn/cases/12?lang={language}"
        assert f"{notice_page}\n" in text and case_page in text and label in text
        assert f'<a href="{notice_page}"' in html and f'<a href="{case_page}"' in html
    text, html = _parts(_roundtrip(render_alert(dataclasses.replace(
        ctx, site_url=None), MAIL_FROM)))
    assert "/notices/" not in text + html and "/cases/" not in text + html


def test_no_basis_without_an_expected_step(paper_bags: AlertContext) -> None:
    case = CaseContext(("A-552-836",), None, None, BASIS)
    text, html = _parts(_roundtrip(render_alert(
        dataclasses.replace(paper_bags, language="en", cases=(case,)), MAIL_FROM)))
    assert "Vietnam's case: A-552-836" in text
    assert "Basis" not in text and "Basis" not in html


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("name", ["Nguyễn Thị Lan", None, 'O\'Brien <script>x</script> & Co'])
def test_merged_alert_equals_one_rendered_for_the_reader_alone(
    paper_bags: AlertContext, language: str, name: str | None,
) -> None:
    """The templates render once per impersonal view; each reader's name, address and links
    are put in afterwards, and must read exactly as if rendered for that reader alone."""
    ctx = dataclasses.replace(
        paper_bags, language=language, recipient_name=name,
        manage_url="https://trews.example.vn/manage/abc.DEF-1",
        unsubscribe_url="https://trews.example.vn/unsubscribe/xyz_2?a=1&b=2")
    view = build_view(ctx)
    text, html = merged_parts("alert", view)
    alone_text, alone_html = render_parts("alert", view)
    assert text == alone_text
    assert _visible(html) == _visible(alone_html)
    assert "<script>" not in html and "trewsmerge" not in text + html
    other = merged_parts("alert", build_view(dataclasses.replace(
        ctx, recipient_email="hoa@example.vn", recipient_name="Hoa")))
    assert "hoa@example.vn" in other[0] and ctx.recipient_email not in other[0]


def _visible(html: str) -> str:
    """The HTML as a reader sees it: entities decoded (escaping style may differ)."""
    return unescape(html)


def test_messages_are_written_as_the_smtp_library_would(paper_bags: AlertContext) -> None:
    """Our memoising policy writes byte-for-byte what aiosmtplib's own flattening writes..."""
    short = "https://trews.example.vn/unsubscribe/MQ.abc"
    for language in ("vi", "en"):
        msg = render_alert(dataclasses.replace(paper_bags, language=language,
                                               unsubscribe_url=short),
                           MAIL_FROM, list_id="alerts.trews.example.vn")
        for utf8 in (False, True):
            for cte in ("8bit", "7bit"):
                assert smtp_bytes(msg, utf8=utf8, cte_type=cte) == flatten_message(
                    msg, utf8=utf8, cte_type=cte)


def test_a_long_unsubscribe_link_stays_one_plain_url(paper_bags: AlertContext) -> None:
    """...a List-Unsubscribe link longer than a line included, however the message is written
    out: the standard header would cut it into RFC 2047 encoded words, which mail programs do
    not decode there (RFC 2369 wants the bare <URL>), so the one-click button would be lost."""
    url = "https://trews.example.vn/unsubscribe/" + "MQ.Z0abc-" * 12
    msg = render_alert(dataclasses.replace(paper_bags, unsubscribe_url=url), MAIL_FROM)
    line = f"\r\nList-Unsubscribe: <{url}>\r\n".encode()
    assert line in smtp_bytes(msg)
    assert smtp_bytes(msg) == flatten_message(msg)
    assert line.replace(b"\r\n", b"\n") in msg.as_bytes()  # the file outbox's writer
