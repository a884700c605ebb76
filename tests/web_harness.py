"""What the web tests share: the app on a real database, a browser-like client, form tokens, and
a real SMTP server to catch the mails the app queues."""

from __future__ import annotations

import asyncio
import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from alerts.capture import MailCapture
from config import Settings
from scheduler import Service, send_queued
from storage.database import transaction
from storage.models import Subscriber
from storage.subscribers import SubscriberRecord, store_subscriber
from web.app import create_app

SECRET = "web-test-secret-0123456789abcdef"
PUBLIC_URL = "https://trews.example.vn"
_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def web_settings(tmp_path: Path, database_url: str, **overrides: object) -> Settings:
    return Settings.model_validate({
        "data_dir": tmp_path / "var", "database_url": database_url, "secret_key": SECRET,
        "public_url": PUBLIC_URL, **overrides})


def client_for(settings: Settings) -> tuple[TestClient, sessionmaker[Session], Service]:
    """The app as `trews web` builds it, on the settings' database (migrated by Service.load),
    and the service that drains its outbox."""
    service = Service.load(settings)
    app = create_app(settings, sessions=service.sessions)
    return browser(app), service.sessions, service


def browser(app: Any, **cookies: str) -> TestClient:
    """A client of its own (cookies apart), on https like the public URL, so that the cookies
    marked Secure come back."""
    return TestClient(app, base_url="https://testserver", cookies=cookies or None)


def csrf(client: TestClient, path: str) -> str:
    """The CSRF token of the form on `path` (the GET also sets the browser's CSRF cookie)."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = _CSRF_RE.search(page.text)
    assert found, f"no form token on {path}"
    return found.group(1)


def add_subscriber(sessions: sessionmaker[Session], email: str, *, name: str | None = "Lan",
                   confirmed: bool = True, sectors: tuple[str, ...] = ("shrimp",),
                   language: str = "vi", min_severity: str = "low") -> int:
    with transaction(sessions) as session:
        subscriber, _created = store_subscriber(session, SubscriberRecord(
            email=email, name=name, organisation=None, kind="exporter", language=language,
            sectors=sectors, frequency="daily", min_severity=min_severity),
            confirmed=confirmed)
        return subscriber.id


def subscriber(sessions: sessionmaker[Session], email: str) -> Subscriber:
    with sessions() as session:
        return session.scalars(select(Subscriber).where(Subscriber.email == email)
                               .options(selectinload(Subscriber.subscriptions))).one()


def drain_to_smtp(service: Service) -> list[EmailMessage]:
    """Send the queued mails through the service's own sender to a real aiosmtpd server."""
    async def go() -> list[EmailMessage]:
        async with MailCapture() as capture:
            settings = service.settings.model_copy(
                update={"smtp_host": "127.0.0.1", "smtp_port": capture.port})
            await send_queued(Service(settings, service.sessions, service.sources,
                                      service.sectors))
            return [item.message for item in capture.received]

    return asyncio.run(go())


def text_part(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]
