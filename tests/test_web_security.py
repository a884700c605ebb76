"""Forms refuse requests without their token, posting is rate limited, redirects stay on the
site, and the hostile text of subscribers is escaped (real app, real SQLite file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.deliveries import subscriber_links
from scheduler import Service
from storage.database import transaction
from storage.models import Subscriber
from tests.web_harness import add_subscriber, browser, client_for, csrf, web_settings
from web.auth import add_user
from web.security import FormLimit, SlidingWindow, safe_next

Web = tuple[TestClient, sessionmaker[Session], Service]


def make_web(tmp_path: Path, **overrides: object) -> Web:
    return client_for(web_settings(tmp_path, f"sqlite:///{tmp_path / 'trews.db'}", **overrides))


@pytest.fixture
def web(tmp_path: Path) -> Web:
    return make_web(tmp_path)


def form(token: str | None, email: str = "an@example.vn") -> dict:
    data = {"email": email, "sectors": ["shrimp"], "kind": "exporter", "language": "vi",
            "frequency": "daily"}
    return data | ({"csrf_token": token} if token is not None else {})


def subscribers(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count(Subscriber.id))) or 0


# CSRF -----------------------------------------------------------------------------------------

def test_forms_without_a_valid_token_are_refused(web: Web) -> None:
    client, sessions, service = web
    token = csrf(client, "/subscribe")
    other_browser = browser(client.app)
    csrf(other_browser, "/subscribe")  # has a cookie of its own, not the one `token` is bound to
    for attempt, data in ((client, form(None)), (client, form("forged.token.value")),
                          (other_browser, form(token)), (browser(client.app), form(token))):
        answer = attempt.post("/subscribe", data=data)
        assert answer.status_code == 403
    assert subscribers(sessions) == 0
    assert client.post("/subscribe", data=form(token), follow_redirects=False).status_code == 303

    subscriber_id = add_subscriber(sessions, "hai@example.vn")
    links = subscriber_links(service.settings, subscriber_id)
    manage = "/manage/" + links.manage.rsplit("/", 1)[1]
    unsubscribe = "/unsubscribe/" + links.unsubscribe.rsplit("/", 1)[1]
    assert client.post(manage, data=form(None, "hai@example.vn")).status_code == 403
    assert client.post(unsubscribe, data={}).status_code == 403
    assert client.post("/admin/login", data={"email": "a@b.c", "password": "x"}).status_code == 403
    with sessions() as session:
        hai = session.get(Subscriber, subscriber_id)
        assert hai is not None and hai.unsubscribed_at is None


# Rate limits ----------------------------------------------------------------------------------

def test_signing_up_too_often_for_one_address_answers_429(tmp_path: Path) -> None:
    client, sessions, _service = make_web(tmp_path, rate_limit_per_email=2)
    token = csrf(client, "/subscribe")
    for _ in range(2):
        answer = client.post("/subscribe", data=form(token), follow_redirects=False)
        assert answer.status_code == 303
    refused = client.post("/subscribe", data=form(token, "AN@example.vn "))
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 600
    assert "Quá nhiều lần thử" in refused.text and "10 phút" in refused.text
    # Another address from the same client is still welcome.
    other = client.post("/subscribe", data=form(token, "binh@example.vn"), follow_redirects=False)
    assert other.status_code == 303 and subscribers(sessions) == 2


def test_one_client_posting_for_many_addresses_answers_429(tmp_path: Path) -> None:
    client, sessions, _service = make_web(tmp_path, rate_limit_per_ip=3)
    token = csrf(client, "/subscribe")
    codes = [client.post("/subscribe", data=form(token, f"u{i}@example.vn"),
                         follow_redirects=False).status_code for i in range(5)]
    assert codes == [303, 303, 303, 429, 429] and subscribers(sessions) == 3


def test_guessing_passwords_answers_429(tmp_path: Path) -> None:
    client, sessions, _service = make_web(tmp_path, rate_limit_per_email=3)
    with transaction(sessions) as session:
        add_user(session, "op@trews.example.vn", "correct horse battery staple")
    token = csrf(client, "/admin/login")
    codes = [client.post("/admin/login", data={"csrf_token": token,
                                               "email": "op@trews.example.vn",
                                               "password": f"guess {i}"}).status_code
             for i in range(4)]
    assert codes == [401, 401, 401, 429]
    right = client.post("/admin/login", data={"csrf_token": token, "email": "op@trews.example.vn",
                                              "password": "correct horse battery staple"})
    assert right.status_code == 429  # not even the right one, until the window has passed


def login(client: TestClient, token: str, email: str, password: str) -> int:
    return client.post("/admin/login", data={"csrf_token": token, "email": email,
                                             "password": password},
                       follow_redirects=False).status_code


def test_a_stranger_guessing_cannot_lock_the_operator_out(tmp_path: Path) -> None:
    operator, sessions, _service = make_web(tmp_path, rate_limit_per_email=3)
    with transaction(sessions) as session:
        add_user(session, "op@trews.example.vn", "correct horse battery staple")
    stranger = TestClient(operator.app, base_url="https://testserver", client=("203.0.113.9", 1))
    token = csrf(stranger, "/admin/login")
    codes = [login(stranger, token, "op@trews.example.vn", f"guess {i}") for i in range(4)]
    assert codes == [401, 401, 401, 429]
    # The operator, from a client of their own, still signs in.
    assert login(operator, csrf(operator, "/admin/login"), "op@trews.example.vn",
                 "correct horse battery staple") == 303


def test_one_client_trying_many_accounts_answers_429(tmp_path: Path) -> None:
    client, _sessions, _service = make_web(tmp_path, rate_limit_per_ip=3)
    token = csrf(client, "/admin/login")
    codes = [login(client, token, f"u{i}@example.vn", "password 1") for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]


def test_sliding_window_forgets_old_attempts_and_does_not_count_refusals() -> None:
    now = [1000.0]
    limit = FormLimit(per_ip=100, per_email=2, window_s=60, clock=lambda: now[0])
    assert limit.hit("1.2.3.4", "a@x") == 0 and limit.hit("1.2.3.4", "a@x") == 0
    now[0] += 10
    assert limit.hit("1.2.3.4", "a@x") == pytest.approx(50)
    now[0] += 49
    assert limit.hit("5.6.7.8", "a@x") == pytest.approx(1)  # refused, so not counted
    now[0] += 1.5
    assert limit.hit("5.6.7.8", "a@x") == 0  # the first attempt has left the window
    window = SlidingWindow(1, 10)
    window.record("k", 0.0)
    assert window.wait("k", 5.0) == 5.0 and window.wait("k", 10.0) == 0.0


# Redirects and escaping -----------------------------------------------------------------------

@pytest.mark.parametrize(("target", "expected"), [
    ("/admin/outbox?status=failed", "/admin/outbox?status=failed"),
    ("/cases", "/cases"),
    ("https://evil.example/admin", "/admin/subscribers"),
    ("//evil.example", "/admin/subscribers"),
    ("/\\evil.example", "/admin/subscribers"),
    ("\\\\evil.example", "/admin/subscribers"),
    ("/admin\r\nSet-Cookie: x=1", "/admin/subscribers"),
    ("javascript:alert(1)", "/admin/subscribers"),
    ("", "/admin/subscribers"),
    (None, "/admin/subscribers"),
])
def test_safe_next(target: str | None, expected: str) -> None:
    assert safe_next(target, "/admin/subscribers") == expected


def test_hostile_input_is_escaped_on_the_form_that_refuses_it(web: Web) -> None:
    client, _sessions, _service = web
    token = csrf(client, "/subscribe")
    hostile = '"><script>alert(1)</script>'
    answer = client.post("/subscribe", data=form(token, "bad") | {"name": hostile,
                                                                  "hs_codes": hostile})
    assert answer.status_code == 422
    assert "<script>alert(1)</script>" not in answer.text
    assert "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text
    headers = answer.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
