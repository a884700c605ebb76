"""Origins of a notice: country names to ISO alpha-2, lists after "From", and mentions of Vietnam.

US titles name the origins after " From " ("... From India, Thailand, and the Socialist Republic of
Vietnam: ..."); the same list grammar appears in abstracts. Vietnam gets extra aliases (vi, fr, es,
pt, id, tr) and negatives ("Vietnam veterans", "Vietnam era") because a mention is not a role.
"""

import re

from rules import vocabulary
from rules.text import fold, squash
from rules.vocabulary import folded_phrase

# ISO alpha-2 -> names as folded (lower-case, no diacritics) text, from rules/vocab/countries.yaml.
# Short names that are also common words ('anh', 'uc', 'my') count only in lists after "from".
_NAMES: dict[str, tuple[str, ...]] = {
    code: tuple(dict.fromkeys(folded_phrase(a) for a in aliases))
    for code, aliases in vocabulary.countries().countries.items()
}
_LIST_ONLY = {folded_phrase(a) for a in vocabulary.countries().list_only}

VIETNAM = "VN"
_ALIAS_TO_CODE = {alias: code for code, aliases in _NAMES.items() for alias in aliases}
_ALIASES = sorted(_ALIAS_TO_CODE, key=len, reverse=True)
_COUNTRY_RE = re.compile(r"\b(" + "|".join(re.escape(a) for a in _ALIASES) + r")\b")
_MENTION_ALIASES = [a for a in _ALIASES if a not in _LIST_ONLY]
_MENTION_RE = re.compile(r"\b(" + "|".join(re.escape(a) for a in _MENTION_ALIASES) + r")\b")
_LIST_START_RE = re.compile(
    r"(?<!exports )(?<!exported )(?<!through imports )(?<!through exports )\b(?:from|tu|cua|xuat xu"
    r"|originating in (?:and/or|or) exported from|originating in|originat(?:e|ing) from"
    r"|originaires? de|en provenance de|originari[oa]s? de|procedentes? de|provenientes? de"
    r"|originari[oa]s? d[ao]s?|procedentes? d[ao]s?|provenientes? d[ao]s?|asal|berasal dari|dari)"
    r"\s+"
    # a counted list names its members after the count: 'from eight countries, among them X and
    # Y', 'từ 5 nước, trong đó có Việt Nam'
    r"(?:(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|hai|ba|bon"
    r"|nam|sau|bay|tam|chin|muoi|mot so) (?:other )?(?:countries|nations|economies|origins"
    r"|nuoc|quoc gia|nen kinh te)(?: and territories| va vung lanh tho)?\s*[,:(]?\s*"
    r"(?:(?:including|among them|among which|namely|such as|notably|trong do co|bao gom(?: ca)?"
    r"|gom(?: co)?|ke ca|la|nhu)\s+)?)?"
)
_THIRD_START_RE = re.compile(
    r"\b(?:with respect to|exports from|exported from|consigned from|completed in|assembled in"
    r"|processed in|through imports from|through exports from|routed through|through"
    r"|thong qua|chuyen tai qua|lap rap tai|hoan thien tai|gia cong tai)\s+"
)
# Australia's ADC (and others) name the origins only as '<goods> exported from X, Y and Z': there
# 'exported from' is the origin phrase, while in a US title that already lists its origins after
# 'From' ('... From the PRC: ... for Exports From Vietnam') it names a circumvention route.
_EXPORTED_FROM_RE = re.compile(r"\b(?:exported from|exports from)\s+")
_FORMAL_START_RE = re.compile(
    r"\boriginat(?:ing in(?: (?:and/or|or) exported from)?|(?:e|ing) from)\s+"
)
# A gazette schedule's heading, upper case as printed (en, ms); its table fits in this window.
_SCHEDULE_RE = re.compile(r"\b(?:SCHEDULE|JADUAL)\b")
_SCHEDULE_WINDOW = 3_000
_THE_RE = re.compile(r"(?:(?:the|de la|la|el|le|les|de|da|do|du|des|del)\s+)?")
_PAREN_RE = re.compile(r"\s*\([^)]{0,40}\)")
# A country that a negation follows is the subject of a new clause, not the list's next member:
# 'từ 7 nước, Việt Nam không nằm trong danh sách', 'from five countries; Vietnam is not among'.
_DENIED_AFTER_RE = re.compile(r"\s+(?:khong|chua|(?:is|was|are|were|has|have) not|not)\b")
_SEP_RE = re.compile(
    r"\s*(?:,\s*and\s+|,\s*va\s+|,\s*|\s+and\s+|\s+va\s+|\s+et\s+|\s+y\s+|\s+e\s+|\s+dan\s+"
    r"|\s+or\s+|\s+hoac\s+)"
)
_VIETNAM_RE = re.compile(
    r"\b(?:viet\s?nam(?:ese)?|vietna|vietname|socialist republic of viet\s?nam)\b"
)
_SRV_RE = re.compile(r"\bSRV\b")
_NOT_VIETNAM_RE = re.compile(
    r"\bviet\s?nam[\s-]+(?:veterans?|era|war|memorial|service|theater|theatre|conflict)\b"
    r"|\bveterans? of (?:the )?viet\s?nam\b"
)
_VIETNAM_FIRM_RE = re.compile(
    r"\bviet\s?nam\b[^.;:()]{0,40}?\b(?:co\.?,? ltd|company|corporation|corp\b|jsc|joint stock"
    r"|limited|ltd)",
)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u00a0": " "})


def normalise(text: str) -> str:
    """Folded, single-spaced text with straight apostrophes: the form country patterns run on."""
    return squash(fold(text.translate(_APOSTROPHES)))


def country_code(name: str) -> str | None:
    """ISO alpha-2 for a country name or alias in any supported language, else None."""
    folded = normalise(name)
    folded = folded[4:] if folded.startswith("the ") else folded
    return _ALIAS_TO_CODE.get(folded)


def _list_span(folded: str, pos: int) -> tuple[list[str], int]:
    """Parse 'X, the Y (Y2), and Z' starting at `pos`; stop at the first non-country item.

    Returns the codes and where the list ends (after its last country)."""
    codes: list[str] = []
    end = pos
    while True:
        the = _THE_RE.match(folded, pos)
        start = the.end() if the else pos
        match = _COUNTRY_RE.match(folded, start)
        if not match or _DENIED_AFTER_RE.match(folded, match.end()):
            return codes, end
        codes.append(_ALIAS_TO_CODE[match.group(1)])
        pos = end = match.end()
        paren = _PAREN_RE.match(folded, pos)
        if paren:
            pos = end = paren.end()
        sep = _SEP_RE.match(folded, pos)
        if not sep:
            return codes, end
        pos = sep.end()


def _list_at(folded: str, pos: int) -> list[str]:
    return _list_span(folded, pos)[0]


def origin_spans(folded: str, *, with_cua: bool = False) -> list[tuple[int, int, list[str]]]:
    """(start, end, codes) of every origin list in already-folded text ('from X and Y', 'từ X').

    Vietnamese 'của' ('of') starts a list only when asked: 'thuế của Hoa Kỳ' names the market."""
    spans = []
    for start in _LIST_START_RE.finditer(folded):
        if not with_cua and start.group(0).startswith("cua"):
            continue
        codes, end = _list_span(folded, start.end())
        if codes:
            spans.append((start.start(), end, codes))
    return spans


_TITLE_FROM_RE = re.compile(r" from ")


def title_origin_list(title: str) -> tuple[str, list[str], str] | None:
    """A title of the US convention '<product> From <origins>[; <step>]' split into its product,
    origins and what follows; None when no 'From' of the title is followed by origins only (up
    to the end, a ';' or ':', or 'Determination(s)')."""
    folded = normalise(title)
    for start in _TITLE_FROM_RE.finditer(folded):
        codes, end = _list_span(folded, start.end())
        rest = folded[end:].strip()
        if codes and (not rest or rest[0] in ";:" or rest.startswith("determination")):
            return folded[:start.start()], codes, rest.lstrip(";: ")
    return None


def starts_with_countries(text: str) -> bool:
    """True when `text` begins with a country list ('the Republic of Korea and Japan; ...')."""
    return bool(_list_at(normalise(text), 0))


def origins_after_from(text: str) -> list[str]:
    """Every country listed right after 'from' (vi 'từ', fr 'originaire de'), in order, unique."""
    folded = normalise(text)
    found: list[str] = []
    for start in _LIST_START_RE.finditer(folded):
        for code in _list_at(folded, start.end()):
            if code not in found:
                found.append(code)
    return found


def exported_from_origins(text: str) -> list[str]:
    """The first '... exported from X, Y and Z' list, when `text` has no other origin list.

    ADC titles ('Steel pallet racking exported from Malaysia, Thailand and Vietnam – Initiation')
    name their origins this way; a title with a 'From'/'originating in' list uses 'exported from'
    only for routes, so it gets nothing here."""
    folded = normalise(text)
    if origins_after_from(folded):
        return []
    for start in _EXPORTED_FROM_RE.finditer(folded):
        codes = _list_at(folded, start.end())
        if codes:
            return list(dict.fromkeys(codes))
    return []


def every_exported_from(text: str) -> list[str]:
    """Every country of every '... exported from X and Y' list, in order, unique: a news lead
    ('copper tubes exported from Vietnam and Thailand') lists origins so as well as after 'from'."""
    folded = normalise(text)
    found: list[str] = []
    for start in _EXPORTED_FROM_RE.finditer(folded):
        found += [code for code in _list_at(folded, start.end()) if code not in found]
    return found


def title_routes(text: str) -> list[str]:
    """Circumvention routes of a title: its third countries, except the 'exported from' list that
    serves as the origin list (see exported_from_origins): 'Aluminium extrusions exported from
    China – anti-circumvention inquiry into goods exported from Vietnam' routes through Vietnam
    only."""
    folded = normalise(text)
    if origins_after_from(folded):
        return third_countries(folded)
    for start in _EXPORTED_FROM_RE.finditer(folded):
        codes, end = _list_span(folded, start.end())
        if codes:
            return third_countries(folded[end:])
    return third_countries(folded)


def first_formal_origins(text: str) -> list[str]:
    """The first 'originating in ...' list of a long document: the formal phrase of regulations
    and determinations, where a bare 'from' also names non-subject sources of imports."""
    folded = normalise(text)
    for start in _FORMAL_START_RE.finditer(folded):
        codes = _list_at(folded, start.end())
        if codes:
            return list(dict.fromkeys(codes))
    return []


def schedule_origins(text: str) -> list[str]:
    """Countries in a gazette's schedule ('SCHEDULE' / 'JADUAL' heading, then a table whose
    country column lists the origins, e.g. 'The Socialist Republic of Viet Nam'): an order's
    operative clause only says 'the country specified in column (3)'."""
    found: list[str] = []
    for heading in _SCHEDULE_RE.finditer(text):
        window = text[heading.end():heading.end() + _SCHEDULE_WINDOW]
        found += [c for c in countries_mentioned(window) if c not in found]
    return found


def third_countries(text: str) -> list[str]:
    """Countries named as circumvention routes: 'With Respect to X', 'for Exports From X'."""
    folded = normalise(text)
    found: list[str] = []
    for start in _THIRD_START_RE.finditer(folded):
        for code in _list_at(folded, start.end()):
            if code not in found:
                found.append(code)
    return found


_BY_RE = re.compile(r"\bby\s+")


def acting_countries(text: str) -> list[str]:
    """Countries named as the actor after 'by' ('new safeguard investigations ... by South Africa
    and ... by the Philippines'): investigating members of a WTO report, not origins."""
    folded = normalise(text)
    found: list[str] = []
    for start in _BY_RE.finditer(folded):
        found += [c for c in _list_at(folded, start.end()) if c not in found]
    return found


def countries_mentioned(text: str) -> list[str]:
    """Every country named anywhere in `text` (short ambiguous aliases excluded), unique."""
    found: list[str] = []
    for match in _MENTION_RE.finditer(normalise(text)):
        code = _ALIAS_TO_CODE[match.group(1)]
        if code not in found:
            found.append(code)
    return found


def strip_vietnam_negatives(folded: str) -> str:
    """Remove 'Vietnam veterans', 'Vietnam era' and the like: they name a war, not an origin."""
    return _NOT_VIETNAM_RE.sub(" ", folded)


def mentions_vietnam(text: str) -> bool:
    """True when Vietnam is named (any language, 'SRV' upper-case only), not war/veteran uses."""
    if _SRV_RE.search(text):
        return True
    return bool(_VIETNAM_RE.search(strip_vietnam_negatives(normalise(text))))


def names_vietnamese_firm(text: str) -> bool:
    """True when a company named '... Vietnam Co., Ltd.' (or JSC, Corporation) is in the text."""
    return bool(_VIETNAM_FIRM_RE.search(strip_vietnam_negatives(normalise(text))))
