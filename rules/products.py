"""Product identity: the HS subheading a product phrase names, read from the nomenclature itself.

A notice names its product in words ("aluminum extrusions", "nhôm định hình", "melamine"); the
sector, the subscriptions on HS codes and the links between cases in different languages all need
its HS code. Word lists of seen products miss every product not yet seen, so the product is looked
up in the Harmonized System: the WCO HS 2022 descriptions (English) and Vietnam's bilingual
national nomenclature (Vietnamese and English 8-digit lines), both in `rules/data/hs/`. Each
six-digit subheading is one document (its own, its heading's and its national lines'
descriptions); a product phrase is ranked against them with Okapi BM25 (as `rank_bm25` computes
it), on folded words and, since Vietnamese compounds are several syllables ("định hình"), on word
pairs too. A document's lines are read one by one: each counts a word once (a heading whose long
national lines repeat a word is not more about it), and words in a clause on the good's use
('để làm lon', 'of a kind used in') count less than those that name it.

The nomenclature names goods by what they are; trade uses other words for some of them
("extrusions" are profiles, "OCTG" are casing and tubing). `rules/vocab/trade_names.yaml` adds the
nomenclature's own words to such trade names: it is the only word list, and it holds what the
nomenclature cannot name, not products seen in notices.
"""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import yaml

from rules.text import accented_key, fold, folded_key, has_diacritics, nfc, singular

DATA = Path(__file__).resolve().parent / "data" / "hs"
WCO_FILE = DATA / "harmonized-system.csv"
VN_FILE = DATA / "HS_PBI_VN.extracted.md"
TRADE_NAMES_FILE = Path(__file__).resolve().parent / "vocab" / "trade_names.yaml"

# An inferred code is kept when the best subheading scores at least this (BM25 points) and its
# heading leads the runner-up heading by this share of the best score.
MIN_SCORE = 6.0
MIN_LEAD = 0.12
# BM25's b: subheadings with many national lines are long for being detailed, not for being
# less about their words, so length counts for less than BM25's usual 0.75.
LENGTH_NORMALISATION = 0.3

_WORD_RE = re.compile(r"[^\W_]+")
_VN_ROW_RE = re.compile(r"^\|(\d+)\|(\d*)\|([^|]*)\|([^|]*)\|\s*$")
# Words that say nothing of what a good is: they would rank every 'Other' line.
_STOP_EN = frozenset({
    "a", "an", "and", "any", "are", "as", "at", "be", "been", "by", "for", "from", "in", "into",
    "its", "kind", "not", "of", "on", "or", "other", "others", "otherwise", "such", "than",
    "that", "the", "their", "thereof", "this", "to", "used", "whether", "which", "with",
    "without", "n", "e", "c", "nec", "including", "excluding", "except", "certain", "new",
    "product", "products", "article", "articles", "part", "parts", "type", "types", "use", "form",
    "forms", "etc", "hs", "heading", "headings", "subheading", "chapter", "containing", "made",
})
# Vietnamese function words, with their diacritics: folded, several of them are product words
# ('nhóm' group / 'nhôm' aluminium, 'từ' from / 'tủ' cabinet, 'đã' / 'da' leather).
_STOP_VI = frozenset({
    "loại", "khác", "các", "của", "và", "hoặc", "bằng", "đã", "chưa", "có", "không", "trên",
    "dưới", "dùng", "cho", "được", "những", "với", "trong", "từ", "là", "một", "này", "đó",
    "theo", "đến", "hay", "hàng", "hóa", "hoá", "sản", "phẩm", "mã", "tính", "thuộc", "nhóm",
    "phân", "chỉ", "kể", "cả", "ở",
})
_STOP = _STOP_EN | _STOP_VI
_singular = cache(singular)  # the nomenclature repeats its words: 250,000 words, 9,000 distinct


def _words(text: str) -> list[str]:
    """Lower-case words; a word with diacritics stays as written (accents tell 'nhôm' from
    'nhóm'), ASCII words are singularised."""
    return [_singular(word) if word.isascii() else word
            for word in _WORD_RE.findall(nfc(text).lower())
            if word not in _STOP and not word.isdigit()]


def _with_pairs(words: list[str]) -> list[str]:
    return words + [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)]


def tokens(text: str) -> list[str]:
    """A nomenclature text's words and word pairs, each accented one also in its folded form, so
    that a query without diacritics finds it too."""
    words = _words(text)
    if not words:
        return []
    folded = fold(" ".join(words)).split(" ")  # one fold per text: folding keeps the words apart
    extra = [w for w, f in zip(_with_pairs(folded), _with_pairs(words), strict=True) if w != f]
    return _with_pairs(words) + extra


def query_tokens(text: str) -> list[str]:
    """A product phrase's words and pairs: as written when it carries diacritics, folded when
    it has none (then it can only be compared with the folded forms)."""
    words = _words(text)
    if not has_diacritics(text):
        words = [fold(w) for w in words]
    return _with_pairs(words)


# A line's words after one of these say what the good is for, not what it is ('Để làm lon',
# 'of a kind used in ...'): until the clause ends (a comma, a semicolon, a colon), they count
# for PURPOSE_WEIGHT of a word that names the good.
_PURPOSE_RE = re.compile(
    r"(?<!đồ )(?<!Đồ )\b(?:dùng|để|sử dụng|thích hợp|phù hợp|for|used|suitable|of a kind)\b[^,;:]*",
    re.IGNORECASE)
PURPOSE_WEIGHT = 0.5
# What a good is made of, said after 'bằng' ('móc treo quần áo bằng thép', 'chậu rửa bằng sứ'),
# tells apart goods of one name in different chapters: its words count MATERIAL_WEIGHT times.
_MATERIAL_RE = re.compile(r"\bbằng\s+([^\W\d_]+(?:\s+[^\W\d_]+)?)", re.IGNORECASE)
MATERIAL_WEIGHT = 2.0


def _terms(lines: Iterable[str]) -> tuple[tuple[str, float], ...]:
    """A document's terms and their weights: each line counts a term once (a heading that
    repeats a word line after line is not more about it), at full weight where the line names
    the good and at PURPOSE_WEIGHT in a clause about its use."""
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
        for term, weight in seen.items():
            weights[term] += weight
    return tuple(weights.items())


@dataclass(frozen=True)
class Subheading:
    """One six-digit subheading as a search document: its words and pairs with their weights."""

    code: str
    description: str
    terms: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class ProductCode:
    """An HS subheading inferred from a product phrase, with its score and the words it rests on."""

    code: str
    description: str
    score: float
    phrase: str
    matched: tuple[str, ...]

    @property
    def heading(self) -> str:
        return self.code[:4]

    def reason(self) -> str:
        words = ", ".join(dict.fromkeys(self.matched))
        return (f"HS {self.heading} inferred from '{self.phrase}' (subheading {self.code}, "
                f"'{self.description}'; words {words}; score {self.score:.1f})")


@cache
def _trade_names() -> tuple[tuple[str, str | None, str], ...]:
    """(folded name, accented name or None, nomenclature words), longest name first. A name
    with diacritics is matched with them where the phrase has them: folded, 'tủ' (cabinet) is
    'từ' (from) and 'lốp' (tyre) is 'lớp' (layer)."""
    entries = yaml.safe_load(TRADE_NAMES_FILE.read_text(encoding="utf-8"))["trade_names"]
    names = [(folded_key(str(name)), accented_key(str(name)) if has_diacritics(str(name))
              else None, str(words)) for name, words in entries.items()]
    return tuple(sorted(names, key=lambda n: len(n[0]), reverse=True))


def with_trade_names(phrase: str) -> str:
    """The phrase with the nomenclature's words added after each trade name it uses."""
    folded = folded_key(phrase)
    accented = accented_key(phrase) if has_diacritics(phrase) else None
    extra = [words for name, accented_name, words in _trade_names()
             if (accented_name in accented if accented and accented_name else name in folded)]
    return " ".join([phrase, *extra])


def _wco_rows(path: Path, levels: tuple[str, ...] = ("4", "6")) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["level"] in levels]


def _national_lines(path: Path) -> dict[str, list[str]]:
    """Six-digit code -> the Vietnamese and English descriptions of its national lines (the
    heading's own row goes to every subheading of the heading, under its four digits)."""
    lines: dict[str, list[str]] = defaultdict(list)
    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            row = _VN_ROW_RE.match(raw.strip())
            if not row or not row.group(2):
                continue
            code, vi, en = row.group(2), row.group(3), row.group(4)
            key = code[:6] if len(code) >= 6 else code[:4]
            lines[key] += [vi.strip("- "), en.strip("- ")]
    return lines


@cache
def subheadings() -> tuple[Subheading, ...]:
    """Every six-digit subheading (and every heading without one) as a search document."""
    rows = _wco_rows(WCO_FILE)
    national = _national_lines(VN_FILE)
    headings = {r["hscode"]: r["description"] for r in rows if r["level"] == "4"}
    split = {r["parent"] for r in rows if r["level"] == "6"}
    docs = []
    for row in rows:
        code = row["hscode"]
        if row["level"] == "4" and code in split:
            continue
        heading = code[:4]
        lines = [row["description"], headings.get(heading, ""),
                 *national.get(heading, []), *national.get(code, [])]
        docs.append(Subheading(code, row["description"], _terms(lines)))
    return tuple(docs)


class ProductIndex:
    """BM25 over the subheadings, scored only on the documents that share a word with the query."""

    def __init__(self, docs: Sequence[Subheading], k1: float = 1.5,
                 b: float = LENGTH_NORMALISATION, epsilon: float = 0.25) -> None:
        self.docs = list(docs)
        # Okapi BM25 as `rank_bm25` computes it (its idf floor included), on weighted terms.
        self.words = [dict(d.terms) for d in self.docs]  # per document: term -> weight
        members: dict[str, list[int]] = defaultdict(list)
        counts: dict[str, list[float]] = defaultdict(list)
        for position, terms in enumerate(self.words):
            for word, count in terms.items():
                members[word].append(position)
                counts[word].append(count)
        size = len(self.docs)
        self.idf: dict[str, float] = {
            word: math.log(size - len(ids) + 0.5) - math.log(len(ids) + 0.5)
            for word, ids in members.items()}
        floor = epsilon * sum(self.idf.values()) / len(self.idf)
        self.idf = {word: idf if idf >= 0 else floor for word, idf in self.idf.items()}
        length = np.asarray([sum(terms.values()) for terms in self.words], dtype=np.float64)
        norm = k1 * (1 - b + b * length / length.mean())
        # Each word's postings with its BM25 term weight in each document: a query adds the
        # postings' weight arrays, in numpy.
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for word, ids in members.items():
            at = np.asarray(ids, dtype=np.intp)
            tf = np.asarray(counts[word], dtype=np.float64)
            self.postings[word] = (at, self.idf[word] * tf * (k1 + 1) / (tf + norm[at]))

    def rank(self, phrase: str, limit: int = 5) -> list[ProductCode]:
        """The best subheadings for a product phrase, best first (ties in code order)."""
        query, best = self._best(phrase, limit)
        return [self._code(i, score, phrase, query) for i, score in best]

    def _best(self, phrase: str, limit: int) -> tuple[list[str], list[tuple[int, float]]]:
        """The query's words and the (document, score) pairs of the best documents."""
        query = [w for w in dict.fromkeys(self._split_compounds(
            query_tokens(with_trade_names(phrase))))
            if w in self.postings]
        if not query:
            return query, []
        material = set(query_tokens(" ".join(_MATERIAL_RE.findall(phrase))))
        scores = np.zeros(len(self.docs))
        for word in query:
            at, weight = self.postings[word]
            scores[at] += weight * (MATERIAL_WEIGHT if word in material else 1.0)
        hit = np.flatnonzero(scores)
        if len(hit) > 4 * limit:  # only the documents that can make the cut are sorted
            values = scores[hit]
            hit = hit[values >= np.partition(values, len(hit) - limit)[len(hit) - limit]]
        best = hit[np.argsort(-scores[hit], kind="stable")][:limit]
        return query, [(int(i), float(scores[i])) for i in best]

    def _code(self, i: int, score: float, phrase: str, query: list[str]) -> ProductCode:
        return ProductCode(self.docs[i].code, self.docs[i].description, score, phrase.strip(),
                           tuple(w for w in query if w in self.words[i]))

    def _split_compounds(self, words: list[str]) -> list[str]:
        """A word the nomenclature lacks, read as two that it has: 'ferrovanadium' is
        'ferro-vanadium', 'polyvinyl' is 'poly(vinyl'."""
        out = []
        for word in words:
            out.append(word)
            if word in self.postings or "_" in word or len(word) < 7:
                continue
            for cut in range(3, len(word) - 2):
                head, tail = word[:cut], singular(word[cut:])
                if head in self.postings and tail in self.postings:
                    out += [head, tail, f"{head}_{tail}"]
                    break
        return out

    def classify(self, phrase: str, group: Callable[[str], str] | None = None
                 ) -> ProductCode | None:
        """The subheading a phrase names, when the nomenclature is clear enough about it: the
        best one scores MIN_SCORE or more and no subheading of another group (heading, or what
        `group` makes of a code, such as its sector) comes close to it."""
        query, ranked = self._best(phrase, limit=20)
        if not ranked or ranked[0][1] < MIN_SCORE:
            return None
        (top, score), codes = ranked[0], [self.docs[i].code for i, _ in ranked]
        key = group or (lambda code: code[:4])
        mine = key(codes[0])
        rival = next((s for code, (_, s) in zip(codes, ranked, strict=True)
                      if key(code) != mine), None)
        if rival is not None and score - rival < MIN_LEAD * score:
            return None
        return self._code(top, score, phrase, query)


# IUPAC endings of organic and inorganic chemical names: a product named by one such word that the
# nomenclature does not list by name (erythritol, hexamethylenetetramine) is a chemical all the
# same. Chapter 29 (organic chemicals) names most of them; the sector is what counts here.
_CHEMICAL_NAME_RE = re.compile(
    r"^(?:[a-z]{1,3}-)?(?:[a-z0-9,'-]*[a-z])(?P<ending>itol|anol|enol|ol|ane|ene|yne|ine|amine"
    r"|ate|ite|ide|one|al|yl|ose|oic acid)$")


def chemical_name(phrase: str) -> str | None:
    """The IUPAC ending of a product named by a single chemical word, else None."""
    words = [w for w in re.sub(r"\([^)]*\)", " ", fold(phrase)).split()
             if w not in _STOP_EN]
    if len(words) != 1 or len(words[0]) < 7:
        return None
    match = _CHEMICAL_NAME_RE.match(words[0])
    return match.group("ending") if match else None


def known_words(phrase: str) -> int:
    """How many of a phrase's words the nomenclature uses: a run of a headline that names a good
    has some ('xà gồ thép'), one that tells what was done has few ('xem xét lại')."""
    postings = product_index().postings
    return sum(1 for word in query_tokens(phrase) if "_" not in word and word in postings)


@cache
def product_index() -> ProductIndex:
    """The index over the bundled nomenclature, built once per process."""
    return ProductIndex(subheadings())


def classify_product(phrases: Iterable[str], group: Callable[[str], str] | None = None
                     ) -> ProductCode | None:
    """The first of the phrases (most specific first) that the nomenclature names clearly."""
    index = product_index()
    for phrase in phrases:
        if phrase and phrase.strip():
            found = index.classify(phrase, group)
            if found is not None:
                return found
    return None


@cache
def _heading_names() -> dict[str, tuple[str, str]]:
    """Four-digit heading -> (English, Vietnamese) description, from the bundled nomenclature."""
    english = {row["hscode"]: row["description"] for row in _wco_rows(WCO_FILE, ("4",))}
    names: dict[str, tuple[str, str]] = {}
    with VN_FILE.open(encoding="utf-8") as handle:
        for raw in handle:
            row = _VN_ROW_RE.match(raw.strip())
            # a heading's row: level 0, four digits, or eight for a heading not divided ('0409')
            if row and row.group(1) == "0" and len(row.group(2)) >= 4:
                code = row.group(2)[:4]
                names.setdefault(code, (english.get(code, row.group(4).strip()),
                                        row.group(3).strip()))
    return names


def heading_name(code: str, language: str) -> str | None:
    """The nomenclature's own name of the heading of an HS code, in Vietnamese ("vi") or
    English: how a reader is told in their language what a product named in English is."""
    found = _heading_names().get(code[:4]) if len(code) >= 4 else None
    if found is None:
        return None
    return found[1] if language == "vi" else found[0]
