"""When a list page no longer has the structure its spider reads, the list as a person sees it.

A redesign that renames classes or turns a table into a list would otherwise leave a market dark
until someone rewrites the spider. Instead, the page's main content is read by trafilatura (a
maintained extraction library, not heuristics of ours): each row, list item or dated paragraph
with its links and the latest date its text states (dateparser) becomes a notice, marked
``degraded`` in its raw fields. The run records why (``DEGRADED``), and the source's health says
``degraded``, with one operator mail (storage.sources.judge_health). Analysis runs on these
notices as on any other. A page whose main content holds no such entry still fails.

Only a missing structure (``LayoutChanged``) falls back; a truncated or unreadable page fails as
before, because what it lost cannot be read from what is left.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import lxml.html
from lxml import etree
from scrapy.http import Response, TextResponse

from crawlers.items import Notice
from crawlers.tables import LayoutChanged

if TYPE_CHECKING:
    from crawlers.spiders.base import SourceSpider

DEGRADED = "trews/degraded"  # why the run fell back (the first list page's reason)
DEGRADED_ITEMS = "trews/items/degraded"
# Blocks of the extracted main content that are entries of a list.
ENTRY_TAGS = ("row", "item", "p")
TITLE_CHARS = 300
ENTRY_CHARS = 30  # less text than this (a bare date) is part of an entry, not one
# A link text this long (and a third of the entry) is its title; "AD0052" or "Download" is not.
TITLE_LINK_CHARS = 20
LANGUAGES = {"VN": ["vi", "en"]}


@dataclass(frozen=True)
class Entry:
    """One entry of a list as a person sees it."""

    title: str
    url: str | None
    day: date | None
    text: str


def list_entries(html: str, url: str, languages: list[str]) -> list[Entry]:
    """The entries of the page's main content, in page order.

    trafilatura says which blocks are the main content; each block is then read from the
    page's own element with the same text, which keeps what extraction flattens: the spaces
    between cells, every link, and the machine-readable date of a <time> element.
    """
    import trafilatura  # only a degraded run pays for the extractor

    xml = trafilatura.extract(html, url=url, output_format="xml", include_links=True,
                              include_tables=True, include_comments=False, favor_recall=True,
                              deduplicate=False)
    if not xml:
        return []
    root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(recover=True))
    page = _Page(lxml.html.document_fromstring(html))
    entries = []
    for block in root.iter(*ENTRY_TAGS):
        if any(parent.tag in ENTRY_TAGS for parent in block.iterancestors()):
            continue
        if block.tag == "row" and block.find("cell[@role='head']") is not None:
            continue
        original = _item_of(page.element_of([_squashed([piece]) for piece in block.itertext()]))
        entry = _entry(block.tag, original if original is not None else block, languages)
        if entry is not None:
            entries.append(entry)
    return entries


def _squashed(texts: Iterable[str]) -> str:
    return "".join("".join(texts).split())


def _item_of(element: Any | None) -> Any | None:
    """The element, or the nearest ancestor with text enough to be an entry: a card's date
    paragraph stands for the card, whose heading is the entry's title."""
    while (element is not None and len(_squashed(element.itertext())) < ENTRY_CHARS
           and element.getparent() is not None and element.getparent().tag != "body"):
        element = element.getparent()
    return element


class _Page:
    """The page's elements by their text without whitespace."""

    def __init__(self, document: Any) -> None:
        self.texts: dict[str, Any] = {}
        for element in document.iter():
            if isinstance(element.tag, str):
                self.texts[_squashed(element.itertext())] = element  # inner elements win

    def element_of(self, pieces: list[str]) -> Any | None:
        """The element with the text of these pieces; else the smallest whose text holds every
        piece (extraction drops some inline elements, such as <time>)."""
        pieces = [piece for piece in pieces if piece]
        text = "".join(pieces)
        if not text:
            return None
        if text in self.texts:
            return self.texts[text]
        holding = [key for key in self.texts if all(piece in key for piece in pieces)]
        return self.texts[min(holding, key=len)] if holding else None


def _entry(kind: str, block: Any, languages: list[str]) -> Entry | None:
    """An entry from a block of the extraction (`ref` links) or of the page (`a` links)."""
    text = " ".join(" ".join(block.itertext()).split())
    links = [(target, " ".join(" ".join(link.itertext()).split()))
             for link in block.iter("ref", "a")
             if (target := link.get("href" if link.tag == "a" else "target"))]
    stamped = [value for time in block.iter("time") if (value := time.get("datetime"))]
    day = latest_date(" ".join([*stamped, text]), languages)
    # A list's rows and items are entries; a paragraph is one only when it is dated (a notice
    # "12/11/2026: ..."), not the page's prose about signing in.
    if not text or (kind == "p" and day is None and not stamped) or (not links and day is None):
        return None
    named = max((label for _target, label in links), key=len, default="")
    title = named if len(named) >= max(TITLE_LINK_CHARS, len(text) // 3) else text
    return Entry(title[:TITLE_CHARS], links[0][0] if links else None, day, text)


def latest_date(text: str, languages: list[str]) -> date | None:
    """The latest full date (day, month, year) the text states, read day-first."""
    from dateparser.search import search_dates

    found = search_dates(text, languages=languages, settings={
        "STRICT_PARSING": True, "DATE_ORDER": "DMY",
        "REQUIRE_PARTS": ["day", "month", "year"]}) or []
    return max((moment.date() for _text, moment in found), default=None)


def degraded_notices(spider: SourceSpider, response: Response,
                     problem: LayoutChanged) -> Iterator[Notice]:
    """The list's entries as notices marked degraded; the layout error again when there are
    none (the page is then as good as empty, and the source failing)."""
    if not isinstance(response, TextResponse):
        raise problem
    market = spider.source.market
    entries = _distinct(list_entries(response.text, response.url, LANGUAGES.get(market, ["en"])))
    if not entries:
        raise problem
    stats = spider.crawler.stats
    assert stats is not None
    if stats.get_value(DEGRADED) is None:
        stats.set_value(DEGRADED, str(problem))
    stats.inc_value(DEGRADED_ITEMS, len(entries))
    spider.logger.warning("%s: read in degraded mode (%d entries): %s", response.url,
                          len(entries), problem)
    for entry in entries:
        url = spider.on_configured_origin(entry.url) if entry.url else response.url
        key = url if entry.url else f"{response.url}#{entry.title}"
        yield Notice(
            source=spider.name, market=market,
            external_id="degraded-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16],
            url=url, title=entry.title, published=entry.day, body=entry.text,
            raw={"degraded": str(problem), "list_url": response.url, "link": entry.url},
        )


def _distinct(entries: list[Entry]) -> list[Entry]:
    """One entry per link: the one with the least text (a list's heading that extraction
    joined to its first item is not that item's entry)."""
    kept: dict[str, Entry] = {}
    for entry in entries:
        key = entry.url or entry.title
        if key not in kept or len(entry.text) < len(kept[key].text):
            kept[key] = entry
    return list(kept.values())


ListCallback = Callable[..., Iterator[Any]]


def reads_list(parse: ListCallback) -> ListCallback:
    """A spider's list-page callback that falls back to the main content (degraded_notices)
    when the page no longer has the structure it reads. The callback's output is collected
    first, so a page read halfway is never half yielded."""
    @functools.wraps(parse)
    def callback(spider: SourceSpider, response: Response, /, *args: Any,
                 **kwargs: Any) -> Iterator[Any]:
        try:
            produced = list(parse(spider, response, *args, **kwargs))
        except LayoutChanged as problem:
            yield from degraded_notices(spider, response, problem)
            return
        yield from produced
    return callback
