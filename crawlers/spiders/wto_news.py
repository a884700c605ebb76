"""WTO news: disputes and trade-remedy committee news from the World Trade Organization.

The live channel is the latest-news RSS 2.0 feed (``options.feed``,
``library/rss/latest_news_e.xml``): one item per news page, with title, link, description, pubDate
and guid. The WTO reports disputes (panels established, reports circulated) and the meetings of its
Anti-Dumping, Safeguards and Subsidies committees, mixed with everything else it does; the spider
keeps an item when its title or description carries one of the source's own subject words
(``options.keywords``).

Optionally (``options.news_js``), the spider also reads the JavaScript news data behind the WTO home
page (``library/news/current_news_e.js``: ``news_item[N] = {ni_date, ni_head, ni_intro, ni_subject,
ni_links, ...}``) and keeps the items whose WTO subject codes (``ni_subject``, e.g. ``ANTI#DISP``)
are among ``options.subjects``.

Incremental: both lists are newest-first windows of a few weeks; items published before the run's
since-date are skipped, and an unchanged feed costs a 304. News dates are Geneva time.
"""

import html
import logging
import re
from collections.abc import AsyncIterator, Iterator
from datetime import date
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import scrapy
from scrapy.http import Response, TextResponse
from w3lib.html import remove_tags

from crawlers.items import Notice
from crawlers.spiders.base import SourceSpider

GENEVA = ZoneInfo("Europe/Zurich")
# feedparser's warnings that leave the feed readable: it decoded with another encoding than the
# declared one, or the server called the feed something other than XML.
_BENIGN_FEED_ISSUES = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
_NEWS_ITEM_RE = re.compile(r"\bnews_item\s*\[\s*(\d+)\s*\]\s*=")
_NI_DATE_RE = re.compile(r"^\s*(\d{4})\.(\d{1,2})\.(\d{1,2})")
_MAX_DEPTH = 16


# ----------------------------------------------------------------------------- RSS feed


def _entry_date(entry: Any, zone: ZoneInfo) -> date | None:
    """The pubDate as a day in Geneva (an RFC 822 time with its own offset)."""
    stamp = entry.get("published")
    if not isinstance(stamp, str):
        return None
    try:
        moment = parsedate_to_datetime(stamp)
    except (TypeError, ValueError, IndexError):
        return None
    return (moment.astimezone(zone) if moment.tzinfo else moment).date()


def feed_records(response: Response, zone: ZoneInfo = GENEVA) -> list[dict[str, Any]]:
    """The items of an RSS feed, each as its own fields plus the day it was published.

    ValueError names the URL when the body is not a well-formed feed (an HTML error page, a
    truncated download); an encoding other than the declared one is logged and read anyway.
    """
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
    try:
        parsed = feedparser.parse(response.body, response_headers={"content-type": content_type})
    except Exception as exc:  # feedparser's own failures are many; all mean "not a feed"
        raise ValueError(f"{response.url}: unreadable feed ({exc!r})") from exc
    problem = parsed.get("bozo_exception")
    if not parsed.get("version"):
        raise ValueError(f"{response.url}: not an RSS or Atom feed ({problem or 'no channel'})")
    if problem is not None and not isinstance(problem, _BENIGN_FEED_ISSUES):
        raise ValueError(f"{response.url}: feed is not well-formed XML ({problem})")
    if problem is not None:
        logging.getLogger(__name__).warning("%s: %s", response.url, problem)
    return [{
        "title": entry.get("title"),
        "link": entry.get("link"),
        "description": entry.get("summary"),
        "pubDate": entry.get("published"),
        "guid": entry.get("id"),
        "published": _entry_date(entry, zone),
    } for entry in parsed.entries]


def mentions_any(text: str, keywords: list[str]) -> bool:
    """True when the text contains one of the words (case-insensitive substrings)."""
    folded = text.casefold()
    return any(word.casefold() in folded for word in keywords)


# ----------------------------------------------------------------------------- news data (JS)


class _JsLiteral:
    """A reader of the JavaScript object literals the WTO writes its news data in: objects with
    bare or quoted keys, arrays, quoted strings, numbers, true/false/null."""

    _SKIP_RE = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)*", re.DOTALL)
    _BARE_RE = re.compile(r"[A-Za-z0-9_$.+-]+")
    _NUMBER_RE = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
    _ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}

    def __init__(self, text: str, pos: int) -> None:
        self.text, self.pos = text, pos

    def fail(self, what: str) -> ValueError:
        return ValueError(f"{what} at character {self.pos}")

    def peek(self) -> str:
        match = self._SKIP_RE.match(self.text, self.pos)
        self.pos = match.end() if match else self.pos
        if self.pos >= len(self.text):
            raise self.fail("unexpected end of data")
        return self.text[self.pos]

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.fail(f"expected {char!r}")
        self.pos += 1

    def value(self, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise self.fail("nested too deeply")
        char = self.peek()
        if char == "{":
            return self.object(depth)
        if char == "[":
            return self.array(depth)
        if char in "\"'":
            return self.string()
        return self.bare()

    def object(self, depth: int) -> dict[str, Any]:
        self.expect("{")
        result: dict[str, Any] = {}
        while self.peek() != "}":
            key = self.string() if self.peek() in "\"'" else self.bare_word()
            self.expect(":")
            result[key] = self.value(depth + 1)
            if self.peek() != ",":
                break
            self.pos += 1
        self.expect("}")
        return result

    def array(self, depth: int) -> list[Any]:
        self.expect("[")
        result: list[Any] = []
        while self.peek() != "]":
            result.append(self.value(depth + 1))
            if self.peek() != ",":
                break
            self.pos += 1
        self.expect("]")
        return result

    def string(self) -> str:
        quote = self.peek()
        self.pos += 1
        out: list[str] = []
        while self.pos < len(self.text) and self.text[self.pos] != quote:
            char = self.text[self.pos]
            if char == "\\":
                char, self.pos = self.escape(self.pos + 1)
            out.append(char)
            self.pos += 1
        if self.pos >= len(self.text):
            raise self.fail("unterminated string")
        self.pos += 1
        return "".join(out)

    def escape(self, pos: int) -> tuple[str, int]:
        """The character an escape stands for, and the position of its last character."""
        if pos >= len(self.text):
            raise self.fail("unterminated string")
        char = self.text[pos]
        digits = {"u": 4, "x": 2}.get(char, 0)
        if digits:
            code = self.text[pos + 1:pos + 1 + digits]
            if len(code) != digits or not all(c in "0123456789abcdefABCDEF" for c in code):
                raise self.fail("bad escape")
            return chr(int(code, 16)), pos + digits
        return self._ESCAPES.get(char, char), pos

    def bare_word(self) -> str:
        self.peek()
        match = self._BARE_RE.match(self.text, self.pos)
        if not match:
            raise self.fail("expected a name")
        self.pos = match.end()
        return match.group()

    def bare(self) -> Any:
        word = self.bare_word()
        constants = {"true": True, "false": False, "null": None}
        if word in constants:
            return constants[word]
        if len(word) > 40 or not self._NUMBER_RE.fullmatch(word):
            raise self.fail(f"unknown value {word[:20]!r}")
        return float(word) if any(c in word for c in ".eE") else int(word)


def read_js_literal(text: str, pos: int) -> Any:
    """The JavaScript literal value that starts at ``pos`` (ValueError when it is not one)."""
    return _JsLiteral(text, pos).value()


def news_js_records(response: Response) -> list[dict[str, Any]]:
    """The ``news_item[N] = {...}`` records of the WTO news data, each with its number as
    ``news_item``; ValueError names the URL and the record when the data is not readable."""
    if not isinstance(response, TextResponse):
        raise ValueError(f"{response.url}: not a text response")
    text = response.text
    starts = list(_NEWS_ITEM_RE.finditer(text))
    if not starts:
        raise ValueError(f"{response.url}: no news_item records (news data layout changed?)")
    records = []
    for start in starts:
        try:
            record = read_js_literal(text, start.end())
        except ValueError as exc:
            raise ValueError(f"{response.url}: news_item[{start.group(1)}]: {exc}") from exc
        if not isinstance(record, dict):
            raise ValueError(f"{response.url}: news_item[{start.group(1)}] is not an object")
        records.append({**record, "news_item": int(start.group(1))})
    return records


def ni_date(value: Any) -> date | None:
    """The first day of ``ni_date`` ("2013.05.24_10:00:00", or two moments joined by '#')."""
    match = _NI_DATE_RE.match(value) if isinstance(value, str) else None
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def codes(value: Any) -> set[str]:
    """WTO '#'-joined codes ("AB#DISP") as a set."""
    return {code.strip() for code in value.split("#") if code.strip()} if isinstance(
        value, str) else set()


def first_link(record: dict[str, Any]) -> str | None:
    """The first non-empty ``nl_url`` of the record's links (its news page)."""
    links = record.get("ni_links")
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and isinstance(link.get("nl_url"), str) and link["nl_url"]:
            return str(link["nl_url"])
    return None


def _unescaped(value: Any) -> str | None:
    return html.unescape(value) if isinstance(value, str) else None


# ----------------------------------------------------------------------------- spider


class WtoNewsSpider(SourceSpider):
    """Reads the WTO news feed (and, when configured, the home page's news data), keeping the
    dispute and trade-remedy news by the source's own keywords and subject codes.

    Options: ``feed`` (path of the RSS feed), ``keywords`` (words that select a feed item),
    ``news_js`` (optional path of the JavaScript news data), ``subjects`` (WTO subject codes that
    select a news_js item).
    """

    name = "wto_news"
    publisher_zone = GENEVA

    def option(self, key: str) -> Any:
        value = self.source.options.get(key)
        if not value:
            raise ValueError(f"{self.name}: option {key!r} is not configured")
        return value

    async def start(self) -> AsyncIterator[scrapy.Request]:
        feed = self.revalidating_request(self.option("feed"), self.parse)
        feed.headers["Accept"] = "application/rss+xml, application/xml;q=0.9, text/xml;q=0.8"
        yield feed
        if self.source.options.get("news_js"):
            news = self.revalidating_request(self.option("news_js"), self.parse_news_js)
            news.headers["Accept"] = "application/javascript, */*;q=0.5"
            yield news

    def is_recent(self, published: date | None) -> bool:
        return self.since is None or published is None or published >= self.since

    def parse(self, response: Response, /, *args: Any, **kwargs: Any) -> Iterator[Notice]:
        """The feed's dispute and trade-remedy items published since the since-date."""
        keywords = list(self.option("keywords"))
        for record in feed_records(response, self.publisher_zone):
            text = f"{record['title'] or ''} {record['description'] or ''}"
            if mentions_any(text, keywords) and self.is_recent(record["published"]):
                yield self.feed_notice(record)

    def feed_notice(self, record: dict[str, Any]) -> Notice:
        description = record["description"]
        return Notice(
            source=self.name,
            external_id=record["guid"] or record["link"],
            market=self.source.market,
            url=record["link"],
            title=record["title"],
            published=record["published"] or record["pubDate"],
            body=html.unescape(remove_tags(description)) if description else None,
            raw={key: value for key, value in record.items() if key != "published"},
        )

    def parse_news_js(self, response: Response) -> Iterator[Notice]:
        """The news data's items whose subject codes are configured, since the since-date."""
        subjects = set(self.option("subjects"))
        for record in news_js_records(response):
            if codes(record.get("ni_subject")) & subjects and self.is_recent(
                    ni_date(record.get("ni_date"))):
                yield self.news_js_notice(record, response)

    def news_js_notice(self, record: dict[str, Any], response: Response) -> Notice:
        link = first_link(record)
        return Notice(
            source=self.name,
            external_id=f"news_item/{record['news_item']}",
            market=self.source.market,
            url=response.urljoin(link) if link else None,
            title=_unescaped(record.get("ni_head")),
            published=ni_date(record.get("ni_date")) or record.get("ni_date"),
            body=_unescaped(record.get("ni_intro")),
            raw=record,
        )
