"""Reminders before the deadlines of a followed case, through the real outbox to a real SMTP
server (aiosmtpd) while the clock moves: one per deadline, window and subscriber, none after
unfollowing, none lost or doubled across a restart; the .ics they carry and the subscriber's
calendar feed parse with the icalendar library. On SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from pydantic import SecretStr
from sqlalchemy import select

from alerts.capture import MailCapture, Received
from alerts.tokens import links, secret_key, token_from_url
from alerts.transport import SmtpTransport
from config import Settings
from rules.reminders import reminder_window
from scheduler import Service, send_queued
from storage.database import transaction
from storage.follows import follow, queue_reminders, unfollow
from storage.models import (
    Case,
    CaseEvent,
    CaseFollow,
    Delivery,
    Notice,
    Reminder,
    Source,
    Subscriber,
)
from storage.timeutil import utcnow
from tests.web_harness import csrf
from web.app import create_app

TODAY = utcnow().date()
DEADLINES = (TODAY + timedelta(days=9), TODAY + timedelta(days=20))


def test_the_window_owed_is_the_smallest_that_holds_the_deadline() -> None:
    deadline = date(2026, 12, 20)
    owed = {day: reminder_window(deadline, date(2026, 12, day)) for day in range(10, 22)}
    assert owed == {10: None, 11: None, 12: None, 13: 7, 14: 7, 15: 7, 16: 7, 17: 7, 18: 2,
                    19: 2, 20: 2, 21: None}
    assert reminder_window(deadline, date(2026, 12, 19), (1,)) == 1


@pytest.fixture
def service(settings: Settings, database_url: str) -> Iterator[Service]:
    yield Service.load(settings.model_copy(update={
        "database_url": database_url, "public_url": "https://trews.example.vn",
        "secret_key": SecretStr("a-secret-of-sixteen-or-more")}))


def seed(service: Service) -> tuple[int, int, int]:
    """A Vietnamese exporter and a case whose notice states two deadlines; their ids."""
    with transaction(service.sessions) as session:
        session.add(Source(id="synthetic_src", market="AU", authority="ADC", kind="html",
                           url="https://example.org/"))
        session.flush()
        notice = Notice(
            source_id="synthetic_src", external_id="n1", market="AU",
            url="https://example.org/adn-2026-101", title="Aluminium extrusions from Vietnam",
            published=TODAY - timedelta(days=3), raw={}, content_hash="n1",
            analysis={"trade_remedy": True, "market": "AU", "vietnam": "subject",
                      "measures": ["AD"], "proceeding": "investigation", "stage": "initiation",
                      "deadlines": [{"kind": "questionnaire", "date": DEADLINES[0].isoformat()},
                                    {"kind": "comments", "date": DEADLINES[1].isoformat()}]})
        session.add(notice)
        case = Case(market="AU", origin="VN", measure="AD", product="aluminium extrusion",
                    vietnam="subject", proceeding="investigation", stage="initiation",
                    opened_on=TODAY - timedelta(days=3))
        exporter = Subscriber(email="lan@nhom.example.vn", name=None, kind="exporter",
                              language="vi", confirmed=True)
        session.add_all([case, exporter])
        session.flush()
        session.add(CaseEvent(case_id=case.id, notice_id=notice.id, proceeding="investigation",
                              stage="initiation", event_on=notice.published))
        return exporter.id, case.id, notice.id


def queue_on(service: Service, day: date) -> int:
    """The reminders job on `day` (09:00 in Hanoi)."""
    now = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)
    with transaction(service.sessions) as session:
        return queue_reminders(session, now, service.settings.reminder_days)


def send(service: Service) -> list[Received]:
    async def run() -> list[Received]:
        async with MailCapture() as capture:
            await send_queued(service, SmtpTransport("127.0.0.1", capture.port, timeout=10))
            return capture.received
    return asyncio.run(run())


def test_one_reminder_per_deadline_and_window_as_the_clock_moves(service: Service) -> None:
    subscriber, case, _notice = seed(service)
    with transaction(service.sessions) as session:
        assert follow(session, subscriber, [case]) == 1
    sent: list[Received] = []
    for offset in range(-1, 22):  # every day from yesterday to after the second deadline
        day = TODAY + timedelta(days=offset)
        queue_on(service, day)
        queue_on(service, day)  # a repeated run owes nothing more
        sent += send(service)
    subjects = [str(mail.message["Subject"]) for mail in sent]
    assert len(sent) == 4  # two deadlines, two windows each
    for deadline in DEADLINES:
        said = deadline.strftime("%d/%m/%Y")
        assert len([s for s in subjects if said in s]) == 2
    assert all(s.startswith("[TREWS][NHẮC THỜI HẠN]") for s in subjects)
    first = sent[0].message
    attachment = next(first.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    events = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert [event.decoded("dtstart") for event in events] == [DEADLINES[0]]
    text = first.get_body(("plain",)).get_content()
    assert "Kính gửi Quý doanh nghiệp," in text and "/unfollow/" in text


def test_no_reminder_after_unfollowing_even_one_already_queued(service: Service) -> None:
    subscriber, case, _notice = seed(service)
    with transaction(service.sessions) as session:
        follow(session, subscriber, [case])
    assert queue_on(service, DEADLINES[0] - timedelta(days=7)) == 1
    with transaction(service.sessions) as session:
        assert unfollow(session, subscriber, case)
    assert send(service) == []
    for offset in range(0, 22):
        assert queue_on(service, TODAY + timedelta(days=offset)) == 0
    assert send(service) == []
    with service.sessions() as session:
        statuses = list(session.scalars(select(Delivery.status)))
    assert statuses == ["cancelled"]


def test_a_restart_between_queueing_and_sending_loses_and_doubles_nothing(
        service: Service) -> None:
    subscriber, case, _notice = seed(service)
    with transaction(service.sessions) as session:
        follow(session, subscriber, [case])
    assert queue_on(service, DEADLINES[0] - timedelta(days=2)) == 1
    restarted = Service.load(service.settings)  # a new process: its own engine and sessions
    assert queue_on(restarted, DEADLINES[0] - timedelta(days=2)) == 0
    assert len(send(restarted)) == 1
    assert send(restarted) == [] and send(service) == []
    with restarted.sessions() as session:
        assert len(session.scalars(select(Reminder)).all()) == 1


def test_follow_link_asks_then_follows_and_the_calendar_feed_parses(service: Service) -> None:
    subscriber, case, notice = seed(service)
    settings = service.settings
    link = links(subscriber, secret=secret_key(settings), public_url=settings.public_url)
    client = TestClient(create_app(settings))
    path = f"/follow/{token_from_url(link.follow(notice))}"
    token = csrf(client, path + "?lang=vi")  # the page names the case and asks
    assert "Aluminium extrusion" in client.get(path + "?lang=vi").text
    with service.sessions() as session:  # a GET, as a mail scanner makes, follows nothing
        assert session.scalars(select(CaseFollow)).first() is None
    done = client.post(path + "?lang=vi", data={"csrf_token": token})
    assert done.status_code == 200 and "Đã xong" in done.text
    assert queue_on(service, DEADLINES[0] - timedelta(days=7)) == 1
    feed = client.get(f"/calendar/{token_from_url(link.calendar[:-4])}.ics")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert sorted(event.decoded("dtstart") for event in events) == list(DEADLINES)
    assert all("stated" in str(event.get("categories").to_ical()) for event in events)
    forged = client.get("/calendar/not-a-token.ics")
    assert forged.status_code == 403


def test_the_manage_page_lists_the_cases_followed_with_their_stop_links(
        service: Service) -> None:
    subscriber, case, _notice = seed(service)
    with transaction(service.sessions) as session:
        follow(session, subscriber, [case])
    settings = service.settings
    link = links(subscriber, secret=secret_key(settings), public_url=settings.public_url)
    client = TestClient(create_app(settings))
    page = client.get(f"/manage/{token_from_url(link.manage)}?lang=vi").text
    section = page.split("Các vụ việc Quý vị theo dõi", 1)[1]
    assert "Aluminium extrusion – xuất xứ Việt Nam – Úc" in section
    stop = section.split('href="', 1)[1].split('"', 1)[0]
    assert stop.startswith("/unfollow/")
    assert client.get(stop).status_code == 200
