"""Reading the historic US case lists and cleaning them into one record per Commerce case.

Crawling only sees what is published from now on; these lists give the cases since the 1980s
(storage/data/history, with PROVENANCE.md): the ITA ACCESS case list, ITA petition dates, the
USITC list of orders in place, the ITA orders API (HTS numbers) and WTO I-TIP's US anti-dumping
measures. They are real exports and messy: a BOM, stray columns (Column1, Column12), the country
in 'Column2', dates written 10/21/1977, 2016/04/14 or '2011-10-26 00:00:00', case numbers as
'A–533–883', 'C--552-826', 'A-60-2807' or with a trailing line break, ACCESS test records
('Shells From Seychelles', 'test From Iceland'), typing errors in the ITC list ('A-553-817' on a
Vietnamese row). Each row is cleaned or rejected with its file, line and reason; what was
corrected is reported too.

Merging: the Commerce (ITA/DOC) number is the key, and the lists fill a case's fields in a fixed
order (ACCESS, petitions, ITA API, ITC, WTO): the first list to give a field keeps it. An ITC row
brings its ITC number (731-TA-…, 701-TA-…) to its DOC number, unless the list gives the same ITC
number to two DOC numbers ('A-847-A'/'A-847-B'). WTO rows name no number: a row is split per
origin, and each part joins the anti-dumping case of that origin whose order date is its 'In
force' date, else whose petition came 0-60 days before its initiation, else the only case of that
origin with the same product (the product must share a word in the first two tests), else the
undated ACCESS case of that origin whose product shares at least half its words. A part that
joins no case becomes a case of its own without a number (one per origin, product and day).
"""

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from babel import Locale

from rules.case_numbers import COMMERCE_COUNTRY
from rules.cases import product_key
from rules.countries import VIETNAM, country_code, normalise
from rules.hs_codes import normalise_hs
from rules.sectors import product_part
from rules.text import folded_key, squash

# Which list fills a field first, by list kind.
KINDS = ("ita_access", "ita_petitions", "ita_orders_api", "itc_orders", "wto_itip")
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2212"})
_COMMERCE_RE = re.compile(r"([AC])(\d{6})", re.ASCII)
_ITC_SHORT_RE = re.compile(r"([AC])-?(\d{1,4})(?:-[A-Z])?", re.ASCII)
_ITC_FULL_RE = re.compile(r"(701|731)-TA-(\d{1,4})", re.ASCII | re.IGNORECASE)
_ITC_1921_RE = re.compile(r"AA-?(\d{1,4})", re.ASCII)
_TEST_RE = re.compile(r"\btest(?:s|ing)?\b", re.IGNORECASE)
_DATE_FORMATS = ("%m/%d/%Y", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")
# An ACCESS sequence that the same product carries for this many origins is a placeholder record
# (the 'Crystalline Silicon Photovoltaic Cells' A-xxx-988 / C-xxx-989 rows of ~36 countries): a
# real case's sequence is counted per country.
PLACEHOLDER_ORIGINS = 5
PETITION_TO_INITIATION = timedelta(days=60)
SIMILAR_PRODUCT = 0.5
_STOP_WORDS = frozenset({"certain", "and", "or", "of", "the", "for", "from", "with", "in", "other",
                         "product", "thereof", "part", "whether", "not"})
_TERRITORIES = {normalise(name): code for code, name in Locale("en").territories.items()
                if len(code) == 2 and code.isalpha()}
_CODE_OF = {iso: code for code, iso in sorted(COMMERCE_COUNTRY.items(), reverse=True)}


class HistoryFileError(Exception):
    """A list that cannot be read at all: its file, the line, and why."""

    def __init__(self, file: Path, line: int, reason: str) -> None:
        super().__init__(f"{file}:{line}: {reason}")
        self.file, self.line, self.reason = file, line, reason


@dataclass(frozen=True, order=True)
class Issue:
    """A rejected row, or a value corrected on a kept row (JSON lists: `line` is the record)."""

    file: str
    line: int
    reason: str


@dataclass
class HistoricCase:
    """One US case as the lists tell it; `rows` are the 'file:line' it was read from."""

    number: str | None
    measure: str
    origin: str
    product: str
    rows: list[str]
    itc_numbers: list[str] = field(default_factory=list)
    petition_on: date | None = None
    initiated_on: date | None = None
    ordered_on: date | None = None
    continued_on: date | None = None
    revoked_on: date | None = None
    hs_codes: list[str] = field(default_factory=list)

    @property
    def vietnam(self) -> str:
        return "subject" if self.origin == VIETNAM else "none"

    @property
    def opened_on(self) -> date | None:
        return min((d for d in (self.petition_on, self.initiated_on) if d), default=None)

    @property
    def last_event_on(self) -> date | None:
        days = (self.petition_on, self.initiated_on, self.ordered_on, self.continued_on,
                self.revoked_on)
        return max((d for d in days if d), default=None)

    @property
    def step(self) -> tuple[str, str, str]:
        """(proceeding, stage, status) in the words of the analyse contract: the latest dated
        event decides; a withdrawal before any order ends the investigation."""
        if self.revoked_on and self.revoked_on >= (self.continued_on or self.revoked_on):
            if self.ordered_on:
                return "other", "revocation", "closed"
            return "investigation", "termination", "closed"
        if self.continued_on:
            return "expiry_review", "continuation", "open"
        if self.ordered_on:
            return "investigation", "order", "open"
        if self.initiated_on:
            return "investigation", "initiation", "open"
        if self.petition_on:
            return "investigation", "petition", "open"
        return "other", "other", "open"

    def fill(self, other: "HistoricCase") -> None:
        """Take from `other` (the same case, from a later list) what this record lacks."""
        for name in ("petition_on", "initiated_on", "ordered_on", "continued_on", "revoked_on"):
            if getattr(self, name) is None:
                setattr(self, name, getattr(other, name))
        self.product = self.product or other.product
        self.itc_numbers += [n for n in other.itc_numbers if n not in self.itc_numbers]
        self.hs_codes += [c for c in other.hs_codes if c not in self.hs_codes]
        self.rows += [r for r in other.rows if r not in self.rows]


@dataclass
class ListFile:
    """What one file gave: its kind, rows read, rows rejected, values corrected."""

    name: str
    kind: str
    rows: int = 0
    rejected: list[Issue] = field(default_factory=list)
    corrected: list[Issue] = field(default_factory=list)
    cases: list[HistoricCase] = field(default_factory=list)


@dataclass
class History:
    """Every list read, and the cases merged from them."""

    files: list[ListFile]
    cases: list[HistoricCase]


class RowError(ValueError):
    """A row that cannot be kept; the message is the reason given to the operator."""


def parse_day(text: str) -> date | None:
    """A date in any of the lists' notations; None when empty; ValueError when unreadable."""
    text = squash(text)
    if not text:
        return None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"unreadable date {text!r}")


def commerce_number(text: str) -> str | None:
    """'A–533–883', 'C--552-826', ' A-570-110\\n', 'A-60-2807' -> 'A-533-883' ...: a letter and
    six digits, however dashed; None when the text is not that."""
    compact = re.sub(r"[\s\u00a0-]", "", text.translate(_DASHES)).upper()
    match = _COMMERCE_RE.fullmatch(compact)
    if not match:
        return None
    digits = match.group(2)
    return f"{match.group(1)}-{digits[:3]}-{digits[3:]}"


def rewritten(raw: str, number: str) -> bool:
    """True when cleaning changed more than spaces and dash forms ('A-60-2807', 'C--552-826')."""
    return re.sub(r"[\s\u00a0]", "", raw.translate(_DASHES)).upper() != number


def itc_number(text: str) -> str | None:
    """The ITC investigation number of the orders list ('A-1012', 'C-462', 'A-457-B', 'A1449',
    '701-TA-629', 'AA-167') as the FR writes it: 731-TA-1012, 701-TA-462, AA1921-167."""
    compact = re.sub(r"\s", "", text.translate(_DASHES))
    if match := _ITC_FULL_RE.fullmatch(compact):
        return f"{match.group(1)}-TA-{int(match.group(2))}"
    if match := _ITC_1921_RE.fullmatch(compact):
        return f"AA1921-{int(match.group(1))}"
    if match := _ITC_SHORT_RE.fullmatch(compact):
        title = "731" if match.group(1) == "A" else "701"
        return f"{title}-TA-{int(match.group(2))}"
    return None


def country_iso(name: str) -> str | None:
    """ISO code of a country as the lists write it ('Viet Nam', 'Korea, Republic of', 'Iceland');
    None when unknown."""
    name = squash(name)
    if not name:
        return None
    head, _, tail = name.partition(",")
    if tail.strip().lower().endswith(" of"):  # WTO: 'Moldova, Republic of'
        name = head
    return country_code(name) or _TERRITORIES.get(normalise(name))


def _title_parts(title: str) -> tuple[str, str]:
    """'Frozen Fish Fillets From Vietnam' -> ('Frozen Fish Fillets', 'Vietnam')."""
    title = squash(title)
    product = squash(product_part(title))
    if " from " not in title.lower() or not product:
        raise RowError(f"title {title!r} is not 'product From country'")
    return product, title[title.lower().rindex(" from ") + 6:].strip()


def _origin(number: str, country: str) -> str:
    """The origin of a Commerce number, checked against the country its row names."""
    code, named = number[2:5], country_iso(country)
    by_code = COMMERCE_COUNTRY.get(code)
    if by_code is None:
        theirs = f"; {country} is {_CODE_OF[named]}" if named in _CODE_OF else ""
        raise RowError(f"{code} is no Commerce country code{theirs}")
    if named and named != by_code:
        raise RowError(f"code {code} is {by_code}, the row says {country}")
    return by_code


def _measure(number: str) -> str:
    return "AD" if number.startswith("A") else "CVD"


def _required_number(text: str) -> str:
    number = commerce_number(text)
    if number is None:
        raise RowError(f"{squash(text)!r} is no Commerce case number" if squash(text)
                       else "no case number")
    return number


def _hs_codes(text: str, note: Callable[[str], None]) -> list[str]:
    codes = []
    for raw in re.split(r"[,;\s]+", text.strip()):
        if not raw:
            continue
        code = normalise_hs(raw)
        if code is None:
            note(f"HS code {raw!r} dropped (not 2-10 digits of even length)")
        elif code not in codes:
            codes.append(code)
    return codes


def _day(row: dict[str, str], column: str, note: Callable[[str], None]) -> date | None:
    try:
        return parse_day(row.get(column) or "")
    except ValueError as exc:
        note(f"{column}: {exc}, left empty")
        return None


RowParser = Callable[[dict[str, str], str, Callable[[str], None]], list[HistoricCase]]


def _titled_row(row: dict[str, str], ref: str, number_col: str, title_col: str,
                note: Callable[[str], None]) -> HistoricCase:
    raw = row.get(number_col) or ""
    number = _required_number(raw)
    if rewritten(raw, number):
        note(f"case number {squash(raw)!r} read as {number}")
    product, country = _title_parts(row.get(title_col) or "")
    try:
        origin = _origin(number, country)
    except RowError as exc:
        what = "a test record" if _TEST_RE.search(product) else "a test or mistyped record"
        raise RowError(f"{number} '{product} From {country}': {exc} ({what})") from None
    return HistoricCase(number, _measure(number), origin, product, [ref])


def _access_row(row: dict[str, str], ref: str, note: Callable[[str], None]) -> list[HistoricCase]:
    return [_titled_row(row, ref, "Case Number", "Case Title", note)]


def _petition_row(row: dict[str, str], ref: str,
                  note: Callable[[str], None]) -> list[HistoricCase]:
    case = _titled_row(row, ref, "case_number", "case_title", note)
    case.petition_on = _day(row, "petition_date", note)
    return [case]


def _itc_row(row: dict[str, str], ref: str, note: Callable[[str], None]) -> list[HistoricCase]:
    if not any(value.strip() for value in row.values()):
        raise RowError("empty row")
    raw = row.get("DOC case No.") or ""
    number = _required_number(raw)
    if rewritten(raw, number):
        note(f"DOC case number {squash(raw)!r} read as {number}")
    itc_raw = squash(row.get("ITC case No.") or "")
    if itc_raw.upper().endswith("-NONE"):  # the list's way of saying there is none
        itc_raw = ""
    itc = itc_number(itc_raw) if itc_raw else None
    if itc_raw and itc is None:
        note(f"ITC number {itc_raw!r} not understood, left out")
    number = _itc_letter(number, squash(row.get("AD/CVD") or ""), itc, note)
    country = squash(row.get("Country") or "") or squash(row.get("Column2") or "")
    number = _itc_country(number, country, note)
    product = squash(row.get("Product") or "")
    try:
        origin = _origin(number, country)
    except RowError as exc:
        raise RowError(f"{number} {product!r}: {exc} (the row's columns disagree)") from None
    case = HistoricCase(number, _measure(number), origin, product, [ref],
                        itc_numbers=[itc] if itc else [])
    case.ordered_on = _day(row, "Order date", note)
    case.continued_on = _day(row, "Continued date", note)
    return [case]


def _itc_letter(number: str, column: str, itc: str | None, note: Callable[[str], None]) -> str:
    """The AD/CVD column and the ITC number outvote the DOC number's letter ('C-487' with
    'A-552-813' listed as CVD is C-552-813)."""
    letter = {"A": "A", "C": "C"}.get(column.upper()[:1])
    itc_letter = None if itc is None else ("C" if itc.startswith("701") else "A")
    if letter and letter != number[0] and itc_letter in (letter, None):
        fixed = letter + number[1:]
        note(f"{number} read as {fixed}: the row is {'CVD' if letter == 'C' else 'AD'}")
        return fixed
    return number


def _itc_country(number: str, country: str, note: Callable[[str], None]) -> str:
    """A DOC number whose country code is no code at all takes its row's country's code
    ('A-553-817' on a Vietnam row is A-552-817)."""
    named = country_iso(country)
    if number[2:5] in COMMERCE_COUNTRY or named not in _CODE_OF:
        return number
    fixed = f"{number[:2]}{_CODE_OF[named]}{number[5:]}"
    note(f"{number} read as {fixed}: {number[2:5]} is no Commerce country code, "
         f"the row says {country}")
    return fixed


def _api_row(row: dict[str, Any], ref: str, note: Callable[[str], None]) -> list[HistoricCase]:
    number = _required_number(str(row.get("case_number") or ""))
    country, product = str(row.get("country") or ""), squash(str(row.get("product") or ""))
    case = HistoricCase(number, _measure(number), _origin(number, country), product, [ref])
    codes = row.get("hts_numbers") or []
    if not isinstance(codes, list) or not all(isinstance(c, str | int) for c in codes):
        raise RowError(f"hts_numbers must be a list of codes, not {codes!r:.60}")
    case.hs_codes = _hs_codes(" ".join(str(c) for c in codes), note)
    return [case]


def _wto_row(row: dict[str, str], ref: str, note: Callable[[str], None]) -> list[HistoricCase]:
    if squash(row.get("Member imposing") or "") != "United States of America":
        raise RowError(f"not a US measure: {row.get('Member imposing')!r}")
    if not squash(row.get("Measure description") or "").lower().startswith("anti-dumping"):
        raise RowError(f"not anti-dumping: {row.get('Measure description')!r}")
    origins = wto_partners(row.get("Partner affected") or "")
    product = squash(row.get("Product description") or "")
    hs = _hs_codes(row.get("HS") or "", note)
    days = {name: _day(row, name, note) for name in ("Initiation", "In force", "Withdrawn")}
    return [HistoricCase(None, "AD", origin, product, [ref], initiated_on=days["Initiation"],
                         ordered_on=days["In force"], revoked_on=days["Withdrawn"],
                         hs_codes=list(hs))
            for origin in origins]


def wto_partners(text: str) -> list[str]:
    """'China, Korea, Republic of, Viet Nam' -> ['CN', 'KR', 'VN'] (a name may hold a comma)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    codes: list[str] = []
    i = 0
    while i < len(parts):
        pair = country_iso(f"{parts[i]}, {parts[i + 1]}") if i + 1 < len(parts) else None
        if pair and parts[i + 1].lower().endswith(" of"):
            codes.append(pair)
            i += 2
            continue
        code = country_iso(parts[i])
        if code is None:
            raise RowError(f"partner {squash(text)!r}: {parts[i]!r} is no known country")
        codes.append(code)
        i += 1
    if not codes:
        raise RowError("no partner named")
    return list(dict.fromkeys(codes))


_CSV_KINDS: dict[str, tuple[frozenset[str], RowParser]] = {
    "ita_access": (frozenset({"Case Number", "Case Title"}), _access_row),
    "ita_petitions": (frozenset({"case_number", "case_title", "petition_date"}), _petition_row),
    "itc_orders": (frozenset({"Order date", "Continued date", "ITC case No.", "DOC case No.",
                              "AD/CVD", "Product", "Country"}), _itc_row),
    "wto_itip": (frozenset({"Member imposing", "Partner affected", "Initiation", "In force",
                            "Withdrawn", "Measure description", "Product description", "HS"}),
                 _wto_row),
}


def _text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise HistoryFileError(path, line, f"not UTF-8 text ({exc.reason})") from exc


def _csv_records(path: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line, fields) of every record; a broken quote ends the file with its line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise HistoryFileError(path, start, f"broken CSV ({exc})") from exc
        if record:
            yield start, record


def _read_csv(path: Path, text: str) -> ListFile:
    records = _csv_records(path, text)
    first = next(records, None)
    if first is None:
        raise HistoryFileError(path, 1, "empty file")
    header = [squash(name) for name in first[1]]
    kind = next((k for k, (cols, _) in _CSV_KINDS.items() if cols <= set(header)), None)
    if kind is None:
        raise HistoryFileError(path, first[0], "not a known case list: header "
                               f"{', '.join(header[:6])}")
    listed = ListFile(path.name, kind)
    parse = _CSV_KINDS[kind][1]
    for line, fields in records:
        listed.rows += 1
        if len(fields) != len(header):
            listed.rejected.append(Issue(path.name, line, f"{len(fields)} fields, the header "
                                                          f"has {len(header)}"))
            continue
        _keep(listed, line, parse, dict(zip(header, fields, strict=True)))
    return listed


def _read_json(path: Path, text: str) -> ListFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HistoryFileError(path, exc.lineno, f"broken JSON ({exc.msg})") from exc
    except RecursionError as exc:
        raise HistoryFileError(path, 1, "broken JSON (nested too deeply)") from exc
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list):
        raise HistoryFileError(path, 1, "not an ITA orders API answer (no 'results' list)")
    listed = ListFile(path.name, "ita_orders_api")
    for record, row in enumerate(results, start=1):
        listed.rows += 1
        if not isinstance(row, dict):
            listed.rejected.append(Issue(path.name, record, "result is not an object"))
            continue
        _keep(listed, record, _api_row, row)
    return listed


def _keep(listed: ListFile, line: int, parse: Callable[..., list[HistoricCase]],
          row: dict[str, Any]) -> None:
    """Parse one row; its corrections count only when the row is kept."""
    notes: list[Issue] = []

    def note(reason: str) -> None:
        notes.append(Issue(listed.name, line, reason))

    try:
        listed.cases += parse(row, f"{listed.name}:{line}", note)
    except RowError as exc:
        listed.rejected.append(Issue(listed.name, line, str(exc)))
        return
    listed.corrected += notes


def read_list(path: Path) -> ListFile:
    """One list, recognised by its header (or JSON shape), every row cleaned or rejected."""
    text = _text(path)
    listed = _read_json(path, text) if text.lstrip().startswith("{") else _read_csv(path, text)
    _drop_placeholders(listed)
    return listed


def _drop_placeholders(listed: ListFile) -> None:
    def sequence(case: HistoricCase) -> tuple[str, str]:
        return (case.number or "")[6:], folded_key(case.product)

    origins: dict[tuple[str, str], set[str]] = defaultdict(set)
    for case in listed.cases:
        origins[sequence(case)].add(case.origin)
    kept = []
    for case in listed.cases:
        shared = len(origins[sequence(case)])
        if case.number and shared >= PLACEHOLDER_ORIGINS:
            file, line = case.rows[0].rsplit(":", 1)
            listed.rejected.append(Issue(file, int(line), (
                f"{case.number} {case.product!r}: a placeholder record (sequence "
                f"{case.number[6:]} with this product for {shared} origins), not a case")))
        else:
            kept.append(case)
    listed.cases = kept


def read_lists(paths: Iterable[Path]) -> History:
    """Every list read and cleaned, then merged into cases (see the module docstring)."""
    files = [read_list(Path(p)) for p in paths]
    ordered = sorted(files, key=lambda f: KINDS.index(f.kind))
    by_number: dict[str, HistoricCase] = {}
    for listed in ordered:
        if listed.kind == "wto_itip":
            continue
        for case in listed.cases:
            merged = by_number.setdefault(case.number or "", HistoricCase(
                case.number, case.measure, case.origin, "", []))
            merged.fill(case)
    _drop_shared_itc_numbers(by_number.values(), files)
    cases = list(by_number.values())
    cases += attach_wto([c for f in ordered if f.kind == "wto_itip" for c in f.cases], cases)
    return History(files, cases)


def _drop_shared_itc_numbers(cases: Iterable[HistoricCase], files: list[ListFile]) -> None:
    """An ITC number the list gives to two DOC numbers identifies neither."""
    owners: dict[str, list[HistoricCase]] = defaultdict(list)
    for case in cases:
        for number in case.itc_numbers:
            owners[number].append(case)
    itc_files = {f.name: f for f in files if f.kind == "itc_orders"}
    for number, holders in owners.items():
        if len(holders) < 2:
            continue
        for case in holders:
            case.itc_numbers.remove(number)
            for ref in case.rows:
                file, line = ref.rsplit(":", 1)
                if file in itc_files:
                    itc_files[file].corrected.append(Issue(file, int(line), (
                        f"ITC number {number} left out: the list gives it to "
                        f"{', '.join(sorted(str(h.number) for h in holders))}")))


def _words(product: str) -> set[str]:
    return set(folded_key(product).split()) - _STOP_WORDS


def attach_wto(parts: list[HistoricCase], cases: list[HistoricCase]) -> list[HistoricCase]:
    """Join each WTO part to its AD case (strongest test first over all parts, one part per
    case); return the parts that joined none, as cases of their own."""
    pool: dict[str, list[HistoricCase]] = defaultdict(list)
    for case in cases:
        if case.measure == "AD":
            pool[case.origin].append(case)
    taken: set[int] = set()
    left = list(parts)
    for test in (_same_order_day, _petition_before, _same_product):
        still = []
        for part in left:
            free = [c for c in pool[part.origin] if id(c) not in taken]
            match = test(part, free)
            if match is None:
                still.append(part)
                continue
            taken.add(id(match))
            match.fill(part)
        left = still
    left = _join_similar(left, [c for c in cases if c.measure == "AD" and id(c) not in taken
                                and c.last_event_on is None])
    return _merge_alike(left)


def _merge_alike(parts: list[HistoricCase]) -> list[HistoricCase]:
    """Parts on one origin and product opened the same day are one case (stored as one)."""
    alike: dict[tuple[Any, ...], HistoricCase] = {}
    for part in parts:
        key = (part.origin, case_product(part), part.opened_on)
        if key in alike:
            alike[key].fill(part)
        else:
            alike[key] = part
    return list(alike.values())


def _similarity(a: HistoricCase, b: HistoricCase) -> float:
    """Shared product words over all their words (Jaccard): 'Citric Acid and Certain Citrate
    Salts' and 'Citric Acid And Citrate Salt' are 1.0."""
    words_a, words_b = _words(a.product), _words(b.product)
    return len(words_a & words_b) / len(words_a | words_b) if words_a | words_b else 0.0


def _join_similar(parts: list[HistoricCase], undated: list[HistoricCase]) -> list[HistoricCase]:
    """Last test: a part joins an undated case of its origin (an ACCESS number with no date in
    any list) with at least half its product words shared, most similar pairs first; a part with
    two equally similar cases joins neither."""
    pairs = []
    for i, part in enumerate(parts):
        scored = sorted(((_similarity(part, c), c.number or "", c) for c in undated
                         if c.origin == part.origin), key=lambda item: item[:2], reverse=True)
        scored = [item for item in scored if item[0] >= SIMILAR_PRODUCT]
        if scored and (len(scored) == 1 or scored[0][0] > scored[1][0]):
            pairs.append((scored[0][0], i, scored[0][2]))
    joined: set[int] = set()
    used: set[int] = set()
    for _score, i, case in sorted(pairs, key=lambda pair: (-pair[0], pair[1])):
        if id(case) not in used:
            case.fill(parts[i])
            joined.add(i)
            used.add(id(case))
    return [part for i, part in enumerate(parts) if i not in joined]


def _best_overlap(part: HistoricCase, candidates: list[HistoricCase]) -> HistoricCase | None:
    words = _words(part.product)
    scored = [(len(words & _words(c.product)), c) for c in candidates]
    scored = [item for item in scored if item[0] > 0]
    if not scored:
        return None
    best = max(score for score, _ in scored)
    top = [c for score, c in scored if score == best]
    return top[0] if len(top) == 1 else None


def _same_order_day(part: HistoricCase, free: list[HistoricCase]) -> HistoricCase | None:
    if part.ordered_on is None:
        return None
    return _best_overlap(part, [c for c in free if c.ordered_on == part.ordered_on])


def _petition_before(part: HistoricCase, free: list[HistoricCase]) -> HistoricCase | None:
    start = part.initiated_on
    if start is None:
        return None
    near = [c for c in free if c.petition_on and
            start - PETITION_TO_INITIATION <= c.petition_on <= start]
    return _best_overlap(part, near)


def case_product(case: HistoricCase) -> str:
    """The product key crawled notices are linked by, from the 'product From country' form."""
    return product_key(f"{case.product} From {case.origin}")


def _same_product(part: HistoricCase, free: list[HistoricCase]) -> HistoricCase | None:
    same = [c for c in free if case_product(c) == case_product(part)]
    return same[0] if len(same) == 1 else None
