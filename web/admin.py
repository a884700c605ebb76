"""The operator pages under /admin: subscribers, source health and the outbox, behind a login.

Users are added on the command line (`trews users add`); there is no sign-up here. Both roles
see every page; only the operator acts (sends failed mails again). The session is a signed,
HttpOnly cookie bound to the password, so changing the password ends the old sessions.
"""

from __future__ import annotations

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
from web.auth import authenticate, password_fingerprint
from web.security import (
    CSRF_FIELD,
    check_csrf,
    end_session,
    rate_limit,
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
OUTBOX_STATUSES = (*DELIVERY_STATUSES, "cancelled")


def current_user(request: Request) -> User | None:
    """The signed-in user of a valid session whose password has not changed since."""
    login = session_login(request)
    if login is None:
        return None
    with request.app.state.sessions() as session:
        user = session.get(User, login[0])
    if user is None or password_fingerprint(user) != login[1]:
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


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return max(1, int(raw)) if raw.isdigit() else 1


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

    def check() -> tuple[int, str] | None:
        with transaction(request.app.state.sessions) as session:
            user = authenticate(session, email, password)
            return (user.id, password_fingerprint(user)) if user else None

    login = await run_in_threadpool(check)
    if login is None:
        return _page(request, "admin/login.html.j2", None, status_code=401, next=target,
                     failed=True, email=email)
    response = RedirectResponse(target, status_code=303)
    start_session(request, response, *login)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    data = await request.form()
    check_csrf(request, _text(data, CSRF_FIELD))
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
        text=(request.query_params.get("q") or "").strip()[:200] or None)
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
                 resent=int(resent) if resent and resent.isdigit() else None)


@router.post("/outbox/resend")
async def resend(request: Request, user: Operator) -> Response:
    """Queue the ticked failed deliveries again (attempts reset); back to the failed list."""
    data = await request.form()
    check_csrf(request, _text(data, CSRF_FIELD))
    ids = [int(v) for v in data.getlist("delivery") if isinstance(v, str) and v.isdigit()]

    def run() -> int:
        with transaction(request.app.state.sessions) as session:
            return resend_failed(session, ids)

    count = await run_in_threadpool(run)
    return RedirectResponse(f"/admin/outbox?status=failed&resent={count}", status_code=303)
