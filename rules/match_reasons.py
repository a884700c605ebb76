"""Why a notice matched a subscription: each reason is its English sentence and, as data, what
the sentence says.

``trews match`` prints the sentences; the database keeps both (``Reason.stored``), so an alert
can say why in its reader's language (``alerts.reasons``) without reading English back.

=========  =================================================  ===================================
code       facts                                              sentence
=========  =================================================  ===================================
role       role (subject, circumvention), stage, measures     Vietnam is subject in a final step
                                                              of a AD case
diversion  new_case, measures, origins, product (named_by:    trade-diversion risk: new AD case
           sectors, hs, keywords or none; names)              on CN in steel that Vietnam exports
product    all_sectors, sectors, hs (each: notice,            product: sector steel; HS 7306
           subscribed, relation), keywords                    subscribed; keyword 'pipe' in the
                                                              notice
hs         notice, subscribed, relation (same, under,         HS 730630 in the notice falls under
           covers)                                            subscribed 7306
market     market                                             market US is among the subscribed
                                                              markets
measure    measures                                           measure AD is among the subscribed
                                                              measures
severity   severity, minimum                                  severity medium meets the minimum
                                                              low
text       none: a reason stored before reasons had data      the stored sentence
=========  =================================================  ===================================
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

TEXT = "text"


class Reason(str):
    """A reason's English sentence (it is the string, so reasons compare, group and print as
    before) carrying its ``code`` and ``facts``."""

    code: str
    facts: Mapping[str, Any]

    def __new__(cls, text: str, code: str = TEXT, facts: Mapping[str, Any] | None = None
                ) -> Reason:
        reason = super().__new__(cls, text)
        reason.code, reason.facts = code, facts or {}
        return reason

    def stored(self) -> dict[str, Any]:
        """The reason as the database keeps it (JSON)."""
        return {"code": self.code, "text": str(self), "facts": self.facts}

    @classmethod
    def from_stored(cls, value: object) -> Reason:
        """A reason read back; a plain sentence (stored before reasons had data) is a "text"
        reason, said as it is."""
        if isinstance(value, Reason):
            return value
        if isinstance(value, Mapping):
            facts = value.get("facts")
            return cls(str(value.get("text", "")), str(value.get("code") or TEXT),
                       facts if isinstance(facts, Mapping) else {})
        return cls(str(value))


def stored_reasons(reasons: Sequence[str]) -> list[dict[str, Any]]:
    return [Reason.from_stored(reason).stored() for reason in reasons]


def named_sectors(reason: Reason) -> list[str]:
    """The sector ids a reason names (a product's sectors, a diversion's named product)."""
    if reason.code == "product":
        return [str(sector) for sector in reason.facts.get("sectors") or ()]
    if reason.code == "diversion" and reason.facts.get("named_by") == "sectors":
        return [str(sector) for sector in reason.facts.get("names") or ()]
    return []


def _measures_text(measures: Sequence[str]) -> str:
    return "/".join(measures) or "trade-remedy"


def role_reason(role: str, stage: str, measures: Sequence[str]) -> Reason:
    """Vietnam is a subject (or the target of circumvention) of the notice's case."""
    return Reason(f"Vietnam is {role} in a {stage} step of a {_measures_text(measures)} case",
                  "role", {"role": role, "stage": stage, "measures": list(measures)})


def diversion_reason(*, new_case: bool, measures: Sequence[str], origins: Sequence[str],
                     named_by: str, names: Sequence[str]) -> Reason:
    """A new case (or an order) on other origins in a product Vietnam exports; the product is
    named by the subscription's sectors, the notice's HS codes or the keywords found."""
    what = "new {} case" if new_case else "{} order"
    product = {"sectors": ", ".join(names), "hs": "HS " + ", ".join(names),
               "keywords": ", ".join(f"'{name}'" for name in names)}.get(named_by,
                                                                       "its product")
    return Reason(
        "trade-diversion risk: " + what.format(_measures_text(measures)) +
        f" on {', '.join(origins) or 'other origins'} in {product} that Vietnam exports",
        "diversion", {"new_case": new_case, "measures": list(measures), "origins": list(origins),
                      "named_by": named_by, "names": list(names)})


def hs_reason(notice_code: str, sub_code: str, *, inferred: bool = False) -> Reason | None:
    """The reason when one code is a prefix of the other, else None. An `inferred` notice code
    is one the rules read from the product's name in the nomenclature, not one the notice
    states, and the reason says so."""
    said = "inferred from the product's name" if inferred else "in the notice"
    if notice_code == sub_code:
        sentence = (f"HS {notice_code} subscribed" if not inferred
                    else f"HS {notice_code} subscribed, {said}")
        return Reason(sentence, "hs", _hs(notice_code, sub_code, "same", inferred))
    if notice_code.startswith(sub_code):
        return Reason(f"HS {notice_code} {said} falls under subscribed {sub_code}", "hs",
                      _hs(notice_code, sub_code, "under", inferred))
    if sub_code.startswith(notice_code):
        return Reason(f"HS {notice_code} {said} covers subscribed {sub_code}", "hs",
                      _hs(notice_code, sub_code, "covers", inferred))
    return None


def _hs(notice_code: str, sub_code: str, relation: str, inferred: bool) -> dict[str, Any]:
    facts: dict[str, Any] = {"notice": notice_code, "subscribed": sub_code, "relation": relation}
    if inferred:
        facts["inferred"] = True
    return facts


def product_reason(*, all_sectors: bool, sectors: Sequence[str], hs: Sequence[Reason],
                   keywords: Sequence[str]) -> Reason:
    """What of the subscription's products the notice concerns. (Built for every group of
    matches the index finds: kept to one pass over the evidence.)"""
    evidence = ["watches every sector"] if all_sectors else []
    if sectors:
        evidence.append(("sector " if len(sectors) == 1 else "sectors ") + ", ".join(sectors))
    evidence += hs
    evidence += [f"keyword '{keyword}' in the notice" for keyword in keywords]
    return Reason("product: " + "; ".join(evidence), "product", {
        "all_sectors": all_sectors, "sectors": tuple(sectors), "hs": [why.facts for why in hs],
        "keywords": tuple(keywords)})


def market_reason(market: str | None) -> Reason:
    return Reason(f"market {market} is among the subscribed markets", "market",
                  {"market": market})


def measure_reason(measures: Sequence[str]) -> Reason:
    return Reason("measure " + "/".join(measures) + " is among the subscribed measures",
                  "measure", {"measures": list(measures)})


def severity_reason(severity: str, minimum: str) -> Reason:
    return Reason(f"severity {severity} meets the minimum {minimum}", "severity",
                  {"severity": severity, "minimum": minimum})
