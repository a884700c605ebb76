"""Subscribers and their subscriptions, stored idempotently by e-mail address."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, String, and_, cast, func, or_, select
from sqlalchemy.orm import Session, selectinload

from storage.models import Delivery, Subscriber, Subscription

CONFIRMATION = "confirmation"
# A delivery never to be sent, and why (its last_error).
CANCELLED = "cancelled"
UNSUBSCRIBED = "unsubscribed"
# Why the sender cancels a mail in flight: its reader unsubscribed, or unfollowed its case.
NOT_WANTED = "no longer wanted (unsubscribed, or the case unfollowed)"


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
    risk_warnings: bool = False


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
    subscription.risk_warnings = record.risk_warnings
    session.flush()
    return subscriber, created


def active_subscriptions(session: Session) -> list[Subscription]:
    """Subscriptions of confirmed, not unsubscribed subscribers, with their subscriber loaded."""
    return list(session.scalars(
        select(Subscription).join(Subscription.subscriber).where(
            Subscriber.confirmed.is_(True), Subscriber.unsubscribed_at.is_(None))
    ))


def unsubscribed_mail() -> ColumnElement[bool]:
    """Deliveries owed to someone who has unsubscribed: to be cancelled, never sent. Not the
    confirmation mail: signing up again asks for one, and the old unsubscribe stands until the
    new sign-up is confirmed."""
    return and_(Delivery.kind != CONFIRMATION, select(Subscriber.id).where(
        Subscriber.id == Delivery.subscriber_id, Subscriber.unsubscribed_at.is_not(None),
    ).exists())  # per delivery, one lookup by key: no scan of every subscriber


SUBSCRIBER_STATES = ("active", "pending", "unsubscribed")


@dataclass(frozen=True)
class SubscriberFilter:
    """What the operator's subscriber list is narrowed to; None or "" means any."""

    state: str | None = None
    kind: str | None = None
    language: str | None = None
    sector: str | None = None
    text: str | None = None


def find_subscribers(session: Session, wanted: SubscriberFilter, *, offset: int = 0,
                     limit: int = 50) -> tuple[list[Subscriber], int]:
    """One page of subscribers (newest first) and how many match in all. A subscriber watching
    every sector is listed under each sector.

    A sector is found in the subscription's JSON list as its quoted id, which reads the same on
    SQLite and PostgreSQL (sector ids are [a-z0-9_], so '"steel"' cannot match '"steel_pipe"')."""
    where: list[ColumnElement[bool]] = []
    if wanted.state == "active":
        where += [Subscriber.confirmed.is_(True), Subscriber.unsubscribed_at.is_(None)]
    elif wanted.state == "pending":
        where += [Subscriber.confirmed.is_(False), Subscriber.unsubscribed_at.is_(None)]
    elif wanted.state == "unsubscribed":
        where.append(Subscriber.unsubscribed_at.is_not(None))
    if wanted.kind:
        where.append(Subscriber.kind == wanted.kind)
    if wanted.language:
        where.append(Subscriber.language == wanted.language)
    if wanted.sector:
        where.append(Subscriber.subscriptions.any(or_(
            cast(Subscription.sectors, String).contains(f'"{wanted.sector}"', autoescape=True),
            Subscription.all_sectors.is_(True))))
    if wanted.text:
        where.append(or_(*(column.icontains(wanted.text, autoescape=True) for column in
                           (Subscriber.email, Subscriber.name, Subscriber.organisation))))
    total = session.scalar(select(func.count(Subscriber.id)).where(*where)) or 0
    page = session.scalars(
        select(Subscriber).where(*where).options(selectinload(Subscriber.subscriptions))
        .order_by(Subscriber.created_at.desc(), Subscriber.id.desc()).offset(offset).limit(limit))
    return list(page), total
