"""The summary an overview digest opens with: the cases on Vietnam opened in the period, what
is due in the next two weeks, counts by market; and a case said in one line."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from babel.support import NullTranslations

from alerts.digest_data import DigestCase, DigestContext, DigestItem
from alerts.digest_periods import Period
from alerts.fact_lines import deadline_view, next_expected, site_page
from alerts.i18n import format_day
from alerts.labels import Labels
from storage.deadlines import DeadlineRow

# What a mail lists of the deadlines ahead; the digest's web page lists them all.
MAIL_DUE = 15


@dataclass(frozen=True)
class CaseLine:
    """A case in one line: in the summary, and for the cases of other origins: its latest step
    found in the period, and what the statutory clock expects next."""

    heading: str
    measure: str
    step: str
    date: str
    next_expected: str | None
    page: str | None
    new: bool


@dataclass(frozen=True)
class DueLine:
    date: str
    when: str
    label: str
    case: str
    page: str | None
    stated: bool
    urgent: bool


@dataclass(frozen=True)
class MarketLine:
    market: str
    new: int
    moved: int
    diversion: int


@dataclass(frozen=True)
class Overview:
    new_cases: list[CaseLine]
    # Cases on Vietnam whose opening reached TREWS in the period but is dated before it.
    found_late_text: str | None
    due: list[DueLine]
    due_left_out_text: str | None
    markets: list[MarketLine]


def overview_summary(vietnam: Sequence[DigestCase], others: Sequence[DigestCase],
                      loose: Sequence[DigestItem], tr: NullTranslations) -> str:
    new = sum(1 for case in vietnam if case.opened_in_period)
    moved = len(vietnam) - new
    parts = (
        (new, tr.ngettext("%(num)d new case on Vietnam", "%(num)d new cases on Vietnam", new)),
        (moved, tr.ngettext("%(num)d case on Vietnam moved", "%(num)d cases on Vietnam moved",
                            moved)),
        (len(others), tr.ngettext("%(num)d case on other origins",
                                  "%(num)d cases on other origins", len(others))),
        (len(loose), tr.ngettext("%(num)d other notice", "%(num)d other notices", len(loose))),
    )
    return ", ".join(text % {"num": num} for num, text in parts if num)


def overview(ctx: DigestContext, vietnam: Sequence[DigestCase], others: Sequence[DigestCase],
              labels: Labels, tr: NullTranslations, whole: bool) -> Overview:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for case in vietnam:
        counts[case.market]["new" if case.opened_in_period else "moved"] += 1
    for case in others:
        counts[case.market]["diversion"] += 1
    markets = sorted(
        (MarketLine(labels.country(market), c["new"], c["new"] + c["moved"], c["diversion"])
         for market, c in counts.items()),
        key=lambda line: (-line.new, -line.moved, -line.diversion, line.market))
    due = [_due_line(row, ctx, labels, tr) for row in ctx.ahead]
    shown_due = due if whole else due[:MAIL_DUE]
    late = sum(1 for case in vietnam if case.opening_found and not case.opened_in_period)
    more = len(due) - len(shown_due)
    return Overview(
        new_cases=[case_line(case, ctx, labels, tr) for case in vietnam
                   if case.opened_in_period],
        found_late_text=tr.ngettext(
            "%(num)d case on Vietnam opened before this period was first seen by TREWS in it.",
            "%(num)d cases on Vietnam opened before this period were first seen by TREWS in it.",
            late) % {"num": late} if late else None,
        due=shown_due,
        due_left_out_text=tr.ngettext("and %(num)d more date", "and %(num)d more dates", more)
        % {"num": more} if more else None,
        markets=markets)


def _due_line(row: DeadlineRow, ctx: DigestContext, labels: Labels,
              tr: NullTranslations) -> DueLine:
    days_left = (row.day - ctx.period.last).days - 1
    if row.stated:
        view = deadline_view(row.kind, row.day, days_left, labels.lang, tr)
        label, when, urgent = view.label, view.when, view.urgent
    else:
        label = tr.gettext("%(step)s (statutory estimate)") % {"step": labels.next_step(row.kind)}
        when, urgent = deadline_view(row.kind, row.day, days_left, labels.lang, tr).when, False
    return DueLine(format_day(row.day, labels.lang), when, label,
                   labels.case_heading(row.case.product, row.case.origin, row.case.market),
                   site_page(ctx.site_url, "cases", row.case.id, labels.lang), row.stated,
                   urgent)


def case_line(case: DigestCase, ctx: DigestContext, labels: Labels,
               tr: NullTranslations) -> CaseLine:
    found = [entry for entry in case.timeline if entry.found]
    last = found[-1] if found else None
    day = (last.event_on or last.published) if last else None
    return CaseLine(
        heading=labels.case_heading(case.product, case.origin, case.market),
        measure=labels.measure(case.measure),
        step=labels.stage(last.stage, last.proceeding, case.market) if last
        else labels.stage(case.stage, case.proceeding, case.market),
        date=format_day(day, labels.lang) if day else "-",
        next_expected=expected_step(case, ctx.period, labels.lang, tr),
        page=site_page(ctx.site_url, "cases", case.case_id, labels.lang),
        new=any(entry.new for entry in found))


def expected_step(case: DigestCase, period: Period, lang: str, tr: NullTranslations) -> str | None:
    """The clock's next step of the case, unless its date is already past."""
    due = case.next_due if case.next_due and case.next_due > period.last else None
    return next_expected(case.next_step, due, lang, tr)


