"""What a public form is sent is never trusted: one plain address is stored, however it is
dressed, and rate limited as that address; control characters get a form error or a 400, never a
500; and random input to every public form answers without a server error. Real app, SQLite
and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.deliveries import subscriber_links
from scheduler import Service
from storage.database import transaction
from storage.models import Subscriber
from tests.web_harness import add_subscriber, client_for, csrf, web_settings
from web.auth import add_user

Web = tuple[TestClient, sessionmaker[Session], Service]


@pytest.fixture
def web(tmp_path: Path, database_url: str) -> Web:
    return client_for(web_settings(tmp_path, database_url, rate_limit_per_ip=10_000,
                                   rate_limit_per_email=3))


@pytest.fixture
def unlimited_web(tmp_path: Path, database_url: str) -> Web:
    """The app without rate limits in the way, so that every random form reaches the end."""
    return client_for(web_settings(tmp_path, database_url, rate_limit_per_ip=10_000,
                                   rate_limit_per_email=10_000))


def sign_up_form(token: str, email: str, **fields: object) -> dict:
    return {"csrf_token": token, "email": email, "kind": "exporter", "language": "vi",
            "sectors": ["shrimp"], "frequency": "daily", **fields}


def stored_emails(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(Subscriber.email)))


# One plain address ----------------------------------------------------------------------------

NOT_PLAIN = ("x <victim@example.vn>", '"Lan" <victim@example.vn>', "victim@example.vn (Lan)",
             "victim@example.vn, other@example.vn", "<victim@example.vn>",
             "victim@example.vn\nBcc: a@b.c")


def test_only_one_plain_address_is_accepted(unlimited_web: Web) -> None:
    client, sessions, _service = unlimited_web
    token = csrf(client, "/subscribe")
    for given_address in NOT_PLAIN:
        answer = client.post("/subscribe?lang=en", data=sign_up_form(token, given_address))
        assert answer.status_code == 422, given_address
        assert "one valid e-mail address only" in answer.text, given_address
        vietnamese = client.post("/subscribe?lang=vi", data=sign_up_form(token, given_address))
        assert "một địa chỉ thư điện tử" in vietnamese.text, given_address
    assert stored_emails(sessions) == []


def test_the_address_is_stored_normalised(unlimited_web: Web) -> None:
    client, sessions, _service = unlimited_web
    answer = client.post("/subscribe", data=sign_up_form(csrf(client, "/subscribe"),
                                                         "  Lan@GiayBaoBi.Example.VN "),
                         follow_redirects=False)
    assert answer.status_code == 303
    assert stored_emails(sessions) == ["lan@giaybaobi.example.vn"]


def test_the_rate_limit_counts_the_address_however_it_is_written(web: Web) -> None:
    client, _sessions, _service = web
    token = csrf(client, "/subscribe")
    for variant in ("victim@example.vn", "x <victim@example.vn>", "y <Victim@EXAMPLE.vn>"):
        assert client.post("/subscribe", data=sign_up_form(token, variant)).status_code != 429
    refused = client.post("/subscribe", data=sign_up_form(token, "victim@Example.VN"))
    assert refused.status_code == 429


# Control characters ---------------------------------------------------------------------------

def test_a_control_character_in_the_sign_up_form_is_a_form_error(unlimited_web: Web) -> None:
    client, sessions, _service = unlimited_web
    token = csrf(client, "/subscribe")
    for field in ("name", "organisation", "keywords", "hs_codes"):
        answer = client.post("/subscribe?lang=en", data=sign_up_form(
            token, f"{field}@example.vn", **{field: "Lan\x00"}))
        assert answer.status_code == 422, field
        assert "invisible control character" in answer.text, field
    email = client.post("/subscribe?lang=en", data=sign_up_form(token, "lan\x00@example.vn"))
    assert email.status_code == 422 and "one valid e-mail address only" in email.text
    assert stored_emails(sessions) == []


def test_a_control_character_at_the_operator_pages_is_a_400(unlimited_web: Web) -> None:
    client, sessions, _service = unlimited_web
    with transaction(sessions) as session:
        add_user(session, "op@trews.example.vn", "correct horse battery staple")
    token = csrf(client, "/admin/login")
    refused = client.post("/admin/login", data={
        "csrf_token": token, "email": "op\x00@trews.example.vn", "password": "x"})
    assert refused.status_code == 400 and "trews_session" not in refused.headers.get(
        "set-cookie", "")
    client.post("/admin/login", data={"csrf_token": token, "email": "op@trews.example.vn",
                                      "password": "correct horse battery staple"})
    assert client.get("/admin/subscribers?q=a%00b").status_code == 400
    assert client.get("/admin/subscribers?q=ab").status_code == 200


# Random input to every public form ------------------------------------------------------------

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


def hostile(valid: dict[str, str]) -> st.SearchStrategy[dict[str, str]]:
    """A form the page would accept with one or two fields replaced by random text, so that
    the random text reaches the database behind a form that is otherwise valid."""
    noise = st.dictionaries(st.sampled_from(sorted(valid)), TEXT, min_size=1, max_size=2)
    return noise.map(lambda fields: {**valid, **fields})


SIGN_UP = hostile({"email": "lan@example.vn", "name": "Lan", "organisation": "Giấy Bao Bì",
                   "kind": "exporter", "language": "vi", "sectors": "shrimp",
                   "hs_codes": "0306.17", "keywords": "túi giấy", "markets": "US",
                   "measures": "AD", "frequency": "daily"})
LOGIN = hostile({"email": "op@trews.example.vn", "password": "x" * 12, "next": "/admin"})


@settings(max_examples=8, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sign_up=SIGN_UP, login=LOGIN, one_click=TEXT)
def test_random_input_to_the_public_forms_never_gives_a_server_error(
        unlimited_web: Web, sign_up: dict[str, str], login: dict[str, str],
        one_click: str) -> None:
    client, sessions, service = unlimited_web
    subscriber_id = add_subscriber(sessions, "hai@example.vn")
    links = subscriber_links(service.settings, subscriber_id)
    manage, unsubscribe = urlsplit(links.manage).path, urlsplit(links.unsubscribe).path
    token = csrf(client, "/subscribe")
    posts = [("/subscribe", sign_up), (manage, sign_up), ("/admin/login", login),
             (unsubscribe, {"List-Unsubscribe": one_click})]
    for path, fields in posts:
        answer = client.post(path, data={"csrf_token": token, **fields})
        assert answer.status_code < 500, (path, fields)
