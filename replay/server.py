"""A local HTTP server that replays real recorded Federal Register API responses.

Tests and the offline demo crawl this server instead of federalregister.gov, so spiders meet real
bodies and real headers (ETag, Last-Modified, content-type) over real HTTP. It honours conditional
requests, so Scrapy's HTTP cache in RFC 2616 mode sees 304s on a second crawl; it injects faults on
demand (500, truncated body, hang, empty, garbage) so error handling can be tested against a live
socket; and it keeps a request log so tests can assert what a crawler actually sent.

It always stops by itself after ``lifetime_s`` seconds, so a failing test or an interrupted demo can
never leave a server listening behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from replay.manifest import DEFAULT_MANIFEST, Recording, Route, load_manifest
from replay.responses import (
    DEFAULT_CONTENT_TYPE,
    VALIDATOR_HEADERS,
    full_response,
    is_not_modified,
    json_declared,
    not_modified_response,
    not_recorded,
    with_results_added,
)

logger = logging.getLogger("replay")

FAULT_KINDS = frozenset({"http500", "truncate", "hang", "empty", "garbage"})

# Request headers worth keeping in the log: the ones that show caching and client identity.
LOGGED_HEADERS = (
    "If-None-Match",
    "If-Modified-Since",
    "User-Agent",
    "Cache-Control",
    "Accept",
    "Accept-Encoding",
)


# Bytes that are certainly not JSON but are declared as JSON by the "garbage" fault.
GARBAGE_BODY = b"\x00\xff<html><body>Service temporarily unavailable</body></html>\x1b\xfe"


DEFAULT_LIFETIME_S = 600.0
# How long a stop waits for in-flight handlers; hangs are released first, so this is a backstop.
SHUTDOWN_TIMEOUT_S = 1.0


@dataclass
class RequestRecord:
    """One request as the server saw it; ``status`` is None while unanswered (or for a hang)."""

    method: str
    path: str
    query_string: str
    headers: dict[str, str]
    time: float
    status: int | None = None
    fault: str | None = None
    matched: str | None = field(default=None)

    @property
    def path_qs(self) -> str:
        """Path plus query string, as a crawler would have requested it."""
        return f"{self.path}?{self.query_string}" if self.query_string else self.path


class ReplayServer:
    """Serve recorded responses on 127.0.0.1; use ``async with`` or ``running_in_thread()``.

    ``manifest`` is a manifest path (default: the packaged ``recordings/manifest.yaml``) or routes
    already loaded with ``replay.manifest.load_manifest``.
    """

    def __init__(
        self,
        manifest: Path | str | Sequence[Route] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        lifetime_s: float = DEFAULT_LIFETIME_S,
    ) -> None:
        if lifetime_s <= 0:
            raise ValueError("lifetime_s must be positive: the server must always stop by itself")
        if manifest is None or isinstance(manifest, str | Path):
            self._routes: list[Route] = load_manifest(manifest or DEFAULT_MANIFEST)
        else:
            self._routes = list(manifest)
        self._host, self._port, self.lifetime_s = host, port, lifetime_s
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []
        self._faults: dict[str, str] = {}
        self._group_faults: dict[str, str] = {}
        self._extra_routes: list[Route] = []
        self._runner: web.AppRunner | None = None
        self._bound_port: int | None = None
        self._expiry: asyncio.Task[None] | None = None
        self._stopping: asyncio.Event | None = None
        self._stopped: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # ----------------------------------------------------------------- public state and controls

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/``, the value to configure as a source's base URL."""
        if self._bound_port is None:
            raise RuntimeError("the replay server has not been started")
        return f"http://{self._host}:{self._bound_port}/"

    @property
    def port(self) -> int | None:
        """The bound port once started (port 0 asks the OS for a free one)."""
        return self._bound_port

    @property
    def is_running(self) -> bool:
        """True from a successful start until a stop begins (explicit or by lifetime)."""
        return self._runner is not None

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the request log, oldest first (safe to read from another thread)."""
        with self._lock:
            return list(self._records)

    def clear_requests(self) -> None:
        """Forget logged requests, e.g. between a first and a second crawl in one test."""
        with self._lock:
            self._records.clear()

    def set_fault(self, path: str, kind: str) -> None:
        """Make every request to ``path`` (any query) fail in the given way until cleared."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; choose from {sorted(FAULT_KINDS)}")
        with self._lock:
            self._faults[path] = kind

    def set_group_fault(self, group: str, kind: str) -> None:
        """Make every route of one included manifest (one source's folder) fail: a whole source
        goes down while the others keep answering."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; choose from {sorted(FAULT_KINDS)}")
        with self._lock:
            self._group_faults[group] = kind

    def clear_faults(self) -> None:
        """Serve recordings normally again."""
        with self._lock:
            self._faults.clear()
            self._group_faults.clear()

    def add_route(
        self,
        path: str,
        body: bytes,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str | None] | None = None,
    ) -> None:
        """Serve a test's own body; such routes are tried before the manifest's, in added order.

        ``headers`` defaults to a JSON content-type; without ETag/Last-Modified an ETag is derived.
        """
        given = {"content-type": DEFAULT_CONTENT_TYPE} if headers is None else dict(headers)
        recording = Recording.build(body, status, given.items(), f"add_route {path}")
        with self._lock:
            self._extra_routes.append(Route(path, recording, dict(query or {})))

    def publish(
        self,
        path: str,
        documents: Sequence[Mapping[str, Any]],
        query: Mapping[str, str | None] | None = None,
    ) -> None:
        """Make the JSON page that ``path`` (with exactly these ``query`` conditions) serves now
        list ``documents`` too, as a source publishing new notices would. The new body gets a
        new derived ETag, so a revalidating client gets it once with a 200, then 304s again.
        """
        wanted = dict(query or {})
        with self._lock:
            current = next((r for r in [*self._extra_routes, *self._routes]
                            if r.path == path and dict(r.query) == wanted), None)
            if current is None:
                raise KeyError(f"no route serves {path} with query {wanted}")
            recording = Recording.build(
                with_results_added(current.recording.body, documents), current.recording.status,
                [(k, v) for k, v in current.recording.headers
                 if k.lower() not in VALIDATOR_HEADERS],
                f"published on {path}",
            )
            published = Route(path, recording, wanted, current.group)
            index = next((n for n, r in enumerate(self._extra_routes) if r is current), None)
            if index is None:
                self._extra_routes.append(published)
            else:
                self._extra_routes[index] = published

    # ----------------------------------------------------------------------- lifecycle (async)

    async def start(self) -> None:
        """Bind and serve on the running loop; arm the lifetime timer."""
        if self._runner is not None:
            raise RuntimeError("the replay server is already running")
        self._loop = asyncio.get_running_loop()
        self._stopping, self._stopped = asyncio.Event(), asyncio.Event()
        runner = web.AppRunner(
            self._make_app(), access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT_S
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, self._host, self._port).start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner, self._bound_port = runner, runner.addresses[0][1]
        self._expiry = asyncio.create_task(self._expire_after(self.lifetime_s))
        logger.info("replay server on %s (stops after %.0f s)", self.base_url, self.lifetime_s)

    async def stop(self) -> None:
        """Stop serving; releases hanging handlers first so shutdown never waits on them."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        assert self._stopping is not None and self._stopped is not None
        self._stopping.set()
        if self._expiry is not None and self._expiry is not asyncio.current_task():
            self._expiry.cancel()
        await runner.cleanup()
        self._stopped.set()
        logger.info("replay server on port %s stopped", self._bound_port)

    async def wait_stopped(self) -> None:
        """Return once the server has stopped (by ``stop()`` or by its lifetime)."""
        if self._stopped is not None:
            await self._stopped.wait()

    async def __aenter__(self) -> ReplayServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def _expire_after(self, seconds: float) -> None:
        """The safety net: nothing left running can outlive its lifetime."""
        await asyncio.sleep(seconds)
        logger.info("replay server lifetime of %.1f s is over, stopping", seconds)
        await self.stop()

    # ------------------------------------------------------------------ lifecycle (own thread)

    @contextlib.contextmanager
    def running_in_thread(self) -> Iterator[ReplayServer]:
        """Serve from a daemon thread with its own loop: for sync tests and child crawlers."""
        started = threading.Event()
        failure: list[BaseException] = []
        thread = threading.Thread(
            target=lambda: asyncio.run(self._serve_in_thread(started, failure)),
            name="replay-server",
            daemon=True,
        )
        thread.start()
        started.wait()
        if failure:
            thread.join()
            raise failure[0]
        try:
            yield self
        finally:
            self._stop_from_other_thread()
            thread.join(timeout=10)

    async def _serve_in_thread(
        self, started: threading.Event, failure: list[BaseException]
    ) -> None:
        """Thread body: start, report readiness (or the error), then run until stopped."""
        try:
            await self.start()
        except BaseException as exc:  # handed to the caller's thread, re-raised there
            failure.append(exc)
            return
        finally:
            started.set()
        await self.wait_stopped()

    def _stop_from_other_thread(self) -> None:
        """Ask the server's loop to stop; a no-op when its lifetime already ended it."""
        loop = self._loop
        if loop is None or loop.is_closed() or self._runner is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop closed between the check and the call
            asyncio.run_coroutine_threadsafe(self.stop(), loop).result(timeout=10)

    # --------------------------------------------------------------------------- request handling

    def _make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        """Log the request, answer it, then complete the log entry with the status sent."""
        record = self._log_request(request)
        response = await self._answer(request, record)
        record.status = response.status
        logger.debug("%s %s -> %s", request.method, record.path_qs, response.status)
        return response

    def _log_request(self, request: web.Request) -> RequestRecord:
        kept = {name: request.headers[name] for name in LOGGED_HEADERS if name in request.headers}
        record = RequestRecord(
            request.method, request.path, request.query_string, kept, time.time()
        )
        with self._lock:
            self._records.append(record)
        return record

    def _find_route(self, request: web.Request) -> Route | None:
        with self._lock:
            candidates = [*self._extra_routes, *self._routes]
        return next((r for r in candidates if r.matches(request.path, request.query)), None)

    async def _answer(self, request: web.Request, record: RequestRecord) -> web.StreamResponse:
        if request.method not in ("GET", "HEAD"):
            return web.Response(status=405, text="replay serves GET and HEAD only\n")
        route = self._find_route(request)
        with self._lock:
            fault = self._faults.get(request.path) or (
                self._group_faults.get(route.group) if route is not None else None)
        record.matched = route.recording.source if route else None
        if fault is not None:
            record.fault = fault
            return await self._faulty(request, fault, route)
        if route is None:
            return not_recorded(request)
        if is_not_modified(request.headers, route.recording):
            return not_modified_response(route.recording)
        return full_response(route.recording)

    async def _faulty(
        self, request: web.Request, kind: str, route: Route | None
    ) -> web.StreamResponse:
        """Produce the injected fault; body-based faults on an unrecorded path stay a 404."""
        if kind == "http500":
            return web.Response(status=500, text="replay: injected fault http500\n")
        if kind == "hang":
            return await self._hang(request)
        if kind == "empty":
            return json_declared(200, b"")
        if kind == "garbage":
            return json_declared(200, GARBAGE_BODY)
        if route is None:
            return not_recorded(request)
        body = route.recording.body
        return full_response(route.recording, body[: len(body) // 2])

    async def _hang(self, request: web.Request) -> web.StreamResponse:
        """Never answer: wait for the stop, then drop the connection without a response."""
        assert self._stopping is not None
        await self._stopping.wait()
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError
