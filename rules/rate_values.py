"""What every rate is read with: its kinds and units, the written numbers and percentages, the
phrases that bound, share or range a figure, and whom a rate binds (a firm, 'all others', a
country-wide entity) with its origin. Read by the tables (rules/rate_tables.py) and the sentences
(rules/rates.py) alike."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from rules import countries, vocabulary
from rules.text import fold, squash
from rules.vocabulary import all_phrases, folded_phrase, phrase_pattern

KINDS = ("dumping_margin", "subsidy_rate", "duty", "cash_deposit")
PERCENT = "percent"
ALL_OTHERS = "all others"
COUNTRY_WIDE = "country-wide"
MAX_PERCENT = 10_000.0  # US margins have passed 1,700 percent; beyond this it is no rate

_VOCAB = vocabulary.rates()
KIND_RES = {kind: phrase_pattern(all_phrases(phrases)) for kind, phrases in _VOCAB.kinds.items()}
NOT_RATE_RE = phrase_pattern(all_phrases(_VOCAB.not_rates))
NOT_AMOUNT_RE = phrase_pattern(all_phrases(_VOCAB.not_rates) + all_phrases(_VOCAB.not_amounts))
_RESIDUAL = frozenset(folded_phrase(p) for p in all_phrases(_VOCAB.residual))
_DEMONYMS = {folded_phrase(name): code for code, names in _VOCAB.demonyms.items()
             for name in names}
CURRENCIES = {folded_phrase(name): code for code, names in _VOCAB.currencies.items()
               for name in names}
UNITS = {folded_phrase(name): unit for unit, names in _VOCAB.units.items() for name in names}


def _alternation(phrases: Iterable[str]) -> str:
    return "|".join(re.escape(p).replace(r"\ ", r"\s+")
                    for p in sorted(set(phrases), key=len, reverse=True))


BOUND_RE = re.compile(
    rf"(?<!\w)(?:{_alternation(folded_phrase(p) for p in all_phrases(_VOCAB.bounds))})"
    r"\s+(?:the\s+|a\s+)?$")
_NOISE_RE = re.compile(
    rf"(?:[\s,;:]+(?:{_alternation(folded_phrase(p) for p in all_phrases(_VOCAB.label_noise))})"
    r")+[\s,;:]*$")
_CUT_RE = re.compile(
    rf"[\s,;:]+(?:{_alternation(folded_phrase(p) for p in all_phrases(_VOCAB.label_cuts))})\b")

# --- numbers --------------------------------------------------------------------------------------

# Bounded repetitions: a figure is read in time linear in the text, however long its digit runs.
NUM = r"\d{1,3}(?:[,\u00a0 ]\d{3}){1,5}(?:\.\d{1,6})?(?!\d)|\d{1,15}(?:[.,]\d{1,6})?(?!\d)"
_PCT = r"%|percent\b|per\s?-?\s?cent\b|phan tram\b"
PCT_RE = re.compile(
    rf"(?<![\w.,])(?P<neg>(?:minus|negative|am)\s+|[-\u2212\u2013]\s?)?(?P<num>{NUM})\s*"
    rf"(?:{_PCT})")
# Every percentage and every range of them ends in one of these words: a text without them (most
# notices) is not searched for either.
PCT_WORD_RE = re.compile(_PCT)
RANGE_RE = re.compile(
    rf"(?:\b(?:from|between|tu|ranging from)\s+(?:negative\s+)?(?:{NUM})\s*(?:{_PCT})?\s*"
    rf"(?:to|and|den|-|\u2013)\s+(?:negative\s+)?(?:{NUM})\s*(?:{_PCT}))"
    rf"|(?:(?<![\w.,])(?:{NUM})\s*(?:{_PCT})?\s*[-\u2013]\s*(?:{NUM})\s*(?:{_PCT}))")
# A range of rates imposed or proposed, in percent or as an amount per unit; one told as alleged
# (a petition's 'alleged margins ranging from ...') is not the notice's.
IMPOSED_RANGE_RE = re.compile(
    rf"\b(?:from|between|tu)\s+(?P<a>{NUM})\s*(?:{_PCT})?\s*(?:to|and|den|-|\u2013)\s+"
    rf"(?P<b>{NUM})\s*(?:(?:{_PCT})|(?P<cur>{_alternation(CURRENCIES)})\s*(?:per|/|a|mot)\s*"
    rf"(?P<unit>{_alternation(UNITS)})(?!\w))")
# Only a range of duties is some firms' rates; a range of margins sums up rates stated elsewhere.
RANGE_DUTY_RE = re.compile(r"\b(?:muc thue|ap thue|thue suat|thue|dut(?:y|ies))\b")
ALLEGED_RE = re.compile(r"\b(?:alleg\w*|cao buoc|petition\w*|don yeu cau|estimated|uoc tinh)\b")
AFTER_BOUND_RE = re.compile(r"\s*(?:or|and|hoac)\s+(?:more|less|greater|higher|lower|above|below"
                             r"|over|under|tro len|tro xuong)\b")
# 'percent of' is a share unless the base is a price ('17.25 percent of C&F price').
SHARE_RE = re.compile(r"\s*of\s+(?!(?:the\s+)?(?:cif|c&f|cfr|fob|net\b|customs value|entered value"
                       r"|export price|import price|invoice|value|price|free))")
MONEY_RE = re.compile(
    rf"(?<![\w.,])(?:(?P<c1>{_alternation(CURRENCIES)})\s?(?P<n1>{NUM})"
    rf"|(?P<n2>{NUM})\s?(?P<c2>{_alternation(CURRENCIES)}))"
    rf"\s*(?:per|/|a|each|mot)\s*(?P<unit>{_alternation(UNITS)})(?!\w)")


def parse_number(token: str, *, grouped: bool = False) -> float | None:
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


def parse_percent(token: str) -> float | None:
    value = parse_number(token)
    return value if value is not None and value <= MAX_PERCENT else None


# --- who a rate binds -----------------------------------------------------------------------------

WIDE_RE = re.compile(r"(?:^|[\s(])(?:the\s+)?([a-z][a-z' ]{1,40}?)-wide\b(?:\s+entity)?")
_LEADING_RE = re.compile(r"^(?:[-\u2022*\u2013]+|\(?[a-z0-9]{1,3}[.)])\s+", re.IGNORECASE)
_FOOTNOTE_RE = re.compile(r"\\\d+\\|\s*\*+|\s*\(\d{1,2}\)$|(?<=[a-z])\d{1,2}$")
_PLACEHOLDER_RE = re.compile(r"(?:^|\s)(?:n/a|N/A|[-\u2013\u2014])(?=\s|$)")
_COUNTRY_TAIL_RE = re.compile(r"[,;]\s*([^,;]{2,60})$")
WINDOW_LINES = 5
MAX_LABEL = 160


@dataclass(frozen=True)
class Holder:
    """Whom a rate binds: a firm's name, 'all others', 'country-wide' or nobody said; its origin."""

    company: str | None
    origin: str | None


def wide_origin(folded: str) -> str | None:
    """'prc' of 'PRC-wide entity', 'vietnam' of 'the Vietnam-wide rate' as an ISO code."""
    match = WIDE_RE.search(folded)
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
    if len(label) > MAX_LABEL:
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
