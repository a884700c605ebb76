"""Cases a subscriber follows, the deadlines their notices state, and the reminders owed.

rules/reminders.py decides which window a deadline is in; this module stores follows and the
reminders that decision makes owed, each with its outbox row, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.orm import Session

from rules.dates import iso_day
from rules.reminders import reminder_window
from storage.models import Case, CaseEvent, CaseFollow, Delivery, Notice, Reminder, Subscriber
from storage.subscribers import CANCELLED
from storage.timeutil import utcnow

REMINDER = "reminder"
# The mail a case page's form asks for (alerts.follow_request), one per case: period "c<id>".
FOLLOW_REQUEST = "follow"
UNFOLLOWED = "unfollowed"
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class CaseDeadline:
    """A deadline one of the case's notices states."""

    case_id: int
    day: date
    kind: str
    notice_id: int


def follow(session: Session, subscriber_id: int, case_ids: Iterable[int]) -> int:
    """Follow the cases (again, if once unfollowed); how many were not followed before."""
    added = 0
    for case_id in dict.fromkeys(case_ids):
        row = session.scalars(select(CaseFollow).where(
            CaseFollow.subscriber_id == subscriber_id, CaseFollow.case_id == case_id)).first()
        if row is None:
            session.add(CaseFollow(subscriber_id=subscriber_id, case_id=case_id))
            added += 1
        elif row.unfollowed_at is not None:
            row.unfollowed_at = None
            added += 1
    session.flush()
    return added


def unfollow(session: Session, subscriber_id: int, case_id: int) -> bool:
    """Stop following the case and cancel its reminders not yet sent; whether it was followed."""
    row = session.scalars(select(CaseFollow).where(
        CaseFollow.subscriber_id == subscriber_id, CaseFollow.case_id == case_id,
        CaseFollow.unfollowed_at.is_(None))).first()
    if row is None:
        return False
    row.unfollowed_at = utcnow()
    owed = select(Reminder.delivery_id).where(
        Reminder.subscriber_id == subscriber_id, Reminder.case_id == case_id)
    session.execute(update(Delivery).where(Delivery.id.in_(owed),
                                           Delivery.status.in_(("queued", "uncertain")))
                    .values(status=CANCELLED, last_error=UNFOLLOWED))
    return True


def stated_deadlines(session: Session, case_ids: Sequence[int]) -> list[CaseDeadline]:
    """The deadlines the cases' notices state, in date order (one per case, day and kind)."""
    if not case_ids:
        return []
    rows = session.execute(
        select(CaseEvent.case_id, Notice.id, Notice.analysis)
        .join(Notice, Notice.id == CaseEvent.notice_id)
        .where(CaseEvent.case_id.in_(case_ids)).order_by(CaseEvent.case_id, Notice.id))
    found: dict[tuple[int, date, str], CaseDeadline] = {}
    for case_id, notice_id, analysis in rows:
        for item in (analysis or {}).get("deadlines") or []:
            day = iso_day(item.get("date")) if isinstance(item, dict) else None
            if day is not None:
                kind = str(item.get("kind") or "other")[:32]
                found.setdefault((case_id, day, kind),
                                 CaseDeadline(case_id, day, kind, notice_id))
    return sorted(found.values(), key=lambda d: (d.day, d.case_id, d.kind))



def active_follows(session: Session) -> list[tuple[int, int, str]]:
    """(subscriber, case, the subscriber's time zone) of every follow that may be reminded: the
    subscriber confirmed and not unsubscribed."""
    rows = session.execute(
        select(CaseFollow.subscriber_id, CaseFollow.case_id, Subscriber.timezone)
        .join(Subscriber, Subscriber.id == CaseFollow.subscriber_id)
        .where(CaseFollow.unfollowed_at.is_(None), Subscriber.confirmed.is_(True),
               Subscriber.unsubscribed_at.is_(None)))
    return [(subscriber, case, zone) for subscriber, case, zone in rows]


def queue_reminders(session: Session, now: datetime, windows: Sequence[int]) -> int:
    """Queue every reminder owed at `now` (each subscriber's today, in their zone); how many.

    Idempotent: a reminder already made for its window is not made again."""
    follows = active_follows(session)
    deadlines: dict[int, list[CaseDeadline]] = {}
    for deadline in stated_deadlines(session, sorted({case for _, case, _ in follows})):
        deadlines.setdefault(deadline.case_id, []).append(deadline)
    queued = 0
    for subscriber_id, case_id, zone in follows:
        for deadline in deadlines.get(case_id, []):
            window = reminder_window(deadline.day, local_day(now, zone), windows)
            if window is not None and _owe(session, subscriber_id, deadline, window):
                queued += 1
    return queued


def local_day(now: datetime, zone: str) -> date:
    """The calendar day at `now` in `zone` (Vietnam's for a zone this machine does not know)."""
    try:
        return now.astimezone(ZoneInfo(zone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return now.astimezone(ZoneInfo(DEFAULT_ZONE)).date()


def _owe(session: Session, subscriber_id: int, deadline: CaseDeadline, window: int) -> bool:
    """Make the reminder and its outbox row unless it exists; whether it was made."""
    exists = session.scalars(select(Reminder.id).where(
        Reminder.subscriber_id == subscriber_id, Reminder.case_id == deadline.case_id,
        Reminder.deadline_on == deadline.day, Reminder.kind == deadline.kind,
        Reminder.days_before == window)).first()
    if exists is not None:
        return False
    reminder = Reminder(subscriber_id=subscriber_id, case_id=deadline.case_id,
                        notice_id=deadline.notice_id, deadline_on=deadline.day,
                        kind=deadline.kind, days_before=window)
    session.add(reminder)
    session.flush()
    delivery = Delivery(subscriber_id=subscriber_id, kind=REMINDER, period=f"r{reminder.id}")
    session.add(delivery)
    session.flush()
    reminder.delivery_id = delivery.id
    return True


def unfollowed_reminder() -> ColumnElement[bool]:
    """Reminder deliveries whose case is no longer followed: to be cancelled, never sent."""
    return and_(Delivery.kind == REMINDER, select(Reminder.id).where(
        Reminder.delivery_id == Delivery.id,
        ~select(CaseFollow.id).where(
            CaseFollow.subscriber_id == Reminder.subscriber_id,
            CaseFollow.case_id == Reminder.case_id,
            CaseFollow.unfollowed_at.is_(None)).exists(),
    ).exists())


def reminder_of(session: Session, delivery: Delivery) -> Reminder | None:
    return session.scalars(select(Reminder).where(Reminder.delivery_id == delivery.id)).first()



def vietnam_cases_of(session: Session, notice_id: int) -> list[Case]:
    """The cases a notice moves that concern Vietnam: what following its alert follows."""
    return list(session.scalars(
        select(Case).join(CaseEvent, CaseEvent.case_id == Case.id)
        .where(CaseEvent.notice_id == notice_id, Case.vietnam != "none").order_by(Case.id)))


def followed_cases(session: Session, subscriber_id: int) -> list[Case]:
    """The cases the subscriber follows now."""
    return list(session.scalars(
        select(Case).join(CaseFollow, CaseFollow.case_id == Case.id)
        .where(CaseFollow.subscriber_id == subscriber_id, CaseFollow.unfollowed_at.is_(None))
        .order_by(Case.id)))
