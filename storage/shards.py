"""Several services on one PostgreSQL database, each doing its share ("shard K of N").

Shard K of N crawls every N-th enabled source (sorted by id, starting at the K-th), keeps its
APScheduler jobs in a table of its own (APScheduler 3 cannot share one job store between
processes: each would run every job), drains the common outbox (claims skip the rows another
sender holds) and analyses the notices no other shard is analysing. Digests and the database
upkeep run in shard 1 only. One process per shard, and one N per database: starting a shard
twice, or with another N, or beside a service without shards, is refused
(storage.instance_lock).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Self

JOB_TABLE = "apscheduler_jobs"
_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_JOB_TABLE = re.compile(rf"^{JOB_TABLE}_(\d+)_of_(\d+)$")


class ShardError(ValueError):
    """A shard that cannot be: not K/N, K outside 1..N, or shards on SQLite."""


@dataclass(frozen=True)
class Shard:
    number: int = 1
    of: int = 1

    MAX: ClassVar[int] = 999  # N fits the lock key (storage.instance_lock)

    def __post_init__(self) -> None:
        if not 1 <= self.number <= self.of:
            raise ShardError(f"shard {self.number}/{self.of}: K must be between 1 and N")
        if self.of > self.MAX:
            raise ShardError(f"shard {self.number}/{self.of}: N is at most {self.MAX}")

    @classmethod
    def parse(cls, text: str) -> Self:
        """ "2/3" -> shard 2 of 3."""
        found = _SHARD.match(text)
        if found is None:
            raise ShardError(f"{text!r} is not K/N (e.g. 1/2)")
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def of_job_table(cls, table: str) -> Self | None:
        """The shard whose jobs `table` holds (see job_table), None for another table."""
        if table == JOB_TABLE:
            return cls()
        found = _JOB_TABLE.match(table)
        return cls(int(found.group(1)), int(found.group(2))) if found else None

    @property
    def alone(self) -> bool:
        return self.of == 1

    @property
    def first(self) -> bool:
        """Whether this shard runs the once-per-database jobs (digests, upkeep)."""
        return self.number == 1

    @property
    def job_table(self) -> str:
        return JOB_TABLE if self.alone else f"{JOB_TABLE}_{self.number}_of_{self.of}"

    @property
    def name(self) -> str:
        return "" if self.alone else f"shard {self.number}/{self.of}"

    def check_database(self, dialect: str) -> None:
        """Shards share a PostgreSQL database; SQLite has one writer, so one service."""
        if not self.alone and dialect == "sqlite":
            raise ShardError("several services share a database only on PostgreSQL "
                             "(TREWS_DATABASE_URL=postgresql+psycopg://...)")

    def sources(self, source_ids: list[str]) -> list[str]:
        """This shard's part of `source_ids`."""
        return [key for n, key in enumerate(sorted(source_ids)) if n % self.of == self.number - 1]
