"""/deadlines answers "what is due next week?": stated deadlines and statutory estimates told
apart, by date, past ones flagged, filtered by market, sector, Vietnam's role and window, the
same rows as CSV and iCalendar; the home page shows the next seven days. On a database of cases
dated around today (synthetic: the recorded notices are years old)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy.orm import Session

from config import Settings
from scheduler import Service
from storage.database import transaction
from storage.models import Source
from storage.timeutil import utcnow
from tests.web_data import dated_case
from web.app import create_app

TODAY = utcnow().astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()  # the service's zone
HOSTILE = "<script>alert(1)</script> extrusion"


def add_case(session: Session, n: int, **facts: Any) -> int:
    return dated_case(session, n, TODAY, source_id="synthetic_src", **facts)


@pytest.fixture
def client(settings: Settings, tmp_path) -> Iterator[TestClient]:
    service = Service.load(settings)
    with transaction(service.sessions) as session:
        session.add(Source(id="synthetic_src", market="AU", authority="ADC", kind="html",
                           url="https://example.org/"))
        session.flush()
        add_case(session, 1, market="AU", vietnam="subject", product=HOSTILE,
                 sector="aluminium", deadlines=[(3, "questionnaire"), (-2, "register")])
        add_case(session, 2, market="US", vietnam="subject", product="steel nail",
                 sector="steel", deadlines=[(10, "case_briefs")], next_due=5)
        add_case(session, 3, market="EU", vietnam="none", product="ceramic tile",
                 sector="ceramics_glass", deadlines=[(4, "comments")])
        add_case(session, 4, market="US", vietnam="circumvention", product="hanger",
                 sector="steel", deadlines=[(25, "comments")])
    yield TestClient(create_app(settings))


def rows_of(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return [row for row in body.split("<tr")[1:]]


def test_the_next_fortnight_stated_and_estimated_told_apart_past_flagged(
        client: TestClient) -> None:
    page = client.get("/deadlines?lang=vi")
    assert page.status_code == 200
    rows = rows_of(page.text)
    assert len(rows) == 4  # questionnaire, expected preliminary, case briefs, and the passed one
    assert 'class="passed"' in rows[0] and "đã qua" in rows[0]
    assert "nêu trong thông báo" in rows[1] and "dự kiến theo luật định" in rows[2]
    assert "Dự kiến: Kết luận sơ bộ" in rows[2]
    assert "ceramic tile" not in page.text.lower()  # diversion cases only when asked for
    assert "hanger" not in page.text.lower()  # 25 days away: outside the window
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text


@pytest.mark.parametrize(("query", "wanted", "unwanted"), [
    ("market=US", ["steel nail"], ["extrusion"]),
    ("sector=aluminium", ["extrusion"], ["steel nail"]),
    ("role=none", ["ceramic tile"], ["steel nail"]),
    ("window=30", ["steel nail", "hanger"], ["ceramic tile"]),
    ("window=30&role=all", ["hanger", "ceramic tile"], []),
])
def test_filters(client: TestClient, query: str, wanted: list[str],
                 unwanted: list[str]) -> None:
    page = client.get(f"/deadlines?{query}")
    assert page.status_code == 200, page.text
    listed = " ".join(rows_of(page.text)).lower()
    assert all(word in listed for word in wanted)
    assert not any(word in listed for word in unwanted)


def test_csv_and_icalendar_hold_the_same_rows(client: TestClient) -> None:
    page_rows = rows_of(client.get("/deadlines?lang=vi").text)
    exported = client.get("/deadlines?lang=vi&format=csv")
    assert exported.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["Ngày", "Số ngày còn lại", "Hạn chót"]
    assert len(table) - 1 == len(page_rows)
    assert [r[0] for r in table[1:]] == sorted(r[0] for r in table[1:])
    assert table[1][1] == "-2"
    feed = client.get("/deadlines?format=ics")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert len(events) == len(page_rows)
    assert {str(e.get("categories").to_ical(), "utf-8") for e in events} == {"stated",
                                                                                "estimated"}


def test_the_home_page_shows_the_next_seven_days(client: TestClient) -> None:
    home = client.get("/?lang=en").text
    section = home.split('id="due"', 1)[1].split("</section>", 1)[0]
    assert "Questionnaire response" in section and "Expected" in section
    assert "Case briefs" not in section  # ten days away
    assert "passed" not in section
