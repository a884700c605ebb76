"""What the operator asks first: is it running, is anything stuck, is any source failing."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import MetaData, Table, func, inspect, select
from sqlalchemy.orm import Session

from storage.job_runs import last_runs
from storage.models import Delivery, JobRun, OperatorAlert, Source
from storage.quarantine import Quarantined, latest_quarantined, quarantined_count
from storage.shards import Shard
from storage.timeutil import utcnow


@dataclass(frozen=True)
class ServiceStatus:
    jobs: list[tuple[str, datetime | None]]
    outbox: dict[str, int]
    sent_today: int
    operator_alerts_queued: int
    failing: list[tuple[str, str | None]]
    last_runs: list[JobRun] = field(default_factory=list)
    quarantined: int = 0
    latest_quarantined: list[Quarantined] = field(default_factory=list)


def scheduled_jobs(session: Session) -> list[tuple[str, datetime | None]]:
    """Each job of the persistent job stores (one per shard, storage.shards) with its next run
    (None: paused); a shard's jobs are marked with the shard."""
    bind = session.get_bind()
    found = []
    for table in sorted(inspect(bind).get_table_names()):
        shard = Shard.of_job_table(table)
        if shard is None:
            continue
        jobs = Table(table, MetaData(), autoload_with=bind)
        for job_id, when in session.execute(select(jobs.c.id, jobs.c.next_run_time)
                                            .order_by(jobs.c.id)):
            found.append((job_id if shard.alone else f"{job_id} [{shard.name}]",
                          datetime.fromtimestamp(when, ZoneInfo("UTC")) if when else None))
    return found


def service_status(session: Session, zone: ZoneInfo) -> ServiceStatus:
    """Jobs, the outbox by status, mails sent since midnight in `zone`, failing sources, the
    last run of every job, and the notices quarantined (how many, the latest)."""
    now = utcnow().astimezone(zone)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    outbox = dict(session.execute(
        select(Delivery.status, func.count(Delivery.id)).group_by(Delivery.status)).all())
    sent_today = session.scalar(select(func.count(Delivery.id)).where(
        Delivery.status == "sent", Delivery.sent_at >= midnight,
        Delivery.sent_at < midnight + timedelta(days=1))) or 0
    queued_alerts = session.scalar(select(func.count(OperatorAlert.id)).where(
        OperatorAlert.status == "queued")) or 0
    failing = [(row.id, row.health_reason) for row in session.scalars(
        select(Source).where(Source.health == "failing").order_by(Source.id))]
    return ServiceStatus(scheduled_jobs(session), outbox, sent_today, queued_alerts, failing,
                         last_runs(session), quarantined_count(session),
                         latest_quarantined(session))
