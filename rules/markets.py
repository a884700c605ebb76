"""The investigating market read from the text, for publishers that are not the authority.

TRAV (market "VN") reports foreign cases on Vietnamese goods ("Ủy ban Thương mại Hàn Quốc ra kết
luận sơ bộ ...") and Vietnam's own cases on imports ("Bộ Công Thương khởi xướng điều tra ... thép
có xuất xứ từ Trung Quốc"); WTO news reports every member's. The market is the ACTOR of the remedy
step, not an origin: the first authority or market name in the title that is not in an origin list
("từ Trung Quốc", "from India"), else the first in the text. A Vietnamese body counts only when it
performs a remedy action ("Bộ Công Thương ban hành quyết định"), since TRAV names itself and the
Ministry in every piece of news ("Cục Phòng vệ thương mại khuyến nghị doanh nghiệp ..."); or, when
no foreign market is named at all, when the text is about imported goods and no export.
Authorities and names are data: rules/vocab/markets.yaml.
"""

import re
from dataclasses import dataclass
from functools import cache
from itertools import zip_longest

from rules import countries, vocabulary
from rules.text import aligned_fold, nfc
from rules.vocabulary import acronym_pattern, folded_phrase, phrase_pattern

VIETNAM = "VN"
# The text before a Vietnam actor in its sentence may only be a date ("Ngày 5/3/2024, ...").
_LEAD_RE = re.compile(
    r"^[\s\"'(\[]*(?:(?:ngay|on|le|el)\s+[\w/.,-]{1,20}(?:\s+\d{4})?\s*,?\s*)?"
    r"(?:(?:chinh phu|nha nuoc)\s+)?$"
)
_SENTENCE_END_RE = re.compile(r"[.;:!?\n]\s")
_SEPS_RE = re.compile(r"[\s-]+")
# 'circumvents China order', 'the Vietnam AD order', 'the order on China': a country naming an
# order names its goods.
_ORDER_AFTER_RE = re.compile(
    r"\s+(?:(?:anti-?dumping|countervailing|ad|cvd|ad/cvd)\s+)?(?:duty\s+)?orders?\b")
_ORDER_BEFORE_RE = re.compile(r"\borders?\s+(?:on|against)\s+$")
# '<country> bị <market>': the passive names the goods' country, then the market acting on them.
_SUFFERS_RE = re.compile(r"\s+bi\s+")
_DATE_BETWEEN = (r"(?:ngay|on)\s+\d{1,2}"
                 r"(?:/\d{1,2}(?:/\d{4})?|\s+thang\s+\d{1,2}(?:\s+nam\s+\d{4})?)")


def _key(phrase: str) -> str:
    """Lookup form of a matched phrase: spaces and hyphens are one separator."""
    return _SEPS_RE.sub(" ", phrase).strip()


@dataclass(frozen=True)
class MarketFinding:
    """The investigating market, the words that named it, and why."""

    market: str
    evidence: str
    reason: str


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    market: str
    strong: bool  # an authority or acronym (a name alone is weaker)
    text: str


class _Tables:
    """Compiled once: market phrases on folded text, acronyms and accented names on NFC text."""

    def __init__(self) -> None:
        data = vocabulary.markets()
        self.notes = {code: m.note for code, m in data.markets.items() if m.note}
        self.phrase_market: dict[str, tuple[str, bool]] = {}
        list_only = {folded_phrase(a) for a in vocabulary.countries().list_only}
        for code, aliases in vocabulary.countries().countries.items():
            if code == VIETNAM:
                continue
            for alias in aliases:
                folded = folded_phrase(alias)
                if folded not in list_only and len(folded) > 2:
                    self.phrase_market.setdefault(_key(folded), (code, False))
        for code, market in data.markets.items():
            for name in market.names:
                self.phrase_market[_key(folded_phrase(name))] = (code, False)
            for authority in market.authorities + market.laws:
                self.phrase_market[_key(folded_phrase(authority))] = (code, True)
        self.laws = {_key(folded_phrase(law)) for m in data.markets.values() for law in m.laws}
        self.vn_phrases = {_key(folded_phrase(a)) for a in data.vietnam.authorities}
        self.vn_names = {_key(folded_phrase(a)) for a in vocabulary.countries().countries[VIETNAM]}
        self.phrases = phrase_pattern(list(self.phrase_market) + list(self.vn_phrases))
        self.acronym_market = {a: code for code, m in data.markets.items() for a in m.acronyms}
        self.acronym_market.update({a: VIETNAM for a in data.vietnam.acronyms})
        self.acronyms = acronym_pattern(self.acronym_market)
        self.accented_market = {nfc(a): code for code, m in data.markets.items()
                                for a in m.accented}
        accented = sorted(self.accented_market, key=len, reverse=True)
        self.accented = re.compile(
            r"(?<![\w])(" + "|".join(re.escape(a) for a in accented) + r")(?![\w])"
        ) if accented else re.compile(r"(?!x)x")
        self.imports_into = phrase_pattern(data.vietnam.imports_into)
        aux = "|".join(re.escape(folded_phrase(a)) for a in data.auxiliaries)
        actions = sorted({folded_phrase(a) for a in vocabulary.all_phrases(data.actions)},
                         key=len, reverse=True)
        action = "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in actions)
        # '<actor> (<acronym>), ngày 22/10/2025, đã <action>', '<actor> cho biết ngày 14/1 đã
        # <action>': a bracket, auxiliaries and a date may come between the actor and its action.
        self.action_after = re.compile(
            rf"\s*(?:\([^)]{{0,40}}\)\s*)?,?\s*"
            rf"(?:(?:{aux})\s+|{_DATE_BETWEEN}\s*,?\s*){{0,4}}(?:{action})(?!\w)"
        )


@cache
def _tables() -> _Tables:
    return _Tables()


def _hits(text: str) -> tuple[list[_Hit], str]:
    """Every market mention in `text` (folded phrases, acronyms, accented names), by position."""
    tables = _tables()
    original = nfc(text)
    folded = aligned_fold(original)
    hits: list[_Hit] = []
    for m in tables.phrases.finditer(folded):
        phrase = _key(m.group(0))
        if phrase in tables.phrase_market:
            code, strong = tables.phrase_market[phrase]
        else:
            code, strong = VIETNAM, phrase not in tables.vn_names
        hits.append(_Hit(m.start(), m.end(), code, strong, original[m.start():m.end()]))
    for m in tables.acronyms.finditer(original):
        hits.append(_Hit(m.start(), m.end(), tables.acronym_market[m.group(0)], True, m.group(0)))
    for m in tables.accented.finditer(original):
        hits.append(_Hit(m.start(), m.end(), tables.accented_market[m.group(1)], False,
                         m.group(1)))
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[_Hit] = []
    for hit in hits:  # overlapping hits: the earlier/longer one was kept first
        if kept and hit.start < kept[-1].end:
            continue
        kept.append(hit)
    return kept, folded


@cache
def remedy_named_bodies() -> re.Pattern[str]:
    """Authorities whose names carry a measure's words ("Anti-Dumping Commission", "Ủy ban Chống
    bán phá giá Australia"), on folded text: they also run other remedies, so their names say
    nothing of the measure (a law's name does: "Customs (Anti-Dumping Duties) Order")."""
    from rules import languages  # languages reads the remedy vocabulary; markets does not need it

    names = [name for market in vocabulary.markets().markets.values()
             for name in market.authorities
             if languages.measures(folded_phrase(name))]
    return phrase_pattern(names)


def mention_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` (NFC) names a market, a country or an authority: (start, end) pairs."""
    return [(hit.start, hit.end) for hit in _hits(text)[0]]


def _in_origin_list(hit: _Hit, spans: list[tuple[int, int, list[str]]]) -> bool:
    return any(start <= hit.start < end for start, end, _ in spans)


def _heads_sentence(hit: _Hit, folded: str) -> bool:
    """The mention is its sentence's subject: only a date may come before it."""
    ends = [m.end() for m in _SENTENCE_END_RE.finditer(folded, 0, hit.start)]
    lead = folded[ends[-1] if ends else 0:hit.start]
    return bool(_LEAD_RE.match(lead))


def _names_an_order(hit: _Hit, folded: str) -> bool:
    return bool(_ORDER_AFTER_RE.match(folded, hit.end)
                or _ORDER_BEFORE_RE.search(folded, max(0, hit.start - 20), hit.start))


def _vietnam_acts(hit: _Hit, folded: str) -> bool:
    """A Vietnamese body performing a remedy action; the bare name only at a sentence start."""
    if not _tables().action_after.match(folded, hit.end):
        return False
    return hit.strong or _heads_sentence(hit, folded)


def _title_actor_doubtful(hit: _Hit, title: str) -> bool:
    """A country name in the title that neither heads it nor acts may be a product's maker or
    source ("thép CORE làm từ thép cán nóng Nhật Bản bị đề nghị điều tra"): an authority acting
    in the text then names the market better."""
    folded = aligned_fold(nfc(title))
    return not (hit.strong or _heads_sentence(hit, folded)
                or _tables().action_after.match(folded, hit.end))


def _first_actor(text: str, *, names: bool) -> tuple[_Hit, str] | None:
    """The first market acting in `text`: foreign mentions outside origin lists, Vietnam acting.

    With names=False only authorities/acronyms count (a body text names many countries)."""
    hits, folded = _hits(text)
    spans = countries.origin_spans(folded)
    for hit, after in zip_longest(hits, hits[1:]):
        if after and _SUFFERS_RE.fullmatch(folded, hit.end, after.start):
            continue  # 'Xơ ... Trung Quốc bị Ấn Độ áp thuế': the goods' country, then the actor
        if hit.market == VIETNAM:
            if _vietnam_acts(hit, folded):
                return hit, "acts"
            continue
        if _in_origin_list(hit, spans) or (not hit.strong and _names_an_order(hit, folded)):
            continue
        if hit.strong or names:
            return hit, "named"
    return None


def _describe(hit: _Hit, where: str, how: str) -> MarketFinding:
    note = _tables().notes.get(hit.market)
    if hit.market == VIETNAM:
        reason = (f"market VN: '{hit.text}' takes the remedy step in the {where} "
                  "(Vietnam's own case on imports)")
    else:
        kind = ("law" if _key(folded_phrase(hit.text)) in _tables().laws
                else "authority" if hit.strong else "market")
        reason = f"market {hit.market}: {kind} '{hit.text}' is {how} in the {where}"
    if note:
        reason += f" ({note.split(';')[0]})"
    return MarketFinding(hit.market, hit.text, reason)


def detect_market(title: str, text: str) -> MarketFinding | None:
    """The investigating market of a news item: title actor, else text actor, else None."""
    tables = _tables()
    folded_title = aligned_fold(nfc(title))
    into = tables.imports_into.search(folded_title)
    if into:
        return MarketFinding(VIETNAM, into.group(0), f"market VN: the title says '{into.group(0)}' "
                             "(goods imported into Vietnam: its own case)")
    found = _first_actor(title, names=True)
    if found and _title_actor_doubtful(found[0], title):
        in_text = _first_actor(text, names=False)
        if in_text and in_text[0].market != found[0].market:
            hit, how = in_text
            return _describe(hit, "text", "the actor" if how == "acts" else "named outside the "
                             "origin list")
    if found:
        hit, how = found
        return _describe(hit, "title", "the actor" if how == "acts" else "named outside the "
                         "origin list")
    found = _first_actor(text, names=False)
    into = tables.imports_into.search(aligned_fold(nfc(text)))
    if into and (found is None or into.start() < found[0].start):
        return MarketFinding(VIETNAM, into.group(0), f"market VN: the text says '{into.group(0)}' "
                             "(goods imported into Vietnam: its own case)")
    if found is None:
        found = _first_actor(text, names=True)
    if found:
        hit, how = found
        return _describe(hit, "text", "the actor" if how == "acts" else "named outside the "
                         "origin list")
    body = _own_body_on_imports(f"{title}. {text}")
    if body:
        return MarketFinding(VIETNAM, body, f"market VN: '{body}' speaks of goods imported, and "
                             "no foreign market is named (Vietnam's own case on imports)")
    return None


_IMPORTED_RE = re.compile(r"\bnhap khau\b")
_EXPORTED_RE = re.compile(r"\bxuat khau\b")


def _own_body_on_imports(text: str) -> str | None:
    """A Vietnamese body named in a text on imported goods that names no foreign market and no
    export ('Bộ Công Thương cho biết biện pháp tự vệ đối với phân bón DAP ... nhập khẩu đã chấm
    dứt hiệu lực'): the measure is Vietnam's own, whether or not the body is its actor."""
    hits, folded = _hits(text)
    if not _IMPORTED_RE.search(folded) or _EXPORTED_RE.search(folded):
        return None
    bodies = [hit for hit in hits if hit.market == VIETNAM and hit.strong
              and countries.country_code(hit.text) is None]
    return bodies[0].text if bodies else None
