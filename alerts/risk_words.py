"""The risk watch in words, for the /risk page, the digests' "risk rising" section and the
warning mail alike: what each count means, and each case behind it as a sentence a person can
check ("US order on Steel Wire Garment Hangers from China, 2008 (A-570-918)").

The reasons are stored as plain facts (storage/risk.py); they are worded here in the reader's
language, so a run computed once reads in Vietnamese and in English. Product names stay as the
case lists give them (English).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from alerts.content import N_
from alerts.i18n import country_name, translations

FEATURE_LABELS = {
    "china_cases_12m": N_("Cases on Chinese goods under this heading in the last 12 months"),
    "china_cases_24m": N_("Cases on Chinese goods under this heading in the last 24 months"),
    "china_cases_36m": N_("Cases on Chinese goods under this heading in the last 36 months"),
    "other_cases_24m": N_("Cases on other origins (neither China nor Vietnam) under this "
                          "heading in the last 24 months"),
    "orders_in_force": N_("Orders in force under this heading on other origins"),
    "china_orders_36m": N_("Orders on Chinese goods under this heading in the last 36 months"),
    "circumvention_36m": N_("Circumvention inquiries under this heading in the last 36 months"),
    "vietnam_related_60m": N_("Cases on Vietnamese goods in related headings (the same HS "
                              "chapter) in the last 60 months"),
    "vietnam_before": N_("Earlier cases on Vietnamese goods under this heading"),
    "other_markets_36m": N_("Cases under this heading in other markets in the last 36 months"),
}
ORDER_FEATURES = ("orders_in_force", "china_orders_36m")
FORECAST_NOTE = N_("A product on this list does not mean that any authority has opened an "
                   "investigation. The list ranks the products "
                   "where, by the case history, a case on Vietnamese goods is most likely in "
                   "the next %(months)d months.")


@dataclass(frozen=True)
class ReasonLine:
    """One count that raised a heading's score, and its cases as sentences."""

    feature: str
    title: str
    count: int
    cases: tuple[str, ...]


def case_sentence(case: Mapping[str, Any], feature: str, lang: str) -> str:
    """One case of a reason, in `lang`: which market did what, on which product, from where,
    which year, under which number."""
    _ = translations(lang).gettext
    ordered, opened = case.get("ordered"), case.get("opened")
    values = {"market": country_name(str(case.get("market") or ""), lang) or case.get("market"),
              "product": case.get("product") or "?",
              "origin": country_name(str(case.get("origin") or ""), lang) or "?"}
    if case.get("measure") == "circumvention":
        text = _("%(market)s circumvention inquiry on %(product)s from %(origin)s, %(year)s")
        year = opened or ordered
    elif feature in ORDER_FEATURES and ordered:
        text = _("%(market)s order on %(product)s from %(origin)s, %(year)s")
        year = ordered
    else:
        text = _("%(market)s case on %(product)s from %(origin)s, %(year)s")
        year = opened or ordered
    sentence = text % (values | {"year": str(year or "?")[:4]})
    reference = case.get("number") or case.get("ref")
    return f"{sentence} ({reference})" if reference else sentence


def reason_lines(reasons: Sequence[Mapping[str, Any]], lang: str) -> list[ReasonLine]:
    """The stored reasons of one heading, worded in `lang`, largest first (as stored)."""
    _ = translations(lang).gettext
    return [ReasonLine(str(r["feature"]), _(FEATURE_LABELS.get(str(r["feature"]),
                                                               str(r["feature"]))),
                       int(r.get("count") or 0),
                       tuple(case_sentence(c, str(r["feature"]), lang) for c in r["cases"]))
            for r in reasons]


def forecast_note(lang: str, months: int) -> str:
    return translations(lang).gettext(FORECAST_NOTE) % {"months": months}
