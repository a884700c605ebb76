"""One source's crawl in a child process (Scrapy), with a hard timeout, and how it ended.

`crawl` says whether the child ended normally (a crawl that dies or is killed is recorded as a
failed run here); the child records its own run (crawlers.extensions), which fails on HTTP,
parse or store errors although Scrapy then exits 0: `recorded_outcome` tells a command so.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from config import Settings
from storage.database import transaction
from storage.sources import abandon_running, interrupt_running, run_since

if TYPE_CHECKING:
    from scheduler import Service

logger = logging.getLogger("trews")


@dataclass(frozen=True)
class CrawlResult:
    source_id: str
    ok: bool
    detail: str


def crawl_environment(settings: Settings) -> dict[str, str]:
    """The child crawl sees this process's settings, whatever their origin (env or overrides)."""
    env = dict(os.environ)
    env.update({
        "SCRAPY_SETTINGS_MODULE": "crawlers.settings",
        "TREWS_DATA_DIR": str(settings.data_dir),
        "TREWS_DATABASE_URL": settings.db_url,
        "TREWS_SOURCES_FILE": str(settings.sources_file),
        "TREWS_BACKFILL_DAYS": str(settings.backfill_days),
        "TREWS_CONTACT_URL": settings.contact_url,
        "TREWS_CRAWL_DELAY_S": str(settings.crawl_delay_s),
        "TREWS_DOWNLOAD_MAX_BYTES": str(settings.download_max_bytes),
    })
    return env


async def crawl(service: Service, source_id: str, since: date | None = None) -> CrawlResult:
    """Run one source's spider in a child process, so a hung or leaking spider can be killed
    without touching the service's event loop; its log goes to data_dir/logs/<source>.log."""
    log_dir = service.settings.data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "scrapy", "crawl", source_id]
    if since is not None:
        command += ["-a", f"since={since.isoformat()}"]
    with (log_dir / f"{source_id}.log").open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            *command, stdout=log, stderr=log, env=crawl_environment(service.settings),
            start_new_session=True,
        )
        try:
            code = await asyncio.wait_for(process.wait(), service.settings.crawl_timeout_s)
        except (TimeoutError, asyncio.CancelledError) as stopped:
            # Hung, or the service is stopping: the crawl is in a session of its own, so
            # nothing else would stop it writing after the service has gone.
            os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
            if not isinstance(stopped, TimeoutError):
                with transaction(service.sessions) as session:
                    interrupt_running(session, source_id)
                raise
            return _crawl_failed(service, source_id,
                                 f"killed after {service.settings.crawl_timeout_s:.0f} s")
    if code != 0:
        return _crawl_failed(service, source_id, f"crawl exited with status {code}")
    return CrawlResult(source_id, True, "ok")


def recorded_outcome(service: Service, result: CrawlResult, started: datetime) -> CrawlResult:
    """`result` failed when the run its child recorded since `started` failed: a command that
    crawls once must not say "ok" for a crawl that lost items."""
    if not result.ok:
        return result
    with service.sessions() as session:
        run = run_since(session, result.source_id, started)
        if run is None or run.status in ("ok", "degraded"):
            return result
        return CrawlResult(result.source_id, False, run.error or f"run {run.status}")


def _crawl_failed(service: Service, source_id: str, reason: str) -> CrawlResult:
    with transaction(service.sessions) as session:
        abandon_running(session, source_id, reason)
    logger.error("%s: %s (log: %s)", source_id, reason,
                 service.settings.data_dir / "logs" / f"{source_id}.log")
    return CrawlResult(source_id, False, reason)
