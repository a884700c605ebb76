"""A deadline, a case's next step and a page link said in the reader's words: the lines alerts,
digests and reminders share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import date as _Day

from babel.support import NullTranslations

from alerts import content
from alerts.i18n import format_day


@dataclass(frozen=True)
class DeadlineView:
    label: str
    date: str
    when: str
    urgent: bool
    passed: bool = False
    day: _Day | None = None  # `date` is the field above


def deadline_view(kind: object, day: date, days_left: int, lang: str,
                  tr: NullTranslations) -> DeadlineView:
    """One deadline in the reader's words; within 14 days it is urgent, because that is where
    "high" severity starts."""
    known = content.deadline_label(kind)
    label = tr.gettext(known) if known else f"{tr.gettext(content.GENERIC_DEADLINE)} ({kind})"
    return DeadlineView(label, format_day(day, lang), when_text(days_left, tr),
                        0 <= days_left <= 14, days_left < 0, day)


def site_page(site_url: str | None, kind: str, page_id: int | None,
              language: str) -> str | None:
    """A notice's or a case's page on the web front end, in the reader's language, so a mail
    leads to the whole analysis and the case's timeline; none without a front end or an id."""
    if not site_url or page_id is None:
        return None
    return f"{site_url.rstrip('/')}/{kind}/{int(page_id)}?lang={language}"


def next_expected(step: str | None, due: date | None, lang: str,
                  tr: NullTranslations, today: date | None = None) -> str | None:
    """A case's next step from the statutory clock: 'Final determination by 17/05/2024'; one
    whose date is before `today` is said to be overdue, not upcoming."""
    if not (step and due):
        return None
    values = {"step": tr.gettext(content.next_step_label(step)), "date": format_day(due, lang)}
    if today is not None and due < today:
        return tr.gettext("%(step)s was expected by %(date)s; no notice of it seen yet") % values
    return tr.gettext("%(step)s by %(date)s") % values


def basis_of(basis: str | None, expected: str | None, tr: NullTranslations) -> str | None:
    """The rule an expected step's date comes from, so the reader can weigh it; none without
    an expected step."""
    return content.basis_text(basis, tr.gettext) if basis and expected else None


def when_text(days_left: int, tr: NullTranslations) -> str:
    """A deadline's distance from today in the reader's words: passed, today, in N days."""
    if days_left < 0:
        return tr.gettext("passed")
    if days_left == 0:
        return tr.gettext("today")
    return tr.ngettext("in %(num)d day", "in %(num)d days", days_left) % {"num": days_left}
