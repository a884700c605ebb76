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
