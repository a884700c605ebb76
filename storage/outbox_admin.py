"""The outbox as the operator sees it: mails by status, and a second chance for failed ones."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from storage.follows import UNFOLLOWED, unfollowed_reminder
from storage.models import Delivery, Subscriber
from storage.subscribers import CANCELLED, UNSUBSCRIBED, unsubscribed_mail

FAILED = "failed"


@dataclass(frozen=True)
class OutboxRow:
    id: int
    kind: str
    period: str | None
    notice_id: int | None
    recipient: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


def outbox_rows(session: Session, status: str | None, *, offset: int = 0,
                limit: int = 50) -> tuple[list[OutboxRow], int]:
    """One page of deliveries (newest first), optionally of one status, and how many in all."""
    where = [Delivery.status == status] if status else []
    total = session.scalar(select(func.count(Delivery.id)).where(*where)) or 0
    rows = session.execute(
        select(Delivery, Subscriber.email).join(Subscriber, Subscriber.id == Delivery.subscriber_id)
        .where(*where).order_by(Delivery.created_at.desc(), Delivery.id.desc())
        .offset(offset).limit(limit)).all()
    return [OutboxRow(d.id, d.kind, d.period, d.notice_id, email, d.status, d.attempts,
                      d.last_error, d.created_at, d.sent_at) for d, email in rows], total


def resend_failed(session: Session, delivery_ids: list[int]) -> int:
    """Queue failed deliveries again as if new (attempts reset, no backoff); how many were.

    Only "failed" rows change: a delivery sent, queued or being sent meanwhile is left alone,
    so a double click cannot send a mail twice. The mail of someone who has unsubscribed since
    is cancelled instead: the operator's second chance is not the reader's."""
    if not delivery_ids:
        return 0
    failed = and_(Delivery.id.in_(delivery_ids), Delivery.status == FAILED)
    session.execute(update(Delivery).where(failed, unsubscribed_mail())
                    .values(status=CANCELLED, last_error=UNSUBSCRIBED))
    session.execute(update(Delivery).where(failed, unfollowed_reminder())
                    .values(status=CANCELLED, last_error=UNFOLLOWED))
    result = session.execute(update(Delivery).where(failed).values(
        status="queued", attempts=0, next_attempt_at=None, last_error=None))
    return int(getattr(result, "rowcount", 0) or 0)
