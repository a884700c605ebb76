"""Linking notices into cases: find a case by a shared number, else by market, product, origin
and measure, else open one; then add the notice to its timeline."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

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
    return session.scalars(
        select(Case).where(Case.market == link.market, Case.product == link.product,
                           Case.origin == link.origin, Case.measure == link.measure)
        .order_by(Case.id)
    ).first()


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
