"""An unsubscribe is honoured for mail already in flight, on real SQLite and PostgreSQL with a
real aiosmtpd server: a row claimed before the click is cancelled just before its SMTP
transaction, a row deferred by a 4xx after the click is cancelled rather than queued again, and
the operator's "resend failed" cancels the mail of someone who has unsubscribed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from alerts.message import message_id
from alerts.optin import subscribe, unsubscribe
from alerts.sender import DrainReport
from alerts.tokens import make_token
from storage.database import transaction
from storage.models import Delivery
from storage.outbox_admin import resend_failed
from storage.subscribers import NOT_WANTED, SubscriberRecord
from tests.test_sender import (
    Inbox,
    email_of,
    ids_of,
    pool,
    rows,
    run,
    send,
    smtp_server,
    statuses,
    until_settled,
)
from tests.test_sender import (
    queue_deliveries as queue,
)

SECRET = "test-secret-for-links"


class ClickingInbox(Inbox):
    """The test sender's inbox, running ``on_data`` (by Message-ID) or ``on_rcpt`` (by address)
    when that command arrives, before answering it: a reader's click while the mail is out."""

    def __init__(self) -> None:
        super().__init__()
        self.on_data: dict[str, Callable[[], None]] = {}
        self.on_rcpt: dict[str, Callable[[], None]] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.on_rcpt:
            self.on_rcpt.pop(address)()
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        for msgid in list(self.on_data):
            if msgid.encode() in (envelope.original_content or b""):
                self.on_data.pop(msgid)()
        return await super().handle_DATA(server, session, envelope)


def owner(sessions: sessionmaker[Session], delivery_id: int) -> int:
    with sessions() as session:
        subscriber_id = session.scalar(select(Delivery.subscriber_id)
                                       .where(Delivery.id == delivery_id))
    assert subscriber_id is not None
    return subscriber_id


def click_unsubscribe(sessions: sessionmaker[Session], delivery_id: int) -> None:
    """The one-click unsubscribe of the delivery's subscriber, as the web page performs it."""
    token = make_token(owner(sessions, delivery_id), "unsubscribe", secret=SECRET)
    with transaction(sessions) as session:
        unsubscribe(session, token, secret=SECRET)


def test_a_claimed_mail_is_cancelled_when_its_reader_unsubscribes_before_it_goes(sessions):
    ids = queue(sessions, 4)
    gone = ids[2]
    inbox = ClickingInbox()
    # While the first mail is at the server, every row of the batch is already claimed.
    inbox.on_data[message_id(ids[0])] = lambda: click_unsubscribe(sessions, gone)

    async def scenario() -> DrainReport:
        async with smtp_server(inbox) as (port, _connections), pool(port, size=1) as smtp:
            report = await send(sessions, smtp)
            await until_settled(sessions, smtp)
            return report

    report = run(scenario)
    assert inbox.count() == Counter(ids_of([i for i in ids if i != gone]))
    assert (report.sent, report.cancelled) == (3, 1)
    final = rows(sessions)
    assert (final[gone].status, final[gone].last_error) == ("cancelled", NOT_WANTED)
    assert final[gone].attempts == 0  # nothing was tried
    assert {final[i].status for i in ids if i != gone} == {"sent"}


def test_a_mail_deferred_by_a_4xx_after_the_click_is_cancelled_not_requeued(sessions):
    ids = queue(sessions, 3)
    gone = ids[1]
    inbox = ClickingInbox()
    inbox.on_rcpt[email_of(gone, ids)] = lambda: click_unsubscribe(sessions, gone)
    inbox.rcpt[email_of(gone, ids)] = ["451 4.7.1 Greylisted, try again later"]

    async def scenario() -> str:
        async with smtp_server(inbox) as (port, _connections), pool(port, size=1) as smtp:
            await send(sessions, smtp)
            after_4xx = statuses(sessions)[gone]
            await until_settled(sessions, smtp)
            return after_4xx

    after_4xx = run(scenario)
    assert after_4xx == "cancelled"
    assert inbox.count() == Counter(ids_of([i for i in ids if i != gone]))
    final = rows(sessions)[gone]
    assert (final.status, final.attempts, final.last_error) == ("cancelled", 1, NOT_WANTED)


def test_resend_failed_cancels_the_mail_of_someone_unsubscribed(sessions):
    ids = queue(sessions, 3)
    gone, stays, resubscribing = ids
    for delivery_id in (gone, resubscribing):
        click_unsubscribe(sessions, delivery_id)
    with transaction(sessions) as session:
        # Signing up again after unsubscribing queues a confirmation (the unsubscribe stands
        # until it is confirmed): that mail was asked for, so it is sent again.
        again = subscribe(session, SubscriberRecord(
            email=email_of(resubscribing, ids), name=None, organisation=None, kind="exporter",
            language="vi", sectors=("paper",), frequency="immediate"))
        confirmation = session.scalar(select(Delivery.id).where(
            Delivery.subscriber_id == again.id, Delivery.kind == "confirmation"))
        assert confirmation is not None
        session.execute(update(Delivery).where(Delivery.id.in_([gone, stays, confirmation]))
                        .values(status="failed", last_error="550 5.1.1 No such user"))

    with transaction(sessions) as session:
        requeued = resend_failed(session, [gone, stays, confirmation])

    final = rows(sessions)
    assert (final[gone].status, final[gone].last_error) == ("cancelled", "unsubscribed")
    assert final[stays].status == final[confirmation].status == "queued"
    assert requeued == 2
