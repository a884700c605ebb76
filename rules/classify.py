"""Is a notice a trade remedy, which measures, which proceeding (its stage: rules/stages.py).

Decided from wording, in the order of evidence strength: case numbers, then AD/CVD/SG phrases, then
the title grammar "<product> From <countries>; <review step>" (ITC title-only notices). Look-alikes
(FAA Airworthiness Directives "AD", NRC "safeguards", EPA "ocean dumping", Section 232/301/337,
copyright anti-circumvention) are refused unless a case number says otherwise.
"""

import re
from dataclasses import dataclass

from rules import languages
from rules.countries import title_origin_list
from rules.markets import remedy_named_bodies
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


def lookalike(folded: str) -> str | None:
    """What a look-alike of folded text is (Section 301, an Airworthiness Directive), or None."""
    if not _ANY_LOOKALIKE_RE.search(folded):
        return None
    return next(why for pattern, why in _LOOKALIKES if pattern.search(folded))


# All of them in one pattern, which a text matches when it matches any: searched once, it spares
# most notices (none of them look alike) a search per look-alike.
_ANY_LOOKALIKE_RE = _rx("|".join(f"(?:{pattern.pattern})" for pattern, _ in _LOOKALIKES))

_AD_RE = _rx(
    r"\banti-?dumping\b|\bless[- ]than[- ]fair[- ]value\b|\bLTFV\b|\bdumped imports\b"
    r"|\bdumping margins?\b|\bchong ban pha gia\b|\bantidumping\b"
    r"|\bdumping\b(?= duty| duties| investigation| probe| inquiry| inquiries"
    r"| and subsid\w* (?:probe|investigation|inquir)| and countervailing dut)"
    # the ITC's 'imports ... allegedly sold below fair value'
    r"|\b(?:sold|sales) (?:at )?below fair value\b"
    # 'an investigation into the alleged dumping of ...', 'continued or resumed dumping' (not the
    # 'Continued Dumping and Subsidy Offset' of the Byrd Amendment)
    r"|\b(?:alleged|resumed|injurious) dumping\b"
    # an injury finding's words: 'the dumping of conduit from China has caused or is threatening
    # to cause injury'
    r"|\bdumping\b(?=[^.;]{0,160}\b(?:caus\w*|threaten\w*)\b[^.;]{0,40}\binjur)"
    # Canada's CBSA: 'Dumping and subsidizing investigation — Preliminary determination'.
    r"|\bdumping and subsidi[sz](?:ing|ation)\b"
)
# 'Countervailing' names the remedy only with a remedy's noun ('countervailing probe', '...
# and anti-dumping duties'), not as a plain adjective ('countervailing forces on inflation');
# Mexico's 'countervailing quotas' (cuotas compensatorias) are its anti-dumping duties: no CVD.
_CVD_RE = _rx(
    r"\bcountervailing dut(?:y|ies)\b|\bcountervailable\b|\banti-?subsidy\b|\bchong tro cap\b"
    r"|\bcountervailing\b(?=[\s-]+(?:\(cvd\)\s+)?(?:dut|duy\b|and\b|or\b|subsid|measures?\b"
    r"|investigation|probe|case|petition|proceeding|order|inquir|tariff|levy|levies|action"
    r"|review|determination|complaint|code\b|law|statute|remed|rates?\b|margin)|\))"
    r"|\bsubsidi[sz](?:ing|ation) investigation\b"
    r"|\bdumping and subsidi[sz](?:ing|ation)\b"
    # USITC: 'imports ... alleged to be sold at less than fair value and subsidized by the
    # Government of ...'.
    r"|\bsubsidi[sz]ed (?:by the governments? of|imports)\b"
    r"|\bfair value and (?:allegedly )?subsidi[sz]ed\b|\ballegedly subsidi[sz]ed\b"
    # 'the alleged subsidizing of the same goods', 'dumping and subsidy probes', and Vietnamese
    # 'thuế đối kháng' (countervailing duty, as some press translates it)
    r"|\b(?:alleged|injurious) subsidi[sz](?:ing|ation)\b|\bthue doi khang\b"
    r"|\bsubsid(?:y|ies) (?:probes?|investigations?|inquiry|inquiries|case)\b"
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


# Notices on how cases are run, not on a case: the binational panels' rosters and rules of
# procedure (USMCA Article 10.12, NAFTA Article 1904), the ITC's rules, the agencies' information
# collections.
_INSTITUTIONAL_RE = _rx(r"\bpanels? roster\b|\broster of panelists\b|\bprocedures and rules\b"
                        r"|\brules of procedure\b|\bimplementing rules\b|\brules of practice\b"
                        # the Paperwork Reduction Act's collections, an ITC survey's among them
                        r"|\binformation collections?\b|\bgeneric clearance\b")

# A rule-making on the remedy law itself: the agency amends or proposes its regulations, rules or
# policy for every proceeding (service of documents, a methodology, the annexes); it names no case.
_RULE_MAKING_TEXT_RE = _rx(
    r"\b(?:amend|modif|revis|remov|codif|issu)\w* (?:its|the|two|certain|a new) (?:\S+ ){0,5}?"
    r"(?:regulations|rules of practice|requirements|regulation(?= that| to| on|\.|,))\b"
    r"|\bdiscontinu\w* (?:its |the )?(?:\S+ ){0,2}?polic(?:y|ies)\b")


def _rule_making(title: str, text: str) -> re.Match[str] | None:
    """The words of a rule-making on the remedy law, in a title naming no goods from an origin
    and a text saying the agency changes its regulations or policy: no case, so no alert."""
    folded = squash(fold(title))
    if _GOODS_FROM_RE.search(folded):
        return None
    return _RULE_MAKING_TEXT_RE.search(squash(fold(text)))


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


# The patterns _wording_verdict reads after anti-dumping wording (which most remedies have), in
# one, which matches where one of them does: a text with none of them (most notices of other
# agencies) is searched twice, not six times.
_OTHER_WORDING_RE = _rx("|".join(f"(?:{pattern.pattern})" for pattern in (
    _CVD_RE, _SG_RE, _REMEDY_CONTEXT_RE, _ANY_LOOKALIKE_RE)))


def _wording_verdict(both: str, uk_safeguard: re.Match[str] | None) -> Verdict | None:
    """The verdict of remedy wording and look-alikes in folded text; None when it has neither.
    Anti-dumping or countervailing wording outweighs a look-alike."""
    ad = _AD_RE.search(both)
    if ad:
        return Verdict(True, (f"anti-dumping wording: '{ad.group(0)}'",))
    if not _OTHER_WORDING_RE.search(both):
        return None
    cvd = _CVD_RE.search(both)
    if cvd:
        return Verdict(True, (f"countervailing-duty wording: '{cvd.group(0)}'",))
    for pattern, why in _LOOKALIKES if _ANY_LOOKALIKE_RE.search(both) else ():
        if uk_safeguard and "safeguarding" in why:
            continue
        if pattern.search(both):
            return Verdict(False, (f"not a trade remedy: {why}",))
    for pattern, label in ((_SG_RE, "safeguard"), (_REMEDY_CONTEXT_RE, "trade-remedy")):
        match = pattern.search(both)
        if match:
            return Verdict(True, (f"{label} wording: '{match.group(0)}'",))
    return None


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
    institutional = _INSTITUTIONAL_RE.search(fold(title)) or _rule_making(title, text)
    if institutional:
        return Verdict(False, (f"not a trade remedy: '{institutional.group(0)}' is about how "
                               "cases are run, not a proceeding",))
    verdict = _wording_verdict(both, uk_safeguard)
    if verdict:
        return verdict
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
        folded = remedy_named_bodies().sub(" ", _ALIGNMENT_RE.sub(" ", fold(text)))
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
                           r"|\bcourt of international trade\b|\bfederal circuit\b"
                           r"|\bcourt of appeals\b|\bdispute settlement\b"
                           r"|\bwto dispute\b"
                           r"|\bbinational panel\b|\bnafta panel\b|\busmca\b")),
    ("circumvention", _rx(r"\bcircumvent|\banti-?circumvention\b|\bchong lan tranh\b")),
    ("scope", _rx(r"\bscope (?:ruling|determination|inquir)")),
    ("new_shipper_review", _rx(r"\bnew shipper review")),
    ("changed_circumstances", _rx(r"\bchanged circumstances?\b"
                                  r"|(?<!expiry )(?<!sunset )\breview of (?:the )?"
                                  r"(?:anti-?dumping |countervailing )?measures\b")),
    # 'five-year duties' say how long a measure lasts, not which review
    ("expiry_review", _rx(r"\bsunset\b|\bfive-year\b(?! (?:anti-?dumping |countervailing )?"
                          r"(?:dut|tariff|measure|period|term))"
                          r"|\bexpiry review\b|\bcontinuation of\b"
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


# Administrative bodies named 'tribunal' that decide injury, not courts: the Canadian
# International Trade Tribunal.
_TRIBUNAL_BODIES_RE = _rx(r"\b(?:canadian )?international trade tribunal\b")


def detect_proceeding(title: str, action: str, text: str) -> tuple[str, str]:
    """The proceeding type and the phrase that decided it (title, then FR action, then text)."""
    for source in (title, action, text):
        folded = _TRIBUNAL_BODIES_RE.sub(" ", fold(source))
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
