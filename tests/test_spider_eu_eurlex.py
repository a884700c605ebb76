"""The eu_eurlex spider, run as the service runs it (a child process), against the local replay of
a synthetic EUR-Lex RSS feed of Official Journal acts and notices."""

import asyncio
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.http import Response, TextResponse
from sqlalchemy import func, select

from config import Settings, load_settings
from crawlers.spiders.eu_eurlex import BRUSSELS, parse_feed, rfc822_date
from demo import replayed_sources_file
from replay import ReplayServer
from rules.analyse import analyse
from scheduler import CrawlResult, Service, crawl, notice_input
from storage.models import CrawlRun, Notice
from storage.models import Source as SourceRow

SOURCE = "eu_eurlex"
FEED = "/EN/display-feed.rss"
RECORDED = Path(__file__).resolve().parent.parent / "replay" / "recordings" / SOURCE
FEED_FILE = RECORDED / "synthetic_eurlex_trade_defence.rss"
SINCE = date(2026, 10, 1)
# The feed's trade-defence items published since 2026-10-01 (Brussels), and the sanctions act that
# the keyword "circumvention" lets through.
SELECTED = {
    "52026XC06840", "32026R2377", "32026R2340", "52026XC06702", "32026R2298", "32026R2251",
    "52026XC06215", "32026R2210",
}
VN_INITIATION, VN_DEFINITIVE = "52026XC06840", "32026R2377"
RSS_HEADERS = {"content-type": "application/rss+xml;charset=UTF-8"}


@dataclass(frozen=True)
class Seed:
    """One crawl since SINCE, shared by the tests that only read its result or start from it."""

    data_dir: Path
    service: Service
    accept: str


def run_crawl(service: Service, since: date | None = SINCE) -> CrawlResult:
    return asyncio.run(crawl(service, SOURCE, since))


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Seed:
    root = tmp_path_factory.mktemp("eu_eurlex_seed")
    settings = load_settings(data_dir=root / "var")
    with ReplayServer(lifetime_s=120).running_in_thread() as server:
        sources_file = replayed_sources_file(settings, server.base_url, root / "sources.yaml")
        service = Service.load(settings.model_copy(update={"sources_file": sources_file}))
        result = run_crawl(service)
        feed_request = next(r for r in server.requests if r.path == FEED)
    assert result.ok, crawl_log(service)
    return Seed(settings.data_dir, service, feed_request.headers.get("Accept", ""))


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    with ReplayServer(lifetime_s=300).running_in_thread() as server:
        yield server


@pytest.fixture
def service(settings: Settings, replay: ReplayServer, tmp_path: Path) -> Service:
    sources_file = replayed_sources_file(settings, replay.base_url, tmp_path / "sources.yaml")
    return Service.load(settings.model_copy(update={"sources_file": sources_file}))


@pytest.fixture
def seeded(seed: Seed, settings: Settings, replay: ReplayServer, tmp_path: Path) -> Service:
    """A service whose database already holds the seed crawl's notices (a copy of the seed's
    data folder: database files and HTTP cache, not its log)."""
    shutil.copytree(seed.data_dir, settings.data_dir, ignore=shutil.ignore_patterns("logs"))
    sources_file = replayed_sources_file(settings, replay.base_url, tmp_path / "sources.yaml")
    return Service.load(settings.model_copy(update={"sources_file": sources_file}))


def external_ids(service: Service) -> set[str]:
    with service.sessions() as session:
        return set(session.scalars(select(Notice.external_id)))


def notice_count(service: Service) -> int:
    with service.sessions() as session:
        return session.scalar(select(func.count(Notice.id))) or 0


def stored(service: Service, external_id: str) -> Notice:
    with service.sessions() as session:
        return session.scalars(select(Notice).where(Notice.external_id == external_id)).one()


def source_row(service: Service) -> SourceRow:
    with service.sessions() as session:
        row = session.get(SourceRow, SOURCE)
        assert row is not None
        return row


def crawl_log(service: Service) -> str:
    return (service.settings.data_dir / "logs" / f"{SOURCE}.log").read_text()


def feed_requests(replay: ReplayServer) -> list:
    return [r for r in replay.requests if r.path == FEED]


def test_crawl_keeps_the_trade_defence_items_since_the_since_date(seed: Seed) -> None:
    service = seed.service
    # Not kept: fisheries, state aid and REACH acts (no keyword), and the 2026-09-15 notice of
    # initiation on steel wire rod (before since).
    assert external_ids(service) == SELECTED
    notice = stored(service, VN_INITIATION)
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
    assert stored(service, VN_DEFINITIVE).published == date(2026, 11, 17)
    assert "application/rss+xml" in seed.accept
    row = source_row(service)
    assert (row.last_status, row.items_last_run, row.consecutive_failures) == ("ok", 8, 0)
    assert "12 items, 9 on trade defence" in crawl_log(service)


def test_analysis_reads_the_vietnamese_items(seed: Seed) -> None:
    sectors = seed.service.sectors
    for external_id in (VN_INITIATION, VN_DEFINITIVE):
        analysis = analyse(notice_input(stored(seed.service, external_id)), sectors)
        assert analysis.trade_remedy, external_id
        assert (analysis.market, analysis.vietnam, analysis.measures) == ("EU", "subject", ["AD"])
    initiation = analyse(notice_input(stored(seed.service, VN_INITIATION)), sectors)
    assert initiation.stage == "initiation"
    circumvention = analyse(notice_input(stored(seed.service, "32026R2340")), sectors)
    assert circumvention.vietnam in ("subject", "circumvention")
    assert circumvention.proceeding == "circumvention"


def test_an_earlier_since_reaches_further_back(service: Service) -> None:
    assert run_crawl(service, since=date(2026, 9, 1)).ok

    assert external_ids(service) == SELECTED | {"52026XC05391"}
    assert stored(service, "52026XC05391").published == date(2026, 9, 15)


def test_recrawl_revalidates_and_stores_nothing_twice(
    service: Service, replay: ReplayServer
) -> None:
    assert run_crawl(service).ok
    replay.clear_requests()

    assert run_crawl(service).ok

    second = feed_requests(replay)
    assert [r.status for r in second] == [304]
    assert "If-None-Match" in second[0].headers
    assert notice_count(service) == len(SELECTED)
    with service.sessions() as session:
        runs = list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))
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
def test_broken_feed_fails_the_source_and_loses_nothing(
    seeded: Service, replay: ReplayServer, fault: str
) -> None:
    body, logged, error = BROKEN[fault]
    if body is None:
        replay.set_fault(FEED, fault)
    else:
        replay.add_route(FEED, body, headers={"content-type": "text/html;charset=UTF-8"})

    assert run_crawl(seeded).ok

    row = source_row(seeded)
    assert row.last_status == "failed" and row.consecutive_failures == 1
    assert error in (row.last_error or "")
    assert external_ids(seeded) == SELECTED
    assert logged in crawl_log(seeded)


def test_wrong_declared_encoding_is_read_right_and_logged(
    service: Service, replay: ReplayServer
) -> None:
    # The feed's bytes in Latin-1 while header and XML declaration say UTF-8 ("Türkiye").
    latin1 = FEED_FILE.read_text("utf-8").encode("latin-1")
    replay.add_route(FEED, latin1, headers=RSS_HEADERS)

    assert run_crawl(service).ok

    assert "Türkiye and Viet Nam" in stored(service, VN_DEFINITIVE).title
    assert "read as windows-1252" in crawl_log(service)


def test_empty_feed_is_a_success_with_no_items(service: Service, replay: ReplayServer) -> None:
    empty = (b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
             b"<title>EUR-Lex - Official Journal</title><link>https://eur-lex.europa.eu/</link>"
             b"<description>EUR-Lex RSS</description></channel></rss>")
    replay.add_route(FEED, empty, headers=RSS_HEADERS)

    assert run_crawl(service).ok

    row = source_row(service)
    assert (row.last_status, row.items_last_run, row.consecutive_empty_runs) == ("ok", 0, 1)


def test_item_missing_its_link_is_skipped_with_the_reason(
    service: Service, replay: ReplayServer
) -> None:
    feed = (b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            b"<title>EUR-Lex - Official Journal</title>"
            b"<item><title>Notice of initiation of an anti-dumping proceeding concerning imports"
            b" of steel nails originating in Viet Nam</title>"
            b'<guid isPermaLink="false">52026XC07001</guid>'
            b"<pubDate>Mon, 02 Nov 2026 00:00:00 +0100</pubDate></item>"
            b"<item><title>Notice of initiation of an anti-subsidy proceeding</title>"
            b"<link>https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=OJ:C_202607002</link>"
            b'<guid isPermaLink="false">52026XC07002</guid></item></channel></rss>')
    replay.add_route(FEED, feed, headers=RSS_HEADERS)

    run_crawl(service)

    assert external_ids(service) == {"52026XC07002"}  # an item without a date is kept
    assert "52026XC07001 lacks url" in crawl_log(service)
    assert source_row(service).last_status == "failed"


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


def test_the_synthetic_feed_file_parses() -> None:
    response = TextResponse("https://eur-lex.test/EN/display-feed.rss",
                            body=FEED_FILE.read_bytes(), headers=RSS_HEADERS)
    assert len(parse_feed(response)) == 12
