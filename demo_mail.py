"""The demo's other mails: after its cycle has sent the immediate alerts, one of every other kind
a reader or the operator gets, each made by the service's own code, not built by hand.

- a visitor signs up on the web form's path (web.signup) and is sent the confirmation request;
- an alerted subscriber follows the case with the nearest stated deadline, and the reminders
  job's step is run on a day its reminder is owed;
- the digests of the day and of the week the demo found its notices in are queued as the
  digests job queues them once those periods have ended (daily and weekly exporters, the
  association's weekly digest, the ministry's daily overview), then sent with the rest;
- a source's server answers 500 for one crawl and then recovers: the operator is told both.
"""

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.digest_periods import DIGEST_KINDS, period_containing, queue_due_digests
from alerts.transport import Transport
from config import Settings
from replay import ReplayServer
from rules.reminders import reminder_window
from scheduler import Service, run_cycle, send_queued
from storage.database import transaction
from storage.follows import CaseDeadline, follow, queue_reminders, stated_deadlines
from storage.models import Case, CaseEvent, Match, Subscription
from storage.subscribers import SubscriberRecord
from storage.timeutil import utcnow
from web.signup import sign_up

# The visitor who signs up on the web form during the demo (still unconfirmed afterwards).
VISITOR = SubscriberRecord(
    email="dangky.moi@example.vn", name="Võ Thị Mai",
    organisation="Công ty TNHH Hạt điều Bình Phước (ví dụ)", kind="exporter", language="vi",
    sectors=("cashew",), frequency="weekly")
# The source whose server goes down for one crawl: a small one, so the outage costs seconds.
OUTAGE_SOURCE = "in_cbic"


async def send_the_other_kinds(service: Service, replay: ReplayServer, transport: Transport,
                               since: Mapping[str, date]) -> None:
    """Queue and send a confirmation, a reminder and the digests, then let the operator hear of
    a source's outage and recovery (see the module docstring)."""
    now = utcnow()
    settings = service.settings
    with transaction(service.sessions) as session:
        sign_up(session, VISITOR, now)
        follow_nearest_deadline(session, now, settings.reminder_days)
        for when in digest_times(now, settings):
            queue_due_digests(session, when, hour=settings.digest_hour)
    await send_queued(service, transport)
    replay.set_group_fault(OUTAGE_SOURCE, "http500")
    await run_cycle(service, [OUTAGE_SOURCE], transport, since)
    replay.clear_faults()
    await run_cycle(service, [OUTAGE_SOURCE], transport, since)


def digest_times(now: datetime, settings: Settings) -> list[datetime]:
    """When the digests of the periods containing `now` (day, then week, in the service's zone)
    fall due: the moments the digests job would queue them."""
    today = now.astimezone(settings.zone).date()
    return [period_containing(kind, today, settings.timezone).due_at(settings.digest_hour)
            for kind in DIGEST_KINDS]


def follow_nearest_deadline(session: Session, now: datetime, windows: Sequence[int]) -> int:
    """A subscriber alerted of a case on Vietnam follows the one whose stated deadline is
    nearest from today (else the latest one past), and the reminders owed on a day in that
    deadline's window are queued; how many. The recordings' deadlines mostly lie in the past,
    so that day may be an earlier one: the mail then says the deadline has passed."""
    alerted: dict[int, int] = {}
    for case_id, subscriber_id in session.execute(
            select(CaseEvent.case_id, Subscription.subscriber_id)
            .join(Case, Case.id == CaseEvent.case_id)
            .join(Match, Match.notice_id == CaseEvent.notice_id)
            .join(Subscription, Subscription.id == Match.subscription_id)
            .where(Case.vietnam != "none").order_by(Subscription.subscriber_id)):
        alerted.setdefault(case_id, subscriber_id)
    deadlines = stated_deadlines(session, sorted(alerted))
    if not deadlines:
        return 0
    deadline = nearest(deadlines, now.date())
    follow(session, alerted[deadline.case_id], [deadline.case_id])
    when = now
    if reminder_window(deadline.day, now.date(), windows) is None:
        # noon UTC is the same calendar day from UTC-11 to UTC+11
        when = datetime.combine(deadline.day - timedelta(days=min(windows)), time(12), UTC)
    return queue_reminders(session, when, windows)


def nearest(deadlines: Sequence[CaseDeadline], today: date) -> CaseDeadline:
    """The first deadline on or after `today`, else the last one (they are in date order)."""
    return next((d for d in deadlines if d.day >= today), deadlines[-1])
