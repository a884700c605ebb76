"""The ADC's current cases / Electronic Public Record (EPR) table and a case's EPR page.

The table is the one list of the Commission that public evidence attests (a monitor script reads
it; see replay/recordings/au_adc/PROVENANCE.md): one row per case with its commodity, case number,
case type, countries, next milestone, "last updated" date and status, and a link to the case's EPR
page, which lists the case's documents (notices, reports, submissions), most of them PDFs. The
row says that a case moved and when; its newest document says what the move was.
"""

import re
from datetime import date, datetime
from typing import Any

from scrapy.http import Response

from crawlers.tables import Row, page_rows

# Header words of the cases table, in the order a header is tried against them: "Case type" is a
# type before it is a case, and "Case number" is then the case.
CASE_COLUMNS = {
    "commodity": ("commodity", "goods"),
    "case_type": ("type",),
    "case": ("case", "number"),
    "country": ("countr", "origin"),
    "milestone": ("milestone",),
    "updated": ("updated",),
    "status": ("status",),
}
CASE_REQUIRED = {"commodity", "case", "updated"}
# Header words of an EPR page's table of documents.
DOCUMENT_COLUMNS = {
    "number": ("no.", "number"),
    "date": ("date", "published"),
    "title": ("title", "document", "description"),
}
DOCUMENT_REQUIRED = {"title", "date"}
EMPTY = (".view-empty",)
DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3,9})\s+(\d{4})\b")
DAY_MONTH_YEAR_NUMERIC = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
DIGITS = re.compile(r"\d+")


def case_rows_of(response: Response) -> list[Row]:
    """The rows of the cases table; a LayoutChanged naming the URL when the page has none."""
    return page_rows(response, CASE_COLUMNS, CASE_REQUIRED, EMPTY,
                     "no cases table with commodity, case number and last updated columns")


def document_rows_of(response: Response) -> list[Row]:
    """The documents an EPR page lists; a LayoutChanged naming the URL when it lists none in a
    table with title and date columns."""
    return page_rows(response, DOCUMENT_COLUMNS, DOCUMENT_REQUIRED, EMPTY,
                     "no EPR documents table with title and date columns")


def published_on(text: str) -> date | None:
    """An Australian government date ("22 June 2023", "1 Mar 2024"), None if there is none."""
    match = DAY_MONTH_YEAR.search(text)
    if match is None:
        return None
    for month_format in ("%B", "%b"):
        try:
            return datetime.strptime(" ".join(match.groups()), f"%d {month_format} %Y").date()
        except ValueError:
            continue
    return None


def day_of(text: str) -> date | None:
    """A date as the EPR writes it: "25/07/2023" (day first, as the public monitor reads "last
    updated"), or "25 July 2023"; None if there is none."""
    match = DAY_MONTH_YEAR_NUMERIC.search(text)
    if match is None:
        return published_on(text)
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def newest_document(rows: list[Row]) -> Row | None:
    """The latest linked document of an EPR page: by date, then by document number (the EPR
    numbers a case's documents in order, and several share a day)."""
    def order(row: Row) -> tuple[date, int]:
        number = DIGITS.search(row.cells.get("number", ""))
        return (day_of(row.cells.get("date", "")) or date.min,
                int(number.group()) if number else -1)

    linked = [row for row in rows if row.links]
    return max(linked, key=order, default=None)


def case_title(cells: dict[str, str]) -> str:
    """"Steel pallet racking exported from Malaysia, Thailand, Vietnam – Dumping investigation",
    in the words the ADC titles its notices with, which analysis reads the subject origins from
    (a bare list of countries does not say they are the exporters)."""
    goods = cells.get("commodity", "")
    if cells.get("country"):
        goods = f"{goods} exported from {cells['country']}"
    return " – ".join(part for part in (goods, cells.get("case_type")) if part)


def case_body(cells: dict[str, str]) -> str:
    """The row's own words, led by "Case 611" as the ADC cites its cases."""
    lines = [f"Case {cells.get('case', '')}", case_title(cells)]
    lines += [f"{label}: {cells[name]}" for name, label in (
        ("milestone", "Next milestone"), ("updated", "Last updated"), ("status", "Status"))
        if cells.get(name)]
    return ". ".join(lines)


def document_fields(row: Row, link: str) -> dict[str, Any]:
    """What the notice keeps of the EPR document it carries."""
    return {"number": row.cells.get("number"), "date": row.cells.get("date"),
            "title": row.link_texts.get("title") or row.cells.get("title"), "link": link}
