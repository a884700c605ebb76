"""The risk watch's warning mail: headings of the subscriber's products entered the top of the
list (storage/risk_watch.py decides when; those of one run share a mail). It says first that
this is a forecast, not a case, then for each heading where and why (the reasons with their
cases), and links to /risk and the track record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts import content
from alerts.i18n import country_name, format_day, normalize_language, translations
from alerts.message import build_message, one_line, recipient_address, render_parts
from alerts.risk_words import ReasonLine, forecast_note, reason_lines
from alerts.tokens import Links
from rules.nomenclature import heading_name
from storage.models import Delivery, Subscriber
from storage.risk_models import RiskRun, RiskScore
from storage.risk_watch import RISK, watches_of
from storage.timeutil import utcnow

RISK_TAG = content.N_("RISK WATCH: FORECAST")


# The reasons a warning gives per heading; /risk has them all.
MAIL_REASONS = 3


@dataclass(frozen=True)
class RiskEntry:
    """One heading that entered the top, as plain data."""

    market: str
    heading: str
    rank: int
    reasons: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class RiskWarningContext:
    """One warning as plain data."""

    delivery_id: int
    recipient_email: str
    recipient_name: str | None
    recipient_kind: str | None
    language: str
    entries: tuple[RiskEntry, ...]
    top: int
    as_of: date
    horizon_months: int
    site_url: str | None = None
    manage_url: str | None = None
    unsubscribe_url: str | None = None


@dataclass(frozen=True)
class EntryView:
    headline: str
    reasons: list[ReasonLine]
    risk_url: str | None


@dataclass(frozen=True)
class RiskWarningView:
    language: str
    subject: str
    greeting: str
    greeting_name: str | None
    note: str
    as_of: str
    entries: list[EntryView]
    recipient_email: str
    manage_url: str | None
    unsubscribe_url: str | None


def _entry_view(entry: RiskEntry, top: int, lang: str, site_url: str | None) -> EntryView:
    _ = translations(lang).gettext
    name = heading_name(entry.heading, lang)
    product = f"{_('HS heading')} {entry.heading}" + (f" ({name})" if name else "")
    market = country_name(entry.market, lang) or entry.market
    headline = _("%(product)s entered the top %(top)d of the risk list for %(market)s, at "
                 "number %(rank)d.") % {"product": product, "top": top, "rank": entry.rank,
                                        "market": market}
    return EntryView(
        headline=headline, reasons=reason_lines(entry.reasons, lang)[:MAIL_REASONS],
        risk_url=(f"{site_url.rstrip('/')}/risk?market={entry.market}&lang={lang}"
                  if site_url else None))


def _subject(entries: tuple[RiskEntry, ...], lang: str) -> str:
    _ = translations(lang).gettext
    markets = ", ".join(dict.fromkeys(country_name(e.market, lang) or e.market for e in entries))
    if len(entries) == 1:
        what = f"{_('HS heading')} {entries[0].heading}"
    else:
        what = _("%(count)d HS headings") % {"count": len(entries)}
    return one_line(f"[TREWS][{_(RISK_TAG)}] {what} – {markets}")


def build_risk_warning_view(ctx: RiskWarningContext) -> RiskWarningView:
    lang = normalize_language(ctx.language)
    _ = translations(lang).gettext
    return RiskWarningView(
        language=lang, subject=_subject(ctx.entries, lang),
        greeting=_(content.GREETINGS.get(ctx.recipient_kind or "",
                                         content.GREETINGS["exporter"])),
        greeting_name=one_line(ctx.recipient_name or "") or None,
        note=forecast_note(lang, ctx.horizon_months), as_of=format_day(ctx.as_of, lang),
        entries=[_entry_view(e, ctx.top, lang, ctx.site_url) for e in ctx.entries],
        recipient_email=ctx.recipient_email, manage_url=ctx.manage_url,
        unsubscribe_url=ctx.unsubscribe_url)


def render_risk_warning(ctx: RiskWarningContext, mail_from: str,
                        domain: str = "trews.invalid", *,
                        list_id: str | None = None) -> EmailMessage:
    view = build_risk_warning_view(ctx)
    text, html = render_parts("risk_warning", view)
    return build_message(text, html, kind=RISK, language=view.language, subject=view.subject,
                         mail_from=mail_from,
                         recipient=recipient_address(ctx.recipient_email, ctx.recipient_name),
                         msgid=f"<risk-{int(ctx.delivery_id)}@{domain}>", list_id=list_id,
                         unsubscribe_url=ctx.unsubscribe_url)


def risk_warning_context(session: Session, delivery: Delivery, link: Links,
                         site_url: str | None, top: int = 20) -> RiskWarningContext:
    """The warning of a "risk" delivery: every heading it names, with the reasons of the run
    that put it in the top."""
    watched = watches_of(session, delivery)
    subscriber = session.get(Subscriber, delivery.subscriber_id)
    assert watched and subscriber is not None, f"risk delivery {delivery.id}"
    period = delivery.period or ""  # "r<run id>": the run the headings entered with
    run_id = int(period[1:]) if period[1:].isdigit() else watched[0].run_id
    run = session.get(RiskRun, run_id) if run_id else None
    scores = {(s.market, s.heading): s for s in session.scalars(
        select(RiskScore).where(RiskScore.run_id == run_id,
                                RiskScore.heading.in_([w.heading for w in watched])))}
    entries = []
    for watch in watched:
        score = scores.get((watch.market, watch.heading))
        entries.append(RiskEntry(watch.market, watch.heading,
                                 score.rank if score else (watch.rank or top),
                                 tuple(score.reasons) if score else ()))
    return RiskWarningContext(
        delivery_id=delivery.id, recipient_email=subscriber.email,
        recipient_name=subscriber.name, recipient_kind=subscriber.kind,
        language=subscriber.language, entries=tuple(entries), top=top,
        as_of=run.as_of if run else utcnow().date(),
        horizon_months=run.horizon_months if run else 24, site_url=site_url,
        manage_url=link.manage, unsubscribe_url=link.unsubscribe)
