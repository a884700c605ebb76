"""Self-service subscriptions through the web app: sign up, confirm by mail, manage, unsubscribe.

The app runs on a real SQLite file and on the real PostgreSQL server; the confirmation mail goes
through the service's own sender to a real SMTP server (aiosmtpd) and its link is opened in the
app, as a subscriber would.
"""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.deliveries import render_delivery, subscriber_links
from alerts.tokens import DAY_S, make_token
from scheduler import Service
from storage.database import transaction
from storage.models import Delivery, Match, Notice, Source, Subscription
from storage.subscribers import active_subscriptions
from storage.timeutil import utcnow
from tests.conftest import FR_PAGE
from tests.web_harness import (
    SECRET,
    add_subscriber,
    browser,
    client_for,
    csrf,
    drain_to_smtp,
    subscriber,
    text_part,
    web_settings,
)

Web = tuple[TestClient, sessionmaker[Session], Service]


@pytest.fixture
def web(tmp_path: Path, database_url: str) -> Web:
    return client_for(web_settings(tmp_path, database_url))


@pytest.fixture
def sqlite_web(tmp_path: Path) -> Web:
    return client_for(web_settings(tmp_path, f"sqlite:///{tmp_path / 'trews.db'}"))


def sign_up_form(token: str, email: str = "lan@giaybaobi.example.vn", **fields: object) -> dict:
    return {"csrf_token": token, "email": email, "name": "Nguyễn Thị Lan",
            "organisation": "Giấy Bao Bì", "kind": "exporter", "language": "en",
            "sectors": ["shrimp", "paper"], "hs_codes": "0306.17, 4819.40.0040",
            "keywords": "paper bags; túi giấy", "markets": ["US", "EU"], "measures": ["AD"],
            "frequency": "weekly", **fields}


def path_of(link: str) -> str:
    return urlsplit(link).path


# Sign up and confirm --------------------------------------------------------------------------

def test_sign_up_confirm_by_mail_then_receive(web: Web) -> None:
    client, sessions, service = web
    answer = client.post("/subscribe", data=sign_up_form(csrf(client, "/subscribe")),
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/subscribe/sent")
    sent_page = client.get(answer.headers["location"])
    assert sent_page.status_code == 200 and "Hãy kiểm tra hộp thư" in sent_page.text

    stored = subscriber(sessions, "lan@giaybaobi.example.vn")
    sub = stored.subscriptions[0]
    assert not stored.confirmed and stored.language == "en" and stored.name == "Nguyễn Thị Lan"
    assert (sub.sectors, sub.hs_codes, sub.keywords) == (
        ["shrimp", "paper"], ["030617", "4819400040"], ["paper bags", "túi giấy"])
    assert (sub.markets, sub.measures, sub.frequency) == (["US", "EU"], ["AD"], "weekly")
    with sessions() as session:
        assert active_subscriptions(session) == []
        owed = session.scalars(select(Delivery)).all()
    assert [(d.kind, d.status) for d in owed] == [("confirmation", "queued")]

    mails = drain_to_smtp(service)
    assert [str(m["To"]) for m in mails] == ["Nguyễn Thị Lan <lan@giaybaobi.example.vn>"]
    assert mails[0]["Content-Language"] == "en"
    link = next(line.strip() for line in text_part(mails[0]).splitlines() if "/confirm/" in line)
    assert link.startswith("https://trews.example.vn/confirm/")

    confirmed = client.get(path_of(link))
    assert confirmed.status_code == 200 and "Đã xác nhận đăng ký" in confirmed.text
    with sessions() as session:
        assert [s.subscriber_id for s in active_subscriptions(session)] == [stored.id]
    manage = confirmed.text.split('href="/manage/', 1)[1].split('"', 1)[0]
    assert "lan@giaybaobi.example.vn" in client.get(f"/manage/{manage}").text


def test_the_answer_never_tells_who_is_subscribed(web: Web) -> None:
    client, sessions, _service = web
    add_subscriber(sessions, "known@example.vn", sectors=("steel",))
    pages = []
    for email in ("known@example.vn", "new@example.vn"):
        answer = client.post("/subscribe", data=sign_up_form(csrf(client, "/subscribe"), email),
                             follow_redirects=False)
        pages.append((answer.status_code, answer.headers["location"],
                      client.get(answer.headers["location"]).text))
    assert pages[0] == pages[1]
    # Typing a subscriber's address changes nothing of theirs: only their manage link may.
    known = subscriber(sessions, "known@example.vn")
    assert known.confirmed and known.subscriptions[0].sectors == ["steel"]
    assert known.language == "vi" and known.name == "Lan"
    with sessions() as session:
        owed = {d.subscriber_id for d in session.scalars(select(Delivery))}
    assert owed == {subscriber(sessions, "new@example.vn").id}


def test_a_pending_address_gets_a_new_link_only_after_an_hour(sqlite_web: Web) -> None:
    client, sessions, service = sqlite_web
    form = sign_up_form(csrf(client, "/subscribe"), "slow@example.vn")
    client.post("/subscribe", data=form)
    assert len(drain_to_smtp(service)) == 1
    client.post("/subscribe", data=form)  # at once: the first mail is enough
    assert drain_to_smtp(service) == []
    with transaction(sessions) as session:
        sent = session.scalars(select(Delivery)).one()
        sent.sent_at = utcnow() - timedelta(hours=2)
    client.post("/subscribe", data=form)
    again = drain_to_smtp(service)
    assert len(again) == 1 and "/confirm/" in text_part(again[0])


def test_an_unsubscribed_address_cannot_be_flooded(sqlite_web: Web) -> None:
    client, sessions, service = sqlite_web
    subscriber_id = add_subscriber(sessions, "gone@example.vn")
    client.post(path_of(subscriber_links(service.settings, subscriber_id).unsubscribe),
                data={"List-Unsubscribe": "One-Click"})
    form = sign_up_form(csrf(client, "/subscribe"), "gone@example.vn")
    for _ in range(3):
        client.post("/subscribe", data=form)
    mails = drain_to_smtp(service)
    assert len(mails) == 1 and "/confirm/" in text_part(mails[0])
    client.post("/subscribe", data=form)
    assert drain_to_smtp(service) == []
    stored = subscriber(sessions, "gone@example.vn")
    assert not stored.confirmed and stored.unsubscribed_at is not None  # until they confirm


def test_a_refused_form_comes_back_filled_in_with_reasons(sqlite_web: Web) -> None:
    client, sessions, _service = sqlite_web
    token = csrf(client, "/subscribe")
    answer = client.post("/subscribe", data=sign_up_form(
        token, "not-an-address", hs_codes="0306.17, 12345, abc", markets=["US", "XX"]))
    assert answer.status_code == 422
    assert "Hãy nhập một địa chỉ thư điện tử hợp lệ, chỉ một địa chỉ" in answer.text
    assert "Không phải mã HS: 12345, abc." in answer.text
    assert "Hãy chọn thị trường trong danh sách." in answer.text
    assert 'value="0306.17, 12345, abc"' in answer.text and 'value="not-an-address"' in answer.text
    nothing = client.post("/subscribe?lang=en", data=sign_up_form(
        token, sectors=[], hs_codes="", keywords=""))
    assert nothing.status_code == 422
    assert "Choose at least one sector, HS code or keyword." in nothing.text
    with sessions() as session:
        assert session.scalars(select(Subscription)).all() == []


def test_the_form_works_without_javascript_in_both_languages(sqlite_web: Web) -> None:
    client, _sessions, _service = sqlite_web
    vi, en = client.get("/subscribe"), client.get("/subscribe?lang=en")
    assert "Đăng ký nhận cảnh báo phòng vệ thương mại" in vi.text
    assert "Subscribe to trade remedy alerts" in en.text and 'lang="en"' in en.text
    for page in (vi, en):
        assert '<input id="hs_codes" name="hs_codes" type="text"' in page.text
        assert '<script src="/static/hs-search.js" defer></script>' in page.text
        assert "<script>" not in page.text and " style=" not in page.text
    # Sector names in the reader's language.
    assert 'value="shrimp"> tôm</label>' in vi.text
    assert 'value="shrimp"> shrimp</label>' in en.text
    script = client.get("/static/hs-search.js")
    assert script.status_code == 200 and "data-hs-search" in script.text


def test_hs_search_api(sqlite_web: Web) -> None:
    client, _sessions, _service = sqlite_web
    by_code = client.get("/api/hs", params={"q": "0306.17"}).json()
    assert by_code == [{"code": "030617", "description": by_code[0]["description"]}]
    assert "shrimps and prawns" in by_code[0]["description"]
    # A Vietnamese product word names a sector: its HS scope comes first.
    shrimp = [entry["code"] for entry in client.get("/api/hs", params={"q": "tôm"}).json()]
    assert shrimp[:2] == ["030616", "030617"] and all(c.startswith(("03", "16")) for c in shrimp)
    plywood = [entry["code"] for entry in client.get("/api/hs", params={"q": "plywood"}).json()]
    assert "4412" in plywood
    assert client.get("/api/hs", params={"q": "x" * 101}).status_code == 422
    document = client.get("/api/openapi.json").json()
    assert "/api/hs" in document["paths"]
    assert not any(path.startswith(("/subscribe", "/manage", "/unsubscribe", "/confirm",
                                    "/admin")) for path in document["paths"])


# Manage ---------------------------------------------------------------------------------------

def test_manage_changes_sectors_and_language(web: Web, tmp_path: Path) -> None:
    client, sessions, service = web
    subscriber_id = add_subscriber(sessions, "hai@example.vn", min_severity="medium")
    path = path_of(subscriber_links(service.settings, subscriber_id).manage)
    page = client.get(path)
    assert page.status_code == 200
    assert 'value="shrimp" checked' in page.text and 'value="hai@example.vn" readonly' in page.text
    token = csrf(client, path)
    answer = client.post(path, data=sign_up_form(
        token, "attacker@example.com", sectors=["steel", "aluminium"], hs_codes="7604",
        language="en", frequency="immediate"), follow_redirects=False)
    assert answer.status_code == 303
    saved = client.get(answer.headers["location"])
    assert "Đã lưu các thay đổi của Quý vị." in saved.text
    changed = subscriber(sessions, "hai@example.vn")
    sub = changed.subscriptions[0]
    assert (changed.language, sub.sectors, sub.hs_codes, sub.frequency) == (
        "en", ["steel", "aluminium"], ["7604"], "immediate")
    assert sub.min_severity == "medium"  # not on the form: kept
    with sessions() as session:
        assert session.scalars(select(Subscription.id)).all() == [sub.id]  # no new address


def test_mail_links_open_the_real_manage_page(web: Web) -> None:
    """An alert rendered for sending links to /manage/<token> on the public URL, and the link
    opens the subscriber's own settings; its link to the notice's page opens that page in the
    reader's language; its List-Unsubscribe link stops the alerts."""
    client, sessions, service = web
    subscriber_id = add_subscriber(sessions, "lien@example.vn", sectors=("paper",))
    document = next(doc for doc in json.loads(FR_PAGE.read_text(encoding="utf-8"))["results"]
                    if doc["document_number"] == "2023-28945")
    with transaction(sessions) as session:
        notice = Notice(source_id="us_fr_documents", external_id=document["document_number"],
                        market="US", url=document["html_url"], title=document["title"],
                        published=date.fromisoformat(document["publication_date"]), raw={},
                        content_hash="0" * 64, analysis={"trade_remedy": True, "market": "US",
                                                         "vietnam": "subject",
                                                         "sectors": ["paper"]})
        session.add(notice)
        session.flush()
        sub_id = session.scalars(select(Subscription.id).where(
            Subscription.subscriber_id == subscriber_id)).one()
        session.add(Match(notice_id=notice.id, subscription_id=sub_id, severity="high",
                          reasons=["sector paper"]))
        delivery = Delivery(subscriber_id=subscriber_id, notice_id=notice.id)
        session.add(delivery)
        session.flush()
        assert session.get(Source, "us_fr_documents") is not None
        message = render_delivery(session, delivery, settings=service.settings,
                                  sector_names=service.sector_names, source_names={})
    text = text_part(message)
    manage = next(line.strip() for line in text.splitlines() if "/manage/" in line)
    assert manage.startswith("https://trews.example.vn/manage/") and "trews.invalid" not in text
    page = client.get(path_of(manage))
    assert page.status_code == 200 and 'value="lien@example.vn" readonly' in page.text
    analysis = next(line.strip() for line in text.splitlines() if "/notices/" in line)
    assert analysis == f"https://trews.example.vn/notices/{delivery.notice_id}?lang=vi"
    shown = client.get(urlsplit(analysis)._replace(scheme="", netloc="").geturl())
    assert shown.status_code == 200 and document["title"] in unescape(shown.text)
    assert '<html lang="vi"' in shown.text
    # The mail program's unsubscribe button: RFC 8058 one-click POST to the header's link.
    one_click = str(message["List-Unsubscribe"]).strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    answer = browser(client.app).post(path_of(one_click), data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert subscriber(sessions, "lien@example.vn").unsubscribed_at is not None


# Unsubscribe ----------------------------------------------------------------------------------

def test_unsubscribe_asks_on_get_and_acts_on_post(web: Web) -> None:
    client, sessions, service = web
    subscriber_id = add_subscriber(sessions, "minh@example.vn")
    with transaction(sessions) as session:
        session.add(Delivery(subscriber_id=subscriber_id, kind="daily", period="2026-11-23"))
    path = path_of(subscriber_links(service.settings, subscriber_id).unsubscribe)
    for _scanner in range(2):
        asked = client.get(path)
        assert asked.status_code == 200 and 'method="post"' in asked.text
        assert "Địa chỉ: minh@example.vn" in asked.text  # which address it stops
    assert subscriber(sessions, "minh@example.vn").unsubscribed_at is None

    done = client.post(path, data={"csrf_token": csrf(client, path)})
    assert done.status_code == 200 and "Quý vị đã hủy đăng ký" in done.text
    assert subscriber(sessions, "minh@example.vn").unsubscribed_at is not None
    with sessions() as session:
        assert session.scalars(select(Delivery.status)).all() == ["cancelled"]
        assert active_subscriptions(session) == []
    assert "already unsubscribed" in client.get(path + "?lang=en").text


def test_rfc8058_one_click_post_needs_no_form_token(web: Web) -> None:
    client, sessions, service = web
    subscriber_id = add_subscriber(sessions, "thu@example.vn")
    path = path_of(subscriber_links(service.settings, subscriber_id).unsubscribe)
    mail_program = browser(client.app)  # no cookie, no page visited first
    refused = mail_program.post(path, data={"unsubscribe": "yes"})
    assert refused.status_code == 403
    assert subscriber(sessions, "thu@example.vn").unsubscribed_at is None
    for content in ({"data": {"List-Unsubscribe": "One-Click"}},
                    {"files": {"List-Unsubscribe": (None, "One-Click")}}):  # form-data too
        answer = mail_program.post(path, **content)  # type: ignore[arg-type]
        assert answer.status_code == 200
        assert subscriber(sessions, "thu@example.vn").unsubscribed_at is not None


# Links that cannot be used --------------------------------------------------------------------

def test_refused_links_say_why_in_both_languages(sqlite_web: Web,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    client, sessions, _service = sqlite_web
    subscriber_id = add_subscriber(sessions, "an@example.vn", confirmed=False)
    good_manage = make_token(subscriber_id, "manage", secret=SECRET)
    eight_days_ago = time.time() - 8 * DAY_S
    with monkeypatch.context() as clock:
        clock.setattr(time, "time", lambda: eight_days_ago)
        old_confirm = make_token(subscriber_id, "confirm", secret=SECRET)
    forged = good_manage[:-4] + ("AAAA" if not good_manage.endswith("AAAA") else "BBBB")
    cases = [
        ("GET", f"/manage/{forged}", 403, "không hợp lệ", "is not valid"),
        ("GET", f"/manage/{make_token(subscriber_id, 'manage', secret='other')}", 403,
         "không hợp lệ", "is not valid"),
        ("GET", f"/confirm/{old_confirm}", 400, "đã hết hạn", "has expired"),
        ("GET", f"/confirm/{good_manage}", 400, "dành cho một trang khác", "another page"),
        ("GET", f"/unsubscribe/{good_manage}", 400, "dành cho một trang khác", "another page"),
        ("GET", f"/manage/{make_token(987654, 'manage', secret=SECRET)}", 404,
         "không còn tồn tại", "no longer exists"),
        ("POST", f"/unsubscribe/{forged}", 403, "không hợp lệ", "is not valid"),
    ]
    for method, path, status, vi, en in cases:
        data = {"List-Unsubscribe": "One-Click"} if method == "POST" else None
        answer = client.request(method, path, data=data)
        assert answer.status_code == status, (path, answer.text)
        assert vi in answer.text and en in answer.text, path
        assert answer.text.index(vi) < answer.text.index(en)  # the reader's language first
    english = client.get(f"/manage/{forged}?lang=en").text
    assert english.index("is not valid") < english.index("không hợp lệ")
    assert not subscriber(sessions, "an@example.vn").confirmed
