"""The e-mail policy of every TREWS message: ``email.policy.default`` (RFC 5322, UTF-8 aware),
with its header work memoised.

An alert to a few thousand subscribers repeats the same Subject, From, List-Id and MIME headers
in every message, and the standard library parses each header when it is set and folds it again
when the message is written out: that was most of the cost of a mail. Header objects are
immutable strings, so a header parsed or folded once can be reused for the same name and value;
the values that differ per message (To, Message-ID, Date) simply miss the bounded memos.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Hashable
from email.generator import BytesGenerator
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import EmailPolicy
from functools import lru_cache
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Memo(Generic[T]):
    """A bounded memo: forgets everything when full, which is cheap and keeps memory flat."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._values: dict[Hashable, T] = {}

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        value = self._values.get(key)
        if value is None:
            if len(self._values) >= self.size:
                self._values.clear()
            value = self._values[key] = compute()
        return value


class _HeaderClasses(HeaderRegistry):
    """The standard header registry, but building each header's class once (the standard one
    makes a new class for every header of every message)."""

    @lru_cache(maxsize=256)  # noqa: B019 - one registry for the process, never collected
    def __getitem__(self, name: str) -> type[BaseHeader]:
        return super().__getitem__(name)

    __hash__ = object.__hash__


_PARSED: Memo[tuple[str, Any]] = Memo()
# Headers whose value is one token that differs in every message, so memos cannot help.
_ONE_TOKEN = frozenset({"message-id", "list-unsubscribe"})
_PLAIN_ASCII = re.compile(r"[!-~]+")
_FOLDED: Memo[bytes] = Memo()


class MailPolicy(EmailPolicy):
    """``EmailPolicy`` whose header parsing and folding are memoised per (name, value)."""

    def header_store_parse(self, name: str, value: Any) -> tuple[str, Any]:
        if type(value) is not str:
            return super().header_store_parse(name, value)
        return _PARSED.get((id(self.header_factory), name, value),
                           lambda: super(MailPolicy, self).header_store_parse(name, value))

    def fold_binary(self, name: str, value: Any) -> bytes:
        if not isinstance(value, BaseHeader):
            return super().fold_binary(name, value)
        text = str(value)
        if self._verbatim(name, text):
            return f"{name}: {text}{self.linesep}".encode("ascii")
        # Clones (one per message written) differ only in these settings.
        key = (self.linesep, self.max_line_length, self.utf8, self.cte_type, name, text)
        return _FOLDED.get(key, lambda: super(MailPolicy, self).fold_binary(name, value))

    def _verbatim(self, name: str, text: str) -> bool:
        """Whether folding would give the header back as it is: a header of one token per
        message (Message-ID, List-Unsubscribe) in plain ASCII that fits on its line, or that has
        no space to fold at."""
        fits = self.max_line_length is None or len(name) + 2 + len(text) <= self.max_line_length
        return (name.lower() in _ONE_TOKEN and _PLAIN_ASCII.fullmatch(text) is not None
                and (fits or " " not in text))


MAIL_POLICY = MailPolicy(header_factory=_HeaderClasses())


@lru_cache(maxsize=8)
def _smtp_policy(utf8: bool, cte_type: str) -> MailPolicy:
    return MAIL_POLICY.clone(linesep="\r\n", utf8=utf8, cte_type=cte_type)


def smtp_bytes(message: EmailMessage, *, utf8: bool = False, cte_type: str = "8bit") -> bytes:
    """The message as an SMTP DATA payload (CRLF line ends), written with this module's policy,
    as ``aiosmtplib.email.flatten_message`` would with ``email.policy.SMTP``. Our messages never
    carry Bcc, which that function also strips."""
    with io.BytesIO() as buffer:
        BytesGenerator(buffer, policy=_smtp_policy(utf8, cte_type)).flatten(message)
        return buffer.getvalue()
