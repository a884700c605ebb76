"""The HS nomenclature as the product classifier reads it: one search document per subheading.

The WCO HS 2022 descriptions (English) and Vietnam's bilingual national nomenclature (Vietnamese
and English 8-digit lines), both in `rules/data/hs/`. A six-digit subheading's document holds its
own, its heading's and its national lines' descriptions, with the unnumbered group lines above
them ('Cốc (ly) có chân, bằng thủy tinh:') and the words its chapter names its goods by where the
heading leaves them out ('nhôm' for 'lon, hộp ...' in 76.12). Each line counts a word once, and
words about the good's use or in parentheses count less than those that name it.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rules.product_words import heads, tokens, words_of
from rules.text import fold

DATA = Path(__file__).resolve().parent / "data" / "hs"
WCO_FILE = DATA / "harmonized-system.csv"
VN_FILE = DATA / "HS_PBI_VN.extracted.md"
_VN_ROW_RE = re.compile(r"^\|(\d+)\|(\d*)\|([^|]*)\|([^|]*)\|\s*$")

# A line's words after one of these say what the good is for, not what it is ('Để làm lon',
# 'of a kind used in ...'): until the clause ends (a comma, a semicolon, a colon), they count
# for PURPOSE_WEIGHT of a word that names the good; so do a parenthesis's, which qualifies the
# good ('(kể cả lốp)', '(other than ...)') rather than names it.
_PURPOSE_RE = re.compile(
    r"(?<!đồ )(?<!Đồ )\b(?:dùng|để|sử dụng|thích hợp|phù hợp|for|used|suitable|of a kind)\b"
    r"[^,;:()]*|\([^()]*\)",
    re.IGNORECASE)
PURPOSE_WEIGHT = 0.5


def _terms(lines: Iterable[str]) -> tuple[tuple[str, float], ...]:
    """A document's terms and their weights: each line counts a term once (a heading that
    repeats a word line after line is not more about it), at full weight where the line names
    the good and at PURPOSE_WEIGHT in a clause about its use; with the heads of the goods the
    line lists before any such clause."""
    weights: dict[str, float] = defaultdict(float)
    for line in lines:
        seen: dict[str, float] = {}
        last = 0
        parts = []
        for match in _PURPOSE_RE.finditer(line):
            parts += [(line[last:match.start()], 1.0), (match.group(), PURPOSE_WEIGHT)]
            last = match.end()
        parts.append((line[last:], 1.0))
        for part, weight in parts:
            for term in tokens(part):
                seen[term] = max(seen.get(term, 0.0), weight)
        for term in heads(parts[0][0], chapter_vocabulary()):
            seen[term] = 1.0
            seen[fold(term)] = 1.0
        for term, weight in seen.items():
            weights[term] += weight
    return tuple(weights.items())


@dataclass(frozen=True)
class Subheading:
    """One six-digit subheading as a search document: its words and pairs with their weights."""

    code: str
    description: str
    terms: tuple[tuple[str, float], ...]


@cache
def _wco_table() -> tuple[dict[str, str], ...]:
    """The WCO file's rows, read once per process."""
    with WCO_FILE.open(encoding="utf-8-sig", newline="") as handle:
        return tuple(csv.DictReader(handle))


def _wco_rows(levels: tuple[str, ...] = ("4", "6")) -> list[dict[str, str]]:
    return [row for row in _wco_table() if row["level"] in levels]


@cache
def _vn_rows() -> tuple[tuple[int, str, str, str], ...]:
    """The national nomenclature's rows, read once per process: (level, code or '' for a line
    that heads a group of codes, Vietnamese, English)."""
    rows = []
    with VN_FILE.open(encoding="utf-8") as handle:
        for raw in handle:
            row = _VN_ROW_RE.match(raw.strip())
            if row:
                rows.append((int(row.group(1)), row.group(2), row.group(3), row.group(4)))
    return tuple(rows)


def _vn_headings() -> Iterator[tuple[str, str, str]]:
    """(four-digit heading, Vietnamese, English) of each heading's row: level 0, four digits,
    or eight for a heading not divided ('0409')."""
    for level, code, vi, en in _vn_rows():
        if level == 0 and len(code) >= 4:
            yield code[:4], vi, en


def _national_lines() -> dict[str, list[str]]:
    """Six-digit code -> the Vietnamese and English descriptions of its national lines (the
    heading's own row goes to every subheading of the heading, under its four digits)."""
    lines: dict[str, list[str]] = defaultdict(list)
    groups: list[tuple[int, str, str]] = []  # the unnumbered rows above the current one
    for level, code, vi_text, en_text in _vn_rows():
        vi, en = vi_text.strip("- :"), en_text.strip("- :")
        while groups and groups[-1][0] >= level:
            groups.pop()
        if not code:
            groups.append((level, vi, en))
            continue
        key = code[:6] if len(code) >= 6 else code[:4]
        for _, group_vi, group_en in groups:
            if group_vi not in lines[key]:
                lines[key] += [group_vi, group_en]
        lines[key] += [vi, en]
    return lines


# A chapter's own word: Vietnam's nomenclature names the material of a chapter in most of its
# headings ('nhôm' in chapter 76) but leaves it out of others ('lon, hộp ...' in 76.12, where the
# chapter says it); a word in this share of a chapter's headings is lent to all of them.
CHAPTER_WORD_SHARE = 0.85


def _common_words(headings: dict[str, list[list[str]]]) -> dict[str, str]:
    """Chapter -> the words in CHAPTER_WORD_SHARE of its headings' texts or more (each heading's
    distinct words), in the order they first appear: the text is read as a line of words, whose
    neighbours pair, so its order must not change from run to run."""
    out = {}
    for chapter, sets in headings.items():
        counts: dict[str, int] = defaultdict(int)
        for words in sets:
            for word in words:
                counts[word] += 1
        out[chapter] = " ".join(w for w, n in counts.items()
                                if len(sets) >= 4 and n >= CHAPTER_WORD_SHARE * len(sets))
    return out


@cache
def _chapter_words() -> dict[str, str]:
    """Two-digit chapter -> the Vietnamese words most of its headings name it by."""
    headings: dict[str, list[list[str]]] = defaultdict(list)
    for code, vi, _ in _vn_headings():
        headings[code[:2]].append(list(dict.fromkeys(w for w in words_of(vi) if not w.isascii())))
    return _common_words(headings)


@cache
def chapter_vocabulary() -> frozenset[str]:
    """Every chapter's own Vietnamese words (see `_chapter_words`)."""
    return frozenset(" ".join(_chapter_words().values()).split())


# The chapters that name goods by what they are made of: plastics and rubber, wood, paper,
# textile fibres, stone, ceramics and glass, base metals (Sections VII, IX, X, XI, XIII, XV).
MATERIAL_CHAPTERS = frozenset(f"{c:02d}" for c in (
    39, 40, 44, 45, 46, 48, 50, 51, 52, 53, 54, 55, 68, 69, 70, 72, 73, 74, 75, 76, 78, 79, 80))


@cache
def material_vocabulary() -> frozenset[str]:
    """The words, in both languages, that most headings of a material chapter share ('nhôm',
    'aluminium', 'ceramic', 'gỗ'): in a product phrase, past its head, they say what the good
    is made of ('lon nhôm', 'ceramic sanitary ware')."""
    english: dict[str, list[list[str]]] = defaultdict(list)
    for row in _wco_rows(("4",)):
        english[row["hscode"][:2]].append(list(dict.fromkeys(words_of(row["description"]))))
    words = set(_chapter_materials())
    for chapters in (_chapter_words(), _common_words(english)):
        for chapter, text in chapters.items():
            if chapter in MATERIAL_CHAPTERS:
                words.update(text.split())
    return frozenset(words | {fold(w) for w in words})


def _chapter_materials() -> set[str]:
    """The material a material chapter's title begins with ('Plastics and articles thereof'),
    where no other chapter's title uses the word: chapter 39 starts with polymers in primary
    forms, so 'plastic' is not among the words most of its headings share."""
    titles = {row["hscode"]: words_of(row["description"]) for row in _wco_rows(("2",))}
    uses = Counter(word for words in titles.values() for word in set(words))
    return {words[0] for chapter, words in titles.items()
            if chapter in MATERIAL_CHAPTERS and words and uses[words[0]] == 1}


@cache
def subheadings() -> tuple[Subheading, ...]:
    """Every six-digit subheading (and every heading without one) as a search document."""
    rows = _wco_rows()
    national = _national_lines()
    chapter_words = _chapter_words()
    headings = {r["hscode"]: r["description"] for r in rows if r["level"] == "4"}
    split = {r["parent"] for r in rows if r["level"] == "6"}
    docs = []
    for row in rows:
        code = row["hscode"]
        if row["level"] == "4" and code in split:
            continue
        heading = code[:4]
        lines = [row["description"], headings.get(heading, ""), chapter_words.get(code[:2], ""),
                 *national.get(heading, []), *national.get(code, [])]
        docs.append(Subheading(code, row["description"], _terms(lines)))
    return tuple(docs)


@cache
def _heading_names() -> dict[str, tuple[str, str]]:
    """Four-digit heading -> (English, Vietnamese) description, from the bundled nomenclature."""
    english = {row["hscode"]: row["description"] for row in _wco_rows(("4",))}
    names: dict[str, tuple[str, str]] = {}
    for code, vi, en in _vn_headings():
        names.setdefault(code, (english.get(code, en.strip()), vi.strip()))
    return names


def heading_name(code: str, language: str) -> str | None:
    """The nomenclature's own name of the heading of an HS code, in Vietnamese ("vi") or
    English: how a reader is told in their language what a product named in English is."""
    found = _heading_names().get(code[:4]) if len(code) >= 4 else None
    if found is None:
        return None
    return found[1] if language == "vi" else found[0]
