"""The in_cbic spider against the real recorded CBIC "Latest Updates" response (and a synthetic one
naming Vietnam), run as the service runs it: a child-process crawl of a local replay server."""

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.http import Request, TextResponse

from analysis_run import notice_input
from config import load_sectors, load_sources
from crawlers.spiders.in_cbic import (
    InCbicSpider,
    document_path,
    is_trade_remedy,
    updated_on,
    updates,
)
from rules.analyse import analyse
from tests.conftest import RECORDINGS, ROOT
from tests.crawl_harness import Harness, replaying

SOURCE = "in_cbic"
UPDATES = "/api/cbic-notification-msts/fetchUpdatesByTaxId/1000002"
VIETNAM_FILE = RECORDINGS / SOURCE / "synthetic_customs_latest_updates_vietnam.json"
JUTE = "24/2026-Customs (ADD)"
SINCE = date(2026, 1, 1)
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Harness, list]]:
    """Two crawls of the real recording; the requests of the second one."""
    with replaying(SOURCE, tmp_path_factory.mktemp(SOURCE) / "var") as h:
        assert h.crawl(SINCE).ok
        h.replay.clear_requests()
        assert h.crawl(SINCE).ok
        yield h, h.requests()


@pytest.fixture(scope="module")
def vietnam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """A crawl of the synthetic list (an ADD and a CVD notification on Vietnam)."""
    with replaying(SOURCE, tmp_path_factory.mktemp("vietnam") / "var") as h:
        h.replay.add_route(UPDATES, VIETNAM_FILE.read_bytes(), headers=JSON)
        assert h.crawl(SINCE).ok
        yield h


def test_only_the_anti_dumping_notification_of_the_real_list_is_stored(recorded) -> None:
    h, _ = recorded
    notices = h.notices()
    assert list(notices) == [JUTE]  # of 4: the tariff-value, adjudication and SNZ entries go
    jute = notices[JUTE]
    assert jute.title.startswith("Seeks to amend Notification No. 33/2022-Customs (ADD)")
    assert jute.published == date(2026, 9, 24)
    assert jute.market == "IN"
    origin = h.replay.base_url.rstrip("/")
    assert jute.url == (f"{origin}/content/pdf/tax_repository/customs/notifications/"
                        "notfns-2026/cs-add2026/csadd24-2026.pdf")
    assert jute.raw["updateCategory"] == "Anti Dumping Duty" and jute.raw["id"] == 1010764
    assert jute.body == "24/2026-Customs (ADD). Anti Dumping Duty. Notification"
    row = h.health()
    assert (row.last_status, row.items_last_run, row.consecutive_failures) == ("ok", 1, 0)


def test_second_crawl_revalidates_and_stores_nothing_twice(recorded) -> None:
    h, second = recorded
    assert [(r.path, r.status) for r in second] == [(UPDATES, 304)]
    assert "If-None-Match" in second[0].headers
    assert [run.items_new for run in h.runs()] == [1, 0]
    assert len(h.notices()) == 1


def test_vietnamese_notifications_are_stored_and_analysed_as_trade_remedies(
    vietnam: Harness,
) -> None:
    notices = vietnam.notices()
    assert sorted(notices) == ["05/2026-Customs (CVD)", "27/2026-Customs (ADD)"]
    glass = notices["27/2026-Customs (ADD)"]
    assert "Textured Tempered Coated and Uncoated Glass" in glass.title
    assert glass.published == date(2026, 11, 20)

    result = analyse(notice_input(glass), load_sectors())
    assert result.trade_remedy and result.market == "IN" and result.measures == ["AD"]
    assert result.vietnam == "subject"


def test_vietnam_is_a_subject_of_the_countervailing_notification(vietnam: Harness) -> None:
    pipes = vietnam.notices()["05/2026-Customs (CVD)"]
    result = analyse(notice_input(pipes), load_sectors())
    assert result.trade_remedy and result.measures == ["CVD"] and result.vietnam == "subject"


def test_entries_updated_before_since_are_skipped() -> None:
    spider = InCbicSpider(since=date(2026, 11, 15))
    spider.source = load_sources(ROOT / "config" / "sources.yaml")[SOURCE]
    url = spider.base_url + UPDATES.lstrip("/")
    response = TextResponse(url, body=VIETNAM_FILE.read_bytes(), request=Request(url))

    notices = list(spider.parse(response))

    assert [n["external_id"] for n in notices] == ["27/2026-Customs (ADD)"]  # not 14-Nov CVD
    assert notices[0]["url"] == ("https://taxinformation.cbic.gov.in/content/pdf/tax_repository/"
                                 "customs/notifications/notfns-2026/cs-add2026/csadd27-2026.pdf")


@pytest.mark.parametrize(("fault", "expected"), [
    ("http500", "download failed"),
    ("truncate", "not JSON"),
    ("garbage", "not JSON"),
])
def test_broken_response_fails_the_source_and_loses_nothing(
    recorded, tmp_path: Path, fault: str, expected: str
) -> None:
    baseline, _ = recorded
    with replaying(SOURCE, tmp_path / "var", copy_of=baseline.service.settings.data_dir) as h:
        h.replay.set_fault(UPDATES, fault)
        assert h.crawl(SINCE).ok
        row = h.health()
        assert row.last_status == "failed" and row.consecutive_failures == 1
        assert ("HTTP error" if fault == "http500" else "parse error") in (row.last_error or "")
        assert expected in h.log()
        assert list(h.notices()) == [JUTE]


def test_changed_api_shape_is_a_clear_parse_error(recorded, tmp_path: Path) -> None:
    baseline, _ = recorded
    with replaying(SOURCE, tmp_path / "var", copy_of=baseline.service.settings.data_dir) as h:
        # Synthetic: the list wrapped in an object, as a paginated API would answer.
        h.replay.add_route(UPDATES, json.dumps({"content": [], "totalElements": 0}).encode(),
                           headers=JSON)
        assert h.crawl(SINCE).ok
        assert h.health().last_status == "failed"
        assert "not a list of updates (API changed?)" in h.log()
        assert list(h.notices()) == [JUTE]


def test_empty_list_is_a_success_with_no_items(recorded, tmp_path: Path) -> None:
    baseline, _ = recorded
    with replaying(SOURCE, tmp_path / "var", copy_of=baseline.service.settings.data_dir) as h:
        h.replay.add_route(UPDATES, b"[]", headers=JSON)
        assert h.crawl(SINCE).ok
        row = h.health()
        assert (row.last_status, row.items_last_run, row.consecutive_empty_runs) == ("ok", 0, 1)
        assert list(h.notices()) == [JUTE]


def test_selection_dates_and_document_paths() -> None:
    entries = json.loads(VIETNAM_FILE.read_text(encoding="utf-8"))
    series = ["(ADD)", "(CVD)", "(SG)"]
    assert [is_trade_remedy(e, ["Anti Dumping Duty"], series) for e in entries] == [
        True, False, True, False]
    assert is_trade_remedy({"notificationNo": "3/2026-Customs (SG)"}, [], series)
    assert updated_on(entries[0]) == date(2026, 11, 20)
    assert updated_on({"updatedDate": "31-Feb-2026"}) is None
    assert document_path(entries[0], "content/pdf/") == (
        "content/pdf/tax_repository/customs/notifications/notfns-2026/cs-add2026/"
        "csadd27-2026.pdf")
    assert document_path({"id": 7, "updateType": "Circular"}, "x/") == "view-pdf/7/ENG/Circulars"


def test_a_wrongly_declared_charset_does_not_garble_the_hindi_fields() -> None:
    url = "https://taxinformation.cbic.gov.in" + UPDATES
    response = TextResponse(url, body=VIETNAM_FILE.read_bytes(), encoding="latin-1",
                            request=Request(url))  # the bytes are UTF-8
    assert updates(response)[0]["updatedDateHi"] == "२०-नवंबर-२०२६"


@settings(max_examples=200, deadline=None)
@given(body=st.one_of(st.binary(max_size=400), st.text(max_size=200).map(str.encode),
                      st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                                   lambda c: st.lists(c) | st.dictionaries(st.text(), c),
                                   max_leaves=12).map(lambda v: json.dumps(v).encode())))
def test_parsing_arbitrary_bodies_gives_entries_or_a_clear_error(body: bytes) -> None:
    url = "https://taxinformation.cbic.gov.in" + UPDATES
    response = TextResponse(url, body=body, encoding="utf-8", request=Request(url))
    try:
        entries = updates(response)
    except ValueError as exc:
        assert url in str(exc)
        return
    for entry in entries:  # mapping helpers accept whatever fields an entry has
        is_trade_remedy(entry, ["Anti Dumping Duty"], ["(ADD)"])
        updated_on(entry)
        document_path(entry, "content/pdf/")
