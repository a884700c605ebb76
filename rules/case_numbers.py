"""Case numbers: US Commerce A-/C-NNN-NNN, USITC 701-TA/731-TA/TA-201, EU AD/AS/R/SA/SAFE, UK TRA
(two letters + 4 digits: AD0004, TD0002), Australian ADN 2023/035 and Case 624, Indian DGTR files
(6/12/2023-DGTR), Pakistani NTC cases (A.D.C No. 60/2021/NTC/CRC), Canadian CBSA files
(WT 2026 IN) and CITT inquiries (NQ-2026-001).

A case number is the strongest evidence a notice is a trade remedy, names the measure (A = AD,
C = CVD) and, for Commerce, the origin (country code 552 = Vietnam). FR `docket_ids` may join
several numbers in one string ("A-552-802, A-533-840"), so parsing works on free text. Generic
shapes ("R 1234", "Case 624") are read only where the market uses them, so a US notice's
"Review 2021" is not a case.
"""

import re
from collections.abc import Iterable

from rules.text import has_digit, may_say

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
    # Codes of the ITA ACCESS case list (storage/data/history), each confirmed by its case titles.
    "400": "IS", "403": "NO", "409": "DK", "437": "HU", "441": "CH", "457": "LT", "479": "HR",
    "517": "SA", "525": "BH", "582": "HK", "614": "NZ", "714": "MA", "723": "TN", "729": "EG",
    "801": "RS", "851": "CZ", "856": "SI", "891": "HR", "893": "BA",
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
# TRON's proceedings on a measure in force: 'NEPT11-60' (new exporting producer treatment) and
# 'RF84-02', 'RF75/41-46-47-52' (refund of duties paid), kept as TRON writes them.
_EU_SUB_RE = re.compile(r"(?<![A-Za-z0-9/-])(NEPT|RF)\s?(\d{1,3}(?:[/-]\d{1,3})+)(?![\d/])",
                        re.ASCII)
# The article of the EU basic regulations a TRON case is opened under ('articleOfToc'): the
# anti-dumping Regulation (EU) 2016/1036 numbers initiation 5, reviews 11(2)-(4), refunds 11(8),
# anti-absorption 12, circumvention 13; the anti-subsidy Regulation (EU) 2016/1037 initiation 10,
# expiry 18, interim 19, accelerated 20, refunds 21, circumvention 23. So the article says
# which measure an 'R...' review or 'RF...' refund concerns when its title does not.
_EU_AD_ARTICLES = frozenset({"5", "7", "9", "11", "12", "13"})
_EU_AS_ARTICLES = frozenset({"10", "15", "18", "19", "20", "21", "23", "24"})
_ARTICLE_RE = re.compile(r"^\s*(?:art(?:icle)?\.?\s*)?(\d{1,2})", re.IGNORECASE | re.ASCII)
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
# Words every match of a hint contains (text.may_say): most texts are passed over without a search.
_AU_HINT_WORDS = ("anti-dumping commission", "adn", "y ban ch")
# India: DGTR file numbers 'F. No. 6/12/2023-DGTR' (leading zeros dropped: '06/12' -> '6/12').
_DGTR_RE = re.compile(r"(?<![\d/])(\d{1,2})\s?/\s?(\d{1,3})\s?/\s?(\d{4})\s?[-\u2013]\s?DGTR\b",
                      re.ASCII | re.IGNORECASE)
# DGTR's case file numbers: measure (AD, CVD, SG; AC anti-circumvention), the kind of proceeding
# in brackets (OI original investigation, SSR sunset review, MTR mid-term review...), serial and
# year: 'AD(OI)-12/2025', 'AD(SSR)-05/2026', 'CVD-07/2026', 'AC-01/2026'; normalised to that
# form with a two-digit serial.
_DGTR_FILE_RE = re.compile(
    r"(?<![A-Za-z0-9/-])(AD|CVD|SG|AC)\s?(?:\(\s?([A-Z]{2,4})\s?\))?\s?[-\u2013]\s?(\d{1,3})\s?/\s?"
    r"(20\d{2})(?![\d/])", re.ASCII)
_DGTR_FILE_NUMBER_RE = re.compile(r"(?:AD|CVD|SG|AC)(?:\([A-Z]{2,4}\))?-\d{2,3}/20\d{2}", re.ASCII)
_IN_HINT_RE = re.compile(r"\bDGTR\b|Directorate General of Trade Remedies|\bCBIC\b", re.I)
_IN_HINT_WORDS = ("dgtr", "directorate general of trade remedies", "cbic")
# Pakistan: National Tariff Commission anti-dumping cases 'A.D.C No. 60/2021/NTC/CRC' (serial,
# year, NTC, product code), normalised to that form.
_NTC_RE = re.compile(
    r"\bA\.?\s?D\.?\s?C\.?\s*No\.?\s*(\d{1,3})\s*/\s*(\d{4})\s*/\s*NTC(?:\s*/\s*([A-Z]{2,8}))?\b",
    re.ASCII,
)
# Canada: CBSA file codes, the product's acronym, the year and the kind of proceeding ('WT 2026 IN'
# investigation, 'SW 2025 UP' re-investigation, 'COR 2018 RI', 'GAL 2022 ER' expiry review...);
# its measures in force carry the acronym and year alone ('AE 2008'), read only after a
# 'Case number:' label. CITT case numbers: 'NQ-2026-001' (injury inquiry), 'RR-2025-002' (expiry
# review), 'PI-' (preliminary injury inquiry), 'RD-'/'RI-' (interim reviews), 'GC-' (global
# safeguard), 'LE-' (expiry), 'PB-' (public interest). Both are read for market CA or a text naming
# the CBSA/CITT/SIMA, so an acronym, a year and 'IN' elsewhere is not a case.
_CBSA_KINDS = r"IN|UP|RI|RE|ER|AC|SC|SR|NR|NS|DR"
_CBSA_NOT_PRODUCT = frozenset({"CBSA", "CITT", "SIMA", "HS", "CN", "US", "USA", "UK", "EU",
                               "CFR", "FR", "AD", "CVD", "SG", "WTO", "GST", "HST", "CAD", "USD",
                               "NO", "DATE"})
_CBSA_RE = re.compile(rf"(?<![A-Za-z0-9/-])([A-Z]{{2,5}}\d?)\s(20\d{{2}}|19\d{{2}})"
                      rf"\s({_CBSA_KINDS})(?![A-Za-z0-9/-])", re.ASCII)
_CBSA_LABELLED_RE = re.compile(
    r"\b(?:case|file)\s(?:number|no\.?)\s?:?\s*([A-Z]{2,5}\d?)\s(20\d{2}|19\d{2})"
    rf"(?:\s({_CBSA_KINDS}))?(?![A-Za-z0-9/-])", re.ASCII | re.IGNORECASE)
_CBSA_NUMBER_RE = re.compile(rf"[A-Z]{{2,5}}\d? (?:19|20)\d{{2}}(?: (?:{_CBSA_KINDS}))?",
                             re.ASCII)
_CITT_RE = re.compile(r"(?<![A-Za-z0-9/-])(NQ|RR|PI|RD|RI|GC|LE|PB)\s?[-\u2010-\u2014]\s?"
                      r"(20\d{2}|19\d{2})\s?[-\u2010-\u2014]\s?(\d{3})(R?)(?![A-Za-z0-9/-])",
                      re.ASCII)
_CA_HINT_RE = re.compile(r"\bCBSA\b|\bCITT\b|\bSIMA\b|Canada Border Services Agency"
                         r"|Canadian International Trade Tribunal|Special Import Measures Act",
                         re.I)
_CA_HINT_WORDS = ("cbsa", "citt", "sima", "canada border services agency",
                  "canadian international trade tribunal", "special import measures act")
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
    found = [f"{m.group(1)}{m.group(2)}" for m in _EU_RE.finditer(text)
             if not _UK_NUMBER_RE.fullmatch(f"{m.group(1)}{m.group(2)}")]
    return found + [f"{m.group(1)}{m.group(2)}" for m in _EU_SUB_RE.finditer(text)]


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


def dgtr_numbers(text: str, *, files: bool = False) -> list[str]:
    """Indian DGTR file numbers, normalised to '6/12/2023-DGTR'; with `files`, also its case file
    numbers 'AD(OI)-12/2025' (read only for India: elsewhere 'AD-05/2026' may be anything)."""
    found = [f"{int(a)}/{int(b)}/{c}-DGTR" for a, b, c in _DGTR_RE.findall(text)]
    if files:
        found += [f"{kind}{f'({sub})' if sub else ''}-{int(serial):02d}/{year}"
                  for kind, sub, serial, year in _DGTR_FILE_RE.findall(text)]
    return found


def ca_numbers(text: str) -> list[str]:
    """Canadian CBSA file codes ('WT 2026 IN'; 'AE 2008' after a 'Case number:' label) and CITT
    case numbers ('NQ-2026-001'), normalised to single spaces / hyphens."""
    found: list[tuple[int, str]] = []
    for m in _CBSA_RE.finditer(text):
        if m.group(1) not in _CBSA_NOT_PRODUCT:
            found.append((m.start(), f"{m.group(1)} {m.group(2)} {m.group(3)}"))
    for m in _CBSA_LABELLED_RE.finditer(text):
        if m.group(1) not in _CBSA_NOT_PRODUCT and m.group(1).isupper():
            number = " ".join(g for g in m.groups() if g)
            found.append((m.start(1), number))
    found += [(m.start(), f"{m.group(1)}-{m.group(2)}-{m.group(3)}{m.group(4)}")
              for m in _CITT_RE.finditer(text)]
    return [number for _, number in sorted(found)]


def eu_article_measure(article: str) -> str | None:
    """AD or CVD from the article of the EU basic regulations a TRON case is opened under
    ('11(2)' -> AD, '18' -> CVD, '11(4)exp' -> AD); None for safeguards ('00') or unknown."""
    match = _ARTICLE_RE.match(article or "")
    if not match:
        return None
    number = str(int(match.group(1)))
    if number in _EU_AD_ARTICLES:
        return "AD"
    if number in _EU_AS_ARTICLES:
        return "CVD"
    return None


def ntc_numbers(text: str) -> list[str]:
    """Pakistani NTC case numbers, normalised to 'A.D.C No. 60/2021/NTC/CRC'."""
    return [f"A.D.C No. {int(n)}/{y}/NTC" + (f"/{code}" if code else "")
            for n, y, code in _NTC_RE.findall(text)]


def _hinted(pattern: re.Pattern[str], words: tuple[str, ...], texts: list[str]) -> bool:
    """Whether a text names the authority `pattern` names (`words`: what its every match holds,
    looked for in all the texts at once)."""
    return may_say("\n".join(texts), words) and any(pattern.search(text) for text in texts)


def parse_case_numbers(
    texts: Iterable[str], *, eu: bool = False, market: str | None = None
) -> list[str]:
    """All case numbers in `texts`, normalised, unique, in first-seen order.

    EU references are read for market EU (or eu=True), ADC 'Case NNN' numbers for market AU or
    a text naming the Anti-Dumping Commission, CBSA/CITT numbers for market CA or a text naming
    the CBSA, CITT or SIMA; the distinctive shapes everywhere."""
    seen: dict[str, None] = {}
    texts = list(texts)
    eu = eu or market == "EU"
    au_cases = market == "AU" or _hinted(_AU_HINT_RE, _AU_HINT_WORDS, texts)
    in_files = market == "IN" or _hinted(_IN_HINT_RE, _IN_HINT_WORDS, texts)
    canada = market == "CA" or _hinted(_CA_HINT_RE, _CA_HINT_WORDS, texts)
    for text in texts:
        if not has_digit(text):  # every case number has one
            continue
        found = commerce_numbers(text) + itc_numbers(text) + uk_numbers(text)
        found += au_numbers(text, cases=au_cases) + dgtr_numbers(text, files=in_files)
        found += ntc_numbers(text)
        if canada:
            found += ca_numbers(text)
        if eu:
            found += eu_numbers(text)
        for number in found:
            seen.setdefault(number, None)
    return list(seen)


def normalise_case_number(text: str) -> str | None:
    """The single case number in `text` in canonical form, or None when there is not exactly one."""
    market = "AU" if text.startswith("Case") else (
        "IN" if _DGTR_FILE_RE.fullmatch(text.strip()) else None)
    if _CBSA_NUMBER_RE.fullmatch(text.strip()) or _CITT_RE.fullmatch(text.strip()):
        market = "CA"
        text = f"Case number: {text}" if _CBSA_NUMBER_RE.fullmatch(text.strip()) else text
    found = parse_case_numbers([text], eu=True, market=market)
    return found[0] if len(found) == 1 else None


def measure_of(number: str) -> str | None:
    """AD, CVD or SG from a case number's own prefix; None when the number does not say."""
    if _UK_NUMBER_RE.fullmatch(number):
        return _UK_TYPES.get(number[:2])
    if _CBSA_NUMBER_RE.fullmatch(number) or _CITT_RE.fullmatch(number):
        return None  # Canada: the acronym names the product, not the measure
    if number.startswith("ADN "):  # Australia numbers dumping and countervailing notices alike
        return None
    if _DGTR_FILE_NUMBER_RE.fullmatch(number):  # DGTR: AC circumvents an AD (or CVD) duty
        return {"AD": "AD", "CVD": "CVD", "SG": "SG"}.get(number.split("(")[0].split("-")[0])
    if number.startswith("RF"):  # refunds exist under both EU regulations: the article says
        return None
    if number.startswith("NEPT"):  # written into anti-dumping regulations (art. 11(4))
        return "AD"
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
