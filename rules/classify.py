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
    (_rx(r"\bspecial safeguard|\bagricultural safeguard|\bsafeguard trigger"),
     "the Uruguay Round Agreements Act's agricultural special safeguard (automatic additional "
     "duties on farm imports), not a safeguard investigation"),
    (_rx(r"\bocean dumping\b|\bdumping (?:site|ground)s?\b"), "ocean dumping, not anti-dumping"),
    (_rx(r"\bsection 232\b"), "Section 232 national-security measure, not a trade remedy"),
    (_rx(r"\bsection 301\b"), "Section 301 retaliation, not a trade remedy"),
    (_rx(r"\bsection 337\b|\b337-TA-\d+"), "Section 337 (patents/unfair import practices)"),
    (_rx(r"\bcopyright\b|\bdigital millennium\b|\btechnological (?:protection )?measures\b"),
     "copyright anti-circumvention, not trade"),
    (_rx(r"\brestrictive measures\b"), "EU sanctions (restrictive measures), not a trade remedy"),
)

_AD_RE = _rx(
    r"\banti-?dumping\b|\bless[- ]than[- ]fair[- ]value\b|\bLTFV\b|\bdumped imports\b"
    r"|\bdumping margins?\b|\bchong ban pha gia\b|\bantidumping\b"
    r"|\bdumping\b(?= duty| duties| investigation)"
    # Canada's CBSA: 'Dumping and subsidizing investigation — Preliminary determination'.
    r"|\bdumping and subsidi[sz]ing\b"
)
_CVD_RE = _rx(
    r"\bcountervailing dut(?:y|ies)\b|\bcountervailable\b|\banti-?subsidy\b|\bchong tro cap\b"
    r"|\bcountervailing\b|\bsubsidi[sz]ing investigation\b|\bdumping and subsidi[sz]ing\b"
)
_SG_RE = _rx(
    r"\bsafeguard (?:measures?|investigations?|dut(?:y|ies)|proceedings?|review)\b"
    r"|\bglobal safeguard\b|\bbien phap tu ve\b|\bdieu tra tu ve\b|\bthue tu ve\b"
    # Section 201 of the Trade Act of 1974 (import relief); 'section 201' of any other Act
    # (veterans' care, tax, labour reporting) is not a safeguard.
    r"|\bsection 201\b(?=[^.;]{0,60}?\b(?:trade act|import relief|safeguard))"
    r"|\b(?:import relief|safeguard)\b[^.;]{0,60}?\bsection 201\b"
    # WTO news: 'Safeguards Committee reviews new investigations on steel products ...' reports
    # members' safeguard investigations; the committee's name alone ('... elects chair') does not.
    r"|\b(?:safeguards committee|committee on safeguards)\b[^.;]{0,60}?\b(?:investigations?"
    r"|measures?)\b"
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


# What the part before ' From ' names when it is an act, not goods: 'Importation of Fresh Beef
# From Paraguay' (APHIS), 'Import Restrictions ... Material From Peru' (CBP), 'Collection of
# Biometric Data From Aliens'.
_ACT_WORDS_RE = _rx(r"\b(?:import(?:s|ation|ing)?|export(?:s|ation|ing)?|restrictions?|quotas?"
                    r"|collections?|requests?|requirements?|conditions?|entry|vessels?|material"
                    r"|information|notice|data|perspective|provisions?|recovery|duties|tariffs?)\b")


def goods_from_origins_title(title: str) -> bool:
    """A title that is only '<goods> From <origins>' (then nothing, ';'/':' and a step, or
    'Determinations'), the US form of AD/CVD case titles, even where no remedy word is said:
    'Lemon Juice From Argentina', 'Barium Chloride From India; Hearing Update ...'."""
    from rules.countries import title_origin_list

    found = title_origin_list(title)
    if found is None:
        return False
    product, origins, _ = found
    return "US" not in origins and bool(product.strip()) and not _ACT_WORDS_RE.search(product)


@dataclass(frozen=True)
class Verdict:
    """Whether a notice is a trade remedy, and the reasons for the answer."""

    trade_remedy: bool
    reasons: tuple[str, ...]


# The ADC numbers every notice it publishes 'ADN yyyy/nnn', its own administration too ('Changes
# to the Anti-Dumping Commission's contact details', 'Publication of the Dumping Commodity
# Register'). Its name and its registers are not remedy wording.
_ADC_NAMES_RE = _rx(r"\banti-?dumping (?:commission|review panel)(?:'s)?"
                    r"|\bdumping commodity register\b")
_GOODS_FROM_RE = _rx(r"\b(?:exported from|exports from|from|originating in)\b")


def _adc_administrative(title: str, text: str, case_numbers: list[str]) -> bool:
    """An ADN whose title names no goods from an origin, no case ('Case 624') and no remedy
    wording besides the Commission's own name: a notice about the ADC, not a case."""
    if not case_numbers or not all(n.startswith("ADN ") for n in case_numbers):
        return False
    folded = _ADC_NAMES_RE.sub(" ", squash(fold(title)))
    if _GOODS_FROM_RE.search(folded):
        return False
    if any(p.search(folded) for p in (_AD_RE, _CVD_RE, _SG_RE, _REMEDY_CONTEXT_RE, _ITC_STEP_RE)):
        return False
    return not languages.remedy_wording(folded) and not languages.circumvention(folded)


# The UK's Trade Remedies Authority calls its safeguard cases 'Safeguarding investigation' and
# 'Transition safeguarding review' (tra_case_types.json): trade wording there, not the look-alike.
_UK_TRA_RE = _rx(r"\btrade remedies (?:authority|service)\b(?! of viet)")
_SAFEGUARDING_RE = _rx(r"\bsafeguarding (?:investigations?|reviews?|measures?|dut(?:y|ies))\b")


def is_uk(market: str | None, text: str) -> bool:
    """A notice of the UK's TRA: market GB, or a text naming the Trade Remedies Authority."""
    return market == "GB" or bool(_UK_TRA_RE.search(text))


def decide_trade_remedy(title: str, text: str, case_numbers: list[str], *, uk: bool = False
                        ) -> Verdict:
    """Trade remedy or not: case numbers first, then remedy phrases, refusing look-alikes
    ('safeguarding' is the UK TRA's safeguard wording when `uk`)."""
    both = squash(fold(f"{title} {text}"))
    uk_safeguard = _SAFEGUARDING_RE.search(both) if uk else None
    if _adc_administrative(title, text, case_numbers):
        return Verdict(False, ("not a trade remedy: an Anti-Dumping Notice about the Commission's "
                               "own administration (no goods, origin or case named)",))
    if case_numbers:
        shown = ", ".join(case_numbers[:6])
        return Verdict(True, (f"case number(s) {shown} identify a trade-remedy proceeding",))
    for pattern, why in _LOOKALIKES:
        if uk_safeguard and "safeguarding" in why:
            continue
        if pattern.search(both) and not _AD_RE.search(both) and not _CVD_RE.search(both):
            return Verdict(False, (f"not a trade remedy: {why}",))
    for pattern, label in ((_AD_RE, "anti-dumping"), (_CVD_RE, "countervailing-duty"),
                           (_SG_RE, "safeguard"), (_REMEDY_CONTEXT_RE, "trade-remedy")):
        match = pattern.search(both)
        if match:
            return Verdict(True, (f"{label} wording: '{match.group(0)}'",))
    if uk_safeguard:
        return Verdict(True, (f"UK TRA safeguard wording: '{uk_safeguard.group(0)}'",))
    found = languages.remedy_wording(both)
    if found:
        return Verdict(True, (f"trade-remedy wording ({found.name}): '{found.phrase}'",))
    if _FROM_RE.search(title) and _ITC_STEP_RE.search(title):
        return Verdict(True, ("title names a product from an origin and a trade-remedy step",))
    if goods_from_origins_title(title):
        return Verdict(True, ("title is '<goods> From <origins>', the form Commerce and the ITC "
                              "give the notices of their AD/CVD cases",))
    return Verdict(False, ("not a trade remedy: no case number and no anti-dumping, "
                           "countervailing, safeguard or circumvention wording",))


# "CVD Determination and Alignment of Final Determination With Final Antidumping Duty
# Determination": the AD case is only named as the one the CVD final is aligned with.
_ALIGNMENT_RE = _rx(r"\balignment of (?:the )?final (?:countervailing duty )?determinations?"
                    r" with (?:the )?final (?:antidumping|anti-dumping) duty determinations?")


def detect_measures(primary: str, fallback: str, case_numbers: list[str], *, uk: bool = False
                    ) -> list[str]:
    """AD / CVD / SG from the title and case numbers; the body text only when those say nothing
    ('Safeguarding investigation' is SG for the UK's TRA, `uk`)."""
    from rules.case_numbers import measure_of

    found = {m for m in (measure_of(n) for n in case_numbers) if m}
    for text in (primary, fallback):
        folded = _ALIGNMENT_RE.sub(" ", fold(text))
        if _AD_RE.search(folded):
            found.add("AD")
        if _CVD_RE.search(folded):
            found.add("CVD")
        if _SG_RE.search(folded) or (uk and _SAFEGUARDING_RE.search(folded)):
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
    ("changed_circumstances", _rx(r"\bchanged circumstances?\b"
                                  r"|(?<!expiry )(?<!sunset )\breview of (?:the )?"
                                  r"(?:anti-?dumping |countervailing )?measures\b")),
    ("expiry_review", _rx(r"\bsunset\b|\bfive-year\b|\bexpiry review\b|\bcontinuation of\b"
                          r"|\bcontinuation inquir(?:y|ies)\b"
                          r"|\bimpending expiry\b|\bra soat cuoi ky\b"
                          # Canada: a CITT expiry review order 'RR-2018-004' continues a finding.
                          r"|\bcitt\b[^.;\n]{0,30}?\brr-(?:19|20)\d\d-\d{3}\b")),
    # Australia: 'continuation inquiry' is its expiry review; 'review of measures' re-examines
    # the variable factors of a measure in force.
    ("administrative_review", _rx(r"\badministrative reviews?\b|\bannual inquiry\b"
                                  r"|\bra soat hanh chinh\b|\bperiod of review\b")),
    # EU refund investigations (duties paid back to an importer) and anti-absorption
    # re-investigations of a measure in force: proceedings of an existing case that the contract
    # has no name for.
    ("other", _rx(r"\brefund (?:investigations?|applications?|requests?|proceedings?)\b"
                  r"|\brefunds? of (?:the )?(?:anti-?dumping|countervailing) dut"
                  r"|\banti-?absorption\b|\bre-?investigation\b")),
    # India's CBIC: 'Seeks to impose anti-dumping duty on imports of ...' (the duty notification
    # that ends an investigation).
    ("investigation", _rx(r"\bseeks? to impose\b"
                          r"|\bimposition of (?:definitive |provisional )?(?:anti-?dumping"
                          r"|countervailing) dut")),
    ("investigation", _rx(r"\bless[- ]than[- ]fair[- ]value\b|\binvestigations?\b|\bpetitions?\b"
                          r"|\b(?:anti-?dumping|anti-?subsidy|countervailing|safeguard)"
                          r" proceeding\b"
                          r"|\bdetermination\b|\bduty orders?\b|\borders?\b|\bdefinitive\b"
                          r"|\bprovisional\b|\bdieu tra\b|\bkhoi xuong\b")),
)


def detect_proceeding(title: str, action: str, text: str) -> tuple[str, str]:
    """The proceeding type and the phrase that decided it (title, then FR action, then text)."""
    for source in (title, action, text):
        folded = fold(source)
        for index, (name, pattern) in enumerate(_PROCEEDINGS):
            if name == "investigation" and _PROCEEDINGS[index - 1][0] != "investigation":
                # typed proceedings in any language come first
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
                  r"|notice of (?:the )?impending expiry"
                  r"|notice of scope ruling applications|addendum|correction"
                  # TRON: 'Note for the file: selection of the sample ...' records a step of the
                  # investigation's work (sampling, meetings), not a decision.
                  r"|note (?:for|to) the (?:file|attention)\b)")),
    ("initiation", _rx(r"\binitiation\b|\binstitution\b|\binitiating\b|\bself-initiat"
                       r"|\bkhoi xuong\b")),
    ("order", _rx(r"^\s*(?:notice of )?(?:antidumping|anti-dumping|countervailing)"
                  r"(?: and countervailing)? duty orders?\b")),
    # EU: 'imposing a definitive anti-dumping duty ... following an expiry review' keeps the
    # measure for five more years; Malaysia: '(Expiry Review) Order'.
    # 'Termination of the continuation inquiry' (Australia) names the proceeding, not the outcome.
    # India: 'Seeks to impose ... duty ... pursuant to the sunset review' continues the measure.
    ("continuation", _rx(r"\bcontinuation\b(?! inquir)|\(expiry review\) order\b"
                         r"|\bimpos(?:e|es|ing)(?: a)? (?:definitive )?(?:anti-?dumping"
                         r"|countervailing) dut(?:y|ies)\b"
                         r".*\b(?:following|pursuant to) (?:an?|the) (?:expiry|sunset) review\b")),
    # EU: "imposing a definitive anti-dumping duty and definitively collecting the provisional
    # duty" is the measure itself, though it names the provisional duty too.
    ("order", _rx(r"\bimposing (?:a )?definitive\b|\bseeks? to impose\b")),
    ("revocation", _rx(r"(?<!consideration of )(?<!intent to )\brevocation\b|\brevoking\b")),
    ("termination", _rx(r"\btermination\b|\bterminat(?:ing|ed)\b|\bwithdrawal of petition\b"
                        r"|\bcham dut\b")),
    # Malaysia: 'Customs (Anti-Dumping Duties) (Administrative Review) Order' sets new rates.
    ("results", _rx(r"\bresults\b|\(administrative review\) order\b|\bfindings of the review\b"
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
    r"|termination"
    r"|preliminary|final|rescission|revocation|amended|correction)\b)"
)


_DASH_PART_RE = re.compile(r"\s[\u2013\u2014]\s")
# 'anti-dumping duty imposed on imports of ...' describes the measure a circumvention or review
# is about, not a step of this notice.
_MEASURE_IN_FORCE_RE = _rx(r"\b(?:dut(?:y|ies)|measures?)\s+(?:imposed|in force)\b")


def stage_part(title: str) -> str:
    """The step part of a title: after the first ':' (Commerce) or ';' (ITC); without either,
    from the first step word after ' From ' (a few ITC titles lack the separator)."""
    for sep in (":", ";"):
        if sep in title:
            head, tail = title.split(sep, 1)
            # FR public inspection writes the step first: 'Determination in the ... Investigation:
            # Mattresses from Cambodia, ...'; the side without ' from ' is the step.
            if " from " in tail.lower() and " from " not in head.lower():
                return head
            return tail
    # ADC: 'ADN 2026/084 – <goods> exported from <origins> – <step>': the last dash part.
    parts = _DASH_PART_RE.split(title)
    if len(parts) > 2 and " from " not in parts[-1].lower():
        return parts[-1]
    cut = title.lower().find(" from ")
    step = _STEP_WORD_RE.search(title, cut + 6) if cut >= 0 else None
    return title[step.start():] if step else title


# Canada's CBSA list of measures in force: '<goods> from <origins>: Anti-dumping duties in force
# (CITT NQ-2026-001)' announces the measure (its date is the CITT finding's); with a CITT expiry
# review order ('RR-2018-004') the measure was continued.
_IN_FORCE_STEP_RE = _rx(r"^\s*(?:(?:anti-?dumping|countervailing|anti-?subsidy|safeguard|sima"
                        r"|definitive|and|,)\s*)*(?:dut(?:y|ies)|measures?|orders?|undertakings?)"
                        r"\s+in force\b")
_EXPIRY_ORDER_RE = _rx(r"\brr\s?-\s?(?:19|20)\d\d\s?-\s?\d{3}\b|\bexpiry review\b")


def detect_stage(title: str, action: str, proceeding: str) -> tuple[str, str]:
    """The stage and the phrase that decided it; court steps are always stage court_decision."""
    if proceeding == "court_decision":
        return "court_decision", "court decision"
    step = fold(stage_part(title))
    in_force = _IN_FORCE_STEP_RE.search(step)
    if in_force:
        continued = _EXPIRY_ORDER_RE.search(step)
        if continued:
            return "continuation", f"{in_force.group(0).strip()} ({continued.group(0)})"
        return "order", in_force.group(0).strip()
    for source in (stage_part(title), action, title):
        folded = _MEASURE_IN_FORCE_RE.sub(" ", fold(source))
        for name, pattern in _STAGES:
            match = pattern.search(folded)
            if match:
                return name, match.group(0).strip()
        found = languages.earliest_stage(folded, weak=False)
        if found:
            return found.name, found.phrase
    return "other", ""


# UK Trade Remedies Service: a case's notice ends its title '<case type> — <Status>' and its text
# has a 'Status:' line, the Status being a public_name of tra_case_stages.json. First match wins.
# The Statement of Essential Facts (and the Statement of intended final determination of
# safeguard cases) is the TRA's published interim finding before its final determination, the
# step where exporters comment, as a provisional determination is: stage preliminary. 'Case
# closed' does not say whether measures were imposed: other.
_UK_STATUSES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("other", _rx(r"reconsideration|appeal|\bdraft\b|submitted for review|case closed")),
    ("termination", _rx(r"initiation declined|\bterminat|\bwithdrawn\b|insufficient to proceed")),
    ("revocation", _rx(r"\bmeasures? (?:have )?(?:expired|revoked)\b")),
    ("order", _rx(r"\bmeasures? (?:in force|imposed|applied)\b")),
    ("preliminary", _rx(r"statement of essential facts|statement of intended final determination"
                        r"|\bprovisional\b|\bpreliminary\b")),
    ("final", _rx(r"\bfinal (?:determination|recommendation)")),
    ("initiation", _rx(r"\binitiat|investigation in progress|\bregistration\b|questionnaires?"
                       r"|\bverification\b|review in progress")),
    ("petition", _rx(r"\bapplication\b|case assessed")),
)
_UK_STATUS_LINE_RE = re.compile(r"^\s*Status:\s*(.+?)\s*$", re.MULTILINE)
_UK_CLOSED_LINE_RE = re.compile(r"^\s*Closed:\s*\S", re.MULTILINE)


def uk_status_stage(title: str, text: str) -> tuple[str, str] | None:
    """The stage of a UK TRA case from its Status (the title's last ' — ' part, else the text's
    'Status:' line); a completed case listed without one ('Closed: ...') is stage other; None
    when neither says."""
    parts = _DASH_PART_RE.split(stage_part(title))
    line = _UK_STATUS_LINE_RE.search(text)
    status = parts[-1] if len(parts) > 1 else (line.group(1) if line else "")
    for name, pattern in _UK_STATUSES:
        if status and pattern.search(status):
            return name, f"UK TRA status '{status.strip()}'"
    if not status and _UK_CLOSED_LINE_RE.search(text):
        return "other", "a completed UK TRA case (closed), its outcome not stated"
    return None


_DETERMINATION_RE = _rx(r"\bdetermination\b")


def names_a_determination(title: str) -> bool:
    """'Determination in the Less-Than-Fair-Value Investigation: ...' (FR public inspection)
    names a step without saying which: better stage other than a guess from the text."""
    return bool(_DETERMINATION_RE.search(fold(title)))


def is_new_case(proceeding: str, stage: str) -> bool:
    """A petition or initiation of a new investigation or circumvention inquiry opens a new case."""
    return stage in ("petition", "initiation") and proceeding in ("investigation", "circumvention")
