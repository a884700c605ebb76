"""The read-only JSON API under /api: notices, cases, sectors, markets and statistics.

Lists are paged with limit/offset (limit at most MAX_LIMIT) and say how many items match in all;
filters are those of the case page. Its OpenAPI document is served at /api/openapi.json.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel

from web.deps import Id, IndexDep, SessionDep
from web.queries import (
    CaseFilters,
    NoticeFilters,
    case_sectors,
    case_statistics,
    case_timeline,
    get_case,
    get_notice,
    known_markets,
    notice_cases,
    search_cases,
    search_notices,
)
from web.schemas import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    CaseDetail,
    CasePage,
    NoticeDetail,
    NoticePage,
    Problem,
    Sector,
    case_detail,
    case_summary,
    notice_detail,
    notice_summary,
)

router = APIRouter(prefix="/api", tags=["TREWS"])

MAX_OFFSET = 10**9
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"At most {MAX_LIMIT}")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": "No such id"}}


class Market(BaseModel):
    code: str
    feed: str


class Statistics(BaseModel):
    """Vietnam's cases by the year they opened (keys are years), and the open ones by stage."""

    total: int
    by_market: dict[str, dict[str, int]]
    by_sector: dict[str, dict[str, int]]
    by_measure: dict[str, dict[str, int]]
    open_by_stage: dict[str, int]


@router.get("/notices", response_model=NoticePage, summary="Trade-remedy notices, newest first")
def notices(session: SessionDep, filters: Annotated[NoticeFilters, Query()],
            limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> NoticePage:
    """Notices judged to be trade remedies, newest publication first, each with its analysis in
    codes (market, Vietnam's role, severity, measures, stage, sectors) and the cases it moves.
    Page through them with limit and offset; `total` counts every match."""
    total, rows = search_notices(session, filters, limit=limit, offset=offset)
    cases = notice_cases(session, [row.id for row in rows])
    return NoticePage(total=total, limit=limit, offset=offset,
                      items=[notice_summary(row, cases.get(row.id, [])) for row in rows])


@router.get("/notices/{notice_id}", response_model=NoticeDetail, responses=NOT_FOUND,
            summary="One notice with its full analysis and reasons")
def notice(session: SessionDep, notice_id: Id) -> NoticeDetail:
    """All the analysis found in one notice: countries, case numbers, HS codes, deadlines and the
    reasons for its verdict. 404 when no notice has this id."""
    found = get_notice(session, notice_id)
    if found is None:
        raise HTTPException(status_code=404, detail="no such notice")
    return notice_detail(found, notice_cases(session, [found.id]).get(found.id, []))


@router.get("/cases", response_model=CasePage, summary="Cases concerning Vietnam")
def cases(session: SessionDep, index: IndexDep, filters: Annotated[CaseFilters, Query()],
          limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> CasePage:
    """Cases in which Vietnam is the subject or the circumvention target, latest step first: the
    filters and order of the /cases page and its exports. Page through them with limit and
    offset; `total` counts every match."""
    total, rows = search_cases(session, filters, index, limit=limit, offset=offset)
    sectors = case_sectors(session, index, [row.id for row in rows])
    return CasePage(total=total, limit=limit, offset=offset,
                    items=[case_summary(row, sectors.get(row.id, [])) for row in rows])


@router.get("/cases/{case_id}", response_model=CaseDetail, responses=NOT_FOUND,
            summary="One case with its timeline and next expected step")
def case(session: SessionDep, index: IndexDep, case_id: Id) -> CaseDetail:
    """One case: its numbers, stage and status, the step its statutory clock expects next, and
    its notices in the order of their steps. 404 when no case has this id."""
    found = get_case(session, case_id)
    if found is None:
        raise HTTPException(status_code=404, detail="no such case")
    sectors = case_sectors(session, index, [found.id]).get(found.id, [])
    return case_detail(found, sectors, case_timeline(session, found.id))


@router.get("/sectors", response_model=list[Sector], summary="The sectors of sectors.yaml")
def sectors(request: Request) -> list[Sector]:
    """The sectors TREWS watches: their names in Vietnamese and English, HS codes and feed."""
    return [Sector(id=s.id, name_vi=s.name.vi, name_en=s.name.en, hs=list(s.hs),
                   feed=f"/feeds/sectors/{s.id}.atom") for s in request.app.state.sectors]


@router.get("/markets", response_model=list[Market], summary="Markets with a notice feed")
def markets(session: SessionDep) -> list[Market]:
    """Markets of the configured sources and every market a notice was analysed to, each with
    its Atom feed of notices."""
    return [Market(code=code, feed=f"/feeds/markets/{code}.atom")
            for code in sorted(known_markets(session))]


@router.get("/stats", response_model=Statistics, summary="Statistics of Vietnam's cases")
def stats(session: SessionDep, index: IndexDep) -> Statistics:
    """Vietnam's cases counted by the year they opened, per market, sector and measure, and the
    open ones by stage."""
    found = case_statistics(session, index)
    return Statistics(total=found.total, by_market=_by_year(found.by_market),
                      by_sector=_by_year(found.by_sector), by_measure=_by_year(found.by_measure),
                      open_by_stage=dict(found.open_by_stage))


def _by_year(groups: dict[str, Counter[int]]) -> dict[str, dict[str, int]]:
    return {key: {str(year): n for year, n in sorted(counts.items())}
            for key, counts in groups.items()}
