"""Digest mails: the message of one subscriber's period, of a queued delivery row, and what
`trews digest --dry-run` shows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from functools import cache
from pathlib import Path

from sqlalchemy.orm import Session

from alerts.digest_data import DRY_RUN_ID, DigestContext, digest_context
from alerts.digest_periods import (
    Period,
    digest_kinds,
    is_recorded,
    owed_periods,
    period_from_key,
    period_match_count,
    receiving_subscribers,
)
from alerts.digest_views import build_digest_view
from alerts.message import compose, recipient_address
from alerts.tokens import links, secret_key
from config.sectors import load_sectors
from config.settings import Settings
from storage.models import Delivery, Subscriber
from storage.timeutil import utcnow


def digest_message_id(delivery_id: int, domain: str = "trews.invalid") -> str:
    return f"<digest-{int(delivery_id)}@{domain}>"


def template_for(layout: str) -> str:
    return f"digest_{layout}"


def render_digest(ctx: DigestContext, mail_from: str, domain: str = "trews.invalid", *,
                  list_id: str | None = None) -> EmailMessage:
    """The digest mail: headers, a text/plain part and a text/html part."""
    view = build_digest_view(ctx, whole=False)
    msgid = (digest_message_id(ctx.delivery_id, domain) if ctx.delivery_id != DRY_RUN_ID
             else f"<digest-dry-run-{ctx.kind}-{ctx.period.key}@{domain}>")
    return compose(template_for(ctx.layout), view, mail_from=mail_from,
                   recipient=recipient_address(ctx.recipient_email, ctx.recipient_name),
                   msgid=msgid, list_id=list_id, unsubscribe_url=ctx.unsubscribe_url)


def subscriber_digest_message(session: Session, subscriber: Subscriber, period: Period, *,
                              settings: Settings, sector_names: Mapping[str, Mapping[str, str]],
                              source_names: Mapping[str, str],
                              delivery_id: int = DRY_RUN_ID) -> EmailMessage:
    """The digest of one subscriber and period, with their signed manage/unsubscribe links."""
    link = links(subscriber.id, secret=secret_key(settings), public_url=settings.public_url)
    ctx = digest_context(session, subscriber, period, delivery_id=delivery_id,
                         sector_names=sector_names, source_names=source_names,
                         manage_url=link.manage, unsubscribe_url=link.unsubscribe,
                         site_url=settings.public_url,
                         full_url=f"{link.digest(delivery_id)}&lang={subscriber.language}"
                         if delivery_id != DRY_RUN_ID else None,
                         sector_hs=sector_scopes(settings.sectors_file))
    return render_digest(ctx, settings.mail_from, mail_domain(settings),
                         list_id=settings.list_id)


def digest_delivery_message(session: Session, delivery: Delivery, *, settings: Settings,
                            sector_names: Mapping[str, Mapping[str, str]],
                            source_names: Mapping[str, str]) -> EmailMessage:
    """The message of a queued digest delivery row (kind "daily"/"weekly"), for the sender."""
    subscriber = session.get(Subscriber, delivery.subscriber_id)
    assert subscriber is not None and delivery.period is not None
    period = period_from_key(delivery.kind, delivery.period, subscriber.timezone)
    return subscriber_digest_message(session, subscriber, period, settings=settings,
                                     sector_names=sector_names, source_names=source_names,
                                     delivery_id=delivery.id)


def render_digests(session: Session, now: datetime | None = None, *, settings: Settings,
                   sector_names: Mapping[str, Mapping[str, str]],
                   source_names: Mapping[str, str], kind: str | None = None,
                   email: str | None = None, period_key: str | None = None,
                   ) -> list[EmailMessage]:
    """What `queue_due_digests` would queue now, rendered, without writing anything
    (`trews digest --dry-run`). With `period_key` (needs `kind`), that period's digest of every
    chosen subscriber instead, whether due, sent or empty."""
    if period_key is not None and kind is None:
        raise ValueError("a period needs its kind (daily or weekly)")
    now = now or utcnow()
    messages = []
    for subscriber in receiving_subscribers(session, email):
        if period_key is not None:
            assert kind is not None
            if kind not in digest_kinds(subscriber) and email is None:
                continue
            periods = [period_from_key(kind, period_key, subscriber.timezone)]
        else:
            periods = [p for p in owed_periods(subscriber, now, settings.digest_hour,
                                               [kind] if kind else None)
                       if not is_recorded(session, subscriber.id, p)]
            when_empty = any(sub.digest_when_empty for sub in subscriber.subscriptions)
            periods = [p for p in periods
                       if when_empty or period_match_count(session, subscriber, p)]
        for period in periods:
            messages.append(subscriber_digest_message(
                session, subscriber, period, settings=settings, sector_names=sector_names,
                source_names=source_names))
    return messages


def mail_domain(settings: Settings) -> str:
    """The domain of Message-IDs: the sender's own (RFC 5322 asks for a unique right side)."""
    address = settings.mail_from.rsplit("<", 1)[-1].rstrip(">").strip()
    return address.rsplit("@", 1)[-1] if "@" in address else "trews.invalid"


@cache
def sector_scopes(path: Path) -> dict[str, list[str]]:
    """Each configured sector's HS prefixes (read once per file): which risers an association's
    digest names."""
    return {sector.id: list(sector.hs) for sector in load_sectors(path)}
