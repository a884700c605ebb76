"""E-mail alerts: render a delivery in the reader's language and hand it to a transport.

The dispatcher (database side) builds an ``AlertContext`` per (subscriber, notice), calls
``render_alert`` and gives the message to a ``Transport``: ``FileOutbox`` by default (offline demo,
tests) or ``SmtpTransport``. Transport errors say whether to keep the delivery queued
(``TransientMailError``) or mark it failed (``PermanentMailError``).
"""

from alerts.file_outbox import FileOutbox
from alerts.message import message_id
from alerts.render import AlertContext, render_alert
from alerts.transport import (
    MailError,
    PermanentMailError,
    SmtpTransport,
    TransientMailError,
    Transport,
)

__all__ = [
    "AlertContext",
    "FileOutbox",
    "MailError",
    "PermanentMailError",
    "SmtpTransport",
    "TransientMailError",
    "Transport",
    "message_id",
    "render_alert",
]
