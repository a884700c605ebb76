"""Australia's Anti-Dumping Commission (ADC): its numbered Anti-Dumping Notices (ADN).

Every step of an Australian case (initiation, preliminary affirmative determination, statement of
essential facts, final report, continuation, termination) is announced by a numbered notice,
"ADN 2023/035 – Zinc coated (galvanised) steel exported from China, Korea and Taiwan –
Continuation of measures", listed newest first with its case ("Case 611") and date on
industry.gov.au. Most notices are PDFs on the Electronic Public Record (EPR); some are pages.
"""

import re
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import scrapy
from scrapy.http import Response

from crawlers.fallback import reads_list
from crawlers.items import Notice
from crawlers.spiders.base import SourceSpider
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
DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3,9})\s+(\d{4})\b")


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


def published_on(text: str) -> date | None:
    """An Australian government date ("22 June 2023", "1 Mar 2024"), None if there is none."""
    match = DAY_MONTH_YEAR.search(text)
    if match is None:
        return None
    for month_format in ("%B", "%b"):
        try:
            return datetime.strptime(" ".join(match.groups()), f"%d {month_format} %Y").date()
        except ValueError:
            continue
    return None


class AuAdcSpider(SourceSpider):
    """Maps each ADN of the list (option `notices_path`) to a notice; a notice published as a PDF
    is downloaded and handed to the text pipeline, a notice published as a page keeps the list's
    text, and a notice with no link points at the list that publishes it.

    Incremental: the list is newest first and revalidated through the HTTP cache; notices dated
    before `since` are skipped, so their PDFs are not fetched again, and a PDF that is fetched is
    revalidated too (a 304 when the EPR copy has not changed). A PDF that cannot be downloaded
    fails the run (naming its URL) and its notice waits for the next run, which starts from the
    same since-date: a stored notice is never replaced by a poorer copy.
    """

    name = "au_adc"
    publisher_zone = ZoneInfo("Australia/Sydney")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.page_request(self.source.options["notices_path"], self.parse)

    @reads_list
    def parse(self, response: Response, /, *args: Any, **kwargs: Any
              ) -> Iterator[Notice | scrapy.Request]:
        yield from self.listed_notices(
            response, notice_rows_of(response),
            lambda row: published_on(row.cells.get("date", "")), self.to_notice)

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
