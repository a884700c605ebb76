"""The public pages on a database filled by the real pipeline (real FR notices, analysed and
linked into cases): home, the case list with its filters and exports, a case, a notice, the
statistics, the feeds, both languages, escaping of scraped text, and `trews web` itself."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
from html import escape, unescape
from pathlib import Path

import feedparser
import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from storage.models import Case, CaseNumber, Notice
from tests.conftest import ROOT
from tests.web_data import HOSTILE, WebData
from web.exports import CSV_COLUMNS
from web.pages import CASES_PER_PAGE
from web.security import SECURITY_HEADERS

PAPER_BAGS_PRELIMINARY = "2023-28945"  # real FR notice: LTFV preliminary on paper bags (VN)
SHRIMP = "A-552-802"  # real order on frozen warmwater shrimp from Vietnam, six notices here
CASE_LINK = re.compile(r'href="/cases/(\d+)"')


def table_case_ids(html: str) -> list[int]:
    """The case ids of the case list's table, in order (one link per row)."""
    body = html.split('<table class="cases">', 1)[1].split("</table>", 1)[0]
    return [int(found) for found in CASE_LINK.findall(body)]


def main_part(html: str) -> str:
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


def notice_id(web: WebData, external_id: str) -> int:
    with web.service.sessions() as session:
        return session.scalars(select(Notice.id).where(Notice.external_id == external_id)).one()


def test_home_lists_the_latest_notices_on_vietnam(web: WebData, client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-language"] == "vi"
    main = main_part(page.text)
    assert "Thông báo mới nhất liên quan đến Việt Nam" in main
    shown = [int(n) for n in re.findall(r'href="/notices/(\d+)"', main)]
    with web.service.sessions() as session:
        notices = {n.id: n for n in session.scalars(select(Notice).where(Notice.id.in_(shown)))}
    assert len(shown) == 30 and set(notices) == set(shown)
    assert all(notices[i].vietnam in ("subject", "circumvention") for i in shown)
    days = [notices[i].published for i in shown]
    assert days == sorted(days, reverse=True)
    # Real FR posts of January 2026 on Vietnam, with their badge, measure and case link.
    assert "Chống bán phá giá" in main and '<span class="badge high">CAO</span>' in main
    assert CASE_LINK.search(main)
    assert "(GMT+07:00)" in main  # detection time in Vietnam's zone


def test_cases_filter_by_market_stage_and_text(web: WebData, client: TestClient) -> None:
    everything = client.get("/cases?format=json").json()
    assert {case["market"] for case in everything} == {"US"}
    assert all(case["vietnam"] != "none" for case in everything)

    preliminary = client.get("/cases?stage=preliminary&format=json").json()
    assert preliminary and {case["stage"] for case in preliminary} == {"preliminary"}
    assert len(preliminary) < len(everything)

    assert client.get("/cases?market=US&format=json").json() == everything
    eu = client.get("/cases?market=eu")
    assert eu.status_code == 200 and "Không có vụ việc nào phù hợp" in eu.text

    by_number = client.get(f"/cases?q={SHRIMP}&format=json").json()
    assert [case["numbers"] for case in by_number] == [[SHRIMP]]
    shrimp = client.get("/cases?q=Shrimp&format=json").json()
    assert by_number[0]["id"] in {case["id"] for case in shrimp}
    assert all("shrimp" in case["product"] for case in shrimp)
    by_title = client.get("/cases?q=Full Five-Year Review&format=json").json()
    assert by_title and all(case["proceeding"] == "expiry_review" for case in by_title)
    # LIKE wildcards in the reader's text are literal, not patterns.
    assert client.get("/cases?q=%25&format=json").json() == []
    assert client.get("/cases?q=_&format=json").json() == []


def test_cases_filter_by_sector_year_and_status(web: WebData, client: TestClient) -> None:
    paper = client.get("/cases?sector=paper&format=json").json()
    assert paper and all("paper" in case["sectors"] for case in paper)
    assert any(case["numbers"] == ["A-552-836"] for case in paper)
    year = client.get("/cases?year=2021&format=json").json()
    assert year and all(case["opened_on"].startswith("2021") for case in year)
    closed = client.get("/cases?status=closed&format=json").json()
    opened = client.get("/cases?status=open&format=json").json()
    assert len(closed) + len(opened) == len(client.get("/cases?format=json").json())
    assert all(case["status"] == "open" for case in opened)


def test_pagination_walks_every_case_once(client: TestClient) -> None:
    everything = [case["id"] for case in client.get("/cases?format=json").json()]
    assert len(everything) > 2 * CASES_PER_PAGE
    pages = -(-len(everything) // CASES_PER_PAGE)
    first = client.get("/cases")
    assert f"Trang 1/{pages}" in first.text and 'href="/cases?page=2"' in first.text
    walked = []
    for page in range(1, pages + 1):
        walked += table_case_ids(client.get(f"/cases?page={page}").text)
    assert walked == everything
    last = client.get(f"/cases?page={pages}").text
    assert 'rel="next"' not in last and 'rel="prev"' in last


def test_exports_hold_exactly_the_filtered_rows(client: TestClient) -> None:
    query = "stage=initiation&q=steel"
    shown = table_case_ids(client.get(f"/cases?{query}").text)
    assert 0 < len(shown) <= CASES_PER_PAGE

    exported = client.get(f"/cases?{query}&format=csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.content.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads UTF-8
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    # headers in the reader's language, one per column of the export
    assert table[0][:3] == ["Mã vụ việc trên TREWS", "Số hiệu vụ việc", "Mã thị trường"]
    assert len(table[0]) == len(CSV_COLUMNS)
    rows = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in table[1:]]
    assert [int(row["id"]) for row in rows] == shown
    assert all("khởi xướng" in row["stage_name"].lower() for row in rows)
    assert all(row["url"].endswith(f"/cases/{row['id']}") for row in rows)
    assert all(row["opened_by"] for row in rows)

    as_json = client.get(f"/cases?{query}&format=json").json()  # the JSON keeps the codes
    assert [case["id"] for case in as_json] == shown
    assert [case["product"] for case in as_json] == [row["product"] for row in rows]
    english = client.get(f"/cases?{query}&format=csv&lang=en").content.decode("utf-8-sig")
    assert "initiation" in english.lower() and "khởi xướng" not in english


def test_exports_are_not_limited_to_one_page(client: TestClient) -> None:
    rows = list(csv.DictReader(io.StringIO(
        client.get("/cases?format=csv").content.decode("utf-8-sig"))))
    assert len(rows) > CASES_PER_PAGE
    assert len(rows) == len(client.get("/cases?format=json").json())


def test_case_page_shows_its_timeline_and_next_step(web: WebData, client: TestClient) -> None:
    with web.service.sessions() as session:
        case = session.scalars(select(Case).join(CaseNumber).where(
            CaseNumber.number == SHRIMP)).one()
        titles = [session.get(Notice, event.notice_id).title  # type: ignore[union-attr]
                  for event in case.events]
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    main = main_part(page.text)
    assert SHRIMP in main and "Hoa Kỳ" in main and "Chống bán phá giá" in main
    timeline = main.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    assert len(titles) == 6  # not the 2023 institution of new investigations
    positions = [unescape(timeline).index(title) for title in titles]
    assert positions == sorted(positions)  # in the order of the case's steps
    assert timeline.count('href="https://www.federalregister.gov/') == 6
    # The statutory clock: after the continuation, the next sunset review in five years.
    assert case.next_step == "sunset_initiation"
    assert "Rà soát cuối kỳ (5 năm)" in main
    assert f"trước ngày {case.next_due:%d/%m/%Y}" in main
    assert "Tiếp tục áp dụng biện pháp" in main


def test_case_without_notices_still_shows(web: WebData, client: TestClient) -> None:
    """An imported historic case has no notice yet: its page and the list must not break."""
    with web.service.sessions.begin() as session:
        case = Case(market="US", origin="VN", measure="AD", product="synthetic lone product",
                    vietnam="subject", proceeding="investigation", stage="order")
        session.add(case)
    try:
        page = client.get(f"/cases/{case.id}?lang=en")
        assert page.status_code == 200
        assert "No notice of this case has been collected yet." in page.text
        listed = client.get("/cases?q=synthetic lone&format=json").json()
        assert [found["id"] for found in listed] == [case.id]
    finally:
        with web.service.sessions.begin() as session:
            session.delete(session.get(Case, case.id))


def test_notice_page_shows_the_analysis_and_its_reasons(web: WebData,
                                                        client: TestClient) -> None:
    found = notice_id(web, PAPER_BAGS_PRELIMINARY)
    with web.service.sessions() as session:
        analysis = session.get(Notice, found).analysis  # type: ignore[union-attr]
    assert analysis is not None and len(analysis["reasons"]) >= 5
    main = main_part(client.get(f"/notices/{found}").text)
    assert "Paper Shopping Bags" in main and "Kết luận sơ bộ" in main
    assert "A-552-836" in main and "Việt Nam là nước bị điều tra" in main
    reasons = main.split('<ul class="reasons">', 1)[1].split("</ul>", 1)[0]
    assert all(reason in unescape(reasons) for reason in analysis["reasons"])
    assert re.search(r'<a href="/cases/\d+">', main)
    assert 'href="https://www.federalregister.gov/documents/2024/01/03/2023-28945/' in main


def test_language_switch(client: TestClient) -> None:
    vietnamese = client.get("/cases?lang=vi")
    assert '<html lang="vi">' in vietnamese.text
    assert "Các vụ việc liên quan đến Việt Nam" in vietnamese.text
    assert 'href="/cases?lang=en"' in vietnamese.text
    english = client.get("/cases?lang=en&stage=final")
    assert '<html lang="en">' in english.text and "Cases concerning Vietnam" in english.text
    assert "Các vụ việc" not in english.text
    assert 'href="/cases?stage=final&amp;lang=vi"' in english.text  # filters kept
    assert english.cookies.get("lang") == "en"
    assert "Cases concerning Vietnam" in client.get("/cases").text  # the cookie remembers


def test_language_from_the_browser(web: WebData) -> None:
    fresh = web.client()
    assert '<html lang="vi">' in fresh.get("/").text
    english = fresh.get("/", headers={"Accept-Language": "en-US,en;q=0.9,vi;q=0.5"})
    assert '<html lang="en">' in english.text and "Latest notices on Vietnam" in english.text
    preferred = fresh.get("/", headers={"Accept-Language": "fr,en;q=0.4,vi;q=0.8"})
    assert '<html lang="vi">' in preferred.text


def test_hostile_title_is_escaped_everywhere(web: WebData, client: TestClient) -> None:
    escaped = escape(HOSTILE)
    pages = {
        "home": client.get("/").text,
        "notice": client.get(f"/notices/{web.hostile_id}").text,
        "case": client.get(client.get(
            "/cases?q=A-552-836&format=json").json()[0]["link"]).text,
        "feed": client.get("/feeds/sectors/paper.atom").text,
    }
    for name, text in pages.items():
        assert HOSTILE not in text, name
        assert escaped in text, name
    # Its javascript: URL is never made a link.
    assert "javascript:" not in pages["notice"] and "javascript:" not in pages["case"]
    feed = feedparser.parse(pages["feed"])
    assert any(HOSTILE in entry.title for entry in feed.entries)


def test_unknown_pages_are_404_in_both_languages(client: TestClient) -> None:
    for path in ("/cases/999999", "/notices/999999", "/notices/abc", "/cases/99999999999999",
                 "/nothing-here"):
        page = client.get(path)
        assert page.status_code == 404, path
        assert "Không tìm thấy trang" in page.text, path
    english = client.get("/cases/999999?lang=en")
    assert english.status_code == 404 and "Page not found" in english.text
    bad_filter = client.get("/cases?year=last&lang=vi")
    assert bad_filter.status_code == 400 and "Địa chỉ không hợp lệ" in bad_filter.text


def test_statistics_tables_and_chart(web: WebData, client: TestClient) -> None:
    page = client.get("/stats")
    assert page.status_code == 200
    main = main_part(page.text)
    for title in ("Số vụ việc mỗi năm theo thị trường", "Số vụ việc mỗi năm theo ngành hàng",
                  "Số vụ việc mỗi năm theo biện pháp", "Vụ việc đang diễn ra theo giai đoạn"):
        assert title in main
    everything = client.get("/cases?format=json").json()
    years = sorted({case["opened_on"][:4] for case in everything if case["opened_on"]})
    market_table = main.split('id="by-market"', 1)[1].split("</table>", 1)[0]
    assert all(f'<th scope="col" class="num">{year}</th>' in market_table for year in years)
    dated = sum(1 for case in everything if case["opened_on"])
    assert f'<td class="num">{dated}</td></tr>' in market_table  # the US row's total

    data = json.loads(unescape(re.search(
        r'<script type="application/json" id="stats-data">(.*?)</script>', page.text,
        re.S).group(1)))  # type: ignore[union-attr]
    by_stage = {table["id"]: table for table in data}["open-by-stage"]
    assert sum(by_stage["series"][0]["values"]) == sum(
        1 for case in everything if case["status"] == "open")

    scripts = re.findall(r"<script([^>]*)>", page.text)
    assert all('src="/static/' in attrs or 'type="application/json"' in attrs
               for attrs in scripts)  # no inline script
    vendored = client.get("/static/vendor/chartjs/chart.umd.min.js")
    assert vendored.status_code == 200 and "Chart.js v4" in vendored.text[:200]
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in page.text
    assert client.get("/static/stats.js").status_code == 200


def test_feeds_parse_and_hold_their_sector_or_market(web: WebData, client: TestClient) -> None:
    response = client.get("/feeds/sectors/paper.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo and feed.feed.title.startswith("TREWS")
    assert feed.entries
    ids = [int(entry.link.rsplit("/", 1)[1]) for entry in feed.entries]
    with web.service.sessions() as session:
        for notice in session.scalars(select(Notice).where(Notice.id.in_(ids))):
            assert "paper" in notice.analysis["sectors"]  # type: ignore[index]
    market = feedparser.parse(client.get("/feeds/markets/US.atom?lang=en").content)
    assert not market.bozo and len(market.entries) == 50
    assert "United States" in market.feed.title
    for path in ("/feeds/sectors/nothing.atom", "/feeds/markets/ZZ.atom",
                 "/feeds/sectors/a.b.atom"):
        assert 400 <= client.get(path).status_code < 500, path


def test_security_headers_on_every_kind_of_response(client: TestClient) -> None:
    for path in ("/", "/cases?format=csv", "/cases/999999", "/static/site.css",
                 "/feeds/sectors/paper.atom", "/api/cases", "/api/openapi.json"):
        response = client.get(path)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (path, name)
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_trews_web_serves_the_pages(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "TREWS_DATA_DIR": str(tmp_path / "var")}
    server = subprocess.Popen(
        [sys.executable, "-c", "from cli import main; main()", "web", "--host", "127.0.0.1",
         "--port", str(port)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                home = httpx.get(f"http://127.0.0.1:{port}/?lang=en", timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline
                time.sleep(0.3)
        assert home.status_code == 200 and "Latest notices on Vietnam" in home.text
        assert "server" not in home.headers
        api = httpx.get(f"http://127.0.0.1:{port}/api/cases", timeout=5).json()
        assert api["total"] == 0 and api["items"] == []
    finally:
        server.terminate()
        server.wait(timeout=30)
