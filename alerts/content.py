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

STAGES = {
    "petition": Explained(
        N_("Petition"),
        N_(
            "A domestic industry has asked the authority to open a case. Nothing is due yet, but "
            "an initiation usually follows within weeks: gather your export quantities and values "
            "for this market now and contact your association."
        ),
    ),
    "initiation": Explained(
        N_("Initiation of investigation"),
        N_(
            "The investigation has opened. Register as an interested party and answer the "
            "quantity-and-value (Q&V) questionnaire by the deadline: a firm that misses it is "
            "given the punitive “facts available” rate, usually the highest."
        ),
    ),
    "preliminary": Explained(
        N_("Preliminary determination"),
        N_(
            "The authority has set provisional rates. From now on importers pay cash deposits "
            "(provisional duties) on every shipment: budget for them, check your firm's rate and "
            "prepare for verification and the final determination."
        ),
    ),
    "final": Explained(
        N_("Final determination"),
        N_(
            "The authority has set final rates. Once the order or definitive measure is "
            "published the duty is real: price it into your contracts."
        ),
    ),
    "order": Explained(
        N_("Duty order"),
        N_(
            "The duty is in force. Every shipment pays it until a review changes your firm's "
            "rate; a review can be requested every year in the order's anniversary month."
        ),
    ),
    "results": Explained(
        N_("Review results"),
        N_(
            "The review has set new rates firm by firm. Check your firm's rate: final results "
            "become the cash deposit rate on your next shipments."
        ),
    ),
    "continuation": Explained(
        N_("Continuation of the measure"),
        N_(
            "The measure continues for another five years. Your duty stays; lowering it now "
            "takes an administrative review."
        ),
    ),
    "termination": Explained(
        N_("Termination"),
        N_(
            "The case or measure ends (terminated or withdrawn). No duty follows from it; check "
            "whether cash deposits will be refunded."
        ),
    ),
    "revocation": Explained(
        N_("Revocation of the measure"),
        N_(
            "The measure is revoked: shipments no longer pay this duty. Check from which date and "
            "whether cash deposits will be refunded."
        ),
    ),
    "rescission": Explained(
        N_("Rescission of the review"),
        N_(
            "The review is cancelled, for all firms or for some: those firms keep their current "
            "rate until a later review."
        ),
    ),
    "court_decision": Explained(
        N_("Court or WTO decision"),
        N_(
            "A court or WTO decision may change an order's reach or rates. Check whether your "
            "rate or product is affected."
        ),
    ),
}
OTHER_STAGE = Explained(
    N_("Other step"),
    N_("Read the notice to see whether it changes what you must do or pay."),
)
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

# Proceedings other than the original investigation: what they ask of the exporter.
PROCEEDINGS = {
    "administrative_review": Explained(
        N_("Administrative review"),
        N_(
            "A review sets new rates firm by firm. Request a review or take part in this one to "
            "lower your rate; firms that stay out keep their current rate or get the rate for "
            "all others."
        ),
    ),
    "new_shipper_review": Explained(
        N_("New shipper review"),
        N_(
            "A new shipper review lets an exporter that did not ship during the investigation "
            "obtain its own rate instead of the country-wide rate."
        ),
    ),
    "expiry_review": Explained(
        N_("Sunset (expiry) review"),
        N_(
            "The measure reaches the end of its five years. Decide whether to take part: "
            "exporters who reply by the deadline can argue that the duty should end; if the "
            "domestic industry does not defend it, the measure lapses."
        ),
    ),
    "scope": Explained(
        N_("Scope ruling"),
        N_(
            "A scope ruling decides whether a product falls under an existing order. Check "
            "whether your goods are affected."
        ),
    ),
    "changed_circumstances": Explained(
        N_("Changed circumstances review"),
        N_(
            "A changed circumstances review can change who pays or how much, for example after a "
            "change of owner or name. Check whether your firm is named."
        ),
    ),
    "circumvention": Explained(N_("Anti-circumvention inquiry"), ""),
    "court_decision": Explained(N_("Court or WTO decision"), ""),
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
_EXPIRY_OUTCOME = Explained(
    "",
    N_(
        "The sunset review is reaching its outcome: if the measure is continued it applies for "
        "another five years, and only a review can lower your rate meanwhile."
    ),
)
# Advice for a stage that means something else inside a given proceeding.
_ADVICE_IN_PROCEEDING = {
    ("expiry_review", "preliminary"): _EXPIRY_OUTCOME,
    ("expiry_review", "final"): _EXPIRY_OUTCOME,
    ("expiry_review", "results"): _EXPIRY_OUTCOME,
    ("administrative_review", "preliminary"): STAGES["results"],
    ("administrative_review", "final"): STAGES["results"],
    ("new_shipper_review", "preliminary"): STAGES["results"],
    ("new_shipper_review", "final"): STAGES["results"],
}
# Stages whose consequence does not depend on the proceeding they end or decide.
_DECISIVE_STAGES = {
    "termination",
    "revocation",
    "rescission",
    "continuation",
    "court_decision",
    "results",
    "order",
}

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
            "your exports of this product to this market."
        ),
    ),
}

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


def step_for(proceeding: object, stage: object) -> Step:
    """Label and advice for a stage within its proceeding (message ids).

    The rules report both because "initiation" of an administrative review asks for something
    else (request or join the review) than "initiation" of an investigation (register, answer the
    Q&V questionnaire).
    """
    p_key = _alias(proceeding, _PROCEEDING_ALIASES)
    s_key = _alias(stage, _STAGE_ALIASES)
    step = STAGES.get(s_key)
    proc = PROCEEDINGS.get(p_key)
    advice = _ADVICE_IN_PROCEEDING.get((p_key, s_key))
    if advice is None and step is not None and s_key in _DECISIVE_STAGES:
        advice = step
    if advice is None and proc is not None and proc.advice:
        advice = proc
    return Step(_step_labels(proc, s_key, step), (advice or step or OTHER_STAGE).advice)


def _step_labels(proc: Explained | None, s_key: str, step: Explained | None) -> tuple[str, ...]:
    if proc is None:
        return ((step or OTHER_STAGE).label,)
    if step is None or proc is STAGES.get(s_key) or proc.label == step.label:
        return (proc.label,)
    return proc.label, _STAGE_LABELS_AFTER_PROCEEDING.get(s_key, step.label)


def _alias(value: object, aliases: dict[str, str]) -> str:
    key = code_key(value)
    return aliases.get(key, key)


def measure_label(measure: object) -> str:
    key = code_key(measure).upper()
    return MEASURE_LABELS.get(_MEASURE_ALIASES.get(key, key), GENERIC_MEASURE)


def role_for(vietnam: object, measures: Iterable[object]) -> Explained:
    """Vietnam's role, falling back on what an alert about a case not naming Vietnam means.

    A safeguard names no origin, so "none" there means "covered like everyone"; anywhere else an
    alert that does not name Vietnam was sent because of the sector, that is, diversion risk.
    """
    key = code_key(vietnam)
    if key in ROLES:
        return ROLES[key]
    if any(measure_label(m) == MEASURE_LABELS["SG"] for m in measures):
        return ROLES["safeguard"]
    return ROLES["diversion"]


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

    Only the Federal Register style "<product> From <country>" is trusted; anything else returns
    "" so the caller uses the sector name rather than a random slice of a long title.
    """
    flat = _SPACES.sub(" ", title).strip()
    if _PRODUCT_SPLIT not in flat:
        return ""
    product = _LEADING_CERTAIN.sub("", flat.split(_PRODUCT_SPLIT, 1)[0]).strip()
    return shorten(product, limit)


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary so a subject line never ends mid-word."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut.rstrip(" ,;:-") + "…"
