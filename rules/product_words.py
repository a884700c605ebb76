"""The words of product names, as the HS product classifier compares them.

A nomenclature line and a notice's product phrase are reduced to the same terms: lower-case
words (Vietnamese ones with their diacritics, which tell 'nhôm' aluminium from 'nhóm' group, and
also folded, for text typed without them), their adjacent pairs (Vietnamese compounds are several
syllables: 'định hình'), and the head nouns of the goods a text lists, marked HEAD: Vietnamese
names the good first ('lon nhôm', 'mật ong tự nhiên'), English last ('aluminium cans'). Trade names
the nomenclature does not use are given its own words (`rules/vocab/trade_names.yaml`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from functools import cache
from pathlib import Path

import yaml

from rules.text import accented_key, fold, folded_key, has_diacritics, nfc, singular

TRADE_NAMES_FILE = Path(__file__).resolve().parent / "vocab" / "trade_names.yaml"

WORD_RE = re.compile(r"[^\W_]+")
# Words that say nothing of what a good is: they would rank every 'Other' line.
STOP_EN = frozenset({
    "a", "an", "and", "any", "are", "as", "at", "be", "been", "by", "for", "from", "in", "into",
    "its", "kind", "not", "of", "on", "or", "other", "others", "otherwise", "such", "than",
    "that", "the", "their", "thereof", "this", "to", "used", "whether", "which", "with",
    "without", "n", "e", "c", "nec", "including", "excluding", "except", "certain", "new",
    "product", "products", "article", "articles", "part", "parts", "type", "types", "use", "form",
    "forms", "etc", "hs", "heading", "headings", "subheading", "chapter", "containing", "made",
})
# Vietnamese function words, with their diacritics: folded, several of them are product words
# ('nhóm' group / 'nhôm' aluminium, 'từ' from / 'tủ' cabinet, 'đã' / 'da' leather).
STOP_VI = frozenset({
    "loại", "khác", "các", "của", "và", "hoặc", "bằng", "đã", "chưa", "có", "không", "trên",
    "dưới", "dùng", "cho", "được", "những", "với", "trong", "từ", "là", "một", "này", "đó",
    "theo", "đến", "hay", "hàng", "hóa", "hoá", "sản", "phẩm", "mã", "tính", "thuộc", "nhóm",
    "phân", "chỉ", "kể", "cả", "ở",
})
STOP_WORDS = STOP_EN | STOP_VI
# American spellings inside words, as the nomenclature's British English writes them
# ('thiosulfate' is its 'thiosulphate', 'fiberboard' its 'fibreboard').
_BRITISH = (("sulf", "sulph"), ("aluminum", "aluminium"), ("fiber", "fibre"), ("color", "colour"))


@cache  # the nomenclature repeats its words: 250,000 words, 9,000 distinct
def _ascii_word(word: str) -> str:
    """An ASCII word in British spelling, singularised."""
    for american, british in _BRITISH:
        if american in word and british not in word:
            word = word.replace(american, british)
    return singular(word)


# Vietnamese writes a syllable's lone vowel 'y' or 'i' by choice ('ắc quy', the nomenclature's 'ắc
# qui'; 'kỹ thuật', 'kĩ thuật'): both are spelt with 'i'.
_LONE_Y_RE = re.compile(r"^(?:qu|[klmsth])[yýỳỷỹỵ]$")
_Y_AS_I = str.maketrans("yýỳỷỹỵ", "iíìỉĩị")


def _spelt_with_i(word: str) -> str:
    return word.translate(_Y_AS_I) if _LONE_Y_RE.match(word) else word


def words_of(text: str) -> list[str]:
    """Lower-case words; a word with diacritics stays as written (accents tell 'nhôm' from
    'nhóm'), ASCII words are singularised and spelt as the nomenclature spells them."""
    return [_spelt_with_i(_ascii_word(word) if word.isascii() else word)
            for word in WORD_RE.findall(nfc(text).lower())
            if word not in STOP_WORDS and not word.isdigit()]


def with_pairs(words: list[str]) -> list[str]:
    return words + [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)]


def tokens(text: str) -> list[str]:
    """A nomenclature text's words and word pairs, each accented one also in its folded form, so
    that a query without diacritics finds it too."""
    words = words_of(text)
    if not words:
        return []
    folded = fold(" ".join(words)).split(" ")  # one fold per text: folding keeps the words apart
    extra = [w for w, f in zip(with_pairs(folded), with_pairs(words), strict=True) if w != f]
    return with_pairs(words) + extra


def query_tokens(text: str) -> list[str]:
    """A product phrase's words and pairs: as written when it carries diacritics, folded when
    it has none (then it can only be compared with the folded forms)."""
    words = words_of(text)
    if not has_diacritics(text):
        words = [fold(w) for w in words]
    return with_pairs(words)


# Where a list of goods divides: 'Thùng phuy, lon, hộp và ...', 'casks, drums, cans and ...'.
_SEGMENT_RE = re.compile(r"[,;()]|\b(?:và|hoặc|and|or)\b", re.IGNORECASE)
HEAD = "^"


def heads(text: str, material_first: Collection[str] = ()) -> list[str]:
    """The head nouns of a text's listed goods, marked HEAD: a Vietnamese noun phrase names its
    good first ('lon nhôm', 'mật ong tự nhiên'), an English one last ('aluminium cans'). A
    Vietnamese phrase that opens on one of `material_first` ('nhôm lá mỏng') has two."""
    out = []
    for segment in _SEGMENT_RE.split(re.sub(r"\([^()]*\)", " ", text)):
        words = words_of(segment)
        first = WORD_RE.search(nfc(segment).lower())
        if not words or first is None or first.group() in STOP_WORDS:  # "từ xơ ...", "of steel"
            continue
        if has_diacritics(segment):
            # the nomenclature may name a chapter's material before the good ('nhôm lá mỏng')
            starts = (0, 1) if words[0] in material_first else (0,)
            for at in starts[:len(words)]:
                out.append(HEAD + words[at])
                if len(words) > at + 1:
                    out.append(f"{HEAD}{words[at]}_{words[at + 1]}")
        else:
            out.append(HEAD + words[-1])
    return out


def query_heads(text: str, material_first: Collection[str] = ()) -> list[str]:
    """The head of a product phrase: its first segment's, as `heads` reads it."""
    found = heads(_SEGMENT_RE.split(text)[0], material_first) if text.strip() else []
    return found if has_diacritics(text) else [fold(h) for h in found]


@cache
def _trade_names() -> tuple[tuple[str, str | None, str], ...]:
    """(folded name, accented name or None, nomenclature words), longest name first. A name
    with diacritics is matched with them where the phrase has them: folded, 'tủ' (cabinet) is
    'từ' (from) and 'lốp' (tyre) is 'lớp' (layer)."""
    entries = yaml.safe_load(TRADE_NAMES_FILE.read_text(encoding="utf-8"))["trade_names"]
    names = [(folded_key(str(name)), accented_key(str(name)) if has_diacritics(str(name))
              else None, str(words)) for name, words in entries.items()]
    return tuple(sorted(names, key=lambda n: len(n[0]), reverse=True))


def trade_name_words(phrase: str, named: Callable[[str], bool] = lambda _: False
                     ) -> list[str]:
    """The nomenclature's words for each trade name the phrase uses, one text per name; not for
    a name the phrase uses inside a compound the nomenclature itself names by its head (`named`
    of 'tủ_lạnh': the press's 'tủ' is a cabinet, 'tủ lạnh' the nomenclature's refrigerator)."""
    folded = folded_key(phrase)
    accented = accented_key(phrase) if has_diacritics(phrase) else None
    found = []
    for name, accented_name, words in _trade_names():
        key, text = (accented_name, accented) if accented and accented_name else (name, folded)
        if key not in text:
            continue
        after = text.split(key, 1)[1].split()
        if after and named(f"{key.strip().replace(' ', '_')}_{after[0]}"):
            continue
        found.append(words)
    return found


def head_words(phrase: str) -> set[str]:
    """The words that can name a Vietnamese phrase's good: its first word, and the nomenclature's
    words for a trade name it opens with ('kệ' of 'kệ thép' is furniture)."""
    words = words_of(phrase)
    if not words:
        return set()
    found = {words[0]}
    folded = folded_key(phrase)
    for name, _, nomenclature in _trade_names():
        if folded.startswith(name):
            found.update(w for w in query_tokens(nomenclature) if "_" not in w)
    return found
