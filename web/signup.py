"""What a web visitor may change, and with which proof.

Anyone can type any address into /subscribe, so a sign-up changes nothing that already receives
mail: a confirmed subscriber's settings change only through their signed manage link. A sign-up
for a new, pending or unsubscribed address stores it unconfirmed and owes it one confirmation
mail (alerts.optin.subscribe); asking again an hour after that mail went out sends a fresh one,
so a lost or expired confirmation is not the end, while the address cannot be flooded. The page
the visitor sees is the same in every case: it does not tell who is subscribed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from alerts.optin import CONFIRMATION, subscribe
from storage.models import WAITING_STATUSES, Delivery, Subscriber
from storage.subscribers import SubscriberRecord, store_subscriber

RESEND_CONFIRMATION_AFTER = timedelta(hours=1)


def sign_up(session: Session, record: SubscriberRecord, now: datetime) -> None:
    """A sign-up from the public form (see the module docstring for what it may change)."""
    existing = session.scalars(
        select(Subscriber).where(Subscriber.email == record.email)).one_or_none()
    if existing is not None:
        if existing.confirmed and existing.unsubscribed_at is None:
            return
        if _recent_confirmation(session, existing.id, now):
            return
        if existing.unsubscribed_at is None:
            _drop_confirmation(session, existing.id)
    subscribe(session, record)


def _recent_confirmation(session: Session, subscriber_id: int, now: datetime) -> bool:
    """Whether a confirmation mail is on its way or went out within the hour."""
    recent = or_(Delivery.status.in_(WAITING_STATUSES),
                 func.coalesce(Delivery.sent_at, Delivery.created_at)
                 >= now - RESEND_CONFIRMATION_AFTER)
    return session.scalars(select(Delivery.id).where(
        Delivery.subscriber_id == subscriber_id, Delivery.kind == CONFIRMATION, recent)
    ).first() is not None


def _drop_confirmation(session: Session, subscriber_id: int) -> None:
    """Forget a pending subscriber's old confirmation mail, so that alerts.optin queues a new
    one (it does so itself for someone who had unsubscribed)."""
    session.execute(delete(Delivery).where(
        Delivery.subscriber_id == subscriber_id, Delivery.kind == CONFIRMATION))
    session.flush()


def save_preferences(session: Session, record: SubscriberRecord) -> None:
    """Changes made through a manage link: the choices only. Someone who unsubscribed stays
    unsubscribed (a manage link lives 90 days and can be opened by anyone the mail reached):
    only a new, confirmed sign-up subscribes them again."""
    store_subscriber(session, record, confirmed=False)
