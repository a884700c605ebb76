"""The us_fr_public_inspection spider, run as the service runs it (a child process), against the
real recorded Federal Register public-inspection desks of 2020-08-10 and 2020-08-11."""

import json
import os
import shutil
from collections.abc import Iterator
from datetime import date
from urllib.parse import parse_qs

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from scrapy.http import TextResponse

from analysis_run import notice_input
from config import Source
from crawlers.spiders.us_fr_public_inspection import (
    UsFrPublicInspectionSpider,
    body_of,
    parse_desk,
    title_of,
)
from replay import ReplayServer
from rules.analyse import analyse
from tests.crawl_harness import Harness, harness

SOURCE = "us_fr_public_inspection"
DESKS = "/api/v1/public-inspection"
CURRENT = "/api/v1/public-inspection-documents/current.json"
BY_DAY = "/api/v1/public-inspection-documents.json"
RECORDED_DAY = date(2020, 8, 10)  # the recorded per-day search; the current desk is 2020-08-11
ZONE = UsFrPublicInspectionSpider.publisher_zone
# ITA and ITC filings on the two recorded desks (the other ~200 filings are other agencies').
CURRENT_IDS = {"2020-17615", "2020-17618", "2020-17631", "2020-17632", "2020-17637",
               "2020-17638", "2020-17639"}
DAY_IDS = {"2020-17465", "2020-17470", "2020-17471", "2020-17521", "2020-17531", "2020-17532"}
TIRES = "2020-17631"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """One crawl of the recorded desks, shared by the tests that only read what it stored."""
    folder = tmp_path_factory.mktemp("crawled")
    with pytest.MonkeyPatch.context() as patch, \
            ReplayServer(lifetime_s=300).running_in_thread() as server:
        for name in [n for n in os.environ if n.startswith("TREWS_")]:
            patch.delenv(name)
        h = harness(SOURCE, server, folder / "var", crawl_delay_s=1.0)
        assert h.crawl(RECORDED_DAY).ok, h.log()
        yield h


def test_crawl_stores_the_trade_filings_of_both_desks(crawled: Harness) -> None:
    h = crawled
    notices = h.notices()

    assert set(notices) == CURRENT_IDS | DAY_IDS  # only ITA and ITC filings
    tires = notices[TIRES]
    assert tires.title == ("Antidumping or Countervailing Duty Investigations, Orders, or Reviews: "
                           "Passenger Vehicle and Light Truck Tires from the Socialist Republic "
                           "of Vietnam")
    assert tires.published == date(2020, 8, 12)  # the day it WILL be published
    assert tires.url.startswith("https://www.federalregister.gov/documents/2020/08/12/2020-17631/")
    assert "Light Truck Tires" in tires.body
    assert tires.raw["document_number"] == TIRES  # links the filing to its published document
    assert tires.raw["filing_type"] == "regular"
    assert tires.raw["filed_at"] == "2020-08-11T08:45:00.000-04:00"
    assert tires.raw["pdf_url"].endswith("/2020-17631.pdf") and tires.raw["num_pages"] == 3
    assert tires.market == "US"
    assert "Mattresses" in notices["2020-17531"].title
    assert notices["2020-17531"].published == date(2020, 8, 11)
    current, day = h.requests(DESKS)
    assert current.path == CURRENT
    assert (day.path, parse_qs(day.query_string)) == (
        BY_DAY, {"conditions[available_on]": ["2020-08-10"]})  # the day before the desk's
    row = h.health()
    assert (row.last_status, row.items_last_run) == ("ok", len(CURRENT_IDS | DAY_IDS))


def test_vietnamese_filings_are_analysed_as_us_remedies_on_vietnam(
    crawled: Harness,
) -> None:
    h = crawled
    notices = h.notices()

    for number in (TIRES, "2020-17632", "2020-17531", "2020-17532"):
        analysis = analyse(notice_input(notices[number]), h.service.sectors)
        assert analysis.trade_remedy, number
        assert (analysis.market, analysis.vietnam) == ("US", "subject"), number
    assert "AD" in analyse(notice_input(notices[TIRES]), h.service.sectors).measures
    assert analyse(notice_input(notices["2020-17531"]), h.service.sectors).measures == ["AD"]
    washers = analyse(notice_input(notices["2020-17615"]), h.service.sectors)
    assert not washers.trade_remedy  # an ITC filing whose desk title names no remedy


def test_recrawl_revalidates_and_stores_nothing_twice(h: Harness) -> None:
    assert h.crawl(RECORDED_DAY).ok
    h.replay.clear_requests()

    assert h.crawl(RECORDED_DAY).ok

    again = h.requests(DESKS)
    assert len(again) == 2
    assert all(r.status == 304 and "If-None-Match" in r.headers for r in again)
    assert len(h.notices()) == len(CURRENT_IDS | DAY_IDS)
    runs = h.runs()
    assert [run.items_new for run in runs] == [len(CURRENT_IDS | DAY_IDS), 0]


def test_broken_desks_fail_the_source_and_lose_nothing(h: Harness) -> None:
    assert h.crawl(RECORDED_DAY).ok
    stored_before = len(h.notices())
    for failures, (fault, logged) in enumerate([
        ("truncate", "not JSON"), ("http500", "download failed"),
    ], start=1):
        if fault == "http500":
            # With a cached copy, Scrapy's RFC 2616 policy answers a 5xx with that copy (stale
            # on error); a desk never fetched before has none.
            shutil.rmtree(h.service.settings.httpcache_dir)
        h.replay.set_fault(CURRENT, fault)

        assert h.crawl(RECORDED_DAY).ok
        h.replay.clear_faults()

        row = h.health()
        assert (row.last_status, row.consecutive_failures) == ("failed", failures), fault
        assert ("HTTP error" if fault == "http500" else "parse error") in (row.last_error or "")
        assert logged in h.log()
        assert len(h.notices()) == stored_before

    # Synthetic: the desk's filings under another key, as a reshaped API would send them.
    h.replay.add_route(CURRENT, json.dumps({"count": 1, "documents": [{"document_number": "x"}]})
                       .encode())
    assert h.crawl(RECORDED_DAY).ok
    assert h.health().last_status == "failed"
    assert f"{CURRENT}: no 'results' and no zero 'count' (API layout changed?)" in h.log()
    assert len(h.notices()) == stored_before


def test_empty_desk_is_a_success_with_no_items(h: Harness) -> None:
    # Synthetic: the API's shape for a desk with no filings (it leaves 'results' out).
    h.replay.add_route(CURRENT, json.dumps({
        "count": 0, "special_filings_updated_at": "2020-08-11T16:15:00.000-04:00",
        "regular_filings_updated_at": "2020-08-11T08:45:00.000-04:00"}).encode())

    assert h.crawl(None).ok  # since = today minus the backfill: after the desk

    assert [r.path for r in h.requests(DESKS)] == [CURRENT]  # no earlier desk to ask
    row = h.health()
    assert (row.last_status, row.items_last_run, row.consecutive_empty_runs) == ("ok", 0, 1)
    assert len(h.notices()) == 0


def test_filing_without_a_url_is_dropped_with_the_reason(h: Harness) -> None:
    # Synthetic desk: two ITA filings in the API's shape, the second without html_url or pdf_url.
    ita = [{"slug": "international-trade-administration"}]
    h.replay.add_route(CURRENT, json.dumps({"count": 2, "results": [
        {"document_number": "2020-90001", "agencies": ita, "publication_date": "2020-08-12",
         "title": "Steel Nails from the Socialist Republic of Vietnam",
         "html_url": "https://www.federalregister.gov/d/2020-90001"},
        {"document_number": "2020-90002", "agencies": ita, "publication_date": "2020-08-12",
         "title": "Steel Nails from Taiwan"},
    ], "regular_filings_updated_at": "2020-08-11T08:45:00.000-04:00"}).encode())

    h.crawl(None)

    assert set(h.notices()) == {"2020-90001"}
    assert "2020-90002 lacks url" in h.log()
    assert h.health().last_status == "failed"


def spider(since: str | None, max_days: int = 10) -> UsFrPublicInspectionSpider:
    instance = UsFrPublicInspectionSpider(since=since)
    instance.source = Source(market="US", authority="FR", kind="api",
                             url="https://www.federalregister.gov/api/v1/", interval_minutes=15,
                             options={"max_days": max_days, "day_path": "pi.json"})
    return instance


def test_earlier_days_run_from_since_and_are_bounded() -> None:
    desk = date(2020, 8, 11)
    assert spider("2020-08-08").earlier_days(desk) == [
        date(2020, 8, 8), date(2020, 8, 9), date(2020, 8, 10)]
    assert spider("2020-08-11").earlier_days(desk) == []
    assert spider("2020-08-20").earlier_days(desk) == []
    bounded = spider("2020-01-01", max_days=3).earlier_days(desk)
    assert bounded == [date(2020, 8, 8), date(2020, 8, 9), date(2020, 8, 10)]
    assert spider("2020-08-10").day_url(date(2020, 8, 10)) == (
        "https://www.federalregister.gov/api/v1/pi.json?conditions%5Bavailable_on%5D=2020-08-10")


def test_title_and_body_fall_back_to_the_desk_subjects() -> None:
    document = {"toc_subject": "Antidumping or Countervailing Duty Investigations:",
                "toc_doc": "Steel Racks from Vietnam", "subject_1": None}
    assert title_of(document) == ("Antidumping or Countervailing Duty Investigations: "
                                  "Steel Racks from Vietnam")
    assert body_of(document) == ("Antidumping or Countervailing Duty Investigations:\n"
                                 "Steel Racks from Vietnam")
    assert title_of({"subject_1": "Steel Racks", "subject_2": "from Vietnam"}) == (
        "Steel Racks from Vietnam")


def response(body: bytes) -> TextResponse:
    return TextResponse("https://www.federalregister.gov/api/v1/x.json", body=body,
                        headers={"Content-Type": "application/json; charset=utf-8"})


@hypothesis_settings(max_examples=150, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_parse_desk_never_crashes_on_arbitrary_bytes(body: bytes) -> None:
    try:
        parse_desk(response(body), ZONE)
    except ValueError as exc:
        assert "x.json" in str(exc)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=4),
    max_leaves=20,
)
DOCUMENT_KEYS = st.sampled_from(["agencies", "document_number", "title", "toc_subject",
                                 "toc_doc", "subject_1", "subject_2", "html_url",
                                 "publication_date", "regular_filings_updated_at", "results"])


@hypothesis_settings(max_examples=150, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(DOCUMENT_KEYS, JSON, max_size=8), st.lists(
    st.dictionaries(DOCUMENT_KEYS, JSON, max_size=8), max_size=3))
def test_desk_mapping_never_crashes_on_arbitrary_json(page: dict, documents: list) -> None:
    instance = spider("2020-08-10")
    instance.source = instance.source.model_copy(update={"options": {}})
    body = json.dumps({**page, "results": documents}).encode()
    try:
        desk = parse_desk(response(body), ZONE)
    except ValueError:
        return
    for notice in instance.notices(desk.results):
        json.dumps(dict(notice)["raw"])
