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

Merging (storage/history_merge.py): the Commerce (ITA/DOC) number is the key, and the lists fill a
case's fields in a fixed order (ACCESS, petitions, ITA API, ITC, WTO): the first list to give a
field keeps it. An ITC row brings its ITC number (731-TA-…, 701-TA-…) to its DOC number, unless the
list gives the same ITC number to two DOC numbers ('A-847-A'/'A-847-B'). WTO rows name no number: a
row is split per origin, and each part joins the anti-dumping case of that origin whose order date
is its 'In force' date, else whose petition came 0-60 days before its initiation, else the only
case of that origin with the same product (the product must share a word in the first two tests),
else the undated ACCESS case of that origin whose product shares at least half its words. A part
that joins no case becomes a case of its own without a number (one per origin, product and day).
"""

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from rules.text import folded_key, squash
from storage.history_cases import (
    KINDS,
    HistoricCase,
    History,
    HistoryFileError,
    Issue,
    ListFile,
    RowError,
)
from storage.history_merge import attach_wto, drop_shared_itc_numbers
from storage.history_rows import CSV_KINDS, api_row

# An ACCESS sequence that the same product carries for this many origins is a placeholder record
# (the 'Crystalline Silicon Photovoltaic Cells' A-xxx-988 / C-xxx-989 rows of ~36 countries): a
# real case's sequence is counted per country.
PLACEHOLDER_ORIGINS = 5


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
    kind = next((k for k, (cols, _) in CSV_KINDS.items() if cols <= set(header)), None)
    if kind is None:
        raise HistoryFileError(path, first[0], "not a known case list: header "
                               f"{', '.join(header[:6])}")
    listed = ListFile(path.name, kind)
    parse = CSV_KINDS[kind][1]
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
        _keep(listed, record, api_row, row)
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
    drop_shared_itc_numbers(by_number.values(), files)
    cases = list(by_number.values())
    cases += attach_wto([c for f in ordered if f.kind == "wto_itip" for c in f.cases], cases)
    return History(files, cases)
