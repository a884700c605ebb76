"""The transactional outbox: matches become delivery rows in one transaction, a sender drains them.

A delivery is unique per (subscriber, notice), so re-analysing a notice or matching it through two
subscriptions never mails twice; a row stays queued until the server has accepted its message.

This module is the database side: queueing, the templates' context, and the steps of a send as
the sender (``alerts.sender``, which owns the policy) performs them, each committed before the
next step: ``claim_due`` (take the next due rows, marked "sending", before their messages go
out), ``Settlements.settle`` (write one server's answer, right after it came, with the answers
other connections got meanwhile) and ``release`` (give back rows a stopped drain did not try).
Deliveries and operator alerts share the columns these need, so both go through the same
functions.

Claiming takes a small batch in one statement (``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP
LOCKED) RETURNING``), so several senders, in one process or several sharing a PostgreSQL
database, drain one outbox without waiting for each other and without sending a row twice.
"""

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Integer,
    String,
    Update,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, selectinload, sessionmaker

from alerts.operator import OperatorContext
from alerts.render import AlertContext, CaseContext
from alerts.thread_groups import ThreadGroups
from alerts.unsubscribed import unsubscribed_rows
from rules.match_reasons import Reason, named_sectors, stored_reasons
from storage.database import transaction
from storage.models import (
    CLAIMED_STATUSES,
    WAITING_STATUSES,
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

logger = logging.getLogger(__name__)

OutboxModel = type[Delivery] | type[OperatorAlert]
# A claimed row counts as due again once its claim has expired: its sender has died.
CLAIMED = CLAIMED_STATUSES
RETRYABLE = WAITING_STATUSES
POSSIBLY_DELIVERED = ("uncertain", *CLAIMED)


@dataclass(frozen=True)
class SubscriptionMatch:
    """A rule-engine match of one notice to one subscription."""

    subscription: Subscription
    severity: str
    reasons: Sequence[str]  # rules.match_reasons.Reason, kept with their data


def queue_matches(session: Session, notice: Notice, matches: Iterable[SubscriptionMatch]) -> int:
    """Record matches and queue one immediate delivery per subscriber; returns deliveries queued."""
    queued = 0
    for found in matches:
        exists = session.scalars(select(Match.id).where(
            Match.notice_id == notice.id, Match.subscription_id == found.subscription.id
        )).first()
        if exists is None:
            session.add(Match(notice_id=notice.id, subscription_id=found.subscription.id,
                              severity=found.severity,
                              reasons=stored_reasons(found.reasons)))
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
    """The cases this notice moves that concern Vietnam, with their next expected step; looked
    up once per notice and session (every subscriber's alert of a notice shows the same)."""
    known = _memo(session, "vietnam_cases")
    if notice_id not in known:
        cases = session.scalars(
            select(Case).join(CaseEvent, CaseEvent.case_id == Case.id)
            .where(CaseEvent.notice_id == notice_id, Case.vietnam != "none").order_by(Case.id)
        )
        known[notice_id] = tuple(
            CaseContext(tuple(sorted(n.number for n in case.numbers)), case.next_step,
                        case.next_due, case.next_basis, case.id)
            for case in cases
        )
    return known[notice_id]


def prefetch_deliveries(session: Session, delivery_ids: list[int]) -> None:
    """Load a batch's deliveries, subscribers with their subscriptions, notices and match reasons
    in a few queries, so rendering each delivery finds them in the session instead of querying.
    The session's identity map holds objects weakly: the memo keeps them alive."""
    deliveries = list(session.scalars(select(Delivery).where(Delivery.id.in_(delivery_ids))))
    subscriber_ids = {delivery.subscriber_id for delivery in deliveries}
    notice_ids = {delivery.notice_id for delivery in deliveries if delivery.notice_id}
    subscribers = list(session.scalars(select(Subscriber).where(Subscriber.id.in_(subscriber_ids))
                                       .options(selectinload(Subscriber.subscriptions))))
    notices = list(session.scalars(select(Notice).where(Notice.id.in_(notice_ids))))
    _memo(session, "loaded")[tuple(delivery_ids)] = (deliveries, subscribers, notices)
    reasons = _memo(session, "match_reasons")
    rows = session.execute(
        select(Match.notice_id, Subscription.subscriber_id, Match.reasons)
        .join(Subscription, Match.subscription_id == Subscription.id)
        .where(Match.notice_id.in_(notice_ids), Subscription.subscriber_id.in_(subscriber_ids))
        .order_by(Match.id))
    for notice_id, subscriber_id, found in rows:
        reasons.setdefault((notice_id, subscriber_id), []).extend(map(Reason.from_stored, found))
    for delivery in deliveries:
        reasons.setdefault((delivery.notice_id, delivery.subscriber_id), [])


def match_reasons(session: Session, notice_id: int, subscriber_id: int) -> list[Reason]:
    """Why the notice matched the subscriber, over all their subscriptions, without repeats."""
    known = _memo(session, "match_reasons")
    if (notice_id, subscriber_id) not in known:
        known[(notice_id, subscriber_id)] = [
            Reason.from_stored(reason) for match in session.scalars(
                select(Match).join(Subscription, Match.subscription_id == Subscription.id).where(
                    Match.notice_id == notice_id, Subscription.subscriber_id == subscriber_id)
                .order_by(Match.id))
            for reason in match.reasons]
    return list(dict.fromkeys(known[(notice_id, subscriber_id)]))


def _memo(session: Session, name: str) -> dict[Any, Any]:
    """A per-session memo (``Session.info``): it lives as long as the session's snapshot."""
    memo: dict[Any, Any] = session.info.setdefault(f"trews.{name}", {})
    return memo


def alert_context(session: Session, delivery: Delivery,
                  sector_names: Mapping[str, Mapping[str, str]],
                  source_names: Mapping[str, str]) -> AlertContext:
    """Everything the templates need, as plain data, for one delivery."""
    assert delivery.notice_id is not None
    notice = session.get(Notice, delivery.notice_id)
    assert notice is not None
    subscriber = session.get(Subscriber, delivery.subscriber_id)
    assert subscriber is not None
    wanted = {sector for sub in subscriber.subscriptions for sector in sub.sectors}
    analysis: dict[str, Any] = notice.analysis or {}
    reasons = match_reasons(session, notice.id, subscriber.id)
    # the matched sectors, and those the reasons name (a diversion's product)
    matched = [*(sector for sector in analysis.get("sectors", []) if sector in wanted),
               *(sector for reason in reasons for sector in named_sectors(reason))]
    return AlertContext(
        cases=vietnam_cases(session, notice.id),
        delivery_id=delivery.id, recipient_email=subscriber.email,
        recipient_name=subscriber.name, language=subscriber.language,
        timezone=subscriber.timezone, notice_title=notice.title, notice_url=notice.url,
        notice_published=notice.published or notice.fetched_at.date(),
        source_name=source_names.get(notice.source_id, notice.source_id), analysis=analysis,
        sector_names={sector: dict(sector_names[sector]) for sector in matched
                      if sector in sector_names},
        match_reasons=reasons, detected_at=notice.fetched_at, notice_id=notice.id,
        recipient_kind=subscriber.kind,
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


@dataclass(frozen=True)
class Claim:
    """A row this sender now holds, the attempt it is on, and whether an earlier try may already
    have reached the server (then this send is a resend, with the same Message-ID)."""

    row_id: int
    attempt: int
    possibly_delivered: bool
    last_error: str | None
    claimed_at: datetime


def claim_due(sessions: sessionmaker[Session], model: OutboxModel, *, now: datetime,
              hold_s: float, limit: int, kinds: Iterable[str] | None = None) -> list[Claim]:
    """Take up to ``limit`` due rows, oldest first, and commit before any message goes out: each
    becomes "sending" (or "resending" when it was possibly delivered), attempt + 1, its claim
    expiring after ``hold_s``.

    Due rows are queued or uncertain past their backoff, or claimed rows whose claim expired.
    The claim cannot take a row twice: on PostgreSQL the pick skips rows another sender has
    locked, and the condition is checked again on the locked row; SQLite serialises writers.
    """
    due = _due(model, now)
    candidates = select(model.id).where(due)
    if kinds is not None and model is Delivery:
        candidates = candidates.where(Delivery.kind.in_(list(kinds)))
    # A CTE, evaluated once: as an IN subquery PostgreSQL may rescan it per row, and the LIMIT
    # would then not hold.
    picked = (candidates.order_by(model.id).limit(limit).with_for_update(skip_locked=True)
              .cte("picked"))
    statement = (
        update(model).where(model.id == picked.c.id, due)
        .values(status=case((model.status.in_(POSSIBLY_DELIVERED), "resending"),
                            else_="sending"),
                attempts=model.attempts + 1, next_attempt_at=now + timedelta(seconds=hold_s))
        .returning(model.id, model.attempts, model.status, model.last_error)
        .execution_options(synchronize_session=False)
    )
    with transaction(sessions) as session:
        rows = session.execute(statement).all()
    return sorted((Claim(row.id, row.attempts, row.status == "resending", row.last_error, now)
                   for row in rows), key=lambda held: held.row_id)


class Settlements:
    """Writes the server's answers of a drain's sends: each one committed before its worker sends
    again, so a crash resends at most the message in flight on each connection.

    One commit per mail, waited for on the event loop, held a drain on PostgreSQL to about 380
    mails/s here (every mail waited for a round trip and a flush to disk, and the loop with it).
    Answers are written in groups instead (``alerts.thread_groups``: group commit). Only while a
    row's claim is still ours (claimed at our attempt): if it expired and another sender took
    the row over, that sender's outcome stands.
    """

    def __init__(self, sessions: sessionmaker[Session], model: OutboxModel,
                 check_unsubscribed: bool = False) -> None:
        self._model, self._check = model, check_unsubscribed
        self._groups: ThreadGroups[tuple[str, Any], bool | None] = ThreadGroups(
            _engine(sessions), self._work, "trews-settle")

    async def settle(self, held: Claim, *, status: str, error: str | None = None,
                     retry_at: datetime | None = None, attempts: int | None = None,
                     message_id: str | None = None) -> None:
        """Write one row's outcome; returns once it is committed. ``attempts`` rewrites the
        count, for a try that never reached the server."""
        await self._groups.ask(("settle", _outcome(held, status=status, error=error,
                                                   retry_at=retry_at, attempts=attempts,
                                                   message_id=message_id)))

    async def unsubscribed(self, row_id: int) -> bool:
        """Whether the row is mail for someone no longer subscribed (``alerts.unsubscribed``),
        asked in the same group as the outcomes being written."""
        return self._check and bool(await self._groups.ask(("check", row_id)))

    async def close(self) -> None:
        """Let the last write finish, then give the connection back."""
        await self._groups.close()

    def _work(self, connection: Connection, requests: list[tuple[str, Any]]
              ) -> list[bool | None]:
        outcomes = [value for kind, value in requests if kind == "settle"]
        written = _write_outcomes(connection, self._model, outcomes) if outcomes else 0
        if written < len(outcomes):
            logger.warning("%d outcome(s) not written: their claim had expired and another "
                           "sender took the row over", len(outcomes) - written)
        checks = [value for kind, value in requests if kind == "check"]
        gone = unsubscribed_rows(connection, checks) if checks else set()
        return [None if kind == "settle" else value in gone for kind, value in requests]


def release(sessions: sessionmaker[Session], model: OutboxModel, claims: Iterable[Claim]) -> int:
    """Give back claimed rows that were never tried (the drain stopped first): as they were,
    queued or uncertain, due at once, the attempt not counted. Returns how many."""
    outcomes = [_outcome(held, error=held.last_error, attempts=held.attempt - 1,
                         status="uncertain" if held.possibly_delivered else "queued")
                for held in claims]
    if not outcomes:
        return 0
    with _engine(sessions).begin() as connection:
        return _write_outcomes(connection, model, outcomes)


def _engine(sessions: sessionmaker[Session]) -> Engine:
    """The sessions' engine: outcomes are one statement, written without an ORM session."""
    engine: Engine = sessions.kw["bind"]
    return engine


def _outcome(held: Claim, *, status: str, error: str | None, retry_at: datetime | None = None,
             attempts: int | None = None, message_id: str | None = None) -> dict[str, Any]:
    """The settle statement's parameters for one row."""
    return {
        "row_id": held.row_id, "claimed_attempt": held.attempt, "new_status": status,
        "new_error": error, "new_retry_at": retry_at, "new_attempts": attempts,
        "new_message_id": message_id, "new_sent_at": utcnow() if status == "sent" else None,
    }


def _write_outcomes(connection: Connection, model: OutboxModel,
                    outcomes: list[dict[str, Any]]) -> int:
    """Rows updated: one statement, executed for many parameter sets at once."""
    return connection.execute(_settle_statement(model), outcomes).rowcount


@cache
def _settle_statement(model: OutboxModel) -> Update:
    """The one UPDATE of every outcome, built once per table (a settle is a single statement:
    building it for each mail cost more than running it). It matches only while the claim is
    still this sender's; ``attempts`` and ``message_id`` stay as they are when not given."""
    claimed = or_(*(model.status == status for status in CLAIMED))  # not IN: no expansion
    return update(model).where(
        model.id == bindparam("row_id"), claimed,
        model.attempts == bindparam("claimed_attempt"),
    ).values(
        status=bindparam("new_status"), last_error=bindparam("new_error"),
        next_attempt_at=bindparam("new_retry_at", type_=model.next_attempt_at.type),
        attempts=func.coalesce(bindparam("new_attempts", type_=Integer), model.attempts),
        message_id=func.coalesce(bindparam("new_message_id", type_=String), model.message_id),
        sent_at=bindparam("new_sent_at", type_=model.sent_at.type),
    )
