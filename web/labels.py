"""The words of the web pages in the reader's language: the mails' (``alerts.labels``), and
those of what only pages show (stated rates, a case's status and title)."""

from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import format_decimal

from alerts.content import N_
from alerts.labels import Labels
from rules.rates import ALL_OTHERS, COUNTRY_WIDE, PERCENT
from storage.models import Case

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
class PageLabels(Labels):
    """Every label of the pages in one language: the mails' words, and those only pages show."""

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

    def status(self, status: object) -> str:
        return self._("closed") if status == "closed" else self._("open")

    def case_title(self, case: Case) -> str:
        """'Wind tower – Vietnam – Anti-dumping (Canada)': product, origin, measure, market."""
        product = (case.product[:1].upper() + case.product[1:]) or self._(
            "Product not identified")
        return f"{product} – {self.country(case.origin)} – {self.measure(case.measure)} " \
               f"({self.country(case.market)})"
