"""Cases: split a multi-case notice per case number, and key notices so they link into cases.

One FR notice may cover several orders (shrimp from China, India, Thailand and Vietnam under four
numbers); alerts and storage want one row per case, each with its origin and Vietnam flag.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from rules.case_numbers import measure_of, origin_of
from rules.clock import NextStep, announces_postponement, next_step
from rules.countries import VIETNAM
from rules.notice import Analysis, CaseEntry
from rules.sectors import product_part
from rules.text import folded_key


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
_LEADING_CERTAIN = re.compile(r"^(?:certain|some) ")


def product_key(title: str) -> str:
    """The product of a title, folded and singularised, so 'Certain Paper Shopping Bags' and
    'Paper Shopping Bag' are one product."""
    product = folded_key(product_part(title) or "").strip()
    return _LEADING_CERTAIN.sub("", product)


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
            keys.append(CaseKey(market, origin, measure, product, tuple(numbers),
                                _role(origin, role)))
    return keys


@dataclass(frozen=True)
class CaseStep:
    """A notice's step in one case, with what is expected next by the statutory clock."""

    key: CaseKey
    proceeding: str
    stage: str
    event_on: date | None
    next: NextStep | None


def case_steps(analysis: Mapping[str, Any], title: str, published: date | None) -> list[CaseStep]:
    """Every case the notice moves, and each one's next expected step and date."""
    proceeding = str(analysis.get("proceeding") or "other")
    stage = str(analysis.get("stage") or "other")
    postponed = announces_postponement(title)
    steps = []
    for key in case_keys(analysis, title):
        expected = None
        if published is not None:
            expected = next_step(key.market, proceeding, stage,
                                 [key.measure] if key.measure else [], published,
                                 postponed=postponed)
        steps.append(CaseStep(key, proceeding, stage, published, expected))
    return steps
