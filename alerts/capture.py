"""A real SMTP server on 127.0.0.1 that keeps what it receives: the demo's and the tests' inbox.

It runs aiosmtpd on the caller's event loop (aiosmtpd's Controller would start a second loop in
a thread), and writes each message it accepts into a folder as one .eml file.
"""

import asyncio
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Self

from aiosmtpd.smtp import SMTP, Envelope

from alerts.file_outbox import eml_filename
from alerts.message import mail_kind


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage


@dataclass
class CaptureHandler:
    """aiosmtpd handler: accept every message, keep it in memory and, if asked, on disk."""

    folder: Path | None = None
    received: list[Received] = field(default_factory=list)
    connections: int = 0

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(list(envelope.rcpt_tos), message))
        if self.folder is not None:
            write_eml(self.folder, content, message, len(self.received))
        return "250 Message accepted for delivery"


def write_eml(folder: Path, content: bytes, message: EmailMessage, number: int) -> Path:
    """One file per Message-ID, named as the file outbox names it (by kind, then id): a message
    received twice overwrites itself, never doubles; one without an id is named by `number`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / eml_filename(str(message.get("Message-ID", number)), mail_kind(message))
    path.write_bytes(content)
    return path


class MailCapture:
    """`async with MailCapture(folder) as capture:` gives a listening server at capture.port."""

    def __init__(self, folder: Path | None = None, host: str = "127.0.0.1") -> None:
        self.handler = CaptureHandler(folder)
        self.host = host
        self.port = 0
        self._server: asyncio.Server | None = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def _protocol(self) -> SMTP:
        self.handler.connections += 1
        return SMTP(self.handler, hostname="trews-capture.local")

    async def __aenter__(self) -> Self:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._protocol, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
