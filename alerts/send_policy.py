"""How hard the sender tries a message: attempts, backoff and claim time, from the settings."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from alerts.transport import backoff_delay

if TYPE_CHECKING:
    from config.settings import Settings


@dataclass(frozen=True)
class SendPolicy:
    """How hard to try: the settings ``smtp_max_attempts``, ``smtp_backoff_base_s``,
    ``smtp_backoff_max_s`` and ``smtp_claim_s``."""

    max_attempts: int = 8
    backoff_base_s: float = 30.0
    backoff_max_s: float = 3600.0
    claim_s: float = 600.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> SendPolicy:
        return cls(max_attempts=settings.smtp_max_attempts,
                   backoff_base_s=settings.smtp_backoff_base_s,
                   backoff_max_s=settings.smtp_backoff_max_s, claim_s=settings.smtp_claim_s)

    def retry_at(self, attempt: int, now: datetime) -> datetime:
        delay = backoff_delay(attempt, self.backoff_base_s, self.backoff_max_s, self.rng)
        return now + timedelta(seconds=delay)
