"""Users of the operator pages and their passwords (argon2id, the argon2-cffi defaults).

A wrong e-mail and a wrong password take the same time and give the same answer, so the login
form does not tell which addresses have an account. A hash made with weaker parameters than
today's defaults is replaced at the next successful login.
"""

from __future__ import annotations

import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import USER_ROLES, User
from storage.timeutil import utcnow
from web.form_input import plain_address

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so both failures cost one argon2 computation.
_DUMMY_HASH = _hasher.hash("no such user: this hash only spends the time of a real check")


class PasswordTooShort(ValueError):
    """A password shorter than MIN_PASSWORD_LENGTH."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


class NotAnAddress(ValueError):
    """A user's e-mail that is not one plain address."""


def add_user(session: Session, email: str, password: str, role: str = "operator") -> bool:
    """Create the user, or set the password and role of an existing one; True when new."""
    if role not in USER_ROLES:
        raise ValueError(f"unknown role {role!r} (one of {', '.join(USER_ROLES)})")
    address = plain_address(email)
    if address is None:
        raise NotAnAddress(f"{email!r} is not one e-mail address (such as op@example.vn)")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    user = find_user(session, address)
    created = user is None
    if user is None:
        user = User(email=address)
        session.add(user)
    user.password_hash, user.role = _hasher.hash(password), role
    session.flush()
    return created


def find_user(session: Session, email: str) -> User | None:
    return session.scalars(
        select(User).where(User.email == normalise_email(email))).one_or_none()


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user whose e-mail and password these are, else None; records the login."""
    user = find_user(session, email)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    return user


def session_fingerprint(user: User) -> str:
    """Short digest of the stored hash and the session generation, kept in the session cookie:
    a new password, or a logout, ends every session opened before it."""
    material = f"{user.password_hash}\n{user.session_generation}"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]


def end_sessions(session: Session, user_id: int) -> None:
    """Log the user out on the server: every cookie signed before now stops working (a copy of
    the cookie kept elsewhere too, for the 8 hours it would still be valid)."""
    session.execute(update(User).where(User.id == user_id)
                    .values(session_generation=User.session_generation + 1))
