"""US Federal Register documents of Commerce (ITA) and the USITC, through the FR API."""

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import scrapy
from scrapy.http import Response, TextResponse

from crawlers.items import Notice
from crawlers.spiders.base import SourceSpider

FIELDS = (
    "abstract", "action", "agencies", "dates", "docket_ids", "document_number", "html_url",
    "pdf_url", "publication_date", "raw_text_url", "title", "type",
)


class UsFrDocumentsSpider(SourceSpider):
    """Asks only for documents published since the last successful run, oldest first, and follows
    the API's next page links; FR dates are Eastern time."""

    name = "us_fr_documents"
    publisher_zone = ZoneInfo("America/New_York")

    def first_page_url(self) -> str:
        options = self.source.options
        params: list[tuple[str, Any]] = [
            ("conditions[agencies][]", agency) for agency in options.get("agencies", [])
        ]
        if self.since is not None:
            params.append(("conditions[publication_date][gte]", self.since.isoformat()))
        params += [("fields[]", field) for field in FIELDS]
        params += [("order", "oldest"), ("per_page", options.get("per_page", 1000))]
        return f"{self.base_url.rstrip('/')}/documents.json?{urlencode(params)}"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.revalidating_request(self.first_page_url(), self.parse)

    def parse(self, response: Response, /, *args: Any, **kwargs: Any
              ) -> Iterator[Notice | scrapy.Request]:
        if not isinstance(response, TextResponse):
            raise ValueError(f"{response.url}: not a text response")
        page = response.json()
        for document in page.get("results") or []:
            yield self.to_notice(document)
        next_page = page.get("next_page_url")
        if next_page:
            yield self.revalidating_request(next_page, self.parse)

    def to_notice(self, document: dict[str, Any]) -> Notice:
        return Notice(
            source=self.name,
            external_id=document.get("document_number"),
            market=self.source.market,
            url=document.get("html_url"),
            title=document.get("title"),
            published=document.get("publication_date"),
            body=document.get("abstract"),
            raw={key: document.get(key) for key in FIELDS if key in document},
        )
