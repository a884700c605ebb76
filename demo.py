"""`trews demo`: the whole flow offline, on real recorded sources, into a local mail server.

The historic US case lists are loaded first, so crawled notices join the cases they continue. A
replay server serves the recorded responses, the spiders crawl it, the rule engine analyses and
matches against the example subscribers, and alerts go by SMTP to a capture server that writes
every received message into the outbox folder; then every other kind of mail follows
(demo_mail.py). The demo's world lives where demo_settings.py says, and its mails link to the
address its web pages are served on.
"""

import asyncio
import contextlib
import itertools
import logging
import shutil
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import uvicorn
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.capture import MailCapture
from alerts.message import mail_kind
from alerts.subscribers import import_subscribers
from alerts.transport import SmtpTransport
from config import Settings, load_sources
from crawl_process import CrawlResult
from demo_mail import send_the_other_kinds
from demo_settings import DEMO_DATABASE, demo_settings, demo_url
from replay import DEFAULT_MANIFEST, ReplayServer, recorded_since
from replay.publishing import (
    SEARCH_DOCUMENT,
    SEARCH_FILE,
    SEARCH_PATH,
    SEARCH_QUERY,
    new_document,
    recorded_document,
)
from replay.server import DEFAULT_LIFETIME_S
from scheduler import Service, refresh_risk_watch, run_cycle, serve
from storage.database import make_engine
from storage.history import bundled_lists, import_history
from storage.instance_lock import service_lock, sqlite_lock_file
from storage.models import CrawlRun, Notice
from web.app import create_app

logger = logging.getLogger("trews.demo")


@dataclass(frozen=True)
class SourceCount:
    source_id: str
    status: str
    items: int
    new: int
    error: str | None


@dataclass(frozen=True)
class DemoSummary:
    crawls: list[SourceCount]
    notices: int
    trade_remedy: int
    vietnam: int
    matches: int
    mails: int
    historic_cases: int
    historic_vietnam: int
    recipients: list[str]
    outbox: Path
    data_dir: Path
    # the address the web pages are to be served on, which every link in the mails starts with
    public_url: str
    # the mails received by kind (alerts.message.KIND_HEADER: "alert", "digest-weekly", ...)
    kinds: dict[str, int]
    # alerts that carry their notice's deadlines as an .ics
    calendars: int = 0


def replayed_sources_file(settings: Settings, base_url: str, target: Path,
                          intervals: dict[str, int] | None = None) -> Path:
    """A copy of sources.yaml whose URLs point at the replay server (same paths), with the
    polling intervals of ``intervals`` (minutes) where given."""
    local = urlsplit(base_url)
    sources = {}
    for source_id, source in load_sources(settings.sources_file).items():
        parts = urlsplit(str(source.url))
        sources[source_id] = source.model_dump(mode="json") | {
            "url": urlunsplit((local.scheme, local.netloc, parts.path, parts.query, ""))
        }
        if intervals and source_id in intervals:
            sources[source_id]["interval_minutes"] = intervals[source_id]
    target.write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True), encoding="utf-8")
    return target


def recordings_since(source_ids: Iterable[str]) -> dict[str, date]:
    """Each source's window on the replay recordings: the FR sources share the top-level
    recordings (group ""), every other source has its own folder."""
    groups = recorded_since(DEFAULT_MANIFEST)
    return {key: groups[key] if key in groups else groups[""] for key in source_ids
            if key in groups or "" in groups}


def last_run_count(session: Session, result: CrawlResult) -> SourceCount:
    """What the source's crawl of this cycle fetched, as its run recorded it."""
    run = session.scalars(select(CrawlRun).where(CrawlRun.source_id == result.source_id)
                          .order_by(CrawlRun.id.desc())).first()
    if run is None:
        return SourceCount(result.source_id, "failed", 0, 0, result.detail)
    return SourceCount(result.source_id, run.status, run.items_scraped, run.items_new, run.error)


async def run_demo(settings: Settings, outbox: Path | None = None,
                   public_url: str | None = None) -> DemoSummary:
    """Run one full cycle on a fresh demo database under data_dir/demo, its mails linking to
    `public_url` (default: the address `trews demo --serve` listens on)."""
    async with demo_site(settings, outbox, public_url=public_url) as site:
        return await demo_cycle(site)


@dataclass(frozen=True)
class DemoSite:
    """The demo's world: its settings, service, replay server and mail capture."""

    settings: Settings
    service: Service
    replay: ReplayServer
    capture: MailCapture
    outbox: Path
    # The demo database's service lock (storage.instance_lock), taken before the old demo is
    # cleared away: held until the demo ends, or closed when scheduler.serve takes it over.
    lock: contextlib.ExitStack


@asynccontextmanager
async def demo_site(settings: Settings, outbox: Path | None = None,
                    intervals: dict[str, int] | None = None,
                    lifetime_s: float = DEFAULT_LIFETIME_S,
                    public_url: str | None = None) -> AsyncIterator[DemoSite]:
    """A fresh demo database where demo_settings puts it, the recorded sources served by a
    replay server (which stops by itself after ``lifetime_s``), mail to a capture server writing
    into the outbox folder; ``intervals`` overrides sources' polling intervals (minutes).
    storage.instance_lock.AlreadyRunning when a service (`trews demo --serve`, `trews --demo
    run`) holds the demo database: its folder is then left as it is."""
    placed = demo_settings(settings, public_url)
    demo_dir = placed.data_dir
    outbox = (outbox or demo_dir / "outbox").resolve()
    with contextlib.ExitStack() as lock:
        lock.enter_context(service_lock(make_engine(placed.db_url)))
        clear_folder(demo_dir, keep=sqlite_lock_file(demo_dir / DEMO_DATABASE))
        shutil.rmtree(outbox, ignore_errors=True)
        async with (ReplayServer(DEFAULT_MANIFEST, lifetime_s=lifetime_s) as replay,
                    MailCapture(outbox) as capture):
            sources_file = replayed_sources_file(settings, replay.base_url,
                                                 demo_dir / "sources.yaml", intervals)
            running = placed.model_copy(update={
                "sources_file": sources_file, "smtp_host": "127.0.0.1",
                "smtp_port": capture.port,
                "crawl_delay_s": 0.0,  # the replay server is local: no need to be polite
            })
            yield DemoSite(running, Service.load(running), replay, capture, outbox, lock)


def clear_folder(folder: Path, keep: Path) -> None:
    """Everything in `folder` removed but `keep` (a lock file held now)."""
    folder.mkdir(parents=True, exist_ok=True)
    for child in folder.iterdir():
        if child == keep:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


async def demo_cycle(site: DemoSite) -> DemoSummary:
    """The historic cases, the example subscribers, one cycle of every source, the risk watch's
    list and the warnings it owes, then every other kind of mail (demo_mail)."""
    service, capture = site.service, site.capture
    history = import_history(service.sessions, bundled_lists())
    import_subscribers(service.sessions, site.settings.subscribers_file,
                       {sector.id for sector in service.sectors})
    transport = SmtpTransport(host="127.0.0.1", port=capture.port, timeout=30)
    enabled = [key for key, source in service.sources.items() if source.enabled]
    since = recordings_since(enabled)
    crawls, report, _sent = await run_cycle(service, enabled, transport, since=since)
    # the risk watch on the history and the cases just crawled, before the digests that show it
    await asyncio.to_thread(refresh_risk_watch, service)
    with service.sessions() as session:
        notices = session.scalar(select(func.count(Notice.id))) or 0
        counts = [last_run_count(session, result) for result in crawls]
    await send_the_other_kinds(service, site.replay, transport, since)
    return DemoSummary(
        crawls=counts, notices=notices, trade_remedy=report.trade_remedy,
        vietnam=report.vietnam, matches=report.matches, mails=len(capture.received),
        historic_cases=history.cases, historic_vietnam=history.vietnam,
        recipients=sorted({rcpt for item in capture.received for rcpt in item.recipients}),
        outbox=site.outbox, data_dir=site.settings.data_dir,
        public_url=site.settings.public_url,
        kinds=dict(sorted(Counter(mail_kind(item.message) or "other"
                                  for item in capture.received).items())),
        calendars=sum(1 for item in capture.received if _alert_with_calendar(item.message)),
    )


def _alert_with_calendar(message: EmailMessage) -> bool:
    """An alert that carries its notice's deadlines as an .ics (reminders always carry one)."""
    return mail_kind(message) == "alert" and any(
        part.get_content_type() == "text/calendar" for part in message.walk())


# In `--serve`, the Federal Register sources are polled every minute, so what appears on the
# replay server reaches the inbox and the dashboard while you watch.
WATCHED_INTERVALS = {"us_fr_documents": 1, "us_fr_public_inspection": 1}
# New notices appear on the replay server while it runs, made from these real ones of the
# recorded FR page (replay.publishing): paper shopping bags (AD preliminary, 2024-01-03) and
# frozen warmwater shrimp (sunset continuation, 2024-01-11), both on Vietnam.
DRIPPED = (SEARCH_DOCUMENT, "2024-00396")
SERVE_HOURS = 12  # the replay server still stops by itself, after a working day


class _Web(uvicorn.Server):
    """uvicorn without signal handlers of its own: the service's handlers stop both."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_demo(settings: Settings, outbox: Path | None, host: str, port: int,
                     shown: Callable[[DemoSummary, str], None], every_s: float = 120) -> None:
    """`trews demo --serve`: the demo cycle, then the service (scheduler.serve) on the replay
    server and the mail capture, and the web front end on the demo database, until Ctrl-C or
    SIGTERM, while a new notice appears on the replay server every `every_s` seconds (the
    first at once); `shown` gets the summary and the web address once everything is up."""
    async with demo_site(settings, outbox, WATCHED_INTERVALS, SERVE_HOURS * 3600,
                         demo_url(host, port)) as site:
        summary = await demo_cycle(site)
        stop = asyncio.Event()
        web = _Web(uvicorn.Config(create_app(site.settings, sessions=site.service.sessions),
                                  host=host, port=port, log_level="warning",
                                  server_header=False))

        async def stop_web_with_service() -> None:
            await stop.wait()
            web.should_exit = True

        site.lock.close()  # the service takes the demo database over, under its own lock
        service = asyncio.create_task(serve(site.settings, stop))
        service.add_done_callback(lambda _done: stop.set())  # a service that fails stops all
        stopper = asyncio.create_task(stop_web_with_service())
        publisher = asyncio.create_task(publish_now_and_then(site.replay, stop, every_s))
        shown(summary, f"http://{host}:{port}/")
        try:
            await web.serve()
        finally:
            stop.set()
            await asyncio.gather(service, stopper, publisher)


async def publish_now_and_then(replay: ReplayServer, stop: asyncio.Event, every_s: float) -> None:
    """Publish a new FR document on the replay server now and every `every_s` seconds, each
    derived from the next of DRIPPED, as the Federal Register publishing would."""
    recorded = [recorded_document(SEARCH_FILE, number) for number in DRIPPED]
    for n in itertools.count():
        document = new_document(recorded[n % len(recorded)], n, datetime.now(UTC))
        replay.publish(SEARCH_PATH, [document], SEARCH_QUERY)
        logger.info("new on the replay server: FR %s, %s", document["document_number"],
                    document["title"])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every_s)
        if stop.is_set():
            return
