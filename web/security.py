"""Response hardening and CSRF tokens shared by every page of the web front end.

Titles shown on the pages are scraped from foreign sites, so the pages are built as if an injected
script could slip past escaping: the Content-Security-Policy allows scripts and styles only from
our own /static folder (no inline code), and the pages cannot be framed.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from urllib.parse import urlsplit

from fastapi import HTTPException, Request, Response
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.form_input import address_key, has_control_characters

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Manage and unsubscribe links carry a token in the path: never send it to another site.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

CSRF_COOKIE = "trews_csrf"
CSRF_FIELD = "csrf_token"
CSRF_MAX_AGE_S = 12 * 3600
_CSRF_SALT = "trews.web.csrf"


class SecurityHeadersMiddleware:
    """Adds SECURITY_HEADERS to every HTTP response, error pages and static files included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name.lower().encode("latin-1"), value.encode("latin-1"))
                         for name, value in SECURITY_HEADERS.items()
                         if name.lower().encode("latin-1") not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.secret, salt=_CSRF_SALT)


def _csrf_session(request: Request) -> str:
    """The browser's CSRF session id: its cookie, or a new one that render_page will set."""
    existing = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_session", None)
    if existing:
        return str(existing)
    request.state.csrf_session = secrets.token_urlsafe(24)
    request.state.csrf_cookie_new = True
    return str(request.state.csrf_session)


def csrf_token(request: Request) -> str:
    """A signed token for a form, bound to this browser's CSRF cookie."""
    return str(_serializer(request).dumps(_csrf_session(request)))


def check_csrf(request: Request, token: str | None) -> None:
    """Refuse (403) a form whose token is missing, forged, expired or made for another browser."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not token or not cookie:
        raise HTTPException(status_code=403, detail="missing CSRF token")
    try:
        bound = _serializer(request).loads(token, max_age=CSRF_MAX_AGE_S)
    except SignatureExpired as exc:
        raise HTTPException(status_code=403, detail="expired CSRF token") from exc
    except BadSignature as exc:
        raise HTTPException(status_code=403, detail="invalid CSRF token") from exc
    if not secrets.compare_digest(str(bound), cookie):
        raise HTTPException(status_code=403, detail="CSRF token of another session")


def renew_csrf(request: Request, response: Response) -> None:
    """A new CSRF cookie (at login): a form token planted in the browser before, or read by
    someone while it was anonymous, is worth nothing for the signed-in session."""
    request.state.csrf_session = secrets.token_urlsafe(24)
    request.state.csrf_cookie_new = True
    attach_csrf_cookie(request, response)


def attach_csrf_cookie(request: Request, response: Response) -> None:
    """Set the CSRF cookie when csrf_token() created a session during this request."""
    if getattr(request.state, "csrf_cookie_new", False):
        response.set_cookie(CSRF_COOKIE, request.state.csrf_session, httponly=True,
                            samesite="lax", secure=request.url.scheme == "https",
                            max_age=CSRF_MAX_AGE_S)


# Operator sessions ----------------------------------------------------------------------------

SESSION_COOKIE = "trews_session"
SESSION_MAX_AGE_S = 8 * 3600
SESSION_PATH = "/admin"
_SESSION_SALT = "trews.web.session"


def _session_serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.secret, salt=_SESSION_SALT)


def _secure_cookies(request: Request) -> bool:
    return str(request.app.state.settings.public_url).lower().startswith("https://")


def start_session(request: Request, response: Response, user_id: int, fingerprint: str) -> None:
    """Sign the user in: a signed cookie sent only to /admin, never to scripts (HttpOnly), and
    over https only when the service is public on https."""
    value = _session_serializer(request).dumps([user_id, fingerprint])
    response.set_cookie(SESSION_COOKIE, value, max_age=SESSION_MAX_AGE_S, path=SESSION_PATH,
                        httponly=True, samesite="lax", secure=_secure_cookies(request))


def session_login(request: Request) -> tuple[int, str] | None:
    """(user id, password fingerprint) of a valid, unexpired session cookie, else None."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        value = _session_serializer(request).loads(raw, max_age=SESSION_MAX_AGE_S)
    except BadSignature:  # SignatureExpired included
        return None
    match value:
        case [int(user_id), str(fingerprint)]:
            return user_id, fingerprint
    return None


def end_session(request: Request, response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=SESSION_PATH, httponly=True, samesite="lax",
                           secure=_secure_cookies(request))


def safe_next(target: str | None, default: str) -> str:
    """`target` when it is a path on this site, else `default`: a login link cannot send the
    user to another site ("https://evil.example", "//evil.example", "/\\evil.example")."""
    if (not target or "\\" in target or has_control_characters(target)
            or not target.startswith("/")):
        return default
    parts = urlsplit(target)
    if target.startswith("//") or parts.scheme or parts.netloc:
        return default
    return target


# Rate limits ----------------------------------------------------------------------------------

class SlidingWindow:
    """At most `limit` events per key within any `window_s` seconds, counted in this process.

    Refused attempts are not counted, so a client that keeps hammering is let in again as soon as
    its oldest counted attempt leaves the window."""

    MAX_KEYS = 100_000  # past this, keys with nothing in the window are forgotten

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit, self.window_s = limit, window_s
        self._events: dict[str, deque[float]] = {}

    def wait(self, key: str, now: float) -> float:
        """Seconds until `key` may act again (0: now)."""
        events = self._events.get(key)
        if events is None:
            return 0.0
        while events and events[0] <= now - self.window_s:
            events.popleft()
        if len(events) < self.limit:
            return 0.0
        return events[0] + self.window_s - now

    def record(self, key: str, now: float) -> None:
        if len(self._events) >= self.MAX_KEYS:
            self._events = {k: v for k, v in self._events.items()
                            if v and v[-1] > now - self.window_s}
        self._events.setdefault(key, deque()).append(now)


class FormLimit:
    """The rate limit of one form: per client address and per e-mail address named."""

    def __init__(self, per_ip: int, per_email: int, window_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.by_ip = SlidingWindow(per_ip, window_s)
        self.by_email = SlidingWindow(per_email, window_s)
        self.clock = clock
        self._lock = threading.Lock()

    def hit(self, ip: str, email: str) -> float:
        """Count an attempt and return 0, or return the seconds to wait and count nothing."""
        with self._lock:
            now = self.clock()
            wait = max(self.by_ip.wait(ip, now), self.by_email.wait(email, now))
            if wait > 0:
                return wait
            self.by_ip.record(ip, now)
            self.by_email.record(email, now)
            return 0.0


_limits_lock = threading.Lock()


def rate_limit(request: Request, form: str, email: str, *, per_client: bool = False) -> int:
    """Count a POST of `form` ("subscribe", "login") naming `email` (however it is written);
    the whole seconds to wait (Retry-After), or 0 when it may go on. The client is the
    connection's address: behind a reverse proxy, run uvicorn with --proxy-headers so that it
    is the visitor's. With `per_client` the address is counted per client (login: a stranger's
    wrong passwords must not lock the account's owner out); the client's own limit still holds
    against password spraying."""
    with _limits_lock:
        limits: dict[str, FormLimit] | None = getattr(request.app.state, "rate_limits", None)
        if limits is None:
            limits = request.app.state.rate_limits = {}
        if form not in limits:
            settings = request.app.state.settings
            limits[form] = FormLimit(settings.rate_limit_per_ip, settings.rate_limit_per_email,
                                     settings.rate_limit_window_s)
        limit = limits[form]
    ip = request.client.host if request.client else "unknown"
    address = address_key(email)
    return math.ceil(limit.hit(ip, f"{ip} {address}" if per_client else address))
