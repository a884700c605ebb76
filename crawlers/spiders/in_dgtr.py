"""India's Directorate General of Trade Remedies (DGTR): its lists of notifications by stage.

DGTR's Drupal site publishes each stage of its investigations (initiation notifications,
preliminary findings, final findings, sunset reviews) as a list page: a table of S.No, subject
("Anti-dumping investigation concerning imports of 'Aluminium Foil' originating in or exported from
China PR, Thailand and Vietnam"), file number ("6/12/2023-DGTR"), date (DD-MM-YYYY or DD/MM/YYYY)
and a link to the PDF, newest first, with a Drupal pager ("Next ›", `?page=1`).
"""

import re
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import scrapy
from scrapy.http import Response

from crawlers.fallback import reads_list
from crawlers.items import Notice
from crawlers.spiders.base import SourceSpider
from crawlers.tables import Row, complete_page, page_rows

COLUMNS = {
    "date": ("date",),
    "file_number": ("file",),
    "s_no": ("s.no", "s. no", "sl.", "sr."),
    "subject": ("subject", "title", "description", "name"),
    "document": ("download", "document", "pdf", "attachment", "view"),
}
REQUIRED = {"subject", "date"}
EMPTY = (".view-empty",)
NEXT_PAGE = "li.pager__item--next a::attr(href), a[rel=next]::attr(href)"
DMY = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b")


def list_rows(response: Response) -> list[Row]:
    """The rows of one DGTR list page ([] for the list's own "no records" page); a ValueError
    naming the URL when the page is cut short or has no notification table."""
    return page_rows(response, COLUMNS, REQUIRED, EMPTY, "no table with subject and date columns")


def next_page(response: Response) -> str | None:
    """The absolute URL of the pager's next page, if any."""
    href = (complete_page(response).css(NEXT_PAGE).get() or "").strip()
    try:
        return urljoin(response.url, href) if href else None
    except ValueError as exc:
        raise ValueError(f"{response.url}: unusable next-page link {href!r}") from exc


def day_month_year(text: str) -> date | None:
    """A DGTR date ("29-09-2023", "29/09/2023"), None when there is none or it is impossible."""
    match = DMY.search(text)
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def document_link(row: Row) -> str | None:
    """The row's PDF link, else its first link."""
    pdfs = [link for link in row.links if urlsplit(link).path.lower().endswith(".pdf")]
    return next(iter(pdfs or row.links), None)


def notice_key(url: str | None, file_number: str, label: str) -> str | None:
    """The path of the notice's PDF (one document, one notice); without a link, the file
    number within its list."""
    if url:
        return urlsplit(url).path
    return f"{file_number} ({label})" if file_number else None


class InDgtrSpider(SourceSpider):
    """Follows every configured list (option `lists`: `path` and `label`, the list's heading,
    which names the stage) and maps each row to a notice whose id is the path of its PDF.

    Incremental: the lists are newest first, so rows dated before `since` are skipped and the
    pager is not followed past a page holding such a row (and never past `max_pages`); every page
    is revalidated through the HTTP cache, so an unchanged list costs a 304.
    """

    name = "in_dgtr"
    publisher_zone = ZoneInfo("Asia/Kolkata")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for listing in self.source.options.get("lists", []):
            yield self.list_request(listing["path"], listing["label"], 1)

    def list_request(self, url: str, label: str, page: int) -> scrapy.Request:
        request = self.revalidating_request(url, self.parse)
        request.headers["Accept"] = "text/html"
        request.cb_kwargs.update(label=label, page=page)
        return request

    @reads_list
    def parse(self, response: Response, /, *args: Any, **kwargs: Any
              ) -> Iterator[Notice | scrapy.Request]:
        label, page = kwargs["label"], kwargs["page"]
        reached_older = False
        for row in list_rows(response):
            published = day_month_year(row.cells.get("date", ""))
            if self.since is not None and published is not None and published < self.since:
                reached_older = True
                continue
            if published is None:
                self.logger.warning(f"{response.url}: row {row.cells.get('s_no')}: no date "
                                    f"in {row.cells.get('date')!r}")
            yield self.to_notice(row, label, published, response.url)
        following = next_page(response)
        if following and not reached_older and page < self.source.options.get("max_pages", 10):
            yield self.list_request(following, label, page + 1)

    def rebased(self, page_url: str, link: str) -> str | None:
        """The link on the configured origin; None (the row then lacks a url and is dropped,
        counted) when the link is not a URL at all."""
        try:
            return self.on_configured_origin(urljoin(page_url, link))
        except ValueError as exc:
            self.logger.warning(f"{page_url}: unusable link {link!r}: {exc}")
            return None

    def to_notice(self, row: Row, label: str, published: date | None, page_url: str) -> Notice:
        cells = row.cells
        link = document_link(row)
        url = self.rebased(page_url, link) if link else None
        file_number = cells.get("file_number", "")
        body = [label, cells.get("subject"), f"File No. {file_number}" if file_number else ""]
        return Notice(
            source=self.name,
            external_id=notice_key(url, file_number, label),
            market=self.source.market,
            url=url,
            title=cells.get("subject"),
            published=published,
            body=". ".join(part for part in body if part),
            raw={"list": label, **cells, "document": link},
        )
