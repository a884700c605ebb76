"""A reminder before a deadline of a case the subscriber follows: the mail.

storage.follows makes the reminders owed (once per deadline, window and subscriber); this
module says one in the reader's language, with the deadline as an .ics, the notice that states
it, and the link that stops the case's reminders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage

from sqlalchemy.orm import Session

from alerts import content
from alerts.calendar import STATED, CalendarEntry, calendar_attachment
from alerts.fact_lines import deadline_view, site_page
from alerts.i18n import normalize_language, translations
from alerts.labels import Labels
from alerts.message import build_message, one_line, recipient_address, render_parts
from alerts.tokens import Links
from storage.follows import local_day, reminder_of
from storage.links import safe_url
from storage.models import Case, Delivery, Notice, Subscriber

REMINDER_TAG = content.N_("DEADLINE REMINDER")


@dataclass(frozen=True)
class ReminderContext:
    """One reminder as plain data."""

    delivery_id: int
    recipient_email: str
    recipient_name: str | None
    recipient_kind: str | None
    language: str
    timezone: str
    case_id: int
    market: str
    origin: str | None
    measure: str | None
    product: str
    deadline_on: date
    deadline_kind: str
    notice_title: str
    notice_url: str
    today: date
    site_url: str | None = None
    unfollow_url: str | None = None
    calendar_url: str | None = None
    manage_url: str | None = None
    unsubscribe_url: str | None = None


@dataclass(frozen=True)
class ReminderView:
    language: str
    subject: str
    greeting: str
    greeting_name: str | None
    heading: str
    deadline_label: str
    deadline_date: str
    deadline_when: str
    measure: str
    notice_title: str
    notice_url: str | None
    case_page: str | None
    unfollow_url: str | None
    calendar_url: str | None
    recipient_email: str
    manage_url: str | None
    unsubscribe_url: str | None


def build_reminder_view(ctx: ReminderContext) -> ReminderView:
    lang = normalize_language(ctx.language)
    tr = translations(lang)
    _ = tr.gettext
    labels = Labels(lang, {})
    deadline = deadline_view(ctx.deadline_kind, ctx.deadline_on,
                             (ctx.deadline_on - ctx.today).days, lang, tr)
    heading = labels.case_heading(ctx.product, ctx.origin, ctx.market)
    subject = one_line(f"[TREWS][{_(REMINDER_TAG)}] {deadline.label} {deadline.date} "
                       f"({deadline.when}) – {heading}")
    return ReminderView(
        language=lang, subject=subject,
        greeting=_(content.GREETINGS.get(ctx.recipient_kind or "",
                                         content.GREETINGS["exporter"])),
        greeting_name=one_line(ctx.recipient_name or "") or None, heading=heading,
        deadline_label=deadline.label, deadline_date=deadline.date, deadline_when=deadline.when,
        measure=labels.measure(ctx.measure), notice_title=one_line(ctx.notice_title),
        notice_url=safe_url(ctx.notice_url),
        case_page=site_page(ctx.site_url, "cases", ctx.case_id, lang),
        unfollow_url=ctx.unfollow_url, calendar_url=ctx.calendar_url,
        recipient_email=ctx.recipient_email, manage_url=ctx.manage_url,
        unsubscribe_url=ctx.unsubscribe_url)


def reminder_message_id(delivery_id: int, domain: str = "trews.invalid") -> str:
    return f"<reminder-{int(delivery_id)}@{domain}>"


def render_reminder(ctx: ReminderContext, mail_from: str, domain: str = "trews.invalid", *,
                    list_id: str | None = None) -> EmailMessage:
    """The reminder mail, its deadline attached as an .ics."""
    view = build_reminder_view(ctx)
    text, html = render_parts("reminder", view)
    entry = CalendarEntry(
        uid=f"case-{ctx.case_id}-{ctx.deadline_kind}-{ctx.deadline_on.isoformat()}@{domain}",
        day=ctx.deadline_on, summary=f"{view.deadline_label} – {view.heading}",
        description=f"{view.notice_title}\n{view.notice_url or ''}", url=view.notice_url,
        basis=STATED)
    calendar = calendar_attachment([entry], "TREWS", "trews-deadline.ics")
    return build_message(text, html, kind="reminder", language=view.language,
                         subject=view.subject, mail_from=mail_from,
                         recipient=recipient_address(ctx.recipient_email, ctx.recipient_name),
                         msgid=reminder_message_id(ctx.delivery_id, domain), list_id=list_id,
                         unsubscribe_url=ctx.unsubscribe_url, attachments=(calendar,))


def reminder_context(session: Session, delivery: Delivery, link: Links, now: datetime,
                     site_url: str | None) -> ReminderContext:
    """Everything the reminder's templates need, read from its rows."""
    reminder = reminder_of(session, delivery)
    assert reminder is not None, f"reminder delivery {delivery.id} has no reminder"
    subscriber = session.get(Subscriber, delivery.subscriber_id)
    case = session.get(Case, reminder.case_id)
    notice = session.get(Notice, reminder.notice_id)
    assert subscriber is not None and case is not None and notice is not None
    return ReminderContext(
        delivery_id=delivery.id, recipient_email=subscriber.email,
        recipient_name=subscriber.name, recipient_kind=subscriber.kind,
        language=subscriber.language, timezone=subscriber.timezone, case_id=case.id,
        market=case.market, origin=case.origin, measure=case.measure, product=case.product,
        deadline_on=reminder.deadline_on, deadline_kind=reminder.kind, notice_title=notice.title,
        notice_url=notice.url, today=local_day(now, subscriber.timezone), site_url=site_url,
        unfollow_url=link.unfollow(case.id), calendar_url=link.calendar,
        manage_url=link.manage, unsubscribe_url=link.unsubscribe)
