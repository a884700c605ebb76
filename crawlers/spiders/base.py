"""What every TREWS spider shares: its source's configuration, its since-date, safe requests."""

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, Self
from urllib.parse import urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import scrapy
from scrapy.crawler import Crawler
from twisted.python.failure import Failure

from config import Source, load_sources
from crawlers.pipelines import FIRST_HTTP_ERROR


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
