"""SMTP security against a real aiosmtpd server on 127.0.0.1 with a real certificate (issued by a
throwaway CA, trustme): STARTTLS and implicit TLS with the server's certificate verified, AUTH
only over them, all from the settings. Each failure (no STARTTLS offered, a CA we do not trust,
a wrong password) sends nothing, in clear or at all, and leaves the mail queued with its attempt
not counted; once the settings are right the same mail goes, once."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.smtp import SMTP as SMTPServerProtocol
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy.orm import Session, sessionmaker

from alerts.send_policy import transport_for
from alerts.sender import DrainReport, drain
from config import ConfigError, Settings, load_settings
from tests.test_sender import FAST, MAIL_FROM, queue_deliveries, rows

USER, PASSWORD = "canhbao", "mật-khẩu-đúng"
SECTORS = {"paper": {"en": "paper products", "vi": "sản phẩm giấy"}}


@dataclass
class Inbox:
    """aiosmtpd handler and authenticator: what arrived, over what, from whom."""

    received: list[dict[str, Any]] = field(default_factory=list)
    mail_commands: int = 0

    async def handle_MAIL(self, server, session, envelope, address, options):  # noqa: N802
        self.mail_commands += 1
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        tls = server.transport.get_extra_info("ssl_object") is not None  # either kind of TLS
        self.received.append({"rcpt": list(envelope.rcpt_tos), "tls": tls,
                              "user": session.auth_data.login.decode()
                              if session.authenticated else None})
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode()
              and auth_data.password == PASSWORD.encode())
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "relay-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@asynccontextmanager
async def relay(inbox: Inbox, *, tls: ssl.SSLContext | None = None,
                implicit: bool = False) -> AsyncIterator[int]:
    """A relay on 127.0.0.1 as providers run one: with ``tls``, STARTTLS required before
    anything else (or TLS from the first byte, ``implicit``) and AUTH required."""
    def accept() -> SMTPServerProtocol:
        if tls is None:
            return SMTPServerProtocol(inbox, hostname="relay.test")
        return SMTPServerProtocol(
            inbox, hostname="relay.test", tls_context=None if implicit else tls,
            require_starttls=not implicit, auth_required=True,
            # aiosmtpd checks for TLS only where it did the STARTTLS itself.
            auth_require_tls=not implicit, authenticator=inbox.authenticate)

    server = await asyncio.get_running_loop().create_server(
        accept, "127.0.0.1", 0, ssl=tls if implicit else None)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def smtp_settings(tmp_path: Path, port: int, **smtp: Any) -> Settings:
    return load_settings(data_dir=tmp_path / "var", smtp_host="127.0.0.1", smtp_port=port,
                         smtp_timeout_s=5, **smtp)


async def drain_with(settings: Settings, sessions: sessionmaker[Session]) -> DrainReport:
    async with transport_for(settings) as transport:
        return await drain(sessions, transport, mail_from=MAIL_FROM, sector_names=SECTORS,
                           source_names={}, policy=FAST)


def _run(coroutine: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coroutine, timeout=60))


def test_starttls_and_auth_from_the_settings(sessions: sessionmaker[Session], tmp_path: Path,
                                             ca: trustme.CA, ca_file: Path) -> None:
    ids = queue_deliveries(sessions, 3)
    inbox = Inbox()

    async def go() -> DrainReport:
        async with relay(inbox, tls=server_context(ca)) as port:
            return await drain_with(smtp_settings(
                tmp_path, port, smtp_starttls=True, smtp_username=USER,
                smtp_password=PASSWORD, smtp_ca_file=ca_file), sessions)

    report = _run(go())
    assert report.sent == 3 and report.errors == []
    assert [mail["tls"] for mail in inbox.received] == [True] * 3
    assert [mail["user"] for mail in inbox.received] == [USER] * 3
    assert sorted(r for mail in inbox.received for r in mail["rcpt"]) == [
        f"reader{n}@example.vn" for n in range(len(ids))]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_implicit_tls_from_the_settings(sessions: sessionmaker[Session], tmp_path: Path,
                                        ca: trustme.CA, ca_file: Path) -> None:
    queue_deliveries(sessions, 2)
    inbox = Inbox()

    async def go() -> DrainReport:
        async with relay(inbox, tls=server_context(ca), implicit=True) as port:
            return await drain_with(smtp_settings(
                tmp_path, port, smtp_tls=True, smtp_username=USER, smtp_password=PASSWORD,
                smtp_ca_file=ca_file), sessions)

    assert _run(go()).sent == 2
    assert [(mail["tls"], mail["user"]) for mail in inbox.received] == [(True, USER)] * 2


GOOD = {"smtp_starttls": True, "smtp_username": USER, "smtp_password": PASSWORD}


@pytest.mark.parametrize(("wrong", "reason"), [
    ({"smtp_ca_file": None}, "certificate verify failed"),
    ({"smtp_password": "mật-khẩu-sai"}, "authentication failed"),
])
def test_a_failing_secure_connection_sends_nothing_and_loses_nothing(
        wrong: dict[str, Any], reason: str, sessions: sessionmaker[Session], tmp_path: Path,
        ca: trustme.CA, ca_file: Path) -> None:
    """An untrusted certificate or a wrong password: the drain stops at the first connection,
    says why, and leaves every mail queued with no attempt used up; right settings then send
    each mail once."""
    ids = queue_deliveries(sessions, 3)
    inbox = Inbox()

    async def go() -> tuple[DrainReport, dict[int, tuple[str, int]], DrainReport]:
        async with relay(inbox, tls=server_context(ca)) as port:
            good = {**GOOD, "smtp_ca_file": ca_file}
            refused = await drain_with(smtp_settings(tmp_path, port, **{**good, **wrong}),
                                       sessions)
            between = {i: (row.status, row.attempts) for i, row in rows(sessions).items()}
            return refused, between, await drain_with(smtp_settings(tmp_path, port, **good),
                                                      sessions)

    refused, between, fixed = _run(go())
    assert refused.sent == 0 and reason in refused.errors[0].lower()
    assert set(between.values()) == {("queued", 0)}
    assert fixed.sent == 3 and inbox.mail_commands == 3
    assert sorted(r for mail in inbox.received for r in mail["rcpt"]) == [
        f"reader{n}@example.vn" for n in range(len(ids))]


def test_a_server_without_starttls_gets_nothing_in_clear(
        sessions: sessionmaker[Session], tmp_path: Path, ca_file: Path) -> None:
    queue_deliveries(sessions, 2)
    inbox = Inbox()

    async def go() -> DrainReport:
        async with relay(inbox) as port:
            return await drain_with(smtp_settings(tmp_path, port, **GOOD,
                                                  smtp_ca_file=ca_file), sessions)

    report = _run(go())
    assert report.sent == 0 and "starttls" in report.errors[0].lower()
    assert inbox.mail_commands == 0 and inbox.received == []
    assert {(row.status, row.attempts) for row in rows(sessions).values()} == {("queued", 0)}


def test_settings_refuse_a_password_in_clear_and_two_kinds_of_tls(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="TREWS_SMTP_USERNAME.*not encrypted"):
        load_settings(data_dir=tmp_path, smtp_host="smtp.example.com", smtp_username=USER)
    with pytest.raises(ConfigError, match="TREWS_SMTP_TLS.*choose one"):
        load_settings(data_dir=tmp_path, smtp_starttls=True, smtp_tls=True)
    with pytest.raises(ConfigError, match="TREWS_SMTP_CA_FILE"):
        load_settings(data_dir=tmp_path, smtp_ca_file=tmp_path / "missing.pem")
    # A relay on this machine may take a password without TLS: nothing crosses the network.
    assert load_settings(data_dir=tmp_path, smtp_host="127.0.0.1",
                         smtp_username=USER).smtp_username == USER
