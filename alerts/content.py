"""What an alert says about a case, as English message ids for the gettext catalogue.

The analysis contract speaks in codes (stage "preliminary", measure "AD", Vietnam role
"circumvention"); a subscriber needs words and, above all, what to do next. The texts live here,
marked with ``N_`` so Babel extracts them, and are translated only at render time: one source of
wording for both languages and for every template that needs it.

Lookups are tolerant on purpose. The rules package may spell a value differently ("sunset",
"expiry review") or add a new one; an alert with a generic label still warns the exporter, while a
KeyError would lose the alert.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rules.clock import read_basis
from rules.procedures import advice_for


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (the reader's language is unknown
    when the module is imported)."""
    return message


@dataclass(frozen=True)
class Explained:
    """A label plus the plain-language consequence for the exporter (both message ids)."""

    label: str
    advice: str


SEVERITY_LABELS = {
    "high": N_("HIGH"),
    "medium": N_("MEDIUM"),
    "low": N_("LOW"),
}
UNKNOWN_SEVERITY = N_("INFO")

MEASURE_LABELS = {
    "AD": N_("Anti-dumping"),
    "CVD": N_("Countervailing duty"),
    "SG": N_("Safeguard"),
    "CIRCUMVENTION": N_("Anti-circumvention"),
}
GENERIC_MEASURE = N_("Trade remedy")
_MEASURE_ALIASES = {
    "ANTIDUMPING": "AD",
    "ANTI_DUMPING": "AD",
    "COUNTERVAILING": "CVD",
    "CV": "CVD",
    "ANTI_SUBSIDY": "CVD",
    "AS": "CVD",
    "SAFEGUARD": "SG",
    "ANTI_CIRCUMVENTION": "CIRCUMVENTION",
    "AC": "CIRCUMVENTION",
}

STAGE_LABELS = {
    "petition": N_("Petition"),
    "initiation": N_("Initiation of investigation"),
    "preliminary": N_("Preliminary determination"),
    "final": N_("Final determination"),
    "order": N_("Duty order"),
    "results": N_("Review results"),
    "continuation": N_("Continuation of the measure"),
    "termination": N_("Termination"),
    "revocation": N_("Revocation of the measure"),
    "rescission": N_("Rescission of the review"),
    "court_decision": N_("Court or WTO decision"),
}
OTHER_STAGE = N_("Step not identified")
# A measure in force outside the United States is not an "order" (a US instrument).
DEFINITIVE_MEASURE = N_("Definitive measure")
_US = "US"
# The subject's tag for a trade-diversion warning, in place of the severity.
DIVERSION_TAG = N_("DIVERSION RISK")
# The salutation by the subscriber's kind, as an official letter opens.
GREETINGS = {
    "exporter": N_("Dear exporter,"),
    "association": N_("Dear association,"),
    "ministry": N_("Dear colleagues of the ministry,"),
}
# Used instead of the stage's own label after a proceeding's name ("Sunset review – initiation").
_STAGE_LABELS_AFTER_PROCEEDING = {"initiation": N_("initiation")}
_STAGE_ALIASES = {
    "complaint": "petition",
    "application": "petition",
    "initiated": "initiation",
    "provisional": "preliminary",
    "definitive": "order",
    "definitive_measure": "order",
    "withdrawal": "termination",
    "terminated": "termination",
    "court": "court_decision",
}

# Proceedings other than the original investigation.
PROCEEDING_LABELS = {
    "administrative_review": N_("Administrative review"),
    "new_shipper_review": N_("New shipper review"),
    "expiry_review": N_("Sunset (expiry) review"),
    "scope": N_("Scope ruling"),
    "changed_circumstances": N_("Changed circumstances review"),
    "circumvention": N_("Anti-circumvention inquiry"),
    "court_decision": N_("Court or WTO decision"),
}
_PROCEEDING_ALIASES = {
    "review": "administrative_review",
    "admin_review": "administrative_review",
    "sunset": "expiry_review",
    "sunset_review": "expiry_review",
    "expiry": "expiry_review",
    "scope_ruling": "scope",
    "changed_circumstances_review": "changed_circumstances",
    "anti_circumvention": "circumvention",
    "court": "court_decision",
}
SAFEGUARD_EXTENSION = N_("Review for extending the safeguard")
# Said instead of the procedure's advice when Vietnam is not named: a diversion warning asks
# the reader to watch, never to take part in another country's case.
DIVERSION_STEP_ADVICE = N_(
    "Vietnam is not named in this case: there is nothing for a Vietnamese exporter to file in it."
)
# Said after the advice when every deadline the notice states has passed at detection.
DEADLINES_PASSED = N_(
    "The deadlines this notice states have passed: ask the authority at once whether it still "
    "accepts your participation, and contact the Trade Remedies Authority of Vietnam."
)

# Said after the advice of a notice that corrects an earlier one (rules.stages.is_correction).
CORRECTION_NOTE = N_(
    "This notice corrects an earlier one: the case's dates and next steps stay those of the "
    "notice it corrects."
)

ROLES = {
    "subject": Explained(
        N_("Vietnam is a country under investigation"),
        N_(
            "Vietnamese goods are named in this case: Vietnamese exporters pay whatever duty "
            "results."
        ),
    ),
    "circumvention": Explained(
        N_("Vietnam is the target of a circumvention inquiry"),
        N_(
            "The inquiry asks whether goods completed in Vietnam evade an order on another "
            "country. If it finds so, Vietnamese exporters pay that order's duty: treat it as "
            "seriously as a new case."
        ),
    ),
    "safeguard": Explained(
        N_("The safeguard covers imports from all origins"),
        N_(
            "A safeguard applies to every origin, Vietnam included, unless Vietnam's share of "
            "imports stays under the developing-country threshold (under 3% each and 9% "
            "together). Check Vietnam's share of this market's imports."
        ),
    ),
    "diversion": Explained(
        N_("Vietnam is not named: trade-diversion risk"),
        N_(
            "This case concerns other origins in a sector Vietnam exports. Such cases are often "
            "followed within a few years by a case or a circumvention inquiry on Vietnam: watch "
            "your exports of this product to this market, keep proof of Vietnamese origin for "
            "every shipment, refuse orders to finish or relabel goods from the origins named, and "
            "follow the early warnings of the Trade Remedies Authority of Vietnam."
        ),
    ),
}
# Vietnam's role at a stage where the measure is in force: it is applied, no longer investigated.
_SUBJECT_OF_MEASURE = N_("Vietnam is a country subject to the measure")
_MEASURE_IN_FORCE_STAGES = frozenset({"order", "continuation", "results"})

DEADLINE_LABELS = {
    "interested_party": N_("Register as an interested party"),
    "q_and_v": N_("Quantity and value (Q&V) questionnaire"),
    "questionnaire": N_("Questionnaire response"),
    "sampling": N_("Sampling reply"),
    "comments": N_("Comments"),
    "scope_comments": N_("Comments on the product scope"),
    "case_briefs": N_("Case briefs"),
    "rebuttal_briefs": N_("Rebuttal briefs"),
    "hearing_request": N_("Request a hearing"),
    "hearing": N_("Hearing"),
    "review_request": N_("Request a review"),
    "intent_to_participate": N_("Notice of intent to participate"),
    "substantive_response": N_("Substantive response"),
    "preliminary_due": N_("Preliminary determination due"),
    "final_due": N_("Final determination due"),
}
GENERIC_DEADLINE = N_("Deadline")

# The statutory clock's next steps (rules/data/clock.yaml), as a case's "next expected" line.
NEXT_STEPS = {
    "initiation": N_("Decision to initiate"),
    "preliminary": N_("Preliminary determination"),
    "final": N_("Final determination"),
    "order": N_("Duty order"),
    "review_opportunity": N_("Opportunity to request an administrative review"),
    "notice_of_intent": N_("Notice of intent to participate"),
    "sunset_initiation": N_("Five-year (sunset) review"),
    "provisional": N_("Provisional duties"),
    "definitive": N_("Definitive duties"),
    "expiry": N_("Expiry of the measures"),
    "statement_of_essential_facts": N_("Statement of essential facts"),
    "report_to_minister": N_("Report to the Minister"),
}
GENERIC_NEXT_STEP = N_("Next step")
# The basis of the next step is the clock rule's English sentence, itself the message id (every
# sentence of clock.yaml is in the catalogue); a notice's postponement is said after it.
POSTPONED_BASIS = N_("%(basis)s (postponed by this notice)")
_DEADLINE_ALIASES = {
    "qv": "q_and_v",
    "q&v": "q_and_v",
    "quantity_and_value": "q_and_v",
    "registration": "interested_party",
    "make_known": "interested_party",
    "notice_of_appearance": "interested_party",
    "appearance": "interested_party",
    "comment": "comments",
    "briefs": "case_briefs",
    "rebuttal": "rebuttal_briefs",
    "request_hearing": "hearing_request",
    "request_review": "review_request",
    "intent": "intent_to_participate",
    "notice_of_intent": "intent_to_participate",
    "register": "interested_party",
    "preliminary": "preliminary_due",
    "final": "final_due",
}

_PRODUCT_SPLIT = " From "
# A generic heading, a colon, then "<product> from <country>" (Public Inspection titles).
_AFTER_HEADING_FROM = re.compile(r": (?P<product>[^:]+?) from (?:the )?[A-Z]")
_LEADING_CERTAIN = re.compile(r"^certain\s+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def code_key(value: object) -> str:
    """Normalise a contract code so "Expiry review", "expiry-review" and "expiry_review" agree."""
    return _SPACES.sub("_", str(value or "").strip().lower().replace("-", " "))


@dataclass(frozen=True)
class Step:
    """Where a notice stands: label parts (joined with a dash once translated) and advice."""

    labels: tuple[str, ...]
    advice: str
    # The advice is the market's own procedure (rules/data/procedures.yaml), not the default.
    modelled: bool = False


def step_for(proceeding: object, stage: object, market: object = None,
             measures: Iterable[object] = ()) -> Step:
    """Label and advice for a stage within its proceeding, in the market's procedure.

    The rules report both because "initiation" of an administrative review asks for something
    else (take part in the review) than "initiation" of an investigation (answer the
    questionnaires), and the market because each market's law asks for different things.
    """
    p_key = _alias(proceeding, _PROCEEDING_ALIASES)
    s_key = _alias(stage, _STAGE_ALIASES)
    codes = [_MEASURE_ALIASES.get(m, m) for m in (code_key(m).upper() for m in measures)]
    # An analysis without a proceeding (an older or partial one) is about the investigation.
    advice = advice_for(str(market or "") or None, p_key or "investigation", s_key, codes)
    labels = _step_labels(p_key, s_key, str(market or ""))
    if set(codes) == {"SG"} and p_key == "expiry_review":
        # a safeguard is extended, not reviewed at its sunset
        labels = (SAFEGUARD_EXTENSION, *labels[1:])
    return Step(labels, advice.text, advice.modelled)


def _step_labels(p_key: str, s_key: str, market: str = "") -> tuple[str, ...]:
    proc = PROCEEDING_LABELS.get(p_key)
    step = STAGE_LABELS.get(s_key)
    if s_key == "order" and market and market != _US:
        step = DEFINITIVE_MEASURE
    if proc is None:
        return (step or OTHER_STAGE,)
    if step is None or proc == step:
        return (proc,)
    return proc, _STAGE_LABELS_AFTER_PROCEEDING.get(s_key, step)


def _alias(value: object, aliases: dict[str, str]) -> str:
    key = code_key(value)
    return aliases.get(key, key)


def measure_label(measure: object) -> str:
    key = code_key(measure).upper()
    return MEASURE_LABELS.get(_MEASURE_ALIASES.get(key, key), GENERIC_MEASURE)


def role_for(vietnam: object, measures: Iterable[object], stage: object = None) -> Explained:
    """Vietnam's role, falling back on what an alert about a case not naming Vietnam means.

    A safeguard names no origin, so "none" there means "covered like everyone"; anywhere else an
    alert that does not name Vietnam was sent because of the sector, that is, diversion risk.
    Once a measure is in force Vietnam is subject to it, no longer under investigation.
    """
    key = code_key(vietnam)
    if key == "subject" and _safeguard_only(measures):
        return ROLES["safeguard"]  # a global safeguard names no one: Vietnam is covered
    if key == "subject" and _alias(stage, _STAGE_ALIASES) in _MEASURE_IN_FORCE_STAGES:
        return Explained(_SUBJECT_OF_MEASURE, ROLES["subject"].advice)
    if key in ROLES:
        return ROLES[key]
    if any(measure_label(m) == MEASURE_LABELS["SG"] for m in measures):
        return ROLES["safeguard"]
    return ROLES["diversion"]


def _safeguard_only(measures: Iterable[object]) -> bool:
    labels = {measure_label(m) for m in measures}
    return labels == {MEASURE_LABELS["SG"]}


def deadline_label(kind: object) -> str | None:
    """Message id for a deadline kind, or None when the kind is unknown (caller shows it raw)."""
    key = _alias(kind, _DEADLINE_ALIASES)
    return GENERIC_DEADLINE if key in ("", "other") else DEADLINE_LABELS.get(key)


def next_step_label(step: object) -> str:
    return NEXT_STEPS.get(code_key(step), GENERIC_NEXT_STEP)


def basis_text(basis: str, gettext: Callable[[str], str]) -> str:
    """A case's stored basis (rules/clock.py) in the reader's language; a sentence the catalogue
    does not know (from an older clock file) stays in English rather than being lost."""
    sentence, postponed = read_basis(basis)
    said = gettext(sentence) if sentence else ""
    return gettext(POSTPONED_BASIS) % {"basis": said} if postponed else said


def product_from_title(title: str, limit: int = 48) -> str:
    """The product named in a title such as "Certain Paper Shopping Bags From ...".

    Only the Federal Register styles "<product> From <country>" and "<heading>: <product> from
    <Country>" are trusted; anything else returns "" so the caller uses the sector name rather
    than a random slice of a long title.
    """
    flat = _SPACES.sub(" ", title).strip()
    if _PRODUCT_SPLIT in flat:
        product = flat.split(_PRODUCT_SPLIT, 1)[0]
    else:  # "Antidumping or Countervailing Duty ...: Mattresses from Cambodia, ..."
        listed = _AFTER_HEADING_FROM.search(flat)
        if listed is None:
            return ""
        product = listed.group("product")
    return shorten(_LEADING_CERTAIN.sub("", product).strip(), limit)


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary so a subject line never ends mid-word."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut.rstrip(" ,;:-") + "…"
