"""The eu_eurlex spider, run as the service runs it (a child process), against the local replay of
two synthetic EUR-Lex RSS feeds: the Official Journal's L series (acts, rssId=222) and its C series
(information and notices, rssId=221, where notices of initiation appear)."""

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.http import Response, TextResponse

from analysis_run import notice_input
from crawlers.spiders.eu_eurlex import BRUSSELS, parse_feed, rfc822_date
from replay import ReplayServer
from rules.analyse import analyse
from tests.crawl_harness import Harness, harness

SOURCE = "eu_eurlex"
FEED = "/EN/display-feed.rss"
RECORDED = Path(__file__).resolve().parent.parent / "replay" / "recordings" / SOURCE
FEED_FILE = RECORDED / "synthetic_eurlex_oj_l.rss"  # rssId=222
C_FEED_FILE = RECORDED / "synthetic_eurlex_oj_c.rss"  # rssId=221
SINCE = date(2026, 10, 1)
# The feed's trade-defence items published since 2026-10-01 (Brussels), and the sanctions act that
# the keyword "circumvention" lets through.
SELECTED = {
    "52026XC06840", "32026R2377", "32026R2340", "52026XC06702", "32026R2298", "32026R2251",
    "52026XC06215", "32026R2210",
}
VN_INITIATION, VN_DEFINITIVE = "52026XC06840", "32026R2377"
RSS_HEADERS = {"content-type": "application/rss+xml;charset=UTF-8"}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """One crawl since SINCE, shared by the tests that only read its result or start from it."""
    with ReplayServer(lifetime_s=120).running_in_thread() as server:
        h = harness(SOURCE, server, tmp_path_factory.mktemp(SOURCE) / "var", crawl_delay_s=1.0)
        assert h.crawl(SINCE).ok, h.log()
        yield h


@pytest.fixture
def seeded(crawled: Harness, replay: ReplayServer, tmp_path: Path) -> Harness:
    """A harness on a copy of the module crawl's data folder (database, HTTP cache; no log)."""
    shutil.copytree(crawled.service.settings.data_dir, tmp_path / "var",
                    ignore=shutil.ignore_patterns("logs"))
    return harness(SOURCE, replay, tmp_path / "var")


def test_crawl_keeps_the_trade_defence_items_since_the_since_date(crawled: Harness) -> None:
    h = crawled
    # Not kept: fisheries, state aid and REACH acts (no keyword), and the 2026-09-15 notice of
    # initiation on steel wire rod (before since).
    assert set(h.notices()) == SELECTED
    notice = h.notice(VN_INITIATION)
    assert notice.title == (
        "Notice of initiation of an anti-dumping proceeding concerning imports of woven fabrics "
        "of polyester filament yarn originating in the People's Republic of China and Viet Nam")
    assert notice.url == "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=OJ:C_202606840"
    # pubDate "Wed, 18 Nov 2026 23:00:00 GMT" is the 19th in Brussels, the OJ's date.
    assert notice.published == date(2026, 11, 19)
    assert notice.market == "EU"
    assert notice.body.startswith("OJ C, C/2026/6840, 19.11.2026. CELEX number: 52026XC06840")
    assert "<p>" not in notice.body and "People's Republic" in notice.body
    assert notice.raw["pubDate"] == "Wed, 18 Nov 2026 23:00:00 GMT"
    assert notice.raw["guid"] == VN_INITIATION
    assert h.notice(VN_DEFINITIVE).published == date(2026, 11, 17)
    assert "application/rss+xml" in h.requests(FEED)[0].headers.get("Accept", "")
    row = h.health()
    assert (row.last_status, row.items_last_run, row.consecutive_failures) == ("ok", 8, 0)
    assert "rssId=222: 7 items, 5 on trade defence" in h.log()
    assert "rssId=221: 5 items, 4 on trade defence" in h.log()
    assert sorted(r.query_string for r in h.requests(FEED)) == ["rssId=221", "rssId=222"]


def test_analysis_reads_the_vietnamese_items(crawled: Harness) -> None:
    sectors = crawled.service.sectors
    for external_id in (VN_INITIATION, VN_DEFINITIVE):
        analysis = analyse(notice_input(crawled.notice(external_id)), sectors)
        assert analysis.trade_remedy, external_id
        assert (analysis.market, analysis.vietnam, analysis.measures) == ("EU", "subject", ["AD"])
    initiation = analyse(notice_input(crawled.notice(VN_INITIATION)), sectors)
    assert initiation.stage == "initiation"
    circumvention = analyse(notice_input(crawled.notice("32026R2340")), sectors)
    assert circumvention.vietnam in ("subject", "circumvention")
    assert circumvention.proceeding == "circumvention"


def test_an_earlier_since_reaches_further_back(h: Harness) -> None:
    assert h.crawl(since=date(2026, 9, 1)).ok

    assert set(h.notices()) == SELECTED | {"52026XC05391"}
    assert h.notice("52026XC05391").published == date(2026, 9, 15)


def test_recrawl_revalidates_and_stores_nothing_twice(h: Harness) -> None:
    assert h.crawl(SINCE).ok
    h.replay.clear_requests()

    assert h.crawl(SINCE).ok

    second = h.requests(FEED)
    assert [r.status for r in second] == [304, 304]
    assert all("If-None-Match" in r.headers for r in second)
    assert len(h.notices()) == len(SELECTED)
    runs = h.runs()
    assert [(run.items_new, run.items_updated) for run in runs] == [(8, 0), (0, 0)]


# A page that is not a feed: what EUR-Lex serves during maintenance (synthetic).
MAINTENANCE = (b"<!DOCTYPE html><html lang=\"en\"><head><title>EUR-Lex - maintenance</title></head>"
               b"<body><h1>EUR-Lex is temporarily unavailable</h1></body></html>")
BROKEN = {
    "truncate": (None, "malformed feed (truncated or changed?)", "parse error"),
    "http500": (None, "download failed", "HTTP error"),
    "changed": (MAINTENANCE, "not an RSS or Atom feed (no channel found)", "parse error"),
}


@pytest.mark.parametrize("fault", BROKEN)
def test_broken_feed_fails_the_source_and_loses_nothing(seeded: Harness, fault: str) -> None:
    h = seeded
    body, logged, error = BROKEN[fault]
    if body is None:
        h.replay.set_fault(FEED, fault)
    else:
        h.replay.add_route(FEED, body, headers={"content-type": "text/html;charset=UTF-8"})

    assert h.crawl(SINCE).ok

    row = h.health()
    assert row.last_status == "failed" and row.consecutive_failures == 1
    assert error in (row.last_error or "")
    assert set(h.notices()) == SELECTED
    assert logged in h.log()


def test_wrong_declared_encoding_is_read_right_and_logged(h: Harness) -> None:
    # The feed's bytes in Latin-1 while header and XML declaration say UTF-8 ("Türkiye").
    latin1 = FEED_FILE.read_text("utf-8").encode("latin-1")
    h.replay.add_route(FEED, latin1, headers=RSS_HEADERS)

    assert h.crawl(SINCE).ok

    assert "Türkiye and Viet Nam" in h.notice(VN_DEFINITIVE).title
    assert "read as windows-1252" in h.log()


def test_empty_feed_is_a_success_with_no_items(h: Harness) -> None:
    empty = (b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
             b"<title>EUR-Lex - Official Journal</title><link>https://eur-lex.europa.eu/</link>"
             b"<description>EUR-Lex RSS</description></channel></rss>")
    h.replay.add_route(FEED, empty, headers=RSS_HEADERS)

    assert h.crawl(SINCE).ok

    row = h.health()
    assert (row.last_status, row.items_last_run, row.consecutive_empty_runs) == ("ok", 0, 1)


def test_item_missing_its_link_is_skipped_with_the_reason(h: Harness) -> None:
    feed = (b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            b"<title>EUR-Lex - Official Journal</title>"
            b"<item><title>Notice of initiation of an anti-dumping proceeding concerning imports"
            b" of steel nails originating in Viet Nam</title>"
            b'<guid isPermaLink="false">52026XC07001</guid>'
            b"<pubDate>Mon, 02 Nov 2026 00:00:00 +0100</pubDate></item>"
            b"<item><title>Notice of initiation of an anti-subsidy proceeding</title>"
            b"<link>https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=OJ:C_202607002</link>"
            b'<guid isPermaLink="false">52026XC07002</guid></item></channel></rss>')
    h.replay.add_route(FEED, feed, headers=RSS_HEADERS)

    h.crawl(SINCE)

    assert set(h.notices()) == {"52026XC07002"}  # an item without a date is kept
    assert "52026XC07001 lacks url" in h.log()
    assert h.health().last_status == "failed"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400) | st.builds(
    lambda head, tail: head + tail,
    st.sampled_from([b"", b'<?xml version="1.0"?>', b'<rss version="2.0"><channel>',
                     FEED_FILE.read_bytes()[:600]]),
    st.binary(max_size=200)))
def test_feed_parsing_gives_items_or_a_clear_error_on_any_bytes(body: bytes) -> None:
    response = Response("https://eur-lex.test/EN/display-feed.rss", body=body,
                        headers={"Content-Type": "application/rss+xml"})
    try:
        items = parse_feed(response)
    except ValueError as exc:
        assert "display-feed.rss" in str(exc)
        return
    for item in items:
        rfc822_date(item["pubDate"], BRUSSELS)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60) | st.none() | st.integers())
def test_pubdate_parsing_never_crashes(value: object) -> None:
    assert rfc822_date(value, BRUSSELS) is None or isinstance(rfc822_date(value, BRUSSELS), date)


def test_the_synthetic_feed_files_parse() -> None:
    def links(path: Path) -> list[str]:
        response = TextResponse("https://eur-lex.test/EN/display-feed.rss",
                                body=path.read_bytes(), headers=RSS_HEADERS)
        return [item["link"] for item in parse_feed(response)]

    acts, notices = links(FEED_FILE), links(C_FEED_FILE)
    assert len(acts) == 7 and all("uri=OJ:L_" in link for link in acts)
    assert len(notices) == 5 and all("uri=OJ:C_" in link for link in notices)
