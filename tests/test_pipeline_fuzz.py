"""Random notices through crawl → store → analyse → match never stop the pipeline (issue 17).

Hypothesis makes items as a spider could yield them from hostile pages: any text, dates from
year 1 to 9999 or not dates at all, URLs of any scheme, raw fields of any type. Each goes
through the crawl's real item pipelines into a real database; then the service's analysis runs
with a subscriber to match. A notice may be dropped with a reason (counted) or quarantined with
its error; the run itself never raises, and every stored notice ends analysed or quarantined."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlalchemy import select

from alerts.subscribers import import_subscribers
from analysis_run import analyse_pending
from config import load_settings
from config.settings import CONFIG_DIR
from crawlers.items import Notice as Item
from crawlers.pipelines import NormaliseTextPipeline, RequireFieldsPipeline, StoreNoticePipeline
from scheduler import Service
from storage.models import Notice

# Words that steer the rules into their deeper paths: remedies, stages, deadlines, dates, codes.
WORDS = ["Anti-Dumping", "Countervailing", "safeguard", "From the Socialist Republic of Vietnam",
         "Việt Nam", "chống bán phá giá", "khởi xướng", "within 30 days", "ngày 31/12/9999",
         "A-552-801", "731-TA-1012", "HS 7306.30", "Preliminary", "Final Results", ";", ":",
         "Correction", "rescission", "50.4 %", "USD/tấn", "initiated on 1 January 9999"]
texts = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=40)), max_size=12).map(
    " ".join)
raw_values = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                       st.text(max_size=30), st.lists(st.text(max_size=20), max_size=3))
items = st.fixed_dictionaries({
    "source": st.sampled_from(["us_fr_documents", "eu_tron", "vn_trav", "wto_news"]),
    "external_id": st.text(min_size=1, max_size=260),
    "market": st.sampled_from(["US", "EU", "VN", "WTO"]),
    "url": st.one_of(st.just("https://www.federalregister.gov/d/x"), st.text(max_size=1200)),
    "title": texts,
    "body": texts,
    "published": st.one_of(st.none(), st.dates(min_value=date(1, 1, 1)), st.text(max_size=12)),
    "raw": st.dictionaries(st.sampled_from(["docket_ids", "initDate", "caseType", "agencies",
                                            "action", "type", "case"]), raw_values, max_size=4),
})


@pytest.fixture
def service(database_url: str, tmp_path: Path) -> Iterator[Service]:
    loaded = Service.load(load_settings(data_dir=tmp_path / "var", database_url=database_url))
    import_subscribers(loaded.sessions, CONFIG_DIR / "subscribers.example.csv",
                       {sector.id for sector in loaded.sectors})
    yield loaded
    loaded.sessions.kw["bind"].dispose()


def crawled(service: Service, batch: list[dict]) -> int:
    """The batch through the crawl's pipelines; how many were stored."""
    crawler = get_crawler(Spider, {"TREWS_DATABASE_URL": service.settings.db_url})
    crawler._apply_settings()
    spider = Spider.from_crawler(crawler, name="fuzz")
    stages = [RequireFieldsPipeline(), NormaliseTextPipeline(),
              StoreNoticePipeline.from_crawler(crawler)]
    stored = 0
    for fields in batch:
        item = Item(**fields)
        try:
            for stage in stages:
                item = stage.process_item(item, spider)
        except DropItem:  # dropped with its reason, and counted: never silent
            continue
        stored += 1
    return stored


@settings(max_examples=20, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(batch=st.lists(items, min_size=1, max_size=15))
def test_random_notices_never_stop_the_pipeline(service: Service, batch: list[dict]) -> None:
    stored = crawled(service, batch)
    report = analyse_pending(service)
    with service.sessions() as session:
        notices = session.scalars(select(Notice)).all()
        left = [n.external_id for n in notices
                if n.analysed_at is None and n.analysis_failed_at is None]
    assert not left, left  # every stored notice analysed or quarantined, none stuck
    assert report.analysed + report.quarantined <= stored <= len(batch)
