"""Subscribers and their subscriptions, stored idempotently by e-mail address."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Subscriber, Subscription


@dataclass(frozen=True)
class SubscriberRecord:
    email: str
    name: str | None
    organisation: str | None
    kind: str
    language: str
    sectors: tuple[str, ...]
    frequency: str
    min_severity: str = "low"
    all_sectors: bool = False
    hs_codes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    markets: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    digest_when_empty: bool = False


def upsert_subscriber(session: Session, record: SubscriberRecord, *,
                      confirmed: bool = True) -> bool:
    """Create or update a subscriber and its one subscription; True when it was new.

    Importing the same file twice changes nothing, so an operator can re-run an import safely.
    `confirmed` says the operator vouches for the address (no opt-in mail needed); without it a
    new subscriber waits for their confirmation, and an existing one keeps their state. An
    unsubscribed subscriber stays unsubscribed: only they can subscribe again."""
    return store_subscriber(session, record, confirmed=confirmed)[1]


def store_subscriber(session: Session, record: SubscriberRecord, *,
                     confirmed: bool = True) -> tuple[Subscriber, bool]:
    """`upsert_subscriber`, returning the subscriber row too (flushed, so it has its id)."""
    subscriber = session.scalars(
        select(Subscriber).where(Subscriber.email == record.email)
    ).one_or_none()
    created = subscriber is None
    if subscriber is None:
        subscriber = Subscriber(email=record.email, confirmed=confirmed)
        session.add(subscriber)
    elif confirmed:
        subscriber.confirmed = True
    subscriber.name, subscriber.organisation = record.name, record.organisation
    subscriber.kind, subscriber.language = record.kind, record.language
    if not subscriber.subscriptions:
        subscriber.subscriptions.append(Subscription(sectors=[]))
    subscription = subscriber.subscriptions[0]
    subscription.sectors, subscription.all_sectors = list(record.sectors), record.all_sectors
    subscription.hs_codes, subscription.keywords = list(record.hs_codes), list(record.keywords)
    subscription.markets, subscription.measures = list(record.markets), list(record.measures)
    subscription.frequency, subscription.min_severity = record.frequency, record.min_severity
    subscription.digest_when_empty = record.digest_when_empty
    session.flush()
    return subscriber, created


def active_subscriptions(session: Session) -> list[Subscription]:
    """Subscriptions of confirmed, not unsubscribed subscribers, with their subscriber loaded."""
    return list(session.scalars(
        select(Subscription).join(Subscription.subscriber).where(
            Subscriber.confirmed.is_(True), Subscriber.unsubscribed_at.is_(None))
    ))
