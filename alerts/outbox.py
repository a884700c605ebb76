"""The transactional outbox: matches become delivery rows in one transaction, a sender drains them.

A delivery is unique per (subscriber, notice), so re-analysing a notice or matching it through two
subscriptions never mails twice; a row stays queued until the server has accepted its message.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.operator import OperatorContext, render_operator_alert
from alerts.render import AlertContext, CaseContext, render_alert
from alerts.transport import PermanentMailError, TransientMailError, Transport
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

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubscriptionMatch:
    """A rule-engine match of one notice to one subscription."""

    subscription: Subscription
    severity: str
    reasons: list[str]


@dataclass
class DrainReport:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    errors: list[str] = field(default_factory=list)


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


def queued_delivery_ids(session: Session, limit: int) -> list[int]:
    return list(session.scalars(
        select(Delivery.id).where(Delivery.status == "queued").order_by(Delivery.id).limit(limit)
    ))


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


def _settle(sessions: sessionmaker[Session], delivery_id: int, *, status: str,
            error: str | None = None, message_id: str | None = None) -> None:
    """Write a send attempt's outcome in its own transaction, right after the server answered."""
    with transaction(sessions) as session:
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        delivery.attempts += 1
        delivery.status, delivery.last_error = status, error
        if message_id is not None:
            delivery.message_id = message_id
        if status == "sent":
            delivery.sent_at = utcnow()


def _settle_operator(sessions: sessionmaker[Session], alert_id: int, *, status: str,
                     error: str | None = None, message_id: str | None = None) -> None:
    with transaction(sessions) as session:
        alert = session.get(OperatorAlert, alert_id)
        assert alert is not None
        alert.attempts += 1
        alert.status, alert.last_error = status, error
        if message_id is not None:
            alert.message_id, alert.sent_at = message_id, utcnow()


def operator_context(session: Session, alert: OperatorAlert, recipient: str, language: str,
                     timezone: str) -> OperatorContext:
    source = session.get(Source, alert.source_id)
    assert source is not None
    return OperatorContext(
        alert_id=alert.id, kind=alert.kind, source_id=source.id, authority=source.authority,
        reason=alert.reason, changed_at=alert.created_at, last_success_at=source.last_success_at,
        recipient_email=recipient, language=language, timezone=timezone,
    )


async def drain_operator_alerts(sessions: sessionmaker[Session], transport: Transport, *,
                                mail_from: str, recipient: str, language: str,
                                timezone: str) -> DrainReport:
    """Send the queued source-health alerts to the operator, oldest first."""
    report = DrainReport()
    with sessions() as session:
        alerts = list(session.scalars(select(OperatorAlert).where(
            OperatorAlert.status == "queued").order_by(OperatorAlert.id)))
        messages = [(alert.id, render_operator_alert(
            operator_context(session, alert, recipient, language, timezone), mail_from))
            for alert in alerts]
    for alert_id, message in messages:
        try:
            await transport.send(message)
        except TransientMailError as exc:
            _settle_operator(sessions, alert_id, status="queued", error=str(exc))
            report.deferred += 1
            report.errors.append(str(exc))
            break
        except PermanentMailError as exc:
            _settle_operator(sessions, alert_id, status="failed", error=str(exc))
            report.failed += 1
            continue
        _settle_operator(sessions, alert_id, status="sent", message_id=str(message["Message-ID"]))
        report.sent += 1
    return report


async def drain(sessions: sessionmaker[Session], transport: Transport, *, mail_from: str,
                sector_names: dict[str, dict[str, str]], source_names: dict[str, str],
                limit: int = 1000) -> DrainReport:
    """Send queued deliveries in order. A transient failure (server down, 4xx) leaves the row
    queued and stops this drain; a permanent one (5xx) fails that row only."""
    report = DrainReport()
    with sessions() as session:
        ids = queued_delivery_ids(session, limit)
    for delivery_id in ids:
        with sessions() as session:
            delivery = session.get(Delivery, delivery_id)
            assert delivery is not None
            message = render_alert(
                alert_context(session, delivery, sector_names, source_names), mail_from
            )
        try:
            await transport.send(message)
        except TransientMailError as exc:
            _settle(sessions, delivery_id, status="queued", error=str(exc))
            report.deferred = len(ids) - report.sent - report.failed
            report.errors.append(str(exc))
            logger.warning("mail server unavailable, %d deliveries stay queued: %s",
                           report.deferred, exc)
            break
        except PermanentMailError as exc:
            _settle(sessions, delivery_id, status="failed", error=str(exc))
            report.failed += 1
            report.errors.append(str(exc))
            continue
        _settle(sessions, delivery_id, status="sent", message_id=str(message["Message-ID"]))
        report.sent += 1
    return report
