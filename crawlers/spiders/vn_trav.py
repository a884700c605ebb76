"""TRAV news (Cục Phòng vệ thương mại, trav.gov.vn): foreign trade-remedy cases on Vietnamese goods
and Vietnam's own cases on imports, as the authority reports them in Vietnamese.

The portal is an ASP.NET site: each news category is a list page
(``/default.aspx?page=news&do=browse&category_id=<guid>``, pages ``&p=2``...) of cards with title,
date (dd/mm/yyyy), lead and thumbnail, newest first; each card links to an article
(``/default.aspx?page=news-detail&do=detail&id=<guid>``) whose page does not repeat the date. The
site has no date filter, so the crawl is incremental by list order: a category's next page is read
only while its oldest card is not older than ``since`` (and at most ``max_pages`` pages), and only
articles dated on or after ``since`` are fetched; unchanged pages cost a 304 through the HTTP cache.

The page → records functions (``parse_list_page``, ``parse_article``, ``page_selector``) are plain
functions of a response, so tests can call them on any bytes: they return records or raise a
ValueError naming the URL and what is missing.
"""

import codecs
import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import scrapy
from parsel import Selector
from scrapy.http import Response
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

from crawlers.fallback import reads_list
from crawlers.items import Notice
from crawlers.spiders.base import SourceSpider
from crawlers.tables import LayoutChanged

logger = logging.getLogger(__name__)

# Categories read by default: "Tin điều tra của nước ngoài" and "Tin điều tra của Việt Nam".
DEFAULT_LIST_PATHS = (
    "/default.aspx?page=news&do=browse&category_id=061fcf6d-54dd-4a7b-9293-33e0c3c218ad",
    "/default.aspx?page=news&do=browse&category_id=91b07cf1-3658-4f39-b688-73b9e8ff8a05",
)
DEFAULT_MAX_PAGES = 3
HTML_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"

DATE_RE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
# What a category with no news shows instead of cards (a list that is legitimately empty).
EMPTY_LIST_RE = re.compile(r"Không có (dữ liệu|tin|bài viết)|Chưa có (tin|bài viết|dữ liệu)",
                           re.IGNORECASE)
# UTF-8 Vietnamese read as a one-byte code page: "á»", "áº", "Æ°", "Ä‘", "Ã©"... never occur in
# real Vietnamese text, so any of them means the page was decoded (or published) with the wrong
# charset.
MOJIBAKE_RE = re.compile("á[\u00ba\u00bb]|Æ[\u00a1\u00af\u00b0]|Ä[\u0090\u0091\u2018]"
                         "|Ã[\u0080-\u00bf]|â€")
ATTACHMENT_RE = re.compile(r"/(data|file|files|userfiles)/|\.(pdf|docx?|xlsx?|zip|rar)$",
                           re.IGNORECASE)
BLOCKS_XPATH = (".//p[not(ancestor::p)] | .//li[not(.//p)] | .//h2 | .//h3 | .//h4"
                " | .//td[not(.//p)]")


@dataclass(frozen=True)
class ListEntry:
    """One news card as the list page gives it."""

    href: str
    external_id: str | None
    title: str
    published: date | None
    date_text: str
    sapo: str
    category: str
    thumbnail: str | None


@dataclass(frozen=True)
class ListPage:
    entries: list[ListEntry]
    next_href: str | None


@dataclass(frozen=True)
class Article:
    title: str
    paragraphs: list[str]
    sapo: str
    breadcrumb: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)


def squash(text: str | None) -> str:
    return " ".join((text or "").split())


def parse_vn_date(text: str) -> date | None:
    """The first dd/mm/yyyy in the text, the way TRAV writes dates; None if none is valid."""
    match = DATE_RE.search(text or "")
    if not match:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _canonical(name: str | None) -> str | None:
    try:
        return codecs.lookup(name).name if name else None
    except LookupError:
        return None


def declared_encodings(response: Response) -> tuple[str | None, str | None]:
    """(the page's own meta charset, the HTTP header's charset), as Python codec names."""
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
    return (_canonical(html_body_declared_encoding(response.body)),
            _canonical(http_content_type_encoding(content_type)))


def page_text(response: Response) -> str:
    """The page decoded with the first charset under which it reads as Vietnamese: its meta
    charset, then the HTTP header's, then UTF-8 (what the site uses).

    A server that labels UTF-8 pages windows-1252 (a common IIS misconfiguration) is read
    correctly, with a warning; a page whose text is mojibake under every candidate is an error,
    not news."""
    if not response.body.strip():
        raise ValueError(f"{response.url}: empty page")
    meta, header = declared_encodings(response)
    candidates = list(dict.fromkeys(name for name in (meta, header, "utf-8") if name))
    for encoding in candidates:
        try:
            text = response.body.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not MOJIBAKE_RE.search(text):
            if header and header != encoding:
                logger.warning("%s: declared %s by the server but the page reads as %s",
                               response.url, header, encoding)
            return text
    raise ValueError(f"{response.url}: text is mojibake or undecodable in every charset tried "
                     f"({', '.join(candidates)}): wrong encoding")


def page_selector(response: Response) -> Selector:
    """A selector over the correctly decoded page. The portal's pages are whole HTML documents,
    so one that stops before ``</html>`` was cut off in transit and would lose cards silently."""
    text = page_text(response)
    if "</html" not in text[-4096:].lower():
        raise ValueError(f"{response.url}: truncated page (no closing </html>)")
    try:
        return Selector(text=text, type="html")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{response.url}: unreadable HTML: {exc}") from exc


def query_value(href: str, name: str) -> str | None:
    values = parse_qs(urlsplit(href).query).get(name)
    return values[0] if values else None


def article_id(href: str) -> str | None:
    """The article's own id: the portal's ``id`` GUID, else the last path segment (a slug)."""
    found = query_value(href, "id")
    if found:
        return found
    slug = urlsplit(href).path.rstrip("/").rsplit("/", 1)[-1]
    slug = re.sub(r"\.(aspx?|html?)$", "", slug)
    return slug if slug and slug.lower() != "default" else None


def _entry(card: Selector) -> ListEntry | None:
    link = card.css(".news__title a") or card.css("a.news__frame")
    href = link.attrib.get("href", "").strip() if link else ""
    if not href:
        return None
    date_text = squash(" ".join(card.css(".news__info ::text").getall()))
    title = squash(" ".join(card.css(".news__title ::text").getall()))
    return ListEntry(
        href=href,
        external_id=article_id(href),
        title=title or squash(card.css("a.news__frame img::attr(alt)").get()),
        published=parse_vn_date(date_text),
        date_text=date_text,
        sapo=squash(" ".join(card.css(".news__desc ::text").getall())),
        category=squash(" ".join(card.css(".news__tag ::text").getall())),
        thumbnail=card.css("a.news__frame img::attr(src)").get(),
    )


def _next_href(selector: Selector, current_url: str) -> str | None:
    """The pager link to page p+1 of this list (the pager's "Trang sau" or its number)."""
    wanted = str(int(query_value(current_url, "p") or "1") + 1)
    for href in selector.css("a::attr(href)").getall():
        if query_value(href, "p") == wanted and query_value(href, "page") == "news":
            return str(href)
    return None


def parse_list_page(response: Response) -> ListPage:
    """The news cards of one category page and the link to its next page."""
    selector = page_selector(response)
    cards = selector.css("div.news")
    if not cards:
        if EMPTY_LIST_RE.search(" ".join(selector.css("body ::text").getall())):
            return ListPage([], None)
        raise LayoutChanged(f"{response.url}: no news cards (div.news) found "
                            "(page layout changed?)")
    entries = [entry for entry in (_entry(card) for card in cards) if entry is not None]
    if not entries:
        raise LayoutChanged(f"{response.url}: news cards have no title link (page layout changed?)")
    return ListPage(entries, _next_href(selector, response.url))


def parse_article(response: Response) -> Article:
    """Title, lead, body paragraphs and attached files of one article page."""
    selector = page_selector(response)
    post = selector.css("article.post") or selector.css(".post")
    content = post.css(".post__content")
    if not content:
        raise ValueError(f"{response.url}: no article body (article.post .post__content) found "
                         "(page layout changed?)")
    blocks = [squash(" ".join(block.css("::text").getall()))
              for block in content[0].xpath(BLOCKS_XPATH)]
    paragraphs = [text for text in blocks if text] or [
        squash(" ".join(content[0].css("::text").getall()))]
    hrefs = content.css("a::attr(href)").getall()
    return Article(
        title=squash(" ".join(post.css(".post__title ::text").getall())),
        paragraphs=[text for text in paragraphs if text],
        sapo=squash(" ".join(post.css(".post__sapo ::text").getall())),
        breadcrumb=[squash(" ".join(item.css("::text").getall()))
                    for item in post.css(".breadcrumb-item")],
        attachments=[href for href in hrefs if ATTACHMENT_RE.search(urlsplit(href).path)],
    )


class VnTravSpider(SourceSpider):
    """Reads the configured news categories newest first and each new article once.

    Options: ``list_paths`` (category list pages, default: foreign cases and Vietnam's cases),
    ``max_pages`` (pages read per category in one run, default 3)."""

    name = "vn_trav"
    publisher_zone = ZoneInfo("Asia/Ho_Chi_Minh")

    def html_request(self, url: str, callback: Any, **cb_kwargs: Any) -> scrapy.Request:
        request = self.revalidating_request(url, callback)
        request.headers["Accept"] = HTML_ACCEPT
        return request.replace(cb_kwargs=cb_kwargs)

    @property
    def max_pages(self) -> int:
        return int(self.source.options.get("max_pages", DEFAULT_MAX_PAGES))

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for path in self.source.options.get("list_paths", DEFAULT_LIST_PATHS):
            yield self.html_request(path, self.parse, page_number=1)

    def is_new(self, published: date | None) -> bool:
        """Undated cards are kept: only a date can say a card is old."""
        return self.since is None or published is None or published >= self.since

    @reads_list
    def parse(self, response: Response, /, *args: Any, page_number: int = 1, **kwargs: Any
              ) -> Iterator[scrapy.Request]:
        page = parse_list_page(response)
        for entry in page.entries:
            if self.is_new(entry.published):
                yield self.html_request(entry.href, self.parse_article_page, entry=entry)
        dates = [entry.published for entry in page.entries if entry.published]
        older_than_since = bool(dates) and not self.is_new(min(dates))
        if page.next_href and page_number < self.max_pages and not older_than_since:
            yield self.html_request(page.next_href, self.parse, page_number=page_number + 1)

    def parse_article_page(self, response: Response, entry: ListEntry) -> Notice:
        return self.to_notice(entry, parse_article(response))

    def to_notice(self, entry: ListEntry, article: Article) -> Notice:
        lead = [article.sapo] if article.sapo and article.sapo not in article.paragraphs else []
        return Notice(
            source=self.name,
            external_id=entry.external_id,
            market=self.source.market,
            url=self.on_configured_origin(entry.href),
            title=article.title or entry.title,
            published=entry.published,
            body="\n\n".join(lead + article.paragraphs),
            raw={
                "list_title": entry.title, "date": entry.date_text, "sapo": entry.sapo,
                "category": entry.category, "thumbnail": entry.thumbnail,
                "article_title": article.title, "article_sapo": article.sapo,
                "breadcrumb": article.breadcrumb,
                "attachments": [self.on_configured_origin(href) for href in article.attachments],
            },
        )
