"""Double opt-in and one-click unsubscribe.

A subscriber who signed up themselves (or was imported without ``--confirmed``) gets one
confirmation mail (a delivery of kind "confirmation", period "once") and nothing else until they
open its link; ``confirm`` then makes them a receiving subscriber. ``unsubscribe`` takes effect at
once: the subscriber stops matching, and every mail still queued for them is cancelled (one a
sender holds is cancelled by the sender, just before it would go: ``alerts.unsubscribed``).
An unsubscribe is final until a new sign-up is confirmed: the link of a confirmation mail sent
before it (opened again by a mail scanner, say) is refused. Tokens are those of alerts.tokens
(signed, expiring, bound to their purpose).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from email.message import EmailMessage

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from alerts.content import GREETINGS, N_
from alerts.i18n import country_name, normalize_language, translations
from alerts.message import compose, recipient_address
from alerts.tokens import TokenSuperseded, read_token, read_token_state
from rules.hs_codes import dotted_hs
from storage.models import Delivery, Subscriber
from storage.subscribers import (
    CANCELLED,
    CONFIRMATION,
    UNSUBSCRIBED,
    SubscriberRecord,
    store_subscriber,
)
from storage.timeutil import utcnow

CONFIRMATION_PERIOD = "once"
# Not yet handed to a mail server, or maybe not ("uncertain" would be retried): an unsubscribe
# cancels them. A row a sender has claimed ("sending", "resending") is left to that sender, which
# checks again just before sending it or queueing it again.
PENDING = ("queued", "uncertain")


class SubscriberGone(LookupError):
    """A valid token for a subscriber that no longer exists."""


def subscribe(session: Session, record: SubscriberRecord) -> Subscriber:
    """Self-service sign-up: store the subscriber unconfirmed and queue their confirmation mail.

    Signing up again after unsubscribing asks for a new confirmation; a confirmed, receiving
    subscriber who signs up again just has their subscription updated."""
    subscriber, _created = store_subscriber(session, record, confirmed=False)
    if subscriber.unsubscribed_at is not None:
        subscriber.confirmed = False
        _forget_confirmation(session, subscriber.id)
    queue_confirmation(session, subscriber)
    return subscriber


def queue_confirmation(session: Session, subscriber: Subscriber) -> bool:
    """Queue the one confirmation mail of an unconfirmed subscriber; False when there is nothing
    to do (confirmed already, or the mail is queued or was sent)."""
    if subscriber.confirmed and subscriber.unsubscribed_at is None:
        return False
    session.flush()
    exists = session.scalars(select(Delivery.id).where(
        Delivery.subscriber_id == subscriber.id, Delivery.kind == CONFIRMATION,
        Delivery.period == CONFIRMATION_PERIOD)).first()
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.add(Delivery(subscriber_id=subscriber.id, kind=CONFIRMATION,
                                 period=CONFIRMATION_PERIOD))
    except IntegrityError:
        return False
    return True


def _forget_confirmation(session: Session, subscriber_id: int) -> None:
    """A re-subscription gets a fresh confirmation: the old, used one is removed."""
    old = session.scalars(select(Delivery).where(
        Delivery.subscriber_id == subscriber_id, Delivery.kind == CONFIRMATION)).all()
    for delivery in old:
        session.delete(delivery)
    session.flush()


def _subscriber(session: Session, subscriber_id: int) -> Subscriber:
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is None:
        raise SubscriberGone("this subscription no longer exists")
    return subscriber


def signup_state(subscriber: Subscriber) -> str:
    """What a confirm link is bound to: the subscriber's last unsubscribe, if any. A link made
    after it (for a new sign-up) carries it; one made before carries an older state or none."""
    if subscriber.unsubscribed_at is None:
        return ""
    return subscriber.unsubscribed_at.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")


def confirm(session: Session, token: str, *, secret: str) -> Subscriber:
    """Confirm the subscriber named by a "confirm" token (TokenError when it is refused).

    Someone who unsubscribed is subscribed again only by the link of a confirmation mail sent
    after their unsubscribe (TokenSuperseded otherwise)."""
    subscriber_id, state = read_token_state(token, "confirm", secret=secret)
    subscriber = _subscriber(session, subscriber_id)
    if subscriber.unsubscribed_at is not None and state != signup_state(subscriber):
        raise TokenSuperseded("this link was sent before the subscriber unsubscribed")
    subscriber.confirmed = True
    subscriber.unsubscribed_at = None
    return subscriber


def unsubscribe(session: Session, token: str, *, secret: str) -> Subscriber:
    """One-click unsubscribe (RFC 8058): at once, and idempotent.

    The subscriber stops being matched (storage.subscribers.active_subscriptions) and gets no
    digest; every delivery still queued for them is cancelled, so not even a mail already owed
    goes out after the click (the sender cancels one it holds, see ``alerts.unsubscribed``)."""
    subscriber = _subscriber(session, read_token(token, "unsubscribe", secret=secret))
    if subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = utcnow()
    session.execute(update(Delivery).where(
        Delivery.subscriber_id == subscriber.id, Delivery.status.in_(PENDING),
    ).values(status=CANCELLED, last_error=UNSUBSCRIBED))
    return subscriber


# The confirmation mail ----------------------------------------------------------------------

@dataclass(frozen=True)
class ConfirmationContext:
    delivery_id: int
    recipient_email: str
    recipient_name: str | None
    language: str
    confirm_url: str
    sectors: tuple[str, ...]  # names in the reader's language ("*": every sector)
    frequency: str
    valid_days: int = 7
    hs_codes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    markets: tuple[str, ...] = ()  # market codes; none means every market
    recipient_kind: str | None = None  # exporter, association, ministry: the salutation


@dataclass(frozen=True)
class ConfirmationView:
    language: str
    subject: str
    greeting_name: str | None
    greeting: str
    recipient_email: str
    confirm_url: str
    sectors: str
    hs_codes: str
    keywords: str
    markets: str
    frequency: str
    valid_days: int
    manage_url: str


_FREQUENCIES = {
    "immediate": N_("as soon as a notice is found"),
    "daily": N_("in a daily digest"),
    "weekly": N_("in a weekly digest"),
}


def build_confirmation_view(ctx: ConfirmationContext) -> ConfirmationView:
    lang = normalize_language(ctx.language)
    _ = translations(lang).gettext
    return ConfirmationView(
        language=lang, subject=_("[TREWS] Confirm your subscription to trade remedy alerts"),
        greeting_name=" ".join((ctx.recipient_name or "").split()) or None,
        greeting=_(GREETINGS.get(ctx.recipient_kind or "", GREETINGS["exporter"])),
        recipient_email=ctx.recipient_email, confirm_url=ctx.confirm_url,
        sectors=", ".join(_("all sectors") if name == "*" else name for name in ctx.sectors)
        or "-",
        hs_codes=", ".join(dotted_hs(code) for code in ctx.hs_codes),
        keywords=", ".join(ctx.keywords),
        markets=", ".join(country_name(code, lang) for code in ctx.markets) or _("all markets"),
        frequency=_(_FREQUENCIES.get(ctx.frequency, _FREQUENCIES["immediate"])),
        valid_days=ctx.valid_days, manage_url=ctx.confirm_url,
    )


def confirmation_message_id(delivery_id: int, domain: str = "trews.invalid") -> str:
    return f"<confirm-{int(delivery_id)}@{domain}>"


def render_confirmation(ctx: ConfirmationContext, mail_from: str,
                        domain: str = "trews.invalid", *,
                        list_id: str | None = None) -> EmailMessage:
    """The confirmation request: no List-Unsubscribe, since nothing is subscribed yet."""
    return compose("confirmation", build_confirmation_view(ctx), mail_from=mail_from,
                   recipient=recipient_address(ctx.recipient_email, ctx.recipient_name),
                   msgid=confirmation_message_id(ctx.delivery_id, domain), list_id=list_id)
