"""The pk_ntc spider against a synthetic replica of the NTC's notices list linking one real NTC
notice (A.D.C No. 60/2021/NTC/CRC, final determination on cold rolled coils/sheets from Chinese
Taipei, the EU, Korea and Vietnam; PCT headings 7209.1510 ... 7209.2890) and one generated scan
with no text layer, run as the service runs it: a child-process crawl of a local replay server."""

from collections.abc import Iterator
from datetime import date

import pytest
from scrapy.http import HtmlResponse, Request

from analysis_run import notice_input
from config import load_sectors
from crawlers.spiders.pk_ntc import notice_rows_of
from rules.analyse import analyse
from tests.conftest import RECORDINGS
from tests.crawl_harness import Harness, replaying

SOURCE = "pk_ntc"
LIST = "/notices/"
FINAL = "/wp-content/uploads/2022/02/ADC-60-Final-Determination-CRC.pdf"
SCANNED = "/wp-content/uploads/2025/07/ACI-01-Final-Determination-Galvanized-Coils.pdf"
CRC = "A.D.C No. 60/2021/NTC/CRC"
NOTICES = 3
UNREADABLE = ("1 PDF(s) unreadable (scanned: no text layer), stored with the list's title, date "
              "and link")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Harness, list]]:
    with replaying(SOURCE, tmp_path_factory.mktemp(SOURCE) / "var") as h:
        assert h.crawl(date(2000, 1, 1)).ok
        yield h, h.requests()


def test_each_row_is_a_notice_and_the_final_determination_is_read_from_its_pdf(crawled) -> None:
    h, requests = crawled
    assert requests[0].path == LIST and {r.path for r in requests[1:]} == {FINAL, SCANNED}
    notices = h.notices()
    assert len(notices) == NOTICES
    origin = h.replay.base_url.rstrip("/")
    final = notices[f"{CRC} 2022-02-03"]
    assert final.title.startswith("Notice of Final Determination on Dumped Imports of Cold Rolled")
    assert final.published == date(2022, 2, 3) and final.market == "PK"
    assert final.url == origin + FINAL and final.raw["case"] == CRC
    assert "The National Tariff Commission (the “Commission”) initiated" in final.body
    initiation = notices[f"{CRC} 2021-02-25"]  # no link: the list's text, the list's URL
    assert initiation.url == origin + LIST and initiation.raw["link"] is None


def test_the_final_determination_names_vietnam_the_measure_and_the_pct_headings(crawled) -> None:
    h, _ = crawled
    result = analyse(notice_input(h.notices()[f"{CRC} 2022-02-03"]), load_sectors())
    assert (result.trade_remedy, result.market, result.measures) == (True, "PK", ["AD"])
    assert result.countries == ["EU", "KR", "TW", "VN"] and result.vietnam == "subject"
    assert {"72091510", "72091610", "72092890"} <= set(result.hs_codes)
    assert result.stage == "order" and CRC in result.case_numbers


def test_a_scanned_pdf_is_stored_with_the_lists_fields_and_reported(crawled) -> None:
    h, _ = crawled
    scanned = h.notices()["A.C.I No. 01/2024/NTC/GC 2025-07-03"]
    assert scanned.title == ("Notice of Final Determination of Anti-Circumvention Investigation "
                             "on Imports of Galvanized Coils/Sheets")
    assert scanned.published == date(2025, 7, 3)
    assert scanned.url == h.replay.base_url.rstrip("/") + SCANNED
    assert scanned.raw["unreadable"] == "scanned: no text layer"
    assert "could not be read (scanned: no text layer)" in scanned.body
    row = h.health()  # the run is ok (nothing lost) but says what it could not read
    assert (row.last_status, row.health, row.items_last_run) == ("ok", "ok", NOTICES)
    assert row.health_reason == UNREADABLE and row.last_error is None
    run = h.runs()[-1]
    assert (run.status, run.error, run.parse_errors) == ("ok", UNREADABLE, 0)
    log = h.log()
    assert "unreadable PDF (scanned: no text layer), stored with the list's fields" in log
    assert f"run {run.id} ok; {UNREADABLE}" in log


def test_the_subject_column_is_found_beside_a_date_of_notice_column() -> None:
    url = "https://ntc.gov.pk" + LIST
    body = (RECORDINGS / SOURCE / "synthetic_notices.html").read_bytes()
    rows = notice_rows_of(HtmlResponse(url, body=body, request=Request(url)))
    assert [row.cells["date"] for row in rows] == [
        "July 3, 2025", "February 3, 2022", "February 25, 2021"]
    assert rows[1].link_texts["title"].startswith("Notice of Final Determination")
