"""TRAV's public database of other countries' trade-remedy measures on Vietnamese goods
(canhbaosom.trav.gov.vn, "Biện pháp phòng vệ thương mại của các nước", /GetInterventions/Index).

The table has one row per measure x HS code x company and no header texts any public source
records, so cells are read by position, as the only public reader of the live site does (see
replay/recordings/vn_trav_warnings/PROVENANCE.md): [1] GTA id, [2] measure type, [3] applying
country, [4] affected country, [5] HS code, [6] product (English), [7] product (Vietnamese),
[8]-[11] initiation, provisional, final and end dates, [12] company, [13] duty rate. Rows are
grouped back into one measure per GTA id, because a subscriber is warned of a measure, not of
each of its tariff lines.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from parsel import Selector
from scrapy.http import Response

from crawlers.spiders.vn_trav import page_selector, parse_vn_date, squash
from crawlers.tables import LayoutChanged

MIN_CELLS = 14
PAGE_ROWS = 20  # a full page; a shorter one is the last (the pager's last-page link overcounts)
STAGES = ("initiation", "provisional", "final", "end")
STAGE_LABELS = {"initiation": "Khởi xướng", "provisional": "Biện pháp tạm thời",
                "final": "Biện pháp chính thức", "end": "Chấm dứt"}
# The measure's newest step, said in its title: a row of a measure in force is news of that
# step, not of the initiation its first date column holds.
NEWEST_STEP = {"initiation": "initiation of investigation", "provisional": "provisional duties "
               "imposed", "final": "definitive duties imposed", "end": "measure terminated"}
# Dates as the site may write them: TRAV's dd/mm/yyyy, or the ISO form of the GTA data it shows.
ISO_DATE_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
NO_RATE = {"", "%"}  # the site shows a bare "%" where it has no rate


@dataclass(frozen=True)
class MeasureRow:
    """One row of the table: one HS code and one company of one measure."""

    gta_id: str
    measure_type: str
    applying_country: str
    affected_country: str
    hs_code: str
    product_en: str
    product_vi: str
    dates: dict[str, str]
    company: str
    rate: str


@dataclass
class Measure:
    """The rows of one GTA id, merged: HS codes and companies in page order, each stage's latest
    date (rows of one measure can carry different final dates, one per review)."""

    first: MeasureRow
    hs_codes: list[str] = field(default_factory=list)
    rates: dict[str, list[str]] = field(default_factory=dict)
    dates: dict[str, date] = field(default_factory=dict)

    def add(self, row: MeasureRow) -> None:
        if row.hs_code and row.hs_code not in self.hs_codes:
            self.hs_codes.append(row.hs_code)
        if row.company:
            rates = self.rates.setdefault(row.company, [])
            if row.rate not in NO_RATE and row.rate not in rates:
                rates.append(row.rate)
        for stage, text in row.dates.items():
            day = table_date(text)
            if day is not None and (stage not in self.dates or day > self.dates[stage]):
                self.dates[stage] = day

    @property
    def latest(self) -> date | None:
        """The measure's newest event: what `since` is compared with and the notice's date."""
        return max(self.dates.values(), default=None)


def table_date(text: str) -> date | None:
    found = parse_vn_date(text)
    if found is not None:
        return found
    match = ISO_DATE_RE.search(text or "")
    try:
        return date(*(int(part) for part in match.groups())) if match else None
    except ValueError:
        return None


def _row(cells: list[str]) -> MeasureRow:
    return MeasureRow(
        gta_id=cells[1], measure_type=cells[2], applying_country=cells[3],
        affected_country=cells[4], hs_code=cells[5], product_en=cells[6], product_vi=cells[7],
        dates=dict(zip(STAGES, cells[8:12], strict=True)), company=cells[12], rate=cells[13])


def _cells(row: Selector) -> list[str]:
    return [squash(" ".join(cell.css("::text").getall())) for cell in row.css("td")]


def parse_measures_page(response: Response) -> list[MeasureRow]:
    """The measure rows of one page; an empty result (no row, or one "no data" row spanning the
    table) is an empty list. No table, or rows too short to be measures, is a changed layout."""
    selector = page_selector(response)
    if not selector.css("table"):
        raise LayoutChanged(f"{response.url}: no measures table found (page layout changed?)")
    rows = [_cells(row) for row in selector.css("table tbody tr")]
    measures = [_row(cells) for cells in rows if len(cells) >= MIN_CELLS and cells[1]]
    if not measures and any(len(cells) > 1 for cells in rows):
        raise LayoutChanged(f"{response.url}: measures table rows have fewer than {MIN_CELLS} "
                            "cells (page layout changed?)")
    return measures


def group_measures(rows: list[MeasureRow]) -> list[Measure]:
    """One Measure per GTA id, in the order the ids first appear."""
    measures: dict[str, Measure] = {}
    for row in rows:
        measures.setdefault(row.gta_id, Measure(first=row)).add(row)
    return list(measures.values())


def measure_text(measure: Measure) -> tuple[str, str]:
    """A measure's title and body. The title is "<applying country>: <product> from <affected
    country> – <measure>, <newest step> (<date>)": the market first and the origin after "from",
    the way the analysis and the alert's subject read a headline."""
    row = measure.first
    product = row.product_en or row.product_vi
    title = f"{row.applying_country}: {product} from {row.affected_country} – {row.measure_type}"
    if measure.dates:
        newest = max(measure.dates, key=lambda stage: (measure.dates[stage], STAGES.index(stage)))
        title += f", {NEWEST_STEP[newest]} ({measure.dates[newest].isoformat()})"
    lines = [
        f"Biện pháp: {row.measure_type}", f"Nước áp dụng: {row.applying_country}",
        f"Nước bị áp dụng: {row.affected_country}",
        f"Sản phẩm: {' / '.join(name for name in (row.product_en, row.product_vi) if name)}",
        f"Mã HS: {'; '.join(measure.hs_codes)}",
        *(f"{STAGE_LABELS[stage]}: {measure.dates[stage].isoformat()}" for stage in STAGES
          if stage in measure.dates),
        *(f"Doanh nghiệp: {company}: {' / '.join(rates) or 'không ghi mức thuế'}"
          for company, rates in measure.rates.items()),
        f"Mã GTA: {row.gta_id}",
    ]
    return title, "\n".join(lines)

