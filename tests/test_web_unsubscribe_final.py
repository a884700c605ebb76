"""An unsubscribe is final until a new sign-up is confirmed: neither an old confirmation link
(opened again by a mail scanner) nor a save on the manage page subscribes the reader again; a new
sign-up, confirmed with the link of its own mail, does. Real app, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from alerts.deliveries import subscriber_links
from scheduler import Service
from storage.database import transaction
from storage.models import Delivery
from storage.subscribers import active_subscriptions
from storage.timeutil import utcnow
from tests.web_harness import (
    browser,
    client_for,
    csrf,
    drain_to_smtp,
    subscriber,
    text_part,
    web_settings,
)

Web = tuple[TestClient, sessionmaker[Session], Service]
EMAIL = "lan@giaybaobi.example.vn"


@pytest.fixture
def web(tmp_path: Path, database_url: str) -> Web:
    return client_for(web_settings(tmp_path, database_url))


def sign_up(client: TestClient, service: Service, sessions: sessionmaker[Session]) -> str:
    """Sign up from the form and return the path of the confirmation link in the mail; an
    earlier confirmation mail is dated two hours back so that a new one is sent."""
    with transaction(sessions) as session:
        session.execute(update(Delivery).values(sent_at=utcnow() - timedelta(hours=2)))
    client.post("/subscribe", data={
        "csrf_token": csrf(client, "/subscribe"), "email": EMAIL, "kind": "exporter",
        "language": "en", "sectors": ["shrimp"], "frequency": "daily"})
    mails = drain_to_smtp(service)
    assert len(mails) == 1
    link = next(line.strip() for line in text_part(mails[0]).splitlines() if "/confirm/" in line)
    return urlsplit(link).path


def is_active(sessions: sessionmaker[Session]) -> bool:
    with sessions() as session:
        return bool(active_subscriptions(session))


def test_an_unsubscribe_stands_until_a_new_sign_up_is_confirmed(web: Web) -> None:
    client, sessions, service = web
    first_link = sign_up(client, service, sessions)
    assert client.get(first_link).status_code == 200 and is_active(sessions)
    links = subscriber_links(service.settings, subscriber(sessions, EMAIL).id)
    client.post(urlsplit(links.unsubscribe).path, data={"List-Unsubscribe": "One-Click"})
    assert not is_active(sessions)

    scanner = browser(client.app)  # a mail scanner opens the old confirmation link again
    refused = scanner.get(first_link + "?lang=en")
    assert refused.status_code == 400 and "sign up again" in refused.text
    assert "unsubscribed after this link" in refused.text
    assert "Quý vị đã hủy đăng ký" in refused.text
    assert not is_active(sessions)

    manage = urlsplit(links.manage).path
    assert "does not subscribe you again" in client.get(manage + "?lang=en").text
    saved = client.post(manage, data={
        "csrf_token": csrf(client, manage), "kind": "exporter", "language": "vi",
        "sectors": ["paper"], "frequency": "weekly"}, follow_redirects=False)
    assert saved.status_code == 303
    assert subscriber(sessions, EMAIL).subscriptions[0].sectors == ["paper"]
    assert not is_active(sessions)  # the choices are kept, the unsubscribe stands

    new_link = sign_up(client, service, sessions)
    assert scanner.get(first_link).status_code == 400 and not is_active(sessions)
    confirmed = client.get(new_link)
    assert confirmed.status_code == 200 and is_active(sessions)
    assert client.get(new_link).status_code == 200  # opened twice: still confirmed, no error
