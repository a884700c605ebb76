"""Case numbers: US Commerce A-/C-NNN-NNN, USITC 701-TA/731-TA/TA-201, EU AD/AS/R/SA/SAFE, UK TRA
(two letters + 4 digits: AD0004, TD0002), Australian ADN 2023/035 and Case 624, Indian DGTR files
(6/12/2023-DGTR), Pakistani NTC cases (A.D.C No. 60/2021/NTC/CRC).

A case number is the strongest evidence a notice is a trade remedy, names the measure (A = AD,
C = CVD) and, for Commerce, the origin (country code 552 = Vietnam). FR `docket_ids` may join
several numbers in one string ("A-552-802, A-533-840"), so parsing works on free text. Generic
shapes ("R 1234", "Case 624") are read only where the market uses them, so a US notice's
"Review 2021" is not a case.
"""

import re
from collections.abc import Iterable

# Commerce country codes (19 CFR case numbering), as used in ACCESS and FR docket ids.
COMMERCE_COUNTRY = {
    "122": "CA", "201": "MX", "274": "TT", "301": "CO", "307": "VE", "331": "EC", "337": "CL",
    "351": "BR", "357": "AR", "401": "SE", "405": "FI", "412": "GB", "421": "NL", "423": "BE",
    "427": "FR", "428": "DE", "433": "AT", "449": "LV", "455": "PL", "469": "ES", "471": "PT",
    "475": "IT", "484": "GR", "485": "RO", "489": "TR", "507": "IR", "508": "IL", "520": "AE",
    "523": "OM", "533": "IN", "535": "PK", "538": "BD", "542": "LK", "549": "TH", "552": "VN",
    "555": "KH", "557": "MY", "559": "SG", "560": "ID", "565": "PH", "570": "CN", "580": "KR",
    "583": "TW", "588": "JP", "602": "AU", "791": "ZA", "821": "RU", "822": "BY", "823": "UA",
    "834": "KZ", "841": "MD",
}

_DASH = "[-\u2010\u2011\u2012\u2013\u2014]"
_COMMERCE_RE = re.compile(
    rf"(?<![A-Za-z0-9])([AC])\s?{_DASH}\s?(\d{{3}})\s?{_DASH}\s?(\d{{3}})(?!\d)", re.ASCII
)
_NUM = rf"\d{{1,4}}(?:\s*{_DASH}\s*\d{{1,4}})?(?!\s*{_DASH}\s*TA)"
_ITC_RE = re.compile(
    rf"\b(701|731){_DASH}TA{_DASH}({_NUM}(?:\s*(?:,\s*and|,|and|&)\s*(?!(?:701|731){_DASH}){_NUM})*)",
    re.IGNORECASE | re.ASCII,
)
_ITC_SG_RE = re.compile(rf"\bTA{_DASH}201{_DASH}(\d{{1,3}})\b", re.IGNORECASE | re.ASCII)
_EU_RE = re.compile(
    r"(?<![A-Za-z0-9/-])(AD|AS|SA|R|SAFE)\s?([1-9]\d{2,3}|0\d{2})(?![\d/-])", re.ASCII
)
# UK TRA: case type acronym (tra_case_types.json) + 4 digits with a leading zero ('TD0002').
_UK_TYPES = {
    "AD": "AD", "AS": "CVD", "TD": "AD", "TS": "CVD", "SF": "SG", "TF": "SG", "SM": "SG",
    "SE": "SG", "SS": "SG", "SD": "SG", "IR": None, "SC": None, "ER": None, "AR": None,
    "CR": None, "NE": None, "UR": None, "SA": None, "RI": None, "DR": None, "BU": None,
    "TQ": None, "CE": None, "SN": None,
}
_UK_RE = re.compile(
    r"(?<![A-Za-z0-9/-])(" + "|".join(_UK_TYPES) + r")\s?(0\d{3})(?![\d/-])", re.ASCII
)
_UK_NUMBER_RE = re.compile(r"[A-Z]{2}0\d{3}", re.ASCII)
# Australia: Anti-Dumping Notices 'ADN 2023/035' (also 'ADN No. 2023/35', lists 'ADNs 2023/035 and
# 2023/036') and ADC case numbers 'Case 624' / 'Investigation 624' / 'Inquiry 624'.
_ADN_ITEM = r"(20\d{2})\s?/\s?(\d{1,3})(?![\d/])"
_ADN_RE = re.compile(
    rf"\b(?:ADNs?|Anti-Dumping Notices?)\s*(?:No\.?s?\s*)?{_ADN_ITEM}"
    rf"((?:\s*(?:,\s*and|,|and|&)\s*{_ADN_ITEM})*)", re.ASCII,
)
_ADN_ITEM_RE = re.compile(_ADN_ITEM, re.ASCII)
# An ADC report carries its case's number ('REP 611', 'REPORT No 611'): report 611 is case 611.
_AU_CASE_RE = re.compile(
    r"\b(?:(?:Case|Investigation|Inquiry|Review|Continuation inquiry)\s+(?:No\.?\s*)?"
    r"|(?:REP|REPORT No\.?|Report No\.?)\s*)"
    r"(\d{2,4})(?![\d/-]|\s*-\s*TA)\b", re.ASCII,
)
_AU_HINT_RE = re.compile(r"Anti-Dumping Commission|\bADN\b|Ủy ban Chống bán phá giá", re.I)
# India: DGTR file numbers 'F. No. 6/12/2023-DGTR' (leading zeros dropped: '06/12' -> '6/12').
_DGTR_RE = re.compile(r"(?<![\d/])(\d{1,2})\s?/\s?(\d{1,3})\s?/\s?(\d{4})\s?[-\u2013]\s?DGTR\b",
                      re.ASCII | re.IGNORECASE)
# Pakistan: National Tariff Commission anti-dumping cases 'A.D.C No. 60/2021/NTC/CRC' (serial,
# year, NTC, product code), normalised to that form.
_NTC_RE = re.compile(
    r"\bA\.?\s?D\.?\s?C\.?\s*No\.?\s*(\d{1,3})\s*/\s*(\d{4})\s*/\s*NTC(?:\s*/\s*([A-Z]{2,8}))?\b",
    re.ASCII,
)
_RANGE_RE = re.compile(rf"(\d{{1,4}})\s*{_DASH}\s*(\d{{1,4}})", re.ASCII)
_LIST_SPLIT_RE = re.compile(r"\s*(?:,\s*and|,|and|&)\s*", re.IGNORECASE)
_MAX_RANGE = 50


def _expand(numbers: str) -> list[str]:
    """'1408 and 1410' -> [1408, 1410]; '1661-1663' -> [1661, 1662, 1663] (bounded)."""
    out: list[str] = []
    for part in _LIST_SPLIT_RE.split(numbers):
        part = part.strip()
        rng = _RANGE_RE.fullmatch(part)
        if rng:
            lo, hi = int(rng.group(1)), int(rng.group(2))
            if lo <= hi <= lo + _MAX_RANGE:
                out.extend(str(n) for n in range(lo, hi + 1))
                continue
            out.extend([rng.group(1), rng.group(2)])
        elif part.isascii() and part.isdigit():
            out.append(str(int(part)))
    return out


def commerce_numbers(text: str) -> list[str]:
    """US Commerce case numbers, normalised to 'A-552-802'."""
    return [f"{m.group(1)}-{m.group(2)}-{m.group(3)}" for m in _COMMERCE_RE.finditer(text)]


def itc_numbers(text: str) -> list[str]:
    """USITC Title VII and safeguard investigation numbers: '731-TA-1661', 'TA-201-75'."""
    found = [f"{m.group(1)}-TA-{n}" for m in _ITC_RE.finditer(text) for n in _expand(m.group(2))]
    found += [f"TA-201-{int(m.group(1))}" for m in _ITC_SG_RE.finditer(text)]
    return found


def eu_numbers(text: str) -> list[str]:
    """EU case references 'AD608', 'AS 123', 'R756', 'SAFE011', normalised without the space."""
    return [f"{m.group(1)}{m.group(2)}" for m in _EU_RE.finditer(text)
            if not _UK_NUMBER_RE.fullmatch(f"{m.group(1)}{m.group(2)}")]


def uk_numbers(text: str) -> list[str]:
    """UK TRA case references: 'AD0004', 'TD0002', 'TS0001' (type + 4 digits, leading zero)."""
    return [f"{m.group(1)}{m.group(2)}" for m in _UK_RE.finditer(text)]


def au_numbers(text: str, *, cases: bool) -> list[str]:
    """Australian notices 'ADN 2023/035' (always) and 'Case 624' (when `cases`)."""
    found = []
    for m in _ADN_RE.finditer(text):
        found.append(f"ADN {m.group(1)}/{int(m.group(2)):03d}")
        found += [f"ADN {y}/{int(n):03d}" for y, n in _ADN_ITEM_RE.findall(m.group(3))]
    if cases:
        found += [f"Case {int(m.group(1))}" for m in _AU_CASE_RE.finditer(text)]
    return found


def dgtr_numbers(text: str) -> list[str]:
    """Indian DGTR file numbers, normalised to '6/12/2023-DGTR'."""
    return [f"{int(a)}/{int(b)}/{c}-DGTR" for a, b, c in _DGTR_RE.findall(text)]


def ntc_numbers(text: str) -> list[str]:
    """Pakistani NTC case numbers, normalised to 'A.D.C No. 60/2021/NTC/CRC'."""
    return [f"A.D.C No. {int(n)}/{y}/NTC" + (f"/{code}" if code else "")
            for n, y, code in _NTC_RE.findall(text)]


def parse_case_numbers(
    texts: Iterable[str], *, eu: bool = False, market: str | None = None
) -> list[str]:
    """All case numbers in `texts`, normalised, unique, in first-seen order.

    EU references are read for market EU (or eu=True), ADC 'Case NNN' numbers for market AU or
    a text naming the Anti-Dumping Commission; the distinctive shapes everywhere."""
    seen: dict[str, None] = {}
    texts = list(texts)
    eu = eu or market == "EU"
    au_cases = market == "AU" or any(_AU_HINT_RE.search(t) for t in texts)
    for text in texts:
        found = commerce_numbers(text) + itc_numbers(text) + uk_numbers(text)
        found += au_numbers(text, cases=au_cases) + dgtr_numbers(text) + ntc_numbers(text)
        if eu:
            found += eu_numbers(text)
        for number in found:
            seen.setdefault(number, None)
    return list(seen)


def normalise_case_number(text: str) -> str | None:
    """The single case number in `text` in canonical form, or None when there is not exactly one."""
    found = parse_case_numbers([text], eu=True, market="AU" if text.startswith("Case") else None)
    return found[0] if len(found) == 1 else None


def measure_of(number: str) -> str | None:
    """AD, CVD or SG from a case number's own prefix; None when the number does not say."""
    if _UK_NUMBER_RE.fullmatch(number):
        return _UK_TYPES.get(number[:2])
    if number.startswith("ADN "):  # Australia numbers dumping and countervailing notices alike
        return None
    if number.startswith(("A-", "731-", "AD", "A.D.C")):
        return "AD"
    if number.startswith(("C-", "701-", "AS")):
        return "CVD"
    if number.startswith(("TA-201", "SA")):  # EU SA / SAFE: safeguard
        return "SG"
    return None


def origin_of(number: str) -> str | None:
    """ISO origin of a Commerce case number (country code), else None (ITC/EU numbers don't say)."""
    parts = number.split("-")
    if len(parts) == 3 and parts[0] in ("A", "C"):
        return COMMERCE_COUNTRY.get(parts[1])
    return None
