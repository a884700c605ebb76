"""The in_dgtr spider against synthetic replicas of DGTR's case indexes and case pages (what public
monitors read on the live site), and of the dated notification lists an earlier spider assumed
(four lists, one of two pages), run as the service runs it: a child-process crawl of a local
replay server."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse, Request, TextResponse

from analysis_run import notice_input
from config import load_sectors, load_sources
from crawlers.spiders.in_dgtr import (
    CaseLink,
    InDgtrSpider,
    case_links,
    case_page,
    day_month_year,
    list_rows,
    next_page,
)
from crawlers.tables import LayoutChanged
from rules.analyse import analyse
from tests.conftest import RECORDINGS, ROOT
from tests.crawl_harness import Harness, replaying

SOURCE = "in_dgtr"
LISTS = ["/en/initiation-notifications", "/en/preliminary-findings", "/en/final-findings",
         "/en/sunset-review"]
# The dated lists are configured for their tests only (nothing attests them on the live site).
OLD_LISTS = {"case_indexes": [], "lists": [
    {"path": path.lstrip("/"), "label": label} for path, label in zip(LISTS, (
        "Initiation Notifications", "Preliminary Findings", "Final Findings", "Sunset Review"),
        strict=True)]}
INDEXES = ["/en/anti-dumping-investigation-in-india", "/en/countervailing-duty-investigation",
           "/en/safe-guard-investigation-in-india"]
CASE = "/en/anti-dumping-cases/"
AD_GLASS = "anti-dumping-investigation-concerning-imports-textured-tempered-coated-and-uncoated"
CVD_GLASS_CASE = "countervailing-duty-investigation-concerning-imports-textured-tempered-coated-and"
FRAMES = ("anti-circumvention-investigation-concerning-alleged-circumvention-anti-dumping-duty-"
          "imposed")
FOIL_CHINA = "anti-dumping-investigation-concerning-imports-aluminium-foil-originating-or-exported"
CASES = 7  # 5 on the anti-dumping index, 1 countervailing, 1 safeguard
PAGES = RECORDINGS / SOURCE
SINCE = date(2026, 1, 1)
ROWS = 45  # 10 + 5 initiation rows, 10 in each other list
HTML = {"content-type": "text/html; charset=UTF-8"}
ALUMINIUM = "/sites/default/files/2026-11/Initiation_Notification_Aluminium_Foil.pdf"
CVD_GLASS = "/sites/default/files/2026-10/INI_CVD_Textured_Tempered_Glass_Vietnam.pdf"
YARN = "/sites/default/files/2026-11/Initiation_Notification_Elastomeric_Filament_Yarn.pdf"
# Synthetic: a Drupal list page whose view shows its "no results" text instead of a table.
EMPTY_LIST = (b'<!DOCTYPE html><html lang="en"><body><h1 class="page-title">Final Findings</h1>'
              b'<div class="view view-notifications"><div class="view-empty">No records found.'
              b"</div></div></body></html>")
# Synthetic: the same list redesigned as cards, with no table at all.
CARDS = (b'<!DOCTYPE html><html lang="en"><body><div class="view-content"><div class="card">'
         b"<h3>Anti-dumping investigation concerning imports of 'Glass Wool'</h3><p>09-09-2026"
         b"</p></div></div></body></html>")


# Synthetic: an index redesigned so that its cases link /en/case/<slug>, with dates in the text.
NO_CASE_LINKS = (
    b'<!DOCTYPE html><html lang="en"><body><main><h1>Anti-Dumping Investigations</h1><ul><li>'
    b'<a href="/en/case/glass-wool-china">Anti-dumping investigation concerning imports of '
    b"'Glass Wool' originating in or exported from China PR and Vietnam</a> 09/09/2026</li><li>"
    b'<a href="/en/case/nylon-filament-yarn">Anti-dumping investigation concerning imports of '
    b"'Nylon Filament Yarn' from Vietnam</a> 26/06/2026</li></ul></main></body></html>")


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Harness, list, list]]:
    """Two crawls of the three case indexes and their case pages; the requests of each."""
    with replaying(SOURCE, tmp_path_factory.mktemp(SOURCE) / "var") as h:
        assert h.crawl(SINCE).ok
        first = h.requests()
        h.replay.clear_requests()
        assert h.crawl(SINCE).ok
        yield h, first, h.requests()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Harness, list, list]]:
    """Two crawls of the four dated lists; the requests of each."""
    with replaying(SOURCE, tmp_path_factory.mktemp(SOURCE) / "var", **OLD_LISTS) as h:
        assert h.crawl(SINCE).ok
        first = h.requests()
        h.replay.clear_requests()
        assert h.crawl(SINCE).ok
        yield h, first, h.requests()


def spider(since: date | None, **options: object) -> InDgtrSpider:
    instance = InDgtrSpider(since=since)
    source = load_sources(ROOT / "config" / "sources.yaml")[SOURCE]
    instance.source = source.model_copy(update={"options": {**source.options, **options}})
    return instance


def page(name: str, url: str = "https://www.dgtr.gov.in/en/initiation-notifications"
         ) -> HtmlResponse:
    return HtmlResponse(url, body=(PAGES / name).read_bytes(), request=Request(url))


def case_response(name: str, slug: str) -> HtmlResponse:
    url = f"https://www.dgtr.gov.in{CASE}{slug}"
    return HtmlResponse(url, body=(PAGES / name).read_bytes(), request=Request(url))


def test_each_case_of_the_indexes_is_one_notice_dated_by_its_latest_event(cases) -> None:
    h, first, _ = cases
    asked = [r.path_qs for r in first]
    assert sorted(path for path in asked if not path.startswith(CASE)) == sorted(INDEXES)
    assert len(asked) == len(INDEXES) + CASES
    assert all(r.headers.get("Accept") == "text/html" for r in first)
    notices = h.notices()
    assert len(notices) == CASES  # one per slug, whatever the index
    glass = notices[AD_GLASS]
    assert glass.title == ("Anti-dumping investigation concerning imports of 'Textured Tempered "
                           "Coated and Uncoated Glass' originating in or exported from China PR "
                           "and Vietnam")
    assert glass.published == date(2026, 11, 18)  # its Final Findings, not its initiation
    origin = h.replay.base_url.rstrip("/")
    # the newest event's PDF (absolute on dgtr.gov.in) rebased onto the configured origin
    assert glass.url == origin + "/sites/default/files/2026-11/FF_Textured_Tempered_Glass.pdf"
    assert glass.raw["latest_event"] == "Final Findings"
    assert glass.raw["case_page"] == origin + CASE + AD_GLASS
    assert glass.body.startswith("Anti-Dumping Investigations. Latest event: Final Findings, "
                                 "18/11/2026. Earlier events: Preliminary Findings, 22/01/2026")
    assert sum("Vietnam" in n.title for n in notices.values()) == 5
    assert notices[CVD_GLASS_CASE].raw["index"] == "Countervailing Duty Investigations"
    # the index links this case absolutely on www.dgtr.gov.in: asked of the configured origin
    assert CASE + FRAMES in asked
    row = h.health()
    assert (row.last_status, row.items_last_run, row.consecutive_failures) == ("ok", CASES, 0)


def test_a_second_crawl_of_the_cases_is_all_304s(cases) -> None:
    h, _, second = cases
    assert len(second) == 3 + CASES
    assert all(r.status == 304 and "If-None-Match" in r.headers for r in second)
    assert [run.items_new for run in h.runs()] == [CASES, 0]


def test_cases_are_analysed_at_their_latest_step(cases) -> None:
    h, _, _ = cases
    notices = h.notices()
    cvd = analyse(notice_input(notices[CVD_GLASS_CASE]), load_sectors())
    assert (cvd.trade_remedy, cvd.market, cvd.measures) == (True, "IN", ["CVD"])
    assert (cvd.vietnam, cvd.stage) == ("subject", "initiation")
    ad = analyse(notice_input(notices[AD_GLASS]), load_sectors())
    assert (ad.measures, ad.vietnam, ad.stage) == (["AD"], "subject", "final")


def test_a_case_whose_latest_date_is_before_since_is_not_yielded() -> None:
    link = CaseLink(FOIL_CHINA, "Aluminium Foil from China PR", CASE + FOIL_CHINA)
    page = case_response("synthetic_case_ad_aluminium_foil_china.html", FOIL_CHINA)
    label = "Anti-Dumping Investigations"
    assert list(spider(date(2026, 9, 1)).parse_case(page, link=link, label=label)) == []
    [notice] = spider(date(2026, 8, 12)).parse_case(page, link=link, label=label)
    assert notice["published"] == date(2026, 8, 12) and notice["external_id"] == FOIL_CHINA


def test_case_pages_are_capped_per_run_and_asked_once() -> None:
    capped = spider(SINCE, max_case_pages=2)
    ad = page("synthetic_case_index_ad.html", "https://www.dgtr.gov.in" + INDEXES[0])
    cvd = page("synthetic_case_index_cvd.html", "https://www.dgtr.gov.in" + INDEXES[1])
    assert len(list(capped.parse_index(ad, label="AD"))) == 2
    assert list(capped.parse_index(cvd, label="CVD")) == []  # the run's budget is spent
    again = spider(SINCE)
    assert len(list(again.parse_index(ad, label="AD"))) == 5
    assert list(again.parse_index(ad, label="AD")) == []  # a case is asked for once a run


def test_case_pages_are_followed_on_the_configured_origin_only() -> None:
    url = "https://www.dgtr.gov.in" + INDEXES[2]
    body = (b'<html><body><a href="https://evil.example/en/anti-dumping-cases/steel">Safeguard '
            b"investigation concerning imports of 'Steel'</a></body></html>")
    [request] = spider(SINCE).parse_index(HtmlResponse(url, body=body, request=Request(url)),
                                          label="SG")
    assert request.url == "https://www.dgtr.gov.in/en/anti-dumping-cases/steel"


def test_a_case_page_without_dated_events_is_dated_by_its_last_update() -> None:
    url = "https://www.dgtr.gov.in/en/anti-dumping-cases/new-case"
    body = (b"<html><body><table><thead><tr><th>S.No</th><th>Event</th><th>Date</th></tr></thead>"
            b"<tbody></tbody></table><p>Last Updated: 02 Sep 2026</p></body></html>")
    case = case_page(HtmlResponse(url, body=body, request=Request(url)))
    assert (case.events, case.latest, case.day) == ([], None, date(2026, 9, 2))


def test_an_index_without_case_links_is_read_in_degraded_mode(cases, tmp_path: Path) -> None:
    baseline, _, _ = cases
    url = "https://www.dgtr.gov.in" + INDEXES[0]
    with pytest.raises(LayoutChanged, match="no case links"):
        case_links(HtmlResponse(url, body=NO_CASE_LINKS, request=Request(url)))
    with replaying(SOURCE, tmp_path / "var", copy_of=baseline.service.settings.data_dir) as h:
        h.replay.add_route(INDEXES[0], NO_CASE_LINKS, headers=HTML)
        assert h.crawl(SINCE).ok
        row = h.health()
        assert (row.health, row.last_status) == ("degraded", "degraded")
        degraded = [n for n in h.notices().values() if n.raw.get("degraded")]
        assert degraded and all(n.published for n in degraded)
        assert any("Glass Wool" in n.title for n in degraded)
        assert len(h.notices()) == CASES + len(degraded)  # the other indexes read as before


def test_every_list_and_page_is_crawled_and_each_row_mapped(crawled) -> None:
    h, first, _ = crawled
    asked = [r.path_qs for r in first]
    assert sorted(asked) == sorted([*LISTS, "/en/initiation-notifications?page=1"])
    assert all(r.headers.get("Accept") == "text/html" for r in first)
    notices = h.notices()
    assert len(notices) == ROWS
    foil = notices[ALUMINIUM]
    assert foil.title == ("Anti-dumping investigation concerning imports of 'Aluminium Foil' "
                          "originating in or exported from China PR, Thailand and Vietnam")
    assert foil.published == date(2026, 11, 7)
    assert foil.market == "IN"
    origin = h.replay.base_url.rstrip("/")
    assert foil.url == origin + ALUMINIUM
    assert foil.raw["list"] == "Initiation Notifications"
    assert foil.raw["file_number"] == "6/39/2026-DGTR"
    assert foil.body.startswith("Initiation Notifications. Anti-dumping investigation")
    # an absolute link to www.dgtr.gov.in is rebased onto the configured (here: replay) origin
    assert notices[YARN].url == origin + YARN
    assert notices[YARN].raw["document"] == "https://www.dgtr.gov.in" + YARN
    # DD/MM/YYYY too, and rows of the second page
    assert notices["/sites/default/files/2026-06/Initiation_Notification_Nylon_Filament_Yarn.pdf"
                   ].published == date(2026, 6, 26)
    assert sum("Vietnam" in n.title for n in notices.values()) == 14
    row = h.health()
    assert (row.last_status, row.items_last_run, row.consecutive_failures) == ("ok", ROWS, 0)


def test_second_crawl_revalidates_and_stores_nothing_twice(crawled) -> None:
    h, _, second = crawled
    assert len(second) == 5
    assert all(r.status == 304 and "If-None-Match" in r.headers for r in second)
    assert [run.items_new for run in h.runs()] == [ROWS, 0]
    assert len(h.notices()) == ROWS


def test_vietnamese_initiation_is_analysed_as_a_trade_remedy_on_vietnam(crawled) -> None:
    h, _, _ = crawled
    result = analyse(notice_input(h.notices()[CVD_GLASS]), load_sectors())
    assert (result.trade_remedy, result.market, result.measures) == (True, "IN", ["CVD"])
    assert result.vietnam == "subject"
    assert result.stage == "initiation"


def test_vietnam_named_after_china_pr_is_a_subject(crawled) -> None:
    h, _, _ = crawled
    result = analyse(notice_input(h.notices()[YARN]), load_sectors())
    assert result.trade_remedy and result.measures == ["AD"] and result.vietnam == "subject"


def test_rows_before_since_are_skipped_and_paging_stops_there() -> None:
    results = list(spider(date(2026, 9, 1)).parse(
        page("synthetic_initiation_notifications.html"), label="Initiation Notifications",
        page=1))
    dates = [n["published"] for n in results]
    assert dates[0] == date(2026, 11, 14) and min(dates) == date(2026, 9, 5)
    assert len(dates) == 9  # the 26-08-2026 row is older; the next page is not asked for


def test_next_page_is_followed_while_rows_are_new() -> None:
    results = list(spider(date(2026, 1, 1)).parse(
        page("synthetic_initiation_notifications.html"), label="Initiation Notifications",
        page=1))
    follow = [r for r in results if isinstance(r, Request)]
    assert [r.url for r in follow] == ["https://www.dgtr.gov.in/en/initiation-notifications?page=1"]
    assert next_page(page("synthetic_initiation_notifications_page2.html")) is None


def test_http_error_fails_the_source_and_loses_nothing(crawled, tmp_path: Path) -> None:
    baseline, _, _ = crawled
    with replaying(SOURCE, tmp_path / "var", copy_of=baseline.service.settings.data_dir,
                   **OLD_LISTS) as h:
        h.replay.set_fault("/en/final-findings", "http500")
        assert h.crawl(SINCE).ok
        row = h.health()
        assert row.last_status == "failed" and row.consecutive_failures == 1
        assert "HTTP error" in (row.last_error or "")
        assert "download failed" in h.log() and "/en/final-findings" in h.log()
        assert len(h.notices()) == ROWS


def test_broken_pages_are_each_a_clear_parse_error_and_lose_nothing(
    crawled, tmp_path: Path
) -> None:
    """Three lists broken three ways in one run: each page's error names it and what is wrong;
    the list redesigned as cards is read in degraded mode (crawlers/fallback.py), the cut and
    the garbled ones fail the run."""
    baseline, _, _ = crawled
    with replaying(SOURCE, tmp_path / "var", copy_of=baseline.service.settings.data_dir,
                   **OLD_LISTS) as h:
        h.replay.set_fault("/en/final-findings", "truncate")
        h.replay.set_fault("/en/sunset-review", "garbage")  # binary bytes declared as JSON
        h.replay.add_route("/en/preliminary-findings", CARDS, headers=HTML)
        assert h.crawl(SINCE).ok
        row = h.health()
        assert row.last_status == "failed" and row.consecutive_failures == 1
        assert "parse error" in (row.last_error or "")
        log = h.log()
        assert "/en/final-findings: page incomplete (no closing </html>; truncated?)" in log
        assert "/en/sunset-review: no table with subject and date columns" in log
        assert ("/en/preliminary-findings: no table with subject and date columns "
                "(page layout changed?)") in log
        assert row.health == "failing"  # a lost page outweighs a degraded one
        notices = h.notices()
        degraded = [n for n in notices.values() if n.raw.get("degraded")]
        assert len(notices) == ROWS + 1 and len(degraded) == 1
        assert "Glass Wool" in degraded[0].title and str(degraded[0].published) == "2026-09-09"


def test_empty_lists_are_a_success_with_no_items(crawled, tmp_path: Path) -> None:
    baseline, _, _ = crawled
    with replaying(SOURCE, tmp_path / "var", copy_of=baseline.service.settings.data_dir,
                   **OLD_LISTS) as h:
        for path in LISTS:
            h.replay.add_route(path, EMPTY_LIST, headers=HTML)
        assert h.crawl(SINCE).ok
        row = h.health()
        assert (row.last_status, row.items_last_run, row.consecutive_empty_runs) == ("ok", 0, 1)
        assert len(h.notices()) == ROWS


def test_dates_in_both_dgtr_formats() -> None:
    assert day_month_year("29-09-2023") == date(2023, 9, 29)
    assert day_month_year(" 29/09/2023 ") == date(2023, 9, 29)
    assert day_month_year("31-02-2023") is None
    assert day_month_year("") is None


@settings(max_examples=100, deadline=None)
@given(body=st.one_of(
    st.binary(max_size=400),
    st.text(max_size=300).map(lambda t: f"<html><body>{t}</body></html>".encode()),
    st.lists(st.text(max_size=40), max_size=6).map(lambda cells: (
        "<html><table><thead><tr><th>S.No</th><th>Subject</th><th>Date</th></tr></thead><tbody>"
        + "".join(f"<tr><td>{c}</td><td><a href='{c}'>{c}</a></td></tr>" for c in cells)
        + "</tbody></table></html>").encode()),
), html=st.booleans())
def test_parsing_arbitrary_pages_gives_rows_or_a_clear_error(body: bytes, html: bool) -> None:
    url = "https://www.dgtr.gov.in/en/final-findings"
    kind = HtmlResponse if html else TextResponse
    response = kind(url, body=body, encoding="utf-8", request=Request(url))
    try:
        rows = list_rows(response)
        results = list(spider(SINCE).parse(response, label="Final Findings", page=1))
    except ValueError as exc:
        assert url in str(exc)
        return
    assert len(results) <= len(rows) + 1  # the rows, and perhaps the next page
