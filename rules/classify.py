"""Is a notice a trade remedy, which measures, which proceeding and which stage.

Decided from wording, in the order of evidence strength: case numbers, then AD/CVD/SG phrases, then
the title grammar "<product> From <countries>; <review step>" (ITC title-only notices). Look-alikes
(FAA Airworthiness Directives "AD", NRC "safeguards", EPA "ocean dumping", Section 232/301/337,
copyright anti-circumvention) are refused unless a case number says otherwise.
"""

import re
from dataclasses import dataclass

from rules import languages
from rules.text import fold, squash


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_LOOKALIKES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_rx(r"\bairworthiness directives?\b"), "FAA Airworthiness Directive (AD is not anti-dumping)"),
    (_rx(r"\breactor safeguards\b|\bnon-safeguards\b|\bsafeguards? information\b"),
     "nuclear safeguards, not a trade safeguard"),
    (_rx(r"\bsafeguarding\b"), "'safeguarding' is not a trade safeguard"),
    (_rx(r"\bocean dumping\b|\bdumping (?:site|ground)s?\b"), "ocean dumping, not anti-dumping"),
    (_rx(r"\bsection 232\b"), "Section 232 national-security measure, not a trade remedy"),
    (_rx(r"\bsection 301\b"), "Section 301 retaliation, not a trade remedy"),
    (_rx(r"\bsection 337\b|\b337-TA-\d+"), "Section 337 (patents/unfair import practices)"),
    (_rx(r"\bcopyright\b|\bdigital millennium\b|\btechnological (?:protection )?measures\b"),
     "copyright anti-circumvention, not trade"),
)

_AD_RE = _rx(
    r"\banti-?dumping\b|\bless[- ]than[- ]fair[- ]value\b|\bLTFV\b|\bdumped imports\b"
    r"|\bdumping margins?\b|\bchong ban pha gia\b|\bantidumping\b"
    r"|\bdumping\b(?= duty| duties| investigation)"
)
_CVD_RE = _rx(
    r"\bcountervailing dut(?:y|ies)\b|\bcountervailable\b|\banti-?subsidy\b|\bchong tro cap\b"
    r"|\bcountervailing\b"
)
_SG_RE = _rx(
    r"\bsafeguard (?:measures?|investigations?|dut(?:y|ies)|proceedings?|review)\b"
    r"|\bglobal safeguard\b|\bsection 201\b|\bbien phap tu ve\b|\bdieu tra tu ve\b|\bthue tu ve\b"
)
_REMEDY_CONTEXT_RE = _rx(
    r"\bcircumvention (?:inquir(?:y|ies)|of the (?:antidumping|countervailing))\b"
    r"|\bchong lan tranh\b|\bphong ve thuong mai\b|\bsuspension agreement\b"
    r"|\bagreement suspending the (?:antidumping|countervailing)\b"
)
# Title-only notices: "<product> From <countries>; Institution of Five-Year Reviews".
_FROM_RE = _rx(r"\bfrom\b")
_ITC_STEP_RE = _rx(
    r"\b(?:five-year reviews?|sunset reviews?|expedited five-year|full five-year"
    r"|scheduling of (?:the )?(?:final|preliminary) phase"
    r"|(?:preliminary|final) phase investigations?"
    r"|institution of (?:anti-?dumping|countervailing)"
    r"|determination to conduct (?:a )?(?:full|expedited)"
    r"|determinations? of circumvention|circumvention inquir(?:y|ies)|scope rulings?)"
)


@dataclass(frozen=True)
class Verdict:
    """Whether a notice is a trade remedy, and the reasons for the answer."""

    trade_remedy: bool
    reasons: tuple[str, ...]


def decide_trade_remedy(title: str, text: str, case_numbers: list[str]) -> Verdict:
    """Trade remedy or not: case numbers first, then remedy phrases, refusing look-alikes."""
    both = squash(fold(f"{title} {text}"))
    if case_numbers:
        shown = ", ".join(case_numbers[:6])
        return Verdict(True, (f"case number(s) {shown} identify a trade-remedy proceeding",))
    for pattern, why in _LOOKALIKES:
        if pattern.search(both) and not _AD_RE.search(both) and not _CVD_RE.search(both):
            return Verdict(False, (f"not a trade remedy: {why}",))
    for pattern, label in ((_AD_RE, "anti-dumping"), (_CVD_RE, "countervailing-duty"),
                           (_SG_RE, "safeguard"), (_REMEDY_CONTEXT_RE, "trade-remedy")):
        match = pattern.search(both)
        if match:
            return Verdict(True, (f"{label} wording: '{match.group(0)}'",))
    found = languages.remedy_wording(both)
    if found:
        return Verdict(True, (f"trade-remedy wording ({found.name}): '{found.phrase}'",))
    if _FROM_RE.search(title) and _ITC_STEP_RE.search(title):
        return Verdict(True, ("title names a product from an origin and a trade-remedy step",))
    return Verdict(False, ("not a trade remedy: no case number and no anti-dumping, "
                           "countervailing, safeguard or circumvention wording",))


# "CVD Determination and Alignment of Final Determination With Final Antidumping Duty
# Determination": the AD case is only named as the one the CVD final is aligned with.
_ALIGNMENT_RE = _rx(r"\balignment of (?:the )?final (?:countervailing duty )?determinations?"
                    r" with (?:the )?final (?:antidumping|anti-dumping) duty determinations?")


def detect_measures(primary: str, fallback: str, case_numbers: list[str]) -> list[str]:
    """AD / CVD / SG from the title and case numbers; the body text only when those say nothing."""
    from rules.case_numbers import measure_of

    found = {m for m in (measure_of(n) for n in case_numbers) if m}
    for text in (primary, fallback):
        folded = _ALIGNMENT_RE.sub(" ", fold(text))
        if _AD_RE.search(folded):
            found.add("AD")
        if _CVD_RE.search(folded):
            found.add("CVD")
        if _SG_RE.search(folded):
            found.add("SG")
        found.update(m for m, _ in languages.measures(folded))
        if found:
            break
    return [m for m in ("AD", "CVD", "SG") if m in found]


# Proceeding: first matching rule wins; order matters (a court decision on a review is a court
# step).
_PROCEEDINGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("court_decision", _rx(r"\bcourt decision\b|\bpursuant to (?:a )?court\b|\bremand\b"
                           r"|\bcourt of international trade\b|\bdispute settlement\b"
                           r"|\bwto dispute\b"
                           r"|\bbinational panel\b|\bnafta panel\b|\busmca\b")),
    ("circumvention", _rx(r"\bcircumvent|\banti-?circumvention\b|\bchong lan tranh\b")),
    ("scope", _rx(r"\bscope (?:ruling|determination|inquir)")),
    ("new_shipper_review", _rx(r"\bnew shipper review")),
    ("changed_circumstances", _rx(r"\bchanged circumstances?\b")),
    ("expiry_review", _rx(r"\bsunset\b|\bfive-year\b|\bexpiry review\b|\bcontinuation of\b"
                          r"|\bimpending expiry\b|\bra soat cuoi ky\b")),
    ("administrative_review", _rx(r"\badministrative reviews?\b|\bannual inquiry\b"
                                  r"|\bra soat hanh chinh\b|\bperiod of review\b")),
    ("investigation", _rx(r"\bless[- ]than[- ]fair[- ]value\b|\binvestigations?\b|\bpetitions?\b"
                          r"|\bdetermination\b|\bduty orders?\b|\borders?\b|\bdefinitive\b"
                          r"|\bprovisional\b|\bdieu tra\b|\bkhoi xuong\b")),
)


def detect_proceeding(title: str, action: str, text: str) -> tuple[str, str]:
    """The proceeding type and the phrase that decided it (title, then FR action, then text)."""
    for source in (title, action, text):
        folded = fold(source)
        for name, pattern in _PROCEEDINGS:
            if name == "investigation":  # typed proceedings in any language come first
                found = languages.proceeding(folded)
                if found:
                    return found.name, found.phrase
            match = pattern.search(folded)
            if match:
                return name, match.group(0)
    return "other", ""


# Stage, read from the part of the title after the product/origin (after ':' or ';').
_STAGES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("court_decision", _rx(r"\bcourt decision\b|\bpursuant to (?:a )?court\b|\bremand\b"
                           r"|\bdispute settlement\b")),
    ("petition", _rx(r"\bpetitions? for the imposition\b|\breceipt of (?:a )?petition\b"
                     r"|\bpetitions? filed\b|\bdon yeu cau\b")),
    ("other", _rx(r"^\s*(?:notice of )?(?:postponement|extension|scheduling|cancellation"
                  r"|supplemental"
                  r"|advance notification|opportunity to request|notice of commission determination"
                  r"|notice of scope ruling applications|addendum|correction)")),
    ("initiation", _rx(r"\binitiation\b|\binstitution\b|\binitiating\b|\bself-initiat"
                       r"|\bkhoi xuong\b")),
    ("order", _rx(r"^\s*(?:notice of )?(?:antidumping|anti-dumping|countervailing)"
                  r"(?: and countervailing)? duty orders?\b")),
    # EU: 'imposing a definitive anti-dumping duty ... following an expiry review' keeps the
    # measure for five more years; Malaysia: '(Expiry Review) Order'.
    ("continuation", _rx(r"\bcontinuation\b|\(expiry review\) order\b"
                         r"|\bimposing a definitive (?:anti-?dumping|countervailing) dut(?:y|ies)\b"
                         r".*\bfollowing an expiry review\b")),
    ("revocation", _rx(r"(?<!consideration of )(?<!intent to )\brevocation\b|\brevoking\b")),
    ("termination", _rx(r"\btermination\b|\bterminat(?:ing|ed)\b|\bwithdrawal of petition\b"
                        r"|\bcham dut\b")),
    # Malaysia: 'Customs (Anti-Dumping Duties) (Administrative Review) Order' sets new rates.
    ("results", _rx(r"\bresults\b|\(administrative review\) order\b"
                    r"|\(kajian semula pentadbiran\)")),
    ("rescission", _rx(r"\brescission\b|\brescinding\b")),
    ("preliminary", _rx(r"\bpreliminary\b|\bprovisional\b|\bket luan so bo\b")),
    ("final", _rx(r"\bfinal\b|\bdefinitive\b|\bket luan cuoi cung\b")),
    # Malaysia: 'Customs (Anti-Dumping Duties) Order 2021' / 'Perintah Kastam (Duti
    # Anti-Lambakan)' imposes the duties.
    ("order", _rx(r"\b(?:duty|dumping|countervailing) orders?\b|\bsuspension agreement\b"
                  r"|\blenh ap thue\b|\bdut(?:y|ies)\) order\b|\(duti anti-lambakan\)")),
)


REVIEWS = ("administrative_review", "new_shipper_review", "expiry_review", "changed_circumstances")
_STEP_WORD_RE = _rx(
    r"\b(?=(?:scheduling|institution|initiation|notice|postponement|cancellation|continuation"
    r"|preliminary|final|rescission|revocation|amended|correction)\b)"
)


def stage_part(title: str) -> str:
    """The step part of a title: after the first ':' (Commerce) or ';' (ITC); without either,
    from the first step word after ' From ' (a few ITC titles lack the separator)."""
    for sep in (":", ";"):
        if sep in title:
            return title.split(sep, 1)[1]
    cut = title.lower().find(" from ")
    step = _STEP_WORD_RE.search(title, cut + 6) if cut >= 0 else None
    return title[step.start():] if step else title


def detect_stage(title: str, action: str, proceeding: str) -> tuple[str, str]:
    """The stage and the phrase that decided it; court steps are always stage court_decision."""
    if proceeding == "court_decision":
        return "court_decision", "court decision"
    for source in (stage_part(title), action, title):
        folded = fold(source)
        for name, pattern in _STAGES:
            match = pattern.search(folded)
            if match:
                return name, match.group(0).strip()
        found = languages.earliest_stage(folded, weak=False)
        if found:
            return found.name, found.phrase
    return "other", ""


def is_new_case(proceeding: str, stage: str) -> bool:
    """A petition or initiation of a new investigation or circumvention inquiry opens a new case."""
    return stage in ("petition", "initiation") and proceeding in ("investigation", "circumvention")
