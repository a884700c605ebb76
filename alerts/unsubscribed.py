"""An unsubscribe honoured for mail already in flight.

``alerts.optin.unsubscribe`` cancels the deliveries still queued, but not one a sender has
claimed: that row could still go out, or be queued again by a 4xx and go out later. So the
sender asks once more, just before a delivery's SMTP transaction and before it queues one again,
and cancels the mail of someone who has unsubscribed (``storage.subscribers.unsubscribed_mail``).
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.thread_groups import ThreadGroups
from storage.models import Delivery
from storage.subscribers import unsubscribed_mail


class Unsubscribed:
    """Answers "has this delivery's subscriber unsubscribed?" for one drain, from the database as
    it is now, in groups on a thread of its own (``alerts.thread_groups``) so the connections'
    workers do not queue behind each other's reads. Rows of another table (operator alerts)
    have no subscriber."""

    def __init__(self, sessions: sessionmaker[Session], applies: bool) -> None:
        engine: Engine = sessions.kw["bind"]
        self._applies = applies
        self._groups: ThreadGroups[int, bool] = ThreadGroups(engine, _read, "trews-unsub")

    async def check(self, row_id: int) -> bool:
        """True when the row is mail for someone no longer subscribed: cancel it, send nothing."""
        if not self._applies:
            return False
        return await self._groups.ask(row_id)

    async def close(self) -> None:
        """Let the last read finish, then give the connection back."""
        await self._groups.close()


def _read(connection: Connection, row_ids: list[int]) -> list[bool]:
    gone = set(connection.scalars(_STATEMENT, {"row_ids": row_ids}))
    return [row_id in gone for row_id in row_ids]


# Built once, as the settle statement is (``alerts.outbox``): it runs for every mail.
_STATEMENT = select(Delivery.id).where(
    Delivery.id.in_(bindparam("row_ids", expanding=True)), unsubscribed_mail())
