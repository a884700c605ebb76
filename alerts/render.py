"""Turn one (subscriber, notice) delivery into a ready-to-send e-mail.

Rendering is a pure function of an ``AlertContext`` (plain data, no ORM objects) so the dispatcher
can render inside or outside a database session, and so a retry renders the same Message-ID: the
receiving side and our own outbox then see one message, not two.

The templates get a view of already-translated values built here, not the raw analysis dict:
every fallback for an odd or missing analysis value lives in one place, and both the HTML and the
text template show the same facts.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from email.message import EmailMessage
from functools import lru_cache
from typing import Any

from babel.support import NullTranslations
from markupsafe import escape

from alerts import content
from alerts.calendar import STATED, CalendarEntry, calendar_attachment
from alerts.fact_lines import (
    DeadlineView,
    basis_of,
    deadline_view,
    next_expected,
    site_page,
)
from alerts.i18n import (
    as_date,
    country_name,
    format_day,
    format_moment,
    normalize_language,
    reader_zone,
    translations,
)
from alerts.labels import Labels
from alerts.message import (
    Attachment,
    build_message,
    message_id,
    one_line,
    recipient_address,
    render_parts,
)
from alerts.reasons import why_lines
from rules.countries import VIETNAM
from rules.hs_codes import dotted_hs
from rules.nomenclature import heading_name
from rules.rate_values import PERCENT
from rules.stages import is_correction
from storage.links import safe_url

_SUBJECT_PRODUCT_LIMIT = 48


@dataclass(frozen=True)
class AlertContext:
    """Everything a template needs about one delivery; plain data so rendering needs no session."""

    delivery_id: int
    recipient_email: str
    recipient_name: str | None
    language: str
    timezone: str
    notice_title: str
    notice_url: str
    notice_published: date
    source_name: str
    analysis: dict[str, Any]
    sector_names: dict[str, dict[str, str]]
    # rules.match_reasons.Reason (or as stored): why the notice matched the reader
    match_reasons: Sequence[str]
    detected_at: datetime
    # The signed /manage link (alerts.tokens.links); None leaves the footer's manage line out.
    manage_url: str | None = None
    cases: tuple[CaseContext, ...] = ()
    # The signed one-click link (alerts.tokens.links); None leaves the List-Unsubscribe out.
    unsubscribe_url: str | None = None
    # The web front end (settings.public_url) and the notice's id there; None: no page links.
    site_url: str | None = None
    notice_id: int | None = None
    # The subscriber's kind (exporter, association, ministry): the register of the salutation.
    recipient_kind: str | None = None
    # Signed links (alerts.tokens.links): follow the notice's cases for reminders, and the
    # subscriber's deadline calendar; None leaves them out.
    follow_url: str | None = None
    calendar_url: str | None = None


@dataclass(frozen=True)
class CaseContext:
    """A case of the notice that concerns Vietnam, with what the statutory clock expects next:
    in a notice on several origins, this is the part that concerns the reader."""

    numbers: tuple[str, ...]
    next_step: str | None = None
    next_due: date | None = None
    # The clock rule's sentence the date comes from (rules/clock.py), said in the reader's words.
    next_basis: str | None = None
    case_id: int | None = None


@dataclass(frozen=True)
class CaseView:
    numbers: str
    next: str | None
    basis: str | None = None
    page: str | None = None


@dataclass(frozen=True)
class AlertView:
    """The facts of one alert in the reader's language, ready for any template."""

    language: str
    subject: str
    # The subject without its tags: what happened, where, on what, and the nearest deadline.
    headline: str
    # Vietnam is not named: a trade-diversion warning, its own kind of alert.
    diversion: bool
    severity: str
    severity_label: str
    greeting: str
    greeting_name: str | None
    title: str
    url: str | None
    published: str
    # The date the text states for the step, when it is not the publication date: relative
    # deadlines count from it.
    event: str | None
    source_name: str
    market: str
    measures: str
    new_case: bool
    stage: str
    stage_advice: str
    advice_note: str | None
    role: str
    role_advice: str
    countries: tuple[str, ...]
    case_numbers: tuple[str, ...]
    hs_codes: tuple[str, ...]
    # What the product is, in the nomenclature's own words in the reader's language: a title
    # names it in the authority's language ("HS 4819: Thùng, hộp, ... bằng giấy").
    product_line: str | None
    deadlines: tuple[DeadlineView, ...]
    # The duty rates and margins the notice states for Vietnam (or for every origin), said.
    rates: tuple[str, ...]
    nearest: DeadlineView | None
    cases: tuple[CaseView, ...]
    sectors: tuple[str, ...]
    why: tuple[str, ...]
    detected: str
    recipient_email: str
    manage_url: str | None
    unsubscribe_url: str | None = None
    notice_page: str | None = None
    follow_url: str | None = None
    calendar_url: str | None = None


def render_alert(ctx: AlertContext, mail_from: str, domain: str = "trews.invalid", *,
                 list_id: str | None = None) -> EmailMessage:
    """The complete message: headers plus a text/plain part, then a text/html part (UTF-8)."""
    view = build_view(ctx)
    text, html = merged_parts("alert", view)
    return build_message(text, html, kind="diversion" if view.diversion else "alert",
                         language=view.language, subject=view.subject, mail_from=mail_from,
                         recipient=recipient_address(ctx.recipient_email, ctx.recipient_name),
                         msgid=message_id(ctx.delivery_id, domain), list_id=list_id,
                         unsubscribe_url=ctx.unsubscribe_url,
                         attachments=deadline_attachment(view, ctx, domain))


def deadline_attachment(view: AlertView, ctx: AlertContext, domain: str
                        ) -> tuple[Attachment, ...]:
    """The deadlines still ahead that the notice states, as an .ics a calendar opens; none for
    an alert without them (a diversion warning lists none)."""
    ahead = [d for d in view.deadlines if not d.passed and d.day is not None]
    if not ahead:
        return ()
    entries = [CalendarEntry(
        uid=f"notice-{ctx.notice_id or ctx.delivery_id}-{d.day.isoformat()}-{i}@{domain}",
        day=d.day, summary=f"{d.label} – {view.headline}",
        description=f"{view.title}\n{view.url or ''}", url=view.url, basis=STATED)
        for i, d in enumerate(ahead) if d.day is not None]
    return (calendar_attachment(entries, "TREWS", "trews-deadlines.ics", ctx.detected_at),)


def merged_parts(template: str, view: AlertView) -> tuple[str, str]:
    """The text and HTML of `template` for `view`, rendered once per impersonal view.

    A notice matched by a thousand subscribers renders the same alert for all of them but for
    the few fields of ``PERSONAL_FIELDS``: the templates are rendered with stand-ins for those
    (once per language, sectors and reasons, and kept), and each reader's values are put in
    afterwards, escaped for the HTML part as the template would have. The stand-ins carry a
    random part, so no scraped text can contain one.
    """
    personal: dict[str, Any] = {name: getattr(view, name) for name in PERSONAL_FIELDS}
    stand_ins: dict[str, Any] = {name: _STAND_IN[name] if value else value
                                 for name, value in personal.items()}
    stand_in = replace(view, **stand_ins)
    text, html = _rendered_parts(template, stand_in)
    for name, value in personal.items():
        if value:
            text = text.replace(_STAND_IN[name], value)
            html = html.replace(_STAND_IN[name], str(escape(value)))
    return text, html


PERSONAL_FIELDS = ("greeting_name", "recipient_email", "manage_url", "unsubscribe_url",
                   "follow_url", "calendar_url")
_STAND_IN = {name: f"trewsmerge{secrets.token_hex(8)}{name.replace('_', '')}"
             for name in PERSONAL_FIELDS}


@lru_cache(maxsize=256)
def _rendered_parts(template: str, view: Any) -> tuple[str, str]:
    return render_parts(template, view)


def build_view(ctx: AlertContext) -> AlertView:
    lang = normalize_language(ctx.language)
    tr = translations(lang)
    _ = tr.gettext
    analysis = ctx.analysis
    measures = list(analysis.get("measures") or [])
    labels = Labels(lang, ctx.sector_names)
    step = content.step_for(analysis.get("proceeding"), analysis.get("stage"),
                            analysis.get("market"), measures)
    stage = labels.stage(analysis.get("stage"), analysis.get("proceeding"),
                         analysis.get("market"), measures)
    correction = is_correction(ctx.notice_title)
    if correction:
        stage = _("Correction: %(stage)s") % {"stage": stage}
    role = content.role_for(analysis.get("vietnam"), measures, analysis.get("stage"))
    diversion = role is content.ROLES["diversion"]
    severity = content.code_key(analysis.get("severity"))
    severity_label = labels.severity(severity)
    market = country_name(str(analysis.get("market") or ""), lang) or ctx.source_name
    measure_text = labels.measures(measures)
    sectors = _sector_names(labels, analysis.get("sectors") or [])
    product = content.product_from_title(ctx.notice_title, _SUBJECT_PRODUCT_LIMIT)
    today = ctx.detected_at.astimezone(reader_zone(ctx.timezone)).date()
    # A diversion warning lists no deadlines: they are for the parties of another country's case.
    deadlines = () if diversion else tuple(
        _deadlines(analysis.get("deadlines") or [], today, lang, tr))
    upcoming = next((d for d in deadlines if not d.passed), None)
    headline = _headline(market, measure_text, product or ", ".join(sectors[:2]), stage, upcoming,
                         tr)
    tag = _(content.DIVERSION_TAG) if diversion else severity_label
    return AlertView(
        language=lang,
        subject=one_line(f"[TREWS][{tag}] {headline}"),
        headline=headline,
        diversion=diversion,
        severity=severity,
        severity_label=tag,
        greeting=_greeting(ctx.recipient_kind, tr),
        greeting_name=one_line(ctx.recipient_name or "") or None,
        title=one_line(ctx.notice_title),
        url=safe_url(ctx.notice_url),
        published=format_day(ctx.notice_published, lang),
        event=_stated_event(analysis.get("event_date"), ctx.notice_published, lang),
        # the authority's name as configured (English), said in the reader's language when the
        # catalogue has it (every bundled source's does)
        source_name=_(ctx.source_name) if ctx.source_name else ctx.source_name,
        market=market,
        measures=measure_text,
        new_case=bool(analysis.get("new_case")),
        stage=stage,
        stage_advice=_(content.DIVERSION_STEP_ADVICE if diversion else step.advice),
        advice_note=_(content.CORRECTION_NOTE) if correction else _advice_note(
            deadlines, diversion, tr),
        role=_(role.label),
        role_advice=_(role.advice),
        countries=tuple(country_name(str(c), lang) for c in analysis.get("countries") or []),
        case_numbers=tuple(str(c) for c in analysis.get("case_numbers") or []),
        hs_codes=tuple(dotted_hs(str(c)) for c in analysis.get("hs_codes") or []),
        product_line=_product_line(analysis, lang),
        deadlines=deadlines,
        rates=() if diversion else _stated_rates(analysis.get("rates") or [], labels, tr),
        nearest=upcoming,
        cases=tuple(_case_view(case, lang, tr, ctx.site_url, today) for case in ctx.cases),
        sectors=tuple(sectors),
        why=why_lines(ctx.match_reasons, labels),
        detected=format_moment(ctx.detected_at, lang, ctx.timezone),
        recipient_email=ctx.recipient_email,
        manage_url=ctx.manage_url,
        unsubscribe_url=ctx.unsubscribe_url,
        notice_page=site_page(ctx.site_url, "notices", ctx.notice_id, lang),
        # only a case that concerns Vietnam is worth following (a diversion warning has none)
        follow_url=ctx.follow_url if ctx.cases and not diversion else None,
        calendar_url=ctx.calendar_url,
    )


def _headline(market: str, measures: str, product: str, stage: str,
              upcoming: DeadlineView | None, tr: NullTranslations) -> str:
    """What happened, where and on what, and the nearest deadline still ahead: the subject
    without its tags, and the digests' line for the notice."""
    parts = " – ".join(p for p in (market, measures, product) if p)
    headline = f"{parts}: {stage}"
    if upcoming is not None:
        headline += " – " + tr.gettext("deadline %(date)s") % {"date": upcoming.date}
    return one_line(headline)


def _product_line(analysis: Mapping[str, Any], lang: str) -> str | None:
    """'HS 4819 – Thùng, hộp, ...' from the first stated HS code, else the inferred one."""
    codes = [str(c) for c in (analysis.get("hs_codes") or analysis.get("hs_inferred") or [])]
    name = heading_name(codes[0], lang) if codes else None
    return f"HS {codes[0][:4]} – {content.shorten(name, 140)}" if name else None


# More stated rates than this are summed up as "and N more": the notice has them all.
RATES_SHOWN = 8


def _stated_rates(raw: Iterable[Any], labels: Labels, tr: NullTranslations) -> tuple[str, ...]:
    """'Công ty X: Biên độ bán phá giá 25,76%' for each rate for Vietnam or for no origin in
    particular; a rate for another origin is not the reader's."""
    said = [f"{labels.rate_holder(item.get('company'))}: {labels.rate_kind(item.get('kind'))} "
            f"{labels.rate_value(float(item['value']), str(item.get('unit') or PERCENT))}"
            for item in raw if isinstance(item, Mapping)
            and isinstance(item.get("value"), int | float)
            and item.get("origin") in (None, VIETNAM)]
    if len(said) <= RATES_SHOWN:
        return tuple(said)
    more = tr.ngettext("and %(num)d more (see the notice)", "and %(num)d more (see the notice)",
                       len(said) - RATES_SHOWN) % {"num": len(said) - RATES_SHOWN}
    return (*said[:RATES_SHOWN], more)


def _stated_event(value: object, published: date, lang: str) -> str | None:
    day = as_date(value)
    return format_day(day, lang) if day is not None and day != published else None


def _greeting(kind: str | None, tr: NullTranslations) -> str:
    """The salutation for the subscriber's kind, in the register of an official letter."""
    return tr.gettext(content.GREETINGS.get(kind or "", content.GREETINGS["exporter"]))


def _advice_note(deadlines: Sequence[DeadlineView], diversion: bool,
                 tr: NullTranslations) -> str | None:
    """Said after the advice when every deadline the notice states had passed at detection."""
    if diversion or not deadlines or any(not d.passed for d in deadlines):
        return None
    return tr.gettext(content.DEADLINES_PASSED)


def _sector_names(labels: Labels, order: Iterable[object]) -> list[str]:
    """Matched sectors in the analysis' order first, then any others the matcher reported."""
    names = labels.sector_names
    return [labels.sector(i) for i in _unique([*(str(s) for s in order if str(s) in names),
                                                *names])]


def _deadlines(
    raw: Iterable[Mapping[str, Any]], today: date, lang: str, tr: NullTranslations
) -> list[DeadlineView]:
    """Deadlines in date order, with days left counted from `today`, the day of detection in
    the reader's zone."""
    entries = [(d, item.get("kind")) for item in raw if (d := as_date(item.get("date")))]
    return [deadline_view(kind, day, (day - today).days, lang, tr)
            for day, kind in sorted(entries, key=lambda entry: entry[0])]


def _case_view(case: CaseContext, lang: str, tr: NullTranslations,
               site_url: str | None, today: date) -> CaseView:
    """'A-552-802 – next expected: Final determination by 17/05/2024', why that date, in the
    reader's words, and the case's page."""
    expected = next_expected(case.next_step, case.next_due, lang, tr, today)
    return CaseView(", ".join(case.numbers) or tr.gettext("case page"), expected,
                    basis_of(case.next_basis, expected, tr),
                    site_page(site_url, "cases", case.case_id, lang))


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))
