"""Australia's Anti-Dumping Commission (ADC): its current cases / Electronic Public Record (EPR)
table, and its numbered Anti-Dumping Notices (ADN).

The cases table (option `cases_path`) is the list public evidence attests: one row per case, dated
"last updated", linking the case's EPR page and so its newest document (crawlers/spiders/
au_adc_cases.py). The ADN list (option `notices_path`) is an assumed page kept while the cases
table proves itself; either or both may be configured.

Every step of an Australian case (initiation, preliminary affirmative determination, statement of
essential facts, final report, continuation, termination) is announced by a numbered notice,
"ADN 2023/035 – Zinc coated (galvanised) steel exported from China, Korea and Taiwan –
Continuation of measures", listed newest first with its case ("Case 611") and date on
industry.gov.au. Most notices are PDFs on the Electronic Public Record (EPR); some are pages.
"""

import re
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import scrapy
from scrapy.http import Response

from crawlers.fallback import reads_list
from crawlers.items import Notice
from crawlers.spiders.au_adc_cases import (
    case_body,
    case_rows_of,
    case_title,
    day_of,
    document_fields,
    document_rows_of,
    newest_document,
    published_on,
)
from crawlers.spiders.base import is_pdf
from crawlers.spiders.notice_list import NoticeListSpider
from crawlers.tables import Row, page_rows

COLUMNS = {
    "date": ("date",),
    "case": ("case",),
    "adn": ("adn", "number", "no."),
    "title": ("title", "notice", "subject"),
}
REQUIRED = {"title", "date"}
EMPTY = (".view-empty",)
ADN = re.compile(r"\bADN\s*(?:No\.?\s*)?(\d{4})\s*/\s*(\d{1,4})\b", re.IGNORECASE)
MAX_CASE_PAGES = 10  # EPR pages a run follows by default (option `max_case_pages`)


def notice_rows_of(response: Response) -> list[Row]:
    """The rows of the notices list ([] for its own "no notices" page); a ValueError naming the
    URL when the page is cut short or has no table with title and date columns."""
    return page_rows(response, COLUMNS, REQUIRED, EMPTY,
                     "no notices table with title and date columns")


def adn_number(*texts: str) -> str | None:
    """The notice's number in the ADC's own spelling, "ADN 2023/035"."""
    for text in texts:
        match = ADN.search(text)
        if match:
            return f"ADN {match.group(1)}/{match.group(2)}"
    return None


class AuAdcSpider(NoticeListSpider):
    """Maps each case of the cases table to a notice (external id: the case number) carrying the
    newest document of its EPR page, the document's PDF read like any notice's. Incremental: cases
    last updated before `since` are skipped, and at most `max_case_pages` EPR pages are followed
    per run (the rest keep the row's fields); an EPR page or PDF that cannot be read fails the run,
    so the stored notice keeps its last good text and the next run asks again.

    Maps each ADN of the list (option `notices_path`) to a notice; a notice published as a PDF
    is downloaded and handed to the text pipeline, a notice published as a page keeps the list's
    text, and a notice with no link points at the list that publishes it.

    Incremental: the ADN list is newest first and revalidated through the HTTP cache (as are the
    cases table and the EPR pages); notices dated
    before `since` are skipped, so their PDFs are not fetched again, and a PDF that is fetched is
    revalidated too (a 304 when the EPR copy has not changed). A PDF that cannot be downloaded
    fails the run (naming its URL) and its notice waits for the next run, which starts from the
    same since-date: a stored notice is never replaced by a poorer copy.
    """

    name = "au_adc"
    publisher_zone = ZoneInfo("Australia/Sydney")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        options = self.source.options
        if "cases_path" not in options and "notices_path" not in options:
            raise ValueError(f"{self.name}: configure cases_path or notices_path")
        if "cases_path" in options:
            yield self.page_request(options["cases_path"], self.parse_cases)
        if "notices_path" in options:
            yield self.page_request(options["notices_path"], self.parse)

    @reads_list
    def parse_cases(self, response: Response, /, *args: Any, **kwargs: Any
                    ) -> Iterator[Notice | scrapy.Request]:
        rows = case_rows_of(response)
        fresh = [row for row in rows if self.is_fresh(day_of(row.cells.get("updated", "")))]
        self.logger.info("%s: %d cases listed, %d updated since %s",
                         response.url, len(rows), len(fresh), self.since)
        budget = int(self.source.options.get("max_case_pages", MAX_CASE_PAGES))
        for index, row in enumerate(fresh):
            href = row.links[0] if row.links else None
            link = self.rebased_link(response.url, href)
            notice = self.case_notice(row, link, href)
            if href is None or index >= budget:
                yield notice
                continue
            request = self.page_request(link, self.parse_epr)
            request.cb_kwargs["notice"] = notice
            yield request

    def parse_epr(self, response: Response, /, notice: Notice
                  ) -> Iterator[Notice | scrapy.Request]:
        """The case's notice with its newest EPR document: a PDF is fetched for the text
        pipeline, a page (an ADN's own page) adds its title only."""
        newest = newest_document(document_rows_of(response))
        if newest is None:
            yield notice
            return
        link = self.rebased_link(response.url, newest.links[0])
        document = document_fields(newest, link)
        notice["raw"] = {**notice["raw"], "document": document}
        notice["body"] = (f"{notice['body']}. "
                          f"Latest document: {document['date']} {document['title']}")
        yield self.document_request(link, notice) if is_pdf(link) else notice

    def is_fresh(self, updated: date | None) -> bool:
        return self.since is None or updated is None or updated >= self.since

    def case_notice(self, row: Row, link: str, href: str | None) -> Notice:
        cells = row.cells
        return Notice(
            source=self.name,
            external_id=cells.get("case") or None,
            market=self.source.market,
            url=link,
            title=case_title(cells),
            published=day_of(cells.get("updated", "")),
            body=case_body(cells),
            raw={**cells, "link": href},
        )

    def rows_of(self, response: Response) -> list[Row]:
        return notice_rows_of(response)

    def published(self, row: Row) -> date | None:
        return published_on(row.cells.get("date", ""))

    def to_notice(self, row: Row, published: date | None, link: str, href: str | None
                  ) -> Notice:
        cells = row.cells
        title = row.link_texts.get("title") or cells.get("title")
        number = adn_number(cells.get("adn", ""), title or "")
        body = [title, cells.get("case"), cells.get("date")]
        return Notice(
            source=self.name,
            external_id=number,
            market=self.source.market,
            url=link,
            title=title,
            published=published,
            body=". ".join(part for part in body if part),
            raw={**cells, "adn_number": number, "link": href},
        )
