"""The HTML tables authorities list their notices in (Drupal views on DGTR and industry.gov.au).

A table is found by its header, not by its position or CSS classes, so a redesign that keeps the
columns still parses; a page with no such table is either the list's own "no results" message or
a layout the spider does not know, and the caller says which.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from parsel import Selector, SelectorList
from scrapy.http import Response, TextResponse

# field name -> words one of which a header cell of that field contains (lower case)
Columns = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class Row:
    """One table row: the text of each known column, the links of the row in page order, and
    the text of the first link of each column that has one (a title without "(PDF 1.6 MB)")."""

    cells: dict[str, str]
    links: list[str] = field(default_factory=list)
    link_texts: dict[str, str] = field(default_factory=dict)


class PageError(ValueError):
    """The page is not the one the spider knows; the message names the URL and what is wrong."""


class LayoutChanged(PageError):
    """The page is whole but lacks the structure the spider reads (its table, its cards): a
    redesign, which crawlers.fallback reads in degraded mode instead of failing."""


def complete_page(response: Response) -> Selector:
    """The page as HTML, whatever type it was served as; a PageError naming the URL for a
    binary body or an HTML page cut short (every page of these sites ends with </html>; a
    truncated one does not)."""
    if not isinstance(response, TextResponse):
        raise PageError(f"{response.url}: not a text response")
    if b"</html" not in response.body.lower():
        raise PageError(f"{response.url}: page incomplete (no closing </html>; truncated?)")
    return Selector(text=response.text, type="html", base_url=response.url)


def text_of(node: Selector | SelectorList) -> str:
    """The node's visible text with whitespace collapsed."""
    return " ".join(" ".join(node.css("::text").getall()).split())


def header_index(headers: Sequence[str], columns: Columns) -> dict[str, int]:
    """Which position holds which field: the first field (in `columns` order) whose word the
    header cell contains; a field is taken once."""
    found: dict[str, int] = {}
    for position, header in enumerate(headers):
        words = header.lower()
        for name, keys in columns.items():
            if name not in found and any(key in words for key in keys):
                found[name] = position
                break
    return found


def notice_rows(page: Selector, columns: Columns, required: set[str]) -> list[Row] | None:
    """The rows of every table whose header names every `required` field (a list split by year
    is several tables), in page order; None when the page has no such table."""
    found: list[Row] | None = None
    for table in page.css("table"):
        headers = [text_of(cell) for cell in table.css("thead th, thead td")]
        if not headers:
            headers = [text_of(cell) for cell in table.xpath("(.//tr)[1]/th")]
        index = header_index(headers, columns)
        if required <= index.keys():
            body = table.xpath("./tbody/tr | ./tr[td]")
            found = (found or []) + [to_row(row, index) for row in body if row.xpath("./td")]
    return found


def to_row(row: Selector, index: Mapping[str, int]) -> Row:
    cells = row.xpath("./td")
    present = {name: cells[position] for name, position in index.items() if position < len(cells)}
    texts = {name: text_of(present[name]) if name in present else "" for name in index}
    links = [href.strip() for href in row.css("a::attr(href)").getall() if href.strip()]
    link_texts = {name: text_of(cell.css("a")[:1]) for name, cell in present.items()
                  if cell.css("a")}
    return Row(texts, links, link_texts)


def says_empty(page: Selector, selectors: Sequence[str]) -> bool:
    """Does the page carry the list's own "nothing found" block (e.g. Drupal's .view-empty)?"""
    return any(page.css(selector) for selector in selectors)


def page_rows(response: Response, columns: Columns, required: set[str],
              empty: Sequence[str], missing: str) -> list[Row]:
    """The rows of a list page ([] for the site's own "no results" page); a PageError naming
    the URL and `missing` (what table was looked for) when the page is cut short or has none."""
    page = complete_page(response)
    rows = notice_rows(page, columns, required)
    if rows is not None:
        return rows
    if says_empty(page, empty):
        return []
    raise LayoutChanged(f"{response.url}: {missing} (page layout changed?)")
