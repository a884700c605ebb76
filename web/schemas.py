"""The shapes of the read-only JSON API (and of the case list's JSON and CSV exports).

Codes, not words: the API speaks the analysis contract's vocabulary (README, `trews analyse`),
so scripts do not depend on the reader's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field

from alerts.i18n import as_date
from storage.links import safe_url
from storage.models import Case, Notice
from web.queries import TimelineEntry, case_rates

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


class Deadline(BaseModel):
    kind: str
    date: dt.date | None


class CaseRef(BaseModel):
    id: int
    numbers: list[str]
    vietnam: str
    link: str


class NoticeSummary(BaseModel):
    id: int
    title: str
    url: str | None = Field(description="The notice at its source; null unless http(s)")
    source: str
    market: str | None = Field(description="Market of the measure (the analysis' market)")
    published: dt.date | None = Field(description="Publication date, the publisher's calendar")
    fetched_at: dt.datetime = Field(description="When TREWS first stored it (UTC)")
    vietnam: str | None
    severity: str | None
    measures: list[str]
    proceeding: str | None
    stage: str | None
    sectors: list[str]
    cases: list[CaseRef]
    link: str


class NoticeDetail(NoticeSummary):
    trade_remedy: bool | None
    new_case: bool
    countries: list[str]
    case_numbers: list[str]
    hs_codes: list[str]
    deadlines: list[Deadline]
    reasons: list[str]


class CaseSummary(BaseModel):
    id: int
    numbers: list[str]
    market: str
    origin: str | None = Field(description="ISO code; '*' for a safeguard on all origins")
    measure: str | None
    product: str
    vietnam: str
    proceeding: str
    stage: str
    status: str
    opened_on: dt.date | None
    last_event_on: dt.date | None
    next_step: str | None = Field(description="Next expected step (statutory clock)")
    next_due: dt.date | None
    next_basis: str | None
    ordered_on: dt.date | None = Field(description="Date of the duty order, when known")
    revoked_on: dt.date | None = Field(description="Revocation or withdrawal, when known")
    hs_codes: list[str]
    sectors: list[str]
    link: str


class TimelineStep(BaseModel):
    date: dt.date | None
    proceeding: str
    stage: str
    notice_id: int
    notice_title: str
    notice_url: str | None = Field(description="The notice at its source; null unless http(s)")
    published: dt.date | None


class CaseRate(BaseModel):
    """A rate one of the case's notices states (the `rates` of `trews analyse`)."""

    value: float
    unit: str = Field(description="'percent', or an amount per unit such as 'USD/t'")
    kind: str = Field(description="dumping_margin, subsidy_rate, duty or cash_deposit")
    company: str | None = Field(
        description="The firm as the notice names it, 'all others', 'country-wide' or null")
    origin: str | None
    notice_id: int
    published: dt.date | None


class CaseDetail(CaseSummary):
    timeline: list[TimelineStep]
    rates: list[CaseRate] = Field(
        default_factory=list, description="Rates the case's notices state, latest notice first")


class Page(BaseModel):
    total: int = Field(description="How many items match, over all pages")
    limit: int
    offset: int


class NoticePage(Page):
    items: list[NoticeSummary]


class CasePage(Page):
    items: list[CaseSummary]


class Problem(BaseModel):
    """Why a request was not answered (FastAPI's shape for HTTP errors)."""

    detail: str


class Sector(BaseModel):
    id: str
    name_vi: str
    name_en: str
    hs: list[str]
    feed: str


def case_ref(case: Case) -> CaseRef:
    return CaseRef(id=case.id, numbers=[n.number for n in case.numbers], vietnam=case.vietnam,
                   link=f"/cases/{case.id}")


def _strings(analysis: Mapping[str, Any], key: str) -> list[str]:
    return [str(value) for value in analysis.get(key) or []]


def notice_summary(notice: Notice, cases: Sequence[Case]) -> NoticeSummary:
    analysis = notice.analysis or {}
    return NoticeSummary(
        id=notice.id, title=notice.title, url=safe_url(notice.url), source=notice.source_id,
        market=analysis.get("market") or notice.market, published=notice.published,
        fetched_at=notice.fetched_at, vietnam=notice.vietnam, severity=notice.severity,
        measures=_strings(analysis, "measures"), proceeding=analysis.get("proceeding"),
        stage=analysis.get("stage"), sectors=_strings(analysis, "sectors"),
        cases=[case_ref(case) for case in cases], link=f"/notices/{notice.id}")


def notice_detail(notice: Notice, cases: Sequence[Case]) -> NoticeDetail:
    analysis = notice.analysis or {}
    deadlines = [Deadline(kind=str(item.get("kind")), date=as_date(item.get("date")))
                 for item in analysis.get("deadlines") or [] if isinstance(item, Mapping)]
    return NoticeDetail(
        **notice_summary(notice, cases).model_dump(), trade_remedy=notice.trade_remedy,
        new_case=bool(analysis.get("new_case")), countries=_strings(analysis, "countries"),
        case_numbers=_strings(analysis, "case_numbers"), hs_codes=_strings(analysis, "hs_codes"),
        deadlines=deadlines, reasons=_strings(analysis, "reasons"))


def case_summary(case: Case, sectors: Sequence[str]) -> CaseSummary:
    return CaseSummary(
        id=case.id, numbers=[n.number for n in case.numbers], market=case.market,
        origin=case.origin, measure=case.measure, product=case.product, vietnam=case.vietnam,
        proceeding=case.proceeding, stage=case.stage, status=case.status,
        opened_on=case.opened_on, last_event_on=case.last_event_on, next_step=case.next_step,
        next_due=case.next_due, next_basis=case.next_basis, ordered_on=case.ordered_on,
        revoked_on=case.revoked_on, hs_codes=[str(code) for code in case.hs_codes or []],
        sectors=list(sectors),
        link=f"/cases/{case.id}")


def case_detail(case: Case, sectors: Sequence[str],
                timeline: Sequence[TimelineEntry]) -> CaseDetail:
    steps = [TimelineStep(date=entry.event.event_on, proceeding=entry.event.proceeding,
                          stage=entry.event.stage, notice_id=entry.notice.id,
                          notice_title=entry.notice.title,
                          notice_url=safe_url(entry.notice.url),
                          published=entry.notice.published) for entry in timeline]
    rates = [CaseRate(**rate.to_dict(), notice_id=stated.notice.id,
                      published=stated.notice.published)
             for stated in case_rates(timeline, case.origin) for rate in stated.rates]
    return CaseDetail(**case_summary(case, sectors).model_dump(), timeline=steps, rates=rates)
