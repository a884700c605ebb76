"""How the sender sends, from the settings: the transport, and how hard it tries a message
(attempts, backoff and claim time)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from alerts.file_outbox import FileOutbox
from alerts.transport import SmtpPool, Transport, backoff_delay

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


def transport_for(settings: Settings) -> Transport:
    """The settings' transport: an SMTP pool (``smtp_pool_size`` reused connections, STARTTLS or
    TLS with the server's certificate verified, and AUTH, from the settings), or by default the
    file outbox, which needs no server."""
    if not settings.smtp_host:
        return FileOutbox(settings.outbox)
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpPool(
        settings.smtp_pool_size, host=settings.smtp_host, port=settings.smtp_port,
        username=settings.smtp_username, password=password, start_tls=settings.smtp_starttls,
        use_tls=settings.smtp_tls, timeout=settings.smtp_timeout_s,
        ca_file=settings.smtp_ca_file,
    )
