"""Checks at the edge on what a visitor types: e-mail addresses and control characters.

A form can be posted by anything, not only by our page. An address is taken only as one plain
address (``lan@example.vn``), since a sign-up stores exactly the address its mails go to; a
display name or a second address would send the confirmation to someone else. Control
characters belong in no field, and PostgreSQL refuses NUL in text: they are refused here, with a
form error or a 400, before they reach the database.
"""

from __future__ import annotations

import re
import unicodedata
from email.utils import parseaddr

from pydantic import EmailStr, TypeAdapter, ValidationError

# Anything that makes more than an addr-spec: a display name, brackets, a comment, a list.
_NOT_PLAIN = re.compile(r'[\s<>()\[\],;:"\\]')
_email = TypeAdapter(EmailStr)


def has_control_characters(text: str) -> bool:
    """Whether `text` has a control character (Unicode category Cc: NUL, escape, newline...)."""
    return any(unicodedata.category(char) == "Cc" for char in text)


def plain_address(text: str) -> str | None:
    """`text` as one plain address, lower-cased as addresses are stored and looked up; None
    when it is anything else ("x <lan@example.vn>", "a@b.vn, c@d.vn", "lan@example.vn (Lan)")."""
    candidate = text.strip()
    if not candidate or _NOT_PLAIN.search(candidate) or has_control_characters(candidate):
        return None
    try:
        _email.validate_python(candidate)
    except ValidationError:
        return None
    return candidate.lower()


def address_key(text: str) -> str:
    """The address a form names, however it is written ("X <Lan@Example.VN>" ->
    "lan@example.vn"), so that a rate limit counts each address once."""
    return (parseaddr(text)[1] or text).strip().lower()
