"""The eu_tron spider, run as the service runs it (a child process), against the local replay of
the real TRON "ongoing cases" list and synthetic case details."""

import json
import shutil
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.http import TextResponse

from analysis_run import notice_input
from config import Source
from crawlers.spiders.eu_tron import EuTronSpider, case_documents, parse_case_list
from replay import ReplayServer
from rules.analyse import analyse
from tests.crawl_harness import Harness, harness

SOURCE = "eu_tron"
LIST = "/investigations/api/eucase/list/ongoing"
DETAILS = "/investigations/api/eucase/details/"
RECORDED = Path(__file__).resolve().parent.parent / "replay" / "recordings" / SOURCE
RECORDED_CASES = 66
DETAIL_CASES = {"2847", "2812", "2848"}  # AD750, AD739, AD751: options.detail_cases
DOCUMENTS = 5  # in their synthetic details: 2 + 2 + 1


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """One default crawl, shared by the tests that only read its result or start from it."""
    with ReplayServer(lifetime_s=120).running_in_thread() as server:
        h = harness(SOURCE, server, tmp_path_factory.mktemp(SOURCE) / "var", crawl_delay_s=1.0)
        assert h.crawl().ok, h.log()
        yield h


@pytest.fixture
def seeded(crawled: Harness, replay: ReplayServer, tmp_path: Path) -> Harness:
    """A harness on a copy of the module crawl's data folder (database, HTTP cache; no log)."""
    shutil.copytree(crawled.service.settings.data_dir, tmp_path / "var",
                    ignore=shutil.ignore_patterns("logs"))
    return harness(SOURCE, replay, tmp_path / "var")


def details_asked(h: Harness) -> set[str]:
    return {r.path.removeprefix(DETAILS) for r in h.requests(DETAILS)}


def test_crawl_stores_every_ongoing_case_and_the_documents_of_followed_cases(
    crawled: Harness,
) -> None:
    h = crawled
    assert len(h.notices()) == RECORDED_CASES + DOCUMENTS
    copper = h.notice("AD750/2847")
    assert copper.title == ("Copper tubes originating in Mexico, People's Republic of China, "
                            "Uzbekistan and Vietnam (AD750, Initial Investigation)")
    # initDate 1773270000000 is 2026-03-11 23:00 UTC: the 12th in Brussels.
    assert copper.published == date(2026, 3, 12)
    # The case page on the configured origin (here the replay server's).
    assert copper.url == f"{h.replay.base_url.rstrip('/')}/investigations/case-view?caseId=2847"
    assert copper.market == "EU"
    assert copper.raw["caseNumber"] == "AD750" and copper.raw["shortName"] == "Copper tubes "
    assert "Country concerned: Vietnam" in copper.body
    initiation = h.notice("AD750/2847/OJ C, C/2026/1471, 12.3.2026")
    assert initiation.title.startswith("Notice of initiation of an anti-dumping proceeding")
    assert initiation.url == "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=OJ:C_202601471"
    assert initiation.published == date(2026, 3, 12)
    assert "Seamless refined copper tubes" in initiation.body
    assert "Country concerned: Vietnam" in initiation.body
    assert initiation.raw["case"]["cnCodes"] == ["7411 10 10", "7411 10 90"]
    note = h.notice("AD750/2847/Note for the file: selection of the sample of Union "
                    "producers")
    assert note.url == copper.url  # no URL of its own: the case page
    provisional = h.notice("AD739/2812/OJ L, 2026/1011, 13.5.2026")
    assert "provisional anti-dumping duty" in provisional.title
    assert provisional.published == date(2026, 5, 13)
    tabbed = h.notice("R860/2882")  # shortName "Trichloroisocyanuric acid (TCCA)\t"
    assert tabbed.title.startswith("Trichloroisocyanuric acid (TCCA) originating in")
    assert details_asked(h) == DETAIL_CASES  # no other case is new since the backfill window
    row = h.health()
    assert (row.last_status, row.items_last_run, row.consecutive_failures) == (
        "ok", RECORDED_CASES + DOCUMENTS, 0)


def test_analysis_reads_the_vietnamese_cases(crawled: Harness) -> None:
    sectors = crawled.service.sectors
    for external_id in ("AD750/2847", "AD739/2812", "AD750/2847/OJ C, C/2026/1471, 12.3.2026",
                        "AD739/2812/OJ L, 2026/1011, 13.5.2026"):
        analysis = analyse(notice_input(crawled.notice(external_id)), sectors)
        assert analysis.trade_remedy, external_id
        assert (analysis.market, analysis.vietnam, analysis.measures) == ("EU", "subject", ["AD"])
    other = analyse(notice_input(crawled.notice("AD751/2848")), sectors)
    assert other.trade_remedy and other.vietnam == "none"


def test_details_in_the_publications_shape_give_documents(crawled: Harness) -> None:
    # AD751's synthetic details list its notice under `publications`, the field names a public
    # client of the live API reads (PROVENANCE.md); "N/A" is no link.
    url = "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=OJ:C_202601470"
    notice = crawled.notice(f"AD751/2848/{url}")
    assert notice.title == "Notice of initiation" and notice.url == url
    assert notice.published == date(2026, 3, 12)
    assert notice.body.startswith("Notice of initiation Notice of initiation of an anti-dumping "
                                  "proceeding concerning imports of certain acrylic esters")
    assert notice.raw["typeOfPublication"] == "Notice of initiation"
    assert "publications" not in notice.raw["case"]


def test_recrawl_revalidates_and_stores_nothing_twice(h: Harness) -> None:
    assert h.crawl().ok
    h.replay.clear_requests()

    assert h.crawl().ok

    second = h.requests("/investigations/api/")
    assert len(second) == 1 + len(DETAIL_CASES)
    assert all(r.status == 304 for r in second), [(r.path, r.status) for r in second]
    assert all("If-None-Match" in r.headers for r in second)
    assert len(h.notices()) == RECORDED_CASES + DOCUMENTS
    runs = h.runs()
    assert [(run.items_new, run.items_updated) for run in runs] == [(71, 0), (0, 0)]


def test_new_cases_get_details_and_failed_details_keep_the_cases(h: Harness) -> None:
    # R865 (initiated 2026-08-25) and R866 (2026-08-08) are new since 2026-08-01; TRON's details
    # of them are not recorded, so the replay answers 404. AD750's details arrive truncated.
    h.replay.set_fault(DETAILS + "2847", "truncate")

    assert h.crawl(since=date(2026, 8, 1)).ok

    assert details_asked(h) == DETAIL_CASES | {"2895", "2897"}
    # Every case from the list; the documents of AD739 (2) and AD751 (1) only.
    assert len(h.notices()) == RECORDED_CASES + 3
    assert h.notice("R866/2897").title.startswith("Glass fibre open mesh fabrics")
    row = h.health()
    assert row.last_status == "failed"
    assert "2 HTTP error(s)" in (row.last_error or "") and "parse error" in (row.last_error or "")
    log = h.log()
    assert f"download failed: {h.replay.base_url.rstrip('/')}{DETAILS}2895" in log
    assert f"{DETAILS}2847: not JSON (truncated" in log


BROKEN_LISTS = {
    # TRON wrapped the array in an object: a structure the spider does not know.
    "changed": (b'{"cases" : [ ]}', "expected a JSON array of cases"),
    # The real list re-encoded in Windows-1252 while still declared UTF-8 ("T\xfcrkiye").
    "encoding": ((RECORDED / "eu_tron_ongoing_cases_2026.json").read_text("utf-8")
                 .encode("cp1252"), "wrong encoding?"),
}


@pytest.mark.parametrize("fault", ["truncate", "http500", *BROKEN_LISTS])
def test_broken_list_fails_the_source_and_loses_nothing(seeded: Harness, fault: str) -> None:
    h = seeded
    if fault in BROKEN_LISTS:
        h.replay.add_route(LIST, BROKEN_LISTS[fault][0],
                         headers={"content-type": "application/json;charset=UTF-8"})
    else:
        h.replay.set_fault(LIST, fault)

    assert h.crawl().ok

    row = h.health()
    assert row.last_status == "failed" and row.consecutive_failures == 1
    assert ("HTTP error" if fault == "http500" else "parse error") in (row.last_error or "")
    assert len(h.notices()) == RECORDED_CASES + DOCUMENTS
    expected = {"truncate": "not JSON (truncated", "http500": "download failed"}
    expected |= {kind: message for kind, (_body, message) in BROKEN_LISTS.items()}
    assert expected[fault] in h.log()


def test_empty_list_is_a_success_with_no_items(h: Harness) -> None:
    h.replay.add_route(LIST, b"[ ]")

    assert h.crawl().ok

    row = h.health()
    assert (row.last_status, row.items_last_run, row.consecutive_empty_runs) == ("ok", 0, 1)
    assert len(h.notices()) == 0


def test_case_missing_its_name_is_skipped_with_the_reason(h: Harness) -> None:
    cases = [{"id": 1, "caseNumber": "AD900", "shortName": "Steel nails ", "initDate": 0,
              "caseCountries": [{"id": 182, "countryName": "Vietnam"}],
              "caseType": "Initial Investigation", "hasDetailPage": False},
             {"id": 2, "caseNumber": "AD901", "caseType": "Initial Investigation"}]
    h.replay.add_route(LIST, json.dumps(cases).encode())

    h.crawl()

    assert len(h.notices()) == 1
    assert h.notice("AD900/1").published == date(1970, 1, 1)
    assert "AD901/2 lacks title" in h.log()
    assert h.health().last_status == "failed"


@cache
def spider() -> EuTronSpider:
    tron = EuTronSpider(since=date(2026, 1, 1))
    tron.source = Source.model_validate({
        "market": "EU", "authority": "TRON", "kind": "api", "interval_minutes": 360,
        "url": "https://tron.trade.ec.europa.eu/investigations/api/",
        "options": {"case_page": "/investigations/case-view?caseId={id}",
                    "details_path": "eucase/details/{id}"}})
    return tron


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["id", "caseNumber", "shortName", "initDate", "caseCountries",
                         "countryName", "extraInformation", "caseType", "hasDetailPage",
                         "productDescription", "cnCodes", "documents", "title", "url",
                         "ojReference", "publicationDate", "publications",
                         "typeOfPublication", "datePublication", "urlTransformed", "contents"]),
        inner, max_size=6),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_list_parsing_gives_cases_or_a_clear_error_on_any_bytes(body: bytes) -> None:
    response = TextResponse(f"https://tron.test{LIST}", body=body,
                            headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        cases = parse_case_list(response)
    except ValueError as exc:
        assert LIST in str(exc)
        return
    assert all(isinstance(case, dict) for case in cases)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(
    ["id", "caseNumber", "shortName", "initDate", "caseCountries", "caseType",
     "hasDetailPage"]), JSON, max_size=7), max_size=3), JSON)
def test_mapping_never_crashes_on_any_json_case(cases: list[dict[str, Any]], details: Any
                                                ) -> None:
    body = json.dumps(cases, allow_nan=True).encode()
    response = TextResponse(f"https://tron.test{LIST}", body=body)
    tron = spider()
    for case in parse_case_list(response):
        notices = [tron.case_notice(case)]
        if isinstance(details, dict):
            notices += [tron.document_notice(case, details, document)
                        for document in case_documents(details)]
        for notice in notices:
            json.dumps(dict(notice)["raw"])  # raw stays JSON-serialisable
        tron.wants_details(case)
