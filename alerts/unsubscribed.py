"""An unsubscribe honoured for mail already in flight.

``alerts.optin.unsubscribe`` cancels the deliveries still queued, but not one a sender has
claimed: that row could still go out, or be queued again by a 4xx and go out later. So the
sender asks once more, just before a delivery's SMTP transaction and before it queues one again,
and cancels the mail of someone who has unsubscribed (``storage.subscribers.unsubscribed_mail``),
and a reminder of a case no longer followed (``storage.follows.unfollowed_reminder``).
The question rides in the same groups as the drain's outcomes (``alerts.outbox.Settlements``):
one transaction answers both, so asking costs the drain no round trip of its own.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, or_, select

from storage.follows import unfollowed_reminder
from storage.models import Delivery
from storage.subscribers import unsubscribed_mail


def unsubscribed_rows(connection: Connection, row_ids: list[int]) -> set[int]:
    """Those of the rows that are mail for someone no longer subscribed: cancel them, send
    nothing. Rows of another table (operator alerts) have no subscriber: ask only of
    deliveries."""
    return set(connection.scalars(_STATEMENT, {"row_ids": row_ids}))


# Built once, as the settle statement is (``alerts.outbox``): it runs for every mail.
_STATEMENT = select(Delivery.id).where(
    Delivery.id.in_(bindparam("row_ids", expanding=True)),
    or_(unsubscribed_mail(), unfollowed_reminder()))
