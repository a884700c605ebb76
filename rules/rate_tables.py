"""The rates of a notice's tables: text flattened line by line from PDFs and HTML, a header
naming a firm or country column and a rate column, then rows whose label and value share a line,
run over several lines, or (a gazette's columns) come as a block of labels then of values."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rules import countries
from rules.notice import Rate
from rules.rate_values import (
    ALL_OTHERS,
    MAX_LABEL,
    NUM,
    PERCENT,
    WINDOW_LINES,
    Holder,
    holder_of,
    parse_percent,
)
from rules.text import fold

# --- tables ---------------------------------------------------------------------------------------

_COLUMN_RE = re.compile(r"\b(?:exporters?|producers?|manufacturers?|compan(?:y|ies)|countr(?:y|ies)"
                        r"|firms?|entity|entities|name)\b", re.IGNORECASE)
_RATE_WORD_RE = re.compile(r"\b(?:rates?|margins?|dut(?:y|ies)|percent(?:age)?|ad valorem)\b|%",
                           re.IGNORECASE)
_RATE_OR_MARGIN_RE = re.compile(r"\b(?:rates?|margins?)\b", re.IGNORECASE)
_HEADER_SPAN = 10
_HEADER_MAX_WORDS = 14
_TAIL_WORD_RE = re.compile(r"\b(?:percent|ad valorem|rates?|margins?|dut(?:y|ies)|cash deposit"
                           r"|adjusted|offsets?|taric|additional code|code|measure type|measure"
                           r"|effective)\b|^\(.*\)$|^[\[(]", re.IGNORECASE)
_RULE_RE = re.compile(r"^[-_=\u2014\u2013.\s]*$|^\[\[Page \d+\]\]$|^Federal Register\s*/\s*Vol\."
                      r"|^VerDate\b|^Jkt \d+|^BILLING CODE\b", re.IGNORECASE)
_CAPTION_RE = re.compile(r"^(?:Table|Figure|Source|Note)s?\s*\d*\s*[:.\u2013-]", re.IGNORECASE)
_PROSE_WORDS = 10
_GAP_BEFORE_FIRST_ROW = 60
_GAP_BETWEEN_ROWS = 12
_COLUMN_GAP_RE = re.compile(r"\S(?:\s{3,}|\.{2,}\s+)\S")
_COLUMN_SPLIT_RE = re.compile(r"\.{2,}\s+|\s{3,}")
_IN_SENTENCE_RE = re.compile(r"\b(?:to|than|between|of|and|or|from|by|with|at|about|in|on|for"
                             r"|the|a|approximately|around|some|under|over|is|was|were|be)\s*$",
                             re.IGNORECASE)
_TARIC_RE = re.compile(r"\s+[A-Z][0-9A-Z]\d{2}$")
_CELL_RE = re.compile(
    rf"(?:^|\s*\.{{2,}}\s*|\s+)(?P<cell>(?P<neg>[-\u2212\u2013]\s?)?(?P<num>{NUM})\s*"
    rf"(?P<pct>%|percent|per cent)?(?:\s*\(?de minimis\)?)?\*?|\*?\s*\(?de minimis\)?"
    rf"|n/a|N/A|[-\u2013\u2014])\s*$")


@dataclass
class Cell:
    """One value of a row: a number, or a dash/'n/a' that fills the column with no rate."""

    value: float | None
    explicit: bool = False  # written with '%' or 'percent'
    negative: bool = False


@dataclass
class Row:
    lines: list[str]  # the label, over one or more lines ('' marks a blank line)
    cells: list[Cell]
    fixed: bool = False  # a fixed-width line: columns apart by runs of spaces or dot leaders


@dataclass
class Table:
    kinds: list[str]
    start: int  # its lines, header included: [start, end)
    end: int = 0
    rows: list[Row] = field(default_factory=list)


def _split_cells(line: str, most: int) -> tuple[str, list[Cell]]:
    """A row's label and its trailing values (at most `most`), dot leaders and TARIC codes off."""
    text = _TARIC_RE.sub("", line.rstrip())
    cells: list[Cell] = []
    while len(cells) < most:
        match = _CELL_RE.search(text)
        cell = _cell(match) if match else None
        if match is None or cell is None:
            break
        cells.insert(0, cell)
        text = text[:match.start()]
    return text.strip(), cells


def _cell(match: re.Match[str]) -> Cell | None:
    """The value a row ends with; None for a bare integer (a page number, a count, a code) and
    for a number a sentence runs into ('thickness between 0.3', 'not more than 1,600')."""
    if _IN_SENTENCE_RE.search(match.string, 0, match.start()):
        return None
    number = match.group("num")
    minimis = "minimis" in match.group("cell").lower()
    if number is None:
        return Cell(0.0 if minimis else None)
    if not (minimis or match.group("pct") or re.search(r"[.,]\d", number)):
        return None
    return Cell(parse_percent(number), explicit=bool(match.group("pct")),
                negative=bool(match.group("neg")))


def _header_at(lines: Sequence[str], i: int) -> tuple[int, list[str]] | None:
    """If a table header starts at line i: the index after it and the kinds its columns name."""
    first = lines[i]
    if not _COLUMN_RE.search(first) or not _short(first) or _split_cells(first, 1)[1]:
        return None
    text, end = first, i + 1
    while not _RATE_WORD_RE.search(text):
        if end >= min(len(lines), i + _HEADER_SPAN) or not _short(lines[end]) \
                or _split_cells(lines[end], 1)[1]:
            return None
        text, end = f"{text} {lines[end]}", end + 1
    while end < len(lines) and _header_goes_on(text, lines[end]):
        text, end = f"{text} {lines[end]}", end + 1
    block = " ".join([*_header_above(lines, i), text])
    kinds = header_kinds(fold(block))
    if not kinds and not _RATE_OR_MARGIN_RE.search(block):
        return None  # 'Percentage of raw material costs': a share, not a rate
    return end, kinds


def _short(line: str) -> bool:
    return len(line.split()) <= _HEADER_MAX_WORDS and not line.rstrip().endswith(".")


def _header_above(lines: Sequence[str], i: int) -> list[str]:
    """A fixed-width header wraps its column titles: the short lines right above belong to it."""
    start = i
    while start > max(0, i - _HEADER_SPAN) and lines[start - 1] \
            and len(lines[start - 1].split()) <= 6 and not _split_cells(lines[start - 1], 1)[1]:
        start -= 1
    return list(lines[start:i])


def _header_goes_on(text: str, line: str) -> bool:
    """A header's last lines: an open bracket not yet closed, a column title, a unit line."""
    stripped = line.strip()
    if not stripped or _split_cells(stripped, 1)[1]:
        return False
    if text.count("[") > text.count("]") or text.count("(") > text.count(")"):
        return True
    words = len(stripped.split())
    return (words <= 6 and bool(_TAIL_WORD_RE.search(stripped))) or (
        words <= _HEADER_MAX_WORDS and bool(header_kinds(fold(stripped))))


_HEADER_KINDS = (
    ("dumping_margin", re.compile(r"dumping\W+(?:\w+\W+){0,2}margins?\b|margins? of dumping")),
    ("subsidy_rate", re.compile(r"subsid\w*\W+(?:\w+\W+){0,2}(?:rates?|margins?)\b"
                                r"|countervailable|net subsid")),
    ("cash_deposit", re.compile(r"cash\W+deposit")),
)
_DUTY_RE = re.compile(r"\bdut(?:y|ies)\b|\bthue\b")
_OFFSET_RE = re.compile(r"subsid\w*\W+offsets?")


def header_kinds(folded: str) -> list[str]:
    """The kinds a table's header names, in the order authorities print the columns (a margin
    or a subsidy rate, then the cash deposit it sets). Words, not phrases: a fixed-width header
    wraps 'Weighted- / average / dumping / margin' over lines, mixed with other columns."""
    text = _OFFSET_RE.sub(" ", folded)
    kinds = [kind for kind, pattern in _HEADER_KINDS if pattern.search(text)]
    if _DUTY_RE.search(text) and not set(kinds) - {"cash_deposit"}:
        kinds.insert(0, "duty")
    return kinds


def tables(text_lines: Sequence[str]) -> list[Table]:
    """Every rate table of the lines, with its rows (labels and values) as written."""
    lines = ["" if _RULE_RE.match(line) else line.strip() for line in text_lines]
    indented = [line[:1].isspace() for line in text_lines]
    found: list[Table] = []
    i = 0
    while i < len(lines):
        header = _header_at(lines, i) if lines[i] else None
        if header is None:
            i += 1
            continue
        table = Table(header[1], i)
        i = table.end = _read_rows(lines, indented, header[0], table)
        if table.rows:
            found.append(table)
    return found


def _read_rows(lines: Sequence[str], indented: Sequence[bool], start: int, table: Table) -> int:
    """Rows from `start` until the table ends; returns where reading stopped. In a fixed-width
    table an indented line under a row carries on that row's names ('  Company.')."""
    most = max(1, len(table.kinds))
    pending: list[str] = []
    gap, i = 0, start
    while i < len(lines):
        line = lines[i]
        if line and (_CAPTION_RE.match(line) or _header_at(lines, i)):
            break
        label, cells = _split_cells(line, most) if line else ("", [])
        if cells:
            _add_row(table, pending + ([label] if label else []), cells, most)
            table.rows[-1].fixed |= bool(_COLUMN_GAP_RE.search(line))
            pending, gap = [], 0
        elif line and indented[i] and table.rows and table.rows[-1].fixed and not any(pending):
            table.rows[-1].lines.append(line)
        elif line and len(line.split()) >= _PROSE_WORDS:
            break
        else:
            pending.append(label)
            gap += bool(line)
            if gap > (_GAP_BETWEEN_ROWS if table.rows else _GAP_BEFORE_FIRST_ROW):
                break
        i += 1
    return i


def _add_row(table: Table, lines: list[str], cells: list[Cell], most: int) -> None:
    """A row, or the next column's value of the row above when one cell sits on each line."""
    last = table.rows[-1] if table.rows else None
    if last and not any(lines) and len(last.cells) < most:
        last.cells.extend(cells)
        return
    table.rows.append(Row(lines, cells))


def _country_window(lines: Sequence[str]) -> tuple[int, int, str] | None:
    """The last run of whole lines that together name a country: (start, end, code)."""
    for end in range(len(lines), 0, -1):
        if not lines[end - 1]:
            continue
        for start in range(end - 1, max(-1, end - 1 - WINDOW_LINES), -1):
            words = " ".join(line for line in lines[start:end] if line)
            code = countries.country_code(words)
            if code:
                return start, end, code
    return None


def table_rates(table: Table, default_kind: str) -> list[Rate]:
    kinds = table.kinds or [default_kind]
    explicit = any(cell.explicit for row in table.rows for cell in row.cells)
    holders = _holders(table.rows, single_column=len(kinds) == 1)
    found: list[Rate] = []
    for row, holder in zip(table.rows, holders, strict=True):
        if holder is None:
            continue
        for kind, cell in _columns(kinds, row.cells):
            if cell.value is None or cell.negative or (explicit and not cell.explicit
                                                        and cell.value):
                continue
            found.append(Rate(cell.value, PERCENT, kind, holder.company, holder.origin))
    return found


def _columns(kinds: list[str], cells: list[Cell]) -> list[tuple[str, Cell]]:
    """Values to the header's kinds: one each when they agree, else the first value only."""
    if len(cells) == len(kinds):
        return list(zip(kinds, cells, strict=True))
    return [(kinds[0], cells[0])]


def _holders(rows: list[Row], *, single_column: bool) -> list[Holder | None]:
    """Whom each row binds. A row carries on its country from the rows above; a gazette's block
    of values with no labels between them takes the block of labels before it, in order."""
    holders: list[Holder | None] = []
    origin: str | None = None
    i = 0
    while i < len(rows):
        run = 1
        while single_column and i + run < len(rows) and not any(rows[i + run].lines):
            run += 1
        if run > 1:
            holders += _columnar(rows[i].lines, run, origin)
        else:
            holder, origin = _row_holder(rows[i].lines, origin)
            holders.append(holder)
        i += run
    return holders


def _row_holder(lines: list[str], origin: str | None) -> tuple[Holder | None, str | None]:
    window = _country_window(lines)
    if window:
        origin = window[2]
        lines = lines[window[1]:]
    label = _label(lines)
    if len(label) > MAX_LABEL:  # a description column, not a firm: refuse rather than guess
        return None, origin
    holder = holder_of(label) if label else Holder(None, None)
    return Holder(holder.company, holder.origin or origin), holder.origin or origin


def _label(lines: list[str]) -> str:
    """A row's names as one text. Fixed-width lines hold several name columns (exporter and
    producer), each wrapping on to the next line: joined column by column, and said once when
    the columns agree ('Example Co. / Example Co.' is 'Example Co.')."""
    texts = [line for line in lines if line]
    if not any(_COLUMN_GAP_RE.search(text) for text in texts):
        return " ".join(texts)
    columns: list[list[str]] = []
    for text in texts:
        for index, part in enumerate(_COLUMN_SPLIT_RE.split(text)):
            if index == len(columns):
                columns.append([])
            columns[index].append(part.strip(" ."))
    names = list(dict.fromkeys(" ".join(column) for column in columns if any(column)))
    return " / ".join(names)


def _columnar(lines: list[str], count: int, origin: str | None) -> list[Holder | None]:
    """`count` labels for `count` values: the last label groups (blank-line separated) after the
    first country; with several countries, each country's group ends at its 'Others'."""
    found: list[str] = []
    entities: list[Holder] = []
    for group in _groups(lines):
        window = _country_window(group)
        if window:
            found.append(window[2])
            entities = entities if len(found) > 1 else []  # labels before it: description
            group = group[window[1]:]
        if any(group):
            entities.append(holder_of(" ".join(group)))
    if len(entities) < count:
        return [None] * count
    entities = entities[-count:]
    origins = _segment_origins(entities, found) if len(found) > 1 else [
        found[0] if found else origin] * count
    return [Holder(h.company, h.origin or o) for h, o in zip(entities, origins, strict=True)]


def _groups(lines: list[str]) -> list[list[str]]:
    groups: list[list[str]] = [[]]
    for line in lines:
        if line:
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
    return [g for g in groups if g]


def _segment_origins(entities: list[Holder], found: list[str]) -> list[str | None]:
    segments: list[int] = []
    current = 0
    for holder in entities:
        segments.append(current)
        if holder.company == ALL_OTHERS:
            current += 1
    if current != len(found):
        return [None] * len(entities)
    return [found[s] for s in segments]
