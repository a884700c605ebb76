"""A notice's product: where its name is, the HS code the nomenclature gives it, its sectors.

The sector follows a stated HS code first (DOMAIN.md section 4: the heading decides), then the
product terms of the title, then the code the HS nomenclature gives the product's name
(rules/products.py), then the terms of the abstract or the news lead.
"""

import re
from functools import cache

from rules import languages, markets
from rules.notice import Notice
from rules.products import ProductCode, chemical_name, classify_product
from rules.sectors import OTHER, SectorHit, SectorIndex, product_part
from rules.text import aligned_fold, nfc

CHEMICALS_CHAPTER = "29"  # organic chemicals, where a chemical the HS does not name falls


def product_phrases(notice: Notice, lead: str, is_news: bool) -> list[str]:
    """Where a notice names its product, most specific first: the title's product part; for
    news, the product the headline or the lead names after 'đối với' / 'imports of', then the
    headline itself."""
    phrases = [product_part(notice.title)]
    if is_news:
        phrases += [headline_product(notice.title), product_part(lead), notice.title]
    return [p for p in dict.fromkeys(phrases) if p and p.strip()]


# Words of a headline around its product: prepositions, the duty and its rate, the parties.
_FILLER_RE = re.compile(
    r"\b(?:doi voi|voi|cua|tu|tai|ve|sang|thue(?: suat)?|muc|ap|ra|ban hanh|chinh thuc|hang"
    r"|mat hang|san pham|nhap khau|xuat khau|doanh nghiep|nha xuat khau|vu kien|vu viec|bi"
    r"|duoc|co the|nguy co|lenh|quyet dinh|ket qua|on|of|for|from|into|imports?|exports?"
    r"|duty|duties|the|and|certain)\b|[\d.,%]+|[^\w\s]")


def headline_product(title: str) -> str:
    """The product a news headline names: what is left of it once its markets, countries and
    authorities, remedy, stage and proceeding words and the words around them are taken out
    ('Hoa Kỳ khởi xướng rà soát ... thuế chống bán phá giá móc treo quần áo bằng thép' -> 'móc
    treo quần áo bằng thép'): the longest run of words left."""
    original = nfc(title)
    folded = aligned_fold(original).lower()
    spans = [*markets.mention_spans(original), *languages.remedy_spans(folded),
             *(m.span() for m in _FILLER_RE.finditer(folded))]
    keep = [True] * len(original)
    for start, end in spans:
        keep[start:end] = [False] * (end - start)
    runs = "".join(ch if kept else "|" for ch, kept in zip(original, keep, strict=True))
    words = [" ".join(run.split()) for run in runs.split("|")]
    return max(words, key=lambda run: len(run.split()), default="")


@cache  # per index and code: the classifier asks for the same codes notice after notice
def _sector_of(index: SectorIndex, code: str) -> str:
    """The sector whose HS scope holds a code, else other."""
    hits = index.by_hs([code])
    return hits[0].sector if hits else OTHER


def inferred_product(index: SectorIndex, phrases: list[str]) -> ProductCode | None:
    """The HS subheading the nomenclature gives the product, when its best candidates agree on
    one sector (melamine may be 2933 or 3909: chemicals either way)."""
    return classify_product(phrases, group=lambda code: _sector_of(index, code))


def _inferred_sector(index: SectorIndex, inferred: ProductCode) -> tuple[list[str], str]:
    sector = _sector_of(index, inferred.code)
    return [sector], f"sector {sector} by {inferred.reason()}"


def _headline_sectors(index: SectorIndex, title: str, inferred: ProductCode | None
                      ) -> list[SectorHit]:
    """The sectors a headline's product names by its head word (rules/sectors.py); of several,
    the one of the HS code the nomenclature gives the product, when it is among them."""
    phrase = headline_product(title)
    hits = index.by_head(phrase) if phrase else []
    if len(hits) > 1 and inferred is not None:
        sector = _sector_of(index, inferred.code)
        return [hit for hit in hits if hit.sector == sector] or hits
    return hits


def notice_sectors(
    index: SectorIndex, notice: Notice, body: str, abstract: str, hs_codes: list[str],
    is_news: bool = False, inferred: ProductCode | None = None,
) -> tuple[list[str], str]:
    """Sectors by stated HS code, else by the HS code the nomenclature gives the product's name,
    else product terms in the title's product part, else in the abstract.

    A news headline has no 'From' grammar: its whole title is the product part, then the lead."""
    product = product_part(notice.title) or (notice.title if is_news else "")
    hits = index.by_hs(hs_codes)
    if hits:
        named = index.by_terms(product) if product else []
        common = {h.sector for h in named} & {h.sector for h in hits}
        # The HS heading decides (DOMAIN.md section 4); when the title agrees with some of the
        # codes, those are the product's and the others are accessories of the scope.
        hits = [h for h in hits if h.sector in common] if common else hits
        return [h.sector for h in hits], "sector by HS heading: " + "; ".join(
            f"{h.sector} ({h.evidence})" for h in hits)
    if product and not is_news:
        hits = index.by_head_terms(product)
        if hits:
            return [h.sector for h in hits], "sector from the title's product: " + "; ".join(
                f"{h.sector} ({h.evidence})" for h in hits)
    if inferred is not None and not is_news:
        return _inferred_sector(index, inferred)
    ending = chemical_name(product) if product and not is_news else None
    if ending:
        sector = _sector_of(index, CHEMICALS_CHAPTER)
        return [sector], (f"sector {sector}: '{product.strip()}' is a chemical name (ending "
                          f"'-{ending}'), chapter {CHEMICALS_CHAPTER} of the HS")
    if is_news:
        hits = _headline_sectors(index, notice.title, inferred)
        if hits:
            return [h.sector for h in hits], "sector from the headline's product: " + "; ".join(
                f"{h.sector} ({h.evidence})" for h in hits)
    sources: list[tuple[str, str]] = [("title", product)] if is_news else []
    if is_news:
        sources.append(("lead paragraph", body[:400]))
    sources.append(("abstract", abstract))
    for label, text in sources:
        hits = index.by_terms(text) if text else []
        if hits:
            return [h.sector for h in hits], f"sector from {label}: " + "; ".join(
                f"{h.sector} ({h.evidence})" for h in hits)
    if inferred is not None:  # news: after the headline's and lead's product terms
        return _inferred_sector(index, inferred)
    if product.strip() and not is_news:
        return [OTHER], f"product '{product.strip()}' matches no sector term: sector other"
    if is_news:
        return [OTHER], "the news names no product of a configured sector: sector other"
    return [], "no product named: no sector"
