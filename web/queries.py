"""Read-only queries behind the pages, the API and the feeds.

Every filter is a SQLAlchemy expression (LIKE through `icontains(..., autoescape=True)`), so the
same code runs on SQLite and PostgreSQL and no reader's text ever becomes SQL. The one fact not in
a column, the sectors of a case, is worked out in Python from its notices' analyses (with the
product's own words for a case that has no notice yet, such as an imported historic order).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import ColumnElement, Select, String, cast, func, or_, select
from sqlalchemy.orm import Session, selectinload

from rules.cases import GLOBAL
from rules.notice import Rate
from rules.sectors import SectorIndex
from rules.text import folded_key
from storage.deadlines import notice_sectors
from storage.models import Case, CaseEvent, CaseNumber, Notice, Source

CONCERNING_VIETNAM = ("subject", "circumvention")
_CODE = r"^[A-Za-z0-9_*]{1,32}$"
_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"  # no control characters (PostgreSQL refuses NUL)


class QueryModel(BaseModel):
    """Query parameters; an empty one (a form's "all markets") means no filter, and words are
    trimmed once checked, so the API document describes exactly what is accepted."""

    model_config = ConfigDict(extra="ignore")

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("market", mode="before", check_fields=False)
    @classmethod
    def _upper(cls, value: Any) -> Any:
        """us is US; only ASCII, which the pattern allows (a non-ASCII ß would become SS)."""
        return value.upper() if isinstance(value, str) and value.isascii() else value

    @field_validator("*")
    @classmethod
    def _trimmed(cls, value: Any) -> Any:
        return (value.strip() or None) if isinstance(value, str) else value


def _blank_means_any(schema: dict[str, Any]) -> None:
    schema["anyOf"] = [*schema.get("anyOf", []), {"const": "", "description": "no filter"}]


def _filter(**constraints: Any) -> Any:
    """An optional filter that may also be sent empty."""
    return Field(default=None, json_schema_extra=_blank_means_any, **constraints)


class CaseFilters(QueryModel):
    """The filters of the case list, the same in the page, its exports and the API."""

    market: str | None = _filter(pattern=_CODE, description="e.g. US, EU, IN")
    measure: Literal["AD", "CVD", "SG"] | None = _filter()
    stage: str | None = _filter(pattern=_CODE, description="e.g. preliminary")
    sector: str | None = _filter(pattern=_CODE, description="id of sectors.yaml")
    year: int | None = _filter(ge=1900, le=2200, description="Year the case opened")
    status: Literal["open", "closed"] | None = _filter()
    opened_by: Literal["investigation", "circumvention", "review", "later"] | None = _filter(
        description="What opened the case: a new investigation, a circumvention inquiry, a "
                    "review of an older order, or a case first seen at a later step")
    q: str | None = _filter(max_length=200, pattern=_TEXT,
                            description="Words in the product, a case number or a notice title")


class NoticeFilters(QueryModel):
    """Filters of the notice list (API): trade-remedy notices only."""

    market: str | None = _filter(pattern=_CODE, description="Market of the measure, e.g. US")
    sector: str | None = _filter(pattern=_CODE, description="id of sectors.yaml")
    vietnam: Literal["subject", "circumvention", "any", "none"] | None = _filter(
        description="Vietnam's role; 'any' is subject or circumvention")
    severity: Literal["high", "medium", "low"] | None = _filter()
    q: str | None = _filter(max_length=200, pattern=_TEXT, description="Words in the title")


def _count(session: Session, query: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
               or 0)


# Cases


def vietnam_cases() -> Select[Case]:
    return select(Case).where(Case.vietnam != "none")


def _case_text(q: str) -> ColumnElement[bool]:
    """A case whose product, a number or a notice title contains `q` (case-insensitive)."""
    product_words = {q, folded_key(q).strip()} - {""}
    return or_(
        *(Case.product.icontains(words, autoescape=True) for words in product_words),
        Case.id.in_(select(CaseNumber.case_id)
                    .where(CaseNumber.number.icontains(q, autoescape=True))),
        Case.id.in_(select(CaseEvent.case_id).join(Notice, Notice.id == CaseEvent.notice_id)
                    .where(Notice.title.icontains(q, autoescape=True))),
    )


def filtered_cases(session: Session, filters: CaseFilters,
                   index: SectorIndex) -> Select[Case]:
    """Vietnam's cases under `filters`, newest step first."""
    query = vietnam_cases()
    if filters.market:
        query = query.where(Case.market == filters.market)
    if filters.measure:
        query = query.where(Case.measure == filters.measure)
    if filters.stage:
        query = query.where(Case.stage == filters.stage)
    if filters.status:
        query = query.where(Case.status == filters.status)
    if filters.opened_by:
        query = query.where(Case.opened_by == filters.opened_by)
    if filters.year:
        query = query.where(Case.opened_on >= date(filters.year, 1, 1),
                            Case.opened_on < date(filters.year + 1, 1, 1))
    if filters.q:
        query = query.where(_case_text(filters.q))
    if filters.sector:
        in_sector = [case_id for case_id, ids in case_sectors(session, index).items()
                     if filters.sector in ids]
        query = query.where(Case.id.in_(in_sector))
    return query.order_by(Case.last_event_on.is_(None), Case.last_event_on.desc(),
                          Case.id.desc())


def openings_by_market(session: Session, filters: CaseFilters,
                       index: SectorIndex) -> dict[str, Counter[str]]:
    """How many of the cases under `filters` (what opened them aside) each kind of step opened,
    per market, the markets with most new investigations and circumvention inquiries first:
    the count that answers "how many new investigations on Vietnam this year, where?"."""
    query = filtered_cases(session, filters.model_copy(update={"opened_by": None}), index)
    ids = query.with_only_columns(Case.id).order_by(None).subquery()
    rows = session.execute(select(Case.market, Case.opened_by, func.count())
                           .join(ids, ids.c.id == Case.id).group_by(Case.market, Case.opened_by))
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for market, kind, n in rows:
        found[str(market)][str(kind or "later")] += int(n)
    return dict(sorted(found.items(), key=lambda item: (
        -(item[1]["investigation"] + item[1]["circumvention"]), -item[1].total(), item[0])))


def openings(session: Session, filters: CaseFilters, index: SectorIndex) -> Counter[str]:
    """`openings_by_market`, all markets together."""
    return sum(openings_by_market(session, filters, index).values(), Counter())


def search_cases(session: Session, filters: CaseFilters, index: SectorIndex, *,
                 limit: int | None, offset: int = 0) -> tuple[int, list[Case]]:
    """(how many match, the page of them); limit None gives every match (exports)."""
    query = filtered_cases(session, filters, index)
    total = _count(session, query)
    page = query.options(selectinload(Case.numbers)).offset(offset)
    if limit is not None:
        page = page.limit(limit)
    return total, list(session.scalars(page))


def case_sectors(session: Session, index: SectorIndex,
                 case_ids: Iterable[int] | None = None) -> dict[int, list[str]]:
    """Sector ids of Vietnam's cases (or of `case_ids`): those of their notices' analyses, else
    those of the case's own HS codes or product words."""
    cases = select(Case.id, Case.product, Case.hs_codes)
    cases = (cases.where(Case.vietnam != "none") if case_ids is None
             else cases.where(Case.id.in_(list(case_ids))))
    rows = session.execute(cases).all()
    found = notice_sectors(session, [case_id for case_id, _product, _codes in rows])
    return {case_id: found.get(case_id) or _own_sectors(index, product, hs_codes or [])
            for case_id, product, hs_codes in rows}


def _own_sectors(index: SectorIndex, product: str, hs_codes: list[str]) -> list[str]:
    """A case without analysed notices: the sectors of its HS codes, else of its product."""
    hits = index.by_hs(str(code) for code in hs_codes) or index.by_head_terms(product)
    return [hit.sector for hit in hits]


def case_filter_choices(session: Session) -> dict[str, list[str]]:
    """The values the case list's menus offer: those Vietnam's cases actually have."""
    def distinct(column: Any) -> list[str]:
        query = select(column).where(Case.vietnam != "none").distinct()
        return sorted(str(value) for value in session.scalars(query) if value)

    years = {day.year for day in session.scalars(
        select(Case.opened_on).where(Case.vietnam != "none").distinct()) if day}
    return {"market": distinct(Case.market), "measure": distinct(Case.measure),
            "stage": distinct(Case.stage), "year": [str(y) for y in sorted(years, reverse=True)]}


def get_case(session: Session, case_id: int) -> Case | None:
    return session.scalars(
        select(Case).where(Case.id == case_id).options(selectinload(Case.numbers))
    ).one_or_none()


@dataclass(frozen=True)
class TimelineEntry:
    event: CaseEvent
    notice: Notice


def case_timeline(session: Session, case_id: int) -> list[TimelineEntry]:
    """The case's notices in the order of their steps (undated ones last)."""
    rows = session.execute(
        select(CaseEvent, Notice).join(Notice, Notice.id == CaseEvent.notice_id)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.event_on.is_(None), CaseEvent.event_on, Notice.published,
                  CaseEvent.id))
    return [TimelineEntry(event, notice) for event, notice in rows]


@dataclass(frozen=True)
class NoticeRates:
    """The rates one notice of a case states (rules/rates.py), for the case's origin."""

    notice: Notice
    rates: list[Rate]


def case_rates(timeline: Sequence[TimelineEntry], origin: str | None) -> list[NoticeRates]:
    """The rates the case's notices state, latest notice first: those for the case's origin and
    those the notice gives no origin (a safeguard's case, on every origin, takes them all)."""
    found = []
    for entry in timeline:
        rates = [rate for item in (entry.notice.analysis or {}).get("rates") or []
                 if (rate := stated_rate(item))
                 and (rate.origin in (None, origin) or origin in (None, GLOBAL))]
        if rates:
            found.append(NoticeRates(entry.notice, rates))
    return sorted(found, key=lambda item: item.notice.published or date.min, reverse=True)


def stated_rate(item: Any) -> Rate | None:
    """A stored analysis' rate, or None when the item is not one (an older analysis, bad data)."""
    if not isinstance(item, dict):
        return None
    value, unit, kind = item.get("value"), item.get("unit"), item.get("kind")
    company, origin = item.get("company"), item.get("origin")
    if not isinstance(value, int | float) or isinstance(value, bool) or not isinstance(unit, str) \
            or not isinstance(kind, str) or not isinstance(company, str | None) \
            or not isinstance(origin, str | None):
        return None
    return Rate(float(value), unit, kind, company, origin)


def notice_cases(session: Session, notice_ids: Sequence[int]) -> dict[int, list[Case]]:
    """The cases each notice moves, Vietnam's first."""
    found: dict[int, list[Case]] = defaultdict(list)
    if not notice_ids:
        return found
    rows = session.execute(
        select(CaseEvent.notice_id, Case).join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.notice_id.in_(list(notice_ids)))
        .options(selectinload(Case.numbers))
        .order_by(CaseEvent.notice_id, Case.vietnam == "none", Case.id))
    for notice_id, case in rows:
        found[notice_id].append(case)
    return found


# Notices


def _newest_first(query: Select[Notice]) -> Select[Notice]:
    return query.order_by(Notice.published.is_(None), Notice.published.desc(), Notice.id.desc())


def in_sector(sector: str) -> ColumnElement[bool]:
    """The analysis lists `sector`: sector ids are plain words, so the quoted id found in the
    JSON text of the list is exactly that element (same text on SQLite and PostgreSQL)."""
    return cast(Notice.analysis["sectors"], String).contains(f'"{sector}"', autoescape=True)


def filtered_notices(filters: NoticeFilters) -> Select[Notice]:
    query = select(Notice).where(Notice.trade_remedy.is_(True))
    if filters.market:
        query = query.where(Notice.analysis["market"].as_string() == filters.market)
    if filters.sector:
        query = query.where(in_sector(filters.sector))
    if filters.vietnam == "any":
        query = query.where(Notice.vietnam.in_(CONCERNING_VIETNAM))
    elif filters.vietnam:
        query = query.where(Notice.vietnam == filters.vietnam)
    if filters.severity:
        query = query.where(Notice.severity == filters.severity)
    if filters.q:
        query = query.where(Notice.title.icontains(filters.q, autoescape=True))
    return _newest_first(query)


def search_notices(session: Session, filters: NoticeFilters, *, limit: int,
                   offset: int = 0) -> tuple[int, list[Notice]]:
    query = filtered_notices(filters)
    return _count(session, query), list(session.scalars(query.limit(limit).offset(offset)))


def latest_vietnam_notices(session: Session, limit: int) -> list[Notice]:
    """The newest trade-remedy notices naming Vietnam as subject or circumvention target."""
    return search_notices(session, NoticeFilters(vietnam="any"), limit=limit)[1]


def get_notice(session: Session, notice_id: int) -> Notice | None:
    return session.get(Notice, notice_id)


def known_markets(session: Session) -> set[str]:
    """Markets with a feed: those of the configured sources and any market a notice was
    analysed to (WTO news reports cases of many members)."""
    analysed = session.scalars(
        select(Notice.analysis["market"].as_string()).where(Notice.trade_remedy.is_(True))
        .distinct())
    return {*session.scalars(select(Source.market).distinct()),
            *(market for market in analysed if market)}


# Statistics


@dataclass(frozen=True)
class CaseStats:
    """Vietnam's cases (under the filters given) counted by the year they opened, and the open
    ones by stage."""

    years: list[int]
    by_market: dict[str, Counter[int]]
    by_sector: dict[str, Counter[int]]
    by_measure: dict[str, Counter[int]]
    by_opening: dict[str, Counter[int]]
    open_by_stage: Counter[str]
    total: int


def case_statistics(session: Session, index: SectorIndex,
                    filters: CaseFilters | None = None) -> CaseStats:
    """The statistics of the cases the case list shows under the same `filters`."""
    cases = filtered_cases(session, filters or CaseFilters(), index).with_only_columns(
        Case.id, Case.opened_on, Case.market, Case.measure, Case.stage, Case.status,
        Case.opened_by).order_by(None)
    rows = session.execute(cases).all()
    sectors = case_sectors(session, index)
    groups: dict[str, dict[str, Counter[int]]] = {
        name: defaultdict(Counter) for name in ("market", "sector", "measure", "opening")}
    open_by_stage: Counter[str] = Counter()
    for case_id, opened_on, market, measure, stage, status, opened_by in rows:
        if status == "open":
            open_by_stage[stage] += 1
        if opened_on is None:
            continue
        groups["market"][market][opened_on.year] += 1
        groups["measure"][measure or "other"][opened_on.year] += 1
        groups["opening"][opened_by or "later"][opened_on.year] += 1
        for sector in sectors.get(case_id) or ["other"]:
            groups["sector"][sector][opened_on.year] += 1
    seen = {year for counts in groups["market"].values() for year in counts}
    years = list(range(min(seen), max(seen) + 1)) if seen else []  # no gap hides a quiet year
    return CaseStats(years, _largest_first(groups["market"]), _largest_first(groups["sector"]),
                     _largest_first(groups["measure"]), _largest_first(groups["opening"]),
                     open_by_stage, len(rows))


def _largest_first(groups: dict[str, Counter[int]]) -> dict[str, Counter[int]]:
    return dict(sorted(groups.items(), key=lambda item: (-item[1].total(), item[0])))

