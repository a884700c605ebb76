"""The HS nomenclature behind the subscription form: look codes up and read what a reader typed.

Exporters know their goods by name ("tôm", "plywood") more often than by code, and by code at any
length (a chapter, a heading, a national 8-digit line). The list is the WCO HS 2022 nomenclature
to six digits (rules/data/hs/, with its provenance), in English; a Vietnamese or English word that
names a sector of config/sectors.yaml also offers that sector's HS scope, so "tôm" finds 0306.17.
Codes typed by hand are checked with rules.hs_codes, the same reading the rule engine uses.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from config.sectors import Sector
from rules.hs_codes import normalise_hs
from rules.text import folded_key, has_diacritics

HS_FILE = Path(__file__).resolve().parent.parent / "rules" / "data" / "hs" / "harmonized-system.csv"
LEVELS = {"2", "4", "6"}  # the file's TOTAL row (level 5) is not a code
MAX_RESULTS = 20
_CODE_QUERY = re.compile(r"[\d.\s]+")
_SPLIT = re.compile(r"[,;\n]+")


@dataclass(frozen=True)
class HsEntry:
    code: str
    description: str
    key: str  # folded_key(description): matched word by word


@cache
def nomenclature(path: Path = HS_FILE) -> tuple[HsEntry, ...]:
    """Every chapter, heading and subheading, in code order."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["level"] in LEVELS]
    return tuple(HsEntry(row["hscode"], row["description"], folded_key(row["description"]))
                 for row in sorted(rows, key=lambda row: row["hscode"]))


@cache
def by_code(path: Path = HS_FILE) -> dict[str, HsEntry]:
    return {entry.code: entry for entry in nomenclature(path)}


def describe(code: str) -> str | None:
    """The description of a code, or of its longest known prefix (national lines go past six)."""
    known = by_code()
    for length in range(min(len(code), 6), 1, -2):
        if code[:length] in known:
            return known[code[:length]].description
    return None


def search(query: str, sectors: Sequence[Sector] = (), limit: int = MAX_RESULTS) -> list[HsEntry]:
    """Codes starting with the digits typed, or whose description has every word typed (as a word
    start); the HS scope of sectors named by the words comes first. Words with diacritics are
    Vietnamese: they only name sectors, the descriptions being English ("tôm" is not "tomato")."""
    text = query.strip()
    if not text:
        return []
    if _CODE_QUERY.fullmatch(text):
        digits = re.sub(r"\D", "", text)
        return [e for e in nomenclature() if e.code.startswith(digits)][:limit]
    words = folded_key(text).split()
    if not words:
        return []
    found = dict.fromkeys(_sector_codes(words, sectors))
    if not has_diacritics(text):
        found.update(dict.fromkeys(e.code for e in nomenclature() if _has_words(e.key, words)))
    known = by_code()
    return [known[code] if code in known else HsEntry(code, describe(code) or "", "")
            for code in list(found)[:limit]]


def _has_words(key: str, words: Iterable[str]) -> bool:
    return all(f" {word}" in key for word in words)


def _sector_codes(words: list[str], sectors: Sequence[Sector]) -> list[str]:
    codes: list[str] = []
    for sector in sectors:
        names = [sector.name.en, sector.name.vi, *sector.terms.en, *sector.terms.vi]
        if any(_has_words(folded_key(name), words) for name in names):
            codes.extend(sector.hs)
    return codes


def parse_codes(text: str) -> tuple[list[str], list[str]]:
    """HS codes typed in one field, separated by commas, semicolons or lines (dots and spaces
    inside a code are its own: "0306.17", "7604 10 10"): (the codes as digits, in order and
    unique; the pieces that are no HS code)."""
    codes: dict[str, None] = {}
    bad: list[str] = []
    for piece in (p.strip() for p in _SPLIT.split(text)):
        if not piece:
            continue
        code = normalise_hs(piece)
        if code is None:
            bad.append(piece)
        else:
            codes.setdefault(code, None)
    return list(codes), bad
