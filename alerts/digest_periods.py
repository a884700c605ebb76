"""Digest periods and who is owed which: the calendar of daily and weekly digests.

A period is a calendar day or an ISO week (Monday to Sunday) in the subscriber's own time zone,
keyed "2026-11-23" or "2026-W47". Its digest is due at ``hour`` (07:00 by default) on the day
after it ends: daily digests every morning, weekly ones on Monday morning. The matches of a period
are those recorded while it ran (``Match.created_at``), so a notice found late still reaches the
next digest and no notice is in two.

Who gets what:

- a subscription with frequency "daily" or "weekly" gets that digest, listing its notices;
- an association gets the weekly association digest: its sectors, each sector's cases;
- the ministry gets the daily overview: every case that moved that day, by market.

``queue_due_digests`` turns every ended period into one delivery row (kind "daily"/"weekly",
unique per subscriber, kind and period), so late scheduler runs, restarts and two processes at
once never mail a period twice. An empty period is recorded as "skipped" and mails nothing,
unless a subscription asked for a "nothing new" line (``digest_when_empty``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from alerts.i18n import (
    format_day,
    normalize_language,
    reader_zone,
)
from rules.match_reasons import Reason
from storage.models import (
    Delivery,
    Match,
    Notice,
    Subscriber,
    Subscription,
)
from storage.timeutil import utcnow

DIGEST_KINDS = ("daily", "weekly")
DEFAULT_HOUR = 7
# How many ended periods a late run still mails (a service down for a week sends the last three
# daily digests, not seven); older periods are left alone.
LOOKBACK = {"daily": 3, "weekly": 2}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class Period:
    """A day or an ISO week of the subscriber's calendar, with its bounds in UTC."""

    kind: str
    key: str
    first: date
    last: date
    start: datetime
    end: datetime

    def due_at(self, hour: int = DEFAULT_HOUR) -> datetime:
        """When the digest is due: `hour` o'clock local on the day after the period."""
        zone = self.start.tzinfo
        local = datetime.combine(self.last + timedelta(days=1), time(hour), tzinfo=zone)
        return local.astimezone(UTC)


def period_containing(kind: str, day: date, timezone: str | None) -> Period:
    """The period of `kind` ("daily" or "weekly") that contains the local calendar day `day`."""
    if kind == "daily":
        first = last = day
        key = day.isoformat()
    elif kind == "weekly":
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=6)
        year, week, _weekday = first.isocalendar()
        key = f"{year}-W{week:02d}"
    else:
        raise ValueError(f"unknown digest kind {kind!r} (daily or weekly)")
    zone = reader_zone(timezone)
    start = datetime.combine(first, time(0), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
    return Period(kind, key, first, last, start, end)


def period_from_key(kind: str, key: str, timezone: str | None) -> Period:
    """The period named "2026-11-23" (daily) or "2026-W47" (weekly)."""
    if kind == "weekly":
        year, week = key.split("-W")
        day = date.fromisocalendar(int(year), int(week), 1)
    else:
        day = date.fromisoformat(key)
    return period_containing(kind, day, timezone)


def due_periods(kind: str, now: datetime, timezone: str | None, hour: int = DEFAULT_HOUR,
                lookback: int | None = None) -> list[Period]:
    """The ended periods whose digest is due at `now`, newest last (at most `lookback`)."""
    today = now.astimezone(reader_zone(timezone)).date()
    current = period_containing(kind, today, timezone)
    periods = []
    probe = current.first - timedelta(days=1)
    for _ in range(LOOKBACK[kind] if lookback is None else lookback):
        period = period_containing(kind, probe, timezone)
        if period.due_at(hour) <= now:
            periods.append(period)
        probe = period.first - timedelta(days=1)
    if current.due_at(hour) <= now:  # only possible for a period that has ended, never today
        periods.append(current)
    return sorted(periods, key=lambda p: p.first)


def digest_kinds(subscriber: Subscriber) -> list[str]:
    """The digests a subscriber receives: their subscriptions' frequencies, plus the weekly
    association digest for an association and the daily overview for the ministry."""
    kinds = {sub.frequency for sub in subscriber.subscriptions if sub.frequency in DIGEST_KINDS}
    if subscriber.kind == "association":
        kinds.add("weekly")
    if subscriber.kind == "ministry":
        kinds.add("daily")
    return sorted(kinds)


def layout_for(subscriber_kind: str, kind: str) -> str:
    """The template family: "association", "ministry", or the exporter's "daily"/"weekly"."""
    if subscriber_kind in ("association", "ministry"):
        return subscriber_kind
    return kind



# Queueing -----------------------------------------------------------------------------------

def receiving_subscribers(session: Session, email: str | None = None) -> list[Subscriber]:
    """Confirmed, not unsubscribed subscribers, with their subscriptions loaded."""
    query = select(Subscriber).options(selectinload(Subscriber.subscriptions)).where(
        Subscriber.confirmed.is_(True), Subscriber.unsubscribed_at.is_(None)).order_by(
        Subscriber.id)
    if email is not None:
        query = query.where(Subscriber.email == email.strip().lower())
    return list(session.scalars(query))


def owed_periods(subscriber: Subscriber, now: datetime, hour: int = DEFAULT_HOUR,
                 kinds: Iterable[str] | None = None) -> list[Period]:
    """The due periods of every digest the subscriber receives, since they subscribed."""
    wanted = set(kinds) if kinds is not None else None
    return [
        period
        for kind in digest_kinds(subscriber) if wanted is None or kind in wanted
        for period in due_periods(kind, now, subscriber.timezone, hour)
        if period.end > subscriber.created_at
    ]


@dataclass(frozen=True)
class Found:
    """A notice of the period for one subscriber: matched (with severity and reasons), or, for
    an association or the ministry, a step of a case in a watched sector."""

    notice: Notice
    severity: str
    reasons: tuple[Reason, ...]


def period_notices(session: Session, subscriber: Subscriber, period: Period) -> list[Found]:
    """The notices a subscriber's digest of `period` is about, oldest first.

    Exporters get their matches of the period. An association gets every trade-remedy notice
    of its sectors found in the period, matched or not (the sector's whole landscape: also the
    steps on other origins that are too minor for an alert); the ministry gets every one.
    """
    found: dict[int, Found] = {}
    rows = session.execute(
        select(Match, Notice).join(Subscription, Match.subscription_id == Subscription.id)
        .join(Notice, Notice.id == Match.notice_id)
        .where(Subscription.subscriber_id == subscriber.id, Match.created_at >= period.start,
               Match.created_at < period.end)).all()
    for match, notice in rows:
        known = found.get(notice.id)
        severities = [match.severity] + ([known.severity] if known else [])
        reasons = (known.reasons if known else ()) + tuple(map(Reason.from_stored,
                                                                match.reasons))
        found[notice.id] = Found(notice, min(severities, key=_rank),
                                 tuple(dict.fromkeys(reasons)))
    if subscriber.kind in ("association", "ministry"):
        watch_all = subscriber.kind == "ministry" or any(
            sub.all_sectors for sub in subscriber.subscriptions)
        wanted = {s for sub in subscriber.subscriptions for s in sub.sectors}
        moved = session.scalars(select(Notice).where(
            Notice.trade_remedy.is_(True), Notice.fetched_at >= period.start,
            Notice.fetched_at < period.end))
        for notice in moved:
            analysis = notice.analysis or {}
            if notice.id in found or (not watch_all and analysis.get("market") == "VN"):
                continue
            if watch_all or wanted & {str(s) for s in analysis.get("sectors") or []}:
                found[notice.id] = Found(notice, str(analysis.get("severity") or "low"), ())
    return sorted(found.values(), key=lambda f: (f.notice.published or f.notice.fetched_at.date(),
                                                 f.notice.id))


def _rank(severity: str) -> int:
    return SEVERITY_ORDER.get(severity, 9)


def period_match_count(session: Session, subscriber: Subscriber, period: Period) -> int:
    """How many notices the subscriber's digest of `period` would list."""
    return len(period_notices(session, subscriber, period))


def queue_due_digests(session: Session, now: datetime | None = None, *,
                      hour: int = DEFAULT_HOUR) -> int:
    """Create the delivery row of every ended period not yet recorded; returns rows queued.

    Idempotent: a row exists once per (subscriber, kind, period), whatever the number of runs,
    and a concurrent run that inserted first simply wins (its row is kept, ours rolled back).
    An empty period gets a "skipped" row (nothing is mailed, and it is not looked at again)
    unless one of the subscriber's subscriptions asked for a "nothing new" digest.
    """
    now = now or utcnow()
    queued = 0
    for subscriber in receiving_subscribers(session):
        periods = owed_periods(subscriber, now, hour)
        if not periods:
            continue
        recorded = {(kind, key) for kind, key in session.execute(
            select(Delivery.kind, Delivery.period).where(
                Delivery.subscriber_id == subscriber.id,
                tuple_(Delivery.kind, Delivery.period).in_([(p.kind, p.key) for p in periods])))}
        when_empty = any(sub.digest_when_empty for sub in subscriber.subscriptions)
        for period in periods:
            if (period.kind, period.key) in recorded:
                continue
            empty = period_match_count(session, subscriber, period) == 0
            status = "skipped" if empty and not when_empty else "queued"
            try:
                with session.begin_nested():
                    session.add(Delivery(subscriber_id=subscriber.id, kind=period.kind,
                                         period=period.key, status=status))
            except IntegrityError:
                continue  # another process recorded this period first
            queued += status == "queued"
    return queued



def is_recorded(session: Session, subscriber_id: int, period: Period) -> bool:
    """Whether the period's digest already has its delivery row (sent, queued or skipped)."""
    return session.scalars(select(Delivery.id).where(
        Delivery.subscriber_id == subscriber_id, Delivery.kind == period.kind,
        Delivery.period == period.key)).first() is not None


def period_text(period: Period, language: str) -> str:
    """vi "17–23/11/2026", en "17–23 Nov 2026"; a day is just the day."""
    lang = normalize_language(language)
    first, last = period.first, period.last
    if first == last:
        return format_day(first, lang)
    full = format_day(last, lang)
    if lang == "vi":
        if (first.year, first.month) == (last.year, last.month):
            return f"{first:%d}–{full}"
        if first.year == last.year:
            return f"{first:%d/%m}–{full}"
        return f"{format_day(first, lang)}–{full}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{full}"
    if first.year == last.year:
        return f"{format_day(first, lang).rsplit(' ', 1)[0]} – {full}"
    return f"{format_day(first, lang)} – {full}"
