"""The vn_trav_warnings spider (TRAV's early-warning list, canhbaosom.trav.gov.vn) run as the
service runs it (a child process) against the replay server serving the synthetic replica in
replay/recordings/vn_trav_warnings/."""

import shutil
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse

from analysis_run import notice_input
from config import load_sectors
from crawlers.spiders.vn_trav_warnings import WarningRow, parse_warning_table
from rules.analyse import analyse
from tests.crawl_harness import Harness

SOURCE = "vn_trav_warnings"
PAGE = "/CanhBaoSom/Index"
REPLICA = (Path(__file__).resolve().parent.parent / "replay" / "recordings" / SOURCE
           / "synthetic_danh_sach_canh_bao_som.html")
SINCE = date(2026, 10, 1)  # every row but the oldest (20/09/2026)
ROWS_SINCE = 11
HTML = {"content-type": "text/html; charset=utf-8"}


def page_with_rows(rows: str) -> bytes:
    return ("<html><head><meta charset='utf-8'></head><body><table><thead><tr><th>STT</th>"
            "<th>Mặt hàng</th><th>Mã HS</th><th>Thị trường</th><th>Mức độ cảnh báo</th>"
            f"<th>Ngày cập nhật</th><th>Ghi chú</th></tr></thead><tbody>{rows}</tbody></table>"
            "</body></html>").encode()


def test_crawl_maps_each_row_and_a_recrawl_only_revalidates(h: Harness) -> None:
    assert h.crawl(SINCE).ok

    notices = h.notices()
    assert len(notices) == ROWS_SINCE, h.log()
    assert "canhbao-1019" not in notices  # updated 20/09/2026, before since
    steel = notices["canhbao-1041"]
    assert steel.title == "Cảnh báo sớm: Thép mạ kẽm, mạ nhôm kẽm – Hoa Kỳ"
    assert steel.published == date(2026, 11, 18)
    assert steel.url.endswith(f"{PAGE}#canhbao-1041")
    assert steel.market == "VN"
    assert steel.raw["hs_codes"] == ["7210.49", "7210.61", "7212.30"]
    assert steel.raw["warning_level"] == "Cao" and steel.raw["market"] == "Hoa Kỳ"
    assert "Mức độ cảnh báo: Cao" in steel.body
    assert (h.health().last_status, h.health().items_last_run) == (
        "ok", ROWS_SINCE)
    h.replay.clear_requests()

    assert h.crawl(SINCE).ok

    pages = [r for r in h.replay.requests if r.path == PAGE]
    assert [r.status for r in pages] == [304] and "If-None-Match" in pages[0].headers
    assert len(h.notices()) == ROWS_SINCE


def test_a_warning_reaches_the_analysis_with_its_facts(h: Harness) -> None:
    """A warning is not a case: what the analysis makes of it is the rule engine's call (see the
    spider report); the spider's part is that product, market, level and HS codes get there."""
    assert h.crawl(SINCE).ok
    notice = notice_input(h.notices()["canhbao-1041"])

    result = analyse(notice, load_sectors())

    assert result.id == "vn_trav_warnings:canhbao-1041"
    assert "Thép mạ kẽm" in notice["title"] and "Mã HS: 7210.49; 7210.61" in notice["text"]
    assert notice["raw"]["hs_codes"] == ["7210.49", "7210.61", "7212.30"]


BROKEN = {
    "http500": ("HTTP error", "download failed"),
    "truncate": ("parse error", "truncated page (no closing </html>)"),
    "mojibake": ("parse error", "text is mojibake"),
}


def break_with(kind: str, h: Harness) -> None:
    if kind == "mojibake":  # UTF-8 text read as windows-1252 once and saved again as UTF-8
        h.replay.clear_faults()
        text = REPLICA.read_bytes().decode("utf-8")
        h.replay.add_route(PAGE, text.encode("utf-8").decode("cp1252", errors="ignore")
                           .encode("utf-8"), headers=HTML)
        return
    if kind == "http500":
        # Scrapy's RFC 2616 cache answers a 5xx on a cached page with the cached copy; a page
        # not in the cache (first run, or an expired cache) fails.
        shutil.rmtree(h.service.settings.httpcache_dir)
    h.replay.set_fault(PAGE, kind)


def test_each_broken_answer_fails_the_source_and_loses_nothing(h: Harness) -> None:
    assert h.crawl(SINCE).ok

    for failures, (kind, (error, logged)) in enumerate(BROKEN.items(), start=1):
        log_before = len(h.log())
        break_with(kind, h)

        assert h.crawl(SINCE).ok

        row = h.health()
        assert (row.last_status, row.consecutive_failures) == ("failed", failures), kind
        assert error in (row.last_error or ""), kind
        assert logged in h.log()[log_before:], kind
        assert len(h.notices()) == ROWS_SINCE, kind


def test_changed_layout_is_a_named_parse_error(h: Harness) -> None:
    page = ("<html><head><meta charset='utf-8'></head><body><table><tr><th>Sản phẩm</th>"
            "<th>Quốc gia</th></tr><tr><td>Thép</td><td>Hoa Kỳ</td></tr></table>"
            "</body></html>").encode()
    h.replay.add_route(PAGE, page, headers=HTML)

    assert h.crawl(SINCE).ok

    assert h.health().last_status == "failed"
    assert "no early-warning table (headers Mặt hàng, Thị trường) found" in h.log()


def test_empty_table_is_a_success_with_no_items(h: Harness) -> None:
    h.replay.add_route(PAGE, page_with_rows(
        "<tr><td colspan='7'>Không có dữ liệu</td></tr>"), headers=HTML)

    assert h.crawl(SINCE).ok

    row = h.health()
    assert (row.last_status, row.items_last_run, row.consecutive_empty_runs) == ("ok", 0, 1)


def response(body: bytes, headers: dict[str, str] | None = None) -> HtmlResponse:
    return HtmlResponse(url=f"https://canhbaosom.trav.gov.vn{PAGE}", body=body,
                        headers=headers or {"Content-Type": "text/html"})


def test_utf8_table_served_as_windows_1252_reads_as_vietnamese() -> None:
    rows = parse_warning_table(response(
        REPLICA.read_bytes(), {"Content-Type": "text/html; charset=windows-1252"}))

    assert rows[0].cells["product"] == "Thép mạ kẽm, mạ nhôm kẽm"
    assert rows[0].cells["market"] == "Hoa Kỳ"


def test_row_without_id_gets_a_stable_key_and_missing_cells_are_tolerated() -> None:
    rows = parse_warning_table(response(page_with_rows(
        "<tr><td>1</td><td>Gỗ dán</td><td>4412.31; 4412.33</td><td>Hoa Kỳ</td><td>Cao</td>"
        "<td>12/11/2026</td><td></td></tr>"
        "<tr><td>2</td><td></td><td>7604.10</td><td>EU</td><td>Thấp</td><td>khong ro</td>"
        "<td></td></tr>")))

    assert rows[0].key() == "go dan|hoa ky|4412.31-4412.33"
    assert rows[0].published == date(2026, 11, 12)
    assert rows[1].key() is None and rows[1].published is None  # dropped by the pipeline


@hypothesis_settings(max_examples=200, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(
    st.binary(max_size=2000),
    st.lists(st.lists(st.text(max_size=30), max_size=8), max_size=5).map(
        lambda rows: page_with_rows("".join(
            "<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows))),
))
def test_parser_gives_rows_or_its_own_error_on_any_bytes(body: bytes) -> None:
    try:
        rows = parse_warning_table(response(body))
    except ValueError as exc:
        assert "canhbaosom.trav.gov.vn" in str(exc)
    else:
        assert all(isinstance(row, WarningRow) for row in rows)
        for row in rows:
            row.key(), row.published, row.hs_codes  # noqa: B018
