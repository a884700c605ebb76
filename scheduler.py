"""The TREWS service: what runs when. Composes crawlers, rules and alerts into one cycle.

crawl (a child process per source, with a hard timeout) -> analyse new notices -> match them
against subscriptions -> queue deliveries (transactional outbox) -> send. `trews run` schedules
each source's cycle on its interval with APScheduler; `trews demo` runs one cycle offline.
"""

import asyncio
import logging
import re
import signal
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import wraps
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.orm import Session, sessionmaker

from alerts.deliveries import delivery_renderers as renderers_for
from alerts.digest_periods import queue_due_digests
from alerts.send_policy import SendPolicy, transport_for
from alerts.sender import (
    DrainReport,
    Render,
    drain,
    drain_operator_alerts,
)
from alerts.transport import TransientMailError, Transport
from analysis_run import AnalyseReport, analyse_pending
from config import Sector, Settings, Source, load_sectors, load_sources
from crawl_process import CrawlResult, crawl
from job_recording import JobCounts, run_recorded
from storage.database import make_engine, session_factory, transaction
from storage.follows import queue_reminders
from storage.instance_lock import service_lock
from storage.maintenance import maintain
from storage.migrate import upgrade
from storage.outbox_backlog import Backlog, judge_outbox
from storage.risk import refresh_risk
from storage.risk_watch import queue_risk_warnings
from storage.shards import Shard
from storage.sources import sync_sources
from storage.timeutil import utcnow

logger = logging.getLogger("trews")


@dataclass
class Service:
    """The loaded configuration and database of one TREWS process."""

    settings: Settings
    sessions: sessionmaker[Session]
    sources: dict[str, Source]
    sectors: list[Sector]
    # This process's share of the work when several services share one PostgreSQL database.
    shard: Shard = field(default_factory=Shard)
    # Shared by every job of the process: crawls take a slot (a few child processes at a time),
    # analysis runs one batch at a time (two would race to queue the same deliveries).
    _crawl_slots: asyncio.Semaphore | None = field(default=None, repr=False)
    _analysis: asyncio.Lock | None = field(default=None, repr=False)
    # One run of a job at a time, whatever triggered it (a source's interval or its clock times).
    _job_locks: dict[str, asyncio.Lock] = field(default_factory=dict, repr=False)

    @property
    def crawl_slots(self) -> asyncio.Semaphore:
        if self._crawl_slots is None:
            self._crawl_slots = asyncio.Semaphore(self.settings.crawl_concurrency)
        return self._crawl_slots

    @property
    def analysis(self) -> asyncio.Lock:
        if self._analysis is None:
            self._analysis = asyncio.Lock()
        return self._analysis

    def job_lock(self, job_id: str) -> asyncio.Lock:
        return self._job_locks.setdefault(job_id, asyncio.Lock())

    @classmethod
    def load(cls, settings: Settings, shard: Shard | None = None) -> "Service":
        """Validate every config file and bring the database up to date, before any work."""
        sources = load_sources(settings.sources_file)
        sectors = load_sectors(settings.sectors_file)
        engine = make_engine(settings.db_url)
        upgrade(engine)
        sessions = session_factory(engine)
        with transaction(sessions) as session:
            sync_sources(session, sources)
        return cls(settings, sessions, sources, sectors, shard or Shard())

    @property
    def sector_names(self) -> dict[str, dict[str, str]]:
        return {sector.id: {"en": sector.name.en, "vi": sector.name.vi} for sector in self.sectors}


def delivery_renderers(service: Service) -> dict[str, Render]:
    """Every kind of subscriber mail (alert, digests, confirmation) rendered from its row."""
    return renderers_for(service.settings, service.sector_names,
                         {key: source.authority for key, source in service.sources.items()})


async def send_queued(service: Service, transport: Transport | None = None) -> DrainReport:
    """Drain the outbox (operator alerts first); a mail server that cannot be reached leaves
    every delivery queued for the next drain."""
    settings = service.settings
    policy = SendPolicy.from_settings(settings)
    try:
        async with transport or transport_for(settings) as connected:
            await drain_operator_alerts(
                service.sessions, connected, mail_from=settings.mail_from,
                recipient=settings.operator_email, language=settings.operator_language,
                timezone=settings.timezone, policy=policy,
            )
            return await drain(
                service.sessions, connected, mail_from=settings.mail_from,
                sector_names=service.sector_names,
                source_names={key: source.authority for key, source in service.sources.items()},
                policy=policy, renderers=delivery_renderers(service),
            )
    except TransientMailError as exc:
        logger.warning("mail server unavailable, deliveries stay queued: %s", exc)
        return DrainReport(errors=[str(exc)])


def queue_digests(service: Service) -> int:
    """Queue the digests whose period has ended (idempotent: one per subscriber and period)."""
    with transaction(service.sessions) as session:
        return queue_due_digests(session, utcnow(), hour=service.settings.digest_hour)


async def run_cycle(service: Service, source_ids: Iterable[str],
                    transport: Transport | None = None, since: Mapping[str, date] | None = None
                    ) -> tuple[list[CrawlResult], AnalyseReport, DrainReport]:
    """Crawl the given sources (a few at a time, each in its own process; from `since[source]`
    when given, else incrementally), then analyse, match and send. A failing source is recorded
    and the others go on."""
    async def crawl_in_slot(source_id: str) -> CrawlResult:
        async with service.crawl_slots:
            return await crawl(service, source_id, (since or {}).get(source_id))

    crawls = list(await asyncio.gather(*(crawl_in_slot(s) for s in source_ids)))
    async with service.analysis:
        report = await asyncio.to_thread(analyse_pending, service)
    sent = await send_queued(service, transport)
    return crawls, report, sent


def check_outbox(service: Service) -> Backlog:
    """Measure the outbox and tell the operator when it backs up or clears."""
    settings = service.settings
    with transaction(service.sessions) as session:
        return judge_outbox(session, utcnow(), timedelta(minutes=settings.outbox_backlog_minutes),
                            settings.outbox_backlog_count)


# The service. Jobs are top-level functions (APScheduler stores them by name); they reach the
# loaded Service through this module-level slot, set once when the service starts.
_running: Service | None = None

"""What a job run did, in its own figures (analysed, sent, ...): logged and stored with the run."""


def running() -> Service:
    assert _running is not None, "the service is not started"
    return _running


def service_job(
    job_id: Callable[..., str],
) -> Callable[[Callable[..., Awaitable[JobCounts]]], Callable[..., Coroutine[Any, Any, None]]]:
    """Make a job's every run recorded (storage.job_runs: outcome, failures in a row, the
    operator alert after three) and logged in one line. ``job_id`` names the run from the job's
    arguments. A failure is recorded and logged here, not raised to APScheduler, which would
    only log it a second time."""
    def decorate(job: Callable[..., Awaitable[JobCounts]]
                 ) -> Callable[..., Coroutine[Any, Any, None]]:
        @wraps(job)
        async def run(*args: Any) -> None:
            service = running()
            name = job_id(*args)
            async with service.job_lock(name):
                await run_recorded(service.sessions, name, lambda: job(*args))
        return run
    return decorate


def cycle_job_id(source_id: str) -> str:
    return f"cycle:{source_id}"


@service_job(cycle_job_id)
async def source_cycle_job(source_id: str) -> JobCounts:
    crawls, report, sent = await run_cycle(running(), [source_id])
    return {"crawl": crawls[0].detail, "analysed": report.analysed, "matches": report.matches,
            "queued": report.queued, "quarantined": report.quarantined, "sent": sent.sent,
            "failed": sent.failed, "deferred": sent.deferred}


def build_scheduler(service: Service) -> AsyncIOScheduler:
    """A scheduler whose jobs live in the application database, so a restart keeps their next
    run times; jobs are added only when missing (re-adding would drop missed runs)."""
    return AsyncIOScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=service.settings.db_url,
                                                 tablename=service.shard.job_table)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone="UTC",
    )


@service_job(lambda: "outbox")
async def outbox_job() -> JobCounts:
    """Drain the outbox between cycles, so retries with backoff go out on time; then see
    whether mail is getting out."""
    service = running()
    report = await send_queued(service)
    backlog = await asyncio.to_thread(check_outbox, service)
    return {"sent": report.sent, "failed": report.failed, "deferred": report.deferred,
            "due": backlog.due}


@service_job(lambda: "digests")
async def digests_job() -> JobCounts:
    """Queue the digests whose period has ended, then send them."""
    service = running()
    queued = await asyncio.to_thread(queue_digests, service)
    if not queued:
        return {"queued": 0}
    report = await send_queued(service)
    return {"queued": queued, "sent": report.sent, "deferred": report.deferred}


def queue_due_reminders(service: Service) -> int:
    """Queue the reminders owed now for followed cases (idempotent: once per deadline, window
    and subscriber)."""
    with transaction(service.sessions) as session:
        return queue_reminders(session, utcnow(), service.settings.reminder_days)


@service_job(lambda: "reminders")
async def reminders_job() -> JobCounts:
    """Queue the reminders owed for followed cases' deadlines, then send them."""
    service = running()
    queued = await asyncio.to_thread(queue_due_reminders, service)
    if not queued:
        return {"queued": 0}
    report = await send_queued(service)
    return {"queued": queued, "sent": report.sent, "deferred": report.deferred}


def refresh_risk_watch(service: Service) -> int:
    """Recompute the risk watch's list, then queue the warnings it owes to the subscribers who
    opted in (storage/risk_watch.py): how many."""
    refresh_risk(service.sessions)
    with transaction(service.sessions) as session:
        return queue_risk_warnings(session, {s.id: list(s.hs) for s in service.sectors},
                                   utcnow())


@service_job(lambda: "risk")
async def risk_job() -> JobCounts:
    """Daily: the risk watch's list and its opt-in warnings, then send them."""
    service = running()
    queued = await asyncio.to_thread(refresh_risk_watch, service)
    if not queued:
        return {"warnings": 0}
    report = await send_queued(service)
    return {"warnings": queued, "sent": report.sent, "deferred": report.deferred}


@service_job(lambda: "maintenance")
async def maintenance_job() -> JobCounts:
    """Daily database upkeep (storage.maintenance)."""
    service = running()
    keep_from = utcnow() - timedelta(days=service.settings.job_runs_keep_days)
    return await asyncio.to_thread(maintain, service.sessions, keep_from)


# (job id, function, interval in minutes, whether every shard runs it or only the first, and
# the minutes from the job's first start to its first run: one interval where None). The risk
# watch's list is looked for from the start (the /risk page), not a day later; the job store
# keeps each job's next run from then on.
SERVICE_JOBS = (("outbox", "scheduler:outbox_job", 1, True, None),
                ("digests", "scheduler:digests_job", 15, False, None),
                ("reminders", "scheduler:reminders_job", 60, False, None),
                ("risk", "scheduler:risk_job", 24 * 60, False, 10),
                ("maintenance", "scheduler:maintenance_job", 24 * 60, False, None))
CLOCK_JOB = re.compile(r"cycle:.+@\d\d:\d\d")


def clock_jobs(sources: Mapping[str, Source]) -> dict[str, tuple[str, CronTrigger]]:
    """The runs at fixed publisher times (a source's ``also_at``) of every enabled source:
    job id ("cycle:<source>@HH:MM") -> (source id, its trigger)."""
    jobs = {}
    for source_id, source in sources.items():
        if not source.enabled or source.also_at is None:
            continue
        at = source.also_at
        for hhmm, hour, minute in at.clock():
            jobs[f"{cycle_job_id(source_id)}@{hhmm}"] = (source_id, CronTrigger(
                day_of_week=at.days, hour=hour, minute=minute, timezone=at.timezone))
    return jobs


def ensure_clock_jobs(scheduler: AsyncIOScheduler, sources: Mapping[str, Source]) -> None:
    """Add the missing clock-time runs, move those whose days or zone changed, and drop those
    no longer configured (their source disabled, or the time gone from ``also_at``)."""
    wanted = clock_jobs(sources)
    for job in scheduler.get_jobs():
        if CLOCK_JOB.fullmatch(job.id) and job.id not in wanted:
            scheduler.remove_job(job.id)
    for job_id, (source_id, trigger) in wanted.items():
        job = scheduler.get_job(job_id)
        if job is None:
            scheduler.add_job("scheduler:source_cycle_job", trigger, args=[source_id], id=job_id)
        elif repr(job.trigger) != repr(trigger):
            scheduler.reschedule_job(job_id, trigger=trigger)


def ensure_jobs(scheduler: AsyncIOScheduler, service: Service) -> None:
    """Add the jobs the store lacks (a restart keeps the others' next run times) and drop those
    no longer this service's: cycles of sources disabled or now another shard's, and the
    once-per-database jobs outside shard 1."""
    for job_id, func, minutes, every_shard, first in SERVICE_JOBS:
        wanted = every_shard or service.shard.first
        if not wanted:
            _remove_job(scheduler, job_id)
        elif scheduler.get_job(job_id) is None:
            # (a next_run_time of None would add the job paused)
            start = {} if first is None else {"next_run_time": utcnow() + timedelta(minutes=first)}
            scheduler.add_job(func, "interval", id=job_id, minutes=minutes, **start)
    owned = set(service.shard.sources(
        [key for key, source in service.sources.items() if source.enabled]))
    ensure_clock_jobs(scheduler, {key: source for key, source in service.sources.items()
                                  if key in owned})
    for source_id, source in service.sources.items():
        job_id = cycle_job_id(source_id)
        if source_id not in owned:
            _remove_job(scheduler, job_id)
        elif scheduler.get_job(job_id) is None:
            scheduler.add_job(
                "scheduler:source_cycle_job", "interval", args=[source_id], id=job_id,
                minutes=source.interval_minutes, next_run_time=utcnow(),
            )


def _remove_job(scheduler: AsyncIOScheduler, job_id: str) -> None:
    if scheduler.get_job(job_id):
        scheduler.remove_job(job_id)


async def serve(settings: Settings, stop: asyncio.Event | None = None,
                shard: Shard | None = None) -> None:
    """Run until SIGTERM or SIGINT (or `stop`), then shut the scheduler down cleanly; only one
    service per database, or one per shard K of one N on a PostgreSQL database
    (storage.shards), else storage.instance_lock.AlreadyRunning."""
    global _running
    shard = shard or Shard()
    engine = make_engine(settings.db_url)
    with service_lock(engine, shard):
        _running = Service.load(settings, shard)
        try:
            await _serve_until_stopped(_running, stop or asyncio.Event())
        finally:
            _running = None


async def _serve_until_stopped(service: Service, stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    scheduler = build_scheduler(service)
    scheduler.start(paused=True)
    ensure_jobs(scheduler, service)
    scheduler.resume()
    logger.info("TREWS service running%s: %d source(s); stop with Ctrl-C",
                f" as {service.shard.name}" if service.shard.name else "",
                len(service.shard.sources(list(service.sources))))
    try:
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
