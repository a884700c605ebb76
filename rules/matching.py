"""Which subscriptions an analysed notice concerns: the matching predicate, and its reference loop.

Both matchers (this module's `naive_match`, a loop over subscriptions kept as the oracle, and
`rules.index.MatchIndex`, which goes through indexes) implement exactly this predicate and return
the same matches, reasons included.

Input: an analysis dict (the `trews analyse` output: trade_remedy, market, vietnam, countries,
measures, stage, new_case, hs_codes, sectors, severity, ...) and the notice's title and text (for
keywords). When title/text are not passed, the analysis's own "title"/"text" keys are used if
present (`trews match` input lines may carry them), else keywords see nothing.

A notice is **eligible** when trade_remedy is true, its market is not "VN" (Vietnam's own cases on
imports are not export alerts) and it has a **role** for Vietnam:

- vietnam "subject" -> role subject; "circumvention" -> role circumvention; severity = the
  analysis severity (null -> "low").
  (The analysis marks Vietnam "subject" of a global safeguard that covers it.)
- vietnam "none", new_case true or stage "order" -> role diversion: a new case (or an order) on
  other origins in a product Vietnam exports; severity "medium", the reason says
  "trade-diversion risk: new <measures> case on <origins> in <product> that Vietnam exports".
- anything else (a review on other origins...) matches nobody.

A subscription matches an eligible notice when all of:

- **product**: all_sectors, or a sector in common, or a notice HS code and a subscribed HS code one
  of which is a prefix of the other (7306 gets 730630; 7306301000 gets a notice listing 7306), or
  a keyword found in the title or text. Keywords are whole words (or word sequences; punctuation
  between words is ignored), case- and diacritics-insensitive, English plurals folded ('tubes' is
  'tube'), matched in title and text separately (a keyword never spans the two). Exception, as
  in `rules.sectors`: a keyword written with diacritics that folds to one short word (< 5
  letters: 'tôm', 'gỗ') must match with its diacritics in a text that has diacritics, and matches
  an ASCII text only when that text reads as Vietnamese without diacritics (two common Vietnamese
  words), so 'gỗ' is not the English 'go'.
- **market**: no markets subscribed, or the notice market among them.
- **measure**: no measures subscribed, or one of the notice's measures among them (a notice whose
  measure is unknown does not pass a measure restriction).
- **role**: the notice's role among the subscription's vietnam_roles.
- **severity**: the match severity is at least the subscription's min_severity.

A match is (subscription_id, severity, reasons); reasons are, in order: the role (for diversion,
the trade-diversion sentence), the product evidence (sectors, HS codes, keywords), the restricting
filters that passed (market, measure) and the severity against the minimum. Each is a
`rules.match_reasons.Reason`: its English sentence, with what it says kept as data.
Matches come in the order the subscriptions were given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from rules.hs_codes import editions
from rules.match_reasons import (
    Reason,
    diversion_reason,
    hs_reason,
    market_reason,
    measure_reason,
    product_reason,
    role_reason,
    severity_reason,
)
from rules.sectors import _VIET_MARKERS as VIET_MARKERS
from rules.severity import rank
from rules.subscriptions import SEVERITIES, Subscription, SubscriptionError
from rules.text import accented_key, folded_key, has_diacritics

if TYPE_CHECKING:
    from rules.index import MatchIndex

__all__ = ["SEVERITIES", "Match", "NoticeFacts", "Subscription", "SubscriptionError",
           "keyword_keys", "match", "naive_match", "notice_facts"]

SHORT_WORD = 5  # a diacritic keyword folding to one word shorter than this keeps its diacritics
_SEP = "|"  # between the title's and the text's keys, so no keyword spans them


class Match(NamedTuple):
    """One alert to send: which subscription, at what severity, and why."""

    subscription_id: str
    severity: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class KeywordKey:
    """A keyword as matched: folded key (' wire rod '), and the accented key when it needs one."""

    text: str
    folded: str
    accented: str | None


@lru_cache(maxsize=1 << 16)
def keyword_keys(keyword: str) -> KeywordKey:
    """The keys a keyword is searched with (see the module docstring); cached."""
    folded = folded_key(keyword)
    short = len(folded.split()) == 1 and len(folded.strip()) < SHORT_WORD
    accented = accented_key(keyword) if short and has_diacritics(keyword) else None
    return KeywordKey(keyword, folded, accented)


@dataclass(frozen=True)
class NoticeFacts:
    """What matching needs from one notice, computed once: role, severity, products, haystacks."""

    notice_id: str
    role: str | None  # subject | circumvention | diversion | None (matches nobody)
    severity: str
    market: str | None
    measures: frozenset[str]
    sectors: tuple[str, ...]  # sorted, unique
    hs_codes: tuple[str, ...]  # digit strings of 2+ digits, unique, in notice order
    folded: str  # title and text keys, for keywords (empty when role is None)
    accented: str | None  # the same keeping diacritics, when the text has any
    plain_vietnamese: bool  # ASCII text that reads as Vietnamese: short folded keywords may match
    role_reason: Reason | None  # subject or circumvention: the same for every match
    new_case: bool
    measure_list: tuple[str, ...]  # as the analysis lists them, for the diversion reason
    origins: tuple[str, ...]
    # codes of hs_codes that the rules inferred from the product's name (none was stated)
    hs_inferred: frozenset[str] = frozenset()

    @property
    def eligible(self) -> bool:
        return self.role is not None

    def keyword_found(self, key: KeywordKey) -> bool:
        """The predicate, by substring search (the index finds the same with an automaton)."""
        if key.accented is None:
            return key.folded in self.folded
        if self.accented is not None:
            return key.accented in self.accented
        return self.plain_vietnamese and key.folded in self.folded


def _text_arg(analysis: Mapping[str, Any], given: str | None, key: str) -> str:
    if given is not None:
        return given
    value = analysis.get(key)
    return value if isinstance(value, str) else ""


def _digit_codes(values: Any) -> list[str]:
    """The HS codes of an analysis field that are digit strings of two digits or more."""
    return [c for c in values or []
            if isinstance(c, str) and len(c) >= 2 and c.isdigit() and c.isascii()]


def notice_facts(analysis: Mapping[str, Any], title: str | None = None,
                 text: str | None = None) -> NoticeFacts:
    """Prepare one analysis for matching (both matchers start here)."""
    title = _text_arg(analysis, title, "title")
    body = _text_arg(analysis, text, "text")
    market = analysis.get("market")
    measures_list = [m for m in analysis.get("measures") or [] if isinstance(m, str)]
    measures = frozenset(measures_list)
    vietnam = analysis.get("vietnam")
    stage = analysis.get("stage") or "other"
    severity = analysis.get("severity") or "low"
    if severity not in SEVERITIES:
        severity = "low"
    new_case = bool(analysis.get("new_case"))
    role: str | None = None
    role_why = None
    if not analysis.get("trade_remedy") or market == "VN":
        pass
    elif vietnam in ("subject", "circumvention"):
        role = vietnam
        role_why = role_reason(vietnam, stage, measures_list)
    elif new_case or stage == "order":
        role, severity = "diversion", "medium"
    sectors = tuple(sorted({s for s in analysis.get("sectors") or [] if isinstance(s, str)}))
    written = _digit_codes(analysis.get("hs_codes"))
    # a notice on HS2017 854140 concerns a subscriber of HS2022 854142, and the reverse
    codes = tuple(dict.fromkeys([*written, *(e for c in written for e in editions(c))]))
    # a notice that states no code is matched on the one its product's name has in the HS
    inferred = () if codes else tuple(_digit_codes(analysis.get("hs_inferred")))
    # the haystacks only for a notice that can match: folding its text is most of the work
    folded, accented, plain = _SEP, None, False
    if role is not None:
        folded = folded_key(title) + _SEP + folded_key(body)
        if not (title.isascii() and body.isascii()):  # has_diacritics, in C: notices are long
            accented = accented_key(title) + _SEP + accented_key(body)
        plain = accented is None and len(set(folded.split()) & VIET_MARKERS) >= 2
    return NoticeFacts(
        notice_id=str(analysis.get("id", "")), role=role, severity=severity,
        market=market if isinstance(market, str) else None, measures=measures, sectors=sectors,
        hs_codes=codes or inferred, hs_inferred=frozenset(inferred),
        folded=folded, accented=accented, plain_vietnamese=plain,
        role_reason=role_why, new_case=new_case, measure_list=tuple(measures_list),
        origins=tuple(c for c in analysis.get("countries") or [] if isinstance(c, str)),
    )


class ProfileReasons:
    """The reasons of a notice's matches for one subscription profile (sectors in common,
    all_sectors, the restrictions that passed, min_severity), to be completed by each match's HS
    and keyword evidence. Split from `build_reasons` so that the index builds a profile's lines
    once per notice, not once per match: a notice has few profiles but many evidence lists."""

    __slots__ = ("_all_sectors", "_facts", "_product", "_sectors", "_tail")

    def __init__(self, facts: NoticeFacts, *, all_sectors: bool, sectors: Sequence[str],
                 market_restricted: bool, measure_restricted: bool, min_severity: str) -> None:
        tail = []
        if market_restricted:
            tail.append(market_reason(facts.market))
        if measure_restricted:
            tail.append(measure_reason(sorted(facts.measures)))
        tail.append(severity_reason(facts.severity, min_severity))
        self._facts = facts
        self._all_sectors = all_sectors
        self._sectors = tuple(sectors)
        self._product = product_reason(all_sectors=all_sectors, sectors=sectors, hs=(),
                                       keywords=())
        self._tail = tuple(tail)

    def reasons(self, hs: Sequence[Reason] = (), keywords: Sequence[str] = ()
                ) -> tuple[Reason, ...]:
        """Reasons of a match of this profile: the role (for diversion, the trade-diversion
        sentence), the product evidence (sectors, HS codes in the given order, keywords), the
        restricting filters that passed and the severity against the minimum."""
        facts = self._facts
        product = self._product
        if hs or keywords:
            product = product_reason(all_sectors=self._all_sectors, sectors=self._sectors,
                                     hs=hs, keywords=keywords)
        if facts.role_reason is not None:
            return (facts.role_reason, product, *self._tail)
        if self._sectors:
            named_by, names = "sectors", self._sectors
        elif hs:
            named_by, names = "hs", facts.hs_codes
        elif keywords:
            named_by, names = "keywords", tuple(keywords)
        else:
            named_by, names = ("sectors", facts.sectors) if facts.sectors else ("none", ())
        return (diversion_reason(new_case=facts.new_case, measures=facts.measure_list,
                                 origins=facts.origins, named_by=named_by, names=names),
                product, *self._tail)


def build_reasons(facts: NoticeFacts, *, all_sectors: bool, sectors: Sequence[str],
                  hs: Sequence[Reason], keywords: Sequence[str], market_restricted: bool,
                  measure_restricted: bool, min_severity: str) -> tuple[Reason, ...]:
    """Reasons of one match from its evidence: sectors sorted; HS pairs by subscribed code, then
    notice code, in their orders; keywords in the subscription's order."""
    return ProfileReasons(
        facts, all_sectors=all_sectors, sectors=sectors, market_restricted=market_restricted,
        measure_restricted=measure_restricted, min_severity=min_severity,
    ).reasons(hs, keywords)


def naive_match(analysis: Mapping[str, Any] | NoticeFacts, title: str | None = None,
                text: str | None = None,
                subscriptions: Iterable[Subscription] = ()) -> list[Match]:
    """The reference: the predicate of the module docstring, checked subscription by subscription.
    Kept as the oracle of the index (tests, bench); fine for a handful of subscriptions."""
    facts = analysis if isinstance(analysis, NoticeFacts) else notice_facts(analysis, title, text)
    if facts.role is None:
        return []
    notice_sectors = set(facts.sectors)
    out: list[Match] = []
    for sub in subscriptions:
        if sub.markets and facts.market not in sub.markets:
            continue
        if sub.measures and not (sub.measures & facts.measures):
            continue
        if facts.role not in sub.vietnam_roles or rank(facts.severity) < rank(sub.min_severity):
            continue
        common = sorted(notice_sectors & sub.sectors)
        hs = [why for sc in sub.hs_codes for nc in facts.hs_codes
              if (why := hs_reason(nc, sc, inferred=nc in facts.hs_inferred)) is not None]
        words = [k for k in sub.keywords if facts.keyword_found(keyword_keys(k))]
        if not (sub.all_sectors or common or hs or words):
            continue
        out.append(Match(sub.id, facts.severity, build_reasons(
            facts, all_sectors=sub.all_sectors, sectors=common, hs=hs, keywords=words,
            market_restricted=bool(sub.markets), measure_restricted=bool(sub.measures),
            min_severity=sub.min_severity)))
    return out


def match(analysis: Mapping[str, Any], subscriptions: MatchIndex | Iterable[Subscription], *,
          title: str | None = None, text: str | None = None) -> list[Match]:
    """Matches of one analysis, in subscription order. Pass a `MatchIndex` built once when
    matching many notices; a plain iterable of subscriptions is indexed for this call only."""
    from rules.index import MatchIndex

    index = subscriptions if isinstance(subscriptions, MatchIndex) else MatchIndex.build(
        subscriptions)
    return index.match(analysis, title, text)
