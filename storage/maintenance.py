"""Daily upkeep of the database: fold SQLite's write-ahead log back into the file, refresh the
planner's statistics, forget old job runs. PostgreSQL looks after itself (autovacuum)."""

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from storage.database import transaction
from storage.job_runs import prune_job_runs


def checkpoint_sqlite(engine: Engine) -> dict[str, int]:
    """Copy the WAL into the database and truncate it (it otherwise only grows while a reader is
    always open), then let SQLite re-analyse what needs it. Nothing to do on other databases."""
    if engine.dialect.name != "sqlite":
        return {}
    wal = Path(f"{engine.url.database}-wal")
    before = wal.stat().st_size if wal.exists() else 0
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        busy = connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).one()[0]
        connection.execute(text("PRAGMA optimize"))
    # busy 1: a reader or writer kept the checkpoint from finishing; the next day tries again.
    return {"wal_busy": busy, "wal_bytes_before": before,
            "wal_bytes_after": wal.stat().st_size if wal.exists() else 0}


def maintain(sessions: sessionmaker[Session], keep_runs_before: datetime) -> dict[str, Any]:
    """One round of upkeep; returns what it did, for the job's log line."""
    with transaction(sessions) as session:
        pruned = prune_job_runs(session, keep_runs_before)
        engine = session.get_bind()
    assert isinstance(engine, Engine)
    return {"job_runs_pruned": pruned, **checkpoint_sqlite(engine)}
