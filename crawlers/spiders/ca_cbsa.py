"""Canada Border Services Agency, Special Import Measures Act (SIMA): the list of dumping and
subsidy investigations (`sima-lmsi/i-e/menu-eng.html`) and the list of measures in force
(`sima-lmsi/mif-mev/menu-eng.html`), both Canada.ca (WET) pages with data tables.

One notice per table row: an investigation (case number such as "SW 2025 IN", dated by its
latest decision, else its initiation) or a measure in force (dated by the CITT finding or order
that put it in force or last continued it). Incremental: a row is yielded only when that date is
on or after `since`. Measures in force are state rather than news; yielding the whole table on a
first crawl would announce measures ordered years ago as if they were new, so a measure enters
the feed when it is imposed or continued, like any other decision.

The measures list comes in two shapes, told apart by its headers:
- the real one (a stored copy of 2019, replay/recordings/ca_cbsa/PROVENANCE.md): two visible
  columns, "Case" (the product, linking to a per-case page `sima-lmsi/mif-mev/<code>-eng.html`)
  and "Case type" ("Dumping & subsidy: China, South Korea, Vietnam", or one line per measure:
  "Dumping: Chinese Taipei, India<br>Subsidy: India"), and no dates. The spider reads the
  measure per origin from the case type and follows each case's page (on the configured origin
  only) for the dates of its proceedings ("Action" / "Date" table): the measure is dated by its
  latest CITT finding or order, else its latest proceeding.
- a table with Product, Country, Measure and "Date of finding or order" columns (the shape the
  first replica assumed), read row by row as before.
Every page is revalidated through the HTTP cache, so an unchanged list or case page costs a 304.

Options (config/sources.yaml): `investigations_path` (default `sima-lmsi/i-e/menu-eng.html`),
`measures_path` (default `sima-lmsi/mif-mev/menu-eng.html`).
"""

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import scrapy
from scrapy.http import Response

from crawlers.cbsa_pages import (
    HTML_HEADERS,
    Row,
    external_id,
    notice_title,
    parse_case_page,
    parse_investigations,
    parse_measures,
    with_case_page,
)
from crawlers.fallback import reads_list
from crawlers.items import Notice
from crawlers.spiders.base import SourceSpider


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
            options.get("measures_path", "sima-lmsi/mif-mev/menu-eng.html"), self.parse_measures)

    @reads_list
    def parse_investigations(self, response: Response) -> Iterator[Notice]:
        yield from self.fresh_notices(response, parse_investigations(response))

    @reads_list
    def parse_measures(self, response: Response) -> Iterator[Notice | scrapy.Request]:
        rows = parse_measures(response)
        to_date = [row for row in rows if row.origins and self.case_page(response, row)]
        self.logger.info("%s: %d measures, %d dated by their case pages",
                         response.url, len(rows), len(to_date))
        yield from self.fresh_notices(response, [row for row in rows if row not in to_date])
        for row in to_date:
            url = self.case_page(response, row)
            assert url is not None
            yield self.html_request(url, self.parse_case_page).replace(cb_kwargs={"row": row})

    def case_page(self, response: Response, row: Row) -> str | None:
        """The row's case page on the configured origin; None for a link off the list's site."""
        if not row.href:
            return None
        target = urlsplit(response.urljoin(row.href))
        if target.scheme not in ("http", "https") or \
                target.netloc != urlsplit(response.url).netloc:
            return None
        return self.on_configured_origin(target.geturl())

    def parse_case_page(self, response: Response, row: Row) -> Iterator[Notice]:
        yield from self.fresh_notices(response, [with_case_page(row, parse_case_page(response))])

    def fresh_notices(self, response: Response, rows: list[Row]) -> Iterator[Notice]:
        fresh = [row for row in rows
                 if self.since is None or row.day is None or row.day >= self.since]
        if len(rows) > 1 or not rows:
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
            raw={"list": row.kind, "table": row.caption, **row.cells,
                 **({"origins": {name: list(m) for name, m in row.origins.items()}}
                    if row.origins else {})},
        )
