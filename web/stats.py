"""Statistics of Vietnam's cases as one view for both the charts and their tables, so the
accessible table always shows exactly what the chart draws."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field

from web.coverage import Coverage
from web.labels import PageLabels
from web.queries import CaseStats

# Beyond this many groups a stacked bar is unreadable on a phone; the rest are summed.
MAX_SERIES = 8


@dataclass(frozen=True)
class Series:
    label: str
    values: list[int | None]  # None: a year before the market's data is complete (no bar, "–")
    total: int


@dataclass(frozen=True)
class Table:
    """One breakdown: a chart of `series` over `columns`, and the same numbers as a table."""

    id: str
    title: str
    kind: str
    columns: list[str]
    series: list[Series]


@dataclass(frozen=True)
class Openings:
    """What opened the cases of one market (rules.case_identity.OPENINGS): the new
    investigations and circumvention inquiries, the headline, apart from the rest."""

    market: str
    counts: Counter[str]

    @property
    def new(self) -> int:
        return self.counts["investigation"] + self.counts["circumvention"]


@dataclass(frozen=True)
class StatsView:
    tables: list[Table]
    total: int
    coverage: list[Coverage] = field(default_factory=list)
    openings: list[Openings] = field(default_factory=list)

    @property
    def opened_by(self) -> Counter[str]:
        """What opened the cases, all markets together."""
        return sum((market.counts for market in self.openings), Counter())

    @property
    def new(self) -> int:
        """The headline: new investigations and circumvention inquiries on Vietnam."""
        return sum(market.new for market in self.openings)

    def chart_data(self) -> list[dict[str, object]]:
        """What static/stats.js draws (passed as JSON, escaped by Jinja's tojson)."""
        return [asdict(table) for table in self.tables]


def _by_year(id_: str, title: str, stats: CaseStats, groups: dict[str, Counter[int]],
             name: Callable[[str], str], other: str,
             complete_from: Mapping[str, int | None] | None = None) -> Table:
    """A bar per year; with `complete_from`, a group's years before its data is complete are
    left empty rather than drawn as zero."""
    def counted(key: str, year: int, counts: Counter[int]) -> int | None:
        first = complete_from.get(key) if complete_from is not None else None
        return None if first is not None and year < first and not counts[year] else counts[year]

    series = [Series(name(key), [counted(key, y, counts) for y in stats.years], counts.total())
              for key, counts in groups.items()]
    if len(series) > MAX_SERIES:
        rest = series[MAX_SERIES - 1:]
        summed: list[int | None] = [sum(v or 0 for v in values)
                                    for values in zip(*(s.values for s in rest), strict=True)]
        series = [*series[:MAX_SERIES - 1], Series(other, summed, sum(v or 0 for v in summed))]
    return Table(id_, title, "bar", [str(y) for y in stats.years], series)


def stats_view(stats: CaseStats, labels: PageLabels,
               coverage: Mapping[str, Coverage] | None = None,
               openings: Mapping[str, Counter[str]] | None = None) -> StatsView:
    _ = labels._
    other = _("Others")
    stages = sorted(stats.open_by_stage.items(), key=lambda item: (-item[1], item[0]))
    open_table = Table("open-by-stage", _("Open cases by stage"), "stage",
                       [labels.stage(stage) for stage, _n in stages],
                       [Series(_("Open cases"), [n for _stage, n in stages],
                               sum(n for _stage, n in stages))])
    return StatsView([
        _by_year("by-market", _("Cases per year by market"), stats, stats.by_market,
                 labels.country, other,
                 {market: c.complete_from for market, c in (coverage or {}).items()}),
        _by_year("by-sector", _("Cases per year by sector"), stats, stats.by_sector,
                 labels.sector, other),
        _by_year("by-measure", _("Cases per year by measure"), stats, stats.by_measure,
                 labels.measure, other),
        _by_year("by-opening", _("Cases per year by what opened them"), stats,
                 stats.by_opening, labels.opening, other),
        open_table,
    ], stats.total, list((coverage or {}).values()),
        [Openings(market, counts) for market, counts in (openings or {}).items()])
