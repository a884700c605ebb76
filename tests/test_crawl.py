"""The us_fr_documents spider, run as the service runs it (a child process), against a real local
HTTP server replaying recorded Federal Register API responses."""

import json
import subprocess
import sys
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from cli import main
from crawlers.spiders.us_fr_documents import UsFrDocumentsSpider
from storage.models import Notice
from tests.crawl_harness import Harness

SOURCE = "us_fr_documents"
DOCUMENTS = "/api/v1/documents.json"
RECORDED_PAGE_1 = 1000  # the Jan-2024 page
RECORDED_PAGE_2 = 129  # the 2016-02-29 issue, served as page 2


def test_crawl_stores_every_recorded_document(h: Harness) -> None:
    result = h.crawl()

    assert result.ok, h.log()
    assert len(h.notices()) == RECORDED_PAGE_1 + RECORDED_PAGE_2
    with h.service.sessions() as session:
        shrimp = session.scalars(select(Notice).where(Notice.external_id == "2024-00396")).one()
    assert shrimp.raw["docket_ids"] == ["A-552-802, A-533-840, A-570-893, A-549-822"]
    assert shrimp.published.isoformat() == "2024-01-11"
    assert shrimp.market == "US"
    first, second = h.requests("/api/v1/documents")
    query = parse_qs(first.query_string)
    assert query["conditions[agencies][]"] == [
        "international-trade-administration", "international-trade-commission"]
    assert "conditions[publication_date][gte]" in query
    assert {"docket_ids", "title", "abstract", "document_number"} <= set(query["fields[]"])
    assert "page=2" in second.query_string  # the next page, asked of the replay origin
    assert "TREWS" in first.headers["User-Agent"]
    row = h.health()
    assert (row.last_status, row.items_last_run, row.consecutive_failures) == ("ok", 1129, 0)


def test_recrawl_asks_from_last_success_revalidates_and_stores_nothing_twice(h: Harness) -> None:
    assert h.crawl().ok  # first run: the backfill window
    assert h.crawl().ok  # then from the day of the last successful run
    h.replay.clear_requests()

    assert h.crawl().ok  # same day again: the same URLs, so only revalidation

    third = h.requests("/api/v1/documents")
    assert len(third) == 2
    assert all(r.status == 304 for r in third), [(r.path, r.status) for r in third]
    assert all("If-None-Match" in r.headers for r in third)
    assert len(h.notices()) == RECORDED_PAGE_1 + RECORDED_PAGE_2
    runs = h.runs()
    assert [run.items_new for run in runs] == [1129, 0, 0]
    today = runs[0].started_at.astimezone(UsFrDocumentsSpider.publisher_zone).date()
    assert runs[0].since == today - timedelta(days=h.service.settings.backfill_days)
    assert runs[1].since == runs[2].since == today
    gte = parse_qs(third[0].query_string)["conditions[publication_date][gte]"]
    assert gte == [today.isoformat()]


@pytest.mark.parametrize("fault", ["truncate", "garbage", "http500"])
def test_broken_page_fails_the_source_and_loses_nothing(h: Harness, fault: str) -> None:
    assert h.crawl().ok
    h.replay.set_fault(DOCUMENTS, fault)

    result = h.crawl()

    assert result.ok  # the crawl process itself ended normally ...
    row = h.health()
    assert row.last_status == "failed"  # ... but the source is marked failing, with the reason
    expected = "HTTP error" if fault == "http500" else "parse error"
    assert expected in (row.last_error or "")
    assert row.consecutive_failures == 1
    assert len(h.notices()) == RECORDED_PAGE_1 + RECORDED_PAGE_2
    log = h.log()
    assert ("download failed" if fault == "http500" else "JSONDecodeError") in log


def test_empty_result_is_a_success_with_no_items(h: Harness) -> None:
    # Synthetic: the FR API's own shape for a search that matched nothing.
    h.replay.add_route(DOCUMENTS, json.dumps({"count": 0, "results": []}).encode())

    assert h.crawl().ok

    row = h.health()
    assert (row.last_status, row.items_last_run, row.consecutive_empty_runs) == ("ok", 0, 1)
    assert len(h.notices()) == 0


def test_item_missing_a_field_is_skipped_with_the_reason(h: Harness) -> None:
    # Synthetic page: two FR-shaped documents, the second without its title.
    page = {"count": 2, "results": [
        {"document_number": "2024-00001", "title": "Steel Nails From Vietnam", "type": "Notice",
         "html_url": "https://www.federalregister.gov/d/2024-00001",
         "publication_date": "2024-01-02"},
        {"document_number": "2024-00002", "type": "Notice",
         "html_url": "https://www.federalregister.gov/d/2024-00002",
         "publication_date": "2024-01-02"},
    ]}
    h.replay.add_route(DOCUMENTS, json.dumps(page).encode())

    h.crawl()

    assert len(h.notices()) == 1
    assert "2024-00002 lacks title" in h.log()
    assert h.health().last_status == "failed"


def test_hung_source_is_killed_at_its_timeout(h: Harness) -> None:
    h.replay.set_fault(DOCUMENTS, "hang")
    h.service.settings = h.service.settings.model_copy(update={"crawl_timeout_s": 6.0})

    result = h.crawl()

    assert not result.ok
    assert "killed after 6 s" in result.detail
    row = h.health()
    assert row.last_status == "failed" and "killed" in (row.last_error or "")


def test_sources_command_shows_the_health_of_each_source(h: Harness) -> None:
    h.crawl()
    h.replay.set_fault(DOCUMENTS, "http500")
    h.crawl()

    result = CliRunner().invoke(main, ["sources"], env={
        "TREWS_DATA_DIR": str(h.service.settings.data_dir),
        "TREWS_SOURCES_FILE": str(h.service.settings.sources_file)})

    assert result.exit_code == 0, result.output
    line = next(row for row in result.output.splitlines() if row.startswith("us_fr_documents"))
    assert " failing " in line and " failed " in line and "HTTP error" in line
    assert line.split()[1] == "US"
    assert " real    2024-01-17 " in line  # its recording is a real response of the FR API


def test_crawl_command_backfills_from_a_date(h: Harness) -> None:
    env = {"PATH": "/usr/bin:/bin", "TREWS_DATA_DIR": str(h.service.settings.data_dir),
           "TREWS_SOURCES_FILE": str(h.service.settings.sources_file)}
    result = subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", "crawl", "us_fr_documents",
         "--since", "2024-01-02"], env=env, capture_output=True, text=True, timeout=120,
        check=False)

    assert result.returncode == 0, result.stderr[-2000:]
    assert "us_fr_documents: ok, 1129 notices stored in all" in result.stdout
    first = h.requests("/api/v1/documents")[0]
    assert parse_qs(first.query_string)["conditions[publication_date][gte]"] == ["2024-01-02"]


def test_crawl_command_refuses_an_unknown_source(h: Harness) -> None:
    result = CliRunner().invoke(main, ["crawl", "xx_nowhere"], env={
        "TREWS_DATA_DIR": str(h.service.settings.data_dir),
        "TREWS_SOURCES_FILE": str(h.service.settings.sources_file)})
    assert result.exit_code == 2 and "unknown source(s): xx_nowhere" in result.output


def test_a_server_error_is_not_hidden_by_the_cached_copy(h: Harness) -> None:
    assert h.crawl().ok
    assert h.crawl().ok  # same day: the same URLs, now in the HTTP cache
    h.replay.set_fault(DOCUMENTS, "http500")

    h.crawl()

    row = h.health()
    assert row.last_status == "failed" and "HTTP error" in (row.last_error or "")
