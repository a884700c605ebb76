"""How the replay server answers one request from a recording: in full, with a bodyless 304 when
the request's validators (If-None-Match, If-Modified-Since) match the recording's (RFC 7232),
or declared as JSON whatever the body (the empty and garbage faults)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from email.utils import parsedate_to_datetime
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from replay.manifest import Recording

# Headers a 304 repeats from the full response (RFC 7232 section 4.1), so caches can update them.
NOT_MODIFIED_HEADERS = frozenset(
    {"etag", "last-modified", "cache-control", "expires", "vary", "content-location"}
)

# Validators describe one body: a published change drops them and gets a derived ETag instead.
VALIDATOR_HEADERS = frozenset({"etag", "last-modified"})


DEFAULT_CONTENT_TYPE = "application/json; charset=utf-8"


def _etag_list(header: str) -> list[str]:
    """Split an If-None-Match list; entity tags are quoted, so commas separate members."""
    return [part.strip() for part in header.split(",") if part.strip()]


def _weak(tag: str) -> str:
    """Weak comparison ignores the W/ prefix (If-None-Match always compares weakly)."""
    return tag[2:] if tag.startswith("W/") else tag


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Does an If-None-Match header select this ETag?

    The raw values are compared first because FR recorded non-standard tags such as
    ``"dc695d..." abgroup=1``; a client sends them back verbatim, and they must still match.
    """
    sent, recorded = if_none_match.strip(), etag.strip()
    if sent in ("*", recorded):
        return True
    return any(_weak(tag) == _weak(recorded) for tag in _etag_list(sent))


def not_modified_since(if_modified_since: str, last_modified: str) -> bool:
    """True when the client's copy is at least as new as the recording (unparseable: False)."""
    try:
        return parsedate_to_datetime(if_modified_since) >= parsedate_to_datetime(last_modified)
    except (TypeError, ValueError):
        return False


def is_not_modified(headers: Mapping[str, str], recording: Recording) -> bool:
    """Apply RFC 7232 precedence: If-None-Match decides alone when present."""
    if recording.status != 200:
        return False
    etag, last_modified = recording.header("ETag"), recording.header("Last-Modified")
    if "If-None-Match" in headers:
        return etag is not None and etag_matches(headers["If-None-Match"], etag)
    if "If-Modified-Since" in headers and last_modified is not None:
        return not_modified_since(headers["If-Modified-Since"], last_modified)
    return False


def full_response(recording: Recording, body: bytes | None = None) -> web.Response:
    """The recording as a 200 (or recorded status), optionally with a replacement body."""
    return web.Response(
        status=recording.status,
        body=recording.body if body is None else body,
        headers=CIMultiDict(recording.headers),
    )


def not_modified_response(recording: Recording) -> web.Response:
    """A bodyless 304 carrying the validators and freshness headers of the recording."""
    kept = [(k, v) for k, v in recording.headers if k.lower() in NOT_MODIFIED_HEADERS]
    return web.Response(status=304, headers=CIMultiDict(kept))


def with_results_added(body: bytes, documents: Sequence[Mapping[str, Any]]) -> bytes:
    """A JSON API page (``{"count", "results": [...]}``) with ``documents`` after its results
    (newest last, as a search ordered oldest first lists them) and its count raised to match."""
    page = json.loads(body)
    page["results"] = [*(page.get("results") or []), *documents]
    if isinstance(page.get("count"), int):
        page["count"] += len(documents)
    return json.dumps(page, ensure_ascii=False).encode("utf-8")


def not_recorded(request: web.Request) -> web.Response:
    """A plain-text 404 naming what was asked, so a test failure shows the unmatched request."""
    return web.Response(status=404, text=f"not recorded: {request.path}?{request.query_string}")


def json_declared(status: int, body: bytes) -> web.Response:
    """A response that claims to be JSON whatever the body is (for the empty/garbage faults)."""
    return web.Response(status=status, body=body, headers={"Content-Type": DEFAULT_CONTENT_TYPE})
