"""One row of a historic US case list, cleaned or rejected with its reason: case numbers as the
lists mistype them ('A–533–883', 'C--552-826', 'A-60-2807'), dates in three formats, countries by
name, HS codes, ITC numbers and letters, and WTO I-TIP's partner lists."""

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from babel import Locale

from rules.case_numbers import COMMERCE_COUNTRY
from rules.countries import country_code, normalise
from rules.hs_codes import normalise_hs
from rules.sectors import product_part
from rules.text import squash
from storage.history_cases import HistoricCase, RowError

_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2212"})
_COMMERCE_RE = re.compile(r"([AC])(\d{6})", re.ASCII)
_ITC_SHORT_RE = re.compile(r"([AC])-?(\d{1,4})(?:-[A-Z])?", re.ASCII)
_ITC_FULL_RE = re.compile(r"(701|731)-TA-(\d{1,4})", re.ASCII | re.IGNORECASE)
_ITC_1921_RE = re.compile(r"AA-?(\d{1,4})", re.ASCII)
_TEST_RE = re.compile(r"\btest(?:s|ing)?\b", re.IGNORECASE)
_DATE_FORMATS = ("%m/%d/%Y", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


_TERRITORIES = {normalise(name): code for code, name in Locale("en").territories.items()
                if len(code) == 2 and code.isalpha()}
_CODE_OF = {iso: code for code, iso in sorted(COMMERCE_COUNTRY.items(), reverse=True)}


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


def api_row(row: dict[str, Any], ref: str, note: Callable[[str], None]) -> list[HistoricCase]:
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


CSV_KINDS: dict[str, tuple[frozenset[str], RowParser]] = {
    "ita_access": (frozenset({"Case Number", "Case Title"}), _access_row),
    "ita_petitions": (frozenset({"case_number", "case_title", "petition_date"}), _petition_row),
    "itc_orders": (frozenset({"Order date", "Continued date", "ITC case No.", "DOC case No.",
                              "AD/CVD", "Product", "Country"}), _itc_row),
    "wto_itip": (frozenset({"Member imposing", "Partner affected", "Initiation", "In force",
                            "Withdrawn", "Measure description", "Product description", "HS"}),
                 _wto_row),
}
