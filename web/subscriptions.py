"""Self-service subscriptions: sign up, confirm by mail, manage or stop with one click.

Every link in a subscriber's mail carries a signed token (alerts.tokens): it is the only proof
asked for, and a refused one (expired, altered, meant for another page) gets a page saying why in
both languages, never an error trace. Mail scanners open links, so opening an unsubscribe link
only asks; the POST stops the mail, either from our button (with a CSRF token) or from the
reader's mail program (RFC 8058: the body "List-Unsubscribe=One-Click", authenticated by the
token alone).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session, object_session
from starlette.concurrency import run_in_threadpool

from alerts.content import N_
from alerts.i18n import SUPPORTED_LANGUAGES, country_name, translations
from alerts.labels import case_line
from alerts.optin import SubscriberGone, confirm, unsubscribe
from alerts.tokens import TokenError, make_token, read_token
from storage.database import transaction
from storage.follows import followed_cases
from storage.models import Subscriber
from storage.timeutil import utcnow
from web import hs
from web.security import CSRF_FIELD, check_csrf, rate_limit
from web.signup import save_preferences, sign_up
from web.subscription_form import Choices, SubscriptionForm, choices_for
from web.templating import page_language, render_page

router = APIRouter()
T = TypeVar("T")

_REFUSALS = {
    "expired": N_("This link has expired. A confirmation link is valid for 7 days and a link to "
                  "manage a subscription for 90 days: sign up again, or use the link in a more "
                  "recent e-mail."),
    "forged": N_("This link is not valid: it was changed or was not sent by TREWS. Open it "
                 "again from the e-mail, exactly as it is."),
    "wrong purpose": N_("This link belongs to another page. Use the link written next to what "
                        "you want to do in the e-mail."),
    "gone": N_("This subscription no longer exists. You can sign up again."),
    "superseded": N_("You unsubscribed after this link was sent, so it no longer subscribes "
                     "you. To receive alerts again, sign up again and confirm with the link in "
                     "the new e-mail."),
}


# Pages ----------------------------------------------------------------------------------------

def _choices(request: Request) -> Choices:
    return choices_for(request.app.state.sectors)


def _gettext(request: Request) -> Callable[[str], str]:
    return translations(page_language(request)).gettext


def _form_page(request: Request, form: SubscriptionForm, *, status_code: int = 200,
               **context: Any) -> HTMLResponse:
    template = "manage.html.j2" if "token" in context else "subscribe.html.j2"
    choices, lang = _choices(request), page_language(request)
    markets = sorted(((code, country_name(code, lang)) for code in choices.markets),
                     key=lambda market: market[1])
    return render_page(request, template, status_code=status_code, form=form,
                       choices=choices, markets=markets, **context)


def with_lang(request: Request, path: str) -> str:
    return f"{path}?lang={page_language(request)}"


def refused_page(request: Request, reason: str) -> HTMLResponse:
    """Why a link cannot be used, in both languages (the reader's first): 403 for a forged link,
    404 for a subscriber who is gone, 400 for an expired or misused one."""
    status = {"forged": 403, "gone": 404}.get(reason, 400)
    lang = page_language(request)
    order = [lang, *(other for other in SUPPORTED_LANGUAGES if other != lang)]
    messages = [(code, translations(code).gettext("This link cannot be used"),
                 translations(code).gettext(_REFUSALS.get(reason, _REFUSALS["forged"])))
                for code in order]
    return render_page(request, "subscribe_link_refused.html.j2", status_code=status,
                       messages=messages)


def too_many_requests(request: Request, retry_after: int) -> HTMLResponse:
    """429 with Retry-After, for a form posted too often."""
    response = render_page(request, "too_many_requests.html.j2", status_code=429,
                           minutes=max(1, -(-retry_after // 60)))
    response.headers["Retry-After"] = str(retry_after)
    return response


async def in_transaction(request: Request, work: Callable[[Session], T]) -> T:
    """Run `work` in one transaction on a worker thread (the database calls block)."""
    def run() -> T:
        with transaction(request.app.state.sessions) as session:
            return work(session)

    return await run_in_threadpool(run)


def subscriber_or_gone(session: Session, subscriber_id: int) -> Subscriber:
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is None:
        raise SubscriberGone("this subscription no longer exists")
    return subscriber


def refusal_reason(exc: TokenError | SubscriberGone) -> str:
    return exc.reason if isinstance(exc, TokenError) else "gone"


# Sign up --------------------------------------------------------------------------------------

@router.get("/subscribe", response_class=HTMLResponse, include_in_schema=False)
def subscribe_form(request: Request) -> HTMLResponse:
    return _form_page(request, SubscriptionForm(language=page_language(request)))


@router.post("/subscribe", response_class=HTMLResponse, include_in_schema=False)
async def subscribe_post(request: Request) -> Response:
    data = await request.form()
    check_csrf(request, _field(data, CSRF_FIELD))
    form = SubscriptionForm.from_form(data)
    wait = rate_limit(request, "subscribe", form.email)
    if wait:
        return too_many_requests(request, wait)
    form = form.checked(_choices(request), _gettext(request))
    if form.errors:
        return _form_page(request, form, status_code=422)
    record = form.record()
    await in_transaction(request, lambda session: sign_up(session, record, utcnow()))
    return RedirectResponse(with_lang(request, "/subscribe/sent"), status_code=303)


@router.get("/subscribe/sent", response_class=HTMLResponse, include_in_schema=False)
def subscribe_sent(request: Request) -> HTMLResponse:
    return render_page(request, "subscribe_sent.html.j2")


@router.get("/confirm/{token}", response_class=HTMLResponse, include_in_schema=False)
async def confirm_link(request: Request, token: str) -> HTMLResponse:
    return await _act_on_token(request, token, confirm, "subscribe_confirmed.html.j2")


# Manage ---------------------------------------------------------------------------------------

def _manage_context(request: Request, subscriber: Subscriber) -> dict[str, Any]:
    """The manage page's own context: the subscriber's state, the cases they follow (each with
    the link that stops its reminders), their deadline calendar and one-click exit."""
    secret = request.app.state.secret
    unsubscribe_token = make_token(subscriber.id, "unsubscribe", secret=secret)
    session = object_session(subscriber)
    lang = page_language(request)
    followed = [(case_line(case, lang), with_lang(request, "/unfollow/" + make_token(
        subscriber.id, "unfollow", secret=secret, state=f"c{case.id}")))
        for case in (followed_cases(session, subscriber.id) if session else [])]
    return {"unsubscribed": subscriber.unsubscribed_at is not None,
            "unsubscribe_url": with_lang(request, f"/unsubscribe/{unsubscribe_token}"),
            "followed": followed,
            "calendar_url": "/calendar/" + make_token(subscriber.id, "calendar",
                                                      secret=secret) + ".ics"}


@router.get("/manage/{token}", response_class=HTMLResponse, include_in_schema=False)
async def manage_form(request: Request, token: str) -> HTMLResponse:
    def load(session: Session) -> tuple[SubscriptionForm, dict[str, Any]]:
        subscriber = subscriber_or_gone(
            session, read_token(token, "manage", secret=request.app.state.secret))
        return SubscriptionForm.from_subscriber(subscriber), _manage_context(request, subscriber)

    try:
        form, context = await in_transaction(request, load)
    except (TokenError, SubscriberGone) as exc:
        return refused_page(request, refusal_reason(exc))
    return _form_page(request, form, token=token,
                      saved=request.query_params.get("saved") == "1", **context)


@router.post("/manage/{token}", response_class=HTMLResponse, include_in_schema=False)
async def manage_post(request: Request, token: str) -> Response:
    data = await request.form()
    check_csrf(request, _field(data, CSRF_FIELD))
    choices, gettext, secret = _choices(request), _gettext(request), request.app.state.secret

    def save(session: Session) -> tuple[SubscriptionForm, dict[str, Any]]:
        subscriber = subscriber_or_gone(session, read_token(token, "manage", secret=secret))
        form = replace(SubscriptionForm.from_form(data), email=subscriber.email)
        form = form.checked(choices, gettext)
        if not form.errors:
            save_preferences(session, form.record(keep=subscriber))
        return form, _manage_context(request, subscriber)

    try:
        form, context = await in_transaction(request, save)
    except (TokenError, SubscriberGone) as exc:
        return refused_page(request, refusal_reason(exc))
    if form.errors:
        return _form_page(request, form, status_code=422, token=token, saved=False, **context)
    return RedirectResponse(f"/manage/{token}?saved=1&lang={page_language(request)}",
                            status_code=303)


# Unsubscribe ----------------------------------------------------------------------------------

@router.get("/unsubscribe/{token}", response_class=HTMLResponse, include_in_schema=False)
async def unsubscribe_form(request: Request, token: str) -> HTMLResponse:
    """Only asks: a link checker opening the mail's links must not unsubscribe anyone."""
    secret = request.app.state.secret

    def load(session: Session) -> tuple[bool, str]:
        subscriber = subscriber_or_gone(session, read_token(token, "unsubscribe", secret=secret))
        return subscriber.unsubscribed_at is not None, subscriber.email

    try:
        already, address = await in_transaction(request, load)
    except (TokenError, SubscriberGone) as exc:
        return refused_page(request, refusal_reason(exc))
    return render_page(request, "manage_unsubscribe.html.j2", already=already, email=address,
                       action=with_lang(request, f"/unsubscribe/{token}"))


@router.post("/unsubscribe/{token}", response_class=HTMLResponse, include_in_schema=False)
async def unsubscribe_post(request: Request, token: str) -> HTMLResponse:
    """Our button (CSRF-checked) or the mail program's RFC 8058 one-click POST: at once."""
    data = await request.form()
    if data.get("List-Unsubscribe") != "One-Click":
        check_csrf(request, _field(data, CSRF_FIELD))
    return await _act_on_token(request, token, unsubscribe, "manage_unsubscribed.html.j2")


async def _act_on_token(request: Request, token: str,
                        action: Callable[..., Subscriber], template: str) -> HTMLResponse:
    """Confirm or unsubscribe the token's subscriber at once, then show `template` with their
    manage link; a refused token gets the page that says why."""
    secret = request.app.state.secret
    try:
        subscriber_id = await in_transaction(
            request, lambda session: action(session, token, secret=secret).id)
    except (TokenError, SubscriberGone) as exc:
        return refused_page(request, refusal_reason(exc))
    manage_token = make_token(subscriber_id, "manage", secret=secret)
    return render_page(request, template,
                       manage_url=with_lang(request, f"/manage/{manage_token}"))


def _field(data: Any, name: str) -> str | None:
    value = data.get(name)
    return value if isinstance(value, str) else None


# HS code search (the form's progressive enhancement) ------------------------------------------

class HsCode(BaseModel):
    code: str
    description: str


@router.get("/api/hs", response_model=list[HsCode], tags=["hs"],
            summary="Search the HS nomenclature by code prefix or product words")
def hs_search(request: Request, q: str = Query("", max_length=100)) -> list[HsCode]:
    """HS 2022 chapters, headings and subheadings whose code starts with the digits given, or
    whose English description has every word given; a product word in Vietnamese or English
    that names a TREWS sector also returns that sector's HS codes (first). At most 20."""
    return [HsCode(code=entry.code, description=entry.description)
            for entry in hs.search(q, request.app.state.sectors)]
