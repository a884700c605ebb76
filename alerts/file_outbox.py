"""The transport that writes each mail as an .eml file in a directory (the demo's and the tests'
outbox): one file per Message-ID, named by the mail's kind, written atomically."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Self

from alerts.message import mail_kind
from alerts.transport import PermanentMailError

_UNSAFE_FILENAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_FILENAME_STEM_LIMIT = 80


class FileOutbox:
    """One .eml file per Message-ID in a directory: the default transport for demo and tests.

    The file name is derived from the Message-ID, so resending a delivery replaces its file rather
    than adding one; files appear atomically, so a reader never sees half a message.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    async def __aenter__(self) -> Self:
        self.directory.mkdir(parents=True, exist_ok=True)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def send(self, msg: EmailMessage) -> str:
        """Write the message and return the file's path (the outbox's equivalent of a reply)."""
        message_id = msg["Message-ID"]
        if not message_id:
            raise PermanentMailError("message has no Message-ID; the outbox cannot deduplicate it")
        path = self.directory / eml_filename(str(message_id), mail_kind(msg))
        await asyncio.to_thread(_write_atomically, path, msg.as_bytes())
        return str(path)


def eml_filename(message_id: str, kind: str | None = None) -> str:
    """A safe, stable file name for a Message-ID, led by the mail's kind when it has one
    ("digest-weekly-digest-7_trews.invalid-….eml"), so a reader of the folder finds each kind.

    Unsafe characters are replaced, so two ids could collide after cleaning; the short hash of the
    exact id keeps them apart while the readable stem still helps a human find a delivery.
    """
    stem = _UNSAFE_FILENAME_CHARS.sub("_", message_id.strip().strip("<>"))[:_FILENAME_STEM_LIMIT]
    digest = hashlib.sha256(message_id.strip().encode("utf-8")).hexdigest()[:12]
    lead = f"{_UNSAFE_FILENAME_CHARS.sub('_', kind)}-" if kind else ""
    return f"{lead}{stem.strip('._') or 'message'}-{digest}.eml"


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Not named *.eml until it is whole: a reader listing the mails must not open a half one.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".eml.part")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
