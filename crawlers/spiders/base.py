"""What every TREWS spider shares: its source's configuration, its since-date, safe requests."""

import logging
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, Self
from urllib.parse import urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from config import Source, load_sources
from crawlers.items import Notice
from crawlers.pipelines import FIRST_HTTP_ERROR
from crawlers.tables import Row


def is_pdf(link: str) -> bool:
    """Does the link name a PDF (by its path, as the authorities' file stores name them)?"""
    return urlsplit(link).path.lower().endswith(".pdf")


class SourceSpider(scrapy.Spider):
    """A spider bound to one configured source. Requests go only to the configured origin:
    text from the web is hostile, so a link a page names is rebased, never followed as is."""

    publisher_zone: ClassVar[ZoneInfo] = ZoneInfo("UTC")
    source: Source
    since: date | None

    def __init__(self, *args: Any, since: str | date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.since = date.fromisoformat(since) if isinstance(since, str) else since

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        sources = load_sources(Path(crawler.settings["TREWS_SOURCES_FILE"]))
        if spider.name not in sources:
            sources_file = crawler.settings["TREWS_SOURCES_FILE"]
            raise ValueError(f"{spider.name}: no such source in {sources_file}")
        spider.source = sources[spider.name]
        return spider

    @property
    def base_url(self) -> str:
        return str(self.source.url)

    def on_configured_origin(self, url: str) -> str:
        """The same path and query on the configured scheme and host."""
        base = urlsplit(self.base_url)
        target = urlsplit(urljoin(self.base_url, url))
        return urlunsplit((base.scheme, base.netloc, target.path, target.query, ""))

    def revalidating_request(self, url: str, callback: Callable[..., Any]) -> scrapy.Request:
        """A request that the RFC 2616 cache always revalidates, so an unchanged page is a 304."""
        return scrapy.Request(
            self.on_configured_origin(url), callback=callback, errback=self.on_error,
            headers={"Cache-Control": "max-age=0", "Accept": "application/json"},
        )

    def page_request(self, url: str, callback: Callable[..., Any]) -> scrapy.Request:
        """A revalidating request for an HTML list page."""
        request = self.revalidating_request(url, callback)
        request.headers["Accept"] = "text/html"
        return request

    def listed_notices(self, response: Response, rows: list[Row],
                       published_on: Callable[[Row], date | None],
                       to_notice: Callable[[Row, date | None, str, str | None], Notice],
                       ) -> Iterator[Notice | scrapy.Request]:
        """The notices of a list page whose rows link each notice (a PDF or a page): rows dated
        before `since` are skipped, so their PDFs are not fetched again; a notice published as a
        PDF is requested for the text pipeline, any other keeps the list's text, and one with no
        link points at the list that publishes it."""
        for row in rows:
            published = published_on(row)
            if self.since is not None and published is not None and published < self.since:
                continue
            href = row.links[0] if row.links else None
            link = self.rebased_link(response.url, href)
            notice = to_notice(row, published, link, href)
            yield self.document_request(link, notice) if is_pdf(link) else notice

    def rebased_link(self, page_url: str, href: str | None) -> str:
        """A link of a list page on the configured origin; without a (usable) link, the list that
        publishes the notice."""
        try:
            return self.on_configured_origin(urljoin(page_url, href or ""))
        except ValueError as exc:
            self.logger.warning(f"{page_url}: unusable link {href!r}: {exc}")
            return self.on_configured_origin(page_url)

    def document_request(self, link: str, notice: Notice) -> scrapy.Request:
        """The request for a notice's PDF (revalidated like every page); its callback hands the
        notice with the file to the text pipeline (crawlers.pipelines.DocumentTextPipeline)."""
        request = self.revalidating_request(link, self.with_document)
        request.headers["Accept"] = "application/pdf"
        request.cb_kwargs["notice"] = notice
        return request

    def with_document(self, response: Response, /, notice: Notice) -> Iterator[Notice]:
        """The notice with its PDF, for the text pipeline to read."""
        notice["document"] = response.body
        content_type = response.headers.get("Content-Type") or b"application/pdf"
        notice["document_type"] = content_type.decode("latin-1")
        yield notice

    def on_error(self, failure: Failure) -> None:
        """Count and name a failed download; the crawl goes on and the run is marked failed."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("trews/errors/http")
        request = getattr(failure, "request", None)
        url = getattr(request, "url", "?")
        response = getattr(failure.value, "response", None)
        answer = (f"HTTP {response.status} from {url}" if response is not None
                  else f"{failure.getErrorMessage()} at {url}")
        if self.crawler.stats.get_value(FIRST_HTTP_ERROR) is None:
            self.crawler.stats.set_value(FIRST_HTTP_ERROR, answer)
        self.log(f"download failed: {url}: {failure.getErrorMessage()}", level=logging.ERROR)
