"""What a web visitor may change, and with which proof.

Anyone can type any address into /subscribe, so a sign-up changes nothing that already receives
mail: a confirmed subscriber's settings change only through their signed manage link. A sign-up
for a new, pending or unsubscribed address stores it unconfirmed and owes it one confirmation
mail (alerts.optin.subscribe); asking again an hour after that mail went out sends a fresh one,
so a lost or expired confirmation is not the end, while the address cannot be flooded. The page
the visitor sees is the same in every case: it does not tell who is subscribed. A case page's
"follow this case" form works the same way (ask_to_follow): it only owes a mail.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, or_, select
from sqlalchemy.orm import Session

from alerts.optin import CONFIRMATION, subscribe
from storage.follows import FOLLOW_REQUEST
from storage.models import WAITING_STATUSES, Delivery, Subscriber
from storage.subscribers import SubscriberRecord, store_subscriber

RESEND_AFTER = timedelta(hours=1)


def sign_up(session: Session, record: SubscriberRecord, now: datetime) -> None:
    """A sign-up from the public form (see the module docstring for what it may change)."""
    existing = session.scalars(
        select(Subscriber).where(Subscriber.email == record.email)).one_or_none()
    if existing is not None:
        if existing.confirmed and existing.unsubscribed_at is None:
            return
        if _recent_mail(session, existing.id, CONFIRMATION, now):
            return
        if existing.unsubscribed_at is None:
            _drop_mail(session, existing.id, CONFIRMATION)
    subscribe(session, record)


def ask_to_follow(session: Session, email: str, language: str, case_id: int,
                  now: datetime) -> None:
    """A case page's "follow this case" form: one mail to `email` about the (existing) case
    (alerts.follow_request), which follows nothing until its link is opened and confirmed. An
    address TREWS does not know is stored as a pending subscriber in the page's
    language, with no subscription, so the outbox can mail it the invitation to subscribe; it
    receives nothing else. As with a sign-up, one mail per address and case per hour."""
    subscriber = session.scalars(
        select(Subscriber).where(Subscriber.email == email)).one_or_none()
    if subscriber is None:
        subscriber = Subscriber(email=email, language=language, confirmed=False)
        session.add(subscriber)
        session.flush()
    period = f"c{case_id}"
    if not _recent_mail(session, subscriber.id, FOLLOW_REQUEST, now, period):
        _drop_mail(session, subscriber.id, FOLLOW_REQUEST, period)
        session.add(Delivery(subscriber_id=subscriber.id, kind=FOLLOW_REQUEST, period=period))


def _mail_of(subscriber_id: int, kind: str, period: str | None) -> ColumnElement[bool]:
    """The subscriber's mails of `kind` (and of `period`, when one is given)."""
    mail = and_(Delivery.subscriber_id == subscriber_id, Delivery.kind == kind)
    return mail if period is None else and_(mail, Delivery.period == period)


def _recent_mail(session: Session, subscriber_id: int, kind: str, now: datetime,
                 period: str | None = None) -> bool:
    """Whether such a mail is on its way or went out within the hour."""
    recent = or_(Delivery.status.in_(WAITING_STATUSES),
                 func.coalesce(Delivery.sent_at, Delivery.created_at)
                 >= now - RESEND_AFTER)
    return session.scalars(select(Delivery.id).where(
        _mail_of(subscriber_id, kind, period), recent)).first() is not None


def _drop_mail(session: Session, subscriber_id: int, kind: str,
               period: str | None = None) -> None:
    """Forget an old such mail, so that a new one can be queued (a pending subscriber's
    confirmation: alerts.optin queues the new one itself for someone who had unsubscribed)."""
    session.execute(delete(Delivery).where(_mail_of(subscriber_id, kind, period)))
    session.flush()


def save_preferences(session: Session, record: SubscriberRecord) -> None:
    """Changes made through a manage link: the choices only. Someone who unsubscribed stays
    unsubscribed (a manage link lives 90 days and can be opened by anyone the mail reached):
    only a new, confirmed sign-up subscribes them again."""
    store_subscriber(session, record, confirmed=False)
