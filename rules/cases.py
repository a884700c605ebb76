"""Cases: split a multi-case notice per case number, key notices so they link into cases, and
say when two records may be one case.

One FR notice may cover several orders (shrimp from China, India, Thailand and Vietnam under four
numbers); alerts and storage want one row per case, each with its origin and Vietnam flag.

Which case a notice joins (applied by rules/case_identity.py; storage only looks cases up):
1. The same case number: the same case.
2. Different numbers of one lifelong kind (`number_kind`: both Commerce, both USITC Title VII...)
   on both sides: different cases, however alike market, product, origin and measure are.
3. Otherwise the same market, product, origin and measure, except that a step of an investigation
   (`is_investigation_step`: petition to order) joins only a case that is itself still an
   investigation and began within `INVESTIGATION_SPAN` of the step. A new investigation on shrimp
   from Vietnam in 2023 is not the 2004 order on shrimp from Vietnam, nor a review or sunset of it.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rules.case_numbers import measure_of, origin_of
from rules.clock import NextStep, announces_postponement, next_step
from rules.countries import VIETNAM
from rules.notice import Analysis, CaseEntry
from rules.sectors import product_part
from rules.stages import is_correction
from rules.text import accented_key, folded_key, has_diacritics


def split_cases(analysis: Analysis | Mapping[str, Any]) -> list[CaseEntry]:
    """One CaseEntry per case number of the analysis (an Analysis or its `to_dict()` form)."""
    data = analysis.to_dict() if isinstance(analysis, Analysis) else analysis
    role = data.get("vietnam", "none")
    entries = []
    for number in data.get("case_numbers") or []:
        origin = origin_of(number)
        if origin == VIETNAM:
            concerns, why = True, "Commerce country code 552: Vietnam is the origin"
        elif origin is not None and role == "circumvention":
            concerns, why = True, f"order on {origin} whose circumvention via Vietnam is at issue"
        elif origin is not None:
            concerns, why = False, f"origin {origin} from the Commerce country code"
        else:
            concerns = role != "none"
            why = "the number does not name one origin; Vietnam flag follows the notice"
        entries.append(CaseEntry(number, measure_of(number), origin, concerns, why))
    return entries


@dataclass(frozen=True)
class CaseKey:
    """What identifies one case: a market's proceeding on one origin and one measure.

    Notices are linked into a case by any shared case number, else by the same market, product,
    origin and measure (ITC title-only notices carry no Commerce number)."""

    market: str
    origin: str | None
    measure: str | None
    product: str
    numbers: tuple[str, ...]
    vietnam: str


GLOBAL = "*"
# The longest investigation the statutes allow, petition to order (DOMAIN.md section 2): the US
# about 417 days (initiation 40, AD preliminary 190, final 135, ITC final and order 52 days), the
# EU 14 months from initiation after up to 45 days from the complaint, India 12 months extendable
# to 18. Two investigation steps further apart than this are two investigations.
INVESTIGATION_SPAN = timedelta(days=548)
# The stages of an investigation itself ('other': its postponements and schedules). A revocation
# or a continuation the classifier files under 'investigation' speaks of an order in force.
INVESTIGATION_STAGES = frozenset({"petition", "initiation", "preliminary", "final", "order",
                                  "termination", "other"})
# Numbers that name one case for its whole life (its reviews and sunsets keep them), by kind.
# Numbers of one proceeding or notice (EU 'R' reviews, Australian ADNs, DGTR files, CBSA and CITT
# codes) are left out: a case collects several of them.
_LIFELONG_NUMBERS = (
    ("commerce", re.compile(r"[AC]-\d{3}-\d{3}")),
    ("itc", re.compile(r"(?:701|731)-TA-\d{1,4}")),
    ("itc_safeguard", re.compile(r"TA-201-\d{1,3}")),
    ("eu", re.compile(r"(?:AD|AS)(?:[1-9]\d{2,3}|0\d{2})")),
)
_LEADING_CERTAIN = re.compile(r"^(?:certain|some) ")
_CERTAIN = re.compile(r"(?:^| )certain(?= |$)")


def number_kind(number: str) -> str | None:
    """'commerce', 'itc', 'itc_safeguard' or 'eu' for a number that names one case for life."""
    return next((kind for kind, shape in _LIFELONG_NUMBERS if shape.fullmatch(number)), None)


def _by_kind(numbers: Iterable[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for number in numbers:
        if kind := number_kind(number):
            found[kind].add(number)
    return found


def numbers_contradict(ours: Iterable[str], theirs: Iterable[str]) -> bool:
    """Both sides hold numbers of one lifelong kind and share none of them: two cases."""
    mine, other = _by_kind(ours), _by_kind(theirs)
    return any(not mine[kind] & other[kind] for kind in mine.keys() & other.keys())


def is_investigation_step(proceeding: str, stage: str) -> bool:
    """A step of an investigation itself, from petition to order."""
    return proceeding == "investigation" and stage in INVESTIGATION_STAGES


def same_investigation(began: date | None, step_on: date | None) -> bool:
    """Whether a step on `step_on` fits an investigation begun on `began`; an undated record
    (an old list row) cannot be placed, so it is not the same."""
    return began is not None and step_on is not None and abs(step_on - began) <= INVESTIGATION_SPAN


def product_key(title: str) -> str:
    """The product of a title, folded and singularised, so 'Certain Paper Shopping Bags' and
    'Paper Shopping Bag' are one product (as is the EU's 'Alkaline batteries (certain)'); a
    Vietnamese product keeps its diacritics ('nhôm định hình'), which its readers need and
    which tell its words apart."""
    part = product_part(title) or ""
    key = accented_key(part) if has_diacritics(part) else folded_key(part)
    return _CERTAIN.sub("", _LEADING_CERTAIN.sub("", key.strip())).strip()


def _role(origin: str | None, notice_role: str) -> str:
    if origin == VIETNAM:
        return "subject"
    if origin == GLOBAL:
        return notice_role
    return "circumvention" if notice_role == "circumvention" else "none"


def case_keys(analysis: Mapping[str, Any], title: str) -> list[CaseKey]:
    """One key per (origin, measure) the notice speaks of, with the case numbers that name it."""
    if not analysis.get("trade_remedy") or not analysis.get("market"):
        return []
    market = str(analysis["market"])
    entries = split_cases(analysis)
    origins = list(analysis.get("countries") or [])
    origins += [e.origin for e in entries if e.origin and e.origin not in origins]
    measures: list[str | None] = list(analysis.get("measures") or []) or [None]
    if not origins:
        origins = [GLOBAL] if "SG" in measures else []
    if not origins and not entries:
        return []
    product = product_key(title)
    role = str(analysis.get("vietnam") or "none")
    # A number that does not name its origin (ITC, EU) identifies the case only when the notice
    # has one origin: an ITC notice on four countries lists four numbers in no telling order.
    unplaced = [e for e in entries if e.origin is None] if len(origins) <= 1 else []
    keys = []
    for origin in origins or [None]:
        for measure in measures:
            numbers = [e.case_number for e in entries
                       if e.origin == origin and e.measure in (measure, None)]
            numbers += [e.case_number for e in unplaced if e.measure in (measure, None)]
            if origin is None and not numbers:
                continue
            keys += [CaseKey(market, origin, measure, product, group, _role(origin, role))
                     for group in _per_case(numbers)]
    return keys


def _per_case(numbers: list[str]) -> list[tuple[str, ...]]:
    """The numbers of one origin and measure, grouped per case: two Commerce numbers (a
    continuation of two orders on pipe from Taiwan) are two cases, and the other numbers cannot
    be told apart between them."""
    commerce = [number for number in numbers if number_kind(number) == "commerce"]
    return [(number,) for number in commerce] if len(commerce) > 1 else [tuple(numbers)]


@dataclass(frozen=True)
class CaseStep:
    """A notice's step in one case, with what is expected next by the statutory clock."""

    key: CaseKey
    proceeding: str
    stage: str
    event_on: date | None
    next: NextStep | None
    # The notice corrects an earlier one (rules.stages.is_correction): no clock moves.
    restates: bool = False


def _stated_event(analysis: Mapping[str, Any]) -> date | None:
    value = analysis.get("event_date")
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def case_steps(analysis: Mapping[str, Any], title: str, published: date | None) -> list[CaseStep]:
    """Every case the notice moves, and each one's next expected step and date, dated at the
    event the text states (a news item's 'Ngày 11/11/2026, ... khởi xướng'), else at the
    notice's publication."""
    published = _stated_event(analysis) or published
    proceeding = str(analysis.get("proceeding") or "other")
    stage = str(analysis.get("stage") or "other")
    postponed = announces_postponement(title)
    restates = is_correction(title)
    steps = []
    for key in case_keys(analysis, title):
        expected = None
        if published is not None and not restates:
            expected = next_step(key.market, proceeding, stage,
                                 [key.measure] if key.measure else [], published,
                                 postponed=postponed, decided_by=deciding_body(key.numbers))
        steps.append(CaseStep(key, proceeding, stage, published, expected, restates))
    return steps


def deciding_body(numbers: Iterable[str]) -> str | None:
    """'USITC' for a notice that carries only the Commission's investigation numbers (its own
    vote, not Commerce's determination), else None."""
    kinds = {number_kind(number) for number in numbers} - {None}
    return "USITC" if kinds and kinds <= {"itc", "itc_safeguard"} else None
