"""Canada Border Services Agency, Special Import Measures Act (SIMA): the list of dumping and
subsidy investigations (`sima-lmsi/i-e/menu-eng.html`) and the list of measures in force
(`sima-lmsi/mif-mev-eng.html`), both Canada.ca (WET) pages with captioned data tables.

One notice per table row: an investigation (case number such as "SW 2025 IN", dated by its
latest decision, else its initiation) or a measure in force (dated by the CITT finding or order
that put it in force or last continued it). Incremental: a row is yielded only when that date is
on or after `since`. Measures in force are state rather than news; yielding the whole table on a
first crawl would announce measures ordered years ago as if they were new, so a measure enters
the feed when it is imposed or continued, like any other decision. Both pages are revalidated
through the HTTP cache, so an unchanged page costs a 304.

Options (config/sources.yaml): `investigations_path` (default `sima-lmsi/i-e/menu-eng.html`),
`measures_path` (default `sima-lmsi/mif-mev-eng.html`).
"""

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import scrapy
from parsel import Selector, SelectorList
from scrapy.http import Response

from crawlers.items import Notice
from crawlers.spiders.base import SourceSpider
from crawlers.tables import PageError, complete_page

HTML_HEADERS = {"Cache-Control": "max-age=0", "Accept": "text/html,application/xhtml+xml"}

# Column headers of the CBSA tables and the field each one fills.
COLUMNS = {
    "product": "product", "goods": "product", "country": "countries",
    "countries": "countries", "case number": "case_number", "file number": "case_number",
    "investigation": "investigation", "measure": "measure", "initiation date": "initiated",
    "status": "status", "date of status": "status_date", "citt finding or order": "finding",
    "date of finding or order": "finding_date",
}


@dataclass(frozen=True)
class TableKind:
    """What one CBSA list page holds: the columns it must have and the date that dates a row."""

    name: str
    required: tuple[str, ...]
    dated_by: tuple[str, ...]  # first non-empty of these is the row's date


INVESTIGATIONS = TableKind("investigation", ("product", "countries", "initiated"),
                           ("status_date", "initiated"))
MEASURES = TableKind("measure", ("product", "countries", "finding_date"), ("finding_date",))


@dataclass(frozen=True)
class Row:
    """One table row: its cells by field, in page order with the page's own headers."""

    kind: str
    caption: str
    cells: dict[str, str]
    labelled: list[tuple[str, str]]  # (header as shown, cell text)
    href: str | None
    day: date | None

    def get(self, name: str) -> str:
        return self.cells.get(name, "")


def cell_text(selector: Selector | SelectorList[Selector]) -> str:
    return " ".join(" ".join(selector.xpath(".//text()").getall()).split())


def parse_day(text: str) -> date | None:
    """A Canada.ca date (YYYY-MM-DD); None when the cell holds something else."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def data_tables(page: Selector, url: str, kind: TableKind
                ) -> list[tuple[Selector, list[str], list[str | None]]]:
    """The tables whose headers carry the kind's columns, with headers and their fields."""
    found = []
    for table in page.css("main table"):
        headers = [cell_text(th) for th in table.css("thead th")]
        fields = [COLUMNS.get(header.lower()) for header in headers]
        if "product" not in fields:
            continue
        missing = [name for name in kind.required if name not in fields]
        if missing:
            raise PageError(f"{url}: {kind.name} table lacks columns {missing} "
                             f"(found {headers}; page layout changed?)")
        found.append((table, headers, fields))
    return found


def to_row(kind: TableKind, caption: str, tr: Selector, headers: list[str],
           fields: list[str | None]) -> Row:
    texts = [cell_text(td) for td in tr.css("td")]
    cells = {name: text for name, text in zip(fields, texts, strict=False) if name}
    day = next((parse_day(cells[name]) for name in kind.dated_by if cells.get(name)), None)
    return Row(kind.name, caption, cells, list(zip(headers, texts, strict=False)),
               tr.css("a::attr(href)").get(), day)


def parse_table_page(response: Response, kind: TableKind) -> list[Row]:
    """Every row of the page's tables of that kind; an empty table gives no rows, a page
    without one is a PageError."""
    try:
        page = complete_page(response)
        tables = data_tables(page, response.url, kind)
        if not tables:
            raise PageError(f"{response.url}: no {kind.name} table (with a Product column) "
                             "found (page layout changed?)")
        return [to_row(kind, cell_text(table.css("caption")), tr, headers, fields)
                for table, headers, fields in tables for tr in table.css("tbody tr")]
    except PageError:
        raise
    except Exception as exc:  # lxml/parsel on hostile bytes: report it as the page's fault
        raise PageError(f"{response.url}: unreadable {kind.name} list: {exc!r}") from exc


def parse_investigations(response: Response) -> list[Row]:
    return parse_table_page(response, INVESTIGATIONS)


def parse_measures(response: Response) -> list[Row]:
    return parse_table_page(response, MEASURES)


def notice_title(row: Row) -> str:
    subject = f"{row.get('product')} from {row.get('countries')}"
    if row.kind == "measure":
        finding = f" (CITT {row.get('finding')})" if row.get("finding") else ""
        return f"{subject}: {row.get('measure') or 'SIMA measure'} in force{finding}"
    what = f"{row.get('investigation')} investigation".strip()
    status = f" — {row.get('status')}" if row.get("status") else ""
    return f"{subject}: {what}{status}"


def external_id(row: Row) -> str:
    """The CBSA case number, else a key made of the row's own product, countries and date."""
    if row.get("case_number"):
        return row.get("case_number")
    return " | ".join((row.kind, row.get("product"), row.get("countries"),
                       row.day.isoformat() if row.day else ""))


class CaCbsaSpider(SourceSpider):
    """One notice per CBSA investigation or measure in force that moved since `since`."""

    name = "ca_cbsa"
    publisher_zone = ZoneInfo("America/Toronto")

    def html_request(self, url: str, callback: Any) -> scrapy.Request:
        return self.revalidating_request(url, callback).replace(headers=HTML_HEADERS)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        options = self.source.options
        yield self.html_request(
            options.get("investigations_path", "sima-lmsi/i-e/menu-eng.html"),
            self.parse_investigations)
        yield self.html_request(
            options.get("measures_path", "sima-lmsi/mif-mev-eng.html"), self.parse_measures)

    def parse_investigations(self, response: Response) -> Iterator[Notice]:
        yield from self.fresh_notices(response, parse_investigations(response))

    def parse_measures(self, response: Response) -> Iterator[Notice]:
        yield from self.fresh_notices(response, parse_measures(response))

    def fresh_notices(self, response: Response, rows: list[Row]) -> Iterator[Notice]:
        fresh = [row for row in rows
                 if self.since is None or row.day is None or row.day >= self.since]
        self.logger.info("%s: %d rows, %d dated on or after %s",
                         response.url, len(rows), len(fresh), self.since)
        for row in fresh:
            yield self.to_notice(row, response)

    def to_notice(self, row: Row, response: Response) -> Notice:
        return Notice(
            source=self.name,
            external_id=external_id(row),
            market=self.source.market,
            url=self.on_configured_origin(response.urljoin(row.href)) if row.href else None,
            title=notice_title(row),
            published=row.day,
            body="\n".join(f"{header}: {text}" for header, text in row.labelled),
            raw={"list": row.kind, "table": row.caption, **row.cells},
        )
