"""Pakistan's National Tariff Commission (NTC): its anti-dumping notices.

The NTC publishes every step of a case (initiation, preliminary and final determination, sunset
and anti-circumvention reviews) as a signed notice in PDF, headed by the case number
("A.D.C No. 60/2021/NTC/CRC") and dated in the American style ("February 3, 2022"). Its list
gives the case, the notice's subject and its date, newest first; the notice's text carries the
origins ("originating in and/or exported from ... Socialist Republic of Vietnam"), the PCT
headings and the duties. Many older notices are scans without a text layer: they are kept with
the list's fields and reported (crawlers.pipelines.DocumentTextPipeline), never dropped.
"""

from datetime import date
from zoneinfo import ZoneInfo

from scrapy.http import Response

from crawlers.items import Notice
from crawlers.spiders.notice_list import NoticeListSpider
from crawlers.tables import Row, page_rows

# "Date of Notice" names the notice too: the date is looked for before the subject.
COLUMNS = {
    "date": ("date",),
    "case": ("case",),
    "title": ("subject", "notice", "title"),
}
REQUIRED = {"title", "date"}
EMPTY = (".no-notices",)


def notice_rows_of(response: Response) -> list[Row]:
    """The rows of the notices table ([] for the list's own "no notices" block); a ValueError
    naming the URL when the page is cut short or has no table with subject and date columns."""
    return page_rows(response, COLUMNS, REQUIRED, EMPTY,
                     "no notices table with subject and date columns")


class PkNtcSpider(NoticeListSpider):
    """Maps each row of the NTC's notices list (option `notices_path`) to a notice, its PDF read
    by the text pipeline; a row with no link points at the list. A case has several notices, so
    a notice is its case number and date (its subject when it has no date).

    Incremental as au_adc: the list is revalidated, rows before `since` skipped, a PDF that
    cannot be downloaded fails the run and waits for the next one.
    """

    name = "pk_ntc"
    publisher_zone = ZoneInfo("Asia/Karachi")

    def rows_of(self, response: Response) -> list[Row]:
        return notice_rows_of(response)

    def to_notice(self, row: Row, published: date | None, link: str, href: str | None
                  ) -> Notice:
        cells = row.cells
        title = row.link_texts.get("title") or cells.get("title")
        case = cells.get("case", "")
        when = published.isoformat() if published else title or ""
        body = [title, case, cells.get("date")]
        return Notice(
            source=self.name,
            external_id=f"{case} {when}".strip(),
            market=self.source.market,
            url=link,
            title=title,
            published=published,
            body=". ".join(part for part in body if part),
            raw={**cells, "link": href},
        )
