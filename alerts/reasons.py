"""Why a reader got an alert, in the reader's words.

The matcher keeps each reason's facts beside its English sentence (``rules.match_reasons``);
here the facts are said again through the catalogue, so a Vietnamese reader reads Vietnamese:
first what of the notice concerns Vietnam, then what of their subscription it touched, then the
filters it passed. A reason stored before reasons had facts is shown as it was written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from alerts.content import N_
from alerts.i18n import translations
from alerts.labels import Labels
from rules.hs_codes import dotted_hs
from rules.match_reasons import TEXT, Reason

# The order of the lines: Vietnam's part, the product, the filters, then anything else.
_ORDER = ("role", "diversion", "product", "market", "measure", "severity", TEXT)

_ROLE = {
    "subject": N_("Goods from Vietnam are named in this case"),
    "circumvention": N_("Goods from Vietnam are the target of this circumvention inquiry"),
}
_DIVERSION_CASE = N_("Trade-diversion risk: a new %(measures)s case on goods from %(origins)s, "
                     "in %(product)s, which Vietnam also exports")
_DIVERSION_ORDER = N_("Trade-diversion risk: a %(measures)s order on goods from %(origins)s, "
                      "in %(product)s, which Vietnam also exports")
_OTHER_ORIGINS = N_("other origins")
_THIS_PRODUCT = N_("this product")
_EVERY_SECTOR = N_("You watch every sector")
_HS_SAME = N_("HS %(notice)s, which you watch, is named in the notice")
_HS_INFERRED = N_("The notice states no HS code; by the HS nomenclature its product is "
                  "%(notice)s, related to HS %(subscribed)s, which you watch")
_KEYWORD = N_("Your keyword “%(keyword)s” appears in the notice")
_MARKET = N_("%(market)s is one of the markets you watch")
_MEASURE = N_("%(measures)s is one of the measures you watch")
_SEVERITY = N_("Severity %(severity)s meets the minimum you chose (%(minimum)s)")


def why_lines(reasons: Iterable[str], labels: Labels) -> tuple[str, ...]:
    """The reasons of every match of the reader's subscriptions to one notice, as lines in the
    labels' language, in a fixed order of kinds, each line once."""
    said = _Sayer(labels)
    known = [Reason.from_stored(reason) for reason in reasons]
    ranked = sorted(known, key=lambda reason: _ORDER.index(reason.code)
                    if reason.code in _ORDER else len(_ORDER))
    return tuple(dict.fromkeys(line for reason in ranked for line in said(reason) if line))


class _Sayer:
    """Says one reason in the reader's language, as one line or several."""

    def __init__(self, labels: Labels) -> None:
        self.labels = labels
        self.tr = translations(labels.lang)
        self._ = self.tr.gettext
        self._sayers: dict[str, Callable[[Mapping[str, Any]], list[str]]] = {
            "role": self._role, "diversion": self._diversion, "product": self._product,
            "market": self._market, "measure": self._measure, "severity": self._severity}

    def __call__(self, reason: Reason) -> list[str]:
        say = self._sayers.get(reason.code)
        if say is None:
            return [str(reason)]
        try:
            return say(reason.facts)
        except (KeyError, TypeError, ValueError):  # facts of an unknown shape: the sentence
            return [str(reason)]

    def _role(self, facts: Mapping[str, Any]) -> list[str]:
        role = _ROLE.get(str(facts["role"]))
        return [self._(role)] if role else []

    def _diversion(self, facts: Mapping[str, Any]) -> list[str]:
        template = _DIVERSION_CASE if facts["new_case"] else _DIVERSION_ORDER
        origins = ", ".join(self.labels.country(c) for c in facts["origins"])
        return [self._(template) % {
            "measures": self.labels.measures(facts["measures"], in_sentence=True),
            "origins": origins or self._(_OTHER_ORIGINS),
            "product": self._product_named(str(facts["named_by"]), facts["names"]),
        }]

    def _product(self, facts: Mapping[str, Any]) -> list[str]:
        lines = [self._(_EVERY_SECTOR)] if facts["all_sectors"] else []
        sectors = list(facts["sectors"])
        if sectors:
            lines.append(self.tr.ngettext("Your sector: %(names)s", "Your sectors: %(names)s",
                                          len(sectors))
                         % {"names": ", ".join(map(self.labels.sector, sectors))})
        lines.extend(self._hs(facts["hs"]))
        lines.extend(self._(_KEYWORD) % {"keyword": keyword} for keyword in facts["keywords"])
        return lines

    def _hs(self, pairs: Iterable[Mapping[str, str]]) -> list[str]:
        """One line per subscribed code and relation, naming the notice's codes it concerns."""
        grouped: dict[tuple[str, str, bool], list[str]] = {}
        for pair in pairs:
            key = (pair["relation"], pair["subscribed"], bool(pair.get("inferred")))
            grouped.setdefault(key, []).append(dotted_hs(pair["notice"]))
        lines = []
        for (relation, subscribed, inferred), codes in grouped.items():
            notice = list(dict.fromkeys(codes))
            line = self._(_HS_INFERRED) if inferred else self._hs_line(relation, notice)
            lines.append(line % {"notice": ", ".join(notice), "subscribed": dotted_hs(subscribed)})
        return lines

    def _hs_line(self, relation: str, codes: Sequence[str]) -> str:
        if relation == "under":
            return self.tr.ngettext(
                "HS %(notice)s in the notice falls under HS %(subscribed)s, which you watch",
                "HS %(notice)s in the notice fall under HS %(subscribed)s, which you watch",
                len(codes))
        if relation == "covers":
            return self.tr.ngettext(
                "HS %(notice)s in the notice covers HS %(subscribed)s, which you watch",
                "HS %(notice)s in the notice cover HS %(subscribed)s, which you watch",
                len(codes))
        return self._(_HS_SAME)

    def _market(self, facts: Mapping[str, Any]) -> list[str]:
        return [self._(_MARKET) % {"market": self.labels.country(facts["market"])}]

    def _measure(self, facts: Mapping[str, Any]) -> list[str]:
        return [self._(_MEASURE) % {"measures": self.labels.measures(facts["measures"])}]

    def _severity(self, facts: Mapping[str, Any]) -> list[str]:
        return [self._(_SEVERITY) % {"severity": self.labels.severity(facts["severity"]),
                                     "minimum": self.labels.severity(facts["minimum"])}]

    def _product_named(self, named_by: str, names: Sequence[str]) -> str:
        if named_by == "sectors" and names:
            return ", ".join(map(self.labels.sector, names))
        if named_by == "hs" and names:
            return "HS " + ", ".join(map(dotted_hs, names))
        if named_by == "keywords" and names:
            return ", ".join(f"“{name}”" for name in names)
        return self._(_THIS_PRODUCT)
