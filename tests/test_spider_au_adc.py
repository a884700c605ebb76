"""The au_adc spider against synthetic replicas of the ADC's current cases / EPR table (whose case
611 EPR page links a real ADC PDF) and of its notices list (whose ADN 2023/035 links the same PDF),
run as the service runs it: a child-process crawl of a local replay server."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse, Request, TextResponse

from analysis_run import notice_input
from config import load_sectors, load_sources
from crawlers.spiders.au_adc import AuAdcSpider, adn_number, notice_rows_of, published_on
from crawlers.spiders.au_adc_cases import day_of, document_rows_of, newest_document
from crawlers.tables import PageError
from rules.analyse import analyse
from tests.conftest import RECORDINGS, ROOT
from tests.crawl_harness import Harness, replaying

SOURCE = "au_adc"
LIST = "/anti-dumping-commission/anti-dumping-notices"
PDF = "/sites/default/files/adc/public-record/611_-_adn_2023-035_-_zinc_coated_galvanised_steel.pdf"
LIST_FILE = RECORDINGS / SOURCE / "synthetic_anti_dumping_notices.html"
CASES = "/anti-dumping-commission/current-cases-and-electronic-public-record-epr"
CASES_FILE = RECORDINGS / SOURCE / "synthetic_current_cases_epr.html"
EPR = {case: f"{CASES}/case-{case}-{slug}" for case, slug in (
    ("712", "steel-pallet-racking"), ("698", "precision-pipe-and-tube-steel"),
    ("703", "aluminium-extrusions-anti-circumvention"), ("690", "hollow-structural-sections"),
    ("611", "zinc-coated-galvanised-steel"))}
EPR_PDF = "/sites/default/files/adc/public-record/611_-_035_-_report_-_final_report_-_rep_611.pdf"
ALL = date(2023, 1, 1)  # reaches ADN 2023/035 and case 611, and so their PDFs
RECENT = date(2026, 1, 1)  # the 2026 notices and cases only: no PDF to read, a quick crawl
ADNS = 11
CASE_NOTICES = 5
NOTICES = ADNS + CASE_NOTICES
RACKING = "ADN 2026/118"
ZINC = "ADN 2023/035"
HTML = {"content-type": "text/html; charset=UTF-8"}
# Synthetic: the list page redesigned as a list of links, with no table.
LINKS_ONLY = (b'<!DOCTYPE html><html lang="en"><body><main><ul class="au-link-list">'
              b'<li><a href="/x.pdf">ADN 2026/120 - Wind towers exported from China</a></li>'
              b"</ul></main></body></html>")
# Synthetic: the same page with this year's table empty, as a year with no notice yet shows it.
EMPTY_TABLE = (b'<!DOCTYPE html><html lang="en"><body><table class="au-table"><thead><tr>'
               b"<th>ADN number</th><th>Title</th><th>Case</th><th>Date published</th></tr>"
               b"</thead><tbody></tbody></table></body></html>")
# Synthetic: the cases table with no current case.
EMPTY_CASES = (b'<!DOCTYPE html><html lang="en"><body><table><thead><tr><th>Commodity</th>'
               b"<th>Case number</th><th>Case type</th><th>Country</th><th>Next milestone</th>"
               b"<th>Last updated</th><th>Status</th></tr></thead><tbody></tbody></table>"
               b"</body></html>")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Harness, list, list]]:
    """Two crawls back to 2023 (so the PDFs are read twice); the requests of each."""
    with replaying(SOURCE, tmp_path_factory.mktemp(SOURCE) / "var") as h:
        assert h.crawl(ALL).ok
        first = h.requests()
        h.replay.clear_requests()
        assert h.crawl(ALL).ok
        yield h, first, h.requests()


def test_each_adn_is_a_notice_and_the_pdf_text_is_its_body(crawled) -> None:
    h, first, _ = crawled
    assert sorted(r.path for r in first) == sorted([LIST, PDF, CASES, *EPR.values(), EPR_PDF])
    accepts = {r.path: r.headers["Accept"] for r in first}
    assert accepts[LIST] == accepts[CASES] == accepts[EPR["611"]] == "text/html"
    assert accepts[PDF] == accepts[EPR_PDF] == "application/pdf"
    notices = h.notices()
    assert len(notices) == NOTICES
    origin = h.replay.base_url.rstrip("/")
    zinc = notices[ZINC]
    assert zinc.title == ("ADN 2023/035 – Zinc coated (galvanised) steel exported from China, "
                          "Korea and Taiwan – Continuation of measures")
    assert zinc.published == date(2023, 7, 25)
    assert zinc.url == origin + PDF
    assert zinc.raw["case"] == "Case 611" and zinc.raw["adn_number"] == ZINC
    assert zinc.body.startswith("ADN 2023/035 – Zinc coated")  # the list's text, then the PDF's
    assert "INQUIRY CONCERNING THE CONTINUATION OF ANTI-" in zinc.body
    racking = notices[RACKING]
    assert "Malaysia, Thailand and Vietnam" in racking.title
    assert racking.published == date(2026, 11, 19) and racking.market == "AU"
    assert racking.url.startswith(origin + "/anti-dumping-commission/anti-dumping-notices/adn-")
    register = notices["ADN 2026/113"]  # an administrative notice with no link: the list's URL
    assert register.url == origin + LIST and register.raw["link"] is None
    row = h.health()
    assert (row.last_status, row.items_last_run, row.consecutive_failures) == ("ok", NOTICES, 0)


def test_second_crawl_revalidates_list_and_pdf_and_stores_nothing_twice(crawled) -> None:
    h, _, second = crawled
    assert sorted((r.path, r.status) for r in second) == sorted(
        (path, 304) for path in [LIST, PDF, CASES, *EPR.values(), EPR_PDF])
    assert all("If-None-Match" in r.headers for r in second)
    assert [run.items_new for run in h.runs()] == [NOTICES, 0]
    assert len(h.notices()) == NOTICES


def test_vietnamese_notice_is_analysed_as_a_trade_remedy_on_vietnam(crawled) -> None:
    h, _, _ = crawled
    sectors = load_sectors()
    result = analyse(notice_input(h.notices()[RACKING]), sectors)
    assert (result.trade_remedy, result.market, result.measures) == (True, "AU", ["AD"])
    assert result.vietnam in ("subject", "circumvention")
    assert result.stage == "initiation"
    # the PDF names Vietnam only as a non-subject origin gaining market share
    assert analyse(notice_input(h.notices()[ZINC]), sectors).vietnam == "none"


def test_vietnam_is_a_subject_of_the_pallet_racking_investigation(crawled) -> None:
    h, _, _ = crawled
    assert analyse(notice_input(h.notices()[RACKING]), load_sectors()).vietnam == "subject"


def test_notices_before_since_are_skipped_and_their_pdf_not_fetched() -> None:
    spider = AuAdcSpider(since=date(2026, 10, 15))
    spider.source = load_sources(ROOT / "config" / "sources.yaml")[SOURCE]
    url = spider.base_url + LIST.lstrip("/")
    response = HtmlResponse(url, body=LIST_FILE.read_bytes(), request=Request(url))

    results = list(spider.parse(response))

    assert [n["external_id"] for n in results] == [
        "ADN 2026/118", "ADN 2026/115", "ADN 2026/113", "ADN 2026/110", "ADN 2026/106",
        "ADN 2026/101", "ADN 2026/097"]
    assert not any(isinstance(r, Request) for r in results)


def test_unreachable_pdf_fails_the_run_and_keeps_the_stored_notice(
    crawled, tmp_path: Path
) -> None:
    baseline, _, _ = crawled
    with replaying(SOURCE, tmp_path / "var", copy_of=baseline.service.settings.data_dir) as h:
        h.replay.set_fault(PDF, "http500")
        assert h.crawl(ALL).ok
        row = h.health()
        assert row.last_status == "failed" and "HTTP error" in (row.last_error or "")
        assert f"download failed: {h.replay.base_url.rstrip('/')}{PDF}" in h.log()
        notices = h.notices()
        assert len(notices) == NOTICES
        assert "INQUIRY CONCERNING THE CONTINUATION" in notices[ZINC].body  # not a poorer copy


@pytest.mark.parametrize(("fault", "route", "expected"), [
    ("http500", None, "download failed"),
    ("truncate", None, "page incomplete (no closing </html>; truncated?)"),
    (None, LINKS_ONLY, "no notices table with title and date columns (page layout changed?)"),
])
def test_broken_list_fails_the_source_and_loses_nothing(
    crawled, tmp_path: Path, fault: str | None, route: bytes | None, expected: str
) -> None:
    baseline, _, _ = crawled
    with replaying(SOURCE, tmp_path / "var", copy_of=baseline.service.settings.data_dir) as h:
        if fault:
            h.replay.set_fault(LIST, fault)
        if route:
            h.replay.add_route(LIST, route, headers=HTML)
        assert h.crawl(RECENT).ok
        row = h.health()
        assert row.last_status == "failed" and row.consecutive_failures == 1
        assert ("HTTP error" if fault == "http500" else "parse error") in (row.last_error or "")
        assert expected in h.log()
        assert len(h.notices()) == NOTICES


def test_empty_list_is_a_success_with_no_items(crawled, tmp_path: Path) -> None:
    baseline, _, _ = crawled
    with replaying(SOURCE, tmp_path / "var", copy_of=baseline.service.settings.data_dir) as h:
        h.replay.add_route(LIST, EMPTY_TABLE, headers=HTML)
        h.replay.add_route(CASES, EMPTY_CASES, headers=HTML)
        assert h.crawl(RECENT).ok
        row = h.health()
        assert (row.last_status, row.items_last_run, row.consecutive_empty_runs) == ("ok", 0, 1)
        assert len(h.notices()) == NOTICES


def test_a_windows_1252_page_declared_utf8_still_gives_its_notices() -> None:
    body = LIST_FILE.read_text(encoding="utf-8").encode("cp1252", errors="replace")
    url = "https://www.industry.gov.au" + LIST
    response = HtmlResponse(url, body=body, encoding="utf-8", request=Request(url))
    rows = notice_rows_of(response)  # the dashes become U+FFFD; numbers and dates survive
    assert len(rows) == ADNS
    assert adn_number(rows[0].cells["adn"]) == RACKING
    assert published_on(rows[0].cells["date"]) == date(2026, 11, 19)


def test_numbers_and_dates_as_the_adc_writes_them() -> None:
    assert adn_number("ADN 2023/035") == "ADN 2023/035"
    assert adn_number("", "Anti-Dumping Notice ADN No. 2024 / 7 – x") == "ADN 2024/7"
    assert adn_number("Case 611") is None
    assert published_on("25 July 2023") == date(2023, 7, 25)
    assert published_on("1 Mar 2024") == date(2024, 3, 1)
    assert published_on("31 February 2024") is None
    assert published_on("2024-03-01") is None


@settings(max_examples=100, deadline=None)
@given(body=st.one_of(
    st.binary(max_size=400),
    st.text(max_size=300).map(lambda t: f"<html><body>{t}</body></html>".encode()),
    st.lists(st.text(max_size=40), max_size=6).map(lambda cells: (
        "<html><table><thead><tr><th>Title</th><th>Date published</th></tr></thead><tbody>"
        + "".join(f"<tr><td><a href='{c}'>ADN {c}</a></td><td>{c}</td></tr>" for c in cells)
        + "</tbody></table></html>").encode()),
), html=st.booleans())
def test_parsing_arbitrary_pages_gives_notices_or_a_clear_error(body: bytes, html: bool) -> None:
    url = "https://www.industry.gov.au" + LIST
    kind = HtmlResponse if html else TextResponse
    response = kind(url, body=body, encoding="utf-8", request=Request(url))
    spider = AuAdcSpider(since=RECENT)
    spider.source = load_sources(ROOT / "config" / "sources.yaml")[SOURCE]
    try:
        rows = notice_rows_of(response)
        results = list(spider.parse(response))
    except ValueError as exc:
        assert url in str(exc)
        return
    assert len(results) <= len(rows)


def test_each_case_is_a_notice_with_its_newest_epr_document(crawled) -> None:
    h, _, _ = crawled
    notices = h.notices()
    origin = h.replay.base_url.rstrip("/")
    assert {"712", "698", "703", "690", "611"} <= set(notices)
    zinc = notices["611"]
    assert zinc.title == ("Zinc coated (galvanised) steel exported from China, Korea, Taiwan – "
                          "Continuation inquiry")
    assert zinc.published == date(2023, 7, 25) and zinc.market == "AU"
    assert zinc.url == origin + EPR["611"]
    assert zinc.raw["document"] == {
        "number": "035", "date": "25/07/2023", "link": origin + EPR_PDF,
        "title": "Final report – REP 611 – Continuation of anti-dumping measures"}
    assert zinc.body.startswith("Case 611. Zinc coated (galvanised) steel exported")
    assert "Next milestone: Completed" in zinc.body and "Status: Closed" in zinc.body
    assert "INQUIRY CONCERNING THE CONTINUATION OF ANTI-" in zinc.body  # the EPR PDF's text
    racking = notices["712"]
    assert racking.title == ("Steel pallet racking exported from Malaysia, Thailand, Vietnam – "
                            "Dumping investigation")
    assert racking.published == date(2026, 11, 19)
    assert racking.raw["document"]["title"].startswith("ADN 2026/118 – Initiation")
    assert racking.body.endswith("Latest document: 19/11/2026 ADN 2026/118 – Initiation of an "
                                 "anti-dumping investigation")
    assert "Vietnam" in notices["698"].title and "Vietnam" in notices["703"].title
    assert "Vietnam" not in notices["690"].title
    result = analyse(notice_input(racking), load_sectors())
    assert (result.trade_remedy, result.market, result.vietnam) == (True, "AU", "subject")


def cases_spider(since: date, **options: object) -> AuAdcSpider:
    spider = AuAdcSpider(since=since)
    source = load_sources(ROOT / "config" / "sources.yaml")[SOURCE]
    spider.source = source.model_copy(update={"options": {**source.options, **options}})
    return spider


def cases_response(spider: AuAdcSpider) -> HtmlResponse:
    url = spider.base_url + CASES.lstrip("/")
    return HtmlResponse(url, body=CASES_FILE.read_bytes(), request=Request(url))


def test_cases_updated_before_since_are_skipped_and_epr_pages_capped() -> None:
    spider = cases_spider(date(2026, 10, 15), max_case_pages=2)

    results = list(spider.parse_cases(cases_response(spider)))

    # 690 (1 October) and 611 (2023) are older than since; 703 is past the cap of two pages.
    followed = [r for r in results if isinstance(r, Request)]
    assert [r.cb_kwargs["notice"]["external_id"] for r in followed] == ["712", "698"]
    assert [r.url for r in followed] == [spider.base_url + EPR[case].lstrip("/")
                                         for case in ("712", "698")]
    kept = [r for r in results if not isinstance(r, Request)]
    assert [(n["external_id"], n["published"]) for n in kept] == [("703", date(2026, 10, 22))]
    assert "Next milestone: Statement of essential facts due 17/02/2027" in kept[0]["body"]


def test_an_epr_link_off_the_configured_origin_is_rebased() -> None:
    spider = cases_spider(RECENT)
    response = cases_response(spider)
    body = response.text.replace(f'href="{EPR["712"]}"', f'href="https://evil.example{EPR["712"]}"')
    results = list(spider.parse_cases(response.replace(body=body.encode("utf-8"))))
    assert results[0].url == spider.base_url + EPR["712"].lstrip("/")


def test_an_epr_page_without_its_documents_table_names_its_url() -> None:
    url = "https://www.industry.gov.au" + EPR["712"]
    response = HtmlResponse(url, body=LINKS_ONLY, request=Request(url))
    with pytest.raises(PageError, match=url):
        document_rows_of(response)


def test_the_newest_document_is_the_latest_dated_then_the_highest_numbered() -> None:
    url = "https://www.industry.gov.au" + EPR["611"]
    page = (RECORDINGS / SOURCE / "synthetic_epr_611.html").read_bytes()
    newest = newest_document(document_rows_of(HtmlResponse(url, body=page, request=Request(url))))
    assert newest is not None and newest.links == [EPR_PDF]
    url = "https://www.industry.gov.au" + EPR["712"]
    page = (RECORDINGS / SOURCE / "synthetic_epr_712.html").read_bytes()
    newest = newest_document(document_rows_of(HtmlResponse(url, body=page, request=Request(url))))
    assert newest is not None and newest.cells["number"] == "002"  # both of 19/11/2026
    assert newest_document([]) is None


def test_epr_dates_as_the_adc_writes_them() -> None:
    assert day_of("25/07/2023") == date(2023, 7, 25)
    assert day_of("Statement of essential facts due 9/3/2027") == date(2027, 3, 9)
    assert day_of("25 July 2023") == date(2023, 7, 25)
    assert day_of("31/02/2024") is None
    assert day_of("Completed") is None
