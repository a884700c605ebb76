"""A digest's facts in the reader's language, ready for the digest templates.

An exporter's digest lists its notices. The overviews of an association and of the ministry are
read to the end only if they are short: a summary first (new cases on Vietnam, what is due in
the next two weeks, counts by market), then each case once, those naming Vietnam before those
of other origins (a risk of trade diversion), products under one name (their HS heading's, in
the reader's language), and only the first entries in a mail; the web page of the digest
(``whole``) has them all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from babel.support import NullTranslations

from alerts import content
from alerts.digest_data import (
    DigestCase,
    DigestContext,
    DigestItem,
    within,
)
from alerts.digest_periods import SEVERITY_ORDER, period_text
from alerts.digest_risk import RiserView, riser_views, rising_note
from alerts.digest_summary import (
    CaseLine,
    Overview,
    case_line,
    expected_step,
    overview,
    overview_summary,
)
from alerts.fact_lines import DeadlineView, basis_of, deadline_view, site_page
from alerts.i18n import as_date, country_name, format_day, normalize_language, translations
from alerts.labels import Labels
from alerts.render import AlertContext, AlertView, CaseContext, build_view
from rules.nomenclature import heading_name
from storage.links import safe_url

# What a mail shows of an overview; the rest is on the digest's web page. Chosen so that a
# digest of a thousand cases stays under Gmail's 102 KB clipping of the HTML part.
MAIL_CASES = 20
MAIL_DIVERSION = 30
MAIL_NOTICES = 8
# An exporter's digest lists its notices, the most severe first, up to this many in a mail.
MAIL_ITEMS = 40
# The period's steps shown under a case; the earlier ones are counted, the case page has them.
CASE_STEPS = 3
HEADING_CHARS = 90


@dataclass(frozen=True)
class TimelineView:
    date: str
    step: str
    title: str
    url: str | None
    new: bool


@dataclass(frozen=True)
class CaseDigestView:
    heading: str
    # The product as the authority names it, when the entry stands under its HS heading's name.
    as_written: str | None
    numbers: str
    measure: str
    stage: str
    role: str
    severity: str
    severity_label: str
    timeline: list[TimelineView]
    earlier: int
    earlier_text: str
    next_expected: str | None
    next_basis: str | None
    next_deadline: DeadlineView | None
    page: str | None
    new: bool


@dataclass(frozen=True)
class ProductView:
    """One product identity (an HS heading, else the product as written) and its cases."""

    name: str
    cases: list[CaseDigestView]


@dataclass(frozen=True)
class GroupView:
    heading: str
    products: list[ProductView]
    notices: list[AlertView]


@dataclass(frozen=True)
class DigestView:
    """The facts of one digest in the reader's language, ready for the digest templates."""

    language: str
    subject: str
    kind: str
    layout: str
    title: str
    period: str
    greeting_name: str | None
    greeting: str
    organisation: str | None
    empty: bool
    summary: str
    items: list[AlertView]
    groups: list[GroupView]
    recipient_email: str
    manage_url: str | None
    unsubscribe_url: str | None = None
    overview: Overview | None = None
    diversion: list[CaseLine] | None = None
    # Entries of the overview the mail leaves to the web page, and that page.
    left_out_text: str | None = None
    full_url: str | None = None
    # "Risk rising": the risk watch's risers, the forecast note, the /risk page.
    rising: list[RiserView] = field(default_factory=list)
    rising_note: str | None = None
    risk_url: str | None = None


def build_digest_view(ctx: DigestContext, *, whole: bool = False) -> DigestView:
    """The digest of `ctx`; `whole` lists every entry (the web page), else a mail's share."""
    lang = normalize_language(ctx.language)
    tr = translations(lang)
    _ = tr.gettext
    items = sorted(ctx.items, key=lambda i: (SEVERITY_ORDER.get(i.severity, 9), i.published,
                                             i.notice_id))
    title = _digest_title(ctx.layout, ctx.kind, tr)
    period = period_text(ctx.period, lang)
    base = DigestView(
        language=lang, subject="", kind=ctx.kind, layout=ctx.layout, title=title, period=period,
        greeting_name=" ".join((ctx.recipient_name or "").split()) or None,
        greeting=_(content.GREETINGS.get(ctx.recipient_kind or "",
                                         content.GREETINGS["exporter"])),
        organisation=" ".join((ctx.organisation or "").split()) or None, empty=not items,
        summary="", items=[], groups=[], recipient_email=ctx.recipient_email,
        manage_url=ctx.manage_url, unsubscribe_url=ctx.unsubscribe_url)
    if ctx.layout in ("association", "ministry"):
        view = _overview_digest(ctx, items, lang, tr, whole, base)
    else:
        views = [_item_view(item, ctx) for item in items]
        shown = views if whole else views[:MAIL_ITEMS]
        view = replace(base, summary=_notice_summary(views, tr), items=shown,
                       left_out_text=_left_out(len(views) - len(shown), tr),
                       full_url=None if whole else ctx.full_url)
    subject = view.summary if items else _("nothing new")
    return replace(view, summary=subject,
                   subject=" ".join(f"[TREWS] {title} {period}: {subject}".split()))


def _notice_summary(views: Sequence[AlertView], tr: NullTranslations) -> str:
    new_cases = sum(1 for view in views if view.new_case)
    developments = len(views) - new_cases
    return ", ".join(part for part in (
        tr.ngettext("%(num)d new case", "%(num)d new cases", new_cases) % {"num": new_cases}
        if new_cases else "",
        tr.ngettext("%(num)d development", "%(num)d developments", developments)
        % {"num": developments} if developments else "",
    ) if part)


def _overview_digest(ctx: DigestContext, items: Sequence[DigestItem], lang: str,
                     tr: NullTranslations, whole: bool, base: DigestView) -> DigestView:
    labels = Labels(lang, ctx.sector_names)
    severity = _case_severities(items)
    cases = sorted({case.case_id: case for item in items for case in item.cases}.values(),
                   key=lambda c: (not c.opened_in_period, -_latest(c),
                                  _rank(severity[c.case_id]), c.market, c.product.lower(),
                                  c.case_id))
    vietnam = [case for case in cases if case.vietnam != "none"]
    others = [case for case in cases if case.vietnam == "none"]
    loose = [item for item in items if not item.cases]
    if whole:
        cases_shown, others_shown, loose_shown = vietnam, others, loose
    else:
        cases_shown, others_shown = vietnam[:MAIL_CASES], others[:MAIL_DIVERSION]
        loose_shown = loose[:MAIL_NOTICES]
    left_out = (len(vietnam) - len(cases_shown) + len(others) - len(others_shown)
                + len(loose) - len(loose_shown))
    groups = _groups(cases_shown, [_item_view(item, ctx) for item in loose_shown], ctx, labels,
                     tr, severity)
    return replace(
        base, summary=overview_summary(vietnam, others, loose, tr), groups=groups,
        overview=overview(ctx, vietnam, others, labels, tr, whole),
        diversion=[case_line(case, ctx, labels, tr) for case in others_shown],
        left_out_text=_left_out(left_out, tr), full_url=None if whole else ctx.full_url,
        rising=riser_views(ctx.rising, lang), rising_note=rising_note(ctx.rising, lang),
        risk_url=(f"{ctx.site_url.rstrip('/')}/risk?lang={lang}"
                  if ctx.site_url and ctx.rising else None))


def _left_out(count: int, tr: NullTranslations) -> str | None:
    """What the mail leaves to the digest's web page, said; None when nothing."""
    return tr.ngettext("%(num)d more entry is not in this e-mail.",
                       "%(num)d more entries are not in this e-mail.", count) % {"num": count} \
        if count else None


def _case_severities(items: Iterable[DigestItem]) -> dict[int, str]:
    """Each case's severity: that of its most severe notice of the period."""
    found: dict[int, str] = {}
    for item in items:
        for case in item.cases:
            known = found.get(case.case_id)
            if known is None or _rank(item.severity) < _rank(known):
                found[case.case_id] = item.severity
    return found


def _latest(case: DigestCase) -> int:
    """The day (ordinal) of the case's latest step found in the period: recent news first."""
    days = [day.toordinal() for entry in case.timeline if entry.found
            for day in (entry.event_on, entry.published) if day is not None]
    return max(days, default=0)


def _rank(severity: str) -> int:
    return SEVERITY_ORDER.get(severity, 9)


def _digest_title(layout: str, kind: str, tr: NullTranslations) -> str:
    if layout == "ministry" and kind == "daily":
        return tr.gettext("Daily overview")
    return tr.gettext("Weekly digest") if kind == "weekly" else tr.gettext("Daily digest")


def _item_view(item: DigestItem, ctx: DigestContext) -> AlertView:
    """A notice of the digest, described exactly as its alert would describe it, except that
    it is a new case only when it was published or dated within the period."""
    alert = AlertContext(
        delivery_id=ctx.delivery_id, recipient_email=ctx.recipient_email,
        recipient_name=ctx.recipient_name, language=ctx.language, timezone=ctx.timezone,
        notice_title=item.title, notice_url=item.url, notice_published=item.published,
        source_name=item.source_name, analysis=item.analysis | {"severity": item.severity},
        sector_names={s: ctx.sector_names[s] for s in item.sectors if s in ctx.sector_names},
        match_reasons=list(item.reasons), detected_at=ctx.period.end,
        manage_url=ctx.manage_url, site_url=ctx.site_url, notice_id=item.notice_id,
        cases=tuple(CaseContext(c.numbers, c.next_step, c.next_due, c.next_basis, c.case_id)
                    for c in item.cases
                    if c.vietnam != "none"),
    )
    view = build_view(alert)
    new = view.new_case and within(ctx.period, item.published,
                                   as_date(item.analysis.get("event_date") or ""))
    # In a digest the notice's line is its headline: its tag is shown once, as a badge.
    return replace(view, subject=view.headline, new_case=new)


def _groups(cases: Sequence[DigestCase], loose: list[AlertView], ctx: DigestContext,
            labels: Labels, tr: NullTranslations, severity: dict[int, str]) -> list[GroupView]:
    """Vietnam's cases grouped by sector (association) or market (ministry), each case once,
    then by product identity; the notices of no case last."""
    by_key: dict[str, list[DigestCase]] = defaultdict(list)
    for case in cases:
        by_key[_group_key(case, ctx)].append(case)
    order = sorted(by_key, key=lambda k: (k == "", _group_rank(k, ctx, labels, tr)))
    groups = [GroupView(_group_heading(key, ctx, labels, tr),
                        _products(by_key[key], ctx, labels, tr, severity), []) for key in order]
    if loose:
        groups.append(GroupView(tr.gettext("Other notices"), [], loose))
    return groups


def _group_key(case: DigestCase, ctx: DigestContext) -> str:
    if ctx.layout == "ministry":
        return case.market
    mine = [s for s in ctx.wanted if s in case.sectors]
    return (mine or list(case.sectors) or [""])[0]


def _group_rank(key: str, ctx: DigestContext, labels: Labels,
                tr: NullTranslations) -> tuple[int, str]:
    """The association's sectors in its own order; markets by the reader's names."""
    if ctx.layout != "ministry" and key in ctx.wanted:
        return ctx.wanted.index(key), ""
    return len(ctx.wanted), _group_heading(key, ctx, labels, tr)


def _group_heading(key: str, ctx: DigestContext, labels: Labels, tr: NullTranslations) -> str:
    if ctx.layout == "ministry":
        return country_name(key, labels.lang) if key else tr.gettext("Other notices")
    if not key:
        return tr.gettext("Other products")
    name = labels.sector(key)
    return name[:1].upper() + name[1:]


def _products(cases: Sequence[DigestCase], ctx: DigestContext, labels: Labels,
              tr: NullTranslations, severity: dict[int, str]) -> list[ProductView]:
    """The group's cases under one name per product: the HS heading's, in the reader's
    language, where the case has one; else the product as the authority writes it."""
    named: dict[str, list[CaseDigestView]] = defaultdict(list)
    for case in cases:
        name = product_name(case.heading, labels.lang)
        own = case.product[:1].upper() + case.product[1:]
        named[name or own].append(_case_view(case, ctx, labels, tr, severity[case.case_id],
                                             as_written=own if name else None))
    return [ProductView(name, entries) for name, entries in named.items()]


def product_name(heading: str | None, language: str) -> str | None:
    """'Sản phẩm mây tre (HS 4602)': a heading's own name, shortened at a word."""
    name = heading_name(heading, language) if heading else None
    if not name:
        return None
    if len(name) > HEADING_CHARS:
        name = name[:HEADING_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return f"{name} (HS {heading})"


def _case_view(case: DigestCase, ctx: DigestContext, labels: Labels, tr: NullTranslations,
               severity: str, as_written: str | None) -> CaseDigestView:
    lang = labels.lang
    first = ctx.period.last
    expected = expected_step(case, ctx.period, lang, tr)
    deadline = None
    if case.deadlines:
        kind, day = case.deadlines[0]
        deadline = deadline_view(kind, day, (day - first).days - 1, lang, tr)
    steps = [entry for entry in case.timeline if entry.found][-CASE_STEPS:]
    timeline = [
        TimelineView(
            date=format_day(entry.event_on, lang) if entry.event_on else "-",
            step=labels.stage(entry.stage, entry.proceeding, case.market),
            title=" ".join(entry.title.split()), url=safe_url(entry.url), new=entry.new)
        for entry in steps
    ]
    earlier = len(case.timeline) - len(steps)
    heading = labels.case_heading("" if as_written else case.product, case.origin, case.market)
    heading = heading[:1].upper() + heading[1:]
    return CaseDigestView(
        heading=heading, as_written=as_written, numbers=", ".join(case.numbers) or "-",
        measure=labels.measure(case.measure),
        stage=labels.stage(case.stage, case.proceeding, case.market),
        role=labels.role(case.vietnam, [case.measure] if case.measure else [], case.stage),
        severity=content.code_key(severity),
        severity_label=labels.severity(content.code_key(severity)), timeline=timeline,
        earlier=earlier, earlier_text=tr.ngettext(
            "%(num)d earlier step: see the case page.",
            "%(num)d earlier steps: see the case page.", earlier) % {"num": earlier},
        next_expected=expected,
        next_basis=basis_of(case.next_basis, expected, tr), next_deadline=deadline,
        page=site_page(ctx.site_url, "cases", case.case_id, lang), new=case.opened_in_period,
    )
