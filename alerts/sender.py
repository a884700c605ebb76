"""The sender: drains the outbox through a transport, with retries, and never loses or doubles mail.

Each row (a subscriber's delivery, or an operator alert) goes through three steps, each its own
committed transaction (see ``alerts.outbox``):

1. render its message (stable Message-ID: ``alerts.render.message_id(delivery_id)``);
2. **claim** it: status "sending", attempts + 1, the Message-ID, and a claim expiry
   (``next_attempt_at = now + claim_s``), committed *before* the message goes out;
3. send, and **settle** it right after the server's answer:

   ===================================  ========================================================
   server's answer                      outcome
   ===================================  ========================================================
   250 after DATA                       "sent"
   5xx to RCPT or DATA                  "failed", with the server's reply; the others go on
   4xx to MAIL/RCPT/DATA, a timeout or  back to "queued" (or "uncertain" if an earlier try may
   lost connection before DATA          have arrived) after a backoff: exponential from
                                        ``backoff_base_s``, capped at ``backoff_max_s``, jittered;
                                        the others go on (a 421 "closing" stops the drain)
   no answer after DATA (timeout or     "uncertain" after a backoff: the server may have it, so
   dropped connection)                  the next drain resends it, once, same Message-ID
   could not connect, greet, STARTTLS,  back to its previous status, the attempt not counted (an
   AUTH, or MAIL FROM refused           outage must not use up the mail's tries); the drain
                                        stops, so a dead server costs one connection per drain
   ===================================  ========================================================

   After ``max_attempts`` tries a row is "failed": "gave up after N attempts: <last error>".

Crash safety: a process killed between the server's 250 and the settle leaves its row "sending".
Once its claim expires, a later drain (this process after a restart, or another one) takes it as
possibly delivered and resends it once, with the same Message-ID, so receivers that deduplicate
by Message-ID see it once; at most the messages in flight at the crash (one per connection) can
arrive twice. The claim is a compare-and-set, so concurrent drains never send the same row.

Concurrency: as many workers as the transport carries sends at once (``SmtpPool.size``, 1 for a
single ``SmtpTransport`` or the ``FileOutbox``); each worker takes the next due row in id order,
so messages leave roughly oldest first over a few reused connections.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from alerts.operator import render_operator_alert
from alerts.outbox import (
    Claim,
    OutboxModel,
    alert_context,
    claim,
    due_ids,
    operator_context,
    settle,
)
from alerts.render import render_alert
from alerts.transport import (
    FileOutbox,
    MailError,
    PermanentMailError,
    ServerUnavailableError,
    SmtpPool,
    TransientMailError,
    Transport,
    UncertainMailError,
    backoff_delay,
    parallelism,
)
from storage.models import Delivery, OperatorAlert
from storage.timeutil import utcnow

if TYPE_CHECKING:
    from config.settings import Settings

logger = logging.getLogger(__name__)

SERVER_CLOSING = 421

Render = Callable[[Session, int], EmailMessage]
"""Builds one row's message from the database (row id in, message out)."""


@dataclass(frozen=True)
class SendPolicy:
    """How hard to try: the settings ``smtp_max_attempts``, ``smtp_backoff_base_s``,
    ``smtp_backoff_max_s`` and ``smtp_claim_s``."""

    max_attempts: int = 8
    backoff_base_s: float = 30.0
    backoff_max_s: float = 3600.0
    claim_s: float = 600.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> SendPolicy:
        return cls(max_attempts=settings.smtp_max_attempts,
                   backoff_base_s=settings.smtp_backoff_base_s,
                   backoff_max_s=settings.smtp_backoff_max_s, claim_s=settings.smtp_claim_s)

    def retry_at(self, attempt: int, now: datetime) -> datetime:
        delay = backoff_delay(attempt, self.backoff_base_s, self.backoff_max_s, self.rng)
        return now + timedelta(seconds=delay)


@dataclass
class DrainReport:
    """What one drain did. ``deferred``: left for a later drain (backoff, or the drain stopped);
    ``resent``: sends of possibly delivered rows (after a crash or an uncertain answer)."""

    sent: int = 0
    failed: int = 0
    deferred: int = 0
    uncertain: int = 0
    resent: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MailQueue:
    """One outbox table and how to render its rows; ``kinds`` narrows deliveries by kind."""

    model: OutboxModel
    render: Render
    kinds: tuple[str, ...] | None = None


def transport_for(settings: Settings) -> Transport:
    """The settings' transport: an SMTP pool (``smtp_pool_size`` reused connections, STARTTLS or
    TLS and AUTH from the settings), or by default the file outbox, which needs no server."""
    if not settings.smtp_host:
        return FileOutbox(settings.outbox)
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpPool(
        settings.smtp_pool_size, host=settings.smtp_host, port=settings.smtp_port,
        username=settings.smtp_username, password=password, start_tls=settings.smtp_starttls,
        use_tls=settings.smtp_tls, timeout=settings.smtp_timeout_s,
    )


async def drain(sessions: sessionmaker[Session], transport: Transport, *, mail_from: str,
                sector_names: dict[str, dict[str, str]], source_names: dict[str, str],
                limit: int = 1000, policy: SendPolicy | None = None,
                renderers: Mapping[str, Render] | None = None) -> DrainReport:
    """Send the due subscriber deliveries (see the module's table for each outcome).

    Alerts render with ``render_alert``; ``renderers`` adds or replaces a renderer per delivery
    kind (e.g. digests). Deliveries of a kind without a renderer are left alone.
    """
    def render_alert_row(session: Session, row_id: int) -> EmailMessage:
        delivery = session.get(Delivery, row_id)
        assert delivery is not None
        return render_alert(alert_context(session, delivery, sector_names, source_names),
                            mail_from)

    by_kind: dict[str, Render] = {"alert": render_alert_row, **(renderers or {})}

    def render_row(session: Session, row_id: int) -> EmailMessage:
        delivery = session.get(Delivery, row_id)
        assert delivery is not None
        return by_kind[delivery.kind](session, row_id)

    queue = MailQueue(Delivery, render_row, kinds=tuple(by_kind))
    return await drain_queue(sessions, transport, queue, policy or SendPolicy(), limit)


async def drain_operator_alerts(sessions: sessionmaker[Session], transport: Transport, *,
                                mail_from: str, recipient: str, language: str, timezone: str,
                                limit: int = 100,
                                policy: SendPolicy | None = None) -> DrainReport:
    """Send the due source-health alerts to the operator, with the same policy as deliveries."""
    def render_row(session: Session, row_id: int) -> EmailMessage:
        alert = session.get(OperatorAlert, row_id)
        assert alert is not None
        return render_operator_alert(
            operator_context(session, alert, recipient, language, timezone), mail_from)

    queue = MailQueue(OperatorAlert, render_row)
    return await drain_queue(sessions, transport, queue, policy or SendPolicy(), limit)


async def drain_queue(sessions: sessionmaker[Session], transport: Transport, queue: MailQueue,
                      policy: SendPolicy, limit: int) -> DrainReport:
    """Send up to ``limit`` due rows of one queue, ``parallelism(transport)`` at a time."""
    with sessions() as session:
        ids = due_ids(session, queue.model, utcnow(), limit, queue.kinds)
    run = _Drain(sessions, transport, queue, policy)
    await run.send_all(ids)
    return run.report


class _Drain:
    """One drain run: its workers share the id iterator, the report and the stop signal."""

    def __init__(self, sessions: sessionmaker[Session], transport: Transport, queue: MailQueue,
                 policy: SendPolicy) -> None:
        self.sessions, self.transport, self.queue, self.policy = sessions, transport, queue, policy
        self.report = DrainReport()
        self.stopped = False

    async def send_all(self, ids: list[int]) -> None:
        pending = iter(ids)
        workers = min(parallelism(self.transport), len(ids))
        await asyncio.gather(*(self._worker(pending) for _ in range(workers)))
        left = sum(1 for _ in pending)
        self.report.deferred += left
        if left:
            logger.warning("mail drain stopped: %d message(s) stay queued", left)

    async def _worker(self, pending: Iterator[int]) -> None:
        while not self.stopped:
            row_id = next(pending, None)
            if row_id is None:
                return
            await self._send_one(row_id)

    async def _send_one(self, row_id: int) -> None:
        message, render_error = self._render(row_id)
        message_id = str(message["Message-ID"]) if message is not None else None
        held = claim(self.sessions, self.queue.model, row_id, message_id=message_id,
                     now=utcnow(), hold_s=self.policy.claim_s)
        if held is None:
            return  # taken by another sender meanwhile, or no longer due
        if held.attempt > self.policy.max_attempts:
            self._give_up(held, held.last_error or "no answer")
            return
        if message is None:
            self._retry(held, f"could not render: {render_error}")
            return
        if held.possibly_delivered:
            self.report.resent += 1
            logger.info("resending %s, possibly delivered before", message_id)
        try:
            await self.transport.send(message)
        except MailError as exc:
            self._settle_error(held, exc)
            return
        settle(self.sessions, self.queue.model, held, status="sent")
        self.report.sent += 1

    def _render(self, row_id: int) -> tuple[EmailMessage | None, str | None]:
        """The message, or why it could not be rendered (a bug or bad data: retried, then
        failed after max_attempts, so one broken row never blocks the queue)."""
        try:
            with self.sessions() as session:
                return self.queue.render(session, row_id), None
        except Exception as exc:  # noqa: BLE001 - any rendering failure is recorded, not raised
            logger.exception("could not render %s %d", self.queue.model.__tablename__, row_id)
            return None, f"{type(exc).__name__}: {exc}"

    def _settle_error(self, held: Claim, exc: MailError) -> None:
        error = str(exc)
        self.report.errors.append(error)
        if isinstance(exc, PermanentMailError):
            settle(self.sessions, self.queue.model, held, status="failed", error=error)
            self.report.failed += 1
        elif isinstance(exc, ServerUnavailableError):
            self._server_unavailable(held, error)
        elif isinstance(exc, UncertainMailError):
            self._retry(held, error, status="uncertain")
        elif isinstance(exc, TransientMailError):
            self._retry(held, error)
            if exc.code == SERVER_CLOSING:
                self.stopped = True

    def _server_unavailable(self, held: Claim, error: str) -> None:
        """Nothing reached the server: put the row back as it was, attempt not counted, and
        stop the drain (the next one tries again)."""
        back = "uncertain" if held.possibly_delivered else "queued"
        settle(self.sessions, self.queue.model, held, status=back, error=error,
               attempts=held.attempt - 1)
        self.report.deferred += 1
        if not self.stopped:
            logger.warning("mail server unavailable, the drain stops: %s", error)
        self.stopped = True

    def _retry(self, held: Claim, error: str, status: str = "queued") -> None:
        if held.attempt >= self.policy.max_attempts:
            self._give_up(held, error)
            return
        if held.possibly_delivered or status == "uncertain":
            status = "uncertain"
            self.report.uncertain += 1
        settle(self.sessions, self.queue.model, held, status=status, error=error,
               retry_at=self.policy.retry_at(held.attempt, utcnow()))
        self.report.deferred += 1

    def _give_up(self, held: Claim, error: str) -> None:
        attempts = min(held.attempt, self.policy.max_attempts)
        settle(self.sessions, self.queue.model, held, status="failed",
               error=f"gave up after {attempts} attempts: {error}",
               attempts=attempts)
        self.report.failed += 1
