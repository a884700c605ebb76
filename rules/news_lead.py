"""What a news item's lead says of the case: whether it names one case (a measure's investigation,
review or order, not trade remedies in general), and which step its first sentence reports. A
headline may say less than its story ('Commerce sets verification of Vietnamese rebar
producers'); the lead's first sentence then tells the step and the case (rules/news.py)."""

import re

from rules import languages

SENTENCES_RE = re.compile(r"(?<=[.;!?])\s+")


# A case named in a lead: a measure's investigation or case ('vụ việc điều tra chống bán phá giá
# đối với ...'), not trade remedies in general ('các quy định về phòng vệ thương mại').
_LEAD_CASE_RE = re.compile(
    r"\b(?:vu viec|vu kien|dieu tra|ra soat|investigation|inquiry|review|case|lenh(?: ap thue)?)\b"
    r"[^.;]{0,40}?"
    r"\b(?:chong ban pha gia|chong tro cap|tu ve|chong lan tranh|anti-?dumping|countervailing"
    r"|anti-?subsidy|safeguard|dumping)\b"
    r"|\b(?:anti-?dumping|countervailing)(?: duty)? orders?\b"
    # English names the measure first: 'the antidumping investigation of ...', 'exemption from
    # the anti-dumping duties on Chinese hot-rolled coil'
    r"|\b(?:anti-?dumping|countervailing(?: duty)?|anti-?subsidy|safeguard|circumvention"
    r"|less[- ]than[- ]fair[- ]value) (?:investigation|inquiry|probe|review|case|proceeding)s?\b"
    r"|\b(?:anti-?dumping|countervailing|anti-?subsidy|safeguard) (?:dut(?:y|ies)|measures?)"
    r" (?:on|against|imposed on)\b"
    r"|\b(?:thue|bien phap) (?:chong ban pha gia|chong tro cap|tu ve)"
    r"(?: va (?:chong )?(?:ban pha gia|tro cap))? (?:doi voi|voi|ap voi|ap dung voi)\b"
    # CBP's evasion cases: 'cuộc điều tra theo Đạo luật EAPA', 'an EAPA investigation'
    r"|\b(?:dieu tra|investigation|case|inquiry)\b[^.;]{0,30}?\beapa\b"
    r"|\beapa (?:investigation|case|inquiry|dieu tra)\b"
    # Spanish and Portuguese: 'el procedimiento de revisión de las cuotas compensatorias'
    r"|\b(?:investigacion|revision|procedimiento|examen|investigacao|revisao|procedimento)\b"
    r"[^.;]{0,40}?\b(?:antidumping|cuotas? compensatorias?|derechos? (?:antidumping"
    r"|compensatorios?)|direitos? (?:antidumping|compensatorios?)|salvaguardias?|dumping"
    r"|subvenciones|subsidios)\b")


def case_in_lead(lead: str) -> bool:
    """The lead names one case, so a procedural headline is that case's step."""
    return bool(_LEAD_CASE_RE.search(lead))


def first_step(lead: str) -> languages.Found | None:
    """The step the lead's first sentence reports of the one case it names, with no figures
    ('ADC đã ban hành quyết định sơ bộ trong vụ điều tra chống bán phá giá ...', 'Commerce will
    conduct on-site verification ... in the antidumping investigation of ...', 'The Anti-Dumping
    Review Panel has recommended ... revoke the ... dumping duty notice'): a procedural step or
    an appeal panel's ruling included."""
    first = SENTENCES_RE.split(lead, maxsplit=1)[0]
    if not case_in_lead(first) or languages.statistics(first) is not None:
        return None
    return languages.earliest_stage(first, weak=False) or court_in(first)


def opens_with_step(lead: str) -> bool:
    """The lead's first sentence reports a stage of one case: a headline of advice, market or
    general words ('Doanh nghiệp cần theo dõi ... tại thị trường Úc') says less than its story."""
    step = first_step(lead)
    return step is not None and step.name not in ("other", "court_decision")


# Canada's International Trade Tribunal finds injury, as the ITC does: it is called a 'tòa án' in
# Vietnamese and a tribunal in English, but its findings are no court's ruling.
TRIBUNAL_RE = re.compile(r"\b(?:toa an|toa) thuong mai quoc te canada\b"
                          r"|\bcanadian international trade tribunal\b"
                          r"|\btribunal canadien du commerce exterieur\b")


BARE_TRIBUNAL_RE = re.compile(r"\b(?:tribunal|toa(?: an)?)(?:'s)?\b")


def court_in(folded: str) -> languages.Found | None:
    """A court named in a headline or a lead's sentence, as a procedural step (the lead says of
    which case)."""
    found = languages.proceeding(TRIBUNAL_RE.sub(" ", folded))
    return found if found and found.name == "court_decision" else None
