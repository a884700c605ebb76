"""Statistics of Vietnam's cases as one view for both the charts and their tables, so the
accessible table always shows exactly what the chart draws."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass

from web.labels import PageLabels
from web.queries import CaseStats

# Beyond this many groups a stacked bar is unreadable on a phone; the rest are summed.
MAX_SERIES = 8


@dataclass(frozen=True)
class Series:
    label: str
    values: list[int]
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
class StatsView:
    tables: list[Table]
    total: int

    def chart_data(self) -> list[dict[str, object]]:
        """What static/stats.js draws (passed as JSON, escaped by Jinja's tojson)."""
        return [asdict(table) for table in self.tables]


def _by_year(id_: str, title: str, stats: CaseStats, groups: dict[str, Counter[int]],
             name: Callable[[str], str], other: str) -> Table:
    series = [Series(name(key), [counts[y] for y in stats.years], counts.total())
              for key, counts in groups.items()]
    if len(series) > MAX_SERIES:
        rest = series[MAX_SERIES - 1:]
        summed = [sum(values) for values in zip(*(s.values for s in rest), strict=True)]
        series = [*series[:MAX_SERIES - 1], Series(other, summed, sum(summed))]
    return Table(id_, title, "bar", [str(y) for y in stats.years], series)


def stats_view(stats: CaseStats, labels: PageLabels) -> StatsView:
    _ = labels._
    other = _("Others")
    stages = sorted(stats.open_by_stage.items(), key=lambda item: (-item[1], item[0]))
    open_table = Table("open-by-stage", _("Open cases by stage"), "stage",
                       [labels.stage(stage) for stage, _n in stages],
                       [Series(_("Open cases"), [n for _stage, n in stages],
                               sum(n for _stage, n in stages))])
    return StatsView([
        _by_year("by-market", _("Cases per year by market"), stats, stats.by_market,
                 labels.country, other),
        _by_year("by-sector", _("Cases per year by sector"), stats, stats.by_sector,
                 labels.sector, other),
        _by_year("by-measure", _("Cases per year by measure"), stats, stats.by_measure,
                 labels.measure, other),
        open_table,
    ], stats.total)
