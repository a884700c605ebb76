"""Origins of a notice: country names to ISO alpha-2, lists after "From", and mentions of Vietnam.

US titles name the origins after " From " ("... From India, Thailand, and the Socialist Republic of
Vietnam: ..."); the same list grammar appears in abstracts. Vietnam gets extra aliases (vi, fr, es,
pt, id, tr) and negatives ("Vietnam veterans", "Vietnam era") because a mention is not a role.
"""

import re

from rules.text import fold, squash

# ISO alpha-2 -> names as folded (lower-case, no diacritics) text. Longest alias wins when matching.
_NAMES: dict[str, tuple[str, ...]] = {
    "VN": ("vietnam", "viet nam", "socialist republic of vietnam", "socialist republic of viet nam",
           "vietna", "vietname", "srv", "cong hoa xa hoi chu nghia viet nam"),
    "CN": ("china", "people's republic of china", "peoples republic of china", "prc", "trung quoc",
           "chine", "cina"),
    "IN": ("india", "republic of india", "an do", "inde"),
    "TH": ("thailand", "kingdom of thailand", "thai lan", "thailande", "tailandia"),
    "KR": ("korea", "south korea", "republic of korea", "han quoc", "coree du sud",
           "corea del sur"),
    "KP": ("north korea", "democratic people's republic of korea", "trieu tien"),
    "TW": ("taiwan", "dai loan", "chinese taipei", "separate customs territory of taiwan, penghu, "
           "kinmen and matsu"),
    "ID": ("indonesia", "republic of indonesia", "indonesie"),
    "MY": ("malaysia", "malaisie", "malasia"),
    "KH": ("cambodia", "kingdom of cambodia", "campuchia", "cambodge", "camboya"),
    "LA": ("laos", "lao pdr", "lao people's democratic republic"),
    "MM": ("myanmar", "burma"),
    "PH": ("philippines", "republic of the philippines", "philippin", "filipinas"),
    "SG": ("singapore", "republic of singapore", "singapour"),
    "JP": ("japan", "nhat ban", "japon"),
    "HK": ("hong kong",),
    "BD": ("bangladesh",),
    "PK": ("pakistan", "islamic republic of pakistan"),
    "LK": ("sri lanka",),
    "NP": ("nepal",),
    "AU": ("australia", "uc", "australie"),
    "NZ": ("new zealand",),
    "CA": ("canada",),
    "US": ("united states", "united states of america", "hoa ky", "etats-unis", "estados unidos"),
    "MX": ("mexico", "united mexican states", "mexique"),
    "BR": ("brazil", "federative republic of brazil", "bresil", "brasil"),
    "AR": ("argentina", "argentine republic"),
    "CL": ("chile",),
    "CO": ("colombia",),
    "PE": ("peru",),
    "EC": ("ecuador",),
    "VE": ("venezuela",),
    "DO": ("dominican republic",),
    "TT": ("trinidad and tobago", "republic of trinidad and tobago"),
    "CR": ("costa rica",),
    "GT": ("guatemala",),
    "SV": ("el salvador",),
    "HN": ("honduras",),
    "UY": ("uruguay",),
    "PY": ("paraguay",),
    "TR": ("turkey", "republic of turkey", "turkiye", "republic of turkiye", "tho nhi ky",
           "turquie", "turquia"),
    "RU": ("russia", "russian federation", "nga"),
    "UA": ("ukraine",),
    "BY": ("belarus", "republic of belarus"),
    "KZ": ("kazakhstan", "republic of kazakhstan"),
    "UZ": ("uzbekistan",),
    "MD": ("moldova", "republic of moldova"),
    "AM": ("armenia",),
    "AZ": ("azerbaijan",),
    "DE": ("germany", "federal republic of germany", "duc"),
    "FR": ("france", "french republic", "phap"),
    "IT": ("italy", "italian republic"),
    "ES": ("spain", "kingdom of spain", "tay ban nha"),
    "PT": ("portugal", "portuguese republic"),
    "NL": ("netherlands", "the netherlands", "kingdom of the netherlands", "holland"),
    "BE": ("belgium", "kingdom of belgium"),
    "LU": ("luxembourg",),
    "AT": ("austria",),
    "CH": ("switzerland",),
    "GB": ("united kingdom", "great britain", "u.k.", "uk", "anh"),
    "IE": ("ireland",),
    "DK": ("denmark",),
    "SE": ("sweden",),
    "FI": ("finland",),
    "NO": ("norway",),
    "PL": ("poland", "republic of poland"),
    "CZ": ("czech republic", "czechia"),
    "SK": ("slovakia", "slovak republic"),
    "SI": ("slovenia",),
    "HU": ("hungary",),
    "RO": ("romania",),
    "BG": ("bulgaria",),
    "GR": ("greece", "hellenic republic"),
    "HR": ("croatia",),
    "RS": ("serbia", "republic of serbia"),
    "BA": ("bosnia and herzegovina",),
    "MK": ("north macedonia", "macedonia"),
    "LV": ("latvia",),
    "LT": ("lithuania",),
    "EE": ("estonia",),
    "CY": ("cyprus",),
    "MT": ("malta",),
    "IL": ("israel",),
    "EG": ("egypt", "arab republic of egypt"),
    "SA": ("saudi arabia", "kingdom of saudi arabia"),
    "AE": ("united arab emirates", "uae", "u.a.e."),
    "OM": ("oman", "sultanate of oman"),
    "BH": ("bahrain", "kingdom of bahrain"),
    "QA": ("qatar",),
    "KW": ("kuwait",),
    "IR": ("iran", "islamic republic of iran"),
    "ZA": ("south africa", "republic of south africa"),
    "MA": ("morocco",),
    "TN": ("tunisia",),
    "DZ": ("algeria",),
    "NG": ("nigeria",),
    "KE": ("kenya",),
    "MU": ("mauritius",),
}
# Short Vietnamese/other names that are common words in English: matched only in lists after "from".
_LIST_ONLY = {"uc", "nga", "duc", "anh", "phap"}

VIETNAM = "VN"
_ALIAS_TO_CODE = {alias: code for code, aliases in _NAMES.items() for alias in aliases}
_ALIASES = sorted(_ALIAS_TO_CODE, key=len, reverse=True)
_COUNTRY_RE = re.compile(r"\b(" + "|".join(re.escape(a) for a in _ALIASES) + r")\b")
_MENTION_ALIASES = [a for a in _ALIASES if a not in _LIST_ONLY]
_MENTION_RE = re.compile(r"\b(" + "|".join(re.escape(a) for a in _MENTION_ALIASES) + r")\b")
_LIST_START_RE = re.compile(
    r"(?<!exports )(?<!exported )\b(?:from|tu|originating in|originaires? de|procedentes de)\s+"
)
_THIRD_START_RE = re.compile(
    r"\b(?:with respect to|exports from|exported from|completed in|assembled in|processed in)\s+"
)
_THE_RE = re.compile(r"(?:the\s+)?")
_PAREN_RE = re.compile(r"\s*\([^)]{0,40}\)")
_SEP_RE = re.compile(r"\s*(?:,\s*and\s+|,\s*|\s+and\s+|\s+va\s+|\s+et\s+|\s+y\s+|\s+or\s+)")
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


def _list_at(folded: str, pos: int) -> list[str]:
    """Parse 'X, the Y (Y2), and Z' starting at `pos`; stop at the first non-country item."""
    codes: list[str] = []
    while True:
        the = _THE_RE.match(folded, pos)
        start = the.end() if the else pos
        match = _COUNTRY_RE.match(folded, start)
        if not match:
            return codes
        codes.append(_ALIAS_TO_CODE[match.group(1)])
        pos = match.end()
        paren = _PAREN_RE.match(folded, pos)
        if paren:
            pos = paren.end()
        sep = _SEP_RE.match(folded, pos)
        if not sep:
            return codes
        pos = sep.end()


def origins_after_from(text: str) -> list[str]:
    """Every country listed right after 'from' (vi 'từ', fr 'originaire de'), in order, unique."""
    folded = normalise(text)
    found: list[str] = []
    for start in _LIST_START_RE.finditer(folded):
        for code in _list_at(folded, start.end()):
            if code not in found:
                found.append(code)
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
