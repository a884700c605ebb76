"""The service's memory of its own jobs: every run, failures in a row, and the operator told once.

A job that fails ``FAILURES_BEFORE_ALERT`` times in a row queues one operator alert, and one
more when it next succeeds; the runs in between queue nothing, so a job failing every minute
for a day sends two mails, not 1,440.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.orm import Session

from storage.models import JobRun, OperatorAlert

FAILURES_BEFORE_ALERT = 3


@dataclass(frozen=True)
class Outcome:
    """How one run ended: ``error`` None means it succeeded."""

    job_id: str
    started_at: datetime
    finished_at: datetime
    error: str | None = None
    counts: dict[str, Any] | None = None


def record_job_run(session: Session, outcome: Outcome) -> JobRun:
    """Store the run with its failures in a row; queue the operator alert when the streak
    reaches the threshold, and the recovery when a run succeeds after such a streak."""
    previous = last_run(session, outcome.job_id)
    streak = previous.consecutive_failures if previous else 0
    failures = streak + 1 if outcome.error is not None else 0
    if failures == FAILURES_BEFORE_ALERT:
        session.add(OperatorAlert(
            job_id=outcome.job_id, kind="job_failing", reason=outcome.error, count=failures,
            since_at=streak_start(session, outcome.job_id) or outcome.started_at))
    elif failures == 0 and streak >= FAILURES_BEFORE_ALERT:
        session.add(OperatorAlert(job_id=outcome.job_id, kind="job_recovered",
                                  since_at=outcome.finished_at, count=streak))
    run = JobRun(job_id=outcome.job_id, started_at=outcome.started_at,
                 finished_at=outcome.finished_at, outcome="failed" if outcome.error else "ok",
                 error=outcome.error, consecutive_failures=failures, counts=outcome.counts)
    session.add(run)
    session.flush()
    return run


def last_run(session: Session, job_id: str) -> JobRun | None:
    return session.scalars(select(JobRun).where(JobRun.job_id == job_id)
                           .order_by(JobRun.id.desc()).limit(1)).first()


def streak_start(session: Session, job_id: str) -> datetime | None:
    """When the current run of failures began: the start of its first failed run."""
    return session.scalars(select(JobRun.started_at).where(
        JobRun.job_id == job_id, JobRun.consecutive_failures == 1,
    ).order_by(JobRun.id.desc()).limit(1)).first()


def last_runs(session: Session) -> list[JobRun]:
    """The latest run of every job that has run, by job id."""
    latest = select(func.max(JobRun.id)).group_by(JobRun.job_id)
    return list(session.scalars(select(JobRun).where(JobRun.id.in_(latest))
                                .order_by(JobRun.job_id)))


def prune_job_runs(session: Session, before: datetime) -> int:
    """Forget runs older than `before`, except each job's latest (its streak lives there)."""
    latest = select(func.max(JobRun.id)).group_by(JobRun.job_id)
    result = session.execute(delete(JobRun).where(
        JobRun.started_at < before, JobRun.id.not_in(latest)))
    return cast(CursorResult[Any], result).rowcount
