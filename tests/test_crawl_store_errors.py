"""Nothing lost silently between a crawl and the database, on SQLite and on PostgreSQL: a notice
with a long guid and URL is stored, and one that cannot be stored fails the run, names the item,
and keeps the next crawl's since-date where it was. Real crawls (a child process) of the
us_fr_documents spider against the local replay server, on a synthetic FR API page."""

import json
from pathlib import Path

from crawlers.spiders.us_fr_documents import UsFrDocumentsSpider
from replay import ReplayServer
from storage.database import transaction
from storage.sources import crawl_since
from tests.crawl_harness import Harness, harness

SOURCE = "us_fr_documents"
DOCUMENTS = "/api/v1/documents.json"
LONG_GUID = "2024-" + "g" * 245
LONG_URL = "https://www.federalregister.gov/d/" + "u" * 1466
# A lone surrogate: text no UTF-8 database can hold, whatever the column.
UNSTORABLE = "Steel nails \ud800 from Vietnam"


def document(number: str, **fields: str) -> dict[str, str]:
    """One FR API result, as the API gives it."""
    return {"document_number": number, "title": f"Steel Nails From Vietnam ({number})",
            "type": "Notice", "html_url": f"https://www.federalregister.gov/d/{number}",
            "publication_date": "2024-01-02", **fields}


def serve_page(h: Harness, *documents: dict[str, str]) -> None:
    page = {"count": len(documents), "results": list(documents)}
    h.replay.add_route(DOCUMENTS, json.dumps(page).encode())


def crawler(replay: ReplayServer, tmp_path: Path, database_url: str) -> Harness:
    return harness(SOURCE, replay, tmp_path / "var", database_url=database_url)


def test_a_long_guid_and_url_are_stored_and_found(replay: ReplayServer, tmp_path: Path,
                                                  database_url: str) -> None:
    h = crawler(replay, tmp_path, database_url)
    serve_page(h, document("2024-00001"), document(LONG_GUID, html_url=LONG_URL))

    assert h.crawl().ok

    stored = h.notice(LONG_GUID)
    assert (len(stored.external_id), stored.url) == (250, LONG_URL)
    assert set(h.notices()) == {"2024-00001", LONG_GUID}
    row = h.health()
    assert (row.last_status, row.last_error) == ("ok", None)


def test_a_notice_that_cannot_be_stored_fails_the_run_and_keeps_the_since_date(
        replay: ReplayServer, tmp_path: Path, database_url: str) -> None:
    h = crawler(replay, tmp_path, database_url)
    serve_page(h, document("2024-00001"), document("2024-00002", abstract=UNSTORABLE),
               document("2024-00003"))

    assert h.crawl().ok  # the crawl process ended normally ...

    assert set(h.notices()) == {"2024-00001", "2024-00003"}
    [run] = h.runs()
    assert run.status == "failed"  # ... but the lost notice fails the run, with its reason
    assert "1 notice(s) not stored" in (run.error or "")
    row = h.health()
    assert (row.last_status, row.health, row.last_success_at) == ("failed", "failing", None)
    with transaction(h.service.sessions) as session:
        since = crawl_since(session, SOURCE, h.service.settings.backfill_days,
                            UsFrDocumentsSpider.publisher_zone)
    assert since == run.since  # the next crawl asks again for what was lost
    assert f"{SOURCE}: notice 2024-00002 not stored" in h.log()
