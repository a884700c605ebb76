"""The words of the web pages in the reader's language: the mails' (``alerts.labels``), and
those of what only pages show (a case's status and title)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from alerts.content import N_
from alerts.labels import Labels
from storage.models import Case

# What opened a case (rules.case_identity.OPENINGS), as the case list counts and filters them.
OPENINGS = {
    "investigation": N_("New investigation"),
    "circumvention": N_("Circumvention inquiry"),
    "review": N_("Review of an earlier measure"),
    "later": N_("First seen at a later step"),
}


# The states the operator's pages show: of deliveries in the outbox and of crawl runs.
STATES = {
    "queued": N_("queued"), "sending": N_("sending"), "resending": N_("resending"),
    "uncertain": N_("uncertain (the server may have it)"), "sent": N_("sent"),
    "failed": N_("failed"), "cancelled": N_("cancelled"), "ok": N_("ok"),
    "running": N_("running"),
}


def state_label(code: object, gettext: Callable[[str], str]) -> str:
    """A delivery's or a run's state in the reader's words (an unknown one as stored)."""
    known = STATES.get(str(code))
    return gettext(known) if known else str(code)


@dataclass(frozen=True)
class PageLabels(Labels):
    """Every label of the pages in one language: the mails' words, and those only pages show."""

    def opening(self, opened_by: object, first_stage: object = None) -> str:
        """What opened a case: 'New investigation', or 'First seen at a later step: Duty
        order'."""
        known = OPENINGS.get(str(opened_by))
        if known is None or opened_by == "later":
            stage = self.stage(first_stage) if first_stage else ""
            return self._("First seen at a later step: %(stage)s") % {"stage": stage} \
                if stage else self._(OPENINGS["later"])
        return self._(known)

    def status(self, status: object) -> str:
        return self._("closed") if status == "closed" else self._("open")

    def case_title(self, case: Case) -> str:
        """'Wind tower – Vietnam – Anti-dumping (Canada)': product, origin, measure, market."""
        product = (case.product[:1].upper() + case.product[1:]) or self._(
            "Product not identified")
        return f"{product} – {self.country(case.origin)} – {self.measure(case.measure)} " \
               f"({self.country(case.market)})"
