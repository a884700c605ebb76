"""US Federal Register public inspection desk of Commerce (ITA) and the USITC, through the FR API.

Documents go on public inspection the day before the Federal Register publishes them (regular
filings about 8:45 ET, special filings in the afternoon): the earliest public signal a machine can
read. The notice keeps the FR document number as its id, so the published document that follows
(source us_fr_documents) can be linked to it.

Incremental: each run reads today's desk (``current.json``) and then asks the desk of each earlier
day from the run's since-date (``conditions[available_on]=YYYY-MM-DD``), at most ``max_days``
days back from the desk's own date. A longer gap needs no catch-up here: its documents are
published by then, and us_fr_documents reads them. Unchanged desks cost a 304.
"""

import json
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import scrapy
from scrapy.http import Response, TextResponse

from crawlers.items import Notice
from crawlers.spiders.base import SourceSpider

# The desk's own fields kept as the notice's raw data (the API's names).
FIELDS = (
    "agencies", "agency_names", "docket_numbers", "document_number", "editorial_note", "filed_at",
    "filing_type", "html_url", "json_url", "num_pages", "pdf_url", "publication_date",
    "raw_text_url", "subject_1", "subject_2", "subject_3", "title", "toc_doc", "toc_subject",
    "type",
)
SUBJECTS = ("subject_1", "subject_2", "subject_3")
DEFAULT_MAX_DAYS = 10


@dataclass(frozen=True)
class Desk:
    """One day's public inspection desk: its filings and the day the API says it is for."""

    results: list[dict[str, Any]]
    day: date | None


def _desk_day(page: dict[str, Any], zone: ZoneInfo) -> date | None:
    """The desk's day: when its regular filings were last updated (an ISO time with offset)."""
    stamp = page.get("regular_filings_updated_at")
    if not isinstance(stamp, str):
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return (moment.astimezone(zone) if moment.tzinfo else moment).date()


def parse_desk(response: Response, zone: ZoneInfo) -> Desk:
    """The filings of a public-inspection response; ValueError names the URL when the body is
    not the API's shape (a JSON object whose ``results`` is a list of objects; the API leaves
    ``results`` out when ``count`` is 0)."""
    if not isinstance(response, TextResponse):
        raise ValueError(f"{response.url}: not a text response")
    try:
        page = json.loads(response.text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{response.url}: not JSON ({exc})") from exc
    if not isinstance(page, dict):
        raise ValueError(f"{response.url}: not a JSON object (API layout changed?)")
    if "results" not in page and page.get("count") != 0:
        raise ValueError(f"{response.url}: no 'results' and no zero 'count' (API layout changed?)")
    results = page.get("results")
    if results is None:
        results = []
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise ValueError(f"{response.url}: 'results' is not a list of documents "
                         "(API layout changed?)")
    return Desk(results, _desk_day(page, zone))


def agency_slugs(document: dict[str, Any]) -> set[str]:
    """The slugs of the filing agencies, as the API lists them."""
    agencies = document.get("agencies")
    if not isinstance(agencies, list):
        return set()
    return {a["slug"] for a in agencies if isinstance(a, dict) and isinstance(a.get("slug"), str)}


def _text(document: dict[str, Any], key: str) -> str:
    value = document.get(key)
    return value.strip() if isinstance(value, str) else ""


def title_of(document: dict[str, Any]) -> str:
    """The desk's title; else its table-of-contents subject and document, else its subjects."""
    parts = [_text(document, "toc_subject"), _text(document, "toc_doc")]
    return (_text(document, "title") or " ".join(p for p in parts if p)
            or " ".join(p for p in (_text(document, k) for k in SUBJECTS) if p))


def body_of(document: dict[str, Any]) -> str:
    """The text the desk gives before publication: its subject lines and any editorial note."""
    parts = [_text(document, key) for key in (*SUBJECTS, "editorial_note")]
    if not any(parts[:3]):
        parts[:3] = [_text(document, "toc_subject"), _text(document, "toc_doc"), ""]
    return "\n".join(p for p in parts if p)


class UsFrPublicInspectionSpider(SourceSpider):
    """Reads today's desk, then the desks of the days since the last successful run (bounded),
    keeping the filings of the configured agencies; FR dates are Eastern time.

    Options: ``current_path`` and ``day_path`` (API paths under the source URL), ``agencies``
    (agency slugs to keep; all when empty), ``max_days`` (how many earlier desks one run asks).
    """

    name = "us_fr_public_inspection"
    publisher_zone = ZoneInfo("America/New_York")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen: set[str] = set()

    def option_path(self, key: str) -> str:
        path = self.source.options.get(key)
        if not isinstance(path, str) or not path:
            raise ValueError(f"{self.name}: option {key!r} (an API path) is not configured")
        return f"{self.base_url.rstrip('/')}/{path.lstrip('/')}"

    def day_url(self, day: date) -> str:
        query = urlencode({"conditions[available_on]": day.isoformat()})
        return f"{self.option_path('day_path')}?{query}"

    def earlier_days(self, desk_day: date) -> list[date]:
        """The days before the desk's own, from the since-date, at most max_days of them."""
        if self.since is None:
            return []
        max_days = int(self.source.options.get("max_days", DEFAULT_MAX_DAYS))
        first = max(self.since, desk_day - timedelta(days=max_days))
        return [first + timedelta(days=n) for n in range((desk_day - first).days)]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.revalidating_request(self.option_path("current_path"), self.parse)

    def parse(self, response: Response, /, *args: Any, **kwargs: Any
              ) -> Iterator[Notice | scrapy.Request]:
        """Today's desk, then the requests for the earlier days' desks."""
        desk = parse_desk(response, self.publisher_zone)
        yield from self.notices(desk.results)
        desk_day = desk.day or datetime.now(self.publisher_zone).date()
        for day in self.earlier_days(desk_day):
            yield self.revalidating_request(self.day_url(day), self.parse_day)

    def parse_day(self, response: Response) -> Iterator[Notice]:
        yield from self.notices(parse_desk(response, self.publisher_zone).results)

    def notices(self, results: Iterable[dict[str, Any]]) -> Iterator[Notice]:
        """The configured agencies' filings, each once per run (a filing stays on the desk for
        several days when it is scheduled for a later issue)."""
        wanted = set(self.source.options.get("agencies") or [])
        for document in results:
            if wanted and not agency_slugs(document) & wanted:
                continue
            number = document.get("document_number")
            if isinstance(number, str):
                if number in self.seen:
                    continue
                self.seen.add(number)
            yield self.to_notice(document)

    def to_notice(self, document: dict[str, Any]) -> Notice:
        return Notice(
            source=self.name,
            external_id=document.get("document_number"),
            market=self.source.market,
            url=document.get("html_url") or document.get("pdf_url"),
            title=title_of(document),
            published=document.get("publication_date"),
            body=body_of(document),
            raw={key: document[key] for key in FIELDS if key in document},
        )
