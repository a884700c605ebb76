"""When a permanent refusal is the recipient's, and when it is the relay's.

A 5xx answer to one message says that message will never go through: its address is unknown, its
domain refuses mail. The same answer to every message in a row says the relay itself refuses
(its quota, a blocklist, our sender address, a policy change): failing them all would lose mail
that another try would deliver. So a refusal is final only when the relay has shown it accepts mail
(a message of this outbox sent in the last ACCEPTING_WINDOW, or in this drain) and is not in a
streak; otherwise the message is retried later with backoff (its attempt counted, so an address
the relay keeps refusing still fails at max_attempts), and a streak of BURST refusals in a row
stops the drain. A message refused before any server saw it (an address needing SMTPUTF8 the
server lacks) is its own failure whatever the relay does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.outbox import OutboxModel

BURST = 5
ACCEPTING_WINDOW = timedelta(hours=1)


class Verdict(Enum):
    FAIL = "fail"  # the recipient's: fail the message
    RETRY = "retry"  # maybe the relay's: retry the message later
    STOP = "stop"  # the relay's: retry the message later and stop the drain


def accepted_lately(sessions: sessionmaker[Session], model: OutboxModel, now: datetime) -> bool:
    """Whether the relay accepted a message of this outbox within ACCEPTING_WINDOW."""
    with sessions() as session:
        return session.scalar(select(model.id).where(
            model.sent_at >= now - ACCEPTING_WINDOW).limit(1)) is not None


class RefusalWatch:
    """Counts one drain's permanent refusals in a row, and whether the relay accepts mail."""

    def __init__(self, accepted: bool, burst: int = BURST) -> None:
        self.burst, self.accepted, self.streak = burst, accepted, 0

    def accepted_one(self) -> None:
        self.accepted, self.streak = True, 0

    def refused_one(self) -> Verdict:
        self.streak += 1
        if self.streak >= self.burst:
            return Verdict.STOP
        return Verdict.FAIL if self.accepted else Verdict.RETRY
