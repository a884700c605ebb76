"""Linking notices into cases: find a case by a shared number, else by market, product, origin
and measure when nothing says it is another case (the rule: rules/cases.py), else open one; then
add the notice to its timeline."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from rules.cases import is_investigation_step, numbers_contradict, same_investigation
from storage.models import Case, CaseEvent, CaseNumber, Notice

CLOSING_STAGES = {"revocation", "termination"}
ROLE_RANK = {"none": 0, "circumvention": 1, "subject": 2}


@dataclass(frozen=True)
class CaseLink:
    """A notice's place in one case, as the rule engine worked it out (plain data)."""

    market: str
    origin: str | None
    measure: str | None
    product: str
    numbers: tuple[str, ...]
    vietnam: str
    proceeding: str
    stage: str
    event_on: date | None
    next_step: str | None = None
    next_due: date | None = None
    next_basis: str | None = None


def _find_case(session: Session, link: CaseLink) -> Case | None:
    if link.numbers:
        by_number = session.scalars(
            select(Case).join(CaseNumber, CaseNumber.case_id == Case.id)
            .where(CaseNumber.market == link.market, CaseNumber.number.in_(link.numbers))
            .order_by(Case.id)
        ).first()
        if by_number is not None:
            return by_number
    if not link.product or link.origin is None:
        return None
    alike = session.scalars(
        select(Case).where(Case.market == link.market, Case.product == link.product,
                           Case.origin == link.origin, Case.measure == link.measure)
        .order_by(Case.id)
    ).all()
    if not alike:
        return None
    ids = [case.id for case in alike]
    numbers: dict[int, list[str]] = defaultdict(list)
    for case_id, number in session.execute(
            select(CaseNumber.case_id, CaseNumber.number).where(CaseNumber.case_id.in_(ids))):
        numbers[case_id].append(number)
    steps: dict[int, list[tuple[str, str, date | None]]] = defaultdict(list)
    for case_id, proceeding, stage, event_on in session.execute(
            select(CaseEvent.case_id, CaseEvent.proceeding, CaseEvent.stage, CaseEvent.event_on)
            .where(CaseEvent.case_id.in_(ids))):
        steps[case_id].append((proceeding, stage, event_on))
    known = [Known(case, numbers[case.id], investigation_began(case, steps[case.id]))
             for case in alike]
    best = min((k for k in known if may_join(k, link)), key=_preference(link), default=None)
    return best.case if best else None


@dataclass(frozen=True)
class Known:
    """A stored case as the linking rule sees it: its numbers, and when its investigation began."""

    case: Case
    numbers: list[str]
    began: date | None


def investigation_began(case: Case, steps: Iterable[tuple[str, str, date | None]]) -> date | None:
    """When the case's investigation began, as far as known: the lists' opening (else order) date;
    else the date of its first notice when that notice is a step of the investigation. None for a
    case known only from later steps: the reviews or sunset of an order older than any notice.
    Dates, not the case's current stage, decide, as notices may be analysed in any order."""
    if case.history_rows:
        return case.opened_on or case.ordered_on
    dated = sorted((on, proceeding, stage) for proceeding, stage, on in steps if on)
    if dated and is_investigation_step(dated[0][1], dated[0][2]):
        return dated[0][0]
    return None


def may_join(known: Known, link: CaseLink) -> bool:
    """Whether a case of the link's market, product, origin and measure is the link's case
    (rules/cases.py): no number of a lifelong kind contradicts it, and a step of an investigation
    joins only an investigation begun within the statutory span of it (an undated notice: any)."""
    if numbers_contradict(link.numbers, known.numbers):
        return False
    if not is_investigation_step(link.proceeding, link.stage):
        return True
    if known.began is None:
        return False
    return link.event_on is None or same_investigation(known.began, link.event_on)


def _preference(link: CaseLink) -> Callable[[Known], tuple[bool, bool, int]]:
    """Among joinable cases: open before closed, then the oldest record (the lists' own, before
    duplicates); for a later step (review, sunset, scope) a case past its investigation first."""
    later_step = not is_investigation_step(link.proceeding, link.stage)

    def rank(known: Known) -> tuple[bool, bool, int]:
        case = known.case
        running = is_investigation_step(case.proceeding, case.stage) and case.stage != "order"
        return (later_step and running, case.status == "closed", case.id)
    return rank


def _add_numbers(session: Session, case: Case, link: CaseLink) -> None:
    """Give the case the numbers it lacks; a number already owned by another case stays there."""
    owned = set(session.scalars(select(CaseNumber.number).where(
        CaseNumber.market == link.market, CaseNumber.number.in_(link.numbers))))
    for number in link.numbers:
        if number not in owned:
            session.add(CaseNumber(case_id=case.id, market=link.market, number=number))
            owned.add(number)


def _advance(case: Case, link: CaseLink) -> None:
    """The newest step sets the case's stage and next expectation; Vietnam's role only grows."""
    if ROLE_RANK.get(link.vietnam, 0) > ROLE_RANK.get(case.vietnam, 0):
        case.vietnam = link.vietnam
    if link.event_on and case.opened_on and link.event_on < case.opened_on:
        case.opened_on = link.event_on
    if case.last_event_on and link.event_on and link.event_on < case.last_event_on:
        return
    case.proceeding, case.stage = link.proceeding, link.stage
    case.last_event_on = link.event_on or case.last_event_on
    case.status = "closed" if link.stage in CLOSING_STAGES else "open"
    case.next_step, case.next_due, case.next_basis = link.next_step, link.next_due, link.next_basis


def link_notice(session: Session, notice: Notice, link: CaseLink) -> Case:
    """Put `notice` on its case's timeline (once), creating the case if it is new."""
    case = _find_case(session, link)
    if case is None:
        case = Case(market=link.market, origin=link.origin, measure=link.measure,
                    product=link.product, vietnam="none", proceeding=link.proceeding,
                    stage=link.stage, opened_on=link.event_on)
        session.add(case)
        session.flush()
    _add_numbers(session, case, link)
    known = session.scalars(select(CaseEvent.id).where(
        CaseEvent.case_id == case.id, CaseEvent.notice_id == notice.id)).first()
    if known is None:
        session.add(CaseEvent(case_id=case.id, notice_id=notice.id, proceeding=link.proceeding,
                              stage=link.stage, event_on=link.event_on))
    _advance(case, link)
    return case
