"""The sender: drains the outbox through a transport, with retries, and never loses or doubles mail.

A drain claims the due rows (a subscriber's delivery, or an operator alert) in small batches and
sends them over a few reused connections. Each row goes through three steps, each its own
committed transaction (see ``alerts.outbox``):

1. **claim** it, with the rest of its batch: status "sending" ("resending" if an earlier try
   may have reached the server), attempts + 1, and a claim expiry (``next_attempt_at = now +
   claim_s``), committed *before* any message of the batch goes out;
2. render its message (stable Message-ID: ``alerts.message.message_id(delivery_id)``);
3. send, and **settle** it right after the server's answer, committed before that connection
   sends again (answers that come in together are committed together, see
   ``alerts.outbox.Settlements``):

   ===================================  ========================================================
   server's answer                      outcome
   ===================================  ========================================================
   250 after DATA                       "sent"
   5xx to MAIL, RCPT or DATA, or an     "failed", with the server's reply or the reason; the
   address needing SMTPUTF8 the server  others go on. Unless the server refuses everything:
   does not offer                       before it accepts one and in a streak, 5xx are retried
                                        (``alerts.refusals``)
   4xx to MAIL/RCPT/DATA, a timeout or  back to "queued" (or "uncertain" if an earlier try may
   lost connection before DATA          have arrived) after a backoff: exponential from
                                        ``backoff_base_s``, capped at ``backoff_max_s``, jittered;
                                        the others go on (a 421 "closing" stops the drain)
   no answer after DATA (timeout or     "uncertain" after a backoff: the server may have it, so
   dropped connection)                  the next drain resends it, once, same Message-ID
   could not connect, greet, STARTTLS,  back to its previous status, the attempt not counted (an
   or AUTH, or a 421 to MAIL FROM       outage must not use up the mail's tries); the drain
                                        stops and gives back the rows it has not tried, so a
                                        dead server costs one connection per drain
   ===================================  ========================================================

   After ``max_attempts`` tries a row is "failed": "gave up after N attempts: <last error>".
   A delivery whose subscriber has unsubscribed, found so just before its send or before it
   would be queued again, is "cancelled" ("unsubscribed") and never sent (``alerts.unsubscribed``).

Crash safety: a process killed between the server's 250 and the settle leaves its row claimed.
Once its claim expires, a later drain (this process after a restart, or another one) takes it as
possibly delivered and resends it once, with the same Message-ID, so receivers that deduplicate
by Message-ID see it once; at most the messages in flight at the crash (one per connection) can
arrive twice. The rest of the crashed drain's batch, never sent, goes out once after the claim
expires. A claim is taken by one sender only (``alerts.outbox.claim_due``), so concurrent drains,
in one process or several sharing a PostgreSQL outbox, never send the same row; a row whose
claim is more than half spent before its turn comes is given back rather than sent late.

Concurrency: as many workers as the transport carries sends at once (``SmtpPool.size``) take
rendered messages from a short queue that one producer fills batch by batch, so messages leave
oldest first and rendering overlaps with the network.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from alerts.operator import render_operator_alert
from alerts.outbox import (
    Claim,
    OutboxModel,
    Settlements,
    alert_context,
    claim_due,
    operator_context,
    prefetch_deliveries,
    release,
)
from alerts.refusals import RefusalWatch, Verdict, accepted_lately
from alerts.render import render_alert
from alerts.send_policy import SendPolicy
from alerts.transport import (
    SERVER_CLOSING,
    MailError,
    PermanentMailError,
    ServerUnavailableError,
    TransientMailError,
    Transport,
    UncertainMailError,
    parallelism,
)
from storage.models import Delivery, OperatorAlert
from storage.subscribers import CANCELLED, NOT_WANTED
from storage.timeutil import utcnow

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)

Render = Callable[[Session, int], EmailMessage]
"""Builds one row's message from the database (row id in, message out)."""


@dataclass
class DrainReport:
    """What one drain did. ``deferred``: left for a later drain (backoff, or the drain stopped);
    ``resent``: sends of possibly delivered rows (after a crash or an uncertain answer);
    ``cancelled``: not sent, their subscriber having unsubscribed meanwhile."""

    sent: int = 0
    failed: int = 0
    cancelled: int = 0
    deferred: int = 0
    uncertain: int = 0
    resent: int = 0
    errors: list[str] = field(default_factory=list)


Prefetch = Callable[[Session, list[int]], None]
"""Loads what a batch of rows will need into the session at once (row ids in)."""

# Rows claimed per batch, per connection: enough to keep the connections busy while the next
# batch renders, few enough that a crash leaves little waiting for its claim to expire.
BATCH_PER_CONNECTION = 16


@dataclass(frozen=True)
class MailQueue:
    """One outbox table and how to render its rows; ``kinds`` narrows deliveries by kind."""

    model: OutboxModel
    render: Render
    kinds: tuple[str, ...] | None = None
    prefetch: Prefetch | None = None


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

    queue = MailQueue(Delivery, render_row, kinds=tuple(by_kind), prefetch=prefetch_deliveries)
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
    run = _Drain(sessions, transport, queue, policy)
    await run.run(limit)
    return run.report


@dataclass(frozen=True)
class _Ready:
    """A claimed row with its rendered message, or why it could not be rendered."""

    held: Claim
    message: EmailMessage | None
    render_error: str | None = None


class _Drain:
    """One drain run: a producer claims and renders batches, workers send them; they share the
    report and the stop signal."""

    def __init__(self, sessions: sessionmaker[Session], transport: Transport, queue: MailQueue,
                 policy: SendPolicy) -> None:
        self.sessions, self.transport, self.queue, self.policy = sessions, transport, queue, policy
        self.report = DrainReport()
        self.stopped = False
        self.workers = parallelism(transport)
        self.batch = max(BATCH_PER_CONNECTION * self.workers, 1)
        self.ready: asyncio.Queue[_Ready | None] = asyncio.Queue(maxsize=self.batch)
        self.untried: list[Claim] = []
        self.settlements = Settlements(sessions, queue.model,
                                       check_unsubscribed=queue.model is Delivery)
        self.refusals = RefusalWatch(accepted_lately(sessions, queue.model, utcnow()))

    async def run(self, limit: int) -> None:
        try:
            await asyncio.gather(self._produce(limit),
                                 *(self._worker() for _ in range(self.workers)))
        finally:
            await self.settlements.close()
        if self.untried:
            try:
                release(self.sessions, self.queue.model, self.untried)
            except SQLAlchemyError as exc:
                logger.error("%d claimed message(s) could not be given back (their claim "
                             "expires): %s", len(self.untried), str(exc).splitlines()[0])
            self.report.deferred += len(self.untried)
            logger.warning("mail drain stopped: %d message(s) stay queued", len(self.untried))

    async def _produce(self, limit: int) -> None:
        """Claim and render batches until ``limit`` rows, nothing due, or a stop."""
        try:
            claimed = 0
            while not self.stopped and claimed < limit:
                batch = claim_due(self.sessions, self.queue.model, now=utcnow(),
                                  hold_s=self.policy.claim_s, limit=min(self.batch,
                                                                        limit - claimed),
                                  kinds=self.queue.kinds)
                if not batch:
                    return
                claimed += len(batch)
                await self._render_batch(batch)
        except SQLAlchemyError as exc:  # nothing claimed is lost: the workers finish theirs
            logger.error("database lost while claiming mail, the drain stops: %s",
                         str(exc).splitlines()[0])
            self.report.errors.append(f"database lost: {str(exc).splitlines()[0]}")
            self.stopped = True
        finally:
            for _ in range(self.workers):
                await self.ready.put(None)

    async def _worker(self) -> None:
        while (ready := await self.ready.get()) is not None:
            if self.stopped or self._claim_too_old(ready.held):
                self.untried.append(ready.held)
                continue
            try:
                await self._send_one(ready)
            except SQLAlchemyError as exc:  # the database stayed lost: stop, give rows back
                self._database_lost(ready.held, exc)

    def _database_lost(self, held: Claim, exc: SQLAlchemyError) -> None:
        """The row's outcome could not be written: the drain stops, and the row is given back
        as possibly delivered (resent once, same Message-ID) rather than left claimed."""
        if not self.stopped:
            logger.error("database lost during the mail drain, which stops: %s",
                         str(exc).splitlines()[0])
            self.report.errors.append(f"database lost: {str(exc).splitlines()[0]}")
        self.stopped = True
        self.untried.append(replace(held, possibly_delivered=True))

    async def _render_batch(self, batch: list[Claim]) -> None:
        """Render the batch's messages in one session, handing each to the workers as it is
        ready and letting their SMTP replies in between: the server works while we render."""
        with self.sessions() as session:
            if self.queue.prefetch is not None:
                self.queue.prefetch(session, [held.row_id for held in batch])
            for position, held in enumerate(batch):
                if self.stopped:
                    self.untried.extend(batch[position:])
                    return
                await self.ready.put(self._render_one(session, held))
                await asyncio.sleep(0)

    def _render_one(self, session: Session, held: Claim) -> _Ready:
        """A row that cannot be rendered (a bug or bad data) is retried, then failed after
        max_attempts, so one broken row never blocks the queue."""
        try:
            return _Ready(held, self.queue.render(session, held.row_id))
        except Exception as exc:  # noqa: BLE001 - recorded on the row, not raised
            logger.exception("could not render %s %d", self.queue.model.__tablename__,
                             held.row_id)
            return _Ready(held, None, f"{type(exc).__name__}: {exc}")

    def _claim_too_old(self, held: Claim) -> bool:
        """More than half the claim spent waiting (a very slow server): another sender may take
        the row over soon, so give it back instead of racing it."""
        return utcnow() >= held.claimed_at + timedelta(seconds=self.policy.claim_s / 2)

    async def _send_one(self, ready: _Ready) -> None:
        held, message = ready.held, ready.message
        if held.attempt > self.policy.max_attempts:
            await self._give_up(held, held.last_error or "no answer")
            return
        if message is None:
            await self._retry(held, f"could not render: {ready.render_error}")
            return
        message_id = str(message["Message-ID"])
        if await self.settlements.unsubscribed(held.row_id):
            await self._cancel(held, attempts=held.attempt - 1)  # nothing was tried
            return
        if held.possibly_delivered:
            self.report.resent += 1
            logger.info("resending %s, possibly delivered before", message_id)
        try:
            await self.transport.send(message)
        except MailError as exc:
            await self._settle_error(held, exc, message_id)
            return
        self.refusals.accepted_one()
        await self.settlements.settle(held, status="sent", message_id=message_id)
        self.report.sent += 1

    async def _refused(self, held: Claim, error: str, message_id: str) -> None:
        """A 5xx: the message's failure, unless the relay refuses everything (alerts/refusals)."""
        verdict = self.refusals.refused_one()
        if verdict is Verdict.FAIL:
            await self._fail(held, error, message_id)
            return
        if verdict is Verdict.STOP and not self.stopped:
            logger.warning("the mail server refused %d messages in a row: the drain stops, "
                           "they are retried later", self.refusals.streak)
            self.stopped = True
        await self._retry(held, error, message_id=message_id)

    async def _settle_error(self, held: Claim, exc: MailError, message_id: str) -> None:
        error = str(exc)
        self.report.errors.append(error)
        if isinstance(exc, PermanentMailError) and exc.code is not None:
            await self._refused(held, error, message_id)
        elif isinstance(exc, PermanentMailError):  # refused here, before any server saw it
            await self._fail(held, error, message_id)
        elif isinstance(exc, ServerUnavailableError):
            await self._server_unavailable(held, error)
        elif isinstance(exc, UncertainMailError):
            await self._retry(held, error, status="uncertain", message_id=message_id)
        elif isinstance(exc, TransientMailError):
            if exc.code == SERVER_CLOSING:
                self.stopped = True
            await self._retry(held, error, message_id=message_id)

    async def _fail(self, held: Claim, error: str, message_id: str) -> None:
        await self.settlements.settle(held, status="failed", error=error, message_id=message_id)
        self.report.failed += 1

    async def _server_unavailable(self, held: Claim, error: str) -> None:
        """Nothing reached the server: put the row back as it was, attempt not counted, and
        stop the drain (the next one tries again)."""
        if not self.stopped:
            logger.warning("mail server unavailable, the drain stops: %s", error)
        self.stopped = True
        back = "uncertain" if held.possibly_delivered else "queued"
        await self.settlements.settle(held, status=back, error=error, attempts=held.attempt - 1)
        self.report.deferred += 1

    async def _retry(self, held: Claim, error: str, status: str = "queued",
                     message_id: str | None = None) -> None:
        if await self.settlements.unsubscribed(held.row_id):
            await self._cancel(held)
            return
        if held.attempt >= self.policy.max_attempts:
            await self._give_up(held, error)
            return
        if held.possibly_delivered or status == "uncertain":
            status = "uncertain"
            self.report.uncertain += 1
        await self.settlements.settle(
            held, status=status, error=error,
            retry_at=self.policy.retry_at(held.attempt, utcnow()), message_id=message_id)
        self.report.deferred += 1

    async def _cancel(self, held: Claim, attempts: int | None = None) -> None:
        """The subscriber has unsubscribed (or unfollowed the reminder's case) since the row
        was queued: it is never sent."""
        await self.settlements.settle(held, status=CANCELLED, error=NOT_WANTED,
                                      attempts=attempts)
        self.report.cancelled += 1

    async def _give_up(self, held: Claim, error: str) -> None:
        attempts = min(held.attempt, self.policy.max_attempts)
        await self.settlements.settle(held, status="failed",
                                      error=f"gave up after {attempts} attempts: {error}",
                                      attempts=attempts)
        self.report.failed += 1
