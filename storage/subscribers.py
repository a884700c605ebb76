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


def upsert_subscriber(session: Session, record: SubscriberRecord) -> bool:
    """Create or update a subscriber and its one subscription; True when it was new.

    Importing the same file twice changes nothing, so an operator can re-run an import safely."""
    subscriber = session.scalars(
        select(Subscriber).where(Subscriber.email == record.email)
    ).one_or_none()
    created = subscriber is None
    if subscriber is None:
        subscriber = Subscriber(email=record.email, confirmed=True)
        session.add(subscriber)
    subscriber.name, subscriber.organisation = record.name, record.organisation
    subscriber.kind, subscriber.language = record.kind, record.language
    if not subscriber.subscriptions:
        subscriber.subscriptions.append(Subscription(sectors=[]))
    subscription = subscriber.subscriptions[0]
    subscription.sectors, subscription.all_sectors = list(record.sectors), record.all_sectors
    subscription.hs_codes, subscription.keywords = list(record.hs_codes), list(record.keywords)
    subscription.markets, subscription.measures = list(record.markets), list(record.measures)
    subscription.frequency, subscription.min_severity = record.frequency, record.min_severity
    return created


def active_subscriptions(session: Session) -> list[Subscription]:
    """Subscriptions of confirmed subscribers, with their subscriber loaded."""
    return list(session.scalars(
        select(Subscription).join(Subscription.subscriber).where(Subscriber.confirmed.is_(True))
    ))
