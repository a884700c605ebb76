"""Case identity on plain data (rules/case_identity.py): which stored case a step joins and what
it changes, decided without a database."""

from datetime import date

from rules.case_identity import (
    CaseLink,
    CaseState,
    KnownCase,
    advanced,
    choose,
    fits_listed_case,
    investigation_began,
    may_join,
)


def link(**changes) -> CaseLink:
    base = dict(market="US", origin="VN", measure="AD", product="shrimp", numbers=(),
                vietnam="subject", proceeding="investigation", stage="initiation",
                event_on=date(2023, 11, 1))
    return CaseLink(**(base | changes))


def known(id_: int, **changes) -> KnownCase:
    base = dict(id=id_, numbers=(), began=date(2023, 10, 10), proceeding="investigation",
                stage="initiation", closed=False)
    return KnownCase(**(base | changes))


def test_a_new_investigation_does_not_join_an_old_order() -> None:
    old_order = known(1, numbers=("A-552-802",), began=date(2004, 1, 1), stage="order")
    assert not may_join(old_order, link())
    assert choose([old_order], link()) is None
    assert choose([old_order, known(2)], link()).id == 2


def test_a_contradicting_number_keeps_cases_apart_and_a_review_joins_the_order() -> None:
    assert not may_join(known(1, numbers=("A-552-801",)), link(numbers=("A-552-802",)))
    review = link(proceeding="administrative_review", stage="results")
    order, running = known(1, stage="order"), known(2)
    assert choose([running, order], review).id == 1


def test_the_investigation_began_with_its_first_dated_step() -> None:
    steps = [("administrative_review", "results", date(2020, 3, 1)),
             ("investigation", "initiation", date(2019, 1, 5))]
    assert investigation_began(False, None, None, steps) == date(2019, 1, 5)
    assert investigation_began(False, None, None, steps[:1]) is None
    assert investigation_began(True, None, date(2005, 2, 1), steps) == date(2005, 2, 1)


def test_a_step_advances_the_case_and_vietnam_role_only_grows() -> None:
    state = CaseState("subject", date(2023, 10, 10), date(2023, 11, 1), "investigation",
                      "initiation", "open", None, None, None)
    later = advanced(state, link(vietnam="none", stage="termination", event_on=date(2024, 5, 1)))
    assert (later.vietnam, later.stage, later.status) == ("subject", "termination", "closed")
    earlier = advanced(state, link(stage="petition", event_on=date(2023, 9, 20)))
    assert earlier.stage == "initiation" and earlier.opened_on == date(2023, 9, 20)


def test_a_listed_case_fits_only_its_own_investigation() -> None:
    assert fits_listed_case([], None, ["A-552-802"], date(2004, 1, 1))
    assert not fits_listed_case(["A-552-801"], None, ["A-552-802"], date(2004, 1, 1))
    assert not fits_listed_case([], date(2023, 10, 10), [], date(2004, 1, 1))
