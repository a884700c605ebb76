"""The operator pages: users from the command line, login, subscribers, sources, outbox, resend;
on a real SQLite file and the real PostgreSQL server."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cli import main
from scheduler import Service
from storage.database import make_engine, session_factory, transaction
from storage.models import Delivery, Source, User
from tests.web_harness import add_subscriber, browser, client_for, csrf, web_settings
from web.auth import add_user

Web = tuple[TestClient, sessionmaker[Session], Service]
PASSWORD = "correct horse battery staple"
ADMIN_PAGES = ("/admin/subscribers", "/admin/sources", "/admin/outbox", "/admin")


@pytest.fixture
def web(tmp_path: Path, database_url: str) -> Web:
    client, sessions, service = client_for(web_settings(tmp_path, database_url))
    with transaction(sessions) as session:
        add_user(session, "op@trews.example.vn", PASSWORD, "operator")
        add_user(session, "bo@moit.example.vn", PASSWORD, "ministry")
    return client, sessions, service


def login(client: TestClient, email: str = "op@trews.example.vn", password: str = PASSWORD,
          next_path: str = "/admin/outbox") -> httpx.Response:
    token = csrf(client, "/admin/login")
    return client.post("/admin/login", data={"csrf_token": token, "email": email,
                                             "password": password, "next": next_path},
                       follow_redirects=False)


def test_anonymous_visitors_are_sent_to_the_login(web: Web) -> None:
    client, _sessions, _service = web
    for path in ADMIN_PAGES:
        answer = client.get(path + "?state=active", follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/admin/login?next=%2Fadmin")
    resend = client.post("/admin/outbox/resend", data={"delivery": "1"}, follow_redirects=False)
    assert resend.status_code == 303
    forged = browser(client.app, trews_session="WzEsImFiYyJd.forged.sig")
    assert forged.get("/admin/outbox", follow_redirects=False).status_code == 303


def test_login_takes_the_user_back_and_logout_ends_it(web: Web) -> None:
    client, _sessions, _service = web
    anonymous = client.get("/admin/outbox?status=failed", follow_redirects=False)
    back = client.get(anonymous.headers["location"])
    assert 'name="next" value="/admin/outbox?status=failed"' in back.text
    answer = login(client, next_path="/admin/outbox?status=failed")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/outbox?status=failed"
    cookie = answer.headers["set-cookie"]
    assert "trews_session=" in cookie and "HttpOnly" in cookie and "Path=/admin" in cookie
    assert "SameSite=lax" in cookie and "Secure" in cookie  # the public URL is https
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 200, path
    logout = client.post("/admin/logout", data={"csrf_token": csrf(client, "/admin/sources")},
                         follow_redirects=False)
    assert logout.status_code == 303
    assert client.get("/admin/sources", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/admin",
                                    "/\\evil.example", "http:/admin", "javascript:alert(1)",
                                    "admin/outbox"])
def test_next_never_leaves_the_site(web: Web, target: str) -> None:
    client, _sessions, _service = web
    answer = login(client, next_path=target)
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/subscribers"


def test_wrong_password_or_unknown_user_is_refused_alike(web: Web) -> None:
    client, _sessions, _service = web
    pages = []
    for email, password in (("op@trews.example.vn", "wrong password!"),
                            ("nobody@trews.example.vn", PASSWORD)):
        answer = login(client, email, password)
        assert answer.status_code == 401 and "trews_session" not in answer.headers.get(
            "set-cookie", "")
        pages.append(re.sub(r'name="csrf_token" value="[^"]+"', "", answer.text.replace(email, "")))
    assert pages[0] == pages[1] and "mật khẩu không đúng" in pages[0]
    assert client.get("/admin/subscribers", follow_redirects=False).status_code == 303


def test_a_new_password_ends_old_sessions(web: Web) -> None:
    client, sessions, _service = web
    login(client)
    assert client.get("/admin/sources").status_code == 200
    with transaction(sessions) as session:
        add_user(session, "op@trews.example.vn", "another long password", "operator")
    assert client.get("/admin/sources", follow_redirects=False).status_code == 303


def test_subscriber_list_filters_and_escapes(web: Web) -> None:
    client, sessions, _service = web
    add_subscriber(sessions, "hostile@example.com", name="<script>alert('x')</script>")
    add_subscriber(sessions, "pending@example.com", name="Chờ", confirmed=False,
                   sectors=("steel",))
    add_subscriber(sessions, "wood@example.com", name="Gỗ", sectors=("wood_furniture",),
                   language="en")
    login(client)
    page = client.get("/admin/subscribers").text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert all(email in page for email in ("hostile@", "pending@", "wood@"))

    def listed(query: str) -> set[str]:
        text = client.get(f"/admin/subscribers?{query}").text
        return {e for e in ("hostile@", "pending@", "wood@") if e in text}

    assert listed("state=pending") == {"pending@"}
    assert listed("state=active") == {"hostile@", "wood@"}
    assert listed("sector=steel") == {"pending@"}
    assert listed("language=en") == {"wood@"}
    assert listed("q=WOOD") == {"wood@"}
    assert listed("q=%25") == set()  # a LIKE wildcard is searched as itself
    assert listed("sector=unknown&state=bogus") == {"hostile@", "pending@", "wood@"}


def test_source_health_table(web: Web) -> None:
    client, sessions, service = web
    with transaction(sessions) as session:
        source = session.get(Source, "eu_tron")
        assert source is not None
        source.health, source.health_reason = "failing", "3 failed runs: HTTP 503 <b>down</b>"
        source.consecutive_failures = 3
    login(client)
    page = client.get("/admin/sources").text
    assert all(source_id in page for source_id in service.sources)
    row = page.split("eu_tron", 1)[1].split("</tr>", 1)[0]
    assert "đang lỗi" in row and "HTTP 503 &lt;b&gt;down&lt;/b&gt;" in row


def test_failed_deliveries_can_be_sent_again_by_the_operator_only(web: Web) -> None:
    client, sessions, _service = web
    subscriber_id = add_subscriber(sessions, "hoa@example.vn")
    with transaction(sessions) as session:
        failed = Delivery(subscriber_id=subscriber_id, kind="daily", period="2026-11-20",
                          status="failed", attempts=8, last_error="550 mailbox unavailable")
        sent = Delivery(subscriber_id=subscriber_id, kind="daily", period="2026-11-21",
                        status="sent", attempts=1)
        session.add_all([failed, sent])
        session.flush()
        ids = [failed.id, sent.id]

    ministry = browser(client.app)
    login(ministry, "bo@moit.example.vn")
    listed = ministry.get("/admin/outbox?status=failed")
    assert "550 mailbox unavailable" in listed.text and "hoa@example.vn" in listed.text
    assert 'name="delivery"' not in listed.text  # nothing to click for the ministry
    vietnamese = ministry.get("/admin/outbox?status=failed&lang=vi").text
    assert "<td>thất bại</td>" in vietnamese and "<td>failed</td>" not in vietnamese
    token = csrf(ministry, "/admin/outbox")
    refused = ministry.post("/admin/outbox/resend", data={"csrf_token": token, "delivery": ids})
    assert refused.status_code == 403

    login(client)
    page = client.get("/admin/outbox?status=failed")
    assert f'name="delivery" value="{ids[0]}"' in page.text
    without_token = client.post("/admin/outbox/resend", data={"delivery": ids})
    assert without_token.status_code == 403
    answer = client.post("/admin/outbox/resend",
                         data={"csrf_token": csrf(client, "/admin/outbox"), "delivery": ids},
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].endswith("resent=1")
    assert "Đã đưa lại 1 thư vào hàng đợi." in client.get(answer.headers["location"]).text
    with sessions() as session:
        rows = {d.id: d for d in session.scalars(select(Delivery))}
    assert (rows[ids[0]].status, rows[ids[0]].attempts, rows[ids[0]].last_error) == (
        "queued", 0, None)
    assert rows[ids[0]].next_attempt_at is None
    assert (rows[ids[1]].status, rows[ids[1]].attempts) == ("sent", 1)  # left alone


def test_cli_users_add_stores_only_an_argon2_hash(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREWS_DATA_DIR", str(tmp_path / "var"))
    runner = CliRunner()
    added = runner.invoke(main, ["users", "add", "Op@Trews.Example.vn", "--role", "ministry"],
                          input=f"{PASSWORD}\n{PASSWORD}\n")
    assert added.exit_code == 0, added.output
    assert "added ministry op@trews.example.vn" in added.output and PASSWORD not in added.output
    mismatch = runner.invoke(main, ["users", "add", "x@trews.example.vn"],
                             input=f"{PASSWORD}\nsomething else entirely\n"
                                   f"{PASSWORD}\n{PASSWORD}\n")
    assert mismatch.exit_code == 0 and "do not match" in mismatch.output
    short = runner.invoke(main, ["users", "add", "y@trews.example.vn"], input="short\nshort\n")
    assert short.exit_code == 2 and "at least 12 characters" in short.output
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'trews.db'}")
    with session_factory(engine)() as session:
        users = {u.email: u for u in session.scalars(select(User))}
    engine.dispose()
    assert set(users) == {"op@trews.example.vn", "x@trews.example.vn"}
    stored = users["op@trews.example.vn"]
    assert stored.role == "ministry" and stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash


def test_logout_ends_the_session_on_the_server(web: Web) -> None:
    client, _sessions, _service = web
    signed_in = login(client)
    old_cookie = signed_in.cookies["trews_session"]
    client.post("/admin/logout", data={"csrf_token": csrf(client, "/admin/sources")})
    replayed = browser(client.app, trews_session=old_cookie)  # the cookie kept by someone
    assert replayed.get("/admin/sources", follow_redirects=False).status_code == 303
    login(client)
    assert client.get("/admin/sources").status_code == 200  # signing in again works


def test_login_issues_a_fresh_form_token(web: Web) -> None:
    client, _sessions, _service = web
    before = csrf(client, "/admin/login")
    cookie_before = client.cookies["trews_csrf"]
    answer = client.post("/admin/login", data={"csrf_token": before, "email":
                                               "op@trews.example.vn", "password": PASSWORD},
                         follow_redirects=False)
    assert answer.status_code == 303
    assert answer.cookies["trews_csrf"] != cookie_before
    refused = client.post("/admin/logout", data={"csrf_token": before}, follow_redirects=False)
    assert refused.status_code == 403  # a token planted before the login is worth nothing
    assert client.get("/admin/sources").status_code == 200


def test_a_page_number_that_is_not_a_small_positive_integer_is_a_400(web: Web) -> None:
    client, _sessions, _service = web
    login(client)
    for page in ("²", "12345678901234567890", "0", "-1", "x"):
        for path in ("/admin/subscribers", "/admin/outbox"):
            answer = client.get(f"{path}?page={page}")
            assert answer.status_code == 400, (path, page)
    assert client.get("/admin/outbox?page=2&resent=²").status_code == 200
    resend = client.post("/admin/outbox/resend", data={
        "csrf_token": csrf(client, "/admin/outbox"), "delivery": ["²", "1" * 20]})
    assert resend.status_code == 200  # nothing resent, back to the list


def test_cli_users_add_refuses_an_empty_or_invalid_address(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREWS_DATA_DIR", str(tmp_path / "var"))
    for address in ("", "  ", "op", "x <op@trews.example.vn>"):
        added = CliRunner().invoke(main, ["users", "add", address],
                                   input=f"{PASSWORD}\n{PASSWORD}\n")
        assert added.exit_code == 2 and "not one e-mail address" in added.output, address
