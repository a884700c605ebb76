"""Codes of the analysis and of cases as words in the reader's language, for the mails and the
web pages alike (``web.labels`` adds the words only pages need).

The words are message ids of ``alerts.content`` translated by the shared gettext catalogue, so
a reader who follows a mail's link finds the same stage and measure on the site.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.numbers import format_decimal

from alerts import content
from alerts.content import N_
from alerts.i18n import as_date, country_name, format_day, translations
from rules.cases import GLOBAL
from rules.rate_values import ALL_OTHERS, COUNTRY_WIDE, PERCENT

# The kinds and holders of stated rates (the `rates` of the analysis contract).
RATE_KINDS = {
    "dumping_margin": N_("Dumping margin"),
    "subsidy_rate": N_("Subsidy rate"),
    "duty": N_("Duty rate"),
    "cash_deposit": N_("Cash deposit rate"),
}
RATE_HOLDERS = {
    ALL_OTHERS: N_("All others"),
    COUNTRY_WIDE: N_("Country-wide rate (exporters without their own rate)"),
}


@dataclass(frozen=True)
class Labels:
    """The words of one language for what the analysis and the cases say in codes."""

    lang: str
    sector_names: Mapping[str, Mapping[str, str]]

    def _(self, message: str) -> str:
        return translations(self.lang).gettext(message)

    def stage(self, stage: object, proceeding: object = None, market: object = None,
              measures: Iterable[object] = ()) -> str:
        """'Sunset (expiry) review – initiation': the stage within its proceeding (an order is
        named as the market names it, a safeguard's extension as one)."""
        return " – ".join(self._(label) for label in content.step_for(
            proceeding, stage, market, measures).labels)

    def stage_advice(self, stage: object, proceeding: object = None, market: object = None,
                     measures: Iterable[object] = ()) -> str:
        """What to do at this step, in the market's own procedure (rules/procedures.py)."""
        advice = content.step_for(proceeding, stage, market, measures).advice
        return self._(advice) if advice else ""

    def measure(self, measure: object) -> str:
        return self._(content.measure_label(measure)) if measure else self._(
            content.GENERIC_MEASURE)

    def measures(self, measures: Iterable[object], *, in_sentence: bool = False) -> str:
        """'Anti-dumping / Countervailing duty'; inside a sentence 'anti-dumping / ...'."""
        labels = [self.measure(m) for m in measures] or [self.measure(None)]
        if in_sentence:
            labels = [label[:1].lower() + label[1:] for label in labels]
        return " / ".join(dict.fromkeys(labels))

    def role(self, vietnam: object, measures: Iterable[object] = (), stage: object = None) -> str:
        return self._(content.role_for(vietnam, measures, stage).label)

    def severity(self, severity: object) -> str:
        key = content.code_key(severity)
        return self._(content.SEVERITY_LABELS.get(key, content.UNKNOWN_SEVERITY))

    def next_step(self, step: object) -> str:
        return self._(content.next_step_label(step))

    def basis(self, basis: str) -> str:
        """Why the statutory clock expects the next step, in the reader's language."""
        return content.basis_text(basis, self._)

    def deadline(self, kind: object) -> str:
        known = content.deadline_label(kind)
        return self._(known) if known else f"{self._(content.GENERIC_DEADLINE)} ({kind})"

    def rate_kind(self, kind: object) -> str:
        known = RATE_KINDS.get(str(kind))
        return self._(known) if known else str(kind)

    def rate_holder(self, company: object) -> str:
        """The firm as the notice writes it; 'all others', 'country-wide' in the reader's words."""
        if company is None or company == "":
            return self._("not named")
        known = RATE_HOLDERS.get(str(company))
        return self._(known) if known else str(company)

    def rate_value(self, value: float, unit: str) -> str:
        """'25,76%' (vi) or '25.76%' (en); an amount with its currency and unit ('USD 1,234/t')."""
        number = format_decimal(value, format="#,##0.###", locale=self.lang)
        if unit == PERCENT:
            return f"{number}%"
        currency, _slash, per = unit.partition("/")
        return f"{currency} {number}/{per}" if per else f"{number} {unit}"

    def case_heading(self, product: str, origin: str | None, market: str) -> str:
        """'Paper shopping bag – from Vietnam – United States': a case in one line (a safeguard's
        every origin is left unsaid)."""
        named = country_name(origin, self.lang) if origin and origin != GLOBAL else ""
        return " – ".join(part for part in (
            product[:1].upper() + product[1:],
            named and self._("from %(origin)s") % {"origin": named},
            country_name(market, self.lang)) if part)

    def country(self, code: object) -> str:
        """A market or origin; the global origin of a safeguard reads 'all origins'."""
        if code == GLOBAL:
            return self._("all origins")
        return country_name(str(code or ""), self.lang) or "-"

    def sector(self, sector_id: object) -> str:
        names = self.sector_names.get(str(sector_id), {})
        return names.get(self.lang) or names.get("en") or str(sector_id)

    def day(self, value: object) -> str:
        """A calendar date as the reader writes it, or '' when there is none."""
        day = as_date(value) if value else None
        return format_day(day, self.lang) if isinstance(day, date) else ""


def case_line(case: Any, language: str) -> str:
    """A stored case (anything with product, origin and market) as its heading, in `language`."""
    return Labels(language, {}).case_heading(case.product, case.origin, case.market)
