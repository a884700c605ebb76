"""What is due: every deadline the notices state and every statutory estimate, told apart, in
date order, with those just passed flagged; as a page, a CSV and an iCalendar of the same view,
and the next seven days on the home page. Read-only."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.calendar import ESTIMATED, STATED, CalendarEntry, deadline_calendar
from rules.sectors import SectorIndex
from storage.deadlines import DeadlineRow, due_between
from storage.models import Case
from storage.timeutil import utcnow
from web.deps import IndexDep, LabelsDep, SessionDep
from web.labels import PageLabels
from web.queries import CONCERNING_VIETNAM, QueryModel, case_sectors
from web.templating import render_page

router = APIRouter(include_in_schema=False)
WINDOWS = (7, 14, 30)
# Deadlines this many days past stay listed, flagged: the reader checks what was just due.
PAST_DAYS = 7
ROLES = ("concerning", "subject", "circumvention", "none", "all")


class DeadlineFilters(QueryModel):
    market: str | None = Field(None, pattern=r"^[A-Za-z]{2}$")
    sector: str | None = Field(None, pattern=r"^[A-Za-z0-9_]{1,32}$")
    role: Literal["concerning", "subject", "circumvention", "none", "all"] = "concerning"
    window: int = 14

    @field_validator("window")
    @classmethod
    def _offered(cls, value: int) -> int:
        if value not in WINDOWS:
            raise ValueError(f"a window of {', '.join(map(str, WINDOWS))} days")
        return value


def deadline_rows(session: Session, filters: DeadlineFilters, index: SectorIndex,
                  today: date) -> list[DeadlineRow]:
    """The view's rows, by date (stated before estimated on one day)."""
    since, until = today - timedelta(days=PAST_DAYS), today + timedelta(days=filters.window)
    rows = [row for row in due_between(session, since, until, today)
            if _wanted(row.case, filters)]
    if filters.sector:
        sectors = case_sectors(session, index, sorted({row.case.id for row in rows}))
        rows = [row for row in rows if filters.sector in sectors.get(row.case.id, [])]
    return rows


def _wanted(case: Case, filters: DeadlineFilters) -> bool:
    if filters.market and case.market != filters.market:
        return False
    if filters.role == "concerning":
        return case.vietnam in CONCERNING_VIETNAM
    return filters.role == "all" or case.vietnam == filters.role


def row_label(row: DeadlineRow, labels: PageLabels) -> str:
    return labels.deadline(row.kind) if row.stated else labels.next_step(row.kind)


def today_here(request: Request) -> date:
    """Today in the reader's zone (the service's)."""
    return utcnow().astimezone(ZoneInfo(request.app.state.settings.timezone)).date()


@router.get("/deadlines", response_model=None)
def deadlines(request: Request, session: SessionDep, labels: LabelsDep, index: IndexDep,
              filters: Annotated[DeadlineFilters, Query()],
              export: Annotated[Literal["html", "csv", "ics"], Query(alias="format")] = "html",
              ) -> Response:
    today = today_here(request)
    rows = deadline_rows(session, filters, index, today)
    if export == "csv":
        return Response(_csv(rows, labels, today, request), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="deadlines.csv"'})
    if export == "ics":
        return Response(_ics(rows, labels, request), media_type="text/calendar; charset=utf-8",
                        headers={"Content-Disposition": 'inline; filename="deadlines.ics"'})
    markets = sorted({market for (market,) in session.execute(
        select(Case.market).distinct())}, key=labels.country)
    return render_page(request, "deadlines.html.j2", rows=rows, today=today, filters=filters,
                       windows=WINDOWS, roles=ROLES, markets=markets,
                       sectors=sorted((s.id for s in request.app.state.sectors),
                                      key=labels.sector),
                       query=request.url.query, label=row_label, L=labels)


def next_seven_days(session: Session, index: SectorIndex, today: date) -> list[DeadlineRow]:
    """The home page's list: what is due in the next seven days on cases concerning Vietnam."""
    rows = deadline_rows(session, DeadlineFilters(market=None, sector=None, window=7), index,
                         today)
    return [row for row in rows if row.day >= today]


def _csv(rows: Sequence[DeadlineRow], labels: PageLabels, today: date, request: Request) -> bytes:
    """UTF-8 with a byte-order mark (Excel), headers in the reader's language."""
    _ = labels._
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Date"), _("Days left"), _("Deadline"), _("Basis"), _("Case"),
                     _("Market"), _("Vietnam's role"), _("Link")])
    base = str(request.base_url).rstrip("/")
    for row in rows:
        writer.writerow([row.day.isoformat(), (row.day - today).days, row_label(row, labels),
                         _("stated in a notice") if row.stated else _("statutory estimate"),
                         labels.case_title(row.case), labels.country(row.case.market),
                         labels.role(row.case.vietnam, [row.case.measure] if row.case.measure
                                     else [], row.case.stage),
                         f"{base}/cases/{row.case.id}"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _ics(rows: Sequence[DeadlineRow], labels: PageLabels, request: Request) -> bytes:
    _ = labels._
    domain = request.url.hostname or "trews.invalid"
    base = str(request.base_url).rstrip("/")
    entries = [CalendarEntry(
        uid=f"case-{row.case.id}-{'stated' if row.stated else 'expected'}-{row.kind}-"
            f"{row.day.isoformat()}@{domain}",
        day=row.day,
        summary=(f"{row_label(row, labels)} – {labels.case_title(row.case)}" if row.stated
                 else _("Expected: %(step)s – %(case)s") % {
                     "step": row_label(row, labels), "case": labels.case_title(row.case)}),
        description=_("Deadline stated in a notice of the case.") if row.stated
        else labels.basis(row.basis or ""),
        url=f"{base}/cases/{row.case.id}", basis=STATED if row.stated else ESTIMATED)
        for row in rows]
    return deadline_calendar(entries, _("TREWS – deadlines"))
