"""A source whose list page (option `notices_path`) is one table of notices, a notice a row:
the list is read by the subclass's `rows_of`, each row dated by `published` and mapped by
`to_notice`, then handed to SourceSpider.listed_notices (since-date, PDFs, links)."""

from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import scrapy
from scrapy.http import Response

from crawlers.dates import written_date
from crawlers.fallback import reads_list
from crawlers.items import Notice
from crawlers.spiders.base import SourceSpider
from crawlers.tables import Row


class NoticeListSpider(SourceSpider):
    """The crawl of a notices table; subclasses say how its rows are found and read."""

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.page_request(self.source.options["notices_path"], self.parse)

    @reads_list
    def parse(self, response: Response, /, *args: Any, **kwargs: Any
              ) -> Iterator[Notice | scrapy.Request]:
        yield from self.listed_notices(response, self.rows_of(response), self.published,
                                       self.to_notice)

    def rows_of(self, response: Response) -> list[Row]:
        raise NotImplementedError

    def published(self, row: Row) -> date | None:
        """A row's date, as its "date" column writes it."""
        return written_date(row.cells.get("date", ""))

    def to_notice(self, row: Row, published: date | None, link: str, href: str | None
                  ) -> Notice:
        raise NotImplementedError
