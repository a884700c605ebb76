"""The wto_news spider, run as the service runs it (a child process), against a synthetic replica
of the WTO news RSS feed and the real WTO home-page news data of May 2013."""

import os
import re
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from scrapy.http import TextResponse, XmlResponse

from analysis_run import notice_input
from crawlers.spiders.wto_news import feed_records, news_js_records, read_js_literal
from replay import ReplayServer
from rules.analyse import analyse
from tests.crawl_harness import Harness, harness

SOURCE = "wto_news"
FEED = "/library/rss/latest_news_e.xml"
NEWS_JS = "/library/news/current_news_e.js"
RECORDINGS = Path(__file__).resolve().parent.parent / "replay" / "recordings" / "wto_news"
SYNTHETIC_FEED = (RECORDINGS / "synthetic_latest_news_e.xml").read_bytes()
NEWS_PAGES = "https://www.wto.org/english/news_e/news25_e/"
VIET_NAM = NEWS_PAGES + "dsb_31oct25_e.htm"
# The feed's items with a dispute or trade-remedy word; the trade forecast, the Director-General's
# speech, the trade policy review and the Aid for Trade item have none.
KEPT = {VIET_NAM, NEWS_PAGES + "anti_28oct25_e.htm", NEWS_PAGES + "safe_23oct25_e.htm",
        NEWS_PAGES + "scm_15oct25_e.htm", NEWS_PAGES + "620r_e.htm",
        NEWS_PAGES + "fish_15sep25_e.htm"}
SINCE = date(2025, 1, 1)
XML = {"content-type": "text/xml; charset=utf-8"}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """One crawl of the feed and of the real 2013 news data, shared by read-only tests."""
    folder = tmp_path_factory.mktemp("crawled")
    with pytest.MonkeyPatch.context() as patch, \
            ReplayServer(lifetime_s=300).running_in_thread() as server:
        for name in [n for n in os.environ if n.startswith("TREWS_")]:
            patch.delenv(name)
        h = harness(SOURCE, server, folder / "var", crawl_delay_s=1.0,
                    news_js="library/news/current_news_e.js")
        assert h.crawl(date(2013, 1, 1)).ok, h.log()
        yield h


def test_feed_items_on_disputes_and_remedies_are_stored(crawled: Harness) -> None:
    h = crawled
    notices = h.notices()

    assert {key for key in notices if key.startswith("https://")} == KEPT
    vietnam = notices[VIET_NAM]
    assert vietnam.title == ("Panel established to review US anti-dumping duties on frozen fish "
                             "fillets from Viet Nam")
    assert vietnam.url == VIET_NAM
    assert vietnam.published == date(2025, 10, 31)
    assert vietnam.body.startswith("At a meeting of the Dispute Settlement Body (DSB)")
    assert vietnam.market == "WTO"
    assert vietnam.raw["pubDate"] == "Fri, 31 Oct 2025 17:00:00 +0100"
    assert vietnam.raw["guid"] == VIET_NAM
    # 22:30 GMT on 14 October is already 15 October in Geneva.
    assert notices[NEWS_PAGES + "scm_15oct25_e.htm"].published == date(2025, 10, 15)
    assert "Accept" in h.requests("/library/")[0].headers
    assert "rss+xml" in h.requests("/library/")[0].headers["Accept"]


def test_real_2013_news_data_gives_the_dispute_items(crawled: Harness) -> None:
    h = crawled
    notices = h.notices()

    # The four DISP/AB items of the 16 in the file (the others: TPRs, DG selection, speeches...).
    assert {key for key in notices if key.startswith("news_item/")} == {
        "news_item/2135", "news_item/2130", "news_item/2128", "news_item/2127"}
    steel = notices["news_item/2127"]
    assert steel.title == ("WTO Arbitrator determines \u201creasonable period of time\u201d in "
                           "electrical steel dispute")
    assert steel.published == date(2013, 5, 3)
    # The record's first link, a site path, on the configured origin (here the replay server).
    assert steel.url == h.service.sources[SOURCE].url.unicode_string().rstrip("/") + (
        "/english/news_e/news13_e/414arb2_e.htm")
    assert steel.raw["ni_subject"] == "AB#DISP" and steel.raw["ni_cases"] == "414"
    assert steel.raw["news_item"] == 2127
    cuba = notices["news_item/2128"]
    assert cuba.title == "Cuba files dispute against Australia on tobacco plain packaging"
    row = h.health()
    assert (row.last_status, row.items_last_run) == ("ok", len(KEPT) + 4)


def test_the_vietnamese_item_is_analysed_as_a_us_anti_dumping_case_on_vietnam(
    crawled: Harness,
) -> None:
    h = crawled

    analysis = analyse(notice_input(h.notices()[VIET_NAM]), h.service.sectors)

    assert analysis.trade_remedy
    assert (analysis.market, analysis.vietnam, analysis.measures) == ("US", "subject", ["AD"])


def test_subjects_option_names_real_wto_subject_codes() -> None:
    """The configured codes are in the WTO's own subject table (news_vars_e.js, 2013)."""
    table = (RECORDINGS / "wto_news_vars_e_subject_codes_2013.js").read_text(encoding="cp1252")
    starts = re.finditer(r"^\s*subject\[subject\.length\]\s*=", table, re.MULTILINE)
    subjects = {entry["code"]: entry["title"] for entry in (
        read_js_literal(table, start.end()) for start in starts)}
    configured = yaml.safe_load(Path("config/sources.yaml").read_text(encoding="utf-8"))
    codes = configured["sources"][SOURCE]["options"]["subjects"]

    assert {code: subjects[code] for code in codes} == {
        "ANTI": "anti-dumping", "SAFE": "safeguard measures",
        "SCM": "subsidies and countervailing measures", "DISP": "dispute settlement",
        "AB": "Appellate Body"}


def test_since_skips_older_items_and_a_recrawl_revalidates(h: Harness) -> None:
    assert h.crawl(date(2025, 10, 20)).ok
    assert set(h.notices()) == {VIET_NAM, NEWS_PAGES + "anti_28oct25_e.htm",
                                    NEWS_PAGES + "safe_23oct25_e.htm"}
    h.replay.clear_requests()

    assert h.crawl(date(2025, 10, 20)).ok

    again = h.requests("/library/")
    assert [(r.path, r.status) for r in again] == [(FEED, 304)]
    assert "If-None-Match" in again[0].headers
    runs = h.runs()
    assert [run.items_new for run in runs] == [3, 0]
    assert len(h.notices()) == 3


def test_broken_feeds_fail_the_source_and_lose_nothing(h: Harness) -> None:
    assert h.crawl(SINCE).ok
    for failures, (fault, logged) in enumerate([
        ("truncate", "feed is not well-formed XML"), ("http500", "download failed"),
    ], start=1):
        if fault == "http500":
            # With a cached copy, Scrapy's RFC 2616 policy answers a 5xx with that copy (stale
            # on error); a feed never fetched before has none.
            shutil.rmtree(h.service.settings.httpcache_dir)
        h.replay.set_fault(FEED, fault)

        assert h.crawl(SINCE).ok
        h.replay.clear_faults()

        row = h.health()
        assert (row.last_status, row.consecutive_failures) == ("failed", failures), fault
        assert ("HTTP error" if fault == "http500" else "parse error") in (row.last_error or "")
        assert logged in h.log()
        assert len(h.notices()) == len(KEPT)

    # Synthetic: the news listing page as HTML where the feed was (the site's layout changed).
    h.replay.add_route(FEED, b"<!DOCTYPE html><html><body><h1>WTO | News</h1></body></html>",
                       headers={"content-type": "text/html; charset=utf-8"})
    assert h.crawl(SINCE).ok
    assert h.health().last_status == "failed"
    assert f"{FEED}: not an RSS or Atom feed" in h.log()
    assert len(h.notices()) == len(KEPT)


def test_empty_feed_is_a_success_with_no_items(h: Harness) -> None:
    # The synthetic feed's channel with its items cut off: a feed with no news yet.
    channel_end = SYNTHETIC_FEED.index(b"\n    <item>")
    empty = SYNTHETIC_FEED[:channel_end] + b"\n  </channel>\n</rss>\n"
    h.replay.add_route(FEED, empty, headers=XML)

    assert h.crawl(SINCE).ok

    row = h.health()
    assert (row.last_status, row.items_last_run, row.consecutive_empty_runs) == ("ok", 0, 1)


def test_feed_in_another_encoding_than_declared_is_read_with_a_warning(h: Harness) -> None:
    # The synthetic feed, still declaring utf-8, saved in windows-1252 with a non-ASCII name.
    text = SYNTHETIC_FEED.decode("utf-8").replace(
        "agreed to Viet Nam's", "agreed to C\u00f4te d\u2019Ivoire's and Viet Nam's")
    h.replay.add_route(FEED, text.encode("cp1252"), headers=XML)

    assert h.crawl(SINCE).ok

    assert "declared as utf-8, but parsed as windows-1252" in h.log()
    assert "C\u00f4te d\u2019Ivoire" in h.notices()[VIET_NAM].body
    assert h.health().last_status == "ok"


def test_unreadable_news_data_fails_the_source(tmp_path: Path, replay: ReplayServer) -> None:
    h = harness(SOURCE, replay, tmp_path / "var", news_js="library/news/current_news_e.js")
    # Synthetic: the news data with its first record cut short (a broken edit on the site).
    replay.add_route(NEWS_JS, b'news_item[9001] = {\n ni_date:"2025.10.31_17:00:00",\n ni_head:"Pa',
                     headers={"content-type": "application/x-javascript"})

    assert h.crawl(SINCE).ok

    assert h.health().last_status == "failed"
    assert f"{NEWS_JS}: news_item[9001]: unterminated string" in h.log()
    assert len(h.notices()) == len(KEPT)  # the feed's items are stored all the same


RESPONSES = hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RESPONSES
@given(st.binary(max_size=400))
def test_feed_parsing_never_crashes_on_arbitrary_bytes(body: bytes) -> None:
    try:
        feed_records(XmlResponse("https://www.wto.org/f.xml", body=body, headers=XML))
    except ValueError as exc:
        assert "f.xml" in str(exc)


@RESPONSES
@given(st.binary(max_size=300))
def test_feed_parsing_never_crashes_inside_a_channel(junk: bytes) -> None:
    body = (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><item>' + junk
            + b"</item></channel></rss>")
    try:
        feed_records(XmlResponse("https://www.wto.org/f.xml", body=body, headers=XML))
    except ValueError as exc:
        assert "f.xml" in str(exc)


JS_PIECES = st.lists(st.sampled_from(
    ['news_item[1] = ', '{', '}', '[', ']', ':', ',', '"', "'", '\\', 'ni_head', '"x"', '12',
     '1.5e3', 'true', 'null', ' ', '\n', '//c\n', '/*', '*/', ';', '\\u12', 'NaN', '-']),
    max_size=40)


@RESPONSES
@given(st.one_of(st.binary(max_size=300), JS_PIECES.map(lambda p: "".join(p).encode())))
def test_news_data_parsing_never_crashes_on_arbitrary_input(body: bytes) -> None:
    response = TextResponse("https://www.wto.org/n.js", body=body,
                            headers={"content-type": "application/x-javascript"})
    try:
        records = news_js_records(response)
    except ValueError as exc:
        assert "n.js" in str(exc)
        return
    assert all(isinstance(record, dict) for record in records)
