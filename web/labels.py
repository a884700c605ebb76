"""The words of the web pages in the reader's language: the mails' (``alerts.labels``), and
those of what only pages show (a case's status and title)."""

from __future__ import annotations

from dataclasses import dataclass

from alerts.labels import Labels
from storage.models import Case


@dataclass(frozen=True)
class PageLabels(Labels):
    """Every label of the pages in one language: the mails' words, and those only pages show."""

    def status(self, status: object) -> str:
        return self._("closed") if status == "closed" else self._("open")

    def case_title(self, case: Case) -> str:
        """'Wind tower – Vietnam – Anti-dumping (Canada)': product, origin, measure, market."""
        product = (case.product[:1].upper() + case.product[1:]) or self._(
            "Product not identified")
        return f"{product} – {self.country(case.origin)} – {self.measure(case.measure)} " \
               f"({self.country(case.market)})"
