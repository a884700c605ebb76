"""A backtest of the risk watch that cannot see the future: rolling origin, one forecast per
quarter, each made from `visible(records, cutoff)` alone (features, training outcomes and all).

For each quarter from FIRST_QUARTER: train on earlier dates whose outcome window had closed by
the cut-off, rank the headings, and check which were opened against Vietnam in the next
HORIZON_MONTHS. The same check is made for two baselines a person could draw up by hand: every
heading with a case on China in the last 24 months (most such cases first), and every heading
with an order in force (most orders first). Quarters whose window reaches into the last
HELD_OUT_YEARS of the data are held out of all tuning and reported apart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from rules.risk_features import (
    FEATURES,
    HeadingFeatures,
    TradeFlows,
    heading_features,
    opened_on_vietnam,
)
from rules.risk_model import C, RiskModel, Scored
from rules.risk_records import CaseRecord, months_after, months_before, quarter_starts, visible

HORIZON_MONTHS = 24
FIRST_QUARTER = date(2005, 1, 1)
TRAIN_FROM = date(1990, 1, 1)  # the HS came in 1989: earlier cases have no headings
HELD_OUT_YEARS = 3
TOP = (10, 20, 50)
METHODS = ("model", "china_24m", "orders_in_force")

Key = tuple[str, str]


class FeatureCache:
    """Features per cut-off, for one fixed list of records and trade-flow sources (a date's
    features depend only on what was known that day, so they are the same in every later
    quarter's view)."""

    def __init__(self, flows: Sequence[TradeFlows] = ()) -> None:
        self.flows = tuple(flows)
        self.names = FEATURES + tuple(name for source in self.flows for name in source.names)
        self._by_cutoff: dict[date, list[HeadingFeatures]] = {}

    def get(self, known: Sequence[CaseRecord], cutoff: date) -> list[HeadingFeatures]:
        if cutoff not in self._by_cutoff:
            self._by_cutoff[cutoff] = heading_features(known, cutoff, self.flows)
        return self._by_cutoff[cutoff]


def training_examples(known: Sequence[CaseRecord], cutoff: date, horizon: int,
                      cache: FeatureCache) -> list[tuple[HeadingFeatures, bool]]:
    """(features, opened on Vietnam within `horizon`) for every quarter whose window closed by
    `cutoff`, from `known` (records known on `cutoff`)."""
    examples = []
    for start in quarter_starts(TRAIN_FROM, months_before(cutoff, horizon)):
        outcome = opened_on_vietnam(known, start, months_after(start, horizon))
        examples += [(f, (f.market, f.heading) in outcome) for f in cache.get(known, start)]
    return examples


def forecast(records: Sequence[CaseRecord], cutoff: date, horizon: int = HORIZON_MONTHS,
             c: float = C, cache: FeatureCache | None = None,
             flows: Sequence[TradeFlows] = (),
             ) -> tuple[RiskModel, list[Scored], list[HeadingFeatures]]:
    """The model trained on what was known on `cutoff`, its ranking, and the features ranked."""
    known = visible(records, cutoff)
    cache = cache or FeatureCache(flows)
    model = RiskModel.fit(training_examples(known, cutoff, horizon, cache), cache.names, c=c)
    current = cache.get(known, cutoff)
    return model, model.rank(current), current


def _baseline(current: Sequence[HeadingFeatures], market: str, feature: str) -> list[Key]:
    def newest(f: HeadingFeatures) -> date:
        cases = f.evidence.get(feature, ())
        return max((r.known_on or date.min for r in cases), default=date.min)

    found = [f for f in current if f.market == market and f.counts.get(feature, 0) > 0]
    found.sort(key=lambda f: (-f.counts[feature], -newest(f).toordinal(), f.heading))
    return [(f.market, f.heading) for f in found]


@dataclass(frozen=True)
class Quarter:
    """One forecast and what happened after it."""

    cutoff: date
    held_out: bool
    rankings: dict[str, list[Key]]
    opened: frozenset[Key]
    scored: tuple[Scored, ...] = field(repr=False)

    def hits(self, method: str, k: int) -> int:
        return len(set(self.rankings[method][:k]) & self.opened)

    def precision(self, method: str, k: int) -> float | None:
        listed = len(self.rankings[method][:k])
        return self.hits(method, k) / listed if listed else None


def evaluation_quarters(records: Sequence[CaseRecord], horizon: int = HORIZON_MONTHS,
                        first: date = FIRST_QUARTER) -> tuple[list[date], date, date]:
    """(quarters whose whole window the data covers, the data's last day, first held-out
    window end: a window ending after it reaches into the held-out years)."""
    end = max(r.known_on for r in records if r.known_on)
    held_from = months_before(end, 12 * HELD_OUT_YEARS)
    quarters = [q for q in quarter_starts(first, end) if months_after(q, horizon) <= end]
    return quarters, end, held_from


def backtest(records: Sequence[CaseRecord], market: str = "US", horizon: int = HORIZON_MONTHS,
             c: float = C, first: date = FIRST_QUARTER, until: date | None = None,
             progress: Callable[[date], None] | None = None,
             flows: Sequence[TradeFlows] = ()) -> list[Quarter]:
    """One Quarter per evaluation quarter (up to `until`, when given); `flows`: trade-flow
    sources whose figures join the features."""
    quarters, _, held_from = evaluation_quarters(records, horizon, first)
    cache = FeatureCache(flows)
    results = []
    for cutoff in quarters:
        if until is not None and cutoff > until:
            break
        if progress:
            progress(cutoff)
        window_end = months_after(cutoff, horizon)
        _, scored, current = forecast(records, cutoff, horizon, c, cache)
        opened = opened_on_vietnam(visible(records, window_end), cutoff, window_end)
        rankings = {"model": [(s.market, s.heading) for s in scored if s.market == market],
                    "china_24m": _baseline(current, market, "china_cases_24m"),
                    "orders_in_force": _baseline(current, market, "orders_in_force")}
        results.append(Quarter(cutoff, window_end > held_from, rankings,
                               frozenset(k for k in opened if k[0] == market),
                               tuple(s for s in scored if s.market == market)))
    return results


@dataclass(frozen=True)
class Summary:
    """Precision at each k (mean over quarters), recall at 50 (pooled), for one method."""

    method: str
    quarters: int
    precision: dict[int, float]
    recall_at_50: float
    opened: int
    listed: float


def summarise(quarters: Sequence[Quarter], method: str) -> Summary:
    precision = {}
    for k in TOP:
        values = [p for q in quarters if (p := q.precision(method, k)) is not None]
        precision[k] = sum(values) / len(values) if values else 0.0
    opened = sum(len(q.opened) for q in quarters)
    recall = sum(q.hits(method, 50) for q in quarters) / opened if opened else 0.0
    listed = (sum(len(q.rankings[method]) for q in quarters) / len(quarters)) if quarters else 0.0
    return Summary(method, len(quarters), precision, recall, opened, listed)


def periods(quarters: Sequence[Quarter]) -> dict[str, list[Quarter]]:
    """The tuning quarters, the held-out ones, and all."""
    return {"tuning": [q for q in quarters if not q.held_out],
            "held_out": [q for q in quarters if q.held_out],
            "all": list(quarters)}
