"""Database work for a drain's senders, done in groups on a thread and a connection of its own.

Every mail of a drain needs a short database step (its outcome written, its subscriber looked
up once more). One round trip per mail, waited for on the event loop, holds the drain to the
database's pace; so requests that come in while a group is under way go together into the next
group, one short transaction, on a worker thread, and the loop renders and sends meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import InterfaceError, OperationalError

logger = logging.getLogger(__name__)
Request = TypeVar("Request")
Answer = TypeVar("Answer")
# Waits before each new try of a group while the database is lost or locked: about 8 s in all,
# longer than a PostgreSQL restart or SQLite's busy timeout, shorter than a send's claim.
RETRY_DELAYS_S = (0.1, 0.4, 1.0, 2.0, 4.0)


class ThreadGroups(Generic[Request, Answer]):
    """Runs `work(connection, requests) -> answers` (one answer per request, in order) for the
    requests gathered since the last group, each group in a transaction of its own: on SQLite a
    transaction kept open would keep reading an old snapshot."""

    def __init__(self, engine: Engine, work: Callable[[Connection, list[Request]], list[Answer]],
                 thread_name: str) -> None:
        self._engine, self._work = engine, work
        self._pending: list[tuple[Request, asyncio.Future[Answer]]] = []
        self._runner: asyncio.Task[None] | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=thread_name)
        self._connection: Connection | None = None

    async def ask(self, request: Request) -> Answer:
        """The request's answer, once the group holding it is committed."""
        answer: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._pending.append((request, answer))
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._run_pending())
        return await answer

    async def close(self) -> None:
        """Let the last group finish, then give the connection back."""
        if self._runner is not None:
            await asyncio.wait([self._runner])
        await asyncio.get_running_loop().run_in_executor(self._thread, self._disconnect)
        self._thread.shutdown()

    async def _run_pending(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            group, self._pending = self._pending, []
            try:
                answers = await loop.run_in_executor(self._thread, self._run,
                                                     [request for request, _ in group])
            except Exception as exc:  # noqa: BLE001 - handed to every waiting request
                for _, future in group:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), answer in zip(group, answers, strict=True):
                if not future.done():
                    future.set_result(answer)

    def _run(self, requests: list[Request]) -> list[Answer]:
        """The group's work, tried again on a new connection while the database is lost or
        locked (RETRY_DELAYS_S), so a restart or a long write elsewhere does not end a drain."""
        for delay in (*RETRY_DELAYS_S, None):
            try:
                return self._run_once(requests)
            except (OperationalError, InterfaceError) as exc:
                if delay is None:
                    raise
                logger.warning("database unavailable, trying again in %.1f s: %s", delay,
                               str(exc).splitlines()[0])
                time.sleep(delay)  # on the worker thread: the event loop goes on
        raise AssertionError("unreachable")

    def _run_once(self, requests: list[Request]) -> list[Answer]:
        if self._connection is None:
            self._connection = self._engine.connect()
        try:
            with self._connection.begin():
                return self._work(self._connection, requests)
        except Exception:
            self._disconnect()
            raise

    def _disconnect(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
