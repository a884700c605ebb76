"""One service per database (or per shard of it): a second `trews run` says so and exits.

SQLite: an exclusive lock on a file beside the database (released by the OS if the process
dies). PostgreSQL: a session advisory lock held on a dedicated connection for the process's
life, so processes on several machines sharing one database see each other too; each shard
(storage.shards) has a lock of its own.
"""

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url


class AlreadyRunning(RuntimeError):
    """Another service holds the database."""


def _lock_key(url: str, name: str) -> int:
    """A stable signed 64-bit key for the advisory lock."""
    digest = hashlib.sha256(f"trews-service:{url}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise AlreadyRunning(f"another TREWS service is running on {path.with_suffix('')}"
                                 ) from exc
        os.ftruncate(handle, 0)
        os.write(handle, str(os.getpid()).encode())
        yield
    finally:
        os.close(handle)


@contextmanager
def _advisory_lock(engine: Engine, name: str) -> Iterator[None]:
    shown = engine.url.render_as_string(hide_password=True)
    key = _lock_key(shown, name)
    with engine.connect() as connection:
        taken = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
        if not taken.scalar():
            raise AlreadyRunning(f"another TREWS service{' (' + name + ')' if name else ''} "
                                 f"is running on {shown}")
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})


@contextmanager
def service_lock(engine: Engine, name: str = "") -> Iterator[None]:
    """Hold the database (or the part of it called `name`, a shard) for this service process;
    AlreadyRunning when another one does."""
    url = make_url(engine.url)
    if url.get_backend_name() == "sqlite":
        database = url.database or "trews.db"
        with _file_lock(Path(f"{database}.service-lock")):
            yield
        return
    with _advisory_lock(engine, name):
        yield
