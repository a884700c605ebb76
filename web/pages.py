"""The public pages: latest notices on Vietnam, the cases (with exports), a case, a notice, and
the statistics. Read-only; nothing here changes the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.i18n import as_date
from rules.sectors import SectorIndex
from rules.text import folded_key
from storage.models import Case, Notice, Source
from web import exports
from web.case_facts import case_facts
from web.coverage import market_coverage
from web.deadlines import next_seven_days, row_label, today_here
from web.deps import Id, IndexDep, LabelsDep, SessionDep
from web.labels import PageLabels
from web.queries import (
    CaseFilters,
    TimelineEntry,
    case_filter_choices,
    case_rates,
    case_sectors,
    case_statistics,
    case_timeline,
    get_case,
    get_notice,
    latest_vietnam_notices,
    notice_cases,
    openings,
    openings_by_market,
    search_cases,
)
from web.stats import stats_view
from web.templating import render_page

router = APIRouter(include_in_schema=False)

HOME_NOTICES = 30
CASES_PER_PAGE = 25
MAX_PAGE = 10_000



@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, labels: LabelsDep,
         index: IndexDep) -> HTMLResponse:
    notices = latest_vietnam_notices(session, HOME_NOTICES)
    cases = notice_cases(session, [notice.id for notice in notices])
    today = today_here(request)
    return render_page(request, "home.html.j2", notices=notices, cases=cases, L=labels,
                       due=next_seven_days(session, index, today), today=today,
                       label=row_label)


@router.get("/cases", response_model=None)
def cases(request: Request, session: SessionDep, labels: LabelsDep, index: IndexDep,
          filters: Annotated[CaseFilters, Query()],
          page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
          export: Annotated[Literal["html", "csv", "json"], Query(alias="format")] = "html",
          ) -> Response:
    """The case list; ?format=csv or json exports every matching case, not just this page."""
    if export != "html":
        _total, everything = search_cases(session, filters, index, limit=None)
        sectors = case_sectors(session, index, [case.id for case in everything])
        if export == "csv":
            return exports.cases_csv(everything, sectors, labels,
                                     request.app.state.settings.public_url,
                                     case_facts(session, everything, today_here(request)))
        return exports.cases_json(everything, sectors)
    total, rows = search_cases(session, filters, index, limit=CASES_PER_PAGE,
                               offset=(page - 1) * CASES_PER_PAGE)
    return render_page(
        request, "cases.html.j2", cases=rows, total=total, page=page,
        openings=openings(session, filters, index),
        pages=max(1, -(-total // CASES_PER_PAGE)), filters=filters,
        sectors=case_sectors(session, index, [case.id for case in rows]),
        choices=_filter_choices(request, session, labels), L=labels)


def _filter_choices(request: Request, session: SessionDep,
                    labels: LabelsDep) -> dict[str, list[str]]:
    """The options of the case filters (the case list's and the statistics')."""
    return _by_name({**case_filter_choices(session),
                     "sector": [sector.id for sector in request.app.state.sectors]}, labels)


def _by_name(choices: dict[str, list[str]], labels: LabelsDep) -> dict[str, list[str]]:
    """The filters' options in the order of the reader's names ('Ấn Độ' by its letters, not
    'IN' by its code); years newest first."""
    names: dict[str, Callable[[str], str]] = {
        "market": labels.country, "measure": labels.measure, "stage": labels.stage,
        "sector": labels.sector}
    return {key: sorted(values, key=_folded_by(names[key])) if key in names else values
            for key, values in choices.items()}


def _folded_by(name: Callable[[str], str]) -> Callable[[str], str]:
    return lambda code: folded_key(name(code))


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: Id, session: SessionDep, labels: LabelsDep,
              index: IndexDep) -> HTMLResponse:
    case = get_case(session, case_id)
    if case is None:
        raise HTTPException(status_code=404)
    return case_response(request, session, labels, index, case)


def case_response(request: Request, session: Session, labels: PageLabels, index: SectorIndex,
                  case: Case, *, status_code: int = 200, follow_error: str | None = None,
                  follow_email: str = "") -> HTMLResponse:
    """The case page; with `follow_error`, its "follow this case" form says what to fix."""
    timeline = case_timeline(session, case.id)
    return render_page(request, "case.html.j2", status_code=status_code, case=case,
                       timeline=timeline, deadlines=_stated_deadlines(timeline),
                       rates=case_rates(timeline, case.origin),
                       sectors=case_sectors(session, index, [case.id]).get(case.id, []),
                       follow_error=follow_error, follow_email=follow_email, L=labels)


def _stated_deadlines(timeline: list[TimelineEntry]) -> list[tuple[date, str, Notice]]:
    """The deadlines the case's notices state, in date order, with the notice stating each."""
    found = [(day, str(item.get("kind")), entry.notice)
             for entry in timeline
             for item in (entry.notice.analysis or {}).get("deadlines") or []
             if (day := as_date(item.get("date")))]
    return sorted(found, key=lambda row: (row[0], row[1]))


@router.get("/notices/{notice_id}", response_class=HTMLResponse)
def notice_page(request: Request, notice_id: Id, session: SessionDep,
                labels: LabelsDep) -> HTMLResponse:
    notice = get_notice(session, notice_id)
    if notice is None:
        raise HTTPException(status_code=404)
    source = session.scalar(select(Source).where(Source.id == notice.source_id))
    return render_page(request, "notice.html.j2", notice=notice, analysis=notice.analysis or {},
                       source=source, cases=notice_cases(session, [notice.id])[notice.id],
                       L=labels)


@router.get("/stats", response_class=HTMLResponse)
def stats(request: Request, session: SessionDep, labels: LabelsDep, index: IndexDep,
          filters: Annotated[CaseFilters, Query()]) -> HTMLResponse:
    """The statistics of the cases the case list shows under the same filters, headed by the
    new investigations and circumvention inquiries on Vietnam, per market."""
    view = stats_view(case_statistics(session, index, filters), labels,
                      market_coverage(session), openings_by_market(session, filters, index))
    return render_page(request, "stats.html.j2", view=view, filters=filters,
                       choices=_filter_choices(request, session, labels), L=labels)
