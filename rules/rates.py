"""The rates a notice states: dumping margins, subsidy rates, duties and cash deposit rates, each
with the firm it binds and its origin when the notice says them.

Two places hold them. Tables, whose text arrives flattened line by line from PDFs and HTML: a
header naming a firm or country column and a rate column ('Exporter/producer  Weighted-average
dumping margin (percent)', 'Company  Ad Valorem Duty  TARIC additional code', 'Country  Exporter
Dumping margin'), then rows whose label and value share a line, or run over several lines, or (a
gazette's columns) come as a block of labels then a block of values. And sentences, where a
percentage counts only beside rate wording ('the PRC-wide rate of 453.79 percent', 'a 105.31
percent China-wide rate'), never as a bound ('less than 0.5 percent'), a range ('from 6.18 percent
to 17.25 percent') or a share ('33 percent of imports'). An EU regulation's rates are read in its
operative articles only: its recitals discuss other margins (injury, underselling, profit).
Negative margins (no dumping) are left out. Deterministic, no network.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rules import countries, vocabulary
from rules.notice import Rate
from rules.text import aligned_fold, fold, has_digit, nfc, squash
from rules.vocabulary import all_phrases, folded_phrase, phrase_pattern

KINDS = ("dumping_margin", "subsidy_rate", "duty", "cash_deposit")
PERCENT = "percent"
ALL_OTHERS = "all others"
COUNTRY_WIDE = "country-wide"
MAX_PERCENT = 10_000.0  # US margins have passed 1,700 percent; beyond this it is no rate

_VOCAB = vocabulary.rates()
_KIND_RES = {kind: phrase_pattern(all_phrases(phrases)) for kind, phrases in _VOCAB.kinds.items()}
_NOT_RATE_RE = phrase_pattern(all_phrases(_VOCAB.not_rates))
_NOT_AMOUNT_RE = phrase_pattern(all_phrases(_VOCAB.not_rates) + all_phrases(_VOCAB.not_amounts))
_RESIDUAL = frozenset(folded_phrase(p) for p in all_phrases(_VOCAB.residual))
_DEMONYMS = {folded_phrase(name): code for code, names in _VOCAB.demonyms.items()
             for name in names}
_CURRENCIES = {folded_phrase(name): code for code, names in _VOCAB.currencies.items()
               for name in names}
_UNITS = {folded_phrase(name): unit for unit, names in _VOCAB.units.items() for name in names}


def _alternation(phrases: Iterable[str]) -> str:
    return "|".join(re.escape(p).replace(r"\ ", r"\s+")
                    for p in sorted(set(phrases), key=len, reverse=True))


_BOUND_RE = re.compile(
    rf"(?<!\w)(?:{_alternation(folded_phrase(p) for p in all_phrases(_VOCAB.bounds))})"
    r"\s+(?:the\s+|a\s+)?$")
_NOISE_RE = re.compile(
    rf"(?:[\s,;:]+(?:{_alternation(folded_phrase(p) for p in all_phrases(_VOCAB.label_noise))})"
    r")+[\s,;:]*$")
_CUT_RE = re.compile(
    rf"[\s,;:]+(?:{_alternation(folded_phrase(p) for p in all_phrases(_VOCAB.label_cuts))})\b")

# --- numbers --------------------------------------------------------------------------------------

# Bounded repetitions: a figure is read in time linear in the text, however long its digit runs.
_NUM = r"\d{1,3}(?:[,\u00a0 ]\d{3}){1,5}(?:\.\d{1,6})?(?!\d)|\d{1,15}(?:[.,]\d{1,6})?(?!\d)"
_PCT = r"%|percent\b|per\s?-?\s?cent\b|phan tram\b"
_PCT_RE = re.compile(
    rf"(?<![\w.,])(?P<neg>(?:minus|negative|am)\s+|[-\u2212\u2013]\s?)?(?P<num>{_NUM})\s*"
    rf"(?:{_PCT})")
# Every percentage and every range of them ends in one of these words: a text without them (most
# notices) is not searched for either.
_PCT_WORD_RE = re.compile(_PCT)
_RANGE_RE = re.compile(
    rf"(?:\b(?:from|between|tu|ranging from)\s+(?:negative\s+)?(?:{_NUM})\s*(?:{_PCT})?\s*"
    rf"(?:to|and|den|-|\u2013)\s+(?:negative\s+)?(?:{_NUM})\s*(?:{_PCT}))"
    rf"|(?:(?<![\w.,])(?:{_NUM})\s*(?:{_PCT})?\s*[-\u2013]\s*(?:{_NUM})\s*(?:{_PCT}))")
# A range of rates imposed or proposed, in percent or as an amount per unit; one told as alleged
# (a petition's 'alleged margins ranging from ...') is not the notice's.
_IMPOSED_RANGE_RE = re.compile(
    rf"\b(?:from|between|tu)\s+(?P<a>{_NUM})\s*(?:{_PCT})?\s*(?:to|and|den|-|\u2013)\s+"
    rf"(?P<b>{_NUM})\s*(?:(?:{_PCT})|(?P<cur>{_alternation(_CURRENCIES)})\s*(?:per|/|a|mot)\s*"
    rf"(?P<unit>{_alternation(_UNITS)})(?!\w))")
# Only a range of duties is some firms' rates; a range of margins sums up rates stated elsewhere.
_RANGE_DUTY_RE = re.compile(r"\b(?:muc thue|ap thue|thue suat|thue|dut(?:y|ies))\b")
_ALLEGED_RE = re.compile(r"\b(?:alleg\w*|cao buoc|petition\w*|don yeu cau|estimated|uoc tinh)\b")
_AFTER_BOUND_RE = re.compile(r"\s*(?:or|and|hoac)\s+(?:more|less|greater|higher|lower|above|below"
                             r"|over|under|tro len|tro xuong)\b")
# 'percent of' is a share unless the base is a price ('17.25 percent of C&F price').
_SHARE_RE = re.compile(r"\s*of\s+(?!(?:the\s+)?(?:cif|c&f|cfr|fob|net\b|customs value|entered value"
                       r"|export price|import price|invoice|value|price|free))")
_MONEY_RE = re.compile(
    rf"(?<![\w.,])(?:(?P<c1>{_alternation(_CURRENCIES)})\s?(?P<n1>{_NUM})"
    rf"|(?P<n2>{_NUM})\s?(?P<c2>{_alternation(_CURRENCIES)}))"
    rf"\s*(?:per|/|a|each|mot)\s*(?P<unit>{_alternation(_UNITS)})(?!\w)")


def _number(token: str, *, grouped: bool = False) -> float | None:
    """A written number as a float: '21,5' and '21.5' are 21.5, '1,234.5' and '1.234,5' are
    1234.5, '1 536' (grouped thousands, allowed for amounts) 1536; None when out of range."""
    text = token.replace("\u00a0", " ")
    text = text.replace(" ", "") if grouped else text
    if "," in text and "." in text:
        decimal = "." if text.rfind(".") > text.rfind(",") else ","
        text = text.replace("," if decimal == "." else ".", "").replace(decimal, ".")
    elif "," in text:
        thousands = re.fullmatch(r"\d{1,3}(?:,\d{3})+", text)
        text = text.replace(",", "" if thousands else ".")
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}", text):
        text = text.replace(".", "")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and 0 <= value <= MAX_PERCENT * 100 else None


def _percent(token: str) -> float | None:
    value = _number(token)
    return value if value is not None and value <= MAX_PERCENT else None


# --- who a rate binds -----------------------------------------------------------------------------

_WIDE_RE = re.compile(r"(?:^|[\s(])(?:the\s+)?([a-z][a-z' ]{1,40}?)-wide\b(?:\s+entity)?")
_LEADING_RE = re.compile(r"^(?:[-\u2022*\u2013]+|\(?[a-z0-9]{1,3}[.)])\s+", re.IGNORECASE)
_FOOTNOTE_RE = re.compile(r"\\\d+\\|\s*\*+|\s*\(\d{1,2}\)$|(?<=[a-z])\d{1,2}$")
_PLACEHOLDER_RE = re.compile(r"(?:^|\s)(?:n/a|N/A|[-\u2013\u2014])(?=\s|$)")
_COUNTRY_TAIL_RE = re.compile(r"[,;]\s*([^,;]{2,60})$")
_WINDOW_LINES = 5
_MAX_LABEL = 160


@dataclass(frozen=True)
class Holder:
    """Whom a rate binds: a firm's name, 'all others', 'country-wide' or nobody said; its origin."""

    company: str | None
    origin: str | None


def wide_origin(folded: str) -> str | None:
    """'prc' of 'PRC-wide entity', 'vietnam' of 'the Vietnam-wide rate' as an ISO code."""
    match = _WIDE_RE.search(folded)
    if not match:
        return None
    words = match.group(1).split()
    for start in range(len(words)):  # 'for the PRC' -> 'prc'
        code = countries.country_code(" ".join(words[start:]))
        if code:
            return code
    return None


def holder_of(label: str) -> Holder:
    """The firm or group a table row or phrase names, as the contract writes it; nobody for a
    label too long to be a name (a description column)."""
    if len(label) > _MAX_LABEL:
        return Holder(None, None)
    text = squash(_FOOTNOTE_RE.sub(" ", _PLACEHOLDER_RE.sub(" ", label)))
    text = _LEADING_RE.sub("", text).strip(" ,;:.-")
    folded = countries.normalise(text)
    folded = _NOISE_RE.sub("", folded).strip(" ,;:.-")
    if not folded:
        return Holder(None, None)
    code = countries.country_code(folded)
    if code:
        return Holder(None, code)
    if re.fullmatch(r"(?:the\s+)?[a-z' ]{2,40}?[-\s]wide(?:\s+entity)?(?:\s+rate)?", folded) \
            or folded in ("country-wide", "country wide"):
        return Holder(COUNTRY_WIDE, wide_origin(folded))
    residual = _residual(folded)
    if residual:
        return residual
    return Holder(_firm_name(text), _trailing_country(text))


def _residual(folded: str) -> Holder | None:
    """'Others', 'All other exporters', 'All other Chinese companies', 'Others (except ...)'."""
    head = re.sub(r"\s*\(.*$", "", folded).strip()
    words = head.split()
    demonym = next((_DEMONYMS[w] for w in words if w in _DEMONYMS), None)
    plain = " ".join(w for w in words if w not in _DEMONYMS)
    if plain in _RESIDUAL:
        return Holder(ALL_OTHERS, demonym)
    return None


def _firm_name(text: str) -> str | None:
    """The label without what an authority's table adds after the name: its other columns
    ('IDD Combination'), the traders it ships through ('supplied directly or through ...')."""
    folded = fold(text)
    cuts = [m.start() for m in (_NOISE_RE.search(folded), _CUT_RE.search(folded)) if m]
    name = text[:min(cuts, default=len(text))].strip(" ,;:-")
    return name or None


def _trailing_country(text: str) -> str | None:
    """An EU row names the firm's seat last: 'JFE Steel Corporation, Tokyo, Japan'."""
    match = _COUNTRY_TAIL_RE.search(text)
    return countries.country_code(match.group(1)) if match else None


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
    rf"(?:^|\s*\.{{2,}}\s*|\s+)(?P<cell>(?P<neg>[-\u2212\u2013]\s?)?(?P<num>{_NUM})\s*"
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
    return Cell(_percent(number), explicit=bool(match.group("pct")),
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
        for start in range(end - 1, max(-1, end - 1 - _WINDOW_LINES), -1):
            words = " ".join(line for line in lines[start:end] if line)
            code = countries.country_code(words)
            if code:
                return start, end, code
    return None


def _rates_of(table: Table, default_kind: str) -> list[Rate]:
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
    if len(label) > _MAX_LABEL:  # a description column, not a firm: refuse rather than guess
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


# --- sentences ------------------------------------------------------------------------------------

_SENTENCE_END_RE = re.compile(
    r"(?<!\bco)(?<!\bltd)(?<!\binc)(?<!\bno)(?<!\bcorp)(?<!\bu\.s)(?<!\bi\.e)(?<!\be\.g)(?<!\bpte)"
    r"(?<!\bbhd)(?<!\bart)(?<!\bjsc)(?<!\bst)\.\s+(?=\S)|;\s+|\n")
_WINDOW_BEFORE = 220
_WINDOW_AFTER = 90
_NEAR = 80
_NATIONWIDE_RE = re.compile(r"\b(?:country|nation)[-\s]?wide\b")
_ALL_OTHERS_RE = re.compile(r"\ball[-\s]others?'?\s+rate\b")
_KIND_AFTER = 30
_AD_VALOREM_RE = re.compile(r"\s*ad valorem\b")
_FOR_FIRM_RE = re.compile(
    r"\s+(?:ad valorem\s+)?for\s+(?P<name>(?:[A-Z0-9]|all other)[^;()]{1,150}?)"
    r"(?=,\s*(?:and\s+)?\d|,?\s+and\s+\d|;|\.\s|\.$|\s+\(|,\s+(?:respectively|which)|$)")


@dataclass(frozen=True)
class Context:
    """What the rest of the analysis knows: the market, the default kind, the single origin."""

    market: str | None
    default_kind: str
    origin: str | None


def _sentence(low: str, pos: int) -> tuple[int, int]:
    start = max(0, pos - _WINDOW_BEFORE)
    ends = [m.end() for m in _SENTENCE_END_RE.finditer(low, start, pos)]
    start = ends[-1] if ends else start
    after = _SENTENCE_END_RE.search(low, pos, min(len(low), pos + _WINDOW_AFTER))
    return start, after.start() if after else min(len(low), pos + _WINDOW_AFTER)


def _kind_near(low: str, start: int, match: re.Match[str], default: str | None, *,
               listed: bool, amount: bool) -> str | None:
    """The rate wording nearest before the number with no other figure between them (else right
    after it: '10 percent ad valorem duty'); None when the nearest words make it something else
    (an injury margin, a market share, a rate the authority only considers)."""
    pos = match.start()
    before: list[tuple[int, str]] = [(m.end(), kind) for kind, pattern in _KIND_RES.items()
                                     for m in pattern.finditer(low, start, pos)]
    others = _NOT_AMOUNT_RE if amount else _NOT_RATE_RE
    before += [(m.end(), "") for m in others.finditer(low, start, pos)]
    if before:
        end, kind = max(before)
        if kind and _PCT_RE.search(low, end, pos) and not listed:
            return None  # a row of a flattened table, or a list: not this figure's wording
        return kind or None
    after = [(m.start(), kind) for kind, pattern in _KIND_RES.items()
             for m in pattern.finditer(low, match.end(), match.end() + _KIND_AFTER)]
    return min(after)[1] if after else default


def _excluded(low: str, match: re.Match[str], ranges: list[tuple[int, int]]) -> bool:
    pos, end = match.start("num"), match.end()
    if match.group("neg") or any(a <= pos < b for a, b in ranges):
        return True
    if _BOUND_RE.search(low, max(0, pos - 30), pos):
        return True
    return bool(_AFTER_BOUND_RE.match(low, end) or _SHARE_RE.match(low, end)
                and not _AD_VALOREM_RE.match(low, end))


def _prose_holder(flat: str, low: str, span: tuple[int, int], match: re.Match[str],
                  context: Context) -> Holder:
    pos, end = match.start(), match.end()
    near = low[max(span[0], pos - _NEAR):min(span[1], end + _NEAR)]
    wide = wide_origin(near) if "wide" in near else None
    origin = context.origin or _named_origin(low[span[0]:span[1]], context.market)
    if wide or _NATIONWIDE_RE.search(near):
        return Holder(COUNTRY_WIDE, wide or origin)
    if _ALL_OTHERS_RE.search(near):
        return Holder(ALL_OTHERS, origin)
    firm = _FOR_FIRM_RE.match(flat, end)
    if firm:
        holder = holder_of(firm.group("name"))
        if holder.company or holder.origin:
            return Holder(holder.company, holder.origin or context.origin)
    return Holder(None, origin)


def _named_origin(sentence: str, market: str | None) -> str | None:
    named = [c for c in countries.countries_mentioned(sentence) if c != market]
    return named[0] if len(named) == 1 else None


def _prose_rates(text: str, context: Context) -> list[Rate]:
    flat = nfc(squash(text))
    low = aligned_fold(flat)
    if not has_digit(low):  # every rate is a number
        return []
    percent = _PCT_WORD_RE.search(low) is not None
    ranges = [m.span() for m in _RANGE_RE.finditer(low)] if percent else []
    found: list[Rate] = []
    for match in _PCT_RE.finditer(low) if percent else ():
        if _excluded(low, match, ranges):
            continue
        value = _percent(match.group("num"))
        rate = _prose_rate(flat, low, match, context, value, PERCENT)
        if rate:
            found.append(rate)
    bounded = []
    for match in _IMPOSED_RANGE_RE.finditer(low):
        sentence = _sentence(low, match.start())
        if (_RANGE_DUTY_RE.search(low, max(sentence[0], match.start() - _NEAR), match.start())
                and not _ALLEGED_RE.search(low, *sentence)):
            bounded.append(match.span())
            found += _range_rates(flat, low, match, context)
    for match in _MONEY_RE.finditer(low):
        if not any(a <= match.start() < b for a, b in bounded):
            found += _money_rate(flat, low, match, context)
    return found


def _range_rates(flat: str, low: str, match: re.Match[str], context: Context) -> list[Rate]:
    """The two bounds of a range of rates a notice imposes or proposes ('mức thuế từ 7,89% đến
    12,04%', 'từ 52 đến 186 USD/tấn'): each is some firm's rate, the firm not named."""
    if match.group("cur"):
        currency = _CURRENCIES[" ".join(match.group("cur").split())]
        unit = f"{currency}/{_UNITS[' '.join(match.group('unit').split())]}"
        values = [_number(match.group(name), grouped=True) for name in ("a", "b")]
    else:
        unit = PERCENT
        values = [_percent(match.group(name)) for name in ("a", "b")]
    rates = [_prose_rate(flat, low, match, context, value, unit) for value in values]
    return [rate for rate in rates if rate is not None]


def _prose_rate(flat: str, low: str, match: re.Match[str], context: Context,
                value: float | None, unit: str) -> Rate | None:
    if value is None:
        return None
    span = _sentence(low, match.start())
    around = max(span[0], match.start() - _NEAR), match.end() + _NEAR
    marked = any(pattern.search(low, *around)
                 for pattern in (_WIDE_RE, _NATIONWIDE_RE, _ALL_OTHERS_RE)) \
        or bool(_AD_VALOREM_RE.match(low, match.end()))
    kind = _kind_near(low, span[0], match, context.default_kind if marked else None,
                      listed=bool(_FOR_FIRM_RE.match(flat, match.end())), amount=unit != PERCENT)
    if kind is None:
        return None
    holder = _prose_holder(flat, low, span, match, context)
    return Rate(value, unit, kind, holder.company, holder.origin)


def _money_rate(flat: str, low: str, match: re.Match[str], context: Context) -> list[Rate]:
    currency = _CURRENCIES[" ".join((match.group("c1") or match.group("c2")).split())]
    unit = _UNITS[" ".join(match.group("unit").split())]
    value = _number(match.group("n1") or match.group("n2"), grouped=True)
    if value is None or (match.start() > 0 and low[match.start() - 1] in "-\u2212"):
        return []
    rate = _prose_rate(flat, low, match, context, value, f"{currency}/{unit}")
    return [rate] if rate else []


# --- the notice -----------------------------------------------------------------------------------

_OPERATIVE_RE = re.compile(r"HAS ADOPTED TH(?:IS|E PRESENT) (?:REGULATION|DECISION)"
                           r"|HAVE ADOPTED THIS REGULATION", re.IGNORECASE)
_LINE_NUMBER_BREAK_RE = re.compile(r"(\d)([.,])[ \t]*\n[ \t]*(\d{1,2})(?=\s*(?:%|percent|per))")


def default_kind(market: str | None, measures: Sequence[str]) -> str:
    """The kind of a rate whose wording names none: Commerce's rates are margins (subsidy rates
    in a countervailing notice); elsewhere the notice sets a duty."""
    if market == "US":
        return "subsidy_rate" if list(measures) == ["CVD"] else "dumping_margin"
    return "duty"


def operative_part(text: str) -> str:
    """An EU act's articles (after 'HAS ADOPTED THIS REGULATION'), else the whole text."""
    match = _OPERATIVE_RE.search(text)
    return text[match.end():] if match else text


def find_rates(title: str, text: str, *, market: str | None = None,
               measures: Sequence[str] = (), origins: Sequence[str] = ()) -> list[Rate]:
    """Every rate the title and text state, unique, tables first, in reading order."""
    lines = _LINE_NUMBER_BREAK_RE.sub(r"\1\2\3", operative_part(text)).splitlines()
    context = Context(market, default_kind(market, measures),
                      origins[0] if len(set(origins)) == 1 else None)
    found: list[Rate] = []
    in_tables: set[int] = set()
    for table in tables(lines):
        found += [_with_origin(r, context.origin) for r in _rates_of(table, context.default_kind)]
        in_tables.update(range(table.start, table.end))
    # A table's figures read as a sentence would lose whom they bind: sentences only outside.
    prose = "\n".join(line for i, line in enumerate(lines) if i not in in_tables)
    found += _prose_rates(f"{title}.\n{prose}", context)
    return _unique(found)


def _with_origin(rate: Rate, origin: str | None) -> Rate:
    if rate.origin or not origin:
        return rate
    return Rate(rate.value, rate.unit, rate.kind, rate.company, origin)


def _unique(rates: list[Rate]) -> list[Rate]:
    """One of each. The same figure said twice keeps its fullest form: a rate with no firm goes
    when a row gives the value to a firm, one with no origin when another names the origin."""
    seen: dict[tuple[object, ...], Rate] = {}
    for rate in rates:
        seen.setdefault(_key(rate) + (rate.origin,), rate)
    named = {(r.unit, r.value) for r in seen.values() if r.company}
    placed = {_key(r) for r in seen.values() if r.origin}
    return [r for r in seen.values()
            if (r.company or (r.unit, r.value) not in named)
            and (r.origin or _key(r) not in placed)]


def _key(rate: Rate) -> tuple[object, ...]:
    return rate.kind, rate.unit, rate.value, rate.company and fold(rate.company)
