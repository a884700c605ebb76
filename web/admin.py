"""The operator pages under /admin: subscribers, source health and the outbox, behind a login.

Users are added on the command line (`trews users add`); there is no sign-up here. Both roles
see every page; only the operator acts (sends failed mails again). The session is a signed,
HttpOnly cookie bound to the password and to the user's session generation, so changing the
password or logging out ends the old sessions; signing in gives the browser a new CSRF cookie.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from storage.database import transaction
from storage.models import DELIVERY_STATUSES, Subscriber, Subscription, User
from storage.outbox_admin import outbox_rows, resend_failed
from storage.sources import list_sources
from storage.status import service_status
from storage.subscribers import SUBSCRIBER_STATES, SubscriberFilter, find_subscribers
from web.auth import authenticate, end_sessions, session_fingerprint
from web.deps import MAX_ID
from web.form_input import has_control_characters
from web.security import (
    CSRF_FIELD,
    check_csrf,
    end_session,
    rate_limit,
    renew_csrf,
    safe_next,
    session_login,
    start_session,
)
from web.subscription_form import KINDS, LANGUAGES
from web.subscriptions import too_many_requests
from web.templating import page_language, render_page

router = APIRouter(prefix="/admin", include_in_schema=False)
HOME = "/admin/subscribers"
PAGE_SIZE = 50
MAX_PAGE = 100_000
_DIGITS = re.compile(r"[0-9]{1,10}")
OUTBOX_STATUSES = (*DELIVERY_STATUSES, "cancelled")


def current_user(request: Request) -> User | None:
    """The signed-in user of a valid session whose password has not changed since."""
    login = session_login(request)
    if login is None:
        return None
    with request.app.state.sessions() as session:
        user = session.get(User, login[0])
    if user is None or session_fingerprint(user) != login[1]:
        return None
    return user


def require_user(request: Request) -> User:
    """Dependency of every page: a visitor who is not signed in is sent to the login page."""
    user = current_user(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(status_code=303, detail="sign in first",
                            headers={"Location": f"/admin/login?next={quote(target, safe='')}"})
    return user


SignedIn = Annotated[User, Depends(require_user)]


def require_operator(user: SignedIn) -> User:
    if user.role != "operator":
        raise HTTPException(status_code=403, detail="only the operator may do this")
    return user


Operator = Annotated[User, Depends(require_operator)]


def _page(request: Request, template: str, user: User | None, status_code: int = 200,
          **context: Any) -> HTMLResponse:
    """An admin page; never kept by a browser or proxy cache (it shows personal data)."""
    response = render_page(request, template, status_code=status_code, user=user, **context)
    response.headers["Cache-Control"] = "no-store"
    return response


def _number(raw: str | None, *, least: int, most: int) -> int | None:
    """A whole number written in ASCII digits within [least, most], else None ("²", a 20-digit
    number: neither may reach int() or the database's OFFSET)."""
    if raw is None or not _DIGITS.fullmatch(raw) or not least <= int(raw) <= most:
        return None
    return int(raw)


def _page_number(request: Request) -> int:
    """The page asked for (1 when none); 400 for anything but a page number."""
    page = _number(request.query_params.get("page", "1"), least=1, most=MAX_PAGE)
    if page is None:
        raise HTTPException(status_code=400, detail="page is a whole number from 1")
    return page


def _search_text(request: Request) -> str | None:
    """The subscriber search (at most 200 characters); 400 for a control character, which
    PostgreSQL would refuse (NUL)."""
    text = (request.query_params.get("q") or "").strip()[:200]
    if has_control_characters(text):
        raise HTTPException(status_code=400, detail="control character in the search")
    return text or None


def _choice(request: Request, name: str, allowed: Any) -> str | None:
    value = request.query_params.get(name) or None
    return value if value in allowed else None


# Login ----------------------------------------------------------------------------------------

@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    target = safe_next(request.query_params.get("next"), HOME)
    if current_user(request) is not None:
        return RedirectResponse(target, status_code=303)
    return _page(request, "admin/login.html.j2", None, next=target, failed=False)


@router.post("/login", response_class=HTMLResponse)
async def login_post(request: Request) -> Response:
    data = await request.form()
    check_csrf(request, _text(data, CSRF_FIELD))
    email, password = _text(data, "email") or "", _text(data, "password") or ""
    target = safe_next(_text(data, "next"), HOME)
    wait = rate_limit(request, "login", email, per_client=True)
    if wait:
        return too_many_requests(request, wait)
    if has_control_characters(email):  # never an account; PostgreSQL refuses NUL
        return _page(request, "admin/login.html.j2", None, status_code=400, next=target,
                     failed=True, email="")

    def check() -> tuple[int, str] | None:
        with transaction(request.app.state.sessions) as session:
            user = authenticate(session, email, password)
            return (user.id, session_fingerprint(user)) if user else None

    login = await run_in_threadpool(check)
    if login is None:
        return _page(request, "admin/login.html.j2", None, status_code=401, next=target,
                     failed=True, email=email)
    response = RedirectResponse(target, status_code=303)
    start_session(request, response, *login)
    renew_csrf(request, response)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session on the server (every session of this user: see web.auth.end_sessions)
    and drop the cookie."""
    data = await request.form()
    check_csrf(request, _text(data, CSRF_FIELD))

    def end() -> None:
        user = current_user(request)
        if user is not None:
            with transaction(request.app.state.sessions) as session:
                end_sessions(session, user.id)

    await run_in_threadpool(end)
    response = RedirectResponse("/admin/login", status_code=303)
    end_session(request, response)
    return response


def _text(data: Any, name: str) -> str | None:
    value = data.get(name)
    return value if isinstance(value, str) else None


# Pages ----------------------------------------------------------------------------------------

@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
def admin_home(user: SignedIn) -> Response:
    return RedirectResponse(HOME, status_code=303)


@router.get("/subscribers", response_class=HTMLResponse)
def subscribers_page(request: Request, user: SignedIn) -> HTMLResponse:
    sector_ids = [sector.id for sector in request.app.state.sectors]
    wanted = SubscriberFilter(
        state=_choice(request, "state", SUBSCRIBER_STATES),
        kind=_choice(request, "kind", KINDS), language=_choice(request, "language", LANGUAGES),
        sector=_choice(request, "sector", sector_ids),
        text=_search_text(request))
    page = _page_number(request)
    with request.app.state.sessions() as session:
        rows, total = find_subscribers(session, wanted, offset=(page - 1) * PAGE_SIZE,
                                       limit=PAGE_SIZE)
        listed = [_subscriber_row(subscriber) for subscriber in rows]
    lang = page_language(request)
    sector_names = {sector_id: names.get(lang) or sector_id
                    for sector_id, names in request.app.state.sector_names.items()}
    return _page(request, "admin/subscribers.html.j2", user, rows=listed, total=total,
                 page=page, pages=max(1, -(-total // PAGE_SIZE)), wanted=wanted,
                 states=SUBSCRIBER_STATES, kinds=KINDS, languages=LANGUAGES,
                 sector_names=sector_names)


def _subscriber_row(subscriber: Subscriber) -> dict[str, Any]:
    """What the list shows of a subscriber, read while the session is open."""
    sub = subscriber.subscriptions[0] if subscriber.subscriptions else Subscription(sectors=[])
    state = ("unsubscribed" if subscriber.unsubscribed_at is not None
             else "active" if subscriber.confirmed else "pending")
    return {"email": subscriber.email, "name": subscriber.name,
            "organisation": subscriber.organisation, "kind": subscriber.kind,
            "language": subscriber.language, "state": state, "created_at": subscriber.created_at,
            "all_sectors": bool(sub.all_sectors), "sectors": list(sub.sectors),
            "hs_codes": list(sub.hs_codes or []), "markets": list(sub.markets or []),
            "frequency": sub.frequency}


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, user: SignedIn) -> HTMLResponse:
    with request.app.state.sessions() as session:
        sources = list_sources(session)
    return _page(request, "admin/sources.html.j2", user, sources=sources)


@router.get("/outbox", response_class=HTMLResponse)
def outbox_page(request: Request, user: SignedIn) -> HTMLResponse:
    status = _choice(request, "status", OUTBOX_STATUSES)
    page = _page_number(request)
    settings = request.app.state.settings
    with request.app.state.sessions() as session:
        state = service_status(session, settings.zone)
        rows, total = outbox_rows(session, status, offset=(page - 1) * PAGE_SIZE,
                                  limit=PAGE_SIZE)
    resent = request.query_params.get("resent")
    return _page(request, "admin/outbox.html.j2", user, counts=state.outbox,
                 sent_today=state.sent_today, statuses=OUTBOX_STATUSES, status=status,
                 rows=rows, total=total, page=page, pages=max(1, -(-total // PAGE_SIZE)),
                 resent=_number(resent, least=0, most=MAX_PAGE * PAGE_SIZE))


@router.post("/outbox/resend")
async def resend(request: Request, user: Operator) -> Response:
    """Queue the ticked failed deliveries again (attempts reset); back to the failed list."""
    data = await request.form()
    check_csrf(request, _text(data, CSRF_FIELD))
    ids = [number for value in data.getlist("delivery") if isinstance(value, str)
           and (number := _number(value, least=1, most=MAX_ID)) is not None]

    def run() -> int:
        with transaction(request.app.state.sessions) as session:
            return resend_failed(session, ids)

    count = await run_in_threadpool(run)
    return RedirectResponse(f"/admin/outbox?status=failed&resent={count}", status_code=303)
