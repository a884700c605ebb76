"""What the notices of many cases state, read in one query for a list of cases (the CSV export):
the next deadline still ahead and the rates for each case's origin."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from rules.cases import GLOBAL
from rules.dates import iso_day
from rules.notice import Rate
from storage.models import Case, CaseEvent, Notice
from web.queries import stated_rate


@dataclass(frozen=True)
class CaseFacts:
    """What a case's notices state that a list of cases shows: the next deadline still ahead
    (day, kind) and the rates for the case's origin."""

    next_deadline: tuple[date, str] | None = None
    rates: tuple[Rate, ...] = ()


def case_facts(session: Session, cases: Sequence[Case], today: date) -> dict[int, CaseFacts]:
    """The stated deadlines and rates of many cases, read in one query of their notices."""
    origins = {case.id: case.origin for case in cases}
    if not origins:
        return {}
    deadlines: dict[int, list[tuple[date, str]]] = defaultdict(list)
    rates: dict[int, list[Rate]] = defaultdict(list)
    for case_id, analysis in session.execute(
            select(CaseEvent.case_id, Notice.analysis)
            .join(Notice, Notice.id == CaseEvent.notice_id)
            .where(CaseEvent.case_id.in_(list(origins)))
            .order_by(CaseEvent.case_id, Notice.id)):
        for item in (analysis or {}).get("deadlines") or []:
            day = iso_day(item.get("date")) if isinstance(item, dict) else None
            if day is not None and day >= today:
                deadlines[case_id].append((day, str(item.get("kind") or "other")))
        for item in (analysis or {}).get("rates") or []:
            rate = stated_rate(item)
            if rate and (rate.origin in (None, origins[case_id])
                         or origins[case_id] in (None, GLOBAL)) and rate not in rates[case_id]:
                rates[case_id].append(rate)
    return {case_id: CaseFacts(min(deadlines[case_id], default=None),
                               tuple(rates[case_id])) for case_id in origins}

