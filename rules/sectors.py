"""Which sectors a notice's product belongs to: by HS code first, else by product terms.

HS codes decide when given (longest configured prefix, honouring hs_exclude), as DOMAIN.md says the
heading settles products that straddle sectors. Otherwise product terms (en singular/plural, vi with
or without diacritics) are matched in the product part of the title, then the abstract; overlapping
matches keep the longest term, so 'copper pipe and tube' is copper, not steel 'pipe and tube'.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from config.sectors import Sector
from rules.countries import starts_with_countries
from rules.nomenclature import MATERIAL_CHAPTERS
from rules.text import accented_key, folded_key, has_diacritics

OTHER = "other"
# Folded Vietnamese words common in trade news: an ASCII text with two of them is read as
# Vietnamese without diacritics, so short terms ('tom', 'go') may match it; 'Tom Ford' may not.
_VIET_MARKERS = frozenset({
    "xuat", "khau", "nhap", "hang", "thue", "dieu", "chong", "pha", "gia", "san", "pham", "doi",
    "voi", "viet", "nam", "cua", "cac", "nhung", "nganh", "doanh", "nghiep", "noi", "tom", "go",
    "thep", "nhom", "giay", "gao", "dem", "lop", "nhua", "ca", "tra",
})


# Country names as folded-key words ('viet nam', 'nam phi'): masked in plain Vietnamese text.
_COUNTRY_WORDS_RE = re.compile(r"(?<= )(?:viet nam|nam phi|han quoc|trung quoc|nhat ban)(?= )")


@dataclass(frozen=True)
class _Term:
    sector: str
    text: str
    folded: str  # ' tube and pipe ' form
    accented: str | None  # set for short Vietnamese terms that need their diacritics


@dataclass(frozen=True)
class SectorHit:
    """A sector decision with the evidence, for the reasons list; `span` is the words matched."""

    sector: str
    evidence: str
    span: tuple[int, int] = (0, 0)


class SectorIndex:
    """Sectors prepared for matching: HS prefixes and term keys, built once per sector list."""

    def __init__(self, sectors: Sequence[Sector]) -> None:
        self.ids = [s.id for s in sectors]
        self._hs: list[tuple[str, str, tuple[str, ...]]] = sorted(
            ((p, s.id, tuple(s.hs_exclude)) for s in sectors for p in s.hs),
            key=lambda item: len(item[0]),
            reverse=True,
        )
        terms: list[_Term] = []
        for s in sectors:
            for t in s.terms.en:
                terms.append(_Term(s.id, t, folded_key(t), None))
            for t in s.terms.vi:
                key = folded_key(t)
                short = len(key.split()) < 2 and len(key.strip()) < 5
                terms.append(_Term(s.id, t, key, accented_key(t) if short else None))
        self._terms = sorted(terms, key=lambda t: len(t.folded), reverse=True)
        # Sectors that are a material's chapters (iron and steel, plastics, paper): an article
        # such a sector's term names is placed by another material the phrase says it is made of.
        self._materials = frozenset(s.id for s in sectors if s.hs and all(
            prefix in MATERIAL_CHAPTERS for prefix in s.hs))
        # Terms by their first word (folded, and accented where they need it): a text is only
        # searched for the terms whose first word it has.
        self._by_first: dict[str, list[int]] = {}
        for position, term in enumerate(self._terms):
            for key in {term.folded.split()[0], (term.accented or term.folded).split()[0]}:
                self._by_first.setdefault(key, []).append(position)

    def by_hs(self, codes: Iterable[str]) -> list[SectorHit]:
        """Sector of each HS code by its longest configured prefix not excluded by that sector."""
        hits: dict[str, SectorHit] = {}
        for code in codes:
            for prefix, sector, excluded in self._hs:
                if code.startswith(prefix) and not any(code.startswith(x) for x in excluded):
                    hits.setdefault(sector, SectorHit(sector, f"HS {code} under {prefix}"))
                    break
        return list(hits.values())

    def by_terms(self, product: str) -> list[SectorHit]:
        """Sectors whose terms occur in `product`; a longer overlapping match hides a shorter."""
        folded = folded_key(product)
        accented = accented_key(product) if has_diacritics(product) else None
        plain_vietnamese = accented is None and len(set(folded.split()) & _VIET_MARKERS) >= 2
        if plain_vietnamese:  # 'Viet Nam' must not read as 'nấm' (mushrooms) without accents
            folded = _COUNTRY_WORDS_RE.sub(lambda m: " ".join("x" for _ in m.group(0).split()),
                                           folded)
        # Spans are counted in words, comparable between the folded and accented keys, so a
        # longer term hides a shorter one inside it ('ván sợi gỗ' hides 'sợi').
        taken: list[tuple[int, int]] = []
        hits: dict[str, SectorHit] = {}
        words = set(folded.split()) | set(accented.split() if accented else ())
        candidates = sorted({i for word in words for i in self._by_first.get(word, ())})
        for term in map(self._terms.__getitem__, candidates):
            haystack, needle = folded, term.folded
            if term.accented is not None:
                if accented is not None:
                    haystack, needle = accented, term.accented
                elif not plain_vietnamese:
                    continue
            if needle.strip() == "":
                continue
            start = haystack.find(needle)
            if start < 0:
                continue
            first = haystack.count(" ", 0, start)
            span = (first, first + needle.strip().count(" ") + 1)
            if any(a < span[1] and span[0] < b for a, b in taken):
                continue
            taken.append(span)
            hits.setdefault(term.sector,
                            SectorHit(term.sector, f"product term '{term.text}'", span))
        return list(hits.values())

    def by_head_terms(self, product: str) -> list[SectorHit]:
        """Sectors of an English product phrase by its head: in 'boltless steel shelving units'
        the product is shelving (furniture) made of steel, so of the terms matched in one
        'and'-separated part the last one decides; 'paper plates and aluminum trays' keeps two."""
        hits = self.by_terms(product)
        if len(hits) < 2:
            return hits
        words = folded_key(product).split()
        # 'aluminium frames for solar panels': what follows 'for' is the use, not the product
        purpose = next((i for i, word in enumerate(words) if word == "for"), None)
        if purpose is not None and any(hit.span[1] <= purpose for hit in hits):
            hits = [hit for hit in hits if hit.span[1] <= purpose]
            if len(hits) < 2:
                return hits
        joints = [i for i, word in enumerate(words) if word == "and"
                  and not any(h.span[0] <= i < h.span[1] for h in hits)]

        def shape_only(hit: SectorHit) -> bool:
            return all(word in _SHAPE_WORDS for word in words[hit.span[0]:hit.span[1]])

        heads: dict[int, SectorHit] = {}
        for hit in sorted(hits, key=lambda h: h.span[1]):
            part = sum(1 for joint in joints if joint < hit.span[0])
            head = heads.get(part)
            # a shape ('flat-rolled', 'wire rod', 'pipe') is made of the material named before it:
            # 'aluminium flat-rolled products' is aluminium, not steel
            if head is not None and shape_only(hit) and not shape_only(head):
                continue
            heads[part] = hit
        return list(dict.fromkeys(heads.values()))

    def by_vietnamese_head(self, product: str) -> list[SectorHit]:
        """Sectors of a Vietnamese product phrase by its head: Vietnamese puts the head noun
        first ('móc treo quần áo bằng thép' is hangers made of steel; 'quần áo' only says what
        they hang), so a term at the first word decides; an article that no term names is
        placed by its material, the term after 'bằng' (made of), and so is one a material
        sector's term names when the phrase says it is made of another ('móc treo quần áo bằng
        nhựa' are plastic hangers, chapter 39)."""
        hits = self.by_terms(product)
        if len(hits) < 2:
            return hits
        words = folded_key(product).split()
        # 'đồ' (an article of) leads a noun without being the head: 'đồ nội thất' is furniture
        start = 1 if words[:1] == ["do"] else 0
        head = [hit for hit in hits if hit.span[0] == start]
        materials = {i + 1 for i, word in enumerate(words) if word == "bang"}
        made_of = [hit for hit in hits if hit.span[0] in materials]
        if head and made_of and all(hit.sector in self._materials for hit in head) and (
                {hit.sector for hit in made_of} - {hit.sector for hit in head}):
            return made_of
        if head or made_of:
            return head or made_of
        # a head no term names is qualified first by what it is made of: 'khung nhôm pin mặt
        # trời' is an aluminium frame, for solar panels
        first = min(hit.span[0] for hit in hits)
        return [hit for hit in hits if hit.span[0] == first]

    def by_head(self, product: str) -> list[SectorHit]:
        """Sectors of a product phrase by its head, in its language's word order."""
        if has_diacritics(product):
            return self.by_vietnamese_head(product)
        return self.by_head_terms(product)


# Words that name a product's shape or process, not what it is made of: a term made only of them
# ('flat-rolled', 'wire rod', 'pipe and tube', 'cold-rolled', 'sheet and strip') is a steel term
# by usage, but after a material ('aluminium', 'copper', 'plastic') it is that material's shape.
_SHAPE_WORDS = frozenset({
    "flat", "rolled", "cold", "hot", "wire", "rod", "pipe", "tube", "tubing", "sheet", "strip",
    "plate", "bar", "foil", "product", "coil", "in", "and", "section", "hollow", "structural",
    "extrusion", "profile", "line", "standard", "pressure", "mechanical", "fitting", "butt",
    "weld", "welded", "seamless", "drawn", "mesh", "strand", "cut", "to", "length", "corrosion",
    "resistant", "forged",
})


_CACHE: dict[int, tuple[Sequence[Sector], SectorIndex]] = {}


def index_for(sectors: Sequence[Sector] | SectorIndex) -> SectorIndex:
    """The index of a sector list, built once and reused (analyse is called per notice)."""
    if isinstance(sectors, SectorIndex):
        return sectors
    cached = _CACHE.get(id(sectors))
    if cached is not None and cached[0] is sectors:
        return cached[1]
    index = SectorIndex(sectors)
    _CACHE[id(sectors)] = (sectors, index)
    return index


# EU and most WTO members' notices: "... imports of certain cold-rolled flat steel products
# originating in India, ..." — the product sits between "imports of" and the origin phrase (or
# the end, for a safeguard on all origins).
_IMPORTS_OF_RE = re.compile(
    r"\bimports? of (?P<product>.+?)(?:\s+(?:originating in|consigned from|exported from|from)"
    r"\b|[.;:]|$)",
    re.IGNORECASE)


# A notice's own number before its title: "ADN 2026/106 – Aluminium extrusions exported from".
_LEADING_REFERENCE_RE = re.compile(r"^[A-Z]{2,5}\s+\d{4}/\d{1,4}\s*[–—:-]\s*")
# The Vietnamese news of the TRAV: "... điều tra chống bán phá giá đối với (sản phẩm) nhôm định
# hình nhập khẩu từ Việt Nam": the product follows "đối với", up to where its origin is said.
_VIETNAMESE_PRODUCT_RE = re.compile(
    r"\bđối với\s+(?:các\s+)?(?:sản phẩm|mặt hàng|hàng hóa)?\s*(?P<product>.+?)"
    # 'làm từ' (made from) names the material, not the origin: 'sợi dài làm từ polyester'
    r"(?:(?<!làm)\s+(?:nhập khẩu|có xuất xứ|xuất xứ|được sản xuất|từ|của)\b|[.;:(]|$)",
    re.IGNORECASE)


_GOODS_OF_RE = re.compile(r"^hàng\s+(?:của\s+)?")


def product_part(title: str, *, news: bool = False) -> str:
    """The product named in a title: before ' From ' (US style; 'exported from' in Australia's),
    else between 'imports of' and 'originating in' (EU style), else before 'originating in'
    (TRON case titles), else after 'đối với' (Vietnamese news) unless a country follows it; a
    leading notice number is not part of it; empty when the title names no product that way. A
    `news` headline's 'from' counts only before a country ('drops Thai makers from wall clock
    probe' lists no origin)."""
    title = _LEADING_REFERENCE_RE.sub("", title)
    lowered = title.lower()
    cut = _origin_from(lowered) if news else lowered.find(" from ")
    imports_of = _IMPORTS_OF_RE.search(title)
    if imports_of and (cut < 0 or imports_of.start() < cut):
        return imports_of.group("product")
    if cut > 0:
        return _EXPORTED_RE.sub("", title[:cut])
    # TRON: 'Aluminium flat-rolled products originating in China (AD705, Initial Investigation)'
    cut = lowered.find(" originating in ")
    if cut > 0:
        return title[:cut]
    # '... giấy A4 đối với (hàng) Việt Nam': after 'đối với' a country is the origin, not the
    # product
    vietnamese = _VIETNAMESE_PRODUCT_RE.search(title)
    if vietnamese and not starts_with_countries(
            _GOODS_OF_RE.sub("", vietnamese.group("product").lower())):
        return vietnamese.group("product")
    return ""


def _origin_from(lowered: str) -> int:
    """Where the first ' from ' followed by a country is: a headline's 'drops Thai makers from
    wall clock probe' is no origin list; -1 when there is none."""
    for match in re.finditer(" from ", lowered):
        if starts_with_countries(lowered[match.end():]):
            return match.start()
    return -1


_EXPORTED_RE = re.compile(r"\s+(?:exported|imported|originating)$", re.IGNORECASE)
