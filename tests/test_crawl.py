"""The us_fr_documents spider, run as the service runs it (a child process), against a real local
HTTP server replaying recorded Federal Register API responses."""

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from cli import main
from config import Settings
from crawlers.spiders.us_fr_documents import UsFrDocumentsSpider
from demo import replayed_sources_file
from replay import ReplayServer
from scheduler import CrawlResult, Service, crawl
from storage.models import CrawlRun, Notice, Source

DOCUMENTS = "/api/v1/documents.json"
RECORDED_PAGE_1 = 1000  # the Jan-2024 page
RECORDED_PAGE_2 = 129  # the 2016-02-29 issue, served as page 2


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    with ReplayServer(lifetime_s=300).running_in_thread() as server:
        yield server


@pytest.fixture
def service(settings: Settings, replay: ReplayServer, tmp_path: Path) -> Service:
    sources_file = replayed_sources_file(settings, replay.base_url, tmp_path / "sources.yaml")
    return Service.load(settings.model_copy(update={"sources_file": sources_file}))


def run_crawl(service: Service) -> CrawlResult:
    return asyncio.run(crawl(service, "us_fr_documents"))


def notice_count(service: Service) -> int:
    with service.sessions() as session:
        return session.scalar(select(func.count(Notice.id))) or 0


def source_row(service: Service) -> Source:
    with service.sessions() as session:
        row = session.get(Source, "us_fr_documents")
        assert row is not None
        return row


def crawl_log(service: Service) -> str:
    return (service.settings.data_dir / "logs" / "us_fr_documents.log").read_text()


def api_requests(replay: ReplayServer) -> list:
    return [r for r in replay.requests if r.path.startswith("/api/v1/documents")]


def test_crawl_stores_every_recorded_document(service: Service, replay: ReplayServer) -> None:
    result = run_crawl(service)

    assert result.ok, crawl_log(service)
    assert notice_count(service) == RECORDED_PAGE_1 + RECORDED_PAGE_2
    with service.sessions() as session:
        shrimp = session.scalars(select(Notice).where(Notice.external_id == "2024-00396")).one()
    assert shrimp.raw["docket_ids"] == ["A-552-802, A-533-840, A-570-893, A-549-822"]
    assert shrimp.published.isoformat() == "2024-01-11"
    assert shrimp.market == "US"
    first, second = api_requests(replay)
    query = parse_qs(first.query_string)
    assert query["conditions[agencies][]"] == [
        "international-trade-administration", "international-trade-commission"]
    assert "conditions[publication_date][gte]" in query
    assert {"docket_ids", "title", "abstract", "document_number"} <= set(query["fields[]"])
    assert "page=2" in second.query_string  # the next page, asked of the replay origin
    assert "TREWS" in first.headers["User-Agent"]
    row = source_row(service)
    assert (row.last_status, row.items_last_run, row.consecutive_failures) == ("ok", 1129, 0)


def test_recrawl_asks_from_last_success_revalidates_and_stores_nothing_twice(
    service: Service, replay: ReplayServer
) -> None:
    assert run_crawl(service).ok  # first run: the backfill window
    assert run_crawl(service).ok  # then from the day of the last successful run
    replay.clear_requests()

    assert run_crawl(service).ok  # same day again: the same URLs, so only revalidation

    third = api_requests(replay)
    assert len(third) == 2
    assert all(r.status == 304 for r in third), [(r.path, r.status) for r in third]
    assert all("If-None-Match" in r.headers for r in third)
    assert notice_count(service) == RECORDED_PAGE_1 + RECORDED_PAGE_2
    with service.sessions() as session:
        runs = list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))
    assert [run.items_new for run in runs] == [1129, 0, 0]
    today = runs[0].started_at.astimezone(UsFrDocumentsSpider.publisher_zone).date()
    assert runs[0].since == today - timedelta(days=service.settings.backfill_days)
    assert runs[1].since == runs[2].since == today
    gte = parse_qs(third[0].query_string)["conditions[publication_date][gte]"]
    assert gte == [today.isoformat()]


@pytest.mark.parametrize("fault", ["truncate", "garbage", "http500"])
def test_broken_page_fails_the_source_and_loses_nothing(
    service: Service, replay: ReplayServer, fault: str
) -> None:
    assert run_crawl(service).ok
    replay.set_fault(DOCUMENTS, fault)

    result = run_crawl(service)

    assert result.ok  # the crawl process itself ended normally ...
    row = source_row(service)
    assert row.last_status == "failed"  # ... but the source is marked failing, with the reason
    expected = "HTTP error" if fault == "http500" else "parse error"
    assert expected in (row.last_error or "")
    assert row.consecutive_failures == 1
    assert notice_count(service) == RECORDED_PAGE_1 + RECORDED_PAGE_2
    log = crawl_log(service)
    assert ("download failed" if fault == "http500" else "JSONDecodeError") in log


def test_empty_result_is_a_success_with_no_items(service: Service, replay: ReplayServer) -> None:
    # Synthetic: the FR API's own shape for a search that matched nothing.
    replay.add_route(DOCUMENTS, json.dumps({"count": 0, "results": []}).encode())

    assert run_crawl(service).ok

    row = source_row(service)
    assert (row.last_status, row.items_last_run, row.consecutive_empty_runs) == ("ok", 0, 1)
    assert notice_count(service) == 0


def test_item_missing_a_field_is_skipped_with_the_reason(
    service: Service, replay: ReplayServer
) -> None:
    # Synthetic page: two FR-shaped documents, the second without its title.
    page = {"count": 2, "results": [
        {"document_number": "2024-00001", "title": "Steel Nails From Vietnam", "type": "Notice",
         "html_url": "https://www.federalregister.gov/d/2024-00001",
         "publication_date": "2024-01-02"},
        {"document_number": "2024-00002", "type": "Notice",
         "html_url": "https://www.federalregister.gov/d/2024-00002",
         "publication_date": "2024-01-02"},
    ]}
    replay.add_route(DOCUMENTS, json.dumps(page).encode())

    run_crawl(service)

    assert notice_count(service) == 1
    assert "2024-00002 lacks title" in crawl_log(service)
    assert source_row(service).last_status == "failed"


def test_hung_source_is_killed_at_its_timeout(service: Service, replay: ReplayServer) -> None:
    replay.set_fault(DOCUMENTS, "hang")
    service.settings = service.settings.model_copy(update={"crawl_timeout_s": 6.0})

    result = run_crawl(service)

    assert not result.ok
    assert "killed after 6 s" in result.detail
    row = source_row(service)
    assert row.last_status == "failed" and "killed" in (row.last_error or "")


def test_sources_command_shows_the_health_of_each_source(
    service: Service, replay: ReplayServer
) -> None:
    run_crawl(service)
    replay.set_fault(DOCUMENTS, "http500")
    run_crawl(service)

    result = CliRunner().invoke(main, ["sources"], env={
        "TREWS_DATA_DIR": str(service.settings.data_dir),
        "TREWS_SOURCES_FILE": str(service.settings.sources_file)})

    assert result.exit_code == 0, result.output
    line = next(row for row in result.output.splitlines() if row.startswith("us_fr_documents"))
    assert " failing " in line and " failed " in line and "HTTP error" in line
    assert line.split()[1] == "US"


def test_crawl_command_backfills_from_a_date(service: Service, replay: ReplayServer) -> None:
    env = {"PATH": "/usr/bin:/bin", "TREWS_DATA_DIR": str(service.settings.data_dir),
           "TREWS_SOURCES_FILE": str(service.settings.sources_file)}
    result = subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", "crawl", "us_fr_documents",
         "--since", "2024-01-02"], env=env, capture_output=True, text=True, timeout=120,
        check=False)

    assert result.returncode == 0, result.stderr[-2000:]
    assert "us_fr_documents: ok, 1129 notices stored in all" in result.stdout
    first = api_requests(replay)[0]
    assert parse_qs(first.query_string)["conditions[publication_date][gte]"] == ["2024-01-02"]


def test_crawl_command_refuses_an_unknown_source(service: Service) -> None:
    result = CliRunner().invoke(main, ["crawl", "xx_nowhere"], env={
        "TREWS_DATA_DIR": str(service.settings.data_dir),
        "TREWS_SOURCES_FILE": str(service.settings.sources_file)})
    assert result.exit_code == 2 and "unknown source(s): xx_nowhere" in result.output


def test_a_server_error_is_not_hidden_by_the_cached_copy(
    service: Service, replay: ReplayServer
) -> None:
    assert run_crawl(service).ok
    assert run_crawl(service).ok  # same day: the same URLs, now in the HTTP cache
    replay.set_fault(DOCUMENTS, "http500")

    run_crawl(service)

    row = source_row(service)
    assert row.last_status == "failed" and "HTTP error" in (row.last_error or "")
