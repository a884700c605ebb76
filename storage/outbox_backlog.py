"""Is mail getting out? The outbox is backed up when a delivery has been due for too long, or too
many are due at once; the operator hears once when it backs up and once when it clears."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import WAITING_STATUSES, Delivery, OperatorAlert

OUTBOX = "outbox"
BACKLOG_KINDS = ("outbox_backlog", "outbox_cleared")


@dataclass(frozen=True)
class Backlog:
    """Deliveries due now (past their creation or backoff, not settled) and the oldest due."""

    due: int
    oldest: datetime | None
    last_error: str | None

    def backed_up(self, now: datetime, max_age: timedelta, max_due: int) -> bool:
        return self.due > max_due or (self.oldest is not None and self.oldest <= now - max_age)


def outbox_backlog(session: Session, now: datetime) -> Backlog:
    """What is waiting: a row is due from its backoff (``next_attempt_at``, or for a claimed row
    the expiry of its claim) or, never tried, from its creation."""
    due_at = func.coalesce(Delivery.next_attempt_at, Delivery.created_at)
    waiting = (Delivery.status.in_(WAITING_STATUSES), due_at <= now)
    due, oldest = session.execute(select(func.count(Delivery.id), func.min(due_at))
                                  .where(*waiting)).one()
    last_error = session.scalars(select(Delivery.last_error).where(
        *waiting, Delivery.last_error.is_not(None)).order_by(Delivery.id.desc()).limit(1)).first()
    return Backlog(due, oldest, last_error)


def judge_outbox(session: Session, now: datetime, max_age: timedelta, max_due: int) -> Backlog:
    """Measure the backlog and, when the outbox has just backed up or just cleared, queue one
    operator alert saying so."""
    backlog = outbox_backlog(session, now)
    last = session.scalars(select(OperatorAlert.kind).where(OperatorAlert.kind.in_(BACKLOG_KINDS))
                           .order_by(OperatorAlert.id.desc()).limit(1)).first()
    flagged = last == "outbox_backlog"
    if backlog.backed_up(now, max_age, max_due) and not flagged:
        session.add(OperatorAlert(job_id=OUTBOX, kind="outbox_backlog", count=backlog.due,
                                  since_at=backlog.oldest or now, reason=backlog.last_error))
    elif flagged and not backlog.backed_up(now, max_age, max_due):
        session.add(OperatorAlert(job_id=OUTBOX, kind="outbox_cleared", since_at=now,
                                  count=backlog.due))
    return backlog
