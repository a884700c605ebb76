"""A drain whose database goes away or is locked for a while (issue 17): it goes on once the
database is back, or stops cleanly; no mail is lost, at most one per connection arrives twice,
and no row is left claimed."""

import sqlite3
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from storage.database import make_engine, session_factory
from storage.migrate import upgrade
from tests.conftest import POSTGRES_SERVER
from tests.test_sender import (
    Inbox,
    ids_of,
    pool,
    run,
    send,
    smtp_server,
    statuses,
    until_settled,
)
from tests.test_sender import (
    queue_deliveries as queue,
)

CLAIMED = {"sending", "resending"}
POOL = 2


class Interrupting(Inbox):
    """Accepts every message; after the ``at``-th, runs ``interrupt`` once."""

    def __init__(self, at: int, interrupt: Any) -> None:
        super().__init__()
        self.at, self.interrupt, self.done = at, interrupt, False

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        reply = await super().handle_DATA(server, session, envelope)
        if len(self.received) >= self.at and not self.done:
            self.done = True
            self.interrupt()
        return reply


def drained(sessions: sessionmaker[Session], inbox: Inbox) -> None:
    async def scenario() -> None:
        async with smtp_server(inbox) as (port, _connections), pool(port, size=POOL) as smtp:
            await send(sessions, smtp)
            await until_settled(sessions, smtp)
    run(scenario)


def assert_nothing_lost(sessions: sessionmaker[Session], inbox: Inbox, ids: list[int]) -> None:
    counts = inbox.count()
    assert set(counts) == set(ids_of(ids))  # every mail arrived
    assert sum(counts.values()) - len(ids) <= POOL  # at most one twice per connection
    final = statuses(sessions)
    assert not set(final.values()) & CLAIMED and set(final.values()) == {"sent"}


def test_the_drain_outlives_its_postgresql_connections_being_cut(postgres_url: str) -> None:
    name = f"trews_cut_{uuid.uuid4().hex[:10]}"
    engine = make_engine(f"{postgres_url}&application_name={name}")
    upgrade(engine)
    sessions = session_factory(engine)
    ids = queue(sessions, 30)
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")

    def cut() -> None:  # only this test's connections: others test on the same server
        with admin.connect() as connection:
            cut_off = connection.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :name"), {"name": name}).scalar()
        assert cut_off

    inbox = Interrupting(10, cut)
    drained(sessions, inbox)
    assert inbox.done
    assert_nothing_lost(sessions, inbox, ids)
    admin.dispose()
    engine.dispose()


def test_the_drain_waits_out_a_locked_sqlite_database(tmp_path: Path) -> None:
    path = tmp_path / "trews.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    sessions = session_factory(engine)
    ids = queue(sessions, 30)
    released = threading.Event()

    def lock_for_a_while() -> None:  # another program holds the write lock for 3 s
        holder = sqlite3.connect(path, check_same_thread=False)
        holder.execute("BEGIN EXCLUSIVE")
        threading.Timer(3.0, lambda: (holder.rollback(), holder.close(), released.set())).start()

    inbox = Interrupting(10, lock_for_a_while)
    drained(sessions, inbox)
    assert inbox.done and released.wait(10)
    assert_nothing_lost(sessions, inbox, ids)
    engine.dispose()


@pytest.fixture(autouse=True)
def _short_sqlite_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite waits 5 s for a lock by default; shorter here, so the retries are what is tested."""
    import storage.database as database

    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 500)
