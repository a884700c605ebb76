"""What a crawl refuses, run as the service runs it (a child process) against real local HTTP
servers: a redirect off the source's configured origin, a response over the size limit, and a
notice URL that is not http(s)."""

import json
from datetime import date
from pathlib import Path

from replay import ReplayServer
from tests.crawl_harness import Harness, harness
from tests.test_spider_wto_news import FEED, KEPT, SINCE, SYNTHETIC_FEED, XML

SOURCE = "wto_news"
MOVED = "/library/rss/moved_e.xml"


def test_a_redirect_on_the_configured_origin_is_followed(h: Harness) -> None:
    h.replay.add_route(FEED, b"", status=301, headers={"Location": MOVED})
    h.replay.add_route(MOVED, SYNTHETIC_FEED, headers=XML)

    assert h.crawl(SINCE).ok

    assert set(h.notices()) == KEPT
    assert h.health().last_status == "ok"


def test_a_redirect_to_another_origin_is_refused_and_fails_the_source(h: Harness) -> None:
    with ReplayServer(lifetime_s=60).running_in_thread() as elsewhere:
        elsewhere.add_route(FEED, SYNTHETIC_FEED, headers=XML)
        target = elsewhere.base_url + FEED.lstrip("/")  # 127.0.0.1, another port
        h.replay.add_route(FEED, b"", status=302, headers={"Location": target})

        assert h.crawl(SINCE).ok

        assert elsewhere.requests == []  # not even its robots.txt
    assert h.notices() == {}
    row = h.health()
    assert (row.last_status, row.consecutive_failures) == ("failed", 1)
    assert "HTTP error" in (row.last_error or "")
    assert f"wto_news: refused a redirect to {target}" in h.log()


def test_a_response_over_the_size_limit_fails_the_source(h: Harness) -> None:
    limit = len(SYNTHETIC_FEED) // 2
    h.service.settings = h.service.settings.model_copy(update={"download_max_bytes": limit})

    assert h.crawl(SINCE).ok

    assert h.notices() == {}
    row = h.health()
    assert row.last_status == "failed" and "HTTP error" in (row.last_error or "")
    assert f"larger than download max size ({limit})" in h.log()


def test_a_notice_url_that_is_not_http_is_not_stored(replay: ReplayServer,
                                                     tmp_path: Path) -> None:
    # Synthetic FR API page: the same document twice, once with a javascript: link.
    documents = [{"document_number": number, "title": "Steel Nails From Vietnam",
                  "type": "Notice", "html_url": url, "publication_date": "2024-01-02"}
                 for number, url in [("2024-00001", "https://www.federalregister.gov/d/1"),
                                     ("2024-00002", "javascript:alert(document.cookie)")]]
    replay.add_route("/api/v1/documents.json",
                     json.dumps({"count": 2, "results": documents}).encode())
    h = harness("us_fr_documents", replay, tmp_path / "var")

    assert h.crawl(date(2024, 1, 1)).ok

    notices = h.notices()
    assert notices["2024-00001"].url == "https://www.federalregister.gov/d/1"
    assert notices["2024-00002"].url == ""  # kept, without a link
    assert "2024-00002: not an http(s) URL, dropped: 'javascript:" in h.log()
