"""Severity as subscribers read it (DOMAIN.md section 5), with the reason that set it.

high: Vietnam is subject or circumvention target and the notice opens a case or changes what is
paid, or a deadline for Vietnamese parties falls within 14 days. medium: Vietnam in a review,
sunset, scope, court or other step; a safeguard (all origins); a new case or order on another
origin in a Vietnamese export sector (diversion risk). low: any other trade remedy.
"""

from datetime import date

from rules.notice import Deadline

OPENING_OR_PAYING = {"petition", "initiation", "preliminary", "final", "order"}
# Reviews, scope and court steps on Vietnam are medium (section 5), whatever their stage.
CASE_PROCEEDINGS = {"investigation", "circumvention", "other"}
URGENT_DAYS = 14
_RANK = {"low": 0, "medium": 1, "high": 2}


def rank(severity: str | None) -> int:
    """Order of severities for comparisons; None (not a trade remedy) ranks below low."""
    return _RANK.get(severity or "", -1)


def _urgent(deadlines: list[Deadline], published: date | None) -> Deadline | None:
    if published is None:
        return None
    for d in deadlines:
        if 0 <= (d.date - published).days <= URGENT_DAYS:
            return d
    return None


def assess(
    *,
    trade_remedy: bool,
    vietnam: str,
    proceeding: str,
    stage: str,
    new_case: bool,
    measures: list[str],
    sectors: list[str],
    market: str | None,
    deadlines: list[Deadline],
    published: date | None,
    global_safeguard: bool = False,
) -> tuple[str | None, str]:
    """(severity, reason); severity None for a notice that is not a trade remedy."""
    if not trade_remedy:
        return None, "no severity: not a trade remedy"
    if market == "VN":
        return "low", ("low: Vietnam's own case on imports (market VN): information for "
                       "domestic producers and importers, no export warning")
    involved = vietnam in ("subject", "circumvention")
    urgent = _urgent(deadlines, published)
    if global_safeguard:
        if involved and urgent is not None:
            return "high", (f"high: a global safeguard covers Vietnam and a {urgent.kind} deadline "
                            f"({urgent.date.isoformat()}) falls within {URGENT_DAYS} days")
        if involved:
            return "medium", (f"medium: a safeguard covering all origins ({stage} step), "
                              "Vietnam's exports included")
        return "low", "low: a safeguard covering all origins, but Vietnam is excluded"
    if involved:
        if new_case or (stage in OPENING_OR_PAYING and proceeding in CASE_PROCEEDINGS):
            return "high", (f"high: Vietnam is {vietnam} and the notice is a {stage} step of "
                            f"a {proceeding}")
        if urgent is not None:
            return "high", (f"high: Vietnam is {vietnam} and a {urgent.kind} deadline "
                            f"({urgent.date.isoformat()}) falls within {URGENT_DAYS} days")
        return "medium", f"medium: Vietnam is {vietnam} in a {proceeding} ({stage}) step"
    if "SG" in measures:
        return "medium", "medium: a safeguard on other named origins (trade-diversion risk)"
    watched = [s for s in sectors if s != "other"]
    if (new_case or stage == "order") and watched and market != "VN":
        return "medium", (f"medium: trade-diversion risk, a new case/order on another origin in "
                          f"Vietnamese export sector(s) {', '.join(watched)}")
    return "low", "low: a step on other origins; information for the sector"
