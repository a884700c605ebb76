"""What a digest is about, read from the database as plain data: the period's notices for one
subscriber, the cases they move (each once, with its timeline) and, for the overviews of an
association or the ministry, the deadlines of the next two weeks on Vietnam's cases.

"New" is what the period brought: a step whose notice was published, or which is dated, within
the period. A notice found in the period about a step of 2019 (a late find, a first crawl of a
source) is listed, but never as new.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.digest_periods import Period, layout_for, period_notices
from alerts.digest_risk import RiskRiser, risk_risers
from alerts.i18n import as_date
from rules.match_reasons import Reason
from storage.deadlines import DeadlineRow, due_between, notice_sectors
from storage.models import Case, CaseEvent, CaseNumber, Notice, Subscriber

DRY_RUN_ID = 0
# The overviews' summary lists what is due this many days after the period.
AHEAD_DAYS = 14
CONCERNING_VIETNAM = ("subject", "circumvention")


def within(period: Period, *days: date | None) -> bool:
    """Whether any of `days` falls in the period's calendar days."""
    return any(day is not None and period.first <= day <= period.last for day in days)


@dataclass(frozen=True)
class TimelineEntry:
    event_on: date | None
    published: date | None
    proceeding: str
    stage: str
    title: str
    url: str
    found: bool  # its notice is one of the period's
    new: bool  # published or dated within the period
    opens: bool  # the step opens a case (a petition or an initiation)


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
    # The HS heading (4 digits) the case's lists or notices give: the product's one identity
    # across markets and languages.
    heading: str | None = None
    sectors: tuple[str, ...] = ()

    @property
    def concerns_vietnam(self) -> bool:
        return self.vietnam in CONCERNING_VIETNAM

    @property
    def opened_in_period(self) -> bool:
        return any(entry.new and entry.opens for entry in self.timeline)

    @property
    def opening_found(self) -> bool:
        """Its opening step reached TREWS in the period, whenever it was dated."""
        return any(entry.found and entry.opens for entry in self.timeline)


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
    # The subscriber's sectors, in their order (empty: every sector).
    wanted: tuple[str, ...] = ()
    # Overviews: what is due on Vietnam's cases in the AHEAD_DAYS after the period.
    ahead: tuple[DeadlineRow, ...] = ()
    # The whole digest on the web, when the mail lists only its first entries.
    full_url: str | None = None
    # Overviews: the headings rising on the risk watch's list (alerts/digest_risk.py).
    rising: tuple[RiskRiser, ...] = ()


def digest_context(session: Session, subscriber: Subscriber, period: Period, *,
                   delivery_id: int = DRY_RUN_ID,
                   sector_names: Mapping[str, Mapping[str, str]],
                   source_names: Mapping[str, str], manage_url: str | None = None,
                   unsubscribe_url: str | None = None, site_url: str | None = None,
                   full_url: str | None = None,
                   sector_hs: Mapping[str, Sequence[str]] | None = None) -> DigestContext:
    """Read the period's notices of the subscriber (period_notices) and their cases; an
    overview also gets the risk watch's risers of its sectors (`sector_hs`: their HS scopes)."""
    found = period_notices(session, subscriber, period)
    wanted = tuple(dict.fromkeys(s for sub in subscriber.subscriptions for s in sub.sectors))
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
    layout = layout_for(subscriber.kind, period.kind)
    everything = subscriber.kind == "ministry" or any(
        sub.all_sectors for sub in subscriber.subscriptions)
    ahead = (_deadlines_ahead(session, period, None if everything else set(wanted))
             if layout in ("association", "ministry") else [])
    rising = (risk_risers(session, () if everything else wanted, sector_hs)
              if layout in ("association", "ministry") else ())
    used = {s for item in items for s in item.sectors} | set(wanted)
    return DigestContext(
        delivery_id=delivery_id, kind=period.kind, layout=layout,
        period=period, recipient_email=subscriber.email, recipient_name=subscriber.name,
        organisation=subscriber.organisation, language=subscriber.language,
        timezone=subscriber.timezone, items=tuple(items),
        sector_names={s: dict(sector_names[s]) for s in used if s in sector_names},
        manage_url=manage_url, unsubscribe_url=unsubscribe_url, site_url=site_url,
        recipient_kind=subscriber.kind, wanted=() if everything else wanted,
        ahead=tuple(ahead), full_url=full_url, rising=rising,
    )


def _deadlines_ahead(session: Session, period: Period,
                     sectors: set[str] | None) -> list[DeadlineRow]:
    """What is due on Vietnam's cases (of `sectors`; None: all) in the days after the period."""
    first = period.last + timedelta(days=1)
    rows = [row for row in due_between(session, first, first + timedelta(days=AHEAD_DAYS - 1),
                                       first)
            if row.case.vietnam in CONCERNING_VIETNAM]
    if sectors is None:
        return rows
    of_case = notice_sectors(session, {row.case.id for row in rows})
    return [row for row in rows if sectors & set(of_case.get(row.case.id, ()))]


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
    analyses = [notice.analysis or {} for _event, notice in events]
    return DigestCase(
        case_id=case.id, market=case.market, origin=case.origin, measure=case.measure,
        product=case.product, vietnam=case.vietnam, proceeding=case.proceeding,
        stage=case.stage, numbers=tuple(sorted(numbers)), next_step=case.next_step,
        next_due=case.next_due, next_basis=case.next_basis,
        timeline=tuple(_entry(event, notice, period, notice.id in in_period)
                       for event, notice in events),
        deadlines=tuple(deadlines),
        heading=_heading([*case.hs_codes, *_codes(analyses)]),
        sectors=tuple(dict.fromkeys(str(s) for a in analyses for s in a.get("sectors") or [])),
    )


def _entry(event: CaseEvent, notice: Notice, period: Period, found: bool) -> TimelineEntry:
    return TimelineEntry(
        event_on=event.event_on, published=notice.published, proceeding=event.proceeding,
        stage=event.stage, title=notice.title, url=notice.url, found=found,
        new=found and within(period, notice.published, event.event_on),
        opens=bool((notice.analysis or {}).get("new_case")))


def _codes(analyses: Iterable[Mapping[str, Any]]) -> list[str]:
    """HS codes the notices state, then those inferred from their product words."""
    stated = [str(code) for a in analyses for code in a.get("hs_codes") or []]
    return stated or [str(code) for a in analyses for code in a.get("hs_inferred") or []]


def _heading(codes: Iterable[object]) -> str | None:
    for code in codes:
        digits = "".join(ch for ch in str(code) if ch.isdigit())
        if len(digits) >= 4:
            return digits[:4]
    return None
