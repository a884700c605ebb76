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

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rules import countries
from rules.notice import Rate
from rules.rate_tables import table_rates, tables
from rules.rate_values import (
    AFTER_BOUND_RE,
    ALL_OTHERS,
    ALLEGED_RE,
    BOUND_RE,
    COUNTRY_WIDE,
    CURRENCIES,
    IMPOSED_RANGE_RE,
    KIND_RES,
    MONEY_RE,
    NOT_AMOUNT_RE,
    NOT_RATE_RE,
    PCT_RE,
    PCT_WORD_RE,
    PERCENT,
    RANGE_DUTY_RE,
    RANGE_RE,
    SHARE_RE,
    UNITS,
    WIDE_RE,
    Holder,
    holder_of,
    parse_number,
    parse_percent,
    wide_origin,
)
from rules.text import aligned_fold, fold, has_digit, nfc, squash

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
    before: list[tuple[int, str]] = [(m.end(), kind) for kind, pattern in KIND_RES.items()
                                     for m in pattern.finditer(low, start, pos)]
    others = NOT_AMOUNT_RE if amount else NOT_RATE_RE
    before += [(m.end(), "") for m in others.finditer(low, start, pos)]
    if before:
        end, kind = max(before)
        if kind and PCT_RE.search(low, end, pos) and not listed:
            return None  # a row of a flattened table, or a list: not this figure's wording
        return kind or None
    after = [(m.start(), kind) for kind, pattern in KIND_RES.items()
             for m in pattern.finditer(low, match.end(), match.end() + _KIND_AFTER)]
    return min(after)[1] if after else default


def _excluded(low: str, match: re.Match[str], ranges: list[tuple[int, int]]) -> bool:
    pos, end = match.start("num"), match.end()
    if match.group("neg") or any(a <= pos < b for a, b in ranges):
        return True
    if BOUND_RE.search(low, max(0, pos - 30), pos):
        return True
    return bool(AFTER_BOUND_RE.match(low, end) or SHARE_RE.match(low, end)
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
    percent = PCT_WORD_RE.search(low) is not None
    ranges = [m.span() for m in RANGE_RE.finditer(low)] if percent else []
    found: list[Rate] = []
    for match in PCT_RE.finditer(low) if percent else ():
        if _excluded(low, match, ranges):
            continue
        value = parse_percent(match.group("num"))
        rate = _prose_rate(flat, low, match, context, value, PERCENT)
        if rate:
            found.append(rate)
    bounded = []
    for match in IMPOSED_RANGE_RE.finditer(low):
        sentence = _sentence(low, match.start())
        if (RANGE_DUTY_RE.search(low, max(sentence[0], match.start() - _NEAR), match.start())
                and not ALLEGED_RE.search(low, *sentence)):
            bounded.append(match.span())
            found += _range_rates(flat, low, match, context)
    for match in MONEY_RE.finditer(low):
        if not any(a <= match.start() < b for a, b in bounded):
            found += _money_rate(flat, low, match, context)
    return found


def _range_rates(flat: str, low: str, match: re.Match[str], context: Context) -> list[Rate]:
    """The two bounds of a range of rates a notice imposes or proposes ('mức thuế từ 7,89% đến
    12,04%', 'từ 52 đến 186 USD/tấn'): each is some firm's rate, the firm not named."""
    if match.group("cur"):
        currency = CURRENCIES[" ".join(match.group("cur").split())]
        unit = f"{currency}/{UNITS[' '.join(match.group('unit').split())]}"
        values = [parse_number(match.group(name), grouped=True) for name in ("a", "b")]
    else:
        unit = PERCENT
        values = [parse_percent(match.group(name)) for name in ("a", "b")]
    rates = [_prose_rate(flat, low, match, context, value, unit) for value in values]
    return [rate for rate in rates if rate is not None]


def _prose_rate(flat: str, low: str, match: re.Match[str], context: Context,
                value: float | None, unit: str) -> Rate | None:
    if value is None:
        return None
    span = _sentence(low, match.start())
    around = max(span[0], match.start() - _NEAR), match.end() + _NEAR
    marked = any(pattern.search(low, *around)
                 for pattern in (WIDE_RE, _NATIONWIDE_RE, _ALL_OTHERS_RE)) \
        or bool(_AD_VALOREM_RE.match(low, match.end()))
    kind = _kind_near(low, span[0], match, context.default_kind if marked else None,
                      listed=bool(_FOR_FIRM_RE.match(flat, match.end())), amount=unit != PERCENT)
    if kind is None:
        return None
    holder = _prose_holder(flat, low, span, match, context)
    return Rate(value, unit, kind, holder.company, holder.origin)


def _money_rate(flat: str, low: str, match: re.Match[str], context: Context) -> list[Rate]:
    currency = CURRENCIES[" ".join((match.group("c1") or match.group("c2")).split())]
    unit = UNITS[" ".join(match.group("unit").split())]
    value = parse_number(match.group("n1") or match.group("n2"), grouped=True)
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
        found += [_with_origin(r, context.origin) for r in table_rates(table, context.default_kind)]
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
