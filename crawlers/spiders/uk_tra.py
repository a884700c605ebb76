"""UK Trade Remedies Authority: the Trade Remedies Service's public list of investigations
(`public/cases/`) and each case's public page (`public/case/<reference>/`).

The service publishes no feed and no per-notice dates in the list: a case is one row (reference
such as AD0052 or TD0014, case name, commodity, countries, case type, initiation date, and the
date its public file last changed, or the closing date for completed cases). So one notice per
case is kept and updated as the case moves. Incremental: only cases whose latest date (updated,
closed or initiated) is on or after `since` are yielded, and only their case pages are fetched
(at most `max_case_pages` per run, the rest keep their list fields); the list page itself is
revalidated through the HTTP cache, so an unchanged list costs a 304. A case page that cannot be
read yields nothing, so the stored notice keeps its last good text and the failed run makes the
next one start from the same `since`.

Options (config/sources.yaml): `cases_path` (default `public/cases/`), `max_case_pages`
(default 25).
"""

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import scrapy
from parsel import Selector, SelectorList
from scrapy.http import Response

from crawlers.fallback import reads_list
from crawlers.items import Notice
from crawlers.spiders.base import SourceSpider
from crawlers.tables import LayoutChanged, PageError, complete_page

HTML_HEADERS = {"Cache-Control": "max-age=0", "Accept": "text/html,application/xhtml+xml"}

# Column headers of the list tables (GOV.UK sortable tables) and the field each one fills.
LIST_COLUMNS = {
    "no.": "reference", "case": "name", "commodity": "commodity", "country": "countries",
    "type": "case_type", "initiated": "initiated", "updated": "updated", "closed": "closed",
}
REQUIRED_LIST_COLUMNS = ("reference", "countries", "case_type", "initiated")
GOODS_INTRO = "The goods that are the subject of the investigation are:"
DATE_FORMATS = ("%d %b %Y", "%d %B %Y", "%Y-%m-%d")
# Cell labels GOV.UK hides on desktop ("Case No.: ", "Sort by: ") are not cell content.
VISIBLE_TEXT = ".//text()[not(ancestor::*[contains(@class, 'govuk-visually-hidden')])]"


@dataclass(frozen=True)
class CaseRow:
    """One row of the public list, as the service shows it."""

    reference: str
    name: str
    commodity: str
    countries: tuple[str, ...]
    case_type: str
    initiated: date | None
    last_date: date | None  # "Updated" for active cases, "Closed" for completed ones
    listed_as: str  # "active" or "completed"
    href: str | None

    @property
    def latest(self) -> date | None:
        dates = [day for day in (self.initiated, self.last_date) if day is not None]
        return max(dates) if dates else None

    @property
    def last_label(self) -> str:
        return "Updated" if self.listed_as == "active" else "Closed"

    def raw(self) -> dict[str, Any]:
        return {
            "reference": self.reference, "name": self.name, "commodity": self.commodity,
            "countries": list(self.countries), "case_type": self.case_type,
            "initiated": iso(self.initiated), self.last_label.lower(): iso(self.last_date),
            "listed_as": self.listed_as,
        }


@dataclass(frozen=True)
class CaseDetails:
    """What a case page adds to its row: the stage, the goods, tariff codes, the public file."""

    stage: str
    summary: dict[str, str]
    commodity_codes: list[str]
    product_description: str
    public_file: list[dict[str, str]] = field(default_factory=list)

    def raw(self) -> dict[str, Any]:
        return {
            "stage": self.stage, "case_details": self.summary,
            "commodity_codes": self.commodity_codes,
            "product_description": self.product_description, "public_file": self.public_file,
        }


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def visible_text(selector: Selector | SelectorList[Selector]) -> str:
    """A cell's text without GOV.UK's visually hidden labels, on single spaces."""
    return " ".join(" ".join(selector.xpath(VISIBLE_TEXT).getall()).split())


def parse_day(text: str) -> date | None:
    """A TRA date ("03 Nov 2026", Django's 'd M Y'); None when it reads as none of them."""
    for form in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
    return None


def case_tables(page: Selector, url: str) -> list[tuple[Selector, list[str | None]]]:
    """Every GOV.UK table whose header has a case number column, with its column fields."""
    found = []
    for table in page.css("table.govuk-table"):
        headers = [visible_text(th).lower() for th in table.css("thead th")]
        columns = [LIST_COLUMNS.get(header) for header in headers]
        if "reference" in columns:
            missing = [name for name in REQUIRED_LIST_COLUMNS if name not in columns]
            if missing:
                raise LayoutChanged(f"{url}: case table lacks columns {missing} "
                                 f"(found {headers}; page layout changed?)")
            found.append((table, columns))
    return found


def to_case_row(row: Selector, columns: list[str | None]) -> CaseRow:
    cells = {name: cell for name, cell in zip(columns, row.css("td"), strict=False) if name}
    text = {name: visible_text(cell) for name, cell in cells.items()}
    last = "closed" if "closed" in cells else "updated"
    return CaseRow(
        reference=text.get("reference", ""), name=text.get("name", ""),
        commodity=text.get("commodity", ""),
        countries=tuple(c.strip() for c in text.get("countries", "").split("/") if c.strip()),
        case_type=text.get("case_type", ""), initiated=parse_day(text.get("initiated", "")),
        last_date=parse_day(text.get(last, "")),
        listed_as="completed" if last == "closed" else "active",
        href=row.css("a::attr(href)").get(),
    )


def parse_case_list(response: Response) -> list[CaseRow]:
    """The rows of the active and completed case tables; an empty table gives no rows, a page
    without a case table is a PageError."""
    try:
        page = complete_page(response)
        tables = case_tables(page, response.url)
        if not tables:
            raise LayoutChanged(f"{response.url}: no case table (govuk-table with a 'No.' column) "
                             "found (page layout changed?)")
        return [to_case_row(row, columns)
                for table, columns in tables for row in table.css("tbody tr")]
    except PageError:
        raise
    except Exception as exc:  # lxml/parsel on hostile bytes: report it as the page's fault
        raise PageError(f"{response.url}: unreadable case list: {exc!r}") from exc


def summary_list(page: Selector) -> dict[str, SelectorList[Selector]]:
    rows = page.css("dl.govuk-summary-list div.govuk-summary-list__row")
    return {visible_text(row.css("dt")): row.css("dd") for row in rows if row.css("dd")}


def public_file(page: Selector) -> list[dict[str, str]]:
    """The public file's rows (notices, reports, submissions) by their column headers."""
    table = page.css("table#public_file_table")
    headers = [visible_text(th).lower() for th in table.css("thead th")]
    return [
        {header: visible_text(cell) for header, cell in zip(headers, row.css("td"), strict=False)}
        for row in table.css("tbody tr")
    ]


def parse_case_page(response: Response) -> CaseDetails:
    """The case details summary list, goods description and public file of one case page."""
    try:
        page = complete_page(response)
        details = summary_list(page)
        if "Status" not in details:
            raise PageError(f"{response.url}: no case details summary list with a Status "
                             "(page layout changed?)")
        goods = page.xpath(f"//p[normalize-space()='{GOODS_INTRO}']/following-sibling::p")
        codes = [visible_text(item) for item in details.get("Commodities affected",
                                                            SelectorList()).css("li")]
        return CaseDetails(
            stage=visible_text(details["Status"]),
            summary={key: visible_text(value) for key, value in details.items()
                     if key != "Commodities affected"},
            commodity_codes=[code for code in codes if code],
            product_description=" ".join(visible_text(p) for p in goods),
            public_file=public_file(page),
        )
    except PageError:
        raise
    except Exception as exc:
        raise PageError(f"{response.url}: unreadable case page: {exc!r}") from exc


def countries_text(countries: tuple[str, ...]) -> str:
    if len(countries) < 2:
        return "".join(countries)
    return f"{', '.join(countries[:-1])} and {countries[-1]}"


def notice_title(row: CaseRow, details: CaseDetails | None) -> str:
    product = row.commodity or row.name
    title = f"{product} from {countries_text(row.countries)}: {row.case_type}"
    return f"{title} — {details.stage}" if details and details.stage else title


def notice_body(row: CaseRow, details: CaseDetails | None) -> str:
    """The case page's own text (goods, case details, public file), or the row's fields."""
    lines = [f"{row.reference} - {row.name}", row.case_type]
    if details is None:
        return "\n".join([*lines, f"Country: {' / '.join(row.countries)}",
                          f"Initiated: {iso(row.initiated) or ''}",
                          f"{row.last_label}: {iso(row.last_date) or ''}"])
    lines += [f"{GOODS_INTRO} {details.product_description}"]
    lines += [f"{key}: {value}" for key, value in details.summary.items()]
    lines += [f"Commodities affected: {', '.join(details.commodity_codes)}"]
    lines += ["Public file:"] + [
        f"{entry.get('published', '')} {entry.get('submission', '')} "
        f"({entry.get('party', '')})" for entry in details.public_file
    ]
    return "\n".join(lines)


class UkTraSpider(SourceSpider):
    """One notice per TRA case: list fields, plus the case page for cases that moved."""

    name = "uk_tra"
    publisher_zone = ZoneInfo("Europe/London")

    def html_request(self, url: str, callback: Any, **cb_kwargs: Any) -> scrapy.Request:
        return self.revalidating_request(url, callback).replace(
            headers=HTML_HEADERS, cb_kwargs=cb_kwargs)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        path = self.source.options.get("cases_path", "public/cases/")
        yield self.html_request(path, self.parse)

    def is_fresh(self, row: CaseRow) -> bool:
        return self.since is None or row.latest is None or row.latest >= self.since

    @reads_list
    def parse(self, response: Response, /, *args: Any, **kwargs: Any
              ) -> Iterator[Notice | scrapy.Request]:
        rows = parse_case_list(response)
        fresh = [row for row in rows if self.is_fresh(row)]
        self.logger.info("%s: %d cases listed, %d changed since %s",
                         response.url, len(rows), len(fresh), self.since)
        budget = int(self.source.options.get("max_case_pages", 25))
        for index, row in enumerate(fresh):
            if row.href and index < budget:
                yield self.html_request(row.href, self.parse_case, row=row)
            else:
                yield self.to_notice(row, None, response)

    def parse_case(self, response: Response, row: CaseRow) -> Iterator[Notice]:
        yield self.to_notice(row, parse_case_page(response), response)

    def to_notice(self, row: CaseRow, details: CaseDetails | None, response: Response
                  ) -> Notice:
        return Notice(
            source=self.name,
            external_id=row.reference,
            market=self.source.market,
            url=self.on_configured_origin(response.urljoin(row.href)) if row.href else None,
            title=notice_title(row, details),
            published=row.last_date or row.initiated,
            body=notice_body(row, details),
            raw=row.raw() | (details.raw() if details else {}),
        )
