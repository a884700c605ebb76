"""Item pipelines: check, normalise and store each notice; spiders only map source fields."""

import logging
import unicodedata
from datetime import date
from typing import Any, Self

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawlers.documents import PdfError, pdf_text
from crawlers.items import Notice
from crawlers.store import open_store
from storage.database import error_line, transaction
from storage.links import safe_url
from storage.notices import NoticeRecord, store_notice

logger = logging.getLogger(__name__)

REQUIRED_FIELDS = ("source", "external_id", "market", "url", "title")


class RequireFieldsPipeline:
    """Drop an item that lacks what a notice needs, saying which field, so nothing half-made is
    stored; the drop is counted in the crawl's stats and so in the source's health."""

    def process_item(self, item: Notice, spider: Spider) -> Notice:
        missing = [name for name in REQUIRED_FIELDS if not item.get(name)]
        if missing:
            raise DropItem(
                f"{spider.name}: item {item.get('external_id') or '?'} lacks {', '.join(missing)}"
            )
        return item


def clean_text(value: Any) -> str:
    """NFC, no control characters, single spaces: web text arrives in every shape."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
    return " ".join(text.split())


UNREADABLE_ITEMS = "trews/items/unreadable"
SCANNED = "scanned: no text layer"


class DocumentTextPipeline:
    """Turn a notice published as a PDF into text, so PDFs get the same analysis as HTML and
    JSON notices. A file that is not a PDF, or a broken one, drops the item with the reason (a
    parse error). A valid PDF without a text layer (a scanned gazette) is no parse error and must
    not vanish: the notice is kept with the list's title, date and link, its body saying it could
    not be read, and counted (UNREADABLE_ITEMS) so the run and the source's health report it."""

    def process_item(self, item: Notice, spider: Spider) -> Notice:
        document = item.get("document")
        if document is None:
            return item
        kind = (item.get("document_type") or "").split(";")[0].strip().lower()
        if kind != "application/pdf":
            raise DropItem(f"{spider.name}: item {item.get('external_id')}: cannot read a "
                           f"{kind or 'untyped'} document")
        try:
            text = pdf_text(document)
        except PdfError as exc:
            raise DropItem(f"{spider.name}: item {item.get('external_id')}: unreadable PDF: "
                           f"{exc}") from exc
        if not text.strip():
            text = f"The PDF could not be read ({SCANNED}); see the link."
            item["raw"] = {**(item.get("raw") or {}), "unreadable": SCANNED}
            assert spider.crawler.stats is not None
            spider.crawler.stats.inc_value(UNREADABLE_ITEMS)
            spider.logger.warning("%s: item %s: unreadable PDF (%s), stored with the list's "
                                  "fields: %s", spider.name, item.get("external_id"), SCANNED,
                                  item.get("url"))
        item["body"] = "\n".join(part for part in (item.get("body"), text) if part)
        del item["document"]
        return item


class NormaliseTextPipeline:
    """Make text comparable across sources and runs, so the content hash only moves on real
    changes; an unreadable publication date drops the item with the value named."""

    def process_item(self, item: Notice, spider: Spider) -> Notice:
        item["title"] = clean_text(item["title"])
        item["body"] = clean_text(item.get("body"))
        item["url"] = clean_text(item["url"])
        item["external_id"] = clean_text(item["external_id"])
        published = item.get("published")
        if not published:
            assert spider.crawler.stats is not None
            spider.crawler.stats.inc_value("trews/items/undated")
        elif not isinstance(published, date):
            try:
                item["published"] = date.fromisoformat(str(published)[:10])
            except ValueError as exc:
                raise DropItem(
                    f"{spider.name}: item {item['external_id']} has unreadable date {published!r}"
                ) from exc
        return item


def stored_url(item: Notice, spider: Spider) -> str:
    """The notice's URL when it is http(s); any other (``javascript:``, ``data:``) is dropped,
    with a warning, and the notice kept without a link ("": the column holds no NULL)."""
    url = safe_url(item["url"])
    if url is None:
        spider.logger.warning("%s: item %s: not an http(s) URL, dropped: %r",
                              spider.name, item["external_id"], item["url"])
    return url or ""


class NotStored(DropItem):
    """A notice that could not be stored: counted apart from the parse errors (stat
    STORE_ERRORS), it fails the crawl's run, so the next crawl asks for it again."""


STORE_ERRORS = "trews/errors/store"
# The first failed download of a crawl, as "HTTP 503 from <url>" (crawlers/spiders/base.py).
FIRST_HTTP_ERROR = "trews/errors/http_first"


class StoreNoticePipeline:
    """Store every notice once per (source, external id); a changed content updates it. A notice
    that cannot be stored is dropped with the reason, naming its source and id, and counted."""

    def __init__(self, database_url: str, crawler: Crawler) -> None:
        self.database_url = database_url
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.settings["TREWS_DATABASE_URL"], crawler)

    def process_item(self, item: Notice, spider: Spider) -> Notice:
        record = NoticeRecord(
            source_id=item["source"], external_id=item["external_id"], market=item["market"],
            url=stored_url(item, spider), title=item["title"],
            published=item.get("published") or None,
            body=item.get("body") or "", raw=dict(item.get("raw") or {}),
        )
        assert self.crawler.stats is not None
        try:
            with transaction(open_store(self.database_url)) as session:
                outcome = store_notice(session, record)
        except Exception as exc:  # noqa: BLE001 - whatever the cause, the notice is lost: counted
            self.crawler.stats.inc_value(STORE_ERRORS)
            raise NotStored(f"{spider.name}: notice {record.external_id} not stored: "
                            f"{error_line(exc)}") from exc
        self.crawler.stats.inc_value(f"trews/notices/{outcome.value}")
        return item
