"""`analyse(notice, sectors)`: compose the rules into one explainable Analysis.

Order follows the evidence: case numbers, trade remedy or not, market, measures, proceeding, stage,
origins and Vietnam's role, products (HS, sectors), deadlines, severity. Each step appends a reason.
"""

import re
from collections.abc import Mapping, Sequence
from typing import Any

from config.sectors import Sector
from rules import case_numbers as cn
from rules import classify, countries
from rules.deadlines import find_deadlines
from rules.hs_codes import extract_hs_codes
from rules.notice import Analysis, Notice
from rules.sectors import OTHER, SectorIndex, index_for, product_part
from rules.severity import assess
from rules.text import squash

_MARKET_RE = re.compile(r"^(?:[A-Z]{2}|EU)$")
_CIRCUMVENTION_CONTEXT_RE = re.compile(
    r"circumvent|completed in|assembled in|further processed in|processed in|third countr"
    r"|certif(?:y|ication)|with respect to|exports? from|transship|lan tranh",
    re.IGNORECASE,
)
_ITC_PHASE_RE = re.compile(r"\((?:[a-z]+ )?review\)|\((preliminary|final)\)", re.IGNORECASE)


def _as_text(value: Any) -> str:
    """A raw FR field as text: lists are joined (docket_ids), dicts give their name/slug."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return " ".join(str(value.get(k) or "") for k in ("name", "slug", "raw_name"))
    if isinstance(value, list | tuple):
        return ", ".join(_as_text(v) for v in value)
    return str(value)


def _body(notice: Notice) -> str:
    """The notice text, or the source's abstract/dates when the text is empty."""
    if notice.text.strip():
        return squash(notice.text)
    return squash(" ".join(_as_text(notice.raw.get(k)) for k in ("abstract", "dates", "action")))


def _vietnam_role(
    notice: Notice, body: str, origins: list[str], case_origins: list[str], proceeding: str
) -> tuple[str, str]:
    """Vietnam's role: subject, circumvention target or none, with the reason."""
    if notice.market == "VN":
        return "none", ("Vietnam is the investigating market (its own case on imports): "
                        "no export warning")
    if countries.VIETNAM in origins:
        return "subject", "Vietnam is a named origin of the goods"
    if countries.VIETNAM in case_origins:
        return "subject", "a Commerce case number with country code 552 (Vietnam)"
    if countries.VIETNAM in countries.third_countries(notice.title):
        return "circumvention", ("the title names Vietnam as a third country "
                                 "('With Respect to' / 'Exports From')")
    everything = f"{notice.title} {body}"
    if countries.mentions_vietnam(everything):
        if proceeding in ("circumvention", "scope") or _CIRCUMVENTION_CONTEXT_RE.search(everything):
            return "circumvention", ("Vietnam is named as a third country in a circumvention/scope "
                                     "proceeding on another origin's order")
        if countries.names_vietnamese_firm(everything):
            return "circumvention", ("a Vietnamese firm is a party to a proceeding on another "
                                     "origin's order (third-country exposure)")
        return "none", "Vietnam is mentioned, but not as an origin or circumvention target"
    return "none", "Vietnam is not named"


def _origins(notice: Notice, body: str) -> tuple[list[str], str]:
    """Origins from the title's 'From ...' lists (not 'Exports From'), else from the text."""
    found = countries.origins_after_from(notice.title)
    if found:
        return found, f"origins from the title: {', '.join(found)}"
    found = countries.origins_after_from(body)
    if found:
        return found, f"origins from the text: {', '.join(found)}"
    return [], "no origin named in title or text"


def _sectors(
    index: SectorIndex, notice: Notice, body: str, hs_codes: list[str]
) -> tuple[list[str], str]:
    """Sectors by HS code, else product terms in the title's product part, else in the abstract."""
    product = product_part(notice.title)
    hits = index.by_hs(hs_codes)
    if hits:
        named = index.by_terms(product) if product else []
        common = {h.sector for h in named} & {h.sector for h in hits}
        # Title and HS agree: keep the agreement; they disagree: keep both (HS decides in DOMAIN,
        # but subscribers of the named product's sector must still hear of it).
        hits = [h for h in hits if h.sector in common] if common else hits + named
        return [h.sector for h in hits], "sector by HS (and title terms): " + "; ".join(
            f"{h.sector} ({h.evidence})" for h in hits)
    abstract = _as_text(notice.raw.get("abstract")) or body
    for label, text in (("title product", product), ("abstract", abstract)):
        hits = index.by_terms(text) if text else []
        if hits:
            return [h.sector for h in hits], f"sector from {label}: " + "; ".join(
                f"{h.sector} ({h.evidence})" for h in hits)
    if product.strip():
        return [OTHER], f"product '{product.strip()}' matches no sector term: sector other"
    return [], "no product named: no sector"


def analyse(
    notice_in: Notice | Mapping[str, Any] | Any, sectors: Sequence[Sector] | SectorIndex
) -> Analysis:
    """Analyse one notice (dict, dataclass or Notice) against the sector list."""
    notice = Notice.from_any(notice_in)
    body = _body(notice)
    raw = notice.raw
    dockets = _as_text(raw.get("docket_ids")) + " " + _as_text(raw.get("docket_id"))
    action = _as_text(raw.get("action"))
    numbers = cn.parse_case_numbers([dockets, notice.title, body], eu=notice.market == "EU")
    verdict = classify.decide_trade_remedy(notice.title, f"{body} {action}", numbers)
    result = Analysis(id=notice.id, reasons=list(verdict.reasons))
    if not verdict.trade_remedy:
        return result
    result.trade_remedy = True
    result.case_numbers = numbers
    if notice.market and _MARKET_RE.match(notice.market):
        result.market = notice.market
        result.reasons.append(
            f"market {notice.market}: the publisher's authority runs the proceeding")
    else:
        result.reasons.append(
            f"market unknown: publisher market {notice.market!r} is not a national one")

    result.measures = classify.detect_measures(notice.title, body, numbers)
    result.reasons.append(f"measures: {', '.join(result.measures) or 'not stated'}")
    proceeding, why = classify.detect_proceeding(notice.title, action, body)
    if proceeding == "other":
        phase = _ITC_PHASE_RE.search(dockets)
        if phase:
            proceeding = "investigation" if phase.group(1) else "expiry_review"
            why = f"ITC docket {phase.group(0)}"
    result.proceeding = proceeding
    result.reasons.append(f"proceeding {proceeding}" + (f" ('{why}')" if why else ""))
    result.stage, why = classify.detect_stage(notice.title, action, proceeding)
    if proceeding in classify.REVIEWS and result.stage in ("preliminary", "final"):
        result.stage, why = "results", f"{result.stage} step of a review: '{why}'"
    result.reasons.append(f"stage {result.stage}" + (f" ('{why}')" if why else ""))
    result.new_case = classify.is_new_case(proceeding, result.stage)
    if result.new_case:
        result.reasons.append("new case: a petition or initiation opens an investigation/inquiry")

    origins, why = _origins(notice, body)
    result.reasons.append(why)
    case_origins = [o for o in (cn.origin_of(n) for n in numbers) if o]
    result.vietnam, why = _vietnam_role(notice, body, origins, case_origins, proceeding)
    result.reasons.append(why)
    found = set(origins) | set(case_origins)
    if proceeding in ("circumvention", "scope"):
        found |= set(countries.third_countries(notice.title))
    if result.vietnam == "circumvention":
        found.add(countries.VIETNAM)
    result.countries = sorted(found)

    result.hs_codes = extract_hs_codes(f"{notice.title} {body}")
    result.sectors, why = _sectors(index_for(sectors), notice, body, result.hs_codes)
    result.reasons.append(why)
    result.deadlines = find_deadlines(body, notice.published)
    if result.deadlines:
        result.reasons.append("deadlines: " + ", ".join(
            f"{d.kind} {d.date.isoformat()}" for d in result.deadlines))
    result.severity, why = assess(
        trade_remedy=True, vietnam=result.vietnam, proceeding=proceeding, stage=result.stage,
        new_case=result.new_case,
        measures=result.measures, sectors=result.sectors, market=result.market,
        deadlines=result.deadlines, published=notice.published,
    )
    result.reasons.append(why)
    return result
