"""Split a multi-case notice into one entry per case number, saying which concerns Vietnam.

One FR notice may cover several orders (shrimp from China, India, Thailand and Vietnam under four
numbers); alerts and storage want one row per case, each with its origin and Vietnam flag.
"""

from collections.abc import Mapping
from typing import Any

from rules.case_numbers import measure_of, origin_of
from rules.countries import VIETNAM
from rules.notice import Analysis, CaseEntry


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
