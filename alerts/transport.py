"""Where rendered alerts go: a directory of .eml files or an SMTP server.

Both transports are async context managers with ``send(msg) -> str`` so the dispatcher does not
care which one the settings chose. Failures are reduced to two exceptions because the dispatcher
has only two choices: keep the delivery queued and retry (``TransientMailError``) or mark it
failed (``PermanentMailError``).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

import aiosmtplib

_UNSAFE_FILENAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_FILENAME_STEM_LIMIT = 80


class MailError(Exception):
    """A message could not be handed over; ``code`` is the SMTP reply code when there was one."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class TransientMailError(MailError):
    """Worth retrying later: no connection, a timeout, a 4xx reply, or our own misconfiguration
    (authentication, sender refused), which is fixed on our side without failing deliveries."""


class PermanentMailError(MailError):
    """Retrying will not help: the server refused this recipient or this message with a 5xx."""


@runtime_checkable
class Transport(Protocol):
    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def send(self, msg: EmailMessage) -> str: ...


class FileOutbox:
    """One .eml file per Message-ID in a directory: the default transport for demo and tests.

    The file name is derived from the Message-ID, so resending a delivery replaces its file rather
    than adding one; files appear atomically, so a reader never sees half a message.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    async def __aenter__(self) -> Self:
        self.directory.mkdir(parents=True, exist_ok=True)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def send(self, msg: EmailMessage) -> str:
        """Write the message and return the file's path (the outbox's equivalent of a reply)."""
        message_id = msg["Message-ID"]
        if not message_id:
            raise PermanentMailError("message has no Message-ID; the outbox cannot deduplicate it")
        path = self.directory / eml_filename(str(message_id))
        await asyncio.to_thread(_write_atomically, path, msg.as_bytes())
        return str(path)


def eml_filename(message_id: str) -> str:
    """A safe, stable file name for a Message-ID.

    Unsafe characters are replaced, so two ids could collide after cleaning; the short hash of the
    exact id keeps them apart while the readable stem still helps a human find a delivery.
    """
    stem = _UNSAFE_FILENAME_CHARS.sub("_", message_id.strip().strip("<>"))[:_FILENAME_STEM_LIMIT]
    digest = hashlib.sha256(message_id.strip().encode("utf-8")).hexdigest()[:12]
    return f"{stem.strip('._') or 'message'}-{digest}.eml"


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".eml")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


class SmtpTransport:
    """One SMTP connection reused for many messages (about twice the throughput of one connection
    per message here), reconnected once when the server has dropped it, e.g. after an idle
    timeout between dispatch runs."""

    def __init__(
        self,
        host: str,
        port: int = 25,
        *,
        username: str | None = None,
        password: str | None = None,
        start_tls: bool = False,
        use_tls: bool = False,
        timeout: float = 30.0,
        local_hostname: str | None = None,
    ) -> None:
        if start_tls and use_tls:
            raise ValueError("choose start_tls (upgrade) or use_tls (implicit TLS), not both")
        self._smtp = aiosmtplib.SMTP(
            hostname=host,
            port=port,
            username=username,
            password=password,
            start_tls=start_tls,
            use_tls=use_tls,
            timeout=timeout,
            local_hostname=local_hostname,
        )
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> Self:
        await self._connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Say QUIT politely; a connection that is already gone is not an error at shutdown."""
        if not self._smtp.is_connected:
            return
        try:
            await self._smtp.quit()
        except (aiosmtplib.SMTPException, OSError):
            self._smtp.close()

    async def send(self, msg: EmailMessage) -> str:
        """Send one message and return the server's reply to DATA.

        Sends are serialised: one SMTP connection carries one transaction at a time.
        """
        async with self._lock:
            if not self._smtp.is_connected:
                await self._connect()
            try:
                return await self._send_once(msg)
            except aiosmtplib.SMTPServerDisconnected:
                await self._connect()
                try:
                    return await self._send_once(msg)
                except aiosmtplib.SMTPServerDisconnected as exc:
                    raise TransientMailError(f"connection lost twice: {exc}") from exc

    async def _connect(self) -> None:
        if self._smtp.is_connected:
            self._smtp.close()
        try:
            await self._smtp.connect()
        except aiosmtplib.SMTPAuthenticationError as exc:
            self._smtp.close()
            raise TransientMailError(f"SMTP authentication failed: {exc}", exc.code) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            self._smtp.close()
            raise _classify(exc) from exc

    async def _send_once(self, msg: EmailMessage) -> str:
        try:
            _refused, reply = await self._smtp.send_message(msg)
        except aiosmtplib.SMTPServerDisconnected:
            raise
        except (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused) as exc:
            raise _classify(exc) from exc  # the server answered; the session is still usable
        except (aiosmtplib.SMTPException, OSError) as exc:
            # A timeout leaves the session in an unknown state: start clean on the next send.
            self._smtp.close()
            raise _classify(exc) from exc
        return reply


def _classify(exc: BaseException) -> MailError:
    """Decide retry or give up, from the SMTP reply codes where there are any."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        detail = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
        if codes and all(code >= 500 for code in codes):
            return PermanentMailError(f"recipient refused: {detail}", max(codes))
        return TransientMailError(f"recipient deferred: {detail}", min(codes, default=None))
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        return TransientMailError(f"sender refused (check mail_from): {exc}", exc.code)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        refused = isinstance(exc, aiosmtplib.SMTPDataError | aiosmtplib.SMTPRecipientRefused)
        if exc.code >= 500 and refused:
            return PermanentMailError(f"message refused: {exc.code} {exc.message}", exc.code)
        return TransientMailError(f"SMTP error: {exc.code} {exc.message}", exc.code)
    return TransientMailError(f"SMTP unavailable: {exc}")
