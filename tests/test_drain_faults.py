"""A drain whose database goes away or is locked for a while, or whose SMTP server is killed
(issue 17): it goes on once they are back, or stops cleanly; no mail is lost, at most one per
connection arrives twice, and no row is left claimed."""

import asyncio
import sqlite3
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP as SMTPServerProtocol
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


def test_the_smtp_server_killed_mid_drain_loses_nothing(
        sessions: sessionmaker[Session]) -> None:
    ids = queue(sessions, 30)
    servers: list[asyncio.Server] = []
    connections: list[SMTPServerProtocol] = []

    def kill() -> None:  # the server process dies: no more answers, no more connections
        servers[-1].close()
        for connection in connections:
            if connection.transport is not None:
                connection.transport.abort()

    inbox = Interrupting(10, kill)

    def accept() -> SMTPServerProtocol:
        connections.append(SMTPServerProtocol(inbox, hostname="trews.test"))
        return connections[-1]

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        servers.append(await loop.create_server(accept, "127.0.0.1", 0))
        port = servers[-1].sockets[0].getsockname()[1]
        async with pool(port, size=POOL) as smtp:
            await send(sessions, smtp)
        assert inbox.done and not set(statuses(sessions).values()) & CLAIMED
        servers.append(await loop.create_server(accept, "127.0.0.1", port))  # back, same port
        async with pool(port, size=POOL) as smtp:
            await until_settled(sessions, smtp)
        servers[-1].close()

    run(scenario)
    assert_nothing_lost(sessions, inbox, ids)
