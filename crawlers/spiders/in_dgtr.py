"""India's Directorate General of Trade Remedies (DGTR): its case indexes and case pages, and
dated lists of notifications by stage.

What public monitors of the live site read (replay/recordings/in_dgtr/PROVENANCE.md): one case
index per measure (`en/anti-dumping-investigation-in-india`, `en/countervailing-duty-investigation`,
`en/safe-guard-investigation-in-india`), server-rendered Drupal pages whose cases are the links
`a[href*="/anti-dumping-cases/"]`: the link text is the case title, the slug of
`/en/anti-dumping-cases/<slug>` the case's identity, and the index carries no dates. The dates live
on each case page: an event table (S.No, event, date DD/MM/YYYY, PDF link), oldest first, and a
"Last Updated: 02 Sep 2026" line. So a case is one notice, dated by its latest event.

The dated lists (option `lists`) are what an earlier spider assumed: a table of S.No, subject
("Anti-dumping investigation concerning imports of 'Aluminium Foil' originating in or exported from
China PR, Thailand and Vietnam"), file number ("6/12/2023-DGTR"), date (DD-MM-YYYY or DD/MM/YYYY)
and a link to the PDF, newest first, with a Drupal pager ("Next ›", `?page=1`). Nothing attests
them on the live site; they stay readable for a site that has them.
"""

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import scrapy
from scrapy.http import Response

from crawlers.dates import written_date
from crawlers.fallback import reads_list
from crawlers.items import Notice
from crawlers.spiders.base import SourceSpider, is_pdf
from crawlers.tables import LayoutChanged, Row, complete_page, page_rows, text_of

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
# What the public monitors take from a case index: every link to a case page.
CASE_LINK = 'a[href*="/anti-dumping-cases/"]'
EVENT_COLUMNS = {
    "s_no": ("s.no", "s. no", "sl.", "sr."),
    "event": ("event", "stage", "particular", "description"),
    "date": ("date",),
    "document": ("download", "document", "pdf", "attachment", "view"),
}
LAST_UPDATED = re.compile(r"Last Updated:?\s*(.{0,40})", re.I)
MAX_CASE_PAGES = 20  # case pages a run follows by default (option `max_case_pages`)


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
    return next(iter([link for link in row.links if is_pdf(link)] or row.links), None)


@dataclass(frozen=True)
class CaseLink:
    """A case as an index names it: its slug (identity), title and link."""

    slug: str
    title: str
    href: str


def case_links(response: Response) -> list[CaseLink]:
    """The cases an index links, once each (a case linked twice is one case), in page order; a
    LayoutChanged naming the URL when the index links none, which a live index never does."""
    found: dict[str, CaseLink] = {}
    for link in complete_page(response).css(CASE_LINK):
        href = (link.attrib.get("href") or "").strip()
        slug = urlsplit(href).path.rstrip("/").rsplit("/", 1)[-1]
        title = text_of(link)
        if slug and title and slug not in found:
            found[slug] = CaseLink(slug, title, href)
    if not found:
        raise LayoutChanged(f"{response.url}: no case links ({CASE_LINK}) on the case index "
                            "(page layout changed?)")
    return list(found.values())


@dataclass(frozen=True)
class Event:
    """One row of a case page's event table."""

    name: str
    day: date | None
    document: str | None


@dataclass(frozen=True)
class CasePage:
    """What a case page says: its events in page order and its "Last Updated" date."""

    events: list[Event]
    updated: date | None

    @property
    def newest_first(self) -> list[Event]:
        """The events by date, newest first (of equals, the later row: the table runs oldest
        first), the undated last."""
        return sorted(reversed(self.events), key=lambda event: event.day or date.min,
                      reverse=True)

    @property
    def latest(self) -> Event | None:
        """The latest dated event."""
        return next((event for event in self.newest_first if event.day is not None), None)

    @property
    def day(self) -> date | None:
        """The case's date: its latest event's, else the page's last update."""
        return self.latest.day if self.latest else self.updated


def case_page(response: Response) -> CasePage:
    """The case page's event table and "Last Updated" date; a LayoutChanged naming the URL when
    it has no table with event and date columns."""
    rows = page_rows(response, EVENT_COLUMNS, {"event", "date"}, EMPTY,
                     "no event table with event and date columns")
    events = [Event(row.cells.get("event", ""), day_month_year(row.cells.get("date", "")),
                    document_link(row)) for row in rows]
    updated = LAST_UPDATED.search(text_of(complete_page(response)))
    return CasePage(events, (written_date(updated[1]) or day_month_year(updated[1]))
                    if updated else None)


def notice_key(url: str | None, file_number: str, label: str) -> str | None:
    """The path of the notice's PDF (one document, one notice); without a link, the file
    number within its list."""
    if url:
        return urlsplit(url).path
    return f"{file_number} ({label})" if file_number else None


class InDgtrSpider(SourceSpider):
    """Reads every configured case index (option `case_indexes`: `path` and `label`, the measure
    the index lists) and follows each case page it links, on the configured origin only, at most
    `max_case_pages` per run: the indexes have no dates, so only a case page says whether a case
    moved. One notice per case, whose id is its slug; a case whose latest date is before `since`
    is not yielded. Every page is revalidated through the HTTP cache, so an unchanged index or
    case page costs a 304.

    Follows every configured dated list too (option `lists`: `path` and `label`, the list's
    heading, which names the stage) and maps each row to a notice whose id is the path of its PDF.
    The lists are newest first, so rows dated before `since` are skipped and the pager is not
    followed past a page holding such a row (and never past `max_pages`).
    """

    name = "in_dgtr"
    publisher_zone = ZoneInfo("Asia/Kolkata")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cases_followed: set[str] = set()  # slugs whose page this run asked for

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for index in self.source.options.get("case_indexes", []):
            request = self.page_request(index["path"], self.parse_index)
            request.cb_kwargs["label"] = index["label"]
            yield request
        for listing in self.source.options.get("lists", []):
            yield self.list_request(listing["path"], listing["label"], 1)

    @reads_list
    def parse_index(self, response: Response, /, *args: Any, **kwargs: Any
                    ) -> Iterator[scrapy.Request]:
        """A request for the page of each case the index links that this run has not asked for
        (an index may list a case another also lists), within the run's `max_case_pages`."""
        budget = int(self.source.options.get("max_case_pages", MAX_CASE_PAGES))
        links = case_links(response)
        for link in links:
            if link.slug in self.cases_followed:
                continue
            if len(self.cases_followed) >= budget:
                self.logger.info(f"{response.url}: {len(links)} cases; case pages capped at "
                                 f"{budget} this run")
                return
            url = self.rebased(response.url, link.href)
            if url is None:
                continue
            self.cases_followed.add(link.slug)
            request = self.page_request(url, self.parse_case)
            request.cb_kwargs.update(link=link, label=kwargs["label"])
            yield request

    @reads_list
    def parse_case(self, response: Response, /, *args: Any, **kwargs: Any) -> Iterator[Notice]:
        """The case as one notice dated by its latest event, unless that is before `since`."""
        link: CaseLink = kwargs["link"]
        case = case_page(response)
        if self.since is not None and case.day is not None and case.day < self.since:
            return
        if case.day is None:
            self.logger.warning(f"{response.url}: no dated event and no Last Updated date")
        latest = case.latest
        document = self.rebased(response.url, latest.document) if latest and latest.document \
            else None
        events = [f"{event.name}, {event.day.strftime('%d/%m/%Y') if event.day else 'undated'}"
                  for event in case.newest_first]
        # The newest event leads the body: the analysis reads the case's stage from it.
        body = [kwargs["label"], f"Latest event: {events[0]}" if events else "",
                f"Earlier events: {'; '.join(events[1:])}" if events[1:] else ""]
        yield Notice(
            source=self.name,
            external_id=link.slug,
            market=self.source.market,
            url=document or response.url,
            title=link.title,
            published=case.day,
            body=". ".join(part for part in body if part),
            raw={"index": kwargs["label"], "case_page": response.url, "events": events,
                 "latest_event": latest.name if latest else None,
                 "document": latest.document if latest else None,
                 "last_updated": case.updated.isoformat() if case.updated else None},
        )

    def list_request(self, url: str, label: str, page: int) -> scrapy.Request:
        request = self.page_request(url, self.parse)
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
