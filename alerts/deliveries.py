"""One entry point for the sender: the message of any delivery row, whatever its kind.

"alert" (one notice), "daily"/"weekly" (a digest period), "confirmation" (the opt-in request),
"reminder" (a deadline of a followed case), "follow" (the follow link a case page's form asks
for) and "risk" (the risk watch's warning, alerts/risk_warning.py) are all rows of the same
outbox, drained by the same loop; this picks the renderer. Every
message to a subscriber carries List-Id, and every one except the confirmation request and the
invitation to subscribe carries the signed one-click List-Unsubscribe link.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from email.message import EmailMessage

from sqlalchemy.orm import Session

from alerts.digest_periods import DIGEST_KINDS
from alerts.digests import digest_delivery_message, mail_domain
from alerts.follow_request import follow_request_context, render_follow_request
from alerts.optin import CONFIRMATION, ConfirmationContext, render_confirmation, signup_state
from alerts.reminders import reminder_context, render_reminder
from alerts.render import render_alert
from alerts.risk_warning import render_risk_warning, risk_warning_context
from alerts.sender import Render
from alerts.tokens import DAY_S, MAX_AGE_S, Links, links, secret_key
from config.settings import Settings
from storage.follows import FOLLOW_REQUEST, REMINDER
from storage.models import DELIVERY_KINDS, Delivery, Subscriber
from storage.risk_watch import RISK
from storage.timeutil import utcnow


def subscriber_links(settings: Settings, subscriber_id: int, confirm_state: str = "") -> Links:
    """The signed confirm/manage/unsubscribe links of a subscriber, on the public URL; the
    confirm link bound to `confirm_state` (alerts.optin.signup_state)."""
    return links(subscriber_id, secret=secret_key(settings), public_url=settings.public_url,
                 confirm_state=confirm_state)


def render_delivery(session: Session, delivery: Delivery, *, settings: Settings,
                    sector_names: Mapping[str, Mapping[str, str]],
                    source_names: Mapping[str, str]) -> EmailMessage:
    """The complete message of `delivery`, ready for a transport."""
    if delivery.kind in DIGEST_KINDS:
        return digest_delivery_message(session, delivery, settings=settings,
                                       sector_names=sector_names, source_names=source_names)
    subscriber = session.get(Subscriber, delivery.subscriber_id)
    assert subscriber is not None
    link = subscriber_links(settings, subscriber.id, signup_state(subscriber))
    if delivery.kind == CONFIRMATION:
        return render_confirmation(ConfirmationContext(
            delivery_id=delivery.id, recipient_email=subscriber.email,
            recipient_name=subscriber.name, language=subscriber.language,
            confirm_url=link.confirm,
            sectors=tuple(_sector_names(subscriber, sector_names)),
            hs_codes=tuple(dict.fromkeys(c for sub in subscriber.subscriptions
                                         for c in sub.hs_codes)),
            keywords=tuple(dict.fromkeys(k for sub in subscriber.subscriptions
                                         for k in sub.keywords)),
            markets=tuple(dict.fromkeys(m for sub in subscriber.subscriptions
                                        for m in sub.markets)),
            recipient_kind=subscriber.kind,
            frequency=subscriber.subscriptions[0].frequency if subscriber.subscriptions
            else "immediate", valid_days=MAX_AGE_S["confirm"] // DAY_S,
        ), settings.mail_from, mail_domain(settings), list_id=settings.list_id)
    if delivery.kind == REMINDER:
        return render_reminder(
            reminder_context(session, delivery, link, utcnow(), settings.public_url),
            settings.mail_from, mail_domain(settings), list_id=settings.list_id)
    if delivery.kind == RISK:
        return render_risk_warning(
            risk_warning_context(session, delivery, link, settings.public_url),
            settings.mail_from, mail_domain(settings), list_id=settings.list_id)
    if delivery.kind == FOLLOW_REQUEST:
        return render_follow_request(
            follow_request_context(session, delivery, link, settings.public_url),
            settings.mail_from, mail_domain(settings), list_id=settings.list_id)
    from alerts.outbox import alert_context  # the outbox imports the sender side

    ctx = alert_context(session, delivery, sector_names, source_names)
    ctx = replace(ctx, manage_url=link.manage, unsubscribe_url=link.unsubscribe,
                  site_url=settings.public_url, follow_url=link.follow(delivery.notice_id or 0),
                  calendar_url=link.calendar)
    return render_alert(ctx, settings.mail_from, list_id=settings.list_id)


def delivery_renderers(settings: Settings, sector_names: Mapping[str, Mapping[str, str]],
                       source_names: Mapping[str, str]) -> dict[str, Render]:
    """The sender's renderer for every kind of subscriber mail (alert, digests, confirmation)."""
    def render(session: Session, row_id: int) -> EmailMessage:
        delivery = session.get(Delivery, row_id)
        assert delivery is not None
        return render_delivery(session, delivery, settings=settings, sector_names=sector_names,
                               source_names=source_names)

    return {kind: render for kind in DELIVERY_KINDS}


def _sector_names(subscriber: Subscriber,
                  sector_names: Mapping[str, Mapping[str, str]]) -> list[str]:
    names = []
    for sub in subscriber.subscriptions:
        if sub.all_sectors:
            names.append("*")
        for sector in sub.sectors:
            known = sector_names.get(sector, {})
            names.append(known.get(subscriber.language) or known.get("en") or sector)
    return list(dict.fromkeys(names))
