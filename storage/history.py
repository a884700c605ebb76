"""Storing the historic US case lists in the case tables (`trews cases import`, the demo), so the
cases since the 2000s are there before any notice about them is crawled.

All files go in one transaction after every file has been read: a list that cannot be read
stores nothing. A case is found by its Commerce number, else by an ITC number, else (a WTO row
with no number, or a number new to the database) by market, origin, measure and product among
the cases that have no Commerce number and either came from crawled notices or opened the same
day, unless an ITC number contradicts it or the case is an investigation crawled notices opened
outside the statutory span of the listed case's opening (rules/cases.py: a 2023 investigation is
not the 2004 order). A case no crawled notice has reached belongs to the lists: re-importing
updates it in place.
A case with crawled notices keeps the stage they established unless the lists know a later
event; the lists add the numbers, order and revocation dates, HS codes and an earlier opening date
it lacks.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from rules.case_identity import ROLE_RANK, fits_listed_case, investigation_began
from rules.countries import VIETNAM
from storage.database import transaction
from storage.history_cases import HistoricCase, Issue, ListFile
from storage.history_lists import read_lists
from storage.history_merge import case_product
from storage.models import Case, CaseEvent, CaseNumber

MARKET = "US"
BUNDLED = Path(__file__).resolve().parent / "data" / "history"


def bundled_lists() -> list[Path]:
    """The case lists shipped with TREWS (see storage/data/history/PROVENANCE.md)."""
    return sorted(p for p in BUNDLED.iterdir() if p.suffix in (".csv", ".json"))


@dataclass
class FileReport:
    """One file: what it gave, and what became of the cases its rows went into."""

    listed: ListFile
    outcomes: Counter[str] = field(default_factory=Counter)


@dataclass
class ImportReport:
    """Per file and in all: cases new, updated or unchanged, rows rejected, values corrected."""

    files: list[FileReport]
    outcomes: Counter[str]
    vietnam: int

    @property
    def cases(self) -> int:
        return sum(self.outcomes.values())

    @property
    def rejected(self) -> list[Issue]:
        return sorted(issue for report in self.files for issue in report.listed.rejected)

    @property
    def corrected(self) -> list[Issue]:
        return sorted(issue for report in self.files for issue in report.listed.corrected)


def import_history(sessions: sessionmaker[Session], paths: Iterable[Path]) -> ImportReport:
    """Read every list (HistoryFileError if one cannot be read), then store all their cases."""
    history = read_lists(paths)
    with transaction(sessions) as session:
        known = KnownCases(session)
        outcomes = [(case, known.store(case)) for case in history.cases]
    files = [FileReport(listed) for listed in history.files]
    for case, outcome in outcomes:
        names = {ref.rsplit(":", 1)[0] for ref in case.rows}
        for report in files:
            if report.listed.name in names:
                report.outcomes[outcome] += 1
    return ImportReport(files, Counter(outcome for _, outcome in outcomes),
                        sum(case.origin == VIETNAM for case in history.cases))


def _is_commerce(number: str) -> bool:
    return number.startswith(("A-", "C-"))


class KnownCases:
    """The stored US cases, read once per import and kept up to date while it runs: by number,
    and (those without a Commerce number) by origin, measure and product."""

    def __init__(self, session: Session) -> None:
        self.session = session
        cases = {case.id: case for case in session.scalars(
            select(Case).where(Case.market == MARKET).order_by(Case.id))}
        self.by_number = {number: cases[case_id] for number, case_id in session.execute(
            select(CaseNumber.number, CaseNumber.case_id).where(CaseNumber.market == MARKET))}
        self.crawled = set(session.scalars(select(CaseEvent.case_id).distinct()))
        numbered = {id(case) for number, case in self.by_number.items() if _is_commerce(number)}
        self.by_product: dict[tuple[Any, ...], list[Case]] = defaultdict(list)
        for case in cases.values():
            if id(case) not in numbered:
                self.by_product[(case.origin, case.measure, case.product)].append(case)

    def store(self, found: HistoricCase) -> str:
        """Create or update the case of `found`: 'new', 'updated' or 'unchanged'."""
        numbers = [n for n in (found.number, *found.itc_numbers) if n]
        case = self.find(found, numbers)
        created = case is None
        if case is None:
            proceeding, stage, status = found.step
            case = Case(market=MARKET, origin=found.origin, measure=found.measure,
                        product=case_product(found), vietnam=found.vietnam,
                        proceeding=proceeding, stage=stage, status=status)
            self.session.add(case)
            self.by_product[(case.origin, case.measure, case.product)].append(case)
        crawled = case.id is not None and case.id in self.crawled
        changed = _assign(case, _crawled_values(case, found) if crawled else _own_values(found))
        changed = self.give_numbers(case, numbers) or changed
        return "new" if created else "updated" if changed else "unchanged"

    def find(self, found: HistoricCase, numbers: list[str]) -> Case | None:
        for number in numbers:  # the Commerce number first
            if number in self.by_number:
                return self.by_number[number]
        for case in self.by_product[(found.origin, found.measure, case_product(found))]:
            if ((case.id in self.crawled or case.opened_on == found.opened_on)
                    and _may_be(case, found, numbers)):
                return case
        return None

    def give_numbers(self, case: Case, numbers: list[str]) -> bool:
        """Give the case the numbers it lacks; a number another case owns stays there."""
        added = [number for number in numbers if number not in self.by_number]
        for number in added:
            case.numbers.append(CaseNumber(market=MARKET, number=number))
            self.by_number[number] = case
        unnumbered = self.by_product[(case.origin, case.measure, case.product)]
        if any(_is_commerce(n) for n in added) and case in unnumbered:
            unnumbered.remove(case)
        return bool(added)


def _may_be(case: Case, found: HistoricCase, numbers: list[str]) -> bool:
    """Whether a stored case without a Commerce number can be the listed case
    (rules/case_identity.py)."""
    began = investigation_began(bool(case.history_rows), case.opened_on, case.ordered_on,
                                [(e.proceeding, e.stage, e.event_on) for e in case.events])
    return fits_listed_case([number.number for number in case.numbers], began, numbers,
                            found.opened_on or found.ordered_on)


def _own_values(found: HistoricCase) -> dict[str, Any]:
    """Everything, for a case only the lists know."""
    proceeding, stage, status = found.step
    return dict(origin=found.origin, measure=found.measure, product=case_product(found),
                vietnam=found.vietnam, proceeding=proceeding, stage=stage, status=status,
                opened_on=found.opened_on, last_event_on=found.last_event_on,
                ordered_on=found.ordered_on, revoked_on=found.revoked_on,
                hs_codes=list(found.hs_codes), history_rows=list(found.rows),
                next_step=None, next_due=None, next_basis=None, **_opening(found))


def _opening(found: HistoricCase) -> dict[str, Any]:
    """The lists are of investigations: one with its petition or initiation date was opened by
    one; one known only from its order was first seen at that step."""
    if found.opened_on is not None:
        return dict(opened_by="investigation", first_stage="initiation")
    return dict(opened_by="later", first_stage=found.step[1])


def _crawled_values(case: Case, found: HistoricCase) -> dict[str, Any]:
    """What the lists add to a case crawled notices built; its stage only from a later event."""
    values: dict[str, Any] = dict(
        opened_on=min((d for d in (case.opened_on, found.opened_on) if d), default=None),
        **(_opening(found) if found.opened_on and (
            case.opened_on is None or found.opened_on < case.opened_on) else {}),
        ordered_on=case.ordered_on or found.ordered_on,
        revoked_on=case.revoked_on or found.revoked_on,
        hs_codes=list(case.hs_codes) + [c for c in found.hs_codes if c not in case.hs_codes],
        history_rows=list(found.rows),
    )
    if ROLE_RANK[found.vietnam] > ROLE_RANK.get(case.vietnam, 0):
        values["vietnam"] = found.vietnam
    latest = found.last_event_on
    if latest and (case.last_event_on is None or latest > case.last_event_on):
        proceeding, stage, status = found.step
        values |= dict(proceeding=proceeding, stage=stage, status=status, last_event_on=latest,
                       next_step=None, next_due=None, next_basis=None)
    return values


def _assign(case: Case, values: dict[str, Any]) -> bool:
    """Set what differs; True when something did."""
    changed = False
    for name, value in values.items():
        if getattr(case, name) != value:
            setattr(case, name, value)
            changed = True
    return changed
