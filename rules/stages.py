"""The stage a notice announces, and whether it opens a new case.

Read from the part of the title after the product and origins (after ':' or ';'), then the FR
action, in every language of the sources; the UK TRA's status line; reviews' steps are results.
"""

import re

from rules import languages
from rules.text import fold


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


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
                  r"|notice of scope ruling applications|addendum|correction|amendment"
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


def within_proceeding(proceeding: str, stage: str) -> tuple[str, str] | None:
    """The stage a proceeding makes of a stage word, with the reason, or None when it stays.

    A review's determinations are its results; a review ended before its results (requests
    withdrawn, no entries) is rescinded, except an expiry review, whose end is the measure's;
    a scope ruling decides what an order covers, a procedural step of that order."""
    if proceeding in REVIEWS and stage in ("preliminary", "final"):
        return "results", f"{stage} step of a review"
    if proceeding in REVIEWS and proceeding != "expiry_review" and stage == "termination":
        return "rescission", "a review ended before its results"
    if proceeding == "scope" and stage in ("final", "results", "order"):
        return "other", f"a scope ruling ({stage}) is a procedural step of the order"
    return None
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
# '... Final Determination ... and Imposition of Definitive Anti-dumping Duties thereof': the
# notice imposes the measure itself, so its step is the measure (as an EU 'Regulation imposing a
# definitive anti-dumping duty' is).
_IMPOSES_DEFINITIVE_RE = _rx(r"\bimposition of (?:the )?definitive (?:anti-?dumping|countervailing"
                             r"|anti-?subsidy|safeguard) (?:dut(?:y|ies)|measures?)\b")
_EXPIRY_ORDER_RE = _rx(r"\brr\s?-\s?(?:19|20)\d\d\s?-\s?\d{3}\b|\bexpiry review\b")


def detect_stage(title: str, action: str, proceeding: str) -> tuple[str, str]:
    """The stage and the phrase that decided it; court steps are always stage court_decision."""
    if proceeding == "court_decision":
        return "court_decision", "court decision"
    step = fold(stage_part(title))
    imposed = _IMPOSES_DEFINITIVE_RE.search(fold(title))
    if imposed:
        return "order", imposed.group(0).strip()
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


_CORRECTION_RE = _rx(r"[;:,]\s*(?:notice of )?correction\s*$|^\s*correction\b|\bdinh chinh\b")


def is_correction(title: str) -> bool:
    """'...: Initiation of Less-Than-Fair-Value Investigation; Correction' mends an earlier
    notice: it restates that notice's step and opens nothing."""
    return bool(_CORRECTION_RE.search(fold(title)))


def is_new_case(proceeding: str, stage: str, title: str = "") -> bool:
    """A petition or initiation of a new investigation or circumvention inquiry opens a new case
    (its correction does not)."""
    return (stage in ("petition", "initiation")
            and proceeding in ("investigation", "circumvention") and not is_correction(title))
