"""HS / HTSUS / CN codes in notice text, reduced to digit strings ('7306.30.1000' -> '7306301000').

Notices write codes many ways (7306.30.1000, 7306301000, 7306.30.10.00, 8541.42, 'ex 7219 90',
'mã HS 7210.49', 'HS 0306.17', UK commodity codes '7604 10 10 00'); sectors are matched on digit
prefixes, so every form is reduced to its digits. Dates ('2023.12'), quantities ('1234.56 tấn')
and money are refused unless an HS keyword stands right before them. Editions differ (HS2022
split solar 8541.40 into 8541.42/.43): `editions()` gives a code's counterparts in the other
edition so a subscription on one matches a notice on the other.
"""

import re

from rules.text import has_digit

_SEP = r"[.\u00a0 ]"
# Dotted forms need no context: 4 digits, then dot-separated groups of 2-4 digits.
# The look-behinds follow the first digits (what they test is unchanged): a pattern that starts with
# a digit is searched for by its first character, one that starts with a look-behind at every one.
_DOTTED_RE = re.compile(r"(\d(?<![\d.,$]\d)\d{3}(?:\.\d{2,4}){1,3})(?![\d%]|\.\d)", re.ASCII)
# Plain or spaced forms only count after an HS keyword ('subheading 7010905000', 'ex 7219 90').
_CONTEXT_RE = re.compile(
    r"\b(?:hts(?:us)?|harmonized tariff schedule(?: of the united states)?|subheadings?|headings?"
    r"|hs(?: codes?)?|cn codes?|taric(?: codes?)?|tariff (?:items?|numbers?|lines?|codes?)|ma hs|ex"
    r"|commodity codes?|commodities affected)"
    r"\b[\s:.]*(?:nos?\.?\s*|numbers?\s*)?",
    re.IGNORECASE | re.ASCII,
)
# UK and EU tariff codes are written in space-separated groups, 4+2+2(+2) digits ('7604 10 10 00'
# UK commodity code, '7411 10 10' CN code). The full ten-digit grouping reads as a code without a
# keyword, when its first two digits are an HS chapter (01-97) and its first four are not a year;
# the eight-digit one only after a keyword ('CN code', 'Commodities affected:') or in the list
# that follows one: an EU regulation's table of production inputs lists their CN codes
# ('Coke 2704 00 11, 2704 00 12') beside the product's.
_GROUPED_RE = re.compile(r"((?:0[1-9]|[1-8]\d|9[0-7])(?<![\d.,]\d\d)(?<!\d\s\d\d)\d\d \d\d \d\d"
                         r"(?: \d\d)?)"
                         r"(?!\d|[.,]\d|\s\d)", re.ASCII)
_LIST_GAP_RE = re.compile(r"\s*(?:[,;]|\band\b|\bor\b)\s*(?:\band\b|\bor\b)?\s*", re.ASCII)
_PLAIN_AT_RE = re.compile(rf"(\d{{4}}(?:{_SEP}?\d{{2}}){{0,3}})(?!\d)", re.ASCII)
_DIGITS_RE = re.compile(r"\D", re.ASCII)
_VALID_RE = re.compile(r"\d{2,10}", re.ASCII)
_NOT_CODE_RE = re.compile(r"[^0-9.\s\u00a0]")
# A dotted number right after which a unit or currency follows is a quantity, not a code.
_UNIT_AFTER_RE = re.compile(
    r"\s*(?:%|tons?|tonnes?|mt\b|kg|usd|us\$|eur|vnd|dong|đồng|tấn|tan\b|triệu|trieu|tỷ|ty\b"
    r"|percent|per cent|dollars?)",
    re.IGNORECASE,
)
# 'YYYY.MM' / 'YYYY.MM.DD' with a plausible year and month reads as a date.
_DATE_LIKE_RE = re.compile(
    r"(?:19[5-9]\d|20[0-4]\d)\.(?:0[1-9]|1[0-2])(?:\.(?:0[1-9]|[12]\d|3[01]))?"
)
_CONTEXT_BEFORE = 30
# Chapter 19 ends at heading 1905 and chapter 20 at 2009, so a bare '2022.52' (a year, then a
# footnote mark, as PDF text runs them together) or '1998.10' is no code, unless 'HS' says so.
_NO_SUCH_HEADING_RE = re.compile(r"19(?:0[6-9]|[1-9]\d)|20(?:1\d|[2-9]\d)")

# HS2017 -> HS2022 splits (WCO correlation tables, HS2022 amendments), both directions used:
#   8541.40 photosensitive devices/LEDs -> 8541.41 LEDs, 8541.42 PV cells not assembled,
#           8541.43 PV cells assembled in modules or panels, 8541.49 other
#   8517.70 telephone-set parts -> 8517.71 aerials and reflectors, 8517.79 other parts
#   8539.50 LED lamps -> 8539.51 LED modules, 8539.52 LED lamps
#   9405.40 other electric lamps -> 9405.41 photovoltaic LED, 9405.42 other LED, 9405.49 other
_HS2017_TO_2022: dict[str, tuple[str, ...]] = {
    "854140": ("854141", "854142", "854143", "854149"),
    "851770": ("851771", "851779"),
    "853950": ("853951", "853952"),
    "940540": ("940541", "940542", "940549"),
}
_HS2022_TO_2017 = {new: old for old, news in _HS2017_TO_2022.items() for new in news}


def normalise_hs(code: str) -> str | None:
    """Digits of an HS code, or None unless 2-10 digits of even length remain ('7306.3': None)."""
    text = code.strip()
    if text.lower().startswith("ex"):
        text = text[2:]
    if _NOT_CODE_RE.search(text):
        return None
    digits = _DIGITS_RE.sub("", text)
    if not _VALID_RE.fullmatch(digits) or len(digits) % 2:
        return None
    return digits


def dotted_hs(code: str) -> str:
    """An HS code of digits as people write it: heading, then pairs ('4819300040' ->
    '4819.30.00.40'); anything else as it is."""
    if not (code.isdigit() and code.isascii()) or len(code) <= 4:
        return code
    return ".".join([code[:4], *(code[i:i + 2] for i in range(4, len(code), 2))])


def _has_context(text: str, start: int) -> bool:
    """True when an HS keyword ('HS', 'HTSUS', 'subheading', 'mã HS') ends just before `start`."""
    window = text[max(0, start - _CONTEXT_BEFORE):start]
    return any(m.end() == len(window) for m in _CONTEXT_RE.finditer(window))


def extract_hs_codes(text: str) -> list[str]:
    """Every HS code in `text` as digits, unique, in first-seen order."""
    if not has_digit(text):  # most titles and many abstracts: nothing to search
        return []
    found: dict[str, None] = {}
    for match in _DOTTED_RE.finditer(text):
        raw = match.group(1)
        suspicious = (_UNIT_AFTER_RE.match(text, match.end()) or _DATE_LIKE_RE.fullmatch(raw)
                      or _NO_SUCH_HEADING_RE.fullmatch(raw[:4]))
        if suspicious and not _has_context(text, match.start()):
            continue
        code = normalise_hs(raw)
        if code:
            found.setdefault(code, None)
    listed_to = -1  # end of the last grouped code read, so a list after one keyword counts
    for match in _GROUPED_RE.finditer(text):
        raw = match.group(1)
        said = _has_context(text, match.start()) or (
            listed_to >= 0 and _LIST_GAP_RE.fullmatch(text, listed_to, match.start()))
        if not said and (len(raw) < 13 or _NO_SUCH_HEADING_RE.fullmatch(raw[:4])):
            continue
        code = normalise_hs(raw)
        if code:
            found.setdefault(code, None)
            listed_to = match.end()
    for ctx in _CONTEXT_RE.finditer(text):
        plain = _PLAIN_AT_RE.match(text, ctx.end())
        if plain:
            code = normalise_hs(plain.group(1))
            if code and len(code) >= 4:
                found.setdefault(code, None)
    return list(found)


def editions(code: str) -> list[str]:
    """The code's counterparts in the other HS edition (HS2017 <-> HS2022), for known splits.

    '854140' -> the four HS2022 subheadings; '8541430000' -> ['854140']; others -> []."""
    six = code[:6]
    if six in _HS2017_TO_2022:
        return list(_HS2017_TO_2022[six])
    if six in _HS2022_TO_2017:
        return [_HS2022_TO_2017[six]]
    return []


def same_product(a: str, b: str) -> bool:
    """True when two HS codes may name the same goods: one is a prefix of the other, directly or
    through an edition split ('854140' and '854142' do; '854141' and '854142' do not)."""
    def overlap(x: str, y: str) -> bool:
        return x.startswith(y) or y.startswith(x)

    if overlap(a, b):
        return True
    return any(overlap(e, b) for e in editions(a)) or any(overlap(a, e) for e in editions(b))
