"""EU Official Journal acts and notices on anti-dumping, anti-subsidy and safeguards, from the
EUR-Lex RSS feeds (notices of initiation and of impending expiry in OJ C, duty regulations in
OJ L)."""

import logging
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import date
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import scrapy
from scrapy.http import Response
from w3lib.html import remove_tags, replace_entities

from crawlers.items import Notice
from crawlers.spiders.base import SourceSpider

logger = logging.getLogger(__name__)
BRUSSELS = ZoneInfo("Europe/Brussels")
FEED_ACCEPT = "application/rss+xml, application/xml;q=0.9, */*;q=0.5"
# feedparser's bozo reasons that still leave a well-read feed: the declared encoding was wrong
# and feedparser found the right one, or the server's media type was not an XML one.
HARMLESS_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


def parse_feed(response: Response) -> list[dict[str, Any]]:
    """The items of an RSS/Atom feed as their own fields; an unreadable body, malformed XML (a
    truncated download) or a document that is no feed raises a ValueError naming the URL."""
    headers = {key.lower(): value for key, value in response.headers.to_unicode_dict().items()}
    try:
        feed = feedparser.parse(response.body, response_headers=headers)
    except Exception as exc:  # feedparser promises not to raise; any surprise is a parse error
        raise ValueError(f"{response.url}: feed unreadable: {exc!r}") from exc
    problem = feed.get("bozo_exception")
    if problem is not None and not isinstance(problem, HARMLESS_BOZO):
        raise ValueError(f"{response.url}: malformed feed (truncated or changed?): {problem}")
    if problem is not None:
        logger.warning("%s: %s; read as %s", response.url, problem, feed.get("encoding"))
    if not feed.get("version"):
        raise ValueError(f"{response.url}: not an RSS or Atom feed (no channel found)")
    return [entry_fields(entry) for entry in feed.get("entries") or []]


def entry_fields(entry: Mapping[str, Any]) -> dict[str, Any]:
    """An item's RSS fields, JSON-serialisable."""
    tags = entry.get("tags") or []
    return {
        "title": entry.get("title"),
        "link": entry.get("link"),
        "description": entry.get("summary"),
        "pubDate": entry.get("published"),
        "guid": entry.get("id"),
        "category": [tag.get("term") for tag in tags if tag.get("term")],
    }


def html_text(value: Any) -> str:
    """Descriptions may carry escaped HTML; the body is its text."""
    return replace_entities(remove_tags(value)) if isinstance(value, str) else ""


def rfc822_date(value: Any, zone: ZoneInfo) -> date | None:
    """An RFC 822 pubDate as the day it was in Brussels (a date with no zone is Brussels time)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(zone).date()


def matches_keywords(item: dict[str, Any], keywords: list[str]) -> bool:
    haystack = f"{item.get('title') or ''} {html_text(item.get('description'))}".casefold()
    return any(keyword.casefold() in haystack for keyword in keywords)


class EuEurlexSpider(SourceSpider):
    """Reads the configured EUR-Lex feeds (options.feeds, paths on the configured origin) and
    keeps the items whose title or description names a trade-defence instrument
    (options.keywords): the feeds carry the whole Official Journal. Incremental by the feed's
    pubDate (items published before `since` are skipped) and by HTTP revalidation (an unchanged
    feed is a 304)."""

    name = "eu_eurlex"
    publisher_zone = BRUSSELS

    def keywords(self) -> list[str]:
        keywords = self.source.options.get("keywords")
        if not keywords:
            raise ValueError(f"{self.name}: option 'keywords' missing in the sources file")
        return [str(keyword) for keyword in keywords]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        feeds = self.source.options.get("feeds")
        if not feeds:
            raise ValueError(f"{self.name}: option 'feeds' missing in the sources file")
        for path in feeds:
            request = self.revalidating_request(str(path), self.parse)
            request.headers["Accept"] = FEED_ACCEPT
            yield request

    def parse(self, response: Response, /, *args: Any, **kwargs: Any) -> Iterator[Notice]:
        keywords = self.keywords()
        items = parse_feed(response)
        selected = [item for item in items if matches_keywords(item, keywords)]
        self.logger.info("%s: %d items, %d on trade defence", response.url, len(items),
                         len(selected))
        for item in selected:
            published = rfc822_date(item.get("pubDate"), self.publisher_zone)
            if published is not None and self.since is not None and published < self.since:
                continue
            yield self.to_notice(item, published)

    def to_notice(self, item: dict[str, Any], published: date | None) -> Notice:
        return Notice(
            source=self.name,
            external_id=item.get("guid") or item.get("link"),
            market=self.source.market,
            url=item.get("link"),
            title=item.get("title"),
            published=published,
            body=html_text(item.get("description")),
            raw=item,
        )
