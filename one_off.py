"""The one-off runs that crawl or send (`trews run --once`, `trews crawl`): each holds the
service lock (storage.instance_lock) for its whole length, as `trews run` does, so none runs
beside a live service on the same database, nor beside another one-off.
"""

import asyncio
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import func, select

from config import Settings
from crawl_process import CrawlResult, crawl, recorded_outcome
from scheduler import Service, run_cycle
from storage.database import make_engine
from storage.instance_lock import service_lock
from storage.models import Notice
from storage.shards import Shard
from storage.timeutil import utcnow

Echo = Callable[..., None]


@contextmanager
def locked_service(settings: Settings, shard: Shard | None = None) -> Iterator[Service]:
    """The loaded service, its database held (as `shard`, by default alone) until the block
    ends; storage.instance_lock.AlreadyRunning or storage.shards.ShardError before any work."""
    engine = make_engine(settings.db_url)
    try:
        with service_lock(engine, shard):
            yield Service.load(settings, shard)
    finally:
        engine.dispose()


def run_once(settings: Settings, shard: Shard, echo: Echo) -> list[CrawlResult]:
    """One cycle of every enabled source of `shard`, each crawl's outcome and the totals shown;
    the crawls that failed."""
    with locked_service(settings, shard) as service:
        enabled = [key for key, source in service.sources.items() if source.enabled]
        started = utcnow()
        crawls, report, sent = asyncio.run(run_cycle(service, shard.sources(enabled)))
        crawls = [recorded_outcome(service, result, started) for result in crawls]
    for result in crawls:
        echo(f"{result.source_id}: {result.detail}")
    echo(f"analysed {report.analysed}, quarantined {report.quarantined}, "
         f"queued {report.queued}, sent {sent.sent}, deferred {sent.deferred}, "
         f"failed {sent.failed}")
    return [result for result in crawls if not result.ok]


def crawl_sources(settings: Settings, names: tuple[str, ...], since: date | None,
                  echo: Echo) -> list[CrawlResult]:
    """Crawl `names` one after the other (from `since`, else incrementally) with a live count
    of what each stores; the crawls that failed."""
    with locked_service(settings) as service:
        return asyncio.run(_crawl_all(service, names, since, echo))


async def _crawl_all(service: Service, names: tuple[str, ...], since: date | None,
                     echo: Echo) -> list[CrawlResult]:
    failed = []
    for name in names:
        watcher = asyncio.create_task(show_progress(service, name, echo))
        started = utcnow()
        try:
            result = await crawl(service, name, since)
        finally:
            watcher.cancel()
        result = recorded_outcome(service, result, started)
        echo(f"\r{name}: {result.detail}, {stored_count(service, name)} notices stored in all"
             + " " * 10)
        if not result.ok:
            failed.append(result)
    return failed


def stored_count(service: Service, source_id: str) -> int:
    with service.sessions() as session:
        return session.scalar(
            select(func.count(Notice.id)).where(Notice.source_id == source_id)) or 0


async def show_progress(service: Service, source_id: str, echo: Echo,
                        every_s: float = 1.0) -> None:
    """A live count of the notices stored while a (back)fill runs in its child process."""
    before = await asyncio.to_thread(stored_count, service, source_id)
    started = asyncio.get_running_loop().time()
    interactive = sys.stdout.isatty()
    while True:
        await asyncio.sleep(every_s if interactive else 10 * every_s)
        added = await asyncio.to_thread(stored_count, service, source_id) - before
        elapsed = asyncio.get_running_loop().time() - started
        line = f"{source_id}: {added} new notices, {elapsed:.0f} s"
        echo(f"\r{line}" if interactive else line, nl=not interactive)
