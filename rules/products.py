"""Product identity: the HS subheading a product phrase names, read from the nomenclature itself.

A notice names its product in words ("aluminum extrusions", "nhôm định hình", "melamine"); the
sector, the subscriptions on HS codes and the links between cases in different languages all need
its HS code. Word lists of seen products miss every product not yet seen, so the product is looked
up in the Harmonized System (`rules/nomenclature.py`: one document per six-digit subheading),
ranked with Okapi BM25 (as `rank_bm25` computes it) on the terms of `rules/product_words.py`.
The phrase's head noun counts HEAD_WEIGHT of a word, and what the good is made of ('bằng thép',
'lon nhôm', 'ceramic sanitary ware') MATERIAL_WEIGHT. When the best subheadings of two groups
(headings, or sectors) come close, the group that holds most of the near-best score places it.

The nomenclature names goods by what they are; trade uses other words for some of them
("extrusions" are profiles, "OCTG" are casing and tubing). `rules/vocab/trade_names.yaml` adds the
nomenclature's own words to such trade names: it is the only word list, and it holds what the
nomenclature cannot name, not products seen in notices.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from rules.nomenclature import Subheading, chapter_vocabulary, material_vocabulary, subheadings
from rules.product_words import (
    HEAD,
    STOP_EN,
    query_heads,
    query_tokens,
    trade_name_words,
)
from rules.text import fold, singular

# An inferred code is kept when the best subheading scores at least this (BM25 points) and its
# group leads the runner-up group by this share of the best score; failing that, when the
# subheadings scoring VOTE_FLOOR of the best or more hold VOTE_SHARE of their score in one group.
MIN_SCORE = 6.0
MIN_LEAD = 0.12
VOTE_FLOOR = 0.6
VOTE_SHARE = 0.6
HEAD_WEIGHT = 0.5
# BM25's b: subheadings with many national lines are long for being detailed, not for being
# less about their words, so length counts for less than BM25's usual 0.75.
LENGTH_NORMALISATION = 0.3

# What a good is made of, said after 'bằng' ('móc treo quần áo bằng thép', 'chậu rửa bằng sứ'),
# tells apart goods of one name in different chapters: its words count MATERIAL_WEIGHT times.
_MATERIAL_RE = re.compile(r"\bbằng\s+([^\W\d_]+(?:\s+[^\W\d_]+)?)", re.IGNORECASE)
MATERIAL_WEIGHT = 2.0


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
        names = trade_name_words(phrase, lambda pair: f"{HEAD}{pair}" in self.postings)
        words = [w for text in (phrase, *names) for w in query_tokens(text)]
        head = query_heads(phrase, chapter_vocabulary())
        query = [w for w in dict.fromkeys(self._split_compounds(words) + head)
                 if w in self.postings]
        if not query:
            return query, []
        material = set(query_tokens(" ".join(_MATERIAL_RE.findall(phrase))))
        # a trade name of a material ('nhựa' is the nomenclature's 'plastic') says it too
        material |= {w for w in words if w in material_vocabulary() and f"{HEAD}{w}" not in head}
        scores = np.zeros(len(self.docs))
        for word in query:
            at, weight = self.postings[word]
            scores[at] += weight * (MATERIAL_WEIGHT if word in material
                                    else HEAD_WEIGHT if word.startswith(HEAD) else 1.0)
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
        if rival is None or score - rival >= MIN_LEAD * score:
            return self._code(top, score, phrase, query)
        return self._by_vote(ranked, codes, key, phrase, query)

    def _by_vote(self, ranked: list[tuple[int, float]], codes: list[str],
                 key: Callable[[str], str], phrase: str, query: list[str]) -> ProductCode | None:
        """When the best subheadings of two groups come close, the group that holds most of the
        near-best candidates' score: a product the nomenclature names in several subheadings of
        one group (paper and paperboard, line pipe and other welded pipe) is still placed."""
        near = [(code, s) for code, (_, s) in zip(codes, ranked, strict=True)
                if s >= VOTE_FLOOR * ranked[0][1]]
        mass: dict[str, float] = defaultdict(float)
        for code, s in near:
            mass[key(code)] += s
        best = max(mass, key=lambda g: mass[g])
        if mass[best] < VOTE_SHARE * sum(mass.values()):
            return None
        at = next(n for n, code in enumerate(codes) if key(code) == best)
        return self._code(ranked[at][0], ranked[at][1], phrase, query)


# IUPAC endings of organic and inorganic chemical names: a product named by one such word that the
# nomenclature does not list by name (erythritol, hexamethylenetetramine) is a chemical all the
# same. Chapter 29 (organic chemicals) names most of them; the sector is what counts here.
_CHEMICAL_NAME_RE = re.compile(
    r"^(?:[a-z]{1,3}-)?(?:[a-z0-9,'-]*[a-z])(?P<ending>itol|anol|enol|ol|ane|ene|yne|ine|amine"
    r"|ate|ite|ide|one|al|yl|ose|oic acid)$")


def chemical_name(phrase: str) -> str | None:
    """The IUPAC ending of a product named by a single chemical word, else None."""
    words = [w for w in re.sub(r"\([^)]*\)", " ", fold(phrase)).split()
             if w not in STOP_EN]
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

