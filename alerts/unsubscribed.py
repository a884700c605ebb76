"""An unsubscribe honoured for mail already in flight.

``alerts.optin.unsubscribe`` cancels the deliveries still queued, but not one a sender has
claimed: that row could still go out, or be queued again by a 4xx and go out later. So the
sender asks once more, just before a delivery's SMTP transaction and before it queues one again,
and cancels the mail of someone who has unsubscribed (``storage.subscribers.unsubscribed_mail``).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Connection, Engine, bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Delivery
from storage.subscribers import unsubscribed_mail


class Unsubscribed:
    """Answers "has this delivery's subscriber unsubscribed?" for one drain, from the database as
    it is now, on a thread and a connection of its own so the event loop sends meanwhile.
    Questions that come in while a read is under way go together into the next read, as
    ``alerts.outbox.Settlements`` groups its writes, so the connections' workers do not queue
    behind each other's reads. Rows of another table (operator alerts) have no subscriber."""

    def __init__(self, sessions: sessionmaker[Session], applies: bool) -> None:
        engine: Engine = sessions.kw["bind"]
        self._engine, self._applies = engine, applies
        self._pending: list[tuple[int, asyncio.Future[bool]]] = []
        self._reader: asyncio.Task[None] | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trews-unsub")
        self._connection: Connection | None = None

    async def check(self, row_id: int) -> bool:
        """True when the row is mail for someone no longer subscribed: cancel it, send nothing."""
        if not self._applies:
            return False
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((row_id, answer))
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read_pending())
        return await answer

    async def close(self) -> None:
        """Let the last read finish, then give the connection back."""
        if self._reader is not None:
            await asyncio.wait([self._reader])
        await asyncio.get_running_loop().run_in_executor(self._thread, self._disconnect)
        self._thread.shutdown()

    async def _read_pending(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                gone = await loop.run_in_executor(self._thread, self._read,
                                                  [row_id for row_id, _ in batch])
            except Exception as exc:  # noqa: BLE001 - handed to every waiting send
                for _, answer in batch:
                    if not answer.done():
                        answer.set_exception(exc)
                continue
            for row_id, answer in batch:
                if not answer.done():
                    answer.set_result(row_id in gone)

    def _read(self, row_ids: list[int]) -> set[int]:
        """One short transaction: on SQLite an open one would keep reading an old snapshot."""
        if self._connection is None:
            self._connection = self._engine.connect()
        try:
            with self._connection.begin():
                return set(self._connection.scalars(_STATEMENT, {"row_ids": row_ids}))
        except Exception:
            self._disconnect()
            raise

    def _disconnect(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


# Built once, as the settle statement is (``alerts.outbox``): it runs for every mail.
_STATEMENT = select(Delivery.id).where(
    Delivery.id.in_(bindparam("row_ids", expanding=True)), unsubscribed_mail())
