"""Which subscriptions an analysed notice concerns (walking-skeleton matcher, a naive loop).

A subscriber watches sectors; a notice matches when the sectors intersect and Vietnam is subject or
circumvention target, or (if the subscriber wants it) the notice opens a case or order on another
origin in that sector: a trade-diversion warning at medium severity.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rules.severity import rank

SEVERITIES = ("low", "medium", "high")


@dataclass(frozen=True)
class Subscription:
    """What one subscriber wants: sectors, the lowest severity worth an alert, diversion alerts."""

    id: str
    sectors: frozenset[str] | set[str] = field(default_factory=frozenset)
    min_severity: str = "low"
    include_diversion: bool = True

    def __post_init__(self) -> None:
        if self.min_severity not in SEVERITIES:
            raise ValueError(f"min_severity must be one of {SEVERITIES}, not {self.min_severity!r}")


@dataclass(frozen=True)
class Match:
    """One alert to send: which subscription, at what severity, and why."""

    subscription_id: str
    severity: str
    reasons: tuple[str, ...]


def _diversion(analysis: Mapping[str, Any]) -> bool:
    opens = bool(analysis.get("new_case")) or analysis.get("stage") == "order"
    return opens and analysis.get("market") != "VN"


def match(analysis: Mapping[str, Any], subscriptions: Iterable[Subscription]) -> list[Match]:
    """Matches of one analysis (the `to_dict()` form) against every subscription, in order."""
    if not analysis.get("trade_remedy"):
        return []
    sectors = set(analysis.get("sectors") or [])
    vietnam = analysis.get("vietnam")
    out: list[Match] = []
    for sub in subscriptions:
        common = sorted(sectors & set(sub.sectors))
        if not common:
            continue
        if vietnam in ("subject", "circumvention"):
            severity = analysis.get("severity") or "low"
            stage = analysis.get("stage")
            why = f"Vietnam is {vietnam} in a {stage} step; sector(s) {', '.join(common)}"
        elif sub.include_diversion and _diversion(analysis):
            severity = "medium"
            origins = ", ".join(analysis.get("countries") or []) or "other origins"
            why = (f"trade-diversion risk: new case/order on {origins} in sector(s) "
                   f"{', '.join(common)}")
        else:
            continue
        if rank(severity) >= rank(sub.min_severity):
            out.append(Match(sub.id, severity, (why,)))
    return out
