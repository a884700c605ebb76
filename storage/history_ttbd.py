"""Reading the US workbook of the World Bank's Global Antidumping Database (storage/data/history,
see PROVENANCE.md): every US anti-dumping case 1980-2015 with its HS codes, including the cases
that ended without a measure, which the other lists lack and the risk watch needs (a case that
failed still shows where petitioners look).

The workbook is read as it is (xlrd, Excel 97-2003): dates are Excel serial numbers, and 'MI'
(missing), '.' (not applicable) and 'IF' (in force) stand in date cells; HS codes are numbers
(padded back to their HS_DIGITS) or, where they start with a zero, text. TSUS codes
(before 1989) are no HS codes and are left out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import xlrd

from rules.risk_records import CaseRecord
from storage.history_cases import HistoryFileError, Issue
from storage.history_rows import commerce_number, country_iso

MARKET = "US"
WORKBOOK = (Path(__file__).resolve().parent / "data" / "history"
            / "ttbd_gad_usa_2016-06_through_2015q4.xls")
MASTER, PRODUCTS = "AD-USA-Master", "AD-USA-Products"
NO_MEASURE = (".", "MI", "")


@dataclass
class GadFile:
    """The workbook's cases, and the rows that could not be kept (with their reason)."""

    name: str
    records: list[CaseRecord] = field(default_factory=list)
    rejected: list[Issue] = field(default_factory=list)


def _rows(book: xlrd.book.Book, sheet: str, path: Path) -> list[tuple[int, dict[str, Any]]]:
    try:
        table = book.sheet_by_name(sheet)
    except xlrd.biffh.XLRDError as exc:
        raise HistoryFileError(path, 1, f"no sheet {sheet!r}") from exc
    header = [str(name).strip() for name in table.row_values(0)]
    return [(line + 1, dict(zip(header, table.row_values(line), strict=False)))
            for line in range(1, table.nrows)]


def _day(value: Any, datemode: int) -> date | None:
    """An Excel serial date; None for 'MI', '.', 'IF' and blanks."""
    if isinstance(value, float) and value > 0:
        return xlrd.xldate_as_datetime(value, datemode).date()
    return None


def _hs(code: Any, digits: Any) -> str | None:
    """An HS code: a number (zero-padded to HS_DIGITS) or, where it starts with a zero, text."""
    if isinstance(code, float) and isinstance(digits, float):
        text = str(int(code)).zfill(int(digits))
    elif isinstance(code, str):
        text = code.strip().replace(".", "")
    else:
        return None
    return text if text.isdigit() and len(text) >= 4 else None


def read_gad(path: Path = WORKBOOK) -> GadFile:
    """Every case of the workbook as a CaseRecord (HistoryFileError when unreadable)."""
    try:
        book = xlrd.open_workbook(str(path))
    except (OSError, xlrd.biffh.XLRDError) as exc:
        raise HistoryFileError(path, 1, f"not an Excel 97-2003 workbook ({exc})") from exc
    found = GadFile(path.name)
    codes: dict[str, list[str]] = defaultdict(list)
    for _, row in _rows(book, PRODUCTS, path):
        code = _hs(row.get("HS_CODE"), row.get("HS_DIGITS"))
        case_id = str(row.get("CASE_ID", "")).strip()
        if code and code not in codes[case_id]:
            codes[case_id].append(code)
    for line, row in _rows(book, MASTER, path):
        case_id = str(row.get("CASE_ID", "")).strip()
        opened = _day(row.get("INIT_DATE"), book.datemode)
        origin = country_iso(str(row.get("INV_CTY_NAME", ""))) or str(
            row.get("INV_CTY_CODE", "")).strip() or None
        if opened is None or origin is None:
            found.rejected.append(Issue(path.name, line, f"{case_id}: no initiation date or "
                                                         "no country"))
            continue
        measure = str(row.get("F_AD_MEASURE", "")).strip()
        ordered = _day(row.get("F_AD_DATE"), book.datemode) if measure not in NO_MEASURE else None
        found.records.append(CaseRecord(
            market=MARKET, origin=origin, measure="AD",
            product=str(row.get("PRODUCT", "")).strip(), hs_codes=tuple(codes[case_id]),
            opened_on=opened, ordered_on=ordered,
            revoked_on=_day(row.get("REVOKE_DATE"), book.datemode) if ordered else None,
            number=commerce_number(str(row.get("CASE_ITA", ""))),
            ref=f"{path.name}:{MASTER}:{line} ({case_id})"))
    return found
