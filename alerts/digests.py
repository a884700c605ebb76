"""Daily and weekly digests: one mail per subscriber and period, built from the period's matches.

A period is a calendar day or an ISO week (Monday to Sunday) in the subscriber's own time zone,
keyed "2026-11-23" or "2026-W47". Its digest is due at ``hour`` (07:00 by default) on the day
after it ends: daily digests every morning, weekly ones on Monday morning. The matches of a period
are those recorded while it ran (``Match.created_at``), so a notice found late still reaches the
next digest and no notice is in two.

Who gets what:

- a subscription with frequency "daily" or "weekly" gets that digest, listing its notices;
- an association gets the weekly association digest: its sectors, each sector's cases, each case
  with its timeline and the next deadline;
- the ministry gets the daily overview: every case that moved that day, by market.

``queue_due_digests`` turns every ended period into one delivery row (kind "daily"/"weekly",
unique per subscriber, kind and period), so late scheduler runs, restarts and two processes at
once never mail a period twice. An empty period is recorded as "skipped" and mails nothing,
unless a subscription asked for a "nothing new" line (``digest_when_empty``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from typing import Any

from babel.support import NullTranslations
from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from alerts import content
from alerts.fact_lines import DeadlineView, basis_of, deadline_view, next_expected, site_page
from alerts.i18n import (
    as_date,
    country_name,
    format_day,
    normalize_language,
    reader_zone,
    translations,
)
from alerts.labels import Labels
from alerts.message import compose, recipient_address
from alerts.render import AlertContext, AlertView, CaseContext, build_view
from alerts.tokens import links, secret_key
from config.settings import Settings
from rules.match_reasons import Reason
from storage.links import safe_url
from storage.models import (
    Case,
    CaseEvent,
    CaseNumber,
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
DRY_RUN_ID = 0


# Periods ------------------------------------------------------------------------------------

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


# Data for the templates ---------------------------------------------------------------------

@dataclass(frozen=True)
class TimelineEntry:
    event_on: date | None
    proceeding: str
    stage: str
    title: str
    url: str
    in_period: bool


@dataclass(frozen=True)
class DigestCase:
    """A case moved by a notice of the period: where it stands, its timeline, what comes next."""

    case_id: int
    market: str
    origin: str | None
    measure: str | None
    product: str
    vietnam: str
    proceeding: str
    stage: str
    numbers: tuple[str, ...]
    next_step: str | None
    next_due: date | None
    next_basis: str | None
    timeline: tuple[TimelineEntry, ...]
    deadlines: tuple[tuple[str, date], ...]


@dataclass(frozen=True)
class DigestItem:
    """One notice of the period as the subscriber matched it."""

    notice_id: int
    title: str
    url: str
    published: date
    fetched_at: datetime
    source_name: str
    analysis: dict[str, Any]
    severity: str
    reasons: tuple[Reason, ...]
    sectors: tuple[str, ...]
    cases: tuple[DigestCase, ...]


@dataclass(frozen=True)
class DigestContext:
    """Everything a digest template needs, as plain data."""

    delivery_id: int
    kind: str
    layout: str
    period: Period
    recipient_email: str
    recipient_name: str | None
    organisation: str | None
    language: str
    timezone: str
    items: tuple[DigestItem, ...]
    sector_names: dict[str, dict[str, str]]
    manage_url: str | None = None
    unsubscribe_url: str | None = None
    site_url: str | None = None  # the web front end, for links to notice and case pages
    recipient_kind: str | None = None  # exporter, association, ministry: the salutation


def digest_context(session: Session, subscriber: Subscriber, period: Period, *,
                   delivery_id: int = DRY_RUN_ID,
                   sector_names: Mapping[str, Mapping[str, str]],
                   source_names: Mapping[str, str], manage_url: str | None = None,
                   unsubscribe_url: str | None = None,
                   site_url: str | None = None) -> DigestContext:
    """Read the period's notices of the subscriber (period_notices) and their cases."""
    found = period_notices(session, subscriber, period)
    wanted = {s for sub in subscriber.subscriptions for s in sub.sectors}
    cases = _cases_of(session, [f.notice.id for f in found], period)
    items = []
    for entry in found:
        notice = entry.notice
        analysis: dict[str, Any] = notice.analysis or {}
        sectors = [str(s) for s in analysis.get("sectors") or []]
        mine = [s for s in sectors if s in wanted] or sectors
        items.append(DigestItem(
            notice_id=notice.id, title=notice.title, url=notice.url,
            published=notice.published or notice.fetched_at.date(),
            fetched_at=notice.fetched_at,
            source_name=source_names.get(notice.source_id, notice.source_id),
            analysis=analysis, severity=entry.severity, reasons=entry.reasons,
            sectors=tuple(mine), cases=tuple(cases.get(notice.id, ())),
        ))
    used = {s for item in items for s in item.sectors}
    return DigestContext(
        delivery_id=delivery_id, kind=period.kind, layout=layout_for(subscriber.kind, period.kind),
        period=period, recipient_email=subscriber.email, recipient_name=subscriber.name,
        organisation=subscriber.organisation, language=subscriber.language,
        timezone=subscriber.timezone, items=tuple(items),
        sector_names={s: dict(sector_names[s]) for s in used if s in sector_names},
        manage_url=manage_url, unsubscribe_url=unsubscribe_url, site_url=site_url,
        recipient_kind=subscriber.kind,
    )


def _cases_of(session: Session, notice_ids: Sequence[int],
              period: Period) -> dict[int, list[DigestCase]]:
    """For each notice, the cases it moves: Vietnam's own when it names Vietnam (a notice on
    four origins concerns the reader through one case), else every case (diversion risk)."""
    if not notice_ids:
        return {}
    links = session.execute(
        select(CaseEvent.notice_id, Case).join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.notice_id.in_(notice_ids)).order_by(Case.id)).all()
    per_notice: dict[int, list[Case]] = defaultdict(list)
    for notice_id, case in links:
        per_notice[notice_id].append(case)
    in_period = set(notice_ids)
    built: dict[int, DigestCase] = {}
    result: dict[int, list[DigestCase]] = {}
    for notice_id, found in per_notice.items():
        chosen = [c for c in found if c.vietnam != "none"] or found
        for case in chosen:
            if case.id not in built:
                built[case.id] = _digest_case(session, case, period, in_period)
        result[notice_id] = [built[c.id] for c in chosen]
    return result


def _digest_case(session: Session, case: Case, period: Period,
                 in_period: set[int]) -> DigestCase:
    events = session.execute(
        select(CaseEvent, Notice).join(Notice, Notice.id == CaseEvent.notice_id)
        .where(CaseEvent.case_id == case.id, Notice.fetched_at < period.end)
        .order_by(CaseEvent.event_on, CaseEvent.id)).all()
    after = period.last + timedelta(days=1)
    deadlines = sorted({
        (str(item.get("kind") or ""), day)
        for _event, notice in events
        for item in (notice.analysis or {}).get("deadlines") or []
        if (day := as_date(item.get("date"))) is not None and day >= after
    }, key=lambda entry: (entry[1], entry[0]))
    numbers = session.scalars(select(CaseNumber.number).where(CaseNumber.case_id == case.id))
    return DigestCase(
        case_id=case.id, market=case.market, origin=case.origin, measure=case.measure,
        product=case.product, vietnam=case.vietnam, proceeding=case.proceeding,
        stage=case.stage, numbers=tuple(sorted(numbers)), next_step=case.next_step,
        next_due=case.next_due, next_basis=case.next_basis,
        timeline=tuple(TimelineEntry(event.event_on, event.proceeding, event.stage, notice.title,
                                     notice.url, notice.id in in_period)
                       for event, notice in events),
        deadlines=tuple(deadlines),
    )


# Views --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TimelineView:
    date: str
    step: str
    title: str
    url: str | None
    new: bool


@dataclass(frozen=True)
class CaseDigestView:
    heading: str
    numbers: str
    measure: str
    stage: str
    role: str
    severity: str
    severity_label: str
    timeline: list[TimelineView]
    next_expected: str | None
    next_basis: str | None
    next_deadline: DeadlineView | None
    page: str | None


@dataclass(frozen=True)
class GroupView:
    heading: str
    cases: list[CaseDigestView]
    notices: list[AlertView]


@dataclass(frozen=True)
class DigestView:
    """The facts of one digest in the reader's language, ready for the digest templates."""

    language: str
    subject: str
    kind: str
    layout: str
    title: str
    period: str
    greeting_name: str | None
    greeting: str
    organisation: str | None
    empty: bool
    summary: str
    items: list[AlertView]
    groups: list[GroupView]
    recipient_email: str
    manage_url: str | None
    unsubscribe_url: str | None = None


def build_digest_view(ctx: DigestContext) -> DigestView:
    lang = normalize_language(ctx.language)
    tr = translations(lang)
    _ = tr.gettext
    items = sorted(ctx.items, key=lambda i: (SEVERITY_ORDER.get(i.severity, 9), i.published,
                                             i.notice_id))
    alert_views = {item.notice_id: _item_view(item, ctx) for item in items}
    new_cases = sum(1 for item in items if item.analysis.get("new_case"))
    developments = len(items) - new_cases
    if not items:
        summary = _("nothing new")
    else:
        summary = ", ".join(part for part in (
            tr.ngettext("%(num)d new case", "%(num)d new cases", new_cases) % {"num": new_cases}
            if new_cases else "",
            tr.ngettext("%(num)d development", "%(num)d developments", developments)
            % {"num": developments} if developments else "",
        ) if part)
    title = _digest_title(ctx.layout, ctx.kind, tr)
    period = period_text(ctx.period, lang)
    if ctx.layout == "association":
        groups = _groups(items, alert_views, ctx, lang, tr, by="sector")
    elif ctx.layout == "ministry":
        groups = _groups(items, alert_views, ctx, lang, tr, by="market")
    else:
        groups = []
    return DigestView(
        language=lang,
        subject=" ".join(f"[TREWS] {title} {period}: {summary}".split()),
        kind=ctx.kind, layout=ctx.layout, title=title, period=period,
        greeting_name=" ".join((ctx.recipient_name or "").split()) or None,
        greeting=_(content.GREETINGS.get(ctx.recipient_kind or "", content.GREETINGS["exporter"])),
        organisation=" ".join((ctx.organisation or "").split()) or None,
        empty=not items, summary=summary, items=[alert_views[i.notice_id] for i in items],
        groups=groups, recipient_email=ctx.recipient_email, manage_url=ctx.manage_url,
        unsubscribe_url=ctx.unsubscribe_url,
    )


def _digest_title(layout: str, kind: str, tr: NullTranslations) -> str:
    if layout == "ministry" and kind == "daily":
        return tr.gettext("Daily overview")
    return tr.gettext("Weekly digest") if kind == "weekly" else tr.gettext("Daily digest")


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


def _item_view(item: DigestItem, ctx: DigestContext) -> AlertView:
    """A notice of the digest, described exactly as its alert would describe it."""
    alert = AlertContext(
        delivery_id=ctx.delivery_id, recipient_email=ctx.recipient_email,
        recipient_name=ctx.recipient_name, language=ctx.language, timezone=ctx.timezone,
        notice_title=item.title, notice_url=item.url, notice_published=item.published,
        source_name=item.source_name, analysis=item.analysis | {"severity": item.severity},
        sector_names={s: ctx.sector_names[s] for s in item.sectors if s in ctx.sector_names},
        match_reasons=list(item.reasons), detected_at=ctx.period.end,
        manage_url=ctx.manage_url, site_url=ctx.site_url, notice_id=item.notice_id,
        cases=tuple(CaseContext(c.numbers, c.next_step, c.next_due, c.next_basis, c.case_id)
                    for c in item.cases
                    if c.vietnam != "none"),
    )
    view = build_view(alert)
    # In a digest the notice's line is its headline: its tag is shown once, as a badge.
    return replace(view, subject=view.headline)


def _groups(items: Sequence[DigestItem], views: Mapping[int, AlertView], ctx: DigestContext,
            lang: str, tr: NullTranslations, by: str) -> list[GroupView]:
    """Items grouped by sector (association) or market (ministry), then by case."""
    order: dict[str, list[DigestItem]] = defaultdict(list)
    for item in items:
        keys = (list(item.sectors) or [""]) if by == "sector" else [
            str(item.analysis.get("market") or "")]
        for key in keys:
            order[key].append(item)
    groups = []
    for key in sorted(order, key=lambda k: (k == "", _group_heading(k, by, ctx, lang, tr))):
        seen: dict[int, CaseDigestView] = {}
        loose: list[AlertView] = []
        for item in order[key]:
            if not item.cases:
                loose.append(views[item.notice_id])
            for case in item.cases:
                if case.case_id not in seen:
                    seen[case.case_id] = _case_view(case, item, ctx, lang, tr)
        groups.append(GroupView(_group_heading(key, by, ctx, lang, tr), list(seen.values()),
                                loose))
    return groups


def _group_heading(key: str, by: str, ctx: DigestContext, lang: str,
                   tr: NullTranslations) -> str:
    if by == "market":
        return country_name(key, lang) if key else tr.gettext("Other notices")
    if not key:
        return tr.gettext("Other products")
    name = Labels(lang, ctx.sector_names).sector(key)
    return name[:1].upper() + name[1:]


def _case_view(case: DigestCase, item: DigestItem, ctx: DigestContext, lang: str,
               tr: NullTranslations) -> CaseDigestView:
    _ = tr.gettext
    labels = Labels(lang, ctx.sector_names)
    heading = labels.case_heading(case.product, case.origin, case.market)
    expected = next_expected(case.next_step, case.next_due, lang, tr)
    deadline = None
    if case.deadlines:
        kind, day = case.deadlines[0]
        deadline = deadline_view(kind, day, (day - ctx.period.last).days - 1, lang, tr)
    timeline = [
        TimelineView(
            date=format_day(entry.event_on, lang) if entry.event_on else "-",
            step=labels.stage(entry.stage, entry.proceeding, case.market),
            title=" ".join(entry.title.split()),
            url=safe_url(entry.url), new=entry.in_period)
        for entry in case.timeline
    ]
    severity = content.code_key(item.severity)
    return CaseDigestView(
        heading=heading, numbers=", ".join(case.numbers) or "-",
        measure=labels.measure(case.measure),
        stage=labels.stage(case.stage, case.proceeding, case.market),
        role=labels.role(case.vietnam, [case.measure] if case.measure else [], case.stage),
        severity=severity, severity_label=labels.severity(severity),
        timeline=timeline, next_expected=expected,
        next_basis=basis_of(case.next_basis, expected, tr), next_deadline=deadline,
        page=site_page(ctx.site_url, "cases", case.case_id, lang),
    )


# Messages -----------------------------------------------------------------------------------

def digest_message_id(delivery_id: int, domain: str = "trews.invalid") -> str:
    return f"<digest-{int(delivery_id)}@{domain}>"


def template_for(layout: str) -> str:
    return f"digest_{layout}"


def render_digest(ctx: DigestContext, mail_from: str, domain: str = "trews.invalid", *,
                  list_id: str | None = None) -> EmailMessage:
    """The digest mail: headers, a text/plain part and a text/html part."""
    view = build_digest_view(ctx)
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
                         site_url=settings.public_url)
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
                       if not _recorded(session, subscriber.id, p)]
            when_empty = any(sub.digest_when_empty for sub in subscriber.subscriptions)
            periods = [p for p in periods
                       if when_empty or period_match_count(session, subscriber, p)]
        for period in periods:
            messages.append(subscriber_digest_message(
                session, subscriber, period, settings=settings, sector_names=sector_names,
                source_names=source_names))
    return messages


def _recorded(session: Session, subscriber_id: int, period: Period) -> bool:
    return session.scalars(select(Delivery.id).where(
        Delivery.subscriber_id == subscriber_id, Delivery.kind == period.kind,
        Delivery.period == period.key)).first() is not None


def mail_domain(settings: Settings) -> str:
    """The domain of Message-IDs: the sender's own (RFC 5322 asks for a unique right side)."""
    address = settings.mail_from.rsplit("<", 1)[-1].rstrip(">").strip()
    return address.rsplit("@", 1)[-1] if "@" in address else "trews.invalid"
