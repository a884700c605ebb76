"""The ministry's overview and an association's digest on a thousand cases: under Gmail's
clipping size, the summary first, Vietnam's cases before the others, each case once, products
under one name across languages, "new" only for what the period brought, no expected date
already past, and the whole list on the digest's web page behind its signed link."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.deliveries import render_delivery
from alerts.digest_periods import queue_due_digests
from config import Settings
from storage.database import transaction
from storage.models import (
    Case,
    CaseEvent,
    Delivery,
    Match,
    Notice,
    Source,
    Subscriber,
    Subscription,
)
from tests.test_digests import body, parse
from web.app import create_app

SECRET = "overview-test-secret"
DAY = date(2026, 11, 20)  # the ministry's daily period; 16-22/11 is the association's week
FOUND = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 10:00 in Hanoi
DUE = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 08:00 in Hanoi: both digests due
MARKETS = ("US", "EU", "IN", "CA", "AU", "GB")
CASES, ON_VIETNAM, OPENED_TODAY, FOUND_LATE = 1000, 300, 10, 20
SECTOR_NAMES = {"steel": {"en": "iron and steel", "vi": "sắt thép"},
                "aluminium": {"en": "aluminium", "vi": "nhôm"}}
# One product in three markets, named three ways; HS 7604 is its one identity.
EXTRUSIONS = (("EU", "Aluminium extrusion"), ("US", "Aluminum extrusion"),
              ("AU", "Nhôm định hình"))
GONE_BY = date(2026, 9, 1)  # an expected date already past: never shown as ahead


@pytest.fixture
def settings(tmp_path: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path / "var", secret_key=SECRET)  # type: ignore[operator, arg-type]


def _notice(session: Session, n: int, published: date, *, sectors: list[str], vietnam: bool,
            new_case: bool, deadline: date | None = None) -> Notice:
    analysis = {
        "trade_remedy": True, "market": "US", "vietnam": "subject" if vietnam else "none",
        "countries": ["VN"] if vietnam else ["CN"], "measures": ["AD"],
        "proceeding": "investigation", "stage": "initiation" if new_case else "final",
        "new_case": new_case, "case_numbers": [], "hs_codes": [], "sectors": sectors,
        "deadlines": [{"kind": "comments", "date": deadline.isoformat()}] if deadline else [],
        "severity": "high" if vietnam else "low", "reasons": []}
    notice = Notice(source_id="us_fr_documents", external_id=f"N{n}", market="US",
                    url=f"https://www.federalregister.gov/d/N{n}", title=f"Notice {n} of a case",
                    published=published, raw={}, content_hash=f"N{n}", fetched_at=FOUND,
                    analysis=analysis, trade_remedy=True,
                    vietnam="subject" if vietnam else "none", severity="high")
    session.add(notice)
    return notice


def _case(session: Session, n: int, market: str, product: str, vietnam: bool,
          hs: str) -> Case:
    case = Case(market=market, origin="VN" if vietnam else "CN", measure="AD", product=product,
                vietnam="subject" if vietnam else "none", proceeding="investigation",
                stage="final", status="open", opened_on=date(2019, 3, 1),
                next_step="order" if n % 2 else "final_determination",
                next_due=GONE_BY if n % 2 else date(2027, 1, 15), next_basis="us_ad_final",
                hs_codes=[hs])
    session.add(case)
    return case


def _link(session: Session, case: Case, notice: Notice, stage: str, on: date) -> None:
    session.add(CaseEvent(case_id=case.id, notice_id=notice.id, proceeding="investigation",
                          stage=stage, event_on=on))


@pytest.fixture
def thousand(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """A thousand cases found on 20/11/2026: each has a step of 2019 found that day (a first
    crawl); ten cases on Vietnam opened that day, twenty opened in 2025 were found that day,
    and a deadline falls every few days of the next weeks."""
    with transaction(sessions) as session:
        session.add(Source(id="us_fr_documents", market="US", authority="Federal Register",
                           kind="api", url="https://www.federalregister.gov/api/v1"))
        for email_address, kind, sectors in (("bo@example.vn", "ministry", []),
                                             ("nhom@example.vn", "association", ["aluminium"])):
            subscriber = Subscriber(email=email_address, name="Cục PVTM", kind=kind,
                                    language="vi", confirmed=True,
                                    created_at=datetime(2026, 1, 1, tzinfo=UTC))
            subscriber.subscriptions.append(Subscription(sectors=sectors, frequency="immediate"))
            session.add(subscriber)
        session.flush()
        for n in range(CASES):
            vietnam = n < ON_VIETNAM
            market = MARKETS[n % len(MARKETS)]
            product, hs, sector = f"Steel product {n}", "7208", "steel"
            if n < len(EXTRUSIONS):
                (market, product), hs, sector = EXTRUSIONS[n], "7604", "aluminium"
            case = _case(session, n, market, product, vietnam, hs)
            old = _notice(session, 2 * n, date(2019, 6, 3), sectors=[sector], vietnam=vietnam,
                          new_case=FOUND_LATE + OPENED_TODAY > n >= OPENED_TODAY)
            session.flush()
            _link(session, case, old, "final", date(2019, 6, 3))
            if n < OPENED_TODAY:
                new = _notice(session, 2 * n + 1, DAY, sectors=[sector], vietnam=vietnam,
                              new_case=True, deadline=DAY + timedelta(days=2 + 2 * n))
                session.flush()
                _link(session, case, new, "initiation", DAY)
    return sessions


def _mail(sessions: sessionmaker[Session], settings: Settings, email_address: str
          ) -> tuple[str, str, int]:
    with transaction(sessions) as session:
        delivery = session.scalars(
            select(Delivery).join(Subscriber, Subscriber.id == Delivery.subscriber_id)
            .where(Subscriber.email == email_address, Delivery.status == "queued")).one()
        msg = parse(render_delivery(session, delivery, settings=settings,
                                    sector_names=SECTOR_NAMES, source_names={}))
        return body(msg, "plain"), body(msg, "html"), delivery.id


def _case_ids(text: str) -> list[int]:
    return [int(found) for found in re.findall(r"/cases/(\d+)\?lang=vi", text)]


def test_a_thousand_cases_fit_and_say_what_is_new(thousand: sessionmaker[Session],
                                                  settings: Settings) -> None:
    with transaction(thousand) as session:
        assert queue_due_digests(session, DUE) == 2  # the ministry's day, the association's week
    text, html, delivery_id = _mail(thousand, settings, "bo@example.vn")
    assert len(html.encode()) < 100_000 and len(text.encode()) < 100_000
    # The summary first: the ten cases opened today, what is due in the next 14 days, markets.
    assert text.index("TÓM TẮT") < text.index("Theo thị trường") < text.index("* Xuất xứ")
    summary = text[text.index("TÓM TẮT"):text.index("Theo thị trường")]
    assert f"{OPENED_TODAY} vụ việc mới đối với Việt Nam" in text[:text.index("TÓM TẮT")]
    opened = [f"{product} – xuất xứ Việt Nam" for _m, product in EXTRUSIONS] + [
        f"Steel product {n} – xuất xứ Việt Nam" for n in range(len(EXTRUSIONS), OPENED_TODAY)]
    assert all(name in summary for name in opened)
    assert f"{FOUND_LATE} vụ việc liên quan đến Việt Nam được khởi xướng trước kỳ này" in text
    assert "22/11/2026 (còn 1 ngày)" in summary and "04/12/2026 (còn 13 ngày)" in summary
    assert "06/12/2026" not in summary  # beyond the 14 days
    # Vietnam's cases before the others; each case once below the summary.
    assert text.index("* Xuất xứ Việt Nam") < text.index("NGUY CƠ CHUYỂN HƯỚNG THƯƠNG MẠI")
    below = text[text.index("Theo thị trường"):]
    assert len(_case_ids(below)) == len(set(_case_ids(below))) > 40
    # "New" only for the step of 20/11/2026; every 2019 step found that day is not new.
    new_lines = [line for line in text.splitlines() if "(mới)" in line]
    assert new_lines and all("2019" not in line for line in new_lines)
    assert all("20/11/2026" in line for line in new_lines if re.search(r"\d\d/\d\d/\d{4}", line))
    assert "(new)" not in html and html.count("(mới)") == len(new_lines)
    # No expected date already past.
    assert "01/09/2026" not in text and "đã được dự kiến" not in text
    # The rest is on the web, behind the mail's signed link.
    assert "mục khác không được nêu trong thư này" in text
    full = re.search(r"Xem toàn văn bản tin trên TREWS: (\S+)", text)
    assert full is not None
    path = full.group(1).split("://", 1)[1].split("/", 1)[1]
    assert path.startswith(f"digests/{delivery_id}?key=")
    client = TestClient(create_app(settings, sessions=thousand))
    page = client.get("/" + path)
    assert page.status_code == 200
    assert len(set(_case_ids(page.text))) == CASES
    assert client.get(f"/digests/{delivery_id}?key=forged").status_code == 403
    assert client.get("/" + path.replace(f"digests/{delivery_id}",
                                         f"digests/{delivery_id + 1}")).status_code == 403


def test_one_product_under_one_name_across_languages(thousand: sessionmaker[Session],
                                                     settings: Settings) -> None:
    with transaction(thousand) as session:
        queue_due_digests(session, DUE)
    text, html, _delivery_id = _mail(thousand, settings, "nhom@example.vn")
    assert len(html.encode()) < 100_000
    heading = "Nhôm ở dạng thanh, que và hình (HS 7604)"
    assert text.count(heading) == 1
    for _market, product in EXTRUSIONS:
        assert f"Tên hàng hóa theo cơ quan điều tra: {product}" in text
    assert "Steel product" not in text  # the association watches aluminium only


def test_an_exporters_digest_lists_its_first_notices(thousand: sessionmaker[Session],
                                                     settings: Settings) -> None:
    """A hundred matches in a week: the mail lists the first 40, most severe first, and links
    to the whole digest on the web."""
    with transaction(thousand) as session:
        lan = Subscriber(email="lan@example.vn", name="Lan", kind="exporter", language="vi",
                         confirmed=True, created_at=datetime(2026, 1, 1, tzinfo=UTC))
        lan.subscriptions.append(Subscription(sectors=["steel"], frequency="weekly"))
        session.add(lan)
        session.flush()
        notices = session.scalars(select(Notice).order_by(Notice.id).limit(100)).all()
        for notice in notices:
            session.add(Match(notice_id=notice.id, subscription_id=lan.subscriptions[0].id,
                              severity="high", reasons=["sector steel"], created_at=FOUND))
    with transaction(thousand) as session:
        queue_due_digests(session, DUE)
    text, html, delivery_id = _mail(thousand, settings, "lan@example.vn")
    assert len(html.encode()) < 100_000
    assert "100 diễn biến" in text or "vụ việc mới" in text
    assert text.count("Notice ") == 40 and "Còn 60 mục khác không được nêu trong thư này." in text
    assert f"/digests/{delivery_id}?key=" in text
