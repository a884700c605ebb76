"""The risk watch's warning mail: a heading of the subscriber's products entered the top of the
list (storage/risk_watch.py decides when). It says first that this is a forecast, not a case,
then where and why (the reasons with their cases), and links to /risk and the track record.
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
from storage.risk_watch import RISK, watch_of
from storage.timeutil import utcnow

RISK_TAG = content.N_("RISK WATCH: FORECAST")


@dataclass(frozen=True)
class RiskWarningContext:
    """One warning as plain data."""

    delivery_id: int
    recipient_email: str
    recipient_name: str | None
    recipient_kind: str | None
    language: str
    market: str
    heading: str
    rank: int
    top: int
    as_of: date
    horizon_months: int
    reasons: tuple[dict[str, Any], ...]
    site_url: str | None = None
    manage_url: str | None = None
    unsubscribe_url: str | None = None


@dataclass(frozen=True)
class RiskWarningView:
    language: str
    subject: str
    greeting: str
    greeting_name: str | None
    headline: str
    note: str
    as_of: str
    reasons: list[ReasonLine]
    risk_url: str | None
    recipient_email: str
    manage_url: str | None
    unsubscribe_url: str | None


def build_risk_warning_view(ctx: RiskWarningContext) -> RiskWarningView:
    lang = normalize_language(ctx.language)
    _ = translations(lang).gettext
    name = heading_name(ctx.heading, lang)
    product = f"{_('HS heading')} {ctx.heading}" + (f" ({name})" if name else "")
    headline = _("%(product)s entered the top %(top)d of the risk list for %(market)s, at "
                 "number %(rank)d.") % {"product": product, "top": ctx.top, "rank": ctx.rank,
                                        "market": country_name(ctx.market, lang) or ctx.market}
    subject = one_line(f"[TREWS][{_(RISK_TAG)}] {_('HS heading')} {ctx.heading} – "
                       f"{country_name(ctx.market, lang) or ctx.market}")
    return RiskWarningView(
        language=lang, subject=subject,
        greeting=_(content.GREETINGS.get(ctx.recipient_kind or "",
                                         content.GREETINGS["exporter"])),
        greeting_name=one_line(ctx.recipient_name or "") or None, headline=headline,
        note=forecast_note(lang, ctx.horizon_months), as_of=format_day(ctx.as_of, lang),
        reasons=reason_lines(ctx.reasons, lang),
        risk_url=(f"{ctx.site_url.rstrip('/')}/risk?market={ctx.market}&lang={lang}"
                  if ctx.site_url else None),
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
    """The warning of a "risk" delivery, with the reasons of the run that put it in the top."""
    watch = watch_of(session, delivery)
    subscriber = session.get(Subscriber, delivery.subscriber_id)
    assert watch is not None and subscriber is not None, f"risk delivery {delivery.id}"
    run = session.get(RiskRun, watch.run_id) if watch.run_id else None
    score = session.scalars(select(RiskScore).where(
        RiskScore.run_id == watch.run_id, RiskScore.market == watch.market,
        RiskScore.heading == watch.heading)).first() if run else None
    return RiskWarningContext(
        delivery_id=delivery.id, recipient_email=subscriber.email,
        recipient_name=subscriber.name, recipient_kind=subscriber.kind,
        language=subscriber.language, market=watch.market, heading=watch.heading,
        rank=score.rank if score else (watch.rank or top), top=top,
        as_of=run.as_of if run else utcnow().date(),
        horizon_months=run.horizon_months if run else 24,
        reasons=tuple(score.reasons) if score else (), site_url=site_url,
        manage_url=link.manage, unsubscribe_url=link.unsubscribe)
