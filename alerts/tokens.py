"""Signed, expiring tokens for the links in subscriber mails: confirm, manage, unsubscribe, follow
a notice's cases or one case, unfollow a case, and the subscriber's deadline calendar.

A token carries the subscriber's id, signed with the service's secret and a salt bound to its
purpose, so an unsubscribe link cannot be replayed as a manage link (which would show the
subscriber's settings to whoever got hold of a forwarded mail). A confirm token also carries the
subscriber's state when it was made (alerts.optin.signup_state), so that a link sent before an
unsubscribe cannot undo it. ``read_token`` says why a token is refused: expired, forged, or meant
for another purpose.

The secret comes from the setting ``TREWS_SECRET_KEY``; without it, a random key is generated
once and kept in ``data_dir/secret_key`` (mode 0600), so links survive a restart.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from config.settings import Settings

Purpose = Literal["confirm", "manage", "unsubscribe", "follow", "unfollow", "calendar",
                  "digest"]
PURPOSES: tuple[Purpose, ...] = ("confirm", "manage", "unsubscribe", "follow", "unfollow",
                                 "calendar", "digest")
DAY_S = 24 * 3600
# An unsubscribe link must still work in a mail read months later (RFC 8058 one-click); a
# confirmation is a short-lived request; a manage link is kept in the footer of every mail.
# Following a case and stopping its reminders work as long as the mail is kept; a calendar
# client keeps polling its feed for years. A digest's web page is as lasting as its mail.
MAX_AGE_S: dict[str, int] = {"confirm": 7 * DAY_S, "manage": 90 * DAY_S,
                             "unsubscribe": 400 * DAY_S, "follow": 400 * DAY_S,
                             "unfollow": 400 * DAY_S, "calendar": 3650 * DAY_S,
                             "digest": 400 * DAY_S}
SECRET_FILE = "secret_key"
_SALT_PREFIX = "trews.subscriber."


class TokenError(ValueError):
    """A link token that is refused; ``reason`` is "expired", "forged" or "wrong purpose"."""

    reason = "invalid"


class TokenExpired(TokenError):
    reason = "expired"


class TokenForged(TokenError):
    reason = "forged"


class TokenWrongPurpose(TokenError):
    reason = "wrong purpose"


class TokenSuperseded(TokenError):
    """A genuine confirm link sent before the subscriber unsubscribed (alerts.optin.confirm)."""

    reason = "superseded"


def secret_key(settings: Settings) -> str:
    """The signing secret: the setting, else the key file in data_dir (created once, 0600)."""
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return settings.secret_key.get_secret_value()
    return _key_file(Path(settings.data_dir) / SECRET_FILE)


@lru_cache(maxsize=8)
def _key_file(path: Path) -> str:
    """The key kept in `path`, made once; read once per process (every mail signs links)."""
    if path.is_file():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        # O_EXCL: two processes starting at once must not end up with two different keys.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


@lru_cache(maxsize=16)
def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    """One per secret and purpose (making one derives its key: a cost per mail otherwise)."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r} (one of {', '.join(PURPOSES)})")
    return URLSafeTimedSerializer(secret, salt=_SALT_PREFIX + purpose)


def make_token(subscriber_id: int, purpose: str, *, secret: str, state: str = "") -> str:
    """A URL-safe token naming the subscriber, valid for `purpose` only, and bound to `state`
    when one is given (read back by read_token_state)."""
    payload: int | list[int | str] = [int(subscriber_id), state] if state else int(subscriber_id)
    return _serializer(secret, purpose).dumps(payload)


def read_token(token: str, purpose: str, max_age: int | None = None, *, secret: str) -> int:
    """The subscriber id in a token made for `purpose`, or a TokenError saying why not.

    `max_age` (seconds) defaults to the purpose's own lifetime (MAX_AGE_S).
    """
    return read_token_state(token, purpose, max_age, secret=secret)[0]


def read_token_state(token: str, purpose: str, max_age: int | None = None, *,
                     secret: str) -> tuple[int, str]:
    """`read_token`, with the state the token was bound to ("" when none)."""
    age = MAX_AGE_S[purpose] if max_age is None else max_age
    try:
        value = _serializer(secret, purpose).loads(token, max_age=age)
    except SignatureExpired as exc:
        raise TokenExpired("this link has expired; ask for a new one") from exc
    except BadSignature as exc:
        for other in PURPOSES:
            if other != purpose and _signed_for(token, secret, other):
                raise TokenWrongPurpose(
                    f"this link is for {other}, not for {purpose}") from exc
        raise TokenForged("this link is not valid (altered or not issued by TREWS)") from exc
    match value:
        case int(subscriber_id) if not isinstance(value, bool):
            return subscriber_id, ""
        case [int(subscriber_id), str(state)] if not isinstance(subscriber_id, bool):
            return subscriber_id, state
    raise TokenForged("this link does not name a subscriber")


def _signed_for(token: str, secret: str, purpose: str) -> bool:
    """Whether the token is genuine for `purpose`, whatever its age."""
    try:
        _serializer(secret, purpose).loads(token)  # no max_age: the age is not checked
    except BadSignature:
        return False
    return True


@dataclass(frozen=True)
class Links:
    """The public links of one subscriber's mails (served by the web front end), each signed
    when asked for: an alert needs two of the three, and signing is a cost per mail."""

    subscriber_id: int
    secret: str = field(repr=False)
    base: str = ""
    confirm_state: str = ""

    @property
    def confirm(self) -> str:
        return self._link("confirm", self.confirm_state)

    @property
    def manage(self) -> str:
        return self._link("manage")

    @property
    def unsubscribe(self) -> str:
        return self._link("unsubscribe")

    @property
    def calendar(self) -> str:
        return self._link("calendar") + ".ics"

    def follow(self, notice_id: int) -> str:
        """Follow the cases of a notice (the alert's one-click link to reminders)."""
        return self._link("follow", f"n{int(notice_id)}")

    def follow_case(self, case_id: int) -> str:
        """Follow one case (the link a case page's form sends: alerts.follow_request)."""
        return self._link("follow", f"c{int(case_id)}")

    def unfollow(self, case_id: int) -> str:
        return self._link("unfollow", f"c{int(case_id)}")

    def digest(self, delivery_id: int) -> str:
        """The whole digest on the web: the mail lists only its first entries."""
        token = make_token(self.subscriber_id, "digest", secret=self.secret,
                           state=f"d{int(delivery_id)}")
        return f"{self.base}/digests/{int(delivery_id)}?key={token}"

    def _link(self, purpose: Purpose, state: str = "") -> str:
        token = make_token(self.subscriber_id, purpose, secret=self.secret, state=state)
        return f"{self.base}/{purpose}/{token}"


def links(subscriber_id: int, *, secret: str, public_url: str, confirm_state: str = "") -> Links:
    return Links(subscriber_id, secret, public_url.rstrip("/"), confirm_state)


def token_from_url(url: str) -> str:
    """The token of a link made by `links` (its last path segment)."""
    return url.rstrip("/").rsplit("/", 1)[-1]
