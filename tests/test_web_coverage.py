"""/stats says from when each market's data is complete, and leaves the years before it empty
instead of drawing them as zero (issue 19: India "opened no case before 2026" only because only
US history is imported). On a small database: a listed US case of 2010, and an Indian case of a
notice crawled in 2026 (synthetic)."""

from __future__ import annotations

import json
import re
from datetime import date

from fastapi.testclient import TestClient

from config import Settings
from scheduler import Service
from storage.database import transaction
from storage.models import Case, CaseEvent, Notice, Source
from web.app import create_app
from web.coverage import market_coverage


def test_coverage_is_said_and_years_without_data_are_not_zero(settings: Settings) -> None:
    service = Service.load(settings)
    with transaction(service.sessions) as session:
        session.add(Source(id="synthetic_in", market="IN", authority="DGTR", kind="html",
                           url="https://example.org/"))
        session.flush()
        notice = Notice(source_id="synthetic_in", external_id="n1", market="IN",
                        url="https://example.org/1", title="Polyester yarn from Vietnam",
                        published=date(2026, 6, 10), raw={}, content_hash="h1")
        listed = Case(market="US", origin="VN", measure="AD", product="nail", vietnam="subject",
                      proceeding="investigation", stage="order", opened_on=date(2010, 3, 1),
                      history_rows=[{"list": "ita_access", "line": 2}])
        crawled = Case(market="IN", origin="VN", measure="AD", product="polyester yarn",
                       vietnam="subject", proceeding="investigation", stage="initiation",
                       opened_on=date(2026, 6, 10))
        session.add_all([notice, listed, crawled])
        session.flush()
        session.add(CaseEvent(case_id=crawled.id, notice_id=notice.id, proceeding="investigation",
                              stage="initiation", event_on=date(2026, 6, 10)))
    with service.sessions() as session:
        coverage = market_coverage(session)
    assert (coverage["US"].history_from, coverage["US"].complete_from) == (2010, 2010)
    assert coverage["IN"].crawled_from == date(2026, 6, 10)
    assert (coverage["IN"].history_from, coverage["IN"].complete_from) == (None, 2027)

    page = TestClient(create_app(settings)).get("/stats?lang=en").text
    section = page.split('id="coverage"', 1)[1].split("</section>", 1)[0]
    assert "cases since 2010" in section and "10 Jun 2026" in section
    data = json.loads(re.search(r'id="stats-data">(.*?)</script>', page, re.S).group(1))
    by_market = next(table for table in data if table["id"] == "by-market")
    years = [int(year) for year in by_market["columns"]]
    series = {s["label"]: dict(zip(years, s["values"], strict=True))
              for s in by_market["series"]}
    assert series["India"][2015] is None and series["India"][2026] == 1  # unknown, not zero
    assert series["United States"][2015] == 0 and series["United States"][2010] == 1


def test_case_filters_are_in_the_readers_order_and_feeds_are_linked(settings: Settings) -> None:
    service = Service.load(settings)
    with transaction(service.sessions) as session:
        for n, market in enumerate(("US", "IN", "AU")):
            session.add(Case(market=market, origin="VN", measure="AD", product=f"p{n}",
                             vietnam="subject", proceeding="investigation", stage="initiation",
                             opened_on=date(2026, 1, n + 1)))
    client = TestClient(create_app(settings))
    page = client.get("/cases?lang=vi&market=IN").text
    options = re.findall(r'<option value="(US|IN|AU)"', page.split('name="market"', 1)[1])
    assert options == ["IN", "US", "AU"]  # Ấn Độ, Hoa Kỳ, Úc: the reader's alphabet
    assert 'rel="alternate" type="application/atom+xml" href="/feeds/markets/IN.atom' in page
    assert "Nguồn tin Atom của thị trường này" in page


def test_stats_count_what_opened_the_cases_under_the_case_lists_filters(
        settings: Settings) -> None:
    """The headline is the new investigations and circumvention inquiries on Vietnam, per
    market; /stats takes the case list's filters and counts what /cases lists."""
    service = Service.load(settings)
    openings = [("US", "investigation", 2026), ("US", "investigation", 2026),
                ("US", "circumvention", 2026), ("US", "review", 2026),
                ("IN", "investigation", 2026), ("IN", "later", 2026),
                ("US", "investigation", 2025)]
    with transaction(service.sessions) as session:
        session.add_all(Case(market=market, origin="VN", measure="AD", product=f"p{n}",
                             vietnam="subject", proceeding="investigation", stage="initiation",
                             opened_on=date(year, 3, 1), opened_by=kind)
                        for n, (market, kind, year) in enumerate(openings))
        session.add(Case(market="US", origin="CN", measure="AD", product="not on Vietnam",
                         vietnam="none", proceeding="investigation", stage="initiation",
                         opened_on=date(2026, 3, 1), opened_by="investigation"))
    client = TestClient(create_app(settings))
    page = client.get("/stats?year=2026&lang=en").text
    section = page.split('id="new-cases"', 1)[1].split("</section>", 1)[0]
    assert "opened in 2026" in section and '<strong class="big">4</strong>' in section
    rows = {market: dict(re.findall(r'data-opened-by="(\w+)">(\d+)<', row)) for market, row in
            re.findall(r'<tr data-market="(\w+)">(.*?)</tr>', section, re.S)}
    assert rows == {"US": {"investigation": "2", "circumvention": "1", "review": "1",
                           "later": "0", "new": "3"},
                    "IN": {"investigation": "1", "circumvention": "0", "review": "0",
                           "later": "1", "new": "1"}}
    assert 'name="opened_by"' in page and '<option value="2026" selected>' in page

    listed = client.get("/cases?year=2026&opened_by=investigation&lang=en").text
    counted = client.get("/stats?year=2026&opened_by=investigation&lang=en").text
    assert "<strong>3 cases</strong>" in listed and "3 cases concerning Vietnam" in counted
    data = json.loads(re.search(r'id="stats-data">(.*?)</script>', counted, re.S).group(1))
    by_opening = next(table for table in data if table["id"] == "by-opening")
    assert [(s["label"], s["total"]) for s in by_opening["series"]] == [("New investigation", 3)]
