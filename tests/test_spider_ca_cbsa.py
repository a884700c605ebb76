"""The ca_cbsa spider, run as the service runs it (a child process), against the local replay
server serving the synthetic replicas of the CBSA's SIMA list pages
(replay/recordings/ca_cbsa/)."""

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse

from analysis_run import notice_input
from config import load_sectors
from crawlers.spiders.ca_cbsa import external_id, parse_investigations, parse_measures
from rules.analyse import analyse
from tests.crawl_harness import Harness

SOURCE = "ca_cbsa"
RECORDINGS = Path(__file__).resolve().parent.parent / "replay" / "recordings" / SOURCE
INVESTIGATIONS = "/sima-lmsi/i-e/menu-eng.html"
MEASURES = "/sima-lmsi/mif-mev-eng.html"
SINCE = date(2026, 10, 1)
# Dated on or after SINCE: two investigations (by their latest decision) and one measure.
FRESH = {"WT 2026 IN", "LLP 2026 IN", "REBAR 2025"}
HTML = {"content-type": "text/html; charset=utf-8"}


def page(name: str) -> str:
    return (RECORDINGS / name).read_text(encoding="utf-8")


def response(name: str, body: str | bytes | None = None) -> HtmlResponse:
    data = page(name).encode() if body is None else body
    return HtmlResponse(f"https://www.cbsa-asfc.gc.ca/sima-lmsi/{name}",
                        body=data if isinstance(data, bytes) else data.encode(), encoding="utf-8")


def test_crawl_stores_investigations_and_measures_dated_since(h: Harness) -> None:
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


def test_measures_in_force_enter_by_their_finding_date(h: Harness) -> None:
    assert h.crawl(date(2020, 1, 1)).ok

    notices = h.notices()
    measures = {key for key, n in notices.items() if n.raw["list"] == "measure"}
    assert measures == {"SW 2025", "REBAR 2025", "CC 2021", "PP 2024", "RS 1995", "STS 2019",
                        "UDS 2020", "WR 2024"}
    assert notices["UDS 2020"].published == date(2021, 7, 19)  # AE 2008 (2019) stays out
    assert len(notices) == len(measures) + 6


def test_recrawl_revalidates_and_stores_nothing_twice(h: Harness) -> None:
    assert h.crawl(SINCE).ok
    h.replay.clear_requests()

    assert h.crawl(SINCE).ok

    again = h.requests("/sima-lmsi/")
    assert len(again) == 2
    assert all(r.status == 304 and "If-None-Match" in r.headers for r in again)
    assert set(h.notices()) == FRESH
    runs = h.runs()
    assert [(run.items_new, run.items_updated) for run in runs] == [(3, 0), (0, 0)]


def test_broken_pages_fail_the_source_and_lose_nothing(h: Harness) -> None:
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


def test_unreachable_page_fails_the_source(h: Harness) -> None:
    h.replay.set_fault(INVESTIGATIONS, "http500")

    h.crawl(SINCE)

    row = h.health()
    assert row.last_status == "failed" and "HTTP error" in (row.last_error or "")
    assert "download failed" in h.log()
    assert set(h.notices()) == {"REBAR 2025"}  # the measures page still counts


def test_unknown_layout_is_a_clear_parse_error(h: Harness) -> None:
    moved = ("<!DOCTYPE html><html lang='en'><body><main><h1 id='wb-cont'>Measures in force</h1>"
             "<p>This page has moved.</p></main></body></html>")
    h.replay.add_route(MEASURES, moved.encode(), headers=HTML)

    h.crawl(SINCE)

    assert h.health().last_status == "failed"
    assert "mif-mev-eng.html: no measure table" in h.log()
    assert set(h.notices()) == FRESH - {"REBAR 2025"}  # the investigations still count


def test_parser_names_a_missing_column() -> None:
    renamed = page("synthetic_mif-mev-eng.html").replace(">Date of finding or order<", ">Date<")

    with pytest.raises(ValueError, match=r"measure table lacks columns \['finding_date'\]"):
        parse_measures(response("mif-mev-eng.html", renamed))


def test_empty_lists_are_a_success_with_no_items(h: Harness) -> None:
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


FRAGMENTS = st.sampled_from([
    "<main>", "<table>", "<caption>x</caption>", "<thead>", "<tbody>", "<tr>",
    "<th scope='col'>Product</th>", "<th scope='col'>Country</th>", "<th>Initiation date</th>",
    "<th>Date of finding or order</th>", "<td>", "</td>", "<a href='/sima-lmsi/x-eng.html'>x</a>",
    "2025-07-21", "2025-02-30", "</html>", "\x00", "Türkiye",
])


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=400),
                 st.lists(FRAGMENTS, max_size=40).map(lambda parts: "".join(parts).encode())))
def test_parsers_give_records_or_their_own_error_on_any_input(body: bytes) -> None:
    for parse in (parse_investigations, parse_measures):
        try:
            parse(response("mif-mev-eng.html", body))
        except ValueError as exc:
            assert "cbsa-asfc.gc.ca" in str(exc)
