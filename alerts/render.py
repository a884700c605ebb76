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
from datetime import UTC, date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822_datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import css_inline
from babel.support import NullTranslations
from jinja2 import Environment, select_autoescape
from markupsafe import escape

from alerts import content
from alerts.i18n import (
    as_date,
    country_name,
    format_day,
    format_moment,
    normalize_language,
    reader_zone,
    translated_environment,
    translations,
)
from alerts.labels import Labels
from alerts.mailpolicy import MAIL_POLICY, mailbox, text_part
from alerts.reasons import why_lines
from rules.hs_codes import dotted_hs
from storage.links import safe_url

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
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
class DeadlineView:
    label: str
    date: str
    when: str
    urgent: bool


@dataclass(frozen=True)
class AlertView:
    """The facts of one alert in the reader's language, ready for any template."""

    language: str
    subject: str
    severity: str
    severity_label: str
    greeting_name: str | None
    title: str
    url: str | None
    published: str
    source_name: str
    market: str
    measures: str
    new_case: bool
    stage: str
    stage_advice: str
    role: str
    role_advice: str
    countries: tuple[str, ...]
    case_numbers: tuple[str, ...]
    hs_codes: tuple[str, ...]
    deadlines: tuple[DeadlineView, ...]
    cases: tuple[CaseView, ...]
    sectors: tuple[str, ...]
    why: tuple[str, ...]
    detected: str
    recipient_email: str
    manage_url: str | None
    unsubscribe_url: str | None = None
    notice_page: str | None = None


@cache
def jinja_environment(language: str) -> Environment:
    """The mails' environment in `language`. Autoescaping is on for ``.html.j2`` only: notice
    titles are scraped text, and the plain-text part must not show ``&amp;``."""
    return translated_environment(
        TEMPLATES_DIR, language, keep_trailing_newline=True,
        autoescape=select_autoescape(["html.j2", "html"], default_for_string=False))


def render_alert(ctx: AlertContext, mail_from: str, domain: str = "trews.invalid", *,
                 list_id: str | None = None) -> EmailMessage:
    """The complete message: headers plus a text/plain part, then a text/html part (UTF-8)."""
    view = build_view(ctx)
    text, html = merged_parts("alert", view)
    return build_message(text, html, language=view.language, subject=view.subject,
                         mail_from=mail_from,
                         recipient=recipient_address(ctx.recipient_email, ctx.recipient_name),
                         msgid=message_id(ctx.delivery_id, domain), list_id=list_id,
                         unsubscribe_url=ctx.unsubscribe_url)


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


# One MIME boundary for the process, random so no body can contain it: a boundary made per
# message would make every message's Content-Type header unique, and costly to write out.
_BOUNDARY = f"trews-{secrets.token_hex(16)}"
PERSONAL_FIELDS = ("greeting_name", "recipient_email", "manage_url", "unsubscribe_url")
_STAND_IN = {name: f"trewsmerge{secrets.token_hex(8)}{name.replace('_', '')}"
             for name in PERSONAL_FIELDS}


@lru_cache(maxsize=256)
def _rendered_parts(template: str, view: Any) -> tuple[str, str]:
    return render_parts(template, view)


def render_parts(template: str, view: Any) -> tuple[str, str]:
    """`template`.txt.j2 and `template`.html.j2 rendered on `view`; the HTML's stylesheet
    (base.html.j2) inlined into style attributes, because many mail programs ignore <style>."""
    env = jinja_environment(view.language)
    text = env.get_template(f"{template}.txt.j2").render(v=view)
    html = inline_css(env.get_template(f"{template}.html.j2").render(v=view))
    return text, html


def recipient_address(email: str, name: str | None) -> Address:
    """The To: address; a scraped or imported name never brings a newline into the header."""
    return mailbox(email, _one_line(name or ""))


def compose(template: str, view: Any, *, mail_from: str, recipient: Address | str,
            msgid: str, list_id: str | None = None, unsubscribe_url: str | None = None,
            date: datetime | None = None) -> EmailMessage:
    """A message from `template` rendered on `view` (which has `language` and `subject`)."""
    text, html = render_parts(template, view)
    return build_message(text, html, language=view.language, subject=view.subject,
                         mail_from=mail_from, recipient=recipient, msgid=msgid, list_id=list_id,
                         unsubscribe_url=unsubscribe_url, date=date)


def build_message(text: str, html: str, *, language: str, subject: str, mail_from: str,
                  recipient: Address | str, msgid: str, list_id: str | None = None,
                  unsubscribe_url: str | None = None, date: datetime | None = None
                  ) -> EmailMessage:
    """Headers, then a text/plain part and a text/html part (UTF-8).

    With `list_id` the mail says which list it belongs to (RFC 2919); with `unsubscribe_url` it
    carries List-Unsubscribe and the RFC 8058 one-click List-Unsubscribe-Post, so the reader's
    mail program offers an unsubscribe button.
    """
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["From"] = mail_from
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Date"] = rfc2822_datetime(date or datetime.now(UTC))
    msg["Message-ID"] = msgid
    # RFC 3834: keeps vacation responders from answering an automatic alert.
    msg["Auto-Submitted"] = "auto-generated"
    if list_id:
        msg["List-Id"] = list_id_header(list_id)
    if unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["MIME-Version"] = "1.0"
    msg["Content-Type"] = f'multipart/alternative; boundary="{_BOUNDARY}"'
    msg["Content-Language"] = language
    msg.attach(text_part(text, "plain"))
    msg.attach(text_part(html, "html"))
    return msg


_INLINER = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


def inline_css(html: str) -> str:
    """The document with its <style> rules moved into style attributes (css-inline)."""
    return _INLINER.inline(html)


def list_id_header(list_id: str) -> str:
    """RFC 2919 List-Id: "TREWS <alerts.trews.invalid>" from the setting, bracketed or not."""
    bare = list_id.strip().strip("<>").strip()
    return f"TREWS <{bare}>"


def message_id(delivery_id: int, domain: str = "trews.invalid") -> str:
    """Stable per delivery, so a resend after a crash is recognisably the same message."""
    return f"<alert-{int(delivery_id)}@{domain}>"


def build_view(ctx: AlertContext) -> AlertView:
    lang = normalize_language(ctx.language)
    tr = translations(lang)
    _ = tr.gettext
    analysis = ctx.analysis
    measures = list(analysis.get("measures") or [])
    labels = Labels(lang, ctx.sector_names)
    step = content.step_for(analysis.get("proceeding"), analysis.get("stage"))
    stage = labels.stage(analysis.get("stage"), analysis.get("proceeding"))
    role = content.role_for(analysis.get("vietnam"), measures)
    severity = content.code_key(analysis.get("severity"))
    severity_label = labels.severity(severity)
    market = country_name(str(analysis.get("market") or ""), lang) or ctx.source_name
    measure_text = labels.measures(measures)
    sectors = _sector_names(labels, analysis.get("sectors") or [])
    product = content.product_from_title(ctx.notice_title, _SUBJECT_PRODUCT_LIMIT)
    subject = _subject(
        severity_label, market, measure_text, product or ", ".join(sectors[:2]), stage
    )
    return AlertView(
        language=lang,
        subject=subject,
        severity=severity,
        severity_label=severity_label,
        greeting_name=_one_line(ctx.recipient_name or "") or None,
        title=_one_line(ctx.notice_title),
        url=safe_url(ctx.notice_url),
        published=format_day(ctx.notice_published, lang),
        source_name=ctx.source_name,
        market=market,
        measures=measure_text,
        new_case=bool(analysis.get("new_case")),
        stage=stage,
        stage_advice=_(step.advice),
        role=_(role.label),
        role_advice=_(role.advice),
        countries=tuple(country_name(str(c), lang) for c in analysis.get("countries") or []),
        case_numbers=tuple(str(c) for c in analysis.get("case_numbers") or []),
        hs_codes=tuple(dotted_hs(str(c)) for c in analysis.get("hs_codes") or []),
        deadlines=tuple(_deadlines(analysis.get("deadlines") or [], ctx, lang, tr)),
        cases=tuple(_case_view(case, lang, tr, ctx.site_url) for case in ctx.cases),
        sectors=tuple(sectors),
        why=why_lines(ctx.match_reasons, labels),
        detected=format_moment(ctx.detected_at, lang, ctx.timezone),
        recipient_email=ctx.recipient_email,
        manage_url=ctx.manage_url,
        unsubscribe_url=ctx.unsubscribe_url,
        notice_page=site_page(ctx.site_url, "notices", ctx.notice_id, lang),
    )


def site_page(site_url: str | None, kind: str, page_id: int | None,
              language: str) -> str | None:
    """A notice's or a case's page on the web front end, in the reader's language, so a mail
    leads to the whole analysis and the case's timeline; none without a front end or an id."""
    if not site_url or page_id is None:
        return None
    return f"{site_url.rstrip('/')}/{kind}/{int(page_id)}?lang={language}"


def _subject(severity: str, market: str, measures: str, product: str, stage: str) -> str:
    parts = " – ".join(p for p in (market, measures, product) if p)
    return _one_line(f"[TREWS][{severity}] {parts}: {stage}")


def _sector_names(labels: Labels, order: Iterable[object]) -> list[str]:
    """Matched sectors in the analysis' order first, then any others the matcher reported."""
    names = labels.sector_names
    return [labels.sector(i) for i in _unique([*(str(s) for s in order if str(s) in names),
                                                *names])]


def _deadlines(
    raw: Iterable[Mapping[str, Any]], ctx: AlertContext, lang: str, tr: NullTranslations
) -> list[DeadlineView]:
    """Deadlines in date order, with days left counted from the day of detection in the reader's
    zone."""
    today = ctx.detected_at.astimezone(reader_zone(ctx.timezone)).date()
    entries = [(d, item.get("kind")) for item in raw if (d := as_date(item.get("date")))]
    return [deadline_view(kind, day, (day - today).days, lang, tr)
            for day, kind in sorted(entries, key=lambda entry: entry[0])]


def deadline_view(kind: object, day: date, days_left: int, lang: str,
                  tr: NullTranslations) -> DeadlineView:
    """One deadline in the reader's words; within 14 days it is urgent, because that is where
    "high" severity starts."""
    known = content.deadline_label(kind)
    label = tr.gettext(known) if known else f"{tr.gettext(content.GENERIC_DEADLINE)} ({kind})"
    return DeadlineView(label, format_day(day, lang), when_text(days_left, tr),
                        0 <= days_left <= 14)


def _case_view(case: CaseContext, lang: str, tr: NullTranslations,
               site_url: str | None) -> CaseView:
    """'A-552-802 – next expected: Final determination by 17/05/2024', why that date, in the
    reader's words, and the case's page."""
    expected = next_expected(case.next_step, case.next_due, lang, tr)
    return CaseView(", ".join(case.numbers) or "-", expected,
                    basis_of(case.next_basis, expected, tr),
                    site_page(site_url, "cases", case.case_id, lang))


def next_expected(step: str | None, due: date | None, lang: str,
                  tr: NullTranslations) -> str | None:
    """A case's next step from the statutory clock: 'Final determination by 17/05/2024'."""
    if not (step and due):
        return None
    return tr.gettext("%(step)s by %(date)s") % {
        "step": tr.gettext(content.next_step_label(step)), "date": format_day(due, lang)}


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


def _one_line(text: str) -> str:
    """Collapse whitespace: scraped titles carry newlines, which headers must never contain."""
    return " ".join(text.split())


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))
