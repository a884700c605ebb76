"""Linking notices into cases: find a case by a shared number, else the cases of the notice's
market, product, origin and measure, of which rules/case_identity.py chooses, else open one; then
add the notice to its timeline and store what the step changes."""

from collections import defaultdict
from dataclasses import fields, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from rules.case_identity import (
    CaseLink,
    CaseState,
    KnownCase,
    advanced,
    choose,
    investigation_began,
)
from storage.models import CASE_NUMBER_CHARS, PRODUCT_CHARS, Case, CaseEvent, CaseNumber, Notice


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
    by_id = {case.id: case for case in alike}
    known = [KnownCase(case.id, tuple(numbers[case.id]), investigation_began(
        bool(case.history_rows), case.opened_on, case.ordered_on, steps[case.id]),
        case.proceeding, case.stage, case.status == "closed") for case in alike]
    best = choose(known, link)
    return by_id[best.id] if best else None


def _add_numbers(session: Session, case: Case, link: CaseLink) -> None:
    """Give the case the numbers it lacks; a number already owned by another case stays there."""
    owned = set(session.scalars(select(CaseNumber.number).where(
        CaseNumber.market == link.market, CaseNumber.number.in_(link.numbers))))
    for number in link.numbers:
        if number not in owned:
            session.add(CaseNumber(case_id=case.id, market=link.market, number=number))
            owned.add(number)


_STATE_FIELDS = [f.name for f in fields(CaseState)]


def _advance(case: Case, link: CaseLink) -> None:
    """Store what the step changes in the case (rules/case_identity.py decides)."""
    now = advanced(CaseState(**{name: getattr(case, name) for name in _STATE_FIELDS}), link)
    for name in _STATE_FIELDS:
        setattr(case, name, getattr(now, name))


def _fitted(link: CaseLink) -> CaseLink:
    """The link within its columns: the product cut to its column's length (the same cut for
    every notice of the product, so they still meet in one case), a number too long for its
    column left out (cut, it would name another case)."""
    return replace(link, product=link.product[:PRODUCT_CHARS],
                   numbers=tuple(n for n in link.numbers if len(n) <= CASE_NUMBER_CHARS))


def link_notice(session: Session, notice: Notice, link: CaseLink) -> Case:
    """Put `notice` on its case's timeline (once), creating the case if it is new."""
    link = _fitted(link)
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
