"""The filters of a match index: which subscriptions a notice's market, measures, Vietnam role
and severity let through, as bitsets over the index's subscriptions (rules/bitsets.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rules.bitsets import bits_of
from rules.severity import rank
from rules.subscriptions import ROLES, SEVERITIES, Subscription

if TYPE_CHECKING:
    from rules.matching import NoticeFacts


class Filters:
    """Bitsets of the subscriptions by the restrictions they chose, built once per index."""

    def __init__(self, subs: Sequence[Subscription], nbytes: int) -> None:
        market: dict[str, list[int]] = {}
        measure: dict[str, list[int]] = {}
        any_market: list[int] = []
        any_measure: list[int] = []
        role: dict[str, list[int]] = {r: [] for r in ROLES}
        floor: list[list[int]] = [[] for _ in SEVERITIES]  # by min_severity rank
        for i, sub in enumerate(subs):
            floor[rank(sub.min_severity)].append(i)
            for code in sub.markets:
                market.setdefault(code, []).append(i)
            if not sub.markets:
                any_market.append(i)
            for name in sub.measures:
                measure.setdefault(name, []).append(i)
            if not sub.measures:
                any_measure.append(i)
            for name in sub.vietnam_roles:
                role[name].append(i)
        population = (1 << len(subs)) - 1
        self.market = {m: bits_of(v, nbytes) for m, v in market.items()}
        self.measure = {m: bits_of(v, nbytes) for m, v in measure.items()}
        self.any_market = bits_of(any_market, nbytes)
        self.market_restricted = population ^ self.any_market
        self.any_measure = bits_of(any_measure, nbytes)
        self.measure_restricted = population ^ self.any_measure
        self.role = {r: bits_of(v, nbytes) for r, v in role.items()}
        self.floor = [bits_of(v, nbytes) for v in floor]  # min_severity == rank
        # severity -> the subscriptions whose min_severity it meets
        self.severity = {s: bits_of([i for v in floor[:r + 1] for i in v], nbytes)
                         for r, s in enumerate(SEVERITIES)}

    def allowed(self, facts: NoticeFacts) -> int:
        """The subscriptions that let a notice with these facts through."""
        assert facts.role is not None
        ok = self.role[facts.role] & self.severity[facts.severity]
        ok &= self.any_market | self.market.get(facts.market or "", 0)
        measures = self.any_measure
        for name in facts.measures:
            measures |= self.measure.get(name, 0)
        return ok & measures
