"""The mail a case page's "follow this case" form sends: the one way its address proves it wants
the case's reminders.

Anyone can type any address into the form, so the page follows nothing itself and never says
whether the address is a subscriber's; the mail does. A receiving subscriber gets a signed
follow link for that one case (alerts.tokens, purpose "follow", state "c<case id>"), which only
asks before its button follows the case (web/follows.py). Any other address (unknown, or still
unconfirmed) is invited to subscribe first, and then to ask again from the case page. The mail is
in the reader's language. Whoever unsubscribed gets nothing: storage.subscribers cancels it.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy.orm import Session

from alerts.content import GREETINGS
from alerts.fact_lines import site_page
from alerts.i18n import normalize_language, translations
from alerts.labels import case_line
from alerts.message import compose, one_line, recipient_address
from alerts.tokens import Links
from storage.models import Case, Delivery, Subscriber


@dataclass(frozen=True)
class FollowRequestContext:
    """One follow request as plain data; `follow_url` None: the address does not receive
    alerts, so the mail invites it to subscribe."""

    delivery_id: int
    recipient_email: str
    recipient_name: str | None
    recipient_kind: str | None
    language: str
    case_heading: str
    case_page: str | None
    follow_url: str | None
    subscribe_url: str
    manage_url: str | None = None
    unsubscribe_url: str | None = None


@dataclass(frozen=True)
class FollowRequestView:
    language: str
    subject: str
    greeting: str
    greeting_name: str | None
    recipient_email: str
    case_heading: str
    case_page: str | None
    follow_url: str | None
    subscribe_url: str
    manage_url: str | None
    unsubscribe_url: str | None


def build_follow_request_view(ctx: FollowRequestContext) -> FollowRequestView:
    lang = normalize_language(ctx.language)
    _ = translations(lang).gettext
    subject = (_("[TREWS] Follow this case: %(case)s") if ctx.follow_url
               else _("[TREWS] To follow this case, subscribe first: %(case)s"))
    return FollowRequestView(
        language=lang, subject=one_line(subject % {"case": ctx.case_heading}),
        greeting=_(GREETINGS.get(ctx.recipient_kind or "", GREETINGS["exporter"])),
        greeting_name=one_line(ctx.recipient_name or "") or None,
        recipient_email=ctx.recipient_email, case_heading=ctx.case_heading,
        case_page=ctx.case_page, follow_url=ctx.follow_url, subscribe_url=ctx.subscribe_url,
        manage_url=ctx.manage_url, unsubscribe_url=ctx.unsubscribe_url)


def follow_request_message_id(delivery_id: int, domain: str = "trews.invalid") -> str:
    return f"<follow-{int(delivery_id)}@{domain}>"


def render_follow_request(ctx: FollowRequestContext, mail_from: str,
                          domain: str = "trews.invalid", *,
                          list_id: str | None = None) -> EmailMessage:
    """The follow request; List-Unsubscribe only for a subscriber (an invitation subscribes
    nobody)."""
    return compose("follow_request", build_follow_request_view(ctx), mail_from=mail_from,
                   recipient=recipient_address(ctx.recipient_email, ctx.recipient_name),
                   msgid=follow_request_message_id(ctx.delivery_id, domain), list_id=list_id,
                   unsubscribe_url=ctx.unsubscribe_url)


def requested_case_id(delivery: Delivery) -> int:
    """The case a follow request's delivery is about (its period, "c<case id>")."""
    period = delivery.period or ""
    assert period.startswith("c") and period[1:].isdigit(), f"follow request {delivery.id}"
    return int(period[1:])


def follow_request_context(session: Session, delivery: Delivery, link: Links,
                           site_url: str) -> FollowRequestContext:
    """Everything the follow request's templates need, read from its rows when it is sent: a
    subscriber who confirmed in between gets the link, not the invitation."""
    subscriber = session.get(Subscriber, delivery.subscriber_id)
    case = session.get(Case, requested_case_id(delivery))
    assert subscriber is not None and case is not None
    lang = normalize_language(subscriber.language)
    receiving = subscriber.confirmed and subscriber.unsubscribed_at is None
    return FollowRequestContext(
        delivery_id=delivery.id, recipient_email=subscriber.email,
        recipient_name=subscriber.name, recipient_kind=subscriber.kind, language=lang,
        case_heading=case_line(case, lang), case_page=site_page(site_url, "cases", case.id, lang),
        follow_url=f"{link.follow_case(case.id)}?lang={lang}" if receiving else None,
        subscribe_url=f"{site_url.rstrip('/')}/subscribe?lang={lang}",
        manage_url=link.manage if receiving else None,
        unsubscribe_url=link.unsubscribe if receiving else None)
