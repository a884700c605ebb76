"""Which stored case a notice's step belongs to, and what the step changes in it: decisions on
plain data (storage/cases.py and storage/history.py look the cases up and store the outcome).

A notice joins the case that shares one of its numbers; else a case of its market, product,
origin and measure that no number contradicts, where a step of an investigation joins only an
investigation begun within the statutory span of it (rules/cases.py). Among several, an open case
before a closed one and the oldest record first; a later step (review, sunset, scope) prefers a
case past its investigation.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date

from rules.cases import is_investigation_step, numbers_contradict, same_investigation

CLOSING_STAGES = frozenset({"revocation", "termination"})
ROLE_RANK = {"none": 0, "circumvention": 1, "subject": 2}


@dataclass(frozen=True)
class CaseLink:
    """A notice's place in one case, as the rule engine worked it out."""

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
    # A correction restates an earlier notice's step: it joins the timeline, moves no clock.
    restates: bool = False


@dataclass(frozen=True)
class KnownCase:
    """A stored case as the linking rule sees it."""

    id: int
    numbers: tuple[str, ...]
    began: date | None  # when its investigation began, as far as known
    proceeding: str
    stage: str
    closed: bool


@dataclass(frozen=True)
class CaseState:
    """What a step may change in a case."""

    vietnam: str
    opened_on: date | None
    last_event_on: date | None
    proceeding: str
    stage: str
    status: str
    next_step: str | None
    next_due: date | None
    next_basis: str | None
    # What opened the case (OPENINGS), and the stage of its first step known.
    opened_by: str | None = None
    first_stage: str | None = None


# What opens a case, for counting: a new investigation, a circumvention inquiry, a review of an
# order older than any notice, or a case first seen at a later step (its first stage says which).
OPENINGS = ("investigation", "circumvention", "review", "later")


def opening(proceeding: str, stage: str) -> str:
    """What a case's first step says opened it."""
    if stage not in ("petition", "initiation"):
        return "later"
    return proceeding if proceeding in ("investigation", "circumvention") else "review"


def investigation_began(listed: bool, opened_on: date | None, ordered_on: date | None,
                        steps: Iterable[tuple[str, str, date | None]]) -> date | None:
    """When a case's investigation began, as far as known: for a case of the historic lists
    (`listed`), its opening (else order) date; else the date of its first notice when that
    notice is a step of the investigation. None for a case known only from later steps: the
    reviews or sunset of an order older than any notice. Dates, not the case's current stage,
    decide, as notices may be analysed in any order."""
    if listed:
        return opened_on or ordered_on
    dated = sorted((on, proceeding, stage) for proceeding, stage, on in steps if on)
    if dated and is_investigation_step(dated[0][1], dated[0][2]):
        return dated[0][0]
    return None


def may_join(known: KnownCase, link: CaseLink) -> bool:
    """Whether a case of the link's market, product, origin and measure is the link's case: no
    number of a lifelong kind contradicts it, and a step of an investigation joins only an
    investigation begun within the statutory span of it (an undated notice: any)."""
    if numbers_contradict(link.numbers, list(known.numbers)):
        return False
    if not is_investigation_step(link.proceeding, link.stage):
        return True
    if known.began is None:
        return False
    return link.event_on is None or same_investigation(known.began, link.event_on)


def fits_listed_case(stored_numbers: Iterable[str], began: date | None,
                     listed_numbers: list[str], listed_began: date | None) -> bool:
    """Whether a stored case without a Commerce number can be a case of the historic lists: no
    number contradicts it, and an investigation it is known to have begun is the listed one."""
    if numbers_contradict(listed_numbers, list(stored_numbers)):
        return False
    return began is None or same_investigation(began, listed_began)


def preference(link: CaseLink) -> Callable[[KnownCase], tuple[bool, bool, int]]:
    """Among joinable cases: open before closed, then the oldest record (the lists' own, before
    duplicates); for a later step (review, sunset, scope) a case past its investigation first."""
    later_step = not is_investigation_step(link.proceeding, link.stage)

    def rank(known: KnownCase) -> tuple[bool, bool, int]:
        running = is_investigation_step(known.proceeding, known.stage) and known.stage != "order"
        return (later_step and running, known.closed, known.id)
    return rank


def choose(candidates: Iterable[KnownCase], link: CaseLink) -> KnownCase | None:
    """The case of the link among cases of its market, product, origin and measure, if any."""
    return min((k for k in candidates if may_join(k, link)), key=preference(link), default=None)


def stronger_role(current: str | None, found: str) -> str:
    """Vietnam's role in a case only grows: a circumvention target may become a subject."""
    return found if ROLE_RANK.get(found, 0) > ROLE_RANK.get(current or "none", 0) else (
        current or "none")


def advanced(state: CaseState, link: CaseLink) -> CaseState:
    """The case after a step: the newest step sets its stage and next expectation; an earlier
    one, or a correction of one, can only move its opening back (and with it what opened the
    case); Vietnam's role only grows."""
    state = replace(state, vietnam=stronger_role(state.vietnam, link.vietnam))
    if link.event_on and state.opened_on and link.event_on < state.opened_on:
        state = replace(state, opened_on=link.event_on, opened_by=opening(
            link.proceeding, link.stage), first_stage=link.stage)
    if state.opened_by is None:
        state = replace(state, opened_by=opening(link.proceeding, link.stage),
                        first_stage=link.stage)
    if link.restates or (state.last_event_on and link.event_on
                         and link.event_on < state.last_event_on):
        return state
    return replace(
        state, proceeding=link.proceeding, stage=link.stage,
        last_event_on=link.event_on or state.last_event_on,
        status="closed" if link.stage in CLOSING_STAGES else "open",
        next_step=link.next_step, next_due=link.next_due, next_basis=link.next_basis)
