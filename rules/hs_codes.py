"""HS / HTSUS / CN codes in notice text, reduced to digit strings ('7306.30.1000' -> '7306301000').

Notices write codes many ways (7306.30.1000, 7306301000, 7306.30.10.00, 8541.42, 'ex 7219 90');
sectors are matched on digit prefixes, so every form is reduced to its digits.
"""

import re

_SEP = r"[.\u00a0 ]"
# Dotted forms need no context: 4 digits, then dot-separated groups of 2-4 digits.
_DOTTED_RE = re.compile(r"(?<![\d.,$])(\d{4}(?:\.\d{2,4}){1,3})(?![\d%]|\.\d)", re.ASCII)
# Plain or spaced forms only count after an HS keyword ('subheading 7010905000', 'ex 7219 90').
_CONTEXT_RE = re.compile(
    r"\b(?:hts(?:us)?|harmonized tariff schedule(?: of the united states)?|subheadings?|headings?"
    r"|hs(?: codes?)?|cn codes?|taric(?: codes?)?|tariff (?:items?|numbers?|lines?)|ma hs|ex)"
    r"\b[\s:.]*(?:nos?\.?\s*|numbers?\s*)?",
    re.IGNORECASE | re.ASCII,
)
_PLAIN_AT_RE = re.compile(rf"(\d{{4}}(?:{_SEP}?\d{{2}}){{0,3}})(?!\d)", re.ASCII)
_DIGITS_RE = re.compile(r"\D", re.ASCII)
_VALID_RE = re.compile(r"\d{2,10}", re.ASCII)
_NOT_CODE_RE = re.compile(r"[^0-9.\s\u00a0]")


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


def extract_hs_codes(text: str) -> list[str]:
    """Every HS code in `text` as digits, unique, in first-seen order."""
    found: dict[str, None] = {}
    for match in _DOTTED_RE.finditer(text):
        code = normalise_hs(match.group(1))
        if code:
            found.setdefault(code, None)
    for ctx in _CONTEXT_RE.finditer(text):
        plain = _PLAIN_AT_RE.match(text, ctx.end())
        if plain:
            code = normalise_hs(plain.group(1))
            if code and len(code) >= 4:
                found.setdefault(code, None)
    return list(found)
