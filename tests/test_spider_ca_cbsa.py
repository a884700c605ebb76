"""The ca_cbsa spider, run as the service runs it (a child process), against the local replay
server serving the synthetic replicas of the CBSA's SIMA pages (replay/recordings/ca_cbsa/):
the measures list in the real page's shape (Case, Case type; no dates) with its case pages, as
configured, and the first replica's measures table (Product, ..., Date of finding or order) at
its old path, read with `measures_path` set to it."""

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parsel import Selector
from scrapy.http import HtmlResponse

from analysis_run import notice_input
from config import load_sectors
from crawlers.cbsa_pages import (
    cell_lines,
    external_id,
    measure_phrase,
    measures_by_origin,
    parse_case_page,
    parse_investigations,
    parse_measures,
)
from replay import ReplayServer
from rules.analyse import analyse
from tests.crawl_harness import Harness, harness

SOURCE = "ca_cbsa"
RECORDINGS = Path(__file__).resolve().parent.parent / "replay" / "recordings" / SOURCE
INVESTIGATIONS = "/sima-lmsi/i-e/menu-eng.html"
MEASURES = "/sima-lmsi/mif-mev-eng.html"  # the first replica's table, at its old path
LIST = "/sima-lmsi/mif-mev/menu-eng.html"  # the real list's path (configured)
CASE_PAGES = {f"/sima-lmsi/mif-mev/{code}-eng.html"
              for code in ("ae", "crs", "cswp1", "hp", "octg4", "uds", "wp")}
SINCE = date(2026, 10, 1)
# Dated on or after SINCE: two investigations (by their latest decision) and one measure.
FRESH = {"WT 2026 IN", "LLP 2026 IN", "REBAR 2025"}
HTML = {"content-type": "text/html; charset=utf-8"}


@pytest.fixture
def old(replay: ReplayServer, tmp_path: Path) -> Harness:
    """The crawl harness reading the first replica's measures table instead of the real list."""
    return harness(SOURCE, replay, tmp_path / "var", measures_path=MEASURES.lstrip("/"))


def page(name: str) -> str:
    return (RECORDINGS / name).read_text(encoding="utf-8")


def response(name: str, body: str | bytes | None = None) -> HtmlResponse:
    data = page(name).encode() if body is None else body
    return HtmlResponse(f"https://www.cbsa-asfc.gc.ca/sima-lmsi/{name}",
                        body=data if isinstance(data, bytes) else data.encode(), encoding="utf-8")


def test_crawl_stores_investigations_and_measures_dated_since(old: Harness) -> None:
    h = old
    assert h.crawl(SINCE).ok, h.log()

    notices = h.notices()
    assert set(notices) == FRESH
    vn = notices["WT 2026 IN"]
    assert vn.title == ("Certain wind towers from China and Vietnam: "
                        "Dumping investigation — Initiation")
    assert vn.url == f"{h.replay.base_url.rstrip('/')}/sima-lmsi/i-e/wt2026/menu-eng.html"
    assert vn.published == date(2026, 11, 10)
    assert vn.market == "CA"
    assert vn.raw["initiated"] == "2026-11-10" and vn.raw["list"] == "investigation"
    assert "Country: China and Vietnam" in vn.body
    pipe = notices["LLP 2026 IN"]
    assert pipe.published == date(2026, 10, 13)  # the latest decision, not the initiation
    measure = notices["REBAR 2025"]
    assert measure.title == ("Certain concrete reinforcing bar from Bulgaria, Egypt, Malaysia, "
                             "Portugal and Vietnam: Anti-dumping duties in force "
                             "(CITT NQ-2026-001)")
    assert measure.published == date(2026, 10, 9) and measure.raw["list"] == "measure"
    assert sorted(r.path for r in h.requests("/sima-lmsi/")) == [INVESTIGATIONS, MEASURES]
    row = h.health()
    assert (row.last_status, row.items_last_run, row.consecutive_failures) == ("ok", 3, 0)

    analysis = analyse(notice_input(vn), load_sectors()).to_dict()
    assert analysis["trade_remedy"] is True
    assert (analysis["market"], analysis["vietnam"], analysis["measures"]) == (
        "CA", "subject", ["AD"])
    assert analysis["stage"] == "initiation" and analysis["sectors"] == ["steel"]


def test_measures_in_force_enter_by_their_finding_date(old: Harness) -> None:
    h = old
    assert h.crawl(date(2020, 1, 1)).ok

    notices = h.notices()
    measures = {key for key, n in notices.items() if n.raw["list"] == "measure"}
    assert measures == {"SW 2025", "REBAR 2025", "CC 2021", "PP 2024", "RS 1995", "STS 2019",
                        "UDS 2020", "WR 2024"}
    assert notices["UDS 2020"].published == date(2021, 7, 19)  # AE 2008 (2019) stays out
    assert len(notices) == len(measures) + 6


def test_recrawl_revalidates_and_stores_nothing_twice(old: Harness) -> None:
    h = old
    assert h.crawl(SINCE).ok
    h.replay.clear_requests()

    assert h.crawl(SINCE).ok

    again = h.requests("/sima-lmsi/")
    assert len(again) == 2
    assert all(r.status == 304 and "If-None-Match" in r.headers for r in again)
    assert set(h.notices()) == FRESH
    runs = h.runs()
    assert [(run.items_new, run.items_updated) for run in runs] == [(3, 0), (0, 0)]


def test_broken_pages_fail_the_source_and_lose_nothing(old: Harness) -> None:
    h = old
    assert h.crawl(SINCE).ok
    before = {key: notice.content_hash for key, notice in h.notices().items()}
    faults = [("truncate", "truncated?"), ("garbage", "no investigation table")]

    for failures, (fault, logged) in enumerate(faults, start=1):
        h.replay.set_fault(INVESTIGATIONS, fault)
        log_before = len(h.log())
        h.crawl(SINCE)

        row = h.health()
        assert (row.last_status, row.consecutive_failures) == ("failed", failures), fault
        assert "parse error" in (row.last_error or "")
        assert logged in h.log()[log_before:]
        after = {key: notice.content_hash for key, notice in h.notices().items()}
        assert after == before


def test_unreachable_page_fails_the_source(old: Harness) -> None:
    h = old
    h.replay.set_fault(INVESTIGATIONS, "http500")

    h.crawl(SINCE)

    row = h.health()
    assert row.last_status == "failed" and "HTTP error" in (row.last_error or "")
    assert "download failed" in h.log()
    assert set(h.notices()) == {"REBAR 2025"}  # the measures page still counts


def test_unknown_layout_is_a_clear_parse_error(old: Harness) -> None:
    h = old
    moved = ("<!DOCTYPE html><html lang='en'><body><main><h1 id='wb-cont'>Measures in force</h1>"
             "<p>This page has moved.</p></main></body></html>")
    h.replay.add_route(MEASURES, moved.encode(), headers=HTML)

    h.crawl(SINCE)

    assert h.health().last_status == "failed"
    assert ("mif-mev-eng.html: no measure table (with a Case or Product column)"
            in h.log())
    assert set(h.notices()) == FRESH - {"REBAR 2025"}  # the investigations still count


def test_parser_names_a_missing_column() -> None:
    renamed = page("synthetic_mif-mev-eng.html").replace(">Date of finding or order<", ">Date<")

    with pytest.raises(ValueError, match=r"measure table lacks columns \['finding_date'\]"):
        parse_measures(response("mif-mev-eng.html", renamed))


def test_empty_lists_are_a_success_with_no_items(old: Harness) -> None:
    h = old
    for path, name in ((INVESTIGATIONS, "synthetic_i-e_menu-eng.html"),
                       (MEASURES, "synthetic_mif-mev-eng.html")):
        empty = re.sub(r"(<tbody>).*?(</tbody>)", r"\1\2", page(name), flags=re.S)
        h.replay.add_route(path, empty.encode(), headers=HTML)

    assert h.crawl(SINCE).ok

    row = h.health()
    assert (row.last_status, row.items_last_run, row.consecutive_empty_runs) == ("ok", 0, 1)


def test_row_without_case_number_gets_a_key_from_its_own_fields() -> None:
    body = page("synthetic_i-e_menu-eng.html").replace("<td>RD 2026 IN</td>", "<td></td>")

    rows = parse_investigations(response("i-e/menu-eng.html", body))

    diesel = next(row for row in rows if row.get("product") == "Certain renewable diesel")
    assert external_id(diesel) == ("investigation | Certain renewable diesel | United States | "
                                   "2026-09-03")
    assert len(rows) == 6 and len(parse_measures(response("synthetic_mif-mev-eng.html"))) == 9


# The measures list in the real page's shape (as configured) and its case pages


def test_real_list_measures_are_dated_by_their_case_pages(h: Harness) -> None:
    assert h.crawl(date(2018, 12, 1)).ok, h.log()

    notices = h.notices()
    measures = {key: n for key, n in notices.items() if n.raw["list"] == "measure"}
    # seven rows; aluminum extrusions' latest CITT order (2014-03-17) is before `since`
    assert set(measures) == {p.lstrip("/") for p in CASE_PAGES} - {
        "sima-lmsi/mif-mev/ae-eng.html"}
    assert len(notices) == len(measures) + 6  # every investigation is dated after 2018-12-01
    steel = measures["sima-lmsi/mif-mev/crs-eng.html"]
    assert steel.title == ("Cold-rolled Steel from China, South Korea and Vietnam: Anti-dumping "
                           "and countervailing duties in force (CITT NQ-2018-002)")
    assert steel.published == date(2018, 12, 21)  # the CITT finding on the case page
    assert steel.url == f"{h.replay.base_url.rstrip('/')}/sima-lmsi/mif-mev/crs-eng.html"
    assert steel.raw["origins"] == {"China": ["AD", "CVD"], "South Korea": ["AD", "CVD"],
                                    "Vietnam": ["AD", "CVD"]}
    assert "Case type: Dumping & subsidy: China, South Korea, Vietnam" in steel.body
    assert "Initiation of Investigations: 2018-05-25" in steel.body
    assert "Case number: CRS 2018 IN" in steel.body
    pipe = measures["sima-lmsi/mif-mev/cswp1-eng.html"]
    assert pipe.raw["origins"]["India"] == ["AD", "CVD"]
    assert pipe.raw["origins"]["Oman"] == ["AD"]
    assert pipe.published == date(2019, 3, 28)  # the CITT order after the expiry review
    seating = measures["sima-lmsi/mif-mev/uds-eng.html"]  # the later case-page layout
    assert seating.published == date(2021, 7, 19)
    assert "Case number: UDS 2020 IN" in seating.body
    assert {r.path for r in h.requests("/sima-lmsi/mif-mev/")} == CASE_PAGES | {LIST}

    analysis = analyse(notice_input(steel), load_sectors()).to_dict()
    assert (analysis["market"], analysis["vietnam"], analysis["stage"]) == (
        "CA", "subject", "order")
    assert analysis["measures"] == ["AD", "CVD"] and analysis["sectors"] == ["steel"]
    assert "CRS 2018 IN" in analysis["case_numbers"]


def test_real_list_yields_no_measure_older_than_since(h: Harness) -> None:
    assert h.crawl(SINCE).ok, h.log()

    assert set(h.notices()) == FRESH - {"REBAR 2025"}
    assert {r.path for r in h.requests("/sima-lmsi/mif-mev/")} == CASE_PAGES | {LIST}
    h.replay.clear_requests()

    assert h.crawl(SINCE).ok
    again = h.requests("/sima-lmsi/")
    assert len(again) == 9 and all(r.status == 304 for r in again)


def test_broken_case_page_fails_the_source_and_keeps_the_others(h: Harness) -> None:
    h.replay.set_fault("/sima-lmsi/mif-mev/crs-eng.html", "garbage")

    h.crawl(date(2018, 12, 1))

    row = h.health()
    assert row.last_status == "failed" and "parse error" in (row.last_error or "")
    assert "crs-eng.html: no dated proceedings" in h.log()
    notices = h.notices()
    assert "sima-lmsi/mif-mev/crs-eng.html" not in notices
    assert "sima-lmsi/mif-mev/uds-eng.html" in notices


def test_case_links_off_the_site_are_not_followed(h: Harness) -> None:
    body = page("synthetic_mif-mev_menu-eng.html").replace(
        'href="/sima-lmsi/mif-mev/crs-eng.html"', 'href="https://example.org/crs-eng.html"')
    h.replay.add_route(LIST, body.encode(), headers=HTML)

    assert h.crawl(SINCE).ok, h.log()

    assert "/sima-lmsi/mif-mev/crs-eng.html" not in {r.path for r in h.requests()}
    steel = next(n for n in h.notices().values() if n.title.startswith("Cold-rolled Steel"))
    assert steel.published is None  # undated: no case page to date it


def test_case_type_gives_the_measure_per_origin() -> None:
    def origins(html: str) -> dict[str, tuple[str, ...]]:
        return measures_by_origin(cell_lines(Selector(text=f"<table><tr><td>{html}</td></tr>"
                                                       "</table>").css("td")[0]))

    assert origins("Dumping &amp; subsidy: China, South Korea, Vietnam") == {
        "China": ("AD", "CVD"), "South Korea": ("AD", "CVD"), "Vietnam": ("AD", "CVD")}
    assert origins("Dumping: Chinese Taipei, Germany, and Turkey") == {
        "Chinese Taipei": ("AD",), "Germany": ("AD",), "Turkey": ("AD",)}
    mixed = origins("Dumping: Chinese Taipei, India, Oman<br>\n Subsidy: India")
    assert mixed == {"Chinese Taipei": ("AD",), "India": ("AD", "CVD"), "Oman": ("AD",)}
    assert measure_phrase(mixed) == ("Anti-dumping duties (Chinese Taipei, India and Oman); "
                                     "countervailing duties (India)")
    assert origins("Dumping &amp; subsidy: China and Vietnam") == {
        "China": ("AD", "CVD"), "Vietnam": ("AD", "CVD")}
    assert origins("Dumping and subsidizing (Bosnia and Herzegovina, Vietnam)") == {
        "Bosnia and Herzegovina": ("AD", "CVD"), "Vietnam": ("AD", "CVD")}
    assert origins("Vietnam") == {"Vietnam": ()}  # no measure named: the origin still counts


def test_real_list_ignores_an_unknown_third_column() -> None:
    body = page("synthetic_mif-mev_menu-eng.html").replace(
        '<th scope="col">Case type</th>', '<th scope="col">Case type</th><th>Keywords</th>'
    ).replace("<td>Dumping: Austria</td>", "<td>Dumping: Austria</td><td>pipe, casing</td>")

    rows = parse_measures(response("mif-mev/menu-eng.html", body))

    assert len(rows) == 7
    octg = next(row for row in rows if row.origins == {"Austria": ("AD",)})
    assert octg.get("product") == "Oil country tubular goods 4 (OCTG4)"
    assert octg.get("measure") == "Anti-dumping duties" and octg.day is None
    assert external_id(octg) == "sima-lmsi/mif-mev/octg4-eng.html"


def test_case_page_without_proceedings_is_a_parse_error() -> None:
    body = re.sub(r"<table.*?</table>", "", page("synthetic_mif-mev_crs-eng.html"), flags=re.S)

    with pytest.raises(ValueError, match="no dated proceedings"):
        parse_case_page(response("mif-mev/crs-eng.html", body))


FRAGMENTS = st.sampled_from([
    "<main>", "<table>", "<caption>x</caption>", "<thead>", "<tbody>", "<tr>",
    "<th scope='col'>Product</th>", "<th scope='col'>Country</th>", "<th>Initiation date</th>",
    "<th>Date of finding or order</th>", "<td>", "</td>", "<a href='/sima-lmsi/x-eng.html'>x</a>",
    "2025-07-21", "2025-02-30", "</html>", "\x00", "Türkiye", "<th>Case</th>",
    "<th>Case type</th>", "Dumping &amp; subsidy: China, Vietnam", "<br>", "Subsidy:",
    "<th>Action</th>", "<th>Date</th>", "May 25, 2018", "<time datetime='2021-09-09'>",
])


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=400),
                 st.lists(FRAGMENTS, max_size=40).map(lambda parts: "".join(parts).encode())))
def test_parsers_give_records_or_their_own_error_on_any_input(body: bytes) -> None:
    for parse in (parse_investigations, parse_measures, parse_case_page):
        try:
            parse(response("mif-mev-eng.html", body))
        except ValueError as exc:
            assert "cbsa-asfc.gc.ca" in str(exc)
