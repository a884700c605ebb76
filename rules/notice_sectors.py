"""A notice's product: where its name is, the HS code the nomenclature gives it, its sectors.

The sector follows a stated HS code first (DOMAIN.md section 4: the heading decides), then the
product terms of the title, then the code the HS nomenclature gives the product's name
(rules/products.py), then the terms of the abstract or the news lead. A news headline has no case
grammar: its product is what its parties, procedure words and figures leave (`headline_product`),
and a product no sector term names is placed by the nomenclature before the lead's terms are
read, since a lead speaks of the trade around the case too.
"""

import re
from functools import cache, lru_cache

from rules import languages, markets
from rules.nomenclature import MATERIAL_CHAPTERS
from rules.notice import Notice
from rules.product_words import HEAD, head_words, words_of
from rules.products import (
    MIN_LEAD,
    ProductCode,
    chemical_name,
    classify_product,
    known_words,
    product_index,
)
from rules.sectors import OTHER, SectorHit, SectorIndex, product_part
from rules.text import aligned_fold, fold, has_diacritics, nfc

CHEMICALS_CHAPTER = "29"  # organic chemicals, where a chemical the HS does not name falls


def product_phrases(notice: Notice, lead: str, is_news: bool) -> list[str]:
    """Where a notice names its product, most specific first: the title's product part; for
    news, the product the headline names (its product part without the verbs and the parties:
    'EU opens probe into e-bikes' is no glass envelope, 'open'), then the one the lead names
    after 'đối với' / 'imports of'. Never the whole headline: its markets and verbs are words of
    the nomenclature too ('Ấn Độ' finds Indian goods)."""
    if not is_news:
        return [p for p in [product_part(notice.title)] if p.strip()]
    lead_part = product_part(lead, news=True)
    topic = _TOPIC_RE.match(notice.title)
    phrases = [topic and headline_product(topic.group(1)), headline_product(notice.title),
               lead_part and headline_product(lead_part)]
    return [p for p in dict.fromkeys(phrases) if p and p.strip()]


# A headline led by its topic, the product: 'Gỗ dán: DOC kết luận sơ bộ ...', 'Cá tra: ...'.
_TOPIC_RE = re.compile(r"^\s*([^:;,.]{2,40}):\s")


# Words of a headline around its product: prepositions, the duty and its rate, the parties, and
# what is done in the case (verbs, proceedings, figures). Vietnamese ones are written with their
# diacritics and matched on the accented headline when it has them: folded, 'từ' (from) is 'tự'
# (self-, as in 'vít tự khoan'), 'bị' (passive) is 'bi' (ball, as in 'ổ bi'); 'bị' ends words too
# ('thiết bị', equipment).
_FILLER_VI = (
    "đối với|với|của|tại|về|sang|qua|thuế(?: suất)?|mức|áp|ra|ban hành|chính thức|hàng"
    "|mặt hàng|sản phẩm|nhập khẩu|nhập|xuất khẩu|xuất xứ|doanh nghiệp|nhà xuất khẩu|nhà nhập khẩu"
    "|vụ kiện|vụ việc"
    "|vụ|(?<!thiết )(?<!trang )(?<!chuẩn )bị|được|có thể|nguy cơ|lệnh|quyết định|kết quả"
    "|kết luận|xem xét(?: lại)?|yêu cầu"
    "|đề nghị|phản đối|điều chỉnh|hạn ngạch|biên độ|loại trừ|khỏi|lắp ráp|hoàn thiện|gia hạn"
    "|tiếp tục|giữ nguyên|hủy|huỷ|chấm dứt|bỏ phiếu|khép lại|cần|lưu ý|hải quan|đến|mới|thêm"
    "|năm|tháng|ngày|dùng chung|linh kiện|trốn thuế|cảnh báo|bản câu hỏi|tạm thời|cuối cùng"
    "|sơ bộ|bán phá giá|biện pháp|việt|đơn kiện|khởi kiện|(?<!phụ )(?<!linh )kiện"
    # the route of goods suspected of evading a duty: 'nến sáp nghi trung chuyển qua Việt Nam'
    "|trung chuyển|chuyển tải|nghi vấn|nghi|gia công"
    "|một số|các|những|nhà sản xuất|công ty")
# The parties an English headline names after their goods: 'honey exporters', 'tire makers'.
_PARTIES_EN = r"producers?|exporters?|makers?|firms?|companies|manufacturers?"
_PARTIES_EN_RE = re.compile(rf"\b(?:{_PARTIES_EN})\b")
_FILLER_EN = (
    r"on|of|for|from|into|in|to|by|over|back|imports?|exports?|duty|duties|the|certain"
    r"|originating|consigned|exported|shipped|imported|concerning|possible|suspected|evasion"
    r"|announces?|launch(?:es)?|opens?|makes?|sends?|votes?|continues?|probes?|inquiry|finding"
    r"|imposes?|initiates?|extends?|begins?|starts?|revokes?|ends?|finds?|rules?|faces?|hits?"
    rf"|targets?|us|u\.s|drops?|sets?|approves?|confirms?|seeks?|{_PARTIES_EN}"
    r"|court|trade|notice|no|commission|secretariat|technical|sales at less than fair value"
    # the proceeding named after its remedy: 'circumvention case against', 'provisional safeguard'
    r"|case|cases|against|safeguards?|orders?|sunset|stage|phase"
    r"|vietnamese|chinese|indian|korean|thai|indonesian|malaysian")
_FILLER_EN_RE = re.compile(rf"\b(?:{_FILLER_EN})\b")
# Figures and punctuation; a hyphen only between spaces ('e-bikes' is one word).
_PUNCTUATION_RE = re.compile(r"[\d.,%]+|[^\w\s-]|(?<!\w)-|-(?!\w)")
_FILLER_VI_RE = re.compile(rf"(?<!\w)(?:{_FILLER_VI})(?!\w)")
_FILLER_FOLDED_RE = re.compile(rf"\b(?:{fold(_FILLER_VI)})\b")
# Words after which a headline names its product: 'đối với', 'với', 'về', 'vụ', 'on', 'into',
# 'of', 'concerning' (a remedy or stage phrase is such a cue too).
_CUE_VI = "đối với|với|về|vụ(?: kiện)?|sản phẩm|mặt hàng"
_CUE_VI_RE = re.compile(rf"(?<!\w)(?:{_CUE_VI})(?!\w)")
_CUE_RE = re.compile(rf"\b(?:on|into|of|concerning|{fold(_CUE_VI)})\b")


# Words that join a product's words but neither begin nor end one: 'pipe and tube', 'vải dệt
# thoi từ sợi filament' (woven of filament yarn) keep them; 'ván ép từ [Việt Nam]' does not.
_JOINERS = frozenset({"and", "or", "và", "hoặc", "va", "hoac"})
_TRAILING = _JOINERS | {"từ", "tu"}  # folded 'tu' may begin a product: 'tu bep' (tủ bếp)


# A market's possessive ('South Africa's'), taken out with the market's name.
_POSSESSIVE_RE = re.compile(r"['’]s\b")

# A comma between two words: the one before it starts the match, the one after it ends it.
_LISTING_COMMA_RE = re.compile(r"\S\s*(,)\s*(?=\S)")


def _join_listed_goods(text: str, keep: list[bool]) -> None:
    """Keep a comma between two kept words: 'Thìa, dĩa inox' lists goods, one product phrase
    whose first good heads it."""
    for match in _LISTING_COMMA_RE.finditer(text):
        if keep[match.start()] and keep[match.end()]:
            keep[match.start(1)] = True


@lru_cache(maxsize=1024)  # a notice asks for its headline's product up to four times
def headline_product(title: str) -> str:
    """The product a news headline names: what is left of it once its markets, countries and
    authorities, remedy, stage and proceeding words and the words around them are taken out
    ('Hoa Kỳ khởi xướng rà soát ... thuế chống bán phá giá móc treo quần áo bằng thép' -> 'móc
    treo quần áo bằng thép'). Of the runs of words left, the one right after a remedy phrase or
    a cue ('với', 'về', 'into') is the product; among several, the one with more words the HS
    nomenclature knows, then the longer: 'xem xét lại' or 'votes to continue' name no good."""
    original = nfc(product_part(title, news=True) or title)
    folded = aligned_fold(original).lower()
    lowered = original.lower()
    accented = folded != lowered  # Vietnamese letters; an en dash is no diacritic
    # English words are fillers of English headlines only: 'in' and 'to' are Vietnamese words
    # too ('giấy in nhiệt', 'sinh tố')
    fillers = [m.span() for m in _PUNCTUATION_RE.finditer(folded)] + [
        m.span() for m in (_FILLER_VI_RE.finditer(lowered) if accented else
                           [*_FILLER_FOLDED_RE.finditer(folded), *_FILLER_EN_RE.finditer(folded)])]
    remedies = languages.remedy_spans(folded)
    cues = remedies + [m.span() for m in (_CUE_VI_RE if accented else _CUE_RE).finditer(
        lowered if accented else folded)]
    keep = [True] * len(original)
    # a market's possessive goes with it: 'in South Africa's sights' leaves no 's'
    mentions = [(start, end + 2 if _POSSESSIVE_RE.match(original, end) else end)
                for start, end in markets.mention_spans(original)]
    for start, end in [*mentions, *remedies, *fillers]:
        keep[start:end] = [False] * (end - start)
    _join_listed_goods(original, keep)
    cued_at = {end for _, end in cues}
    parties_at = set() if accented else {m.start() for m in _PARTIES_EN_RE.finditer(folded)}
    runs: list[tuple[bool, int, int, str]] = []
    position = 0
    while position < len(original):
        if not keep[position] or original[position].isspace():
            position += 1
            continue
        start = position
        while position < len(original) and keep[position]:
            position += 1
        words = original[start:position].split()
        while words and words[-1].lower() in _TRAILING:
            words.pop()
        while words and words[0].lower() in _JOINERS:
            words.pop(0)
        if not words:  # 'on Thai and Chinese glass': the cue before 'Thai' is glass's
            keep[start:position] = [False] * (position - start)
            continue
        gap = start
        while gap > 0 and (not keep[gap - 1] or original[gap - 1].isspace()) and gap not in cued_at:
            gap -= 1
        after = position
        while after < len(original) and original[after].isspace():
            after += 1
        cued = gap in cued_at or after in parties_at
        runs.append((cued, known_words(" ".join(words)), len(words), " ".join(words)))
    if not runs:
        return ""
    return max(runs, key=lambda run: run[:3])[3]


@cache  # per index and code: the classifier asks for the same codes notice after notice
def _sector_of(index: SectorIndex, code: str) -> str:
    """The sector whose HS scope holds a code, else other."""
    hits = index.by_hs([code])
    return hits[0].sector if hits else OTHER


def inferred_product(index: SectorIndex, phrases: list[str]) -> ProductCode | None:
    """The HS subheading the nomenclature gives the product, when its best candidates agree on
    one sector (a product in two headings of one sector is still placed)."""
    return classify_product(phrases, group=lambda code: _sector_of(index, code))


def _inferred_sector(index: SectorIndex, inferred: ProductCode) -> tuple[list[str], str]:
    sector = _sector_of(index, inferred.code)
    return [sector], f"sector {sector} by {inferred.reason()}"


def _headline_sectors(index: SectorIndex, title: str, inferred: ProductCode | None
                      ) -> list[SectorHit]:
    """The sectors a headline's product names by its head word (rules/sectors.py); of several,
    the one of the HS code the nomenclature gives the product, when it is among them.

    A Vietnamese article no sector term names ('kệ thép', steel shelving) is placed by the
    nomenclature, when it placed the article by its head noun: its material only qualifies it."""
    phrase = headline_product(title)
    hits = index.by_head(phrase) if phrase else []
    if hits and inferred is not None and _article_by_head(index, phrase, hits, inferred):
        sector = _sector_of(index, inferred.code)
        return [SectorHit(sector, f"the nomenclature places the article by its head noun: "
                                  f"{inferred.reason()}")]
    if hits and inferred is not None and _material_named_whole(index, phrase, hits, inferred):
        sector = _sector_of(index, inferred.code)
        return [SectorHit(sector, f"the nomenclature names the whole product in its material's "
                                  f"chapter, a sector term only a part: {inferred.reason()}")]
    if len(hits) > 1 and inferred is not None:
        sector = _sector_of(index, inferred.code)
        return [hit for hit in hits if hit.sector == sector] or hits
    return hits


def _material_named_whole(index: SectorIndex, phrase: str, hits: list[SectorHit],
                          inferred: ProductCode) -> bool:
    """The nomenclature placed the headline's product by every one of its words in the chapter
    of the material it is made of, a sector no term of it names, well ahead of any code of a
    named sector: 'melamine tableware' is of plastics (3924), not porcelain; 'tấm xi măng sợi',
    fibre-cement sheets (6811), no yarn for its 'sợi'."""
    words = set(words_of(phrase))
    if len(words) < 2 or inferred.phrase != phrase.strip():
        return False
    if inferred.code[:2] not in MATERIAL_CHAPTERS:
        return False
    if not words <= {word.lstrip(HEAD) for word in inferred.matched}:
        return False
    named = {hit.sector for hit in hits}
    if _sector_of(index, inferred.code) in named:
        return False
    return _leads(index, phrase, named, inferred)


def _leads(index: SectorIndex, phrase: str, named: set[str], inferred: ProductCode) -> bool:
    """The inferred code scores well ahead of every code of the named sectors."""
    rival = max((code.score for code in product_index().rank(phrase, limit=20)
                 if _sector_of(index, code.code) in named), default=0.0)
    return inferred.score - rival >= MIN_LEAD * inferred.score


def _article_by_head(index: SectorIndex, phrase: str, hits: list[SectorHit],
                     inferred: ProductCode) -> bool:
    """A Vietnamese phrase the nomenclature placed by its head noun, where no sector term names
    that head: the terms all qualify it ('thép' of 'kệ thép'), or one names only the head's
    first word of a compound the nomenclature names ('sợi' of 'sợi quang', optical fibre).

    Not when the nomenclature put it in a material's own chapter (a material the phrase names
    says otherwise: 'mắc áo thép' are no wooden hangers), nor when a code of a named sector
    comes close to the one it gave."""
    if not has_diacritics(phrase) or inferred.phrase != phrase.strip():
        return False
    if inferred.code[:2] in MATERIAL_CHAPTERS:
        return False
    words = words_of(phrase)  # as the index's compounds are made ('ắc quy' is 'ắc qui')
    if any(hit.span[0] == 0 for hit in hits):
        compound = f"{HEAD}{words[0]}_{words[1]}" if len(words) > 1 else None
        if not (all(hit.span == (0, 1) for hit in hits if hit.span[0] == 0)
                and compound in inferred.matched):
            return False
    elif not head_words(phrase) & {word.lstrip(HEAD) for word in inferred.matched}:
        return False
    return _leads(index, phrase, {hit.sector for hit in hits}, inferred)


def notice_sectors(
    index: SectorIndex, notice: Notice, body: str, abstract: str, hs_codes: list[str],
    is_news: bool = False, inferred: ProductCode | None = None,
) -> tuple[list[str], str]:
    """Sectors by stated HS code, else by the HS code the nomenclature gives the product's name,
    else product terms in the title's product part, else in the abstract.

    A news headline has no 'From' grammar: its whole title is the product part, then the lead."""
    product = product_part(notice.title, news=is_news) or (notice.title if is_news else "")
    hits = index.by_hs(hs_codes)
    if not hits and any(len(code) >= 4 for code in hs_codes):
        return [OTHER], (f"sector other: the stated HS code(s) {', '.join(hs_codes[:4])} lie in "
                         "no configured sector's scope")
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
    if is_news:
        for label, hits in (("the headline's product",
                             _headline_sectors(index, notice.title, inferred)),
                            ("title", index.by_terms(product))):
            if hits:
                return [h.sector for h in hits], f"sector from {label}: " + "; ".join(
                    f"{h.sector} ({h.evidence})" for h in hits)
    # A product no sector term names is placed by the nomenclature before a news lead's terms
    # are read: a lead speaks of the trade around the case too ('ngành thép'), and of the
    # materials of goods the nomenclature places in no configured sector (pencils of wood).
    if inferred is not None:
        return _inferred_sector(index, inferred)
    name = headline_product(notice.title) if is_news else product
    ending = chemical_name(name) if name else None
    if ending:
        sector = _sector_of(index, CHEMICALS_CHAPTER)
        return [sector], (f"sector {sector}: '{name.strip()}' is a chemical name (ending "
                          f"'-{ending}'), chapter {CHEMICALS_CHAPTER} of the HS")
    sources: list[tuple[str, str]] = [("lead paragraph", body[:400])] if is_news else []
    sources.append(("abstract", abstract))
    for label, text in sources:
        hits = index.by_terms(text) if text else []
        if hits:
            return [h.sector for h in hits], f"sector from {label}: " + "; ".join(
                f"{h.sector} ({h.evidence})" for h in hits)
    if product.strip() and not is_news:
        return [OTHER], f"product '{product.strip()}' matches no sector term: sector other"
    if is_news:
        return [OTHER], "the news names no product of a configured sector: sector other"
    return [], "no product named: no sector"
