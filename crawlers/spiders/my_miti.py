"""Malaysia's Ministry of Investment, Trade and Industry (MITI): its trade-remedy notices and the
Federal Gazette's P.U. (A) orders that impose the duties.

MITI announces each step of a Malaysian case (initiation, preliminary and final determination,
administrative and sunset reviews) in a media release; the duties themselves are imposed by the
Minister's orders, published in the Federal Government Gazette as P.U. (A) instruments: bilingual
PDFs, Malay first ("Perintah Kastam (Duti Anti-Lambakan)", "Republik Sosialis Viet Nam"), then
English ("Customs (Anti-Dumping Duties) Order"). The list names both, newest first, with their
date and, for an order, its P.U. (A) number; the order's text carries the origins, the HS codes
and the rates, which the analysis reads once the text pipeline has extracted it.
"""

import re
from datetime import date
from zoneinfo import ZoneInfo

from scrapy.http import Response

from crawlers.items import Notice
from crawlers.spiders.notice_list import NoticeListSpider
from crawlers.tables import Row, page_rows

# Bilingual headers ("Tarikh / Date"); the date is looked for before the title.
COLUMNS = {
    "date": ("tarikh", "date"),
    "reference": ("rujukan", "reference"),
    "title": ("tajuk", "title", "subject", "perkara"),
}
REQUIRED = {"title", "date"}
EMPTY = (".no-record", ".tiada-rekod")
PU_A = re.compile(r"\bP\.\s*U\.\s*\(\s*A\s*\)\s*(\d{1,4})(?:\s*/\s*(\d{4}))?", re.IGNORECASE)


def notice_rows_of(response: Response) -> list[Row]:
    """The rows of the notices table ([] for the site's "no record" page); a ValueError naming
    the URL when the page is cut short or has no table with title and date columns."""
    return page_rows(response, COLUMNS, REQUIRED, EMPTY,
                     "no notices table with title and date columns")


def pu_number(*texts: str) -> str | None:
    """The gazette number in the Attorney General's Chambers' spelling, "P.U. (A) 197/2021"
    (the year only when the text gives it)."""
    for text in texts:
        match = PU_A.search(text)
        if match:
            number, year = match.groups()
            return f"P.U. (A) {number}" + (f"/{year}" if year else "")
    return None


class MyMitiSpider(NoticeListSpider):
    """Maps each row of MITI's trade-remedy list (option `notices_path`) to a notice: a P.U. (A)
    order is downloaded and read by the text pipeline (a scanned one is kept with the list's
    fields and reported), a media release keeps the list's text.

    Incremental as au_adc: the list is revalidated through the HTTP cache, rows dated before
    `since` are skipped and their PDFs not fetched; a PDF that cannot be downloaded fails the run
    and its notice waits for the next run, which asks from the same date.
    """

    name = "my_miti"
    publisher_zone = ZoneInfo("Asia/Kuala_Lumpur")

    def rows_of(self, response: Response) -> list[Row]:
        return notice_rows_of(response)

    def to_notice(self, row: Row, published: date | None, link: str, href: str | None
                  ) -> Notice:
        cells = row.cells
        title = row.link_texts.get("title") or cells.get("title")
        number = pu_number(cells.get("reference", ""), title or "")
        body = [title, cells.get("reference"), cells.get("date")]
        # A media release has no number: its page (or, without one, its date and title) is it.
        key = number or href or f"{cells.get('date', '')} {title or ''}"
        return Notice(
            source=self.name,
            external_id=key,
            market=self.source.market,
            url=link,
            title=title,
            published=published,
            body=". ".join(part for part in body if part),
            raw={**cells, "pu_number": number, "link": href},
        )
