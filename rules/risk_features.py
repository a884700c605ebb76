"""What a person looks at before warning that a product may be next, as counts per (market, HS
heading) on a cut-off date, each with the cases that make it up.

The patterns (DOMAIN.md, "trade-diversion risk"): after cases and orders on Chinese goods,
producers move and the same market opens a case or a circumvention inquiry on Vietnam; a product
under several orders is a magnet; a case in one market is followed in others. Every count is
taken from `visible(records, cutoff)` alone, so nothing dated after the cut-off can enter.

Trade flows enter through `TradeFlows`: a source of import statistics gives its own figures per
heading, from data published by the cut-off. None is bundled, so none is used (no invented data).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from math import log1p
from typing import Protocol

from rules.risk_records import CHINA, CIRCUMVENTION, CaseRecord, months_before, visible

# A heading where Vietnam already has a case this recent is under investigation, not at risk.
ALREADY_OPEN_MONTHS = 24
HOME_MARKET = "VN"  # no Vietnamese goods are investigated in Vietnam
RELATED_MONTHS = 60

FEATURES = (
    "china_cases_12m", "china_cases_24m", "china_cases_36m", "other_cases_24m",
    "orders_in_force", "china_orders_36m", "circumvention_36m", "vietnam_related_60m",
    "vietnam_before", "other_markets_36m",
)


class TradeFlows(Protocol):
    """An import-statistics source: figures for a (market, heading) known on `cutoff` (for
    example Vietnam's share of the market's imports and its growth), named by `names`."""

    names: tuple[str, ...]

    def figures(self, market: str, heading: str, cutoff: date) -> dict[str, float]: ...


@dataclass(frozen=True)
class HeadingFeatures:
    """The counts of one (market, heading) on one date, and the cases behind each count."""

    market: str
    heading: str
    cutoff: date
    counts: dict[str, float]
    evidence: dict[str, tuple[CaseRecord, ...]] = field(default_factory=dict)

    def vector(self, names: Sequence[str] = FEATURES) -> list[float]:
        """The model's inputs: log(1 + count), so the tenth case weighs less than the first (a
        trade-flow figure, which may be negative, as it is)."""
        return [log1p(self.counts.get(name, 0.0)) if name in FEATURES
                else self.counts.get(name, 0.0) for name in names]


def _recent(records: Iterable[CaseRecord], since: date) -> list[CaseRecord]:
    return [r for r in records if r.opened_on is not None and r.opened_on > since]


def _newest_first(records: Iterable[CaseRecord]) -> tuple[CaseRecord, ...]:
    return tuple(sorted(records, key=lambda r: (r.known_on or date.min, r.ref), reverse=True))


class _Index:
    """The visible records by (market, heading), by heading across markets, and Vietnam's by
    (market, chapter)."""

    def __init__(self, records: list[CaseRecord]) -> None:
        self.by_key: dict[tuple[str, str], list[CaseRecord]] = defaultdict(list)
        self.markets_of: dict[str, set[str]] = defaultdict(set)
        self.vietnam_by_chapter: dict[tuple[str, str], list[CaseRecord]] = defaultdict(list)
        for record in records:
            for heading in record.headings:
                self.by_key[(record.market, heading)].append(record)
                self.markets_of[heading].add(record.market)
            if record.on_vietnam:
                for chapter in sorted({heading[:2] for heading in record.headings}):
                    self.vietnam_by_chapter[(record.market, chapter)].append(record)


def heading_features(records: Iterable[CaseRecord], cutoff: date,
                     flows: Sequence[TradeFlows] = ()) -> list[HeadingFeatures]:
    """The features of every (market, heading) some case known on `cutoff` touches, leaving out
    Vietnam's own market and those where Vietnam had a case opened in the last
    ALREADY_OPEN_MONTHS."""
    index = _Index(visible(records, cutoff))
    since = {months: months_before(cutoff, months) for months in (12, 24, 36, RELATED_MONTHS)}
    result = []
    for (market, heading), here in sorted(index.by_key.items()):
        if market == HOME_MARKET:  # Vietnam's own cases are on imports: evidence, not a target
            continue
        if any(r.on_vietnam for r in _recent(here, since[ALREADY_OPEN_MONTHS])):
            continue
        evidence = _evidence(index, market, heading, here, cutoff, since)
        counts = {name: float(len(found)) for name, found in evidence.items()}
        for source in flows:
            counts.update(source.figures(market, heading, cutoff))
        result.append(HeadingFeatures(market, heading, cutoff, counts,
                                      {k: _newest_first(v) for k, v in evidence.items()}))
    return result


def _evidence(index: _Index, market: str, heading: str, here: list[CaseRecord], cutoff: date,
              since: dict[int, date]) -> dict[str, list[CaseRecord]]:
    cases = [r for r in here if r.measure != CIRCUMVENTION and not r.on_vietnam]
    china = [r for r in cases if r.origin == CHINA]
    related = [r for r in _recent(index.vietnam_by_chapter[(market, heading[:2])],
                                  since[RELATED_MONTHS]) if heading not in r.headings]
    elsewhere = [r for other in sorted(index.markets_of[heading] - {market})
                 for r in _recent(index.by_key[(other, heading)], since[36])]
    return {
        "china_cases_12m": _recent(china, since[12]),
        "china_cases_24m": _recent(china, since[24]),
        "china_cases_36m": _recent(china, since[36]),
        "other_cases_24m": [r for r in _recent(cases, since[24]) if r.origin != CHINA],
        "orders_in_force": [r for r in cases if r.in_force(cutoff)],
        "china_orders_36m": [r for r in china if r.ordered_on and r.ordered_on > since[36]],
        "circumvention_36m": [r for r in _recent(here, since[36]) if r.measure == CIRCUMVENTION],
        "vietnam_related_60m": related,
        "vietnam_before": [r for r in here if r.on_vietnam],
        "other_markets_36m": elsewhere,
    }


def opened_on_vietnam(records: Iterable[CaseRecord], after: date,
                      until: date) -> set[tuple[str, str]]:
    """The (market, heading) pairs where a case on Vietnam opened in (after, until]: what the
    forecast made on `after` is judged against. Callers pass only records known on `until`."""
    return {(r.market, heading) for r in records
            if r.on_vietnam and r.opened_on is not None and after < r.opened_on <= until
            for heading in r.headings}

