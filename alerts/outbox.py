"""The transactional outbox: matches become delivery rows in one transaction, a sender drains them.

A delivery is unique per (subscriber, notice), so re-analysing a notice or matching it through two
subscriptions never mails twice; a row stays queued until the server has accepted its message.

This module is the database side: queueing, the templates' context, and the three steps of a
send as the sender (``alerts.sender``, which owns the policy) performs them, each its own
transaction: ``due_ids`` (what may be tried now), ``claim`` (mark one row "sending" before its
message goes out) and ``settle`` (write the server's answer). Deliveries and operator alerts
share the columns these need, so both go through the same three functions.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from alerts.operator import OperatorContext
from alerts.render import AlertContext, CaseContext
from storage.database import transaction
from storage.models import (
    Case,
    CaseEvent,
    Delivery,
    Match,
    Notice,
    OperatorAlert,
    Source,
    Subscriber,
    Subscription,
)
from storage.timeutil import utcnow

OutboxModel = type[Delivery] | type[OperatorAlert]
# "sending" counts as due once its claim has expired: the sender holding it has died.
RETRYABLE = ("queued", "uncertain", "sending")
POSSIBLY_DELIVERED = ("uncertain", "sending")


@dataclass(frozen=True)
class SubscriptionMatch:
    """A rule-engine match of one notice to one subscription."""

    subscription: Subscription
    severity: str
    reasons: list[str]


def queue_matches(session: Session, notice: Notice, matches: Iterable[SubscriptionMatch]) -> int:
    """Record matches and queue one immediate delivery per subscriber; returns deliveries queued."""
    queued = 0
    for found in matches:
        exists = session.scalars(select(Match.id).where(
            Match.notice_id == notice.id, Match.subscription_id == found.subscription.id
        )).first()
        if exists is None:
            session.add(Match(notice_id=notice.id, subscription_id=found.subscription.id,
                              severity=found.severity, reasons=found.reasons))
        if found.subscription.frequency != "immediate":
            continue
        subscriber_id = found.subscription.subscriber_id
        already = session.scalars(select(Delivery.id).where(
            Delivery.subscriber_id == subscriber_id, Delivery.notice_id == notice.id
        )).first()
        if already is None:
            session.add(Delivery(subscriber_id=subscriber_id, notice_id=notice.id))
            session.flush()
            queued += 1
    return queued


def vietnam_cases(session: Session, notice_id: int) -> tuple[CaseContext, ...]:
    """The cases this notice moves that concern Vietnam, with their next expected step."""
    cases = session.scalars(
        select(Case).join(CaseEvent, CaseEvent.case_id == Case.id)
        .where(CaseEvent.notice_id == notice_id, Case.vietnam != "none").order_by(Case.id)
    )
    return tuple(
        CaseContext(tuple(sorted(n.number for n in case.numbers)), case.next_step, case.next_due)
        for case in cases
    )


def alert_context(session: Session, delivery: Delivery, sector_names: dict[str, dict[str, str]],
                  source_names: dict[str, str]) -> AlertContext:
    """Everything the templates need, as plain data, for one delivery."""
    notice = session.get(Notice, delivery.notice_id)
    assert notice is not None
    subscriber = session.get(Subscriber, delivery.subscriber_id)
    assert subscriber is not None
    matches = list(session.scalars(
        select(Match).join(Subscription, Match.subscription_id == Subscription.id).where(
            Match.notice_id == notice.id, Subscription.subscriber_id == subscriber.id
        )
    ))
    wanted = {sector for sub in subscriber.subscriptions for sector in sub.sectors}
    analysis: dict[str, Any] = notice.analysis or {}
    matched = [sector for sector in analysis.get("sectors", []) if sector in wanted]
    reasons = list(dict.fromkeys(reason for match in matches for reason in match.reasons))
    return AlertContext(
        cases=vietnam_cases(session, notice.id),
        delivery_id=delivery.id, recipient_email=subscriber.email,
        recipient_name=subscriber.name, language=subscriber.language,
        timezone=subscriber.timezone, notice_title=notice.title, notice_url=notice.url,
        notice_published=notice.published or notice.fetched_at.date(),
        source_name=source_names.get(notice.source_id, notice.source_id), analysis=analysis,
        sector_names={sector: sector_names[sector] for sector in matched if sector in sector_names},
        match_reasons=reasons, detected_at=notice.fetched_at,
    )


def operator_context(session: Session, alert: OperatorAlert, recipient: str, language: str,
                     timezone: str) -> OperatorContext:
    """A source alert with its source's name and last success; a job or outbox alert as
    stored (job, since when, how many)."""
    source = session.get(Source, alert.source_id) if alert.source_id is not None else None
    return OperatorContext(
        alert_id=alert.id, kind=alert.kind, source_id=alert.source_id,
        authority=source.authority if source else None, reason=alert.reason,
        changed_at=alert.created_at, last_success_at=source.last_success_at if source else None,
        recipient_email=recipient, language=language, timezone=timezone,
        job_id=alert.job_id, since_at=alert.since_at, count=alert.count,
    )


def _due(model: OutboxModel, now: datetime) -> ColumnElement[bool]:
    return and_(model.status.in_(RETRYABLE),
                or_(model.next_attempt_at.is_(None), model.next_attempt_at <= now))


def due_ids(session: Session, model: OutboxModel, now: datetime, limit: int,
            kinds: Iterable[str] | None = None) -> list[int]:
    """Rows that may be tried now, oldest first: queued or uncertain and past their backoff, or
    "sending" with an expired claim (their sender died between claim and settle)."""
    query = select(model.id).where(_due(model, now))
    if kinds is not None and model is Delivery:
        query = query.where(Delivery.kind.in_(list(kinds)))
    return list(session.scalars(query.order_by(model.id).limit(limit)))


@dataclass(frozen=True)
class Claim:
    """A row this sender now holds: its status before the claim and the attempt it is on."""

    row_id: int
    previous: str
    attempt: int
    last_error: str | None

    @property
    def possibly_delivered(self) -> bool:
        """An earlier try may have reached the server: this send is a resend (same Message-ID)."""
        return self.previous in POSSIBLY_DELIVERED


def claim(sessions: sessionmaker[Session], model: OutboxModel, row_id: int, *,
          message_id: str | None, now: datetime, hold_s: float) -> Claim | None:
    """Mark a due row "sending" (attempt + 1, claim expiring after ``hold_s``) and commit, before
    its message goes out; None when it is no longer due (another sender took it, or it settled).

    The update is a compare-and-set on (status, attempts), so two senders, in one process or two,
    never both claim a row: on PostgreSQL the second update waits for the first and then matches
    nothing, on SQLite writers are serialised anyway.
    """
    with transaction(sessions) as session:
        row = session.execute(select(model.status, model.attempts, model.last_error)
                              .where(model.id == row_id, _due(model, now))).first()
        if row is None:
            return None
        values: dict[str, Any] = {"status": "sending", "attempts": row.attempts + 1,
                                  "next_attempt_at": now + timedelta(seconds=hold_s)}
        if message_id is not None:
            values["message_id"] = message_id
        result = session.execute(update(model).where(
            model.id == row_id, model.status == row.status, model.attempts == row.attempts,
        ).values(**values).execution_options(synchronize_session=False))
        if cast(CursorResult[Any], result).rowcount != 1:
            return None
    return Claim(row_id, row.status, row.attempts + 1, row.last_error)


def settle(sessions: sessionmaker[Session], model: OutboxModel, held: Claim, *, status: str,
           error: str | None = None, retry_at: datetime | None = None,
           attempts: int | None = None) -> bool:
    """Write the server's answer for a claimed row in its own transaction, right after it came.

    Only while the claim is still ours (status "sending" at our attempt): if it expired and
    another sender took the row over, that sender's outcome stands. ``attempts`` rewrites the
    count, for a try that never reached the server. Returns whether the row was updated.
    """
    values: dict[str, Any] = {"status": status, "last_error": error, "next_attempt_at": retry_at}
    if attempts is not None:
        values["attempts"] = attempts
    if status == "sent":
        values["sent_at"] = utcnow()
    with transaction(sessions) as session:
        result = session.execute(update(model).where(
            model.id == held.row_id, model.status == "sending", model.attempts == held.attempt,
        ).values(**values).execution_options(synchronize_session=False))
        return cast(CursorResult[Any], result).rowcount == 1
