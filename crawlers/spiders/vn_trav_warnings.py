"""TRAV's early-warning database (canhbaosom.trav.gov.vn), two lists.

The early-warning list: Vietnamese products at risk of a foreign trade-remedy case, per market,
with a warning level. These are warnings, not cases; they are stored as notices so subscribers of
the product see the risk before any petition. It is one HTML table (STT, Mặt hàng, Mã HS, Thị
trường, Mức độ cảnh báo, Ngày cập nhật, Ghi chú). Columns are found by their header text, so a
reordered table still reads. Incremental: rows whose update date is before ``since`` are skipped,
and an unchanged table costs a 304 through the HTTP cache; a row keeps its id when TRAV updates it,
so a raised level updates the stored notice.

The measures table (/GetInterventions/Index, read by crawlers.trav_measures): other countries'
measures on Vietnamese goods, one notice per measure, dated by its newest event, so a new review
or an expiry reaches subscribers. The site's pager overcounts, so pages are followed while they
are full (20 rows), at most ``measure_pages`` pages a run; all pages are read before any notice
is made, because one measure's rows can run over a page break.
"""

import re
import unicodedata
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawlers.fallback import reads_list
from crawlers.items import Notice
from crawlers.spiders.base import SourceSpider
from crawlers.spiders.vn_trav import HTML_ACCEPT, page_selector, parse_vn_date, squash
from crawlers.tables import LayoutChanged
from crawlers.trav_measures import (
    PAGE_ROWS,
    Measure,
    MeasureRow,
    group_measures,
    measure_text,
    parse_measures_page,
)

DEFAULT_LIST_PATH = "/CanhBaoSom/Index"
DEFAULT_MEASURES_PATH = "/GetInterventions/Index"
# The public tool's query (every applying and affected country, measures in force, newest
# initiation first); operators narrow it with vAffCountryID once Vietnam's id is known.
DEFAULT_MEASURES_QUERY = ("vJCountryID=-1&vAffCountryID=-1&vInForce=1&vTypeID=-1&Sectors=1"
                          "&vSort=7")
DEFAULT_MEASURE_PAGES = 30
# Column key -> header text on the page (compared without case, accents or spacing).
COLUMNS = {
    "stt": "STT", "product": "Mặt hàng", "hs_codes": "Mã HS", "market": "Thị trường",
    "warning_level": "Mức độ cảnh báo", "updated": "Ngày cập nhật", "note": "Ghi chú",
}
REQUIRED_COLUMNS = ("product", "market")
HS_RE = re.compile(r"\d{4}(?:[.\s]?\d{2}){0,3}")


@dataclass(frozen=True)
class WarningRow:
    """One row of the list, by column key; row_id is the row's own id attribute, if it has one."""

    row_id: str | None
    cells: dict[str, str]

    @property
    def hs_codes(self) -> list[str]:
        return HS_RE.findall(self.cells.get("hs_codes", ""))

    @property
    def published(self) -> date | None:
        return parse_vn_date(self.cells.get("updated", ""))

    def key(self) -> str | None:
        """A stable id: the row's own id, else product + market + HS codes (folded)."""
        if self.row_id:
            return self.row_id
        product, market = self.cells.get("product"), self.cells.get("market")
        if not product or not market:
            return None
        return "|".join([fold(product), fold(market), "-".join(self.hs_codes)])


def fold(text: str) -> str:
    """Lower case, no accents, đ as d, single spaces: header and key comparison."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.lower().split())


def cell_text(cell: Selector) -> str:
    return squash(" ".join(cell.css("::text").getall()))


def _header_map(table: Selector) -> dict[int, str]:
    """Column index -> column key, for the headers this spider knows."""
    wanted = {fold(header): key for key, header in COLUMNS.items()}
    header_row = table.css("thead tr") or table.css("tr")
    cells = header_row[0].css("th, td") if header_row else []
    return {index: wanted[fold(cell_text(cell))] for index, cell in enumerate(cells)
            if fold(cell_text(cell)) in wanted}


def find_warning_table(selector: Selector) -> tuple[Selector, dict[int, str]] | None:
    for table in selector.css("table"):
        columns = _header_map(table)
        if all(key in columns.values() for key in REQUIRED_COLUMNS):
            return table, columns
    return None


def parse_warning_table(response: Response) -> list[WarningRow]:
    """Every data row of the early-warning table; an empty table is an empty list."""
    found = find_warning_table(page_selector(response))
    if found is None:
        raise LayoutChanged(f"{response.url}: no early-warning table (headers Mặt hàng, "
                            "Thị trường) found (page layout changed?)")
    table, columns = found
    rows = table.css("tbody tr") or table.css("tr")[1:]
    parsed = []
    for row in rows:
        cells = row.css("td")
        if len(cells) < len(columns):  # a "no data" row spanning the table
            continue
        parsed.append(WarningRow(
            row_id=row.attrib.get("id") or row.attrib.get("data-id"),
            cells={key: cell_text(cells[index]) for index, key in columns.items()},
        ))
    return parsed


class VnTravWarningsSpider(SourceSpider):
    """Maps each row of the early-warning list, and each measure of the measures table, to a
    notice.

    Options: ``list_path`` (the early-warning table, default ``/CanhBaoSom/Index``),
    ``measures_path`` and ``measures_query`` (the measures table and its filters, without
    ``page``), ``measure_pages`` (pages of the measures table read per run, default 30)."""

    name = "vn_trav_warnings"
    publisher_zone = ZoneInfo("Asia/Ho_Chi_Minh")

    @property
    def list_url(self) -> str:
        return self.on_configured_origin(self.source.options.get("list_path", DEFAULT_LIST_PATH))

    async def start(self) -> AsyncIterator[scrapy.Request]:
        request = self.revalidating_request(self.list_url, self.parse)
        request.headers["Accept"] = HTML_ACCEPT
        yield request
        yield self.measures_request(1, [])

    def measures_url(self, page: int) -> str:
        options = self.source.options
        path = options.get("measures_path", DEFAULT_MEASURES_PATH)
        query = options.get("measures_query", DEFAULT_MEASURES_QUERY)
        return self.on_configured_origin(f"{path}?{query}&page={page}")

    def measures_request(self, page: int, rows: list[MeasureRow]) -> scrapy.Request:
        request = self.revalidating_request(self.measures_url(page), self.parse_measures)
        request.headers["Accept"] = HTML_ACCEPT
        request.cb_kwargs.update(page=page, rows=rows)
        return request

    @reads_list
    def parse_measures(self, response: Response, /, *args: Any, page: int,
                       rows: list[MeasureRow], **kwargs: Any) -> Iterator[Notice | scrapy.Request]:
        """Rows of this page joined to the earlier pages'; the next page while this one is full
        and under the cap, else the notices of every measure read."""
        page_rows = parse_measures_page(response)
        rows = rows + page_rows
        full = len(page_rows) >= PAGE_ROWS
        cap = int(self.source.options.get("measure_pages", DEFAULT_MEASURE_PAGES))
        if full and page < cap:
            yield self.measures_request(page + 1, rows)
            return
        measures = group_measures(rows)
        if full and len(measures) > 1:
            # The cap stops a full page: its last measure may go on past it, so it waits for a
            # run that reads it whole rather than being stored without its other HS codes.
            held = measures.pop()
            self.logger.warning(f"measures: stopped at the cap of {cap} pages; more remain, "
                                f"GTA {held.first.gta_id} held back")
        for measure in measures:
            latest = measure.latest
            if self.since is None or latest is None or latest >= self.since:
                yield self.measure_notice(measure)

    @reads_list
    def parse(self, response: Response, /, *args: Any, **kwargs: Any) -> Iterator[Notice]:
        for row in parse_warning_table(response):
            published = row.published
            if self.since is None or published is None or published >= self.since:
                yield self.to_notice(row)

    def to_notice(self, row: WarningRow) -> Notice:
        cells = row.cells
        product, market = cells.get("product"), cells.get("market")
        key = row.key()
        body = "\n".join(f"{COLUMNS[name]}: {value}" for name, value in cells.items() if value)
        return Notice(
            source=self.name,
            external_id=key,
            market=self.source.market,
            url=f"{self.list_url}#{quote(key, safe='')}" if key else None,
            title=f"Cảnh báo sớm: {product} – {market}" if product and market else None,
            published=row.published,
            body=body,
            raw={**cells, "hs_codes": row.hs_codes, "hs_text": cells.get("hs_codes", ""),
                 "row_id": row.row_id},
        )

    def measure_notice(self, measure: Measure) -> Notice:
        row = measure.first
        title, body = measure_text(measure)
        key = f"gta-{row.gta_id}"
        return Notice(
            source=self.name,
            external_id=key,
            market=self.source.market,
            url=f"{self.measures_url(1)}#{key}",
            title=title,
            published=measure.latest,
            body=body,
            raw={"gta_id": row.gta_id, "measure_type": row.measure_type,
                 "market": row.applying_country, "affected_country": row.affected_country,
                 "product_en": row.product_en, "product_vi": row.product_vi,
                 "hs_codes": measure.hs_codes,
                 "dates": {stage: day.isoformat() for stage, day in measure.dates.items()},
                 "companies": measure.rates},
        )
