"""Transports against the real thing: files on disk and a real aiosmtpd server on 127.0.0.1,
started inside each test's own event loop and stopped before the test ends."""

import asyncio
import email
import email.policy
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP as SMTPServerProtocol

from alerts import (
    AlertContext,
    FileOutbox,
    PermanentMailError,
    SmtpTransport,
    TransientMailError,
    Transport,
    render_alert,
)
from alerts.capture import MailCapture
from alerts.message import KIND_HEADER, recipient_address


def _message(n: int, to: str = "lan@example.vn", body: str = "Kết luận sơ bộ") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "TREWS <canhbao@trews.invalid>"
    msg["To"] = to
    msg["Subject"] = f"[TREWS][CAO] alert {n}"
    msg["Message-ID"] = f"<alert-{n}@trews.invalid>"
    msg.set_content(f"{body} {n}")
    msg.add_alternative(f"<p>{body} {n}</p>", subtype="html")
    return msg


class Recorder:
    """aiosmtpd handler that keeps what it received; ``refuse`` answers RCPT for that address."""

    def __init__(self, refuse: dict[str, str] | None = None) -> None:
        self.envelopes: list[Any] = []
        self.refuse = refuse or {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@asynccontextmanager
async def smtp_server(handler: Recorder, **options: Any
                      ) -> AsyncIterator[tuple[int, list[SMTPServerProtocol]]]:
    """A real SMTP server on 127.0.0.1 (``options``: aiosmtpd's, e.g. enable_SMTPUTF8); yields
    its port and every connection it accepted."""
    connections: list[SMTPServerProtocol] = []

    def accept() -> SMTPServerProtocol:
        protocol = SMTPServerProtocol(handler, hostname="trews.test", **options)
        connections.append(protocol)
        return protocol

    server = await asyncio.get_running_loop().create_server(accept, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], connections
    finally:
        server.close()
        for protocol in connections:
            if protocol.transport is not None:
                protocol.transport.close()
        await server.wait_closed()


def _transport(port: int) -> SmtpTransport:
    return SmtpTransport("127.0.0.1", port, timeout=5, local_hostname="client.test")


def _run(test: Callable[[], Any]) -> Any:
    return asyncio.run(asyncio.wait_for(test(), timeout=30))


def test_file_outbox_is_atomic_and_idempotent(tmp_path: Path) -> None:
    outbox_dir = tmp_path / "outbox"

    async def scenario() -> list[str]:
        async with FileOutbox(outbox_dir) as outbox:
            assert isinstance(outbox, Transport)
            first = await outbox.send(_message(1, body="first"))
            again = await outbox.send(_message(1, body="second"))
            other = await outbox.send(_message(2))
        return [first, again, other]

    first, again, other = _run(scenario)
    assert first == again != other
    assert sorted(p.name for p in outbox_dir.iterdir()) == sorted(
        Path(p).name for p in (first, other)
    )  # no temp files left behind
    assert Path(first).name.startswith("alert-1_trews.invalid-") and first.endswith(".eml")
    parsed = email.message_from_bytes(Path(first).read_bytes(), policy=email.policy.default)
    assert parsed["Message-ID"] == "<alert-1@trews.invalid>"
    assert "second 1" in parsed.get_body(("plain",)).get_content()  # the resend replaced it


def test_file_outbox_names_are_safe(tmp_path: Path) -> None:
    msg = _message(3)
    del msg["Message-ID"]
    msg["Message-ID"] = "<../../etc/passwd@evil>"

    async def scenario() -> str:
        async with FileOutbox(tmp_path) as outbox:
            return await outbox.send(msg)

    path = Path(_run(scenario))
    assert path.parent == tmp_path and "/" not in path.name and not path.name.startswith(".")


def test_file_outbox_and_capture_name_a_mail_by_its_kind(tmp_path: Path) -> None:
    """The kind leads the name, so a reader of the folder finds each kind; the same name in
    the file outbox and in the capture server's folder."""
    msg = _message(4)
    msg[KIND_HEADER] = "digest-weekly"

    async def scenario() -> str:
        async with MailCapture(tmp_path / "captured") as capture:
            smtp = SmtpTransport("127.0.0.1", capture.port, timeout=10)
            async with smtp:
                await smtp.send(msg)
        async with FileOutbox(tmp_path / "files") as outbox:
            return await outbox.send(msg)

    written = Path(_run(scenario))
    assert written.name.startswith("digest-weekly-alert-4_trews.invalid-")
    assert [path.name for path in (tmp_path / "captured").iterdir()] == [written.name]


def test_smtp_reuses_one_connection() -> None:
    handler = Recorder()

    async def scenario() -> tuple[list[str], int]:
        async with smtp_server(handler) as (port, connections), _transport(port) as smtp:
            replies = [await smtp.send(_message(n)) for n in range(3)]
            return replies, len(connections)

    replies, connections = _run(scenario)
    assert connections == 1
    assert replies == ["Message accepted for delivery"] * 3
    assert [e.rcpt_tos for e in handler.envelopes] == [["lan@example.vn"]] * 3
    received = [
        email.message_from_bytes(e.content, policy=email.policy.default) for e in handler.envelopes
    ]
    assert [m["Subject"] for m in received] == [f"[TREWS][CAO] alert {n}" for n in range(3)]
    for n, msg in enumerate(received):
        assert msg.get_body(("plain",)).get_content().strip() == f"Kết luận sơ bộ {n}"
        assert msg.get_body(("html",)).get_content().strip() == f"<p>Kết luận sơ bộ {n}</p>"


def test_smtp_reconnects_once_after_the_server_dropped_the_connection() -> None:
    handler = Recorder()

    async def scenario() -> int:
        async with smtp_server(handler) as (port, connections), _transport(port) as smtp:
            await smtp.send(_message(1))
            connections[0].transport.close()  # e.g. the server's idle timeout
            await asyncio.sleep(0.05)
            await smtp.send(_message(2))
            return len(connections)

    assert _run(scenario) == 2
    assert len(handler.envelopes) == 2


def test_smtp_server_not_listening_is_transient() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free once closed: nothing listens there

    async def scenario() -> None:
        async with _transport(port):
            pass

    with pytest.raises(TransientMailError):
        _run(scenario)


def test_smtp_refused_recipient_is_permanent_and_the_connection_survives() -> None:
    handler = Recorder(
        refuse={
            "gone@example.vn": "550 5.1.1 No such user",
            "full@example.vn": "452 4.2.2 Mailbox full",
        }
    )

    async def scenario() -> tuple[PermanentMailError, TransientMailError, int]:
        async with smtp_server(handler) as (port, connections), _transport(port) as smtp:
            with pytest.raises(PermanentMailError) as permanent:
                await smtp.send(_message(1, to="gone@example.vn"))
            with pytest.raises(TransientMailError) as transient:
                await smtp.send(_message(2, to="full@example.vn"))
            await smtp.send(_message(3))
            return permanent.value, transient.value, len(connections)

    permanent, transient, connections = _run(scenario)
    assert permanent.code == 550 and "No such user" in str(permanent)
    assert transient.code == 452
    assert connections == 1
    assert [e.rcpt_tos for e in handler.envelopes] == [["lan@example.vn"]]


def test_a_utf8_local_part_goes_under_smtputf8_where_the_server_offers_it() -> None:
    """The domain goes in IDNA all the same; the local part needs SMTPUTF8 (RFC 6531)."""
    msg = _message(4)
    del msg["To"]
    msg["To"] = recipient_address("nguyễn@bücher.example", "Nguyễn Văn An")
    handler = Recorder()

    async def scenario() -> None:
        async with smtp_server(handler, enable_SMTPUTF8=True) as (port, _connections), \
                _transport(port) as smtp:
            await smtp.send(msg)

    _run(scenario)
    [envelope] = handler.envelopes
    assert envelope.rcpt_tos == ["nguyễn@xn--bcher-kva.example"] and envelope.smtp_utf8
    received = email.message_from_string(envelope.content.decode("utf-8"),
                                         policy=email.policy.default)
    assert received["To"].addresses[0].addr_spec == "nguyễn@xn--bcher-kva.example"


def test_rendered_vietnamese_alert_survives_smtp() -> None:
    """A real alert (non-ASCII name and subject) needs no SMTPUTF8: headers are encoded words."""
    ctx = AlertContext(
        delivery_id=7,
        recipient_email="lan@example.vn",
        recipient_name="Nguyễn Thị Lan",
        language="vi",
        timezone="Asia/Ho_Chi_Minh",
        notice_title="Certain Paper Shopping Bags From the Socialist Republic of Vietnam",
        notice_url="https://www.federalregister.gov/d/2023-28945",
        notice_published=date(2024, 1, 3),
        source_name="Federal Register",
        analysis={"market": "US", "measures": ["AD"], "stage": "preliminary", "severity": "high",
                  "vietnam": "subject"},
        sector_names={"paper": {"en": "paper", "vi": "giấy"}},
        match_reasons=[],
        detected_at=datetime(2024, 1, 2, 13, 50, tzinfo=UTC),
    )
    handler = Recorder()

    async def scenario() -> None:
        async with smtp_server(handler) as (port, _connections), _transport(port) as smtp:
            await smtp.send(render_alert(ctx, "TREWS <canhbao@trews.invalid>"))

    _run(scenario)
    [envelope] = handler.envelopes
    received = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert envelope.rcpt_tos == ["lan@example.vn"]
    assert received["Subject"].endswith("Paper Shopping Bags: Kết luận sơ bộ")
    assert received["To"].addresses[0].display_name == "Nguyễn Thị Lan"
    assert "tiền ký quỹ" in received.get_body(("html",)).get_content()
