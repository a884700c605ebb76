"""Trade-remedy wording in Vietnamese, Spanish, Portuguese, French, Indonesian and Turkish.

The English rules of classify.py were built on Federal Register grammar; notices from TRAV, Mexico's
DOF, Brazil's SECEX, Indonesia's KADI or Türkiye's gazette say the same things in their own words.
The phrases live in rules/vocab/remedies.yaml; this module compiles them once (one pattern per
concept, on folded text) and answers the questions classify and news ask: which measures, which
stage (the earliest stage phrase: the main verb leads a news title), which proceeding.
"""

import re
from dataclasses import dataclass
from functools import cache
from re import Pattern

from rules import vocabulary
from rules.text import fold
from rules.vocabulary import all_phrases, phrase_pattern


@dataclass(frozen=True)
class Found:
    """A concept found in text: its name, the words that said it and where."""

    name: str
    phrase: str
    start: int


class _Patterns:
    def __init__(self) -> None:
        data = vocabulary.remedies()
        self.measures = {m: phrase_pattern(all_phrases(p)) for m, p in data.measures.items()}
        self.circumvention = phrase_pattern(all_phrases(data.circumvention))
        self.remedy = phrase_pattern(all_phrases(data.remedy) + all_phrases(data.case_terms))
        self.case_terms = phrase_pattern(all_phrases(data.case_terms))
        # All the remedy wording in one pattern, which matches where one of the above does: searched
        # first, since most texts have none, in half the time of searching each.
        self.any_remedy = phrase_pattern(
            [p for phrases in data.measures.values() for p in all_phrases(phrases)]
            + all_phrases(data.circumvention) + all_phrases(data.remedy)
            + all_phrases(data.case_terms))
        self.stages: dict[str, Pattern[str]] = {
            s: phrase_pattern(all_phrases(p)) for s, p in data.stages.items()}
        self.weak_stages: dict[str, Pattern[str]] = {
            s: phrase_pattern(all_phrases(p)) for s, p in data.weak_stages.items()}
        self.proceedings = [(p, phrase_pattern(all_phrases(ph)))
                            for p, ph in data.proceedings.items()]
        self.events = phrase_pattern(all_phrases(data.not_a_case.events))
        self.statistics = phrase_pattern(all_phrases(data.not_a_case.statistics))
        self.lookalikes = phrase_pattern(all_phrases(data.not_a_case.lookalikes))


@cache
def patterns() -> _Patterns:
    return _Patterns()


def _search(pattern: Pattern[str], text: str) -> Found | None:
    match = pattern.search(fold(text))
    return Found("", match.group(0), match.start()) if match else None


def measures(text: str) -> list[tuple[str, str]]:
    """(measure, phrase) for every measure named in `text`, in AD, CVD, SG order."""
    folded = fold(text)
    out: list[tuple[str, str]] = []
    for measure, pattern in patterns().measures.items():
        match = pattern.search(folded)
        if match:
            out.append((measure, match.group(0)))
    return out


def remedy_wording(text: str) -> Found | None:
    """The first trade-remedy phrase of any kind (measure, circumvention, general), or None."""
    folded = fold(text)
    if not patterns().any_remedy.search(folded):
        return None
    best: Found | None = None
    candidates = [("measure", p) for p in patterns().measures.values()]
    candidates += [("circumvention", patterns().circumvention), ("remedy", patterns().remedy)]
    for name, pattern in candidates:
        match = pattern.search(folded)
        if match and (best is None or match.start() < best.start):
            best = Found(name, match.group(0), match.start())
    return best


def case_term(text: str) -> Found | None:
    """A party or rate only a remedy case has ('bị đơn bắt buộc', 'separate rate'), or None."""
    found = _search(patterns().case_terms, text)
    return Found("case_term", found.phrase, found.start) if found else None


def remedy_spans(folded: str) -> list[tuple[int, int]]:
    """Where folded text says a remedy, a stage or a proceeding: (start, end) pairs."""
    found = patterns()
    every = [*found.measures.values(), found.circumvention, found.remedy,
             *found.stages.values(), *found.weak_stages.values(),
             *(pattern for _, pattern in found.proceedings)]
    return [match.span() for pattern in every for match in pattern.finditer(folded)]


def circumvention(text: str) -> Found | None:
    found = _search(patterns().circumvention, text)
    return Found("circumvention", found.phrase, found.start) if found else None


def _earliest(table: dict[str, Pattern[str]], folded: str) -> Found | None:
    best: Found | None = None
    for name, pattern in table.items():
        match = pattern.search(folded)
        if match is None:
            continue
        if (best is None or match.start() < best.start
                or (match.start() == best.start and len(match.group(0)) > len(best.phrase))):
            best = Found(name, match.group(0), match.start())
    return best


_SENTENCE_ENDS = (". ", "; ", "? ", "! ")
# A petition accepted and the case opened in one breath ('chấp nhận đơn và khởi xướng điều tra',
# 'accepted the petition and initiated'): the step is the opening.
_AND_OPENED_RE = re.compile(r"(?: [\w-]+){0,3}?,?\s+(?:va|and)\s+(?:da\s+|has\s+)?")
# A definitive measure 'thay thế mức thuế tạm thời', 'replacing the provisional duties': the
# provisional duty is the one before it.
_LOOKING_BACK_RE = re.compile(r"\b(?:thay the|replac\w*|superseding|supersedes)\b[^.;]*$")
# 'Final' naming the duties ('sets final tile duties'): the definitive duty, an order; 'final
# findings recommending duties' stay a final step.
_FINAL_DUTIES_RE = re.compile(
    r"(?:\s+(?!determination|finding|result|ruling|decision|recommend|report)[\w-]+){0,3}?"
    r"\s+(?:dut(?:y|ies)|tariffs?)\b")
# An investigation or its deadline extended ('extends wind tower dumping probe', 'extended the
# deadline by two months'): a procedural step, not a measure continued.
_EXTENDED_INQUIRY_RE = re.compile(
    r"(?:\s+(?!dut|measure|tariff|order)[\w-]+){0,4}?\s+(?:probe|investigation|inquiry"
    r"|deadline|time limit|timeline)s?\b")


# An inquiry ended or closed ('ends preliminary injury inquiry', 'closed the dumping probe into'):
# a termination; duties ended are a revocation (the vocabulary's 'ends duties').
_ENDED_INQUIRY_RE = re.compile(
    r"\b(?:ends|ended|ending|closes|closed|closing)(?:\s+(?!dut|measure|tariff|order|levy"
    r"|levies)[\w-]+){0,3}?\s+(?:inquiry|inquiries|investigations?|probes?|case)\b")
# A determination put off ('Preliminary ruling on ... pushed back', 'kết luận sơ bộ bị hoãn'): a
# postponement, not the determination.
_PUT_OFF_RE = re.compile(
    r"(?:\s+(?!and\b|va\b)[\w-]+){0,12}?\s+(?:(?:is|was|been|bi|duoc)\s+)?(?:pushed back"
    r"|postponed|delayed|put off|hoan lai|lui lai|lui thoi han)\b")


def earliest_stage(text: str, *, weak: bool = True) -> Found | None:
    """The stage whose phrase comes first (weak words such as 'điều tra' only as a last resort,
    and only when `weak`).

    A petition accepted 'and' the case opened is the opening; 'final' duties are the definitive
    ones; an investigation 'extended' is a procedural step. A measure applied 'provisionally' is
    a preliminary step whatever verb comes first, when the sentence that applies it says so:
    another sentence's 'provisional duties already secured will be collected', and a definitive
    duty 'replacing the provisional duties', look back from a definitive order."""
    folded = fold(text)
    found = _earliest(patterns().stages, folded)
    ended = _ENDED_INQUIRY_RE.search(folded)
    if ended and (found is None or ended.start() < found.start):
        found = Found("termination", ended.group(0), ended.start())
    if found is None and weak:
        found = _earliest(patterns().weak_stages, folded)
    if found and found.name == "petition":
        opened = _AND_OPENED_RE.match(folded, found.start + len(found.phrase))
        initiation = opened and patterns().stages["initiation"].match(folded, opened.end())
        if initiation:
            return Found("initiation", initiation.group(0), initiation.start())
    if found and found.name == "final" and found.phrase == "final" and _FINAL_DUTIES_RE.match(
            folded, found.start + len(found.phrase)):
        return Found("order", found.phrase, found.start)
    put_off = found and found.name in ("preliminary", "final") and _PUT_OFF_RE.match(
        folded, found.start + len(found.phrase))
    if found and put_off:
        return Found("other", folded[found.start:put_off.end()], found.start)
    if found and found.name == "continuation" and found.phrase in ("extends", "extended") and \
            _EXTENDED_INQUIRY_RE.match(folded, found.start + len(found.phrase)):
        return Found("other", found.phrase, found.start)
    if found and found.name == "order":
        start = max(folded.rfind(end, 0, found.start) for end in _SENTENCE_ENDS) + 1
        stop = min((at for at in (folded.find(end, found.start) for end in _SENTENCE_ENDS)
                    if at >= 0), default=len(folded))
        for provisional in patterns().stages["preliminary"].finditer(folded, start, stop):
            if not _LOOKING_BACK_RE.search(folded, max(start, provisional.start() - 40),
                                           provisional.start()):
                return Found("preliminary", provisional.group(0), provisional.start())
    return found


def stage_phrase(name: str, text: str) -> Found | None:
    """The first phrase of one stage in `text` ('đơn kiện' of a petition), or None."""
    found = _search(patterns().stages[name], text)
    return Found(name, found.phrase, found.start) if found else None


def expiry_outcome(text: str) -> Found | None:
    """The outcome an expiry review's news reports ('tiếp tục duy trì', 'revoked'), if any."""
    folded = fold(text)
    return _earliest({name: patterns().stages[name] for name in ("continuation", "revocation")},
                     folded)


def proceeding(text: str) -> Found | None:
    """The first proceeding (in the YAML's priority order) named in `text`."""
    folded = fold(text)
    for name, pattern in patterns().proceedings:
        match = pattern.search(folded)
        if match:
            return Found(name, match.group(0), match.start())
    return None


def event(text: str) -> Found | None:
    """A workshop/training/conference word: the item reports an event, not a case."""
    return _search(patterns().events, text)


def lookalike(text: str) -> Found | None:
    """Wording of tariffs that are not trade remedies (reciprocal, Section 232, FTA, SPS)."""
    return _search(patterns().lookalikes, text)


def statistics(text: str) -> Found | None:
    """Wording of trade statistics and market news."""
    return _search(patterns().statistics, text)
