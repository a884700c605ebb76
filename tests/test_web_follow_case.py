"""Following a case from its page: the form mails a signed follow link for that one case (or, to
an address that receives no alerts, an invitation to subscribe), through the service's own
outbox and sender to a real SMTP server (aiosmtpd); the link, opened and confirmed, makes the
subscriber follow the case, which then shows on their manage page. The page never tells whether
an address subscribes. On a real SQLite file and on the real PostgreSQL server.
"""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.labels import case_line
from alerts.tokens import make_token
from scheduler import Service
from storage.database import transaction
from storage.models import Case, CaseFollow, Delivery, Subscriber
from tests.web_harness import (
    SECRET,
    add_subscriber,
    browser,
    client_for,
    csrf,
    drain_to_smtp,
    text_part,
    web_settings,
)

Web = tuple[TestClient, sessionmaker[Session], Service]
MEMBER = "lan@giaybaobi.example.vn"
STRANGER = "ai.do@example.org"


@pytest.fixture
def web(tmp_path: Path, database_url: str) -> Web:
    return client_for(web_settings(tmp_path, database_url, rate_limit_per_email=3))


def add_case(sessions: sessionmaker[Session]) -> int:
    with transaction(sessions) as session:
        case = Case(market="US", origin="VN", measure="AD", product="paper shopping bags",
                    vietnam="subject", proceeding="investigation", stage="initiation",
                    opened_on=date(2026, 1, 5), opened_by="investigation",
                    first_stage="initiation")
        session.add(case)
        session.flush()
        return case.id


def ask(client: TestClient, case_id: int, email: str) -> str:
    """Post the case page's form as a visitor would; the page it leads to."""
    token = csrf(client, f"/cases/{case_id}")
    answer = client.post(f"/cases/{case_id}/follow", data={"csrf_token": token, "email": email},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"].startswith(f"/cases/{case_id}/follow/sent")
    page = client.get(answer.headers["location"])
    assert page.status_code == 200
    return page.text


def link_in(mail: EmailMessage, part: str) -> str | None:
    return next((line.strip() for line in text_part(mail).splitlines() if part in line), None)


def follows(sessions: sessionmaker[Session], subscriber_id: int) -> list[int]:
    with sessions() as session:
        return list(session.scalars(select(CaseFollow.case_id).where(
            CaseFollow.subscriber_id == subscriber_id, CaseFollow.unfollowed_at.is_(None))))


def test_a_subscriber_follows_a_case_from_its_page(web: Web) -> None:
    client, sessions, service = web
    case_id = add_case(sessions)
    member = add_subscriber(sessions, MEMBER, language="en")
    page = client.get(f"/cases/{case_id}?lang=vi")
    assert 'id="follow-email"' in page.text and "Theo dõi vụ việc này" in page.text

    said = ask(client, case_id, MEMBER.upper())  # however the address is written
    assert "Hãy kiểm tra hộp thư" in said
    assert follows(sessions, member) == []  # the form alone follows nothing

    mails = drain_to_smtp(service)
    assert [str(mail["To"]) for mail in mails] == [f"Lan <{MEMBER}>"]
    mail = mails[0]
    heading = case_line(_case(sessions, case_id), "en")
    assert mail["Content-Language"] == "en"  # the subscriber's language, not the page's
    assert str(mail["Subject"]) == f"[TREWS] Follow this case: {heading}"
    assert mail["List-Unsubscribe"] is not None
    link = link_in(mail, "/follow/")
    assert link is not None and link.startswith("https://trews.example.vn/follow/")
    path = urlsplit(link).path + "?" + urlsplit(link).query

    form = client.get(path)
    assert form.status_code == 200 and heading in form.text
    assert follows(sessions, member) == []  # opening the link (a mail scanner) follows nothing
    done = client.post(path, data={"csrf_token": csrf(client, path)})
    assert done.status_code == 200 and "/calendar/" in done.text
    assert follows(sessions, member) == [case_id]

    manage = client.get(f"/manage/{make_token(member, 'manage', secret=SECRET)}?lang=en")
    assert heading in manage.text and "/unfollow/" in manage.text


def test_an_address_that_receives_no_alerts_is_invited_to_subscribe(web: Web) -> None:
    client, sessions, service = web
    case_id = add_case(sessions)
    add_subscriber(sessions, MEMBER, language="en")
    to_member = ask(browser(client.app), case_id, MEMBER)
    to_stranger = ask(browser(client.app), case_id, STRANGER)
    assert to_stranger == to_member  # the page does not tell who subscribes

    mails = {str(mail["To"]): mail for mail in drain_to_smtp(service)}
    invitation = mails[STRANGER]
    assert invitation["Content-Language"] == "vi"  # the page's language (Vietnamese by default)
    assert invitation["List-Unsubscribe"] is None  # nothing to unsubscribe from
    assert link_in(invitation, "/follow/") is None
    assert link_in(invitation, "/subscribe") == "https://trews.example.vn/subscribe?lang=vi"
    assert "đăng ký" in text_part(invitation).lower()
    with sessions() as session:
        stranger = session.scalars(select(Subscriber).where(Subscriber.email == STRANGER)).one()
        assert not stranger.confirmed and stranger.subscriptions == []
    assert follows(sessions, stranger.id) == []


def test_one_mail_an_hour_per_address_and_case_and_a_limit_on_the_form(web: Web) -> None:
    client, sessions, service = web
    case_id = add_case(sessions)
    ask(client, case_id, STRANGER)
    ask(client, case_id, STRANGER)
    with sessions() as session:
        owed = session.scalars(select(Delivery).where(Delivery.kind == "follow")).all()
    assert [delivery.period for delivery in owed] == [f"c{case_id}"]
    ask(client, case_id, STRANGER)
    token = csrf(client, f"/cases/{case_id}")
    refused = client.post(f"/cases/{case_id}/follow",
                          data={"csrf_token": token, "email": STRANGER})
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert len(drain_to_smtp(service)) == 1


def test_a_bad_address_or_case_or_form_is_refused(web: Web) -> None:
    client, sessions, _service = web
    case_id = add_case(sessions)
    token = csrf(client, f"/cases/{case_id}")
    bad = client.post(f"/cases/{case_id}/follow?lang=en",
                      data={"csrf_token": token, "email": "Lan <lan@example.vn>"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    assert "Enter one valid e-mail address only" in bad.text
    assert "&lt;lan@example.vn&gt;" in bad.text  # what was typed, escaped
    missing = client.post("/cases/999999/follow", data={"csrf_token": token, "email": MEMBER})
    assert missing.status_code == 404
    forged = client.post(f"/cases/{case_id}/follow", data={"email": MEMBER})
    assert forged.status_code == 403
    with sessions() as session:
        assert session.scalars(select(Delivery)).all() == []


def _case(sessions: sessionmaker[Session], case_id: int) -> Case:
    with sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        session.expunge(case)
        return case
