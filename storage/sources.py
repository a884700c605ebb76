"""Source rows and crawl runs: the memory that makes crawls incremental and sources watched."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.sources import Source as SourceConfig
from storage.models import CrawlRun, OperatorAlert, Source
from storage.timeutil import utcnow

DEFAULT_MAX_EMPTY_RUNS = 5


def sync_sources(session: Session, configured: dict[str, SourceConfig]) -> None:
    """Make the source table mirror sources.yaml, keeping each source's health history."""
    for source_id, cfg in configured.items():
        row = session.get(Source, source_id) or Source(id=source_id)
        row.market, row.authority, row.kind, row.url = (
            cfg.market, cfg.authority, cfg.kind, str(cfg.url)
        )
        session.add(row)


def crawl_since(session: Session, source_id: str, backfill_days: int, zone: ZoneInfo,
                now: datetime | None = None) -> date:
    """The first publication date to ask for: the day of the last successful run, in the
    publisher's zone (one day of overlap is harmless, storage is idempotent), or a backfill."""
    now = now or utcnow()
    row = session.get(Source, source_id)
    if row is not None and row.last_success_at is not None:
        return row.last_success_at.astimezone(zone).date()
    return (now.astimezone(zone) - timedelta(days=backfill_days)).date()


def start_run(session: Session, source_id: str, since: date | None) -> CrawlRun:
    run = CrawlRun(source_id=source_id, started_at=utcnow(), status="running", since=since)
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, run: CrawlRun, *, ok: bool, error: str | None = None,
               max_empty_runs: int = DEFAULT_MAX_EMPTY_RUNS, degraded: str | None = None,
               note: str | None = None) -> None:
    """Close a run, fold it into the source's health counters, and judge the source's health.

    A run that read a list in degraded mode (`degraded`: why) kept its notices but not the
    source's since-date: once the spider reads the page again, it asks from the last good run.
    A `note` (notices kept without their PDF's text) leaves the run ok but is its reason and the
    source's, so `trews sources` shows it until a run without one.
    """
    run.finished_at = utcnow()
    run.status = "failed" if not ok else "degraded" if degraded else "ok"
    run.error = error if not ok else "; ".join(part for part in (degraded, note) if part) or None
    source = session.get(Source, run.source_id)
    if source is None:
        return
    source.last_run_at = run.finished_at
    source.last_status = run.status
    source.last_error = error
    source.items_last_run = run.items_scraped
    if ok:
        if not degraded:
            source.last_success_at = run.started_at
        source.consecutive_failures = 0
        source.consecutive_empty_runs = (
            source.consecutive_empty_runs + 1 if run.items_scraped == 0 else 0
        )
    else:
        source.consecutive_failures += 1
    failing = failing_because(source, error, max_empty_runs)
    judge_health(session, source, failing, None if failing else degraded, note)


def failing_because(source: Source, error: str | None, max_empty_runs: int) -> str | None:
    """Why the source is failing after its last run, or None when it is healthy: a failed run
    (HTTP or parse errors, a crash or a timeout), or too many runs in a row that found nothing,
    the usual sign of a redesigned page that still answers 200."""
    if source.last_status == "failed":
        return error or "the last crawl failed"
    if source.consecutive_empty_runs >= max_empty_runs:
        return f"no items in {source.consecutive_empty_runs} runs in a row (page layout changed?)"
    return None


def judge_health(session: Session, source: Source, reason: str | None,
                 degraded: str | None = None, note: str | None = None) -> None:
    """Record the source's health ("failing" for `reason`, else "degraded" for `degraded`, else
    "ok", with `note` as its reason); on a change of health queue exactly one operator alert."""
    health = "failing" if reason else "degraded" if degraded else "ok"
    source.health_reason = reason or degraded or note
    if health == source.health:
        return
    source.health, source.health_changed_at = health, utcnow()
    kind = "recovered" if health == "ok" else health
    session.add(OperatorAlert(source_id=source.id, kind=kind, reason=reason or degraded))


def list_sources(session: Session) -> list[Source]:
    return list(session.scalars(select(Source).order_by(Source.id)))


def run_since(session: Session, source_id: str, started: datetime) -> CrawlRun | None:
    """The source's latest run started at or after `started`: the one a crawl launched then
    recorded, if it recorded any."""
    return session.scalars(
        select(CrawlRun).where(CrawlRun.source_id == source_id, CrawlRun.started_at >= started)
        .order_by(CrawlRun.id.desc())).first()


def interrupt_running(session: Session, source_id: str) -> int:
    """Close the runs of a crawl stopped with the service as "interrupted": not a failure of the
    source (its health and counters stay as they were), but no longer shown as running."""
    runs = list(session.scalars(
        select(CrawlRun).where(CrawlRun.source_id == source_id, CrawlRun.status == "running")))
    for run in runs:
        run.finished_at, run.status, run.error = utcnow(), "interrupted", "stopped with the service"
    return len(runs)


def abandon_running(session: Session, source_id: str, reason: str) -> int:
    """Close the runs a killed or crashed crawl left open, so the source shows the failure; a
    crawl that died before it could open a run is recorded as a failed run all the same."""
    runs = list(session.scalars(
        select(CrawlRun).where(CrawlRun.source_id == source_id, CrawlRun.status == "running")
    ))
    if not runs and session.get(Source, source_id) is not None:
        runs = [start_run(session, source_id, None)]
    for run in runs:
        finish_run(session, run, ok=False, error=reason)
    return len(runs)
