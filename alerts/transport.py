"""Where rendered alerts go: a directory of .eml files or an SMTP server (one connection, or a
bounded pool of them).

Every transport is an async context manager with ``send(msg) -> str``, so the sender does not
care which one the settings chose. Failures are reduced to a few exceptions because the sender
has only a few choices:

- ``PermanentMailError``: a 5xx to this message's MAIL FROM, RCPT TO or DATA, or an address that
  needs SMTPUTF8 when the server lacks it; mark that delivery failed.
- ``TransientMailError``: a 4xx to this message, or a timeout or lost connection *before* the
  message's data was sent; nothing was delivered, retry later with backoff.
- ``UncertainMailError`` (transient): the connection timed out or dropped *after* the message's
  data was sent and before the server's answer; it may have been delivered, so a resend must
  carry the same Message-ID.
- ``ServerUnavailableError`` (transient): we could not even start a mail transaction (no
  connection, greeting, EHLO, STARTTLS or AUTH failed, or a 421 "closing" to MAIL FROM). The
  message is not to blame, so the sender stops its drain rather than try every queued message
  against a dead server. (A MAIL FROM refused otherwise is the message's: taken for an outage,
  that row, never counted, would be claimed first by every drain and stop each one.)
"""

from __future__ import annotations

import asyncio
import random
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self, runtime_checkable

import aiosmtplib
from aiosmtplib.email import extract_recipients, extract_sender

from alerts.mailpolicy import smtp_bytes


class MailError(Exception):
    """A message could not be handed over; ``code`` is the SMTP reply code when there was one."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class TransientMailError(MailError):
    """Worth retrying later: no connection, a timeout, a 4xx reply, or our own misconfiguration
    (authentication), which is fixed on our side without failing deliveries."""


class PermanentMailError(MailError):
    """Retrying will not help: the server refused this sender, recipient or message with a 5xx,
    or the message needs SMTPUTF8 and the server does not offer it."""


class ServerUnavailableError(TransientMailError):
    """No mail transaction could start: connection, greeting, EHLO, STARTTLS or AUTH failed, or
    the server is closing. Nothing about the message was said, so it is not counted against it."""


class UncertainMailError(TransientMailError):
    """The data went out but no final answer came back (timeout or dropped connection after DATA):
    the server may have accepted it. Resend only with the same Message-ID."""


def backoff_delay(attempt: int, base_s: float, max_s: float,
                  rng: random.Random | None = None) -> float:
    """Seconds to wait before attempt ``attempt + 1``: exponential (base, 2 base, 4 base, ...)
    capped at ``max_s``, with "equal jitter" (between half and all of it) so that many deliveries
    deferred by the same outage do not all come back in the same second."""
    ceiling = min(max_s, base_s * 2 ** max(0, attempt - 1))
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


def parallelism(transport: object) -> int:
    """How many sends the transport can carry at once: a pool's size, else one."""
    size = getattr(transport, "size", 1)
    return size if isinstance(size, int) and size > 0 else 1


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


class SmtpTransport:
    """One SMTP connection reused for many messages (about twice the throughput of one connection
    per message here), reconnected when the server has dropped it, e.g. after an idle timeout.

    The mail transaction is driven step by step (MAIL, RCPT, DATA) rather than with
    ``send_message``, because what a failure means depends on the step: a connection lost before
    DATA is retried at once on a new connection (nothing was delivered), one lost or timed out
    during DATA is ``UncertainMailError`` (it may have been delivered).
    """

    size = 1

    def __init__(
        self,
        host: str,
        port: int = 25,
        *,
        username: str | None = None,
        password: str | None = None,
        start_tls: bool = False,
        use_tls: bool = False,
        ca_file: Path | None = None,
        timeout: float = 30.0,
        local_hostname: str | None = None,
    ) -> None:
        if start_tls and use_tls:
            raise ValueError("choose start_tls (upgrade) or use_tls (implicit TLS), not both")
        # start_tls=False, not aiosmtplib's None (upgrade if offered): encryption is what the
        # settings say, and a server that does not offer a required STARTTLS is refused.
        self._smtp = aiosmtplib.SMTP(
            hostname=host,
            port=port,
            username=username,
            password=password,
            start_tls=start_tls,
            use_tls=use_tls,
            validate_certs=True,
            cert_bundle=str(ca_file) if ca_file else None,
            timeout=timeout,
            local_hostname=local_hostname,
        )
        self._lock = asyncio.Lock()
        self.connections_opened = 0

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
                return await self._transaction(msg)
            except _DroppedBeforeData:
                await self._connect()
                try:
                    return await self._transaction(msg)
                except _DroppedBeforeData as exc:
                    raise TransientMailError(f"connection lost twice: {exc}") from exc

    async def _connect(self) -> None:
        """Connect, greet, and (by the settings) STARTTLS and AUTH; any failure is the server's."""
        if self._smtp.is_connected:
            self._smtp.close()
        self.connections_opened += 1
        try:
            await self._smtp.connect()
            if self._smtp.is_ehlo_or_helo_needed:
                await self._smtp.ehlo()
        except aiosmtplib.SMTPAuthenticationError as exc:
            self._smtp.close()
            raise ServerUnavailableError(f"SMTP authentication failed: {exc}", exc.code) from exc
        except aiosmtplib.SMTPResponseException as exc:
            self._smtp.close()
            raise ServerUnavailableError(f"SMTP server refused the session: {exc.code} "
                                         f"{exc.message}", exc.code) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            self._smtp.close()
            raise ServerUnavailableError(f"SMTP unavailable: {exc}") from exc

    async def _transaction(self, msg: EmailMessage) -> str:
        sender, recipients, data, mail_options = self._envelope(msg)
        await self._envelope_commands(sender, recipients, mail_options)
        try:
            response = await self._smtp.data(data)
        except aiosmtplib.SMTPResponseException as exc:
            await self._reset()
            raise _classify(exc) from exc  # the server answered: the session is still usable
        except (aiosmtplib.SMTPException, OSError) as exc:
            self._smtp.close()
            raise UncertainMailError(f"no answer after DATA, possibly delivered: "
                                     f"{exc or type(exc).__name__}") from exc
        return response.message

    async def _envelope_commands(self, sender: str, recipients: list[str],
                                 mail_options: list[str]) -> None:
        """MAIL FROM and RCPT TO; a refusal resets the envelope so the connection stays usable.
        Addresses go out in UTF-8 only under SMTPUTF8 (aiosmtplib's default is ASCII)."""
        encoding = "utf-8" if "SMTPUTF8" in mail_options else "ascii"
        try:
            await self._smtp.mail(sender, options=mail_options, encoding=encoding)
            for recipient in recipients:
                await self._smtp.rcpt(recipient, encoding=encoding)
        except aiosmtplib.SMTPServerDisconnected as exc:
            raise _DroppedBeforeData(str(exc)) from exc
        except aiosmtplib.SMTPResponseException as exc:
            await self._reset()
            raise _classify(exc) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            # A timeout leaves the session in an unknown state: start clean on the next send.
            self._smtp.close()
            raise TransientMailError(f"SMTP error before DATA: {exc or type(exc).__name__}") \
                from exc

    def _envelope(self, msg: EmailMessage) -> tuple[str, list[str], bytes, list[str]]:
        """Sender, recipients, bytes and MAIL options, as aiosmtplib's send_message makes them.
        Domains are in IDNA (``alerts.mailpolicy.mailbox``): only a local part that is not ASCII
        needs SMTPUTF8, and a server without it fails that message alone, before any command."""
        sender = extract_sender(msg)
        recipients = extract_recipients(msg)
        if not sender or not recipients:
            raise PermanentMailError("message has no From or no recipient")
        needs_utf8 = [address for address in (sender, *recipients) if not address.isascii()]
        if needs_utf8 and not self._smtp.supports_extension("SMTPUTF8"):
            raise PermanentMailError(f"{', '.join(needs_utf8)}: an address whose local part is "
                                     f"not ASCII needs SMTPUTF8, which the mail server does "
                                     f"not offer")
        options = ["SMTPUTF8"] if needs_utf8 else []
        eight_bit = self._smtp.supports_extension("8BITMIME")
        if eight_bit:
            options.append("BODY=8BITMIME")
        data = smtp_bytes(msg, utf8=bool(needs_utf8), cte_type="8bit" if eight_bit else "7bit")
        return sender, recipients, data, options

    async def _reset(self) -> None:
        if not self._smtp.is_connected:
            return
        try:
            await self._smtp.rset()
        except (aiosmtplib.SMTPException, OSError):
            self._smtp.close()


SERVER_CLOSING = 421  # "closing the channel": the server's state, not the message's


class _DroppedBeforeData(Exception):
    """The connection was gone before DATA: safe to retry at once on a new connection."""


class SmtpPool:
    """Up to ``size`` SMTP connections, each reused for many messages, opened only when needed.

    ``send`` borrows an idle connection (or opens one while fewer than ``size`` exist, or waits),
    so ``size`` concurrent senders share ``size`` connections; the default transport, the file
    outbox, needs no pool. Each connection reconnects by itself when the server drops it.
    """

    def __init__(self, size: int = 4, **smtp: Any) -> None:
        if size < 1:
            raise ValueError("an SMTP pool needs at least one connection")
        self.size = size
        self._smtp_options = smtp
        self._all: list[SmtpTransport] = []
        self._idle: asyncio.Queue[SmtpTransport] = asyncio.Queue()

    @property
    def connections_opened(self) -> int:
        """Connections opened so far, reconnections included (the bench's figure)."""
        return sum(connection.connections_opened for connection in self._all)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.gather(*(connection.close() for connection in self._all))

    async def send(self, msg: EmailMessage) -> str:
        connection = await self._borrow()
        try:
            return await connection.send(msg)
        finally:
            self._idle.put_nowait(connection)

    async def _borrow(self) -> SmtpTransport:
        if not self._idle.empty():
            return self._idle.get_nowait()
        if len(self._all) < self.size:
            connection = SmtpTransport(**self._smtp_options)
            self._all.append(connection)
            return connection
        return await self._idle.get()


def _classify(exc: BaseException) -> MailError:
    """Decide retry or give up, from the SMTP reply codes where there are any."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        detail = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
        if codes and all(code >= 500 for code in codes):
            return PermanentMailError(f"recipient refused: {detail}", max(codes))
        return TransientMailError(f"recipient deferred: {detail}", min(codes, default=None))
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        if exc.code == SERVER_CLOSING:
            return ServerUnavailableError(f"server closing: {exc.code} {exc.message}", exc.code)
        if exc.code >= 500:
            return PermanentMailError(f"sender refused for this message: {exc.code} "
                                      f"{exc.message}", exc.code)
        return TransientMailError(f"sender deferred: {exc.code} {exc.message}", exc.code)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        refused = isinstance(exc, aiosmtplib.SMTPDataError | aiosmtplib.SMTPRecipientRefused)
        if exc.code >= 500 and refused:
            return PermanentMailError(f"message refused: {exc.code} {exc.message}", exc.code)
        return TransientMailError(f"SMTP error: {exc.code} {exc.message}", exc.code)
    return TransientMailError(f"SMTP unavailable: {exc}")
