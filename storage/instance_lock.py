"""One service per database: whatever crawls or sends (`trews run`, `run --once`, `crawl`) holds
it, and a second one says so and exits.

SQLite: an exclusive lock on a file beside the database's real path (a symlink or another
spelling of the path is the same database), released by the OS if the process dies.
PostgreSQL: a session advisory lock held on a dedicated connection for the process's life, so
processes on several machines sharing one database see each other too. Its key names the
database and schema (current_database, current_schema: the same whatever the URL's spelling)
and the holder's shard K/N, a plain process being shard 1/1. The database has one layout: every
live holder has the same N and a K of its own; a starter checks the locks held (pg_locks) and
takes its own under a gate lock, so two starters cannot both pass the check.
"""

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, and_, column, func, select, table
from sqlalchemy.engine import make_url

from storage.shards import Shard


class AlreadyRunning(RuntimeError):
    """Another service holds the database."""


_PG_LOCKS = table("pg_locks", column("locktype"), column("database"), column("classid"),
                  column("objid"), column("objsubid"), column("granted"))
_PG_DATABASE = table("pg_database", column("oid"), column("datname"))
_GATE = 0  # the objid of the gate lock; a holder's objid is N << 16 | K (see Shard.MAX)


@contextmanager
def service_lock(engine: Engine, shard: Shard | None = None) -> Iterator[None]:
    """Hold the database for this process (as `shard` of its layout, by default the only one);
    AlreadyRunning when another process holds it in a way this one cannot run beside, ShardError
    for shards on SQLite."""
    shard = shard or Shard()
    url = make_url(engine.url)
    shard.check_database(url.get_backend_name())
    if url.get_backend_name() == "sqlite":
        with _file_lock(sqlite_lock_file(Path(url.database or "trews.db"))):
            yield
        return
    with _advisory_lock(engine, shard):
        yield


def sqlite_lock_file(database: Path) -> Path:
    """The file whose lock holds a SQLite database: beside its real path. Whoever clears the
    database's folder keeps it, or a second holder would lock a new file unseen."""
    return Path(f"{database.resolve()}.service-lock")


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` for the block: the OS drops it when the process dies."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise AlreadyRunning(f"another TREWS service is running on "
                                 f"{str(path).removesuffix('.service-lock')}") from exc
        os.ftruncate(handle, 0)
        os.write(handle, str(os.getpid()).encode())
        yield
    finally:
        os.close(handle)


@contextmanager
def _advisory_lock(engine: Engine, shard: Shard) -> Iterator[None]:
    """`shard`'s lock on this database and schema, taken under the gate once the live holders
    allow it, and held on a connection of its own for the block."""
    mine = shard.of << 16 | shard.number
    with engine.connect() as connection:
        with connection.begin():
            database, schema = connection.execute(
                select(func.current_database(), func.current_schema())).one()
            space, shown = _space(f"{database}/{schema}"), f"database {database}, schema {schema}"
            connection.execute(select(func.pg_advisory_xact_lock(space, _GATE)))
            for held in _holders(connection, space):
                _refuse_beside(shard, held, shown)
            connection.execute(select(func.pg_advisory_lock(space, mine)))
        try:
            yield
        finally:
            connection.execute(select(func.pg_advisory_unlock(space, mine)))
            connection.commit()


def _space(place: str) -> int:
    """The first half of every lock key of one database and schema: 31 bits of its hash."""
    digest = hashlib.sha256(f"trews-service:{place}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFF_FFFF


def _holders(connection: Connection, space: int) -> list[Shard]:
    """The shards (1/1: a plain process) whose processes hold this database now."""
    here = select(_PG_DATABASE.c.oid).where(_PG_DATABASE.c.datname == func.current_database())
    objids = connection.scalars(select(_PG_LOCKS.c.objid).where(and_(
        _PG_LOCKS.c.locktype == "advisory", _PG_LOCKS.c.database == here.scalar_subquery(),
        _PG_LOCKS.c.classid == space, _PG_LOCKS.c.objsubid == 2, _PG_LOCKS.c.granted,
        _PG_LOCKS.c.objid != _GATE)))
    return [Shard(int(objid) & 0xFFFF, int(objid) >> 16) for objid in objids]


def _refuse_beside(shard: Shard, held: Shard, shown: str) -> None:
    """AlreadyRunning unless `shard` may run beside a live `held`: same N, another K."""
    who = (f"shard {held.number}/{held.of}" if not held.alone
           else "one without --shard: `trews run`, `run --once` or `crawl`")
    if held == shard:
        raise AlreadyRunning(f"another TREWS service is running on {shown} ({who})")
    if held.of != shard.of:
        raise AlreadyRunning(
            f"another TREWS service is running on {shown} ({who}); the services of one "
            "database all run with the same --shard K/N, or one alone without --shard")
