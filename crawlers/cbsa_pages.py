"""Reading the CBSA's SIMA pages: the captioned list tables (investigations, measures in force
with their Product column, or the Case / Case type list with the measure per origin), and a
case's page with its dated proceedings (CITT findings and orders) that date a measure."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit

from parsel import Selector, SelectorList
from scrapy.http import Response

from crawlers.tables import LayoutChanged, PageError, complete_page

HTML_HEADERS = {"Cache-Control": "max-age=0", "Accept": "text/html,application/xhtml+xml"}

# Column headers of the CBSA tables and the field each one fills.
COLUMNS = {
    "product": "product", "goods": "product", "country": "countries",
    "countries": "countries", "case number": "case_number", "file number": "case_number",
    "investigation": "investigation", "measure": "measure", "initiation date": "initiated",
    "status": "status", "date of status": "status_date", "citt finding or order": "finding",
    "date of finding or order": "finding_date", "case": "case", "case type": "case_type",
}


@dataclass(frozen=True)
class TableKind:
    """What one CBSA list page holds: the columns it must have and the date that dates a row."""

    name: str
    required: tuple[str, ...]
    dated_by: tuple[str, ...]  # first non-empty of these is the row's date
    anchor: str = "product"  # a table with this column is a table of this kind


INVESTIGATIONS = TableKind("investigation", ("product", "countries", "initiated"),
                           ("status_date", "initiated"))
MEASURES = TableKind("measure", ("product", "countries", "finding_date"), ("finding_date",))
# The real measures list: Case (product, linking to the case page) and Case type; no dates.
CASE_LIST = TableKind("measure", ("case", "case_type"), (), anchor="case")


@dataclass(frozen=True)
class Row:
    """One table row: its cells by field, in page order with the page's own headers."""

    kind: str
    caption: str
    cells: dict[str, str]
    labelled: list[tuple[str, str]]  # (header as shown, cell text)
    href: str | None
    day: date | None
    # measure per origin, read from a "Case type" cell: {"China": ("AD", "CVD"), ...}
    origins: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return self.cells.get(name, "")


def cell_text(selector: Selector | SelectorList[Selector]) -> str:
    return " ".join(" ".join(selector.xpath(".//text()").getall()).split())


def parse_day(text: str) -> date | None:
    """A Canada.ca date (YYYY-MM-DD); None when the cell holds something else."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def data_tables(page: Selector, url: str, kind: TableKind
                ) -> list[tuple[Selector, list[str], list[str | None]]]:
    """The tables whose headers carry the kind's columns, with headers and their fields."""
    found = []
    for table in page.css("main table"):
        headers = [cell_text(th) for th in table.css("thead th")]
        fields = [COLUMNS.get(header.lower()) for header in headers]
        if kind.anchor not in fields:
            continue
        missing = [name for name in kind.required if name not in fields]
        if missing:
            raise LayoutChanged(f"{url}: {kind.name} table lacks columns {missing} "
                                 f"(found {headers}; page layout changed?)")
        found.append((table, headers, fields))
    return found


def to_row(kind: TableKind, caption: str, tr: Selector, headers: list[str],
           fields: list[str | None]) -> Row:
    tds = tr.css("td")
    texts = [cell_text(td) for td in tds]
    cells = {name: text for name, text in zip(fields, texts, strict=False) if name}
    day = next((parse_day(cells[name]) for name in kind.dated_by if cells.get(name)), None)
    origins: dict[str, tuple[str, ...]] = {}
    if "case_type" in fields and fields.index("case_type") < len(tds):
        origins = measures_by_origin(cell_lines(tds[fields.index("case_type")]))
    if "case" in cells:  # the real list names the product in its Case column
        cells["product"] = cells["case"]
        cells["countries"] = join_names(list(origins))
        cells["measure"] = measure_phrase(origins)
    return Row(kind.name, caption, cells, list(zip(headers, texts, strict=False)),
               tr.css("a::attr(href)").get(), day, origins)


# "Case type" cells: "Dumping & subsidy: China, South Korea, Vietnam", one line per measure when
# the origins differ ("Dumping: Chinese Taipei, India, Oman<br>Subsidy: India").
CASE_TYPE_RE = re.compile(r"^(?P<kinds>[^:()]+?)\s*(?::\s*(?P<after>.+)|\((?P<inside>.+)\))$")
# country names that hold an " and " of their own
AND_NAMES = ("Bosnia and Herzegovina", "Trinidad and Tobago", "Antigua and Barbuda",
             "Saint Kitts and Nevis", "Saint Vincent and the Grenadines",
             "Sao Tome and Principe", "São Tomé and Príncipe")


def cell_lines(td: Selector) -> list[str]:
    """The cell's text, one entry per line that its <br>s (or block children) make."""
    lines: list[str] = []
    current: list[str] = []
    for node in td.xpath("node()"):
        tag = getattr(node.root, "tag", None)
        if tag in ("br", "p", "div", "li"):
            lines.append(" ".join(current))
            current = []
            if tag == "br":
                continue
        current.append(node.root if isinstance(node.root, str) else cell_text(node))
    lines.append(" ".join(current))
    return [" ".join(line.split()) for line in lines if line.strip()]


def split_names(text: str) -> list[str]:
    """'Chinese Taipei, Germany, and Turkey' and 'China and Vietnam' as lists of names."""
    protected = text
    for i, name in enumerate(AND_NAMES):
        protected = protected.replace(name, f"\x00{i}\x00")
    names = []
    for part in re.split(r",|\band\b", protected):
        part = part.strip(" .;")
        for i, name in enumerate(AND_NAMES):
            part = part.replace(f"\x00{i}\x00", name)
        if part:
            names.append(part)
    return names


def measure_kinds(text: str) -> tuple[str, ...]:
    words = text.lower()
    return tuple(code for code, stem in (("AD", "dump"), ("CVD", "subsid")) if stem in words)


def measures_by_origin(lines: list[str]) -> dict[str, tuple[str, ...]]:
    """{origin: measures} from the lines of a Case type cell, origins in page order; a line
    that names no measure still names its origins (with no measure)."""
    found: dict[str, tuple[str, ...]] = {}
    for line in lines:
        match = CASE_TYPE_RE.match(line)
        kinds, names = ((measure_kinds(match["kinds"]), match["after"] or match["inside"])
                        if match and measure_kinds(match["kinds"]) else ((), line))
        for name in split_names(names):
            found[name] = tuple(sorted(set(found.get(name, ())) | set(kinds),
                                       key=("AD", "CVD").index))
    return found


def join_names(names: list[str]) -> str:
    """'China, South Korea and Vietnam'."""
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


DUTIES = {("AD",): "anti-dumping duties", ("CVD",): "countervailing duties",
          ("AD", "CVD"): "anti-dumping and countervailing duties"}


def measure_phrase(origins: dict[str, tuple[str, ...]]) -> str:
    """'Anti-dumping and countervailing duties' when every origin has the same measures, else
    each measure with its origins: 'Anti-dumping duties (India, Oman); countervailing duties
    (India)'."""
    kinds = {measures for measures in origins.values() if measures}
    if not kinds:
        return ""
    if len(kinds) == 1:
        phrase = DUTIES[kinds.pop()]
    else:
        phrase = "; ".join(
            f"{DUTIES[(code,)]} ({join_names([o for o, m in origins.items() if code in m])})"
            for code in ("AD", "CVD") if any(code in m for m in origins.values()))
    return phrase[:1].upper() + phrase[1:]


def parse_table_page(response: Response, kinds: tuple[TableKind, ...]) -> list[Row]:
    """Every row of the page's tables of the first of `kinds` it has; an empty table gives no
    rows, a page without one is a PageError."""
    try:
        page = complete_page(response)
        for kind in kinds:
            tables = data_tables(page, response.url, kind)
            if tables:
                return [to_row(kind, cell_text(table.css("caption")), tr, headers, fields)
                        for table, headers, fields in tables for tr in table.css("tbody tr")]
        columns = " or ".join(f"{kind.anchor.replace('_', ' ').capitalize()}" for kind in kinds)
        raise LayoutChanged(f"{response.url}: no {kinds[0].name} table (with a {columns} "
                            "column) found (page layout changed?)")
    except PageError:
        raise
    except Exception as exc:  # lxml/parsel on hostile bytes: report it as the page's fault
        raise PageError(f"{response.url}: unreadable {kinds[0].name} list: {exc!r}") from exc


def parse_investigations(response: Response) -> list[Row]:
    return parse_table_page(response, (INVESTIGATIONS,))


def parse_measures(response: Response) -> list[Row]:
    """The measures in force, from the real list (Case, Case type) or a Product table."""
    return parse_table_page(response, (CASE_LIST, MEASURES))


@dataclass(frozen=True)
class CasePage:
    """What a measure's own page (sima-lmsi/mif-mev/<code>-eng.html) adds to its list row."""

    title: str
    events: list[tuple[str, date]]  # (action, date) of the proceedings table, in page order
    cbsa_numbers: list[str]
    citt_numbers: list[str]

    @property
    def in_force_since(self) -> date | None:
        """The latest CITT finding or order (what put the measure in force or continued it),
        else the latest proceeding."""
        citt = [day for action, day in self.events
                if re.search(r"tribunal|citt|finding|order", action, re.I)]
        return max(citt or [day for _, day in self.events], default=None)

    @property
    def citt_number(self) -> str:
        """The CITT number of the decision in force: the latest expiry review (RR-), else the
        inquiry (NQ-), else the first listed."""
        expiry = [n for n in self.citt_numbers if n.upper().startswith("RR")]
        inquiry = [n for n in self.citt_numbers if n.upper().startswith("NQ")]
        return (expiry[-1:] or inquiry[:1] or self.citt_numbers[:1] or [""])[0]


DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%Y-%m-%d")


def event_day(td: Selector) -> date | None:
    """A proceedings date: <time datetime="2021-09-09">, 'May 25, 2018' or '2018-05-25'."""
    for text in (td.css("time::attr(datetime)").get(""), cell_text(td)):
        text = " ".join(text.replace(".", "").split())
        for fmt in DATE_FORMATS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    return None


def listed_under(page: Selector, heading: str) -> list[str]:
    """The list items under a dt (2019 layout) or h2/h3 section heading (later layout) whose
    text starts with `heading` (any case)."""
    for label in page.css("main dt, main h2, main h3"):
        if cell_text(label).lower().startswith(heading):
            if label.root.tag == "dt":
                items = label.xpath("following-sibling::dd[1]//li")
            else:
                items = label.xpath("following-sibling::*[1]/descendant-or-self::li"
                                    " | following-sibling::ul[1]//li")
            return [text for text in (cell_text(li) for li in items) if text]
    return []


def parse_case_page(response: Response) -> CasePage:
    """The case page's proceedings (Action, Date) and reference numbers; a page without a
    proceedings table is a PageError (the measure could not be dated)."""
    try:
        page = complete_page(response)
        events: list[tuple[str, date]] = []
        for table in page.css("main table"):
            headers = [cell_text(th).lower() for th in table.css("thead th")]
            if headers[:2] != ["action", "date"]:
                continue
            for tr in table.css("tbody tr"):
                tds = tr.css("td")
                day = event_day(tds[1]) if len(tds) >= 2 else None
                if day is not None:
                    events.append((cell_text(tds[0]), day))
        if not events:
            raise PageError(f"{response.url}: no dated proceedings (Action, Date table) on the "
                            "case page (page layout changed?)")
        return CasePage(cell_text(page.css("main h1")), events,
                        listed_under(page, "cbsa reference"), listed_under(page, "citt reference"))
    except PageError:
        raise
    except Exception as exc:
        raise PageError(f"{response.url}: unreadable case page: {exc!r}") from exc


def notice_title(row: Row) -> str:
    subject = f"{row.get('product')} from {row.get('countries')}"
    if row.kind == "measure":
        finding = f" (CITT {row.get('finding')})" if row.get("finding") else ""
        return f"{subject}: {row.get('measure') or 'SIMA measure'} in force{finding}"
    what = f"{row.get('investigation')} investigation".strip()
    status = f" — {row.get('status')}" if row.get("status") else ""
    return f"{subject}: {what}{status}"


def external_id(row: Row) -> str:
    """The CBSA case number, else the path of the measure's case page, else a key made of the
    row's own product, countries and date."""
    if row.get("case_number"):
        return row.get("case_number")
    if row.origins and row.href:
        return urlsplit(row.href).path.lstrip("/")
    return " | ".join((row.kind, row.get("product"), row.get("countries"),
                       row.day.isoformat() if row.day else ""))


def with_case_page(row: Row, case: CasePage) -> Row:
    """The list row completed by its case page: dated, with the CITT decision in force and the
    proceedings, in the labels the analysis reads ('Case number:', 'CITT finding or order:')."""
    day = case.in_force_since
    cells = {**row.cells, "finding": case.citt_number,
             "finding_date": day.isoformat() if day else ""}
    labelled = [("Product", row.get("product")), ("Country", row.get("countries")),
                *[(header, text) for header, text in row.labelled if header.lower() != "case"],
                ("Measure", row.get("measure")),
                ("Case number", "; ".join(case.cbsa_numbers)),
                ("CITT finding or order", case.citt_number),
                ("Date of finding or order", cells["finding_date"]),
                *[(citt_short(action), when.isoformat()) for action, when in case.events]]
    cells["proceedings"] = "; ".join(f"{action}: {when.isoformat()}"
                                     for action, when in case.events)
    return Row(row.kind, row.caption, cells, [(h, t) for h, t in labelled if t], row.href, day,
               row.origins)


def citt_short(action: str) -> str:
    """'Canadian International Trade Tribunal's Finding' as 'CITT finding': the body says CITT,
    as the list and the analysis do (the analysis reads a tribunal as a court)."""
    return re.sub(r"^(?:the )?(?:Canadian International Trade )?Tribunal[’']s\s+(\w)",
                  lambda m: "CITT " + m[1].lower(), action.strip(), flags=re.I)
