"""The measures table of TRAV's early-warning database (canhbaosom.trav.gov.vn/GetInterventions),
read by the vn_trav_warnings spider, run as the service runs it against the replay server serving
the synthetic replicas synthetic_get_interventions_p1.html and _p2.html (20 rows, then 3)."""

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from scrapy.http import HtmlResponse

from analysis_run import notice_input
from config import load_sectors
from crawlers.tables import LayoutChanged
from crawlers.trav_measures import parse_measures_page, table_date
from replay import ReplayServer
from rules.analyse import analyse
from tests.crawl_harness import Harness, harness

SOURCE = "vn_trav_warnings"
PATH = "/GetInterventions/Index"
ALL = date(2000, 1, 1)
MEASURES = {"gta-91045", "gta-74512", "gta-95503", "gta-88320", "gta-10231", "gta-10884"}


def measures(h: Harness) -> dict[str, Any]:
    return {key: notice for key, notice in h.notices().items() if key.startswith("gta-")}


def pages_asked(h: Harness) -> list[str]:
    return [parse_qs(r.query_string)["page"][0] for r in h.replay.requests if r.path == PATH]


def test_one_notice_per_measure_with_rows_joined_across_the_pager(h: Harness) -> None:
    assert h.crawl(ALL).ok

    found = measures(h)
    assert set(found) == MEASURES, h.log()
    # The pager offers pages up to 5 (it overcounts); the short page 2 is the last one read.
    assert pages_asked(h) == ["1", "2"]
    shrimp = found["gta-10231"]  # four rows on page 1, one on page 2
    assert shrimp.title == ("United States: Frozen warmwater shrimp from Vietnam – Anti-dumping, "
                            "definitive duties imposed (2024-09-17)")
    assert shrimp.market == "VN"  # the publisher; the applying country is in raw and title
    assert shrimp.raw["market"] == "United States"
    assert shrimp.raw["affected_country"] == "Vietnam"
    assert shrimp.raw["measure_type"] == "Anti-dumping"
    assert shrimp.raw["hs_codes"] == ["0306.17", "1605.21", "1605.29"]
    assert shrimp.raw["dates"] == {"initiation": "2004-01-27", "provisional": "2004-07-16",
                                   "final": "2024-09-17"}  # the latest final of its rows
    assert shrimp.published == date(2024, 9, 17)
    assert shrimp.raw["companies"] == {"Minh Phu Seafood Corp.": ["4.38%"],
                                       "Vietnam-wide entity": ["25.76%"]}
    assert "Doanh nghiệp: Vietnam-wide entity: 25.76%" in shrimp.body
    assert shrimp.url.endswith(f"{PATH}?vJCountryID=-1&vAffCountryID=-1&vInForce=1&vTypeID=-1"
                               "&Sectors=1&vSort=7&page=1#gta-10231")
    steel = found["gta-91045"]
    assert steel.raw["market"] == "European Union"
    assert steel.raw["hs_codes"] == ["7208.25", "7208.36", "7208.38"]
    assert len(steel.raw["companies"]) == 3 and steel.published == date(2025, 10, 10)
    solar = found["gta-74512"]
    assert solar.raw["measure_type"] == "Anti-circumvention"
    assert "Doanh nghiệp: Vietnam-wide (certification required): không ghi mức thuế" in solar.body
    strapping = found["gta-88320"]
    assert strapping.raw["market"] == "Canada" and strapping.raw["product_vi"] == "Đai thép"


def test_since_keeps_measures_whose_newest_event_is_not_older(h: Harness) -> None:
    assert h.crawl(date(2023, 8, 1)).ok

    # EU steel (2025), US solar (final 18/08/2023) and US shrimp (a review's final in 2024).
    assert set(measures(h)) == {"gta-91045", "gta-74512", "gta-10231"}
    assert pages_asked(h) == ["1", "2"]


def test_the_page_cap_stops_the_pager_and_holds_back_a_measure_cut_by_it(
        replay: ReplayServer, tmp_path: Path) -> None:
    h = harness(SOURCE, replay, tmp_path / "var", measure_pages=1)

    assert h.crawl(ALL).ok

    assert pages_asked(h) == ["1"]
    # Shrimp's last rows may be on page 2: it waits for a run that reads it whole.
    assert set(measures(h)) == {"gta-91045", "gta-74512", "gta-95503", "gta-88320"}
    assert "stopped at the cap of 1 pages; more remain, GTA 10231 held back" in h.log()
    assert h.health().last_status == "ok"


def test_a_measure_reaches_the_analysis_as_a_us_case_on_vietnam(h: Harness) -> None:
    assert h.crawl(ALL).ok

    result = analyse(notice_input(measures(h)["gta-10231"]), load_sectors())

    assert result.market == "US"
    assert "VN" in result.countries, result.reasons
    # A measure in force is news of its newest step, not a new case opened.
    assert (result.stage, result.new_case) == ("order", False), result.reasons


def response(body: str) -> HtmlResponse:
    return HtmlResponse(url=f"http://canhbaosom.trav.gov.vn{PATH}?page=1",
                        body=f"<html><body>{body}</body></html>".encode(),
                        headers={"Content-Type": "text/html; charset=utf-8"})


def test_an_empty_result_is_no_rows() -> None:
    assert parse_measures_page(response(
        "<table><tbody><tr><td colspan='14'>Không có dữ liệu</td></tr></tbody></table>")) == []


@pytest.mark.parametrize("body", [
    "<ul><li>Anti-dumping United States Vietnam</li></ul>",
    "<table><tbody><tr><td>1</td><td>10231</td><td>Anti-dumping</td></tr></tbody></table>",
])
def test_a_missing_table_or_short_rows_are_a_changed_layout(body: str) -> None:
    with pytest.raises(LayoutChanged, match="canhbaosom.trav.gov.vn"):
        parse_measures_page(response(body))


def test_dates_in_trav_or_iso_form() -> None:
    assert table_date("27/01/2004") == date(2004, 1, 27)
    assert table_date("2004-01-27") == date(2004, 1, 27)
    assert table_date("") is None and table_date("2004-02-31") is None
