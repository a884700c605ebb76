"""India's customs notifications, from the "Latest Updates" list of CBIC's tax information portal.

DGTR only recommends duties; the Ministry of Finance makes them law as customs notifications of the
series "Customs (ADD)" (anti-dumping), "(CVD)" (countervailing) and "(SG)" (safeguard), which CBIC
publishes. The portal's Angular front end reads its "Latest Updates" tab from a JSON endpoint per
tax (`api/cbic-notification-msts/fetchUpdatesByTaxId/1000002` for Customs): the newest few
notifications and circulars, newest first, with the fields `id`, `updatedDate` ("30-Sep-2026"),
`notificationNo`, `notificationName`, `updateType`, `updateCategory` and `docFilePath` (a
Windows-style path of the PDF).
"""

import json
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import scrapy
from scrapy.http import Response, TextResponse

from crawlers.items import Notice
from crawlers.spiders.base import SourceSpider

DATE_FORMAT = "%d-%b-%Y"  # 30-Sep-2026


def updates(response: Response) -> list[dict[str, Any]]:
    """The entries of one "Latest Updates" response; a ValueError naming the URL when the body
    is not the JSON list of objects the portal sends."""
    if not isinstance(response, TextResponse):
        raise ValueError(f"{response.url}: not a text response")
    try:
        entries = json.loads(response.body)
    except (ValueError, UnicodeError) as exc:  # JSONDecodeError is a ValueError
        raise ValueError(f"{response.url}: not JSON ({exc})") from exc
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ValueError(f"{response.url}: not a list of updates (API changed?)")
    return entries


def updated_on(entry: dict[str, Any]) -> date | None:
    """The entry's `updatedDate` ("30-Sep-2026", an Indian calendar date), None if unreadable."""
    try:
        return datetime.strptime(str(entry.get("updatedDate")).strip(), DATE_FORMAT).date()
    except ValueError:
        return None


def is_trade_remedy(entry: dict[str, Any], categories: Sequence[str], series: Sequence[str]
                    ) -> bool:
    """A trade-remedy notification: its category is one of `categories`, or its number is of one
    of the `series` ("24/2026-Customs (ADD)")."""
    category = str(entry.get("updateCategory") or "").strip().lower()
    number = str(entry.get("notificationNo") or "").replace(" ", "").upper()
    return (category in {c.lower() for c in categories}
            or any(s.replace(" ", "").upper() in number for s in series))


def document_path(entry: dict[str, Any], prefix: str) -> str | None:
    """Where the portal serves the entry's PDF: `prefix` + `docFilePath` with forward slashes;
    without a file, the portal's own viewer page of the entry."""
    file_path = str(entry.get("docFilePath") or "").strip().replace("\\", "/").lstrip("/")
    if file_path:
        return prefix + quote(file_path, safe="/")
    if entry.get("id") is None:
        return None
    tab = "Circulars" if str(entry.get("updateType")).lower().startswith("circular") else (
        "Notifications")
    return f"view-pdf/{quote(str(entry['id']))}/ENG/{tab}"


class InCbicSpider(SourceSpider):
    """Keeps only trade-remedy notifications of the list (options `categories` and `series`).

    Incremental: the list holds the newest few entries only, so each run reads it whole; entries
    updated before `since` are skipped, and the list is revalidated through the HTTP cache (a 304
    costs nothing when nothing changed). The PDFs are not fetched: the portal serves them wrapped
    in base64 JSON, and the title says the product, origins and measure.

    Options: `updates_paths` (the endpoints to read, relative to the configured url),
    `document_prefix` (where the portal serves `docFilePath`), `categories`, `series`.
    """

    name = "in_cbic"
    publisher_zone = ZoneInfo("Asia/Kolkata")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for path in self.source.options.get("updates_paths", []):
            yield self.revalidating_request(path, self.parse)

    def parse(self, response: Response, /, *args: Any, **kwargs: Any) -> Iterator[Notice]:
        options = self.source.options
        for entry in updates(response):
            if not is_trade_remedy(entry, options.get("categories", []),
                                   options.get("series", [])):
                continue
            published = updated_on(entry)
            if self.since is not None and published is not None and published < self.since:
                continue
            if published is None:
                self.logger.warning(f"{response.url}: entry {entry.get('id')}: unreadable "
                                    f"updatedDate {entry.get('updatedDate')!r}")
            yield self.to_notice(entry, published)

    def to_notice(self, entry: dict[str, Any], published: date | None) -> Notice:
        path = document_path(entry, self.source.options.get("document_prefix", ""))
        kind = [entry.get(key) for key in ("notificationNo", "updateCategory", "updateType")]
        number = entry.get("notificationNo") or entry.get("id")
        return Notice(
            source=self.name,
            external_id=None if number is None else str(number),
            market=self.source.market,
            url=self.on_configured_origin(path) if path else None,
            title=entry.get("notificationName") or entry.get("notificationNameToBeDisplay"),
            published=published,
            body=". ".join(str(part) for part in kind if part),
            raw=entry,
        )
