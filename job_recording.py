"""A job of the service run once: timed, its outcome recorded (storage.job_runs) and said in one
log line, a failure recorded rather than raised, so the service goes on."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from storage.database import transaction
from storage.job_runs import Outcome, record_job_run
from storage.timeutil import utcnow

logger = logging.getLogger("trews")
job_logger = logging.getLogger("trews.jobs")
JobCounts = dict[str, Any]


async def run_recorded(sessions: sessionmaker[Session], job_id: str,
                       work: Callable[[], Awaitable[JobCounts]]) -> None:
    """Run a job, then record its outcome and log one line; a failure is recorded, not raised."""
    started, clock = utcnow(), time.monotonic()
    counts: JobCounts | None = None
    error, failure = None, None
    try:
        counts = await work()
    except Exception as exc:  # noqa: BLE001 - a failing job is recorded and the service goes on
        error, failure = f"{type(exc).__name__}: {exc}", sys.exc_info()
    except asyncio.CancelledError:
        # The service is stopping: not a failure of the job, and nothing more to do.
        job_logger.info("job %s stopped with the service", job_id, extra={"job_id": job_id})
        return
    outcome = Outcome(job_id, started, utcnow(), error, counts)
    try:
        failures = await asyncio.to_thread(record_run, sessions, outcome)
    except Exception:  # noqa: BLE001 - the database may be what failed; the log still says so
        logger.exception("could not record the run of job %s", job_id)
        failures = None
    log_run(outcome, time.monotonic() - clock, failures, failure)


def record_run(sessions: sessionmaker[Session], outcome: Outcome) -> int:
    with transaction(sessions) as session:
        return record_job_run(session, outcome).consecutive_failures


def log_run(outcome: Outcome, duration_s: float, failures: int | None, exc_info: Any) -> None:
    """The run's one log line, its facts also as fields (keys of the JSON log format)."""
    counts = outcome.counts or {}
    fields = {"job_id": outcome.job_id, "outcome": "failed" if outcome.error else "ok",
              "duration_s": round(duration_s, 3), "consecutive_failures": failures,
              "counts": counts}
    if outcome.error is None:
        shown = " ".join(f"{key}={value}" for key, value in counts.items())
        job_logger.info("job %s ok in %.2f s: %s", outcome.job_id, duration_s, shown or "-",
                        extra=fields)
    else:
        job_logger.error("job %s failed in %.2f s (%s in a row): %s", outcome.job_id,
                         duration_s, failures if failures is not None else "?", outcome.error,
                         exc_info=exc_info, extra=fields)
