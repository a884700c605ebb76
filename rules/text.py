"""Text normalisation shared by every rule: case, whitespace and Vietnamese diacritics.

Notices arrive in English, Vietnamese (with or without diacritics) and other languages; rules match
on a folded form so that "Việt Nam", "Viet Nam" and "VIET NAM" are the same words.
"""

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

_SPACE_RE = re.compile(r"\s+")
_TOKEN_RE = re.compile(r"[a-z0-9]+")
_WORD_RE = re.compile(r"\w+")
_DIGIT_RE = re.compile(r"\d")
# Letters that NFD does not decompose into base + combining mark.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "D", "ı": "i", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae"})


def fold(text: str) -> str:
    """Lower-case and strip diacritics (đ -> d): accented and plain text compare equal.

    ASCII text has nothing to strip: it takes the short way, which keeps a 350,000-character PDF
    (folded sentence by sentence) fast."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.lower()


# The characters a case-insensitive regex takes for an ASCII letter (İ, ı, ſ, the Kelvin sign) and
# those whose lower case holds one: where none occurs, lower() and `in` see what the regex sees.
_CASE_ODD = ("\u0130", "\u0131", "\u017f", "\u212a")


def may_say(text: str, words: Iterable[str]) -> bool:
    """False only when `text` holds none of `words` (lower-case ASCII) in any case.

    A case-insensitive regex tries every position of the text; a substring test on its lower
    case runs in C. So a regex whose every match contains one of the words is searched only
    where this says yes, and finds exactly what it found alone."""
    if not text.isascii() and any(ch in text for ch in _CASE_ODD):
        return True
    low = text.lower()
    return any(word in low for word in words)


def has_digit(text: str) -> bool:
    """Whether `text` has a digit as a regex's \\d sees one (any decimal digit): what a rule whose
    every match holds a number asks before searching."""
    return _DIGIT_RE.search(text) is not None


def aligned_fold(text: str) -> str:
    """Fold character by character: the result has the same length as the NFC form of `text`, so
    a position found on folded text points at the same place in `nfc(text)`."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


@cache
def _fold_char(ch: str) -> str:
    """One character folded to one: a typographic apostrophe is the ASCII one."""
    if ch in "\u2018\u2019":
        return "'"
    folded = fold(ch)
    return folded[0] if folded else " "


def nfc(text: str) -> str:
    """Canonical composed form: 'ệ' as one character, whatever the source sent."""
    return unicodedata.normalize("NFC", text)


def squash(text: str) -> str:
    """Collapse runs of whitespace (FR abstracts wrap lines) to single spaces."""
    return " ".join(text.split())  # str.split's whitespace is the regex's \\s: the same, faster


def has_diacritics(text: str) -> bool:
    """True when the text has non-ASCII letters: it carries accents, so short terms need them."""
    return not text.isascii()


def singular(word: str) -> str:
    """Crude English singular so 'tubes'/'tube', 'boxes'/'box', 'batteries'/'battery' match."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def folded_key(text: str) -> str:
    """Space-padded folded, singularised tokens: the form product terms are matched on."""
    tokens = [singular(t) for t in _TOKEN_RE.findall(fold(text))]
    return " " + " ".join(tokens) + " "


def accented_key(text: str) -> str:
    """Space-padded sequence of lower-case words keeping diacritics, for short Vietnamese terms."""
    words = _WORD_RE.findall(unicodedata.normalize("NFC", text).lower())
    return " " + " ".join(words) + " "
