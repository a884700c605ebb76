"""What is due on the stored cases between two days: the deadlines their notices state and the
clock's estimate of each open case's next step, told apart. Read by the deadline pages and the
digests alike, so both say the same."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rules.dates import iso_day
from storage.models import Case, CaseEvent, Notice

# A notice states deadlines within a year or so of its publication: older notices are not read.
STATED_WITHIN_DAYS = 400


@dataclass(frozen=True)
class DeadlineRow:
    """One date: a deadline a notice states (`stated`), or the clock's estimate of a step."""

    day: date
    case: Case
    kind: str  # the deadline's kind, or the expected step
    stated: bool
    notice_id: int | None = None
    basis: str | None = None


def due_between(session: Session, since: date, until: date, today: date) -> list[DeadlineRow]:
    """Every stated deadline and estimated step from `since` to `until` (both included), by
    date, stated before estimated on one day."""
    rows = stated_between(session, since, until, today) + estimated_between(session, since, until)
    return sorted(rows, key=lambda row: (row.day, not row.stated, row.case.id, row.kind))


def stated_between(session: Session, since: date, until: date,
                   today: date) -> list[DeadlineRow]:
    """The deadlines the cases' notices state, once per case, day and kind."""
    found = session.execute(
        select(Case, Notice.id, Notice.analysis)
        .join(CaseEvent, CaseEvent.case_id == Case.id)
        .join(Notice, Notice.id == CaseEvent.notice_id)
        .where(Notice.published >= today - timedelta(days=STATED_WITHIN_DAYS)))
    rows: dict[tuple[int, date, str], DeadlineRow] = {}
    for case, notice_id, analysis in found:
        for item in (analysis or {}).get("deadlines") or []:
            day = iso_day(item.get("date")) if isinstance(item, dict) else None
            if day is not None and since <= day <= until:
                kind = str(item.get("kind") or "other")
                rows.setdefault((case.id, day, kind), DeadlineRow(day, case, kind, True,
                                                                  notice_id))
    return list(rows.values())


def estimated_between(session: Session, since: date, until: date) -> list[DeadlineRow]:
    """The clock's estimate of each open case's next step."""
    cases = session.scalars(select(Case).where(
        Case.status == "open", Case.next_due >= since, Case.next_due <= until,
        Case.next_step.is_not(None)))
    return [DeadlineRow(case.next_due, case, str(case.next_step), False, basis=case.next_basis)
            for case in cases if case.next_due is not None]


def notice_sectors(session: Session, case_ids: Iterable[int]) -> dict[int, list[str]]:
    """The sector ids the analyses of each case's notices found, in the order first found."""
    found: dict[int, list[str]] = defaultdict(list)
    wanted = list(case_ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(CaseEvent.case_id, Notice.analysis["sectors"])
        .join(Notice, Notice.id == CaseEvent.notice_id)
        .where(CaseEvent.case_id.in_(wanted)).order_by(CaseEvent.case_id, CaseEvent.id))
    for case_id, sectors in rows:
        for sector in sectors or []:
            if str(sector) not in found[case_id]:
                found[case_id].append(str(sector))
    return dict(found)
