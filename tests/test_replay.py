"""The replay server must behave like the real FR API over real HTTP, or crawl tests prove nothing.

These tests speak HTTP to a live local server (urllib, and aiohttp for the async mode) and compare
what comes back with the recorded files themselves, so a replay bug cannot hide behind a mock.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import aiohttp
import pytest
import yaml

from config.errors import ConfigError
from replay.manifest import DEFAULT_MANIFEST, Route, load_manifest
from replay.responses import etag_matches
from replay.server import ReplayServer

RECORDINGS = DEFAULT_MANIFEST.parent
PAGE1_FILE = RECORDINGS / "us" / "fr_api_documents_2024-01-02_to_2024-01-17_page1_all_fields.json"
CASSETTE = RECORDINGS / "us" / "fr_vcr_documents_by_pubdate_2016-02-29.yml"
ISSUE_URI = (
    "https://www.federalregister.gov/api/v1/documents.json?conditions[publication_date][is]="
    "2016-02-29&per_page=1000&fields[]=agencies&fields[]=citation&fields[]=document_number"
    "&fields[]=end_page&fields[]=html_url&fields[]=pdf_url&fields[]=publication_date"
    "&fields[]=start_page&fields[]=title"
)
TOC_URI = "https://fr-official.criticaljuncture.org/document_issues/json/2016/02/29.json"
DOCS = "/api/v1/documents.json"
# What a spider's first request looks like: varying conditions the manifest does not name.
PAGE1_QUERY = "conditions[publication_date][gte]=2024-01-02&per_page=1000&order=oldest"

Fetched = tuple[int, Message, bytes]


def fetch(url: str, headers: dict[str, str] | None = None, timeout: float = 5.0) -> Fetched:
    """GET with urllib; HTTP errors (incl. 304, which urllib treats as one) become plain results."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def recorded(uri: str) -> dict:
    """The cassette interaction for ``uri``, parsed independently of replay.cassette."""
    data = yaml.safe_load(CASSETTE.read_text(encoding="utf-8"))
    return next(i for i in data["http_interactions"] if i["request"]["uri"] == uri)


@pytest.fixture(scope="module")
def routes() -> list[Route]:
    return load_manifest()


@pytest.fixture(scope="module")
def server(routes: list[Route]) -> Iterator[ReplayServer]:
    with ReplayServer(routes, lifetime_s=60).running_in_thread() as srv:
        yield srv


@pytest.fixture()
def srv(server: ReplayServer) -> Iterator[ReplayServer]:
    """The shared server, with a clean log and no faults for each test."""
    server.clear_requests()
    server.clear_faults()
    yield server
    server.clear_faults()


def url(srv: ReplayServer, path_qs: str) -> str:
    return srv.base_url.rstrip("/") + path_qs


def test_page1_is_the_recorded_file_with_a_derived_etag(srv: ReplayServer) -> None:
    status, headers, body = fetch(url(srv, f"{DOCS}?{PAGE1_QUERY}"))
    expected = PAGE1_FILE.read_bytes()
    assert status == 200
    assert body == expected
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["ETag"] == f'"sha256-{hashlib.sha256(expected).hexdigest()[:16]}"'
    assert headers["Date"]


def test_if_none_match_on_page1_gives_304_without_body(srv: ReplayServer) -> None:
    _, first, _ = fetch(url(srv, f"{DOCS}?{PAGE1_QUERY}"))
    status, headers, body = fetch(
        url(srv, f"{DOCS}?{PAGE1_QUERY}"),
        {"If-None-Match": first["ETag"], "User-Agent": "trews-test"},
    )
    assert (status, body, headers["ETag"]) == (304, b"", first["ETag"])
    last = srv.requests[-1]
    assert (last.status, last.headers["If-None-Match"], last.headers["User-Agent"]) == (
        304,
        first["ETag"],
        "trews-test",
    )
    assert last.query_string == PAGE1_QUERY


def test_stale_if_none_match_gets_the_full_body(srv: ReplayServer) -> None:
    status, _, body = fetch(url(srv, DOCS), {"If-None-Match": '"sha256-0000000000000000"'})
    assert status == 200 and len(body) == PAGE1_FILE.stat().st_size


@pytest.mark.parametrize(
    ("sent", "recorded_tag", "match"),
    [
        ('"dc695d" abgroup=1', '"dc695d" abgroup=1', True),
        ('W/"abc"', '"abc"', True),
        ('"x", "abc"', 'W/"abc"', True),
        ("*", '"abc"', True),
        ('"abd"', '"abc"', False),
    ],
)
def test_etag_comparison(sent: str, recorded_tag: str, match: bool) -> None:
    assert etag_matches(sent, recorded_tag) is match


def test_page2_replays_the_cassette_interaction(srv: ReplayServer) -> None:
    interaction = recorded(ISSUE_URI)["response"]
    status, headers, body = fetch(url(srv, f"{DOCS}?{PAGE1_QUERY}&page=2"))
    assert status == 200
    assert body == interaction["body"]["string"].encode("ascii")
    assert headers["Content-Length"] == interaction["headers"]["content-length"][0]
    assert headers["ETag"] == interaction["headers"]["etag"][0]
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    for hop_header in ("Set-Cookie", "X-Varnish", "Via", "Age", "Strict-Transport-Security"):
        assert hop_header not in headers
    assert json.loads(body)["count"] == 129


def test_recorded_odd_etag_sent_back_verbatim_gives_304(srv: ReplayServer) -> None:
    etag = recorded(ISSUE_URI)["response"]["headers"]["etag"][0]
    status, _, body = fetch(url(srv, f"{DOCS}?page=2"), {"If-None-Match": etag})
    assert (status, body) == (304, b"")


def test_next_page_url_without_json_suffix_reaches_page2(srv: ReplayServer) -> None:
    status, _, body = fetch(url(srv, "/api/v1/documents?format=json&order=oldest&page=2"))
    assert status == 200 and json.loads(body)["description"] == "Documents published on 02/29/2016"


def test_cassette_last_modified_and_if_modified_since(srv: ReplayServer) -> None:
    toc = recorded(TOC_URI)["response"]
    last_modified = toc["headers"]["last-modified"][0]
    status, headers, body = fetch(url(srv, "/document_issues/json/2016/02/29.json"))
    assert (status, headers["Last-Modified"]) == (200, last_modified)
    assert "ETag" not in headers  # a recorded validator exists, so none is derived
    assert body == toc["body"]["string"].encode("ascii")
    path = "/document_issues/json/2016/02/29.json"
    assert fetch(url(srv, path), {"If-Modified-Since": last_modified})[0] == 304
    assert fetch(url(srv, path), {"If-Modified-Since": "Sun, 01 May 2016 00:00:00 GMT"})[0] == 200


def test_unknown_request_is_404_naming_path_and_query(srv: ReplayServer) -> None:
    status, headers, body = fetch(url(srv, "/api/v1/agencies.json?x=1"))
    assert status == 404
    assert body.decode() == "not recorded: /api/v1/agencies.json?x=1"
    assert headers["Content-Type"].startswith("text/plain")
    assert srv.requests[-1].status == 404


def test_public_inspection_routes(srv: ReplayServer) -> None:
    search = "/api/v1/public-inspection-documents.json?conditions[available_on]="
    current = fetch(url(srv, "/api/v1/public-inspection-documents/current.json"))
    day = fetch(url(srv, search + "2020-08-10"))
    other = fetch(url(srv, search + "2021-01-04"))
    assert json.loads(current[2])["count"] == 100
    assert json.loads(day[2])["count"] == 109
    assert other[0] == 404


def test_fault_http500(srv: ReplayServer) -> None:
    srv.set_fault(DOCS, "http500")
    status, _, body = fetch(url(srv, DOCS))
    assert status == 500 and b"http500" in body
    assert (srv.requests[-1].fault, srv.requests[-1].status) == ("http500", 500)


def test_fault_truncate_sends_first_half_as_a_clean_200(srv: ReplayServer) -> None:
    srv.set_fault(DOCS, "truncate")
    status, headers, body = fetch(url(srv, f"{DOCS}?page=2"))
    full = recorded(ISSUE_URI)["response"]["body"]["string"].encode("ascii")
    assert status == 200 and body == full[: len(full) // 2]
    assert headers["Content-Length"] == str(len(full) // 2)
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)


@pytest.mark.parametrize(("kind", "is_empty"), [("empty", True), ("garbage", False)])
def test_fault_empty_and_garbage_claim_json(srv: ReplayServer, kind: str, is_empty: bool) -> None:
    srv.set_fault(DOCS, kind)
    status, headers, body = fetch(url(srv, DOCS))
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert (body == b"") is is_empty
    with pytest.raises(ValueError):
        json.loads(body)


def test_fault_hang_never_answers_and_clear_faults_restores(srv: ReplayServer) -> None:
    srv.set_fault(DOCS, "hang")
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        fetch(url(srv, DOCS), timeout=0.3)
    assert (srv.requests[-1].fault, srv.requests[-1].status) == ("hang", None)
    srv.clear_faults()
    assert fetch(url(srv, DOCS))[0] == 200


def test_unknown_fault_kind_is_refused(srv: ReplayServer) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        srv.set_fault(DOCS, "slow")


def test_added_route_wins_over_the_manifest(routes: list[Route]) -> None:
    with ReplayServer(routes, lifetime_s=10).running_in_thread() as srv:
        srv.add_route(DOCS, b'{"count":0,"results":[]}', query={"page": "9"})
        status, headers, body = fetch(url(srv, f"{DOCS}?page=9"))
        assert (status, body) == (200, b'{"count":0,"results":[]}')
        assert headers["ETag"].startswith('"sha256-')
        assert len(fetch(url(srv, DOCS))[2]) == PAGE1_FILE.stat().st_size


def test_hanging_request_does_not_delay_stop(routes: list[Route]) -> None:
    with ReplayServer(routes, lifetime_s=10).running_in_thread() as srv:
        srv.set_fault(DOCS, "hang")
        with pytest.raises((TimeoutError, urllib.error.URLError)):
            fetch(url(srv, DOCS), timeout=0.2)
        started = time.monotonic()
    assert time.monotonic() - started < 2
    assert not srv.is_running


def test_lifetime_stops_the_server_by_itself(routes: list[Route]) -> None:
    with ReplayServer(routes, lifetime_s=0.3).running_in_thread() as srv:
        base = srv.base_url
        assert fetch(base + "api/v1/documents.json?page=2")[0] == 200
        deadline = time.monotonic() + 3
        while srv.is_running and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not srv.is_running
        with pytest.raises(urllib.error.URLError):
            fetch(base + "api/v1/documents.json?page=2", timeout=1)


def test_async_mode_serves_on_the_callers_loop(routes: list[Route]) -> None:
    async def crawl() -> tuple[int, str, int]:
        async with (
            ReplayServer(routes, lifetime_s=10) as srv,
            aiohttp.ClientSession() as http,
            http.get(f"{srv.base_url}api/v1/documents.json?page=2") as response,
        ):
            body = await response.read()
            return response.status, response.headers["ETag"], len(body)

    status, etag, size = asyncio.run(crawl())
    assert (status, size) == (200, 124163)
    assert etag == recorded(ISSUE_URI)["response"]["headers"]["etag"][0]


def write_manifest(tmp_path: Path, text: str) -> Path:
    (tmp_path / "body.json").write_text("{}", encoding="utf-8")
    path = tmp_path / "manifest.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "key", "line"),
    [
        ("routes:\n  - path: /a\n    file: body.json\n    bogus: 1\n", "routes.0.bogus", 4),
        (
            "routes:\n  - path: /a\n    file: body.json\n  - path: /b\n    file: gone.json\n",
            "routes.1.file",
            5,
        ),
        (
            f"routes:\n  - path: /a\n    cassette: {CASSETTE}\n    uri: https://example.org/x\n",
            "routes.0.uri",
            4,
        ),
        ("routes:\n  - path: a\n    file: body.json\n", "routes.0.path", 2),
    ],
    ids=["unknown-key", "missing-file", "unrecorded-uri", "relative-path"],
)
def test_bad_manifest_names_file_key_and_line(
    tmp_path: Path, text: str, key: str, line: int
) -> None:
    path = write_manifest(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_manifest(path)
    assert (caught.value.file, caught.value.key, caught.value.line) == (str(path), key, line)


def test_route_needs_exactly_one_body_source(tmp_path: Path) -> None:
    path = write_manifest(tmp_path, "routes:\n  - path: /a\n")
    with pytest.raises(ConfigError, match="exactly one of 'file' or 'cassette'"):
        load_manifest(path)


def test_publish_adds_documents_to_a_recorded_page_and_changes_its_etag(
    routes: list[Route],
) -> None:
    current = "/api/v1/public-inspection-documents/current.json"
    recorded_page = json.loads(
        (RECORDINGS / "us_fr_public_inspection" / "fr_public_inspection_current_2020-08-11.json")
        .read_bytes())
    with ReplayServer(routes, lifetime_s=10).running_in_thread() as srv:
        _, before, _ = fetch(url(srv, current))
        srv.publish(current, [{"document_number": "2099-00001", "title": "first"}])
        status, headers, body = fetch(url(srv, current), {"If-None-Match": before["ETag"]})
        page = json.loads(body)
        assert status == 200 and headers["ETag"] != before["ETag"]
        assert page["count"] == recorded_page["count"] + 1
        assert page["results"][-1]["document_number"] == "2099-00001"
        assert page["results"][:-1] == recorded_page["results"]
        assert fetch(url(srv, current), {"If-None-Match": headers["ETag"]})[0] == 304

        srv.publish(current, [{"document_number": "2099-00002", "title": "second"}])
        numbers = [d["document_number"] for d in json.loads(fetch(url(srv, current))[2])["results"]]
        assert numbers[-2:] == ["2099-00001", "2099-00002"] and len(numbers) == page["count"] + 1
        with pytest.raises(KeyError, match="no route serves"):
            srv.publish(current, [{}], query={"page": "2"})
