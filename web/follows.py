"""Following a case from an alert or from its page, stopping its reminders, and the subscriber's
deadline calendar.

Like the other links of a mail, each carries a signed token (alerts.tokens): "follow" names the
subscriber and either the notice whose cases they follow (an alert's link) or one case (the link
a case page's form mails: only the mail proves the address is the visitor's), "unfollow" the
subscriber and one case, "calendar" the subscriber. A GET only shows what the POST will do,
since mail scanners open links; the calendar is a read-only feed a calendar client polls.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from alerts.calendar import ESTIMATED, STATED, CalendarEntry, deadline_calendar
from alerts.i18n import normalize_language, translations
from alerts.labels import Labels, case_line
from alerts.optin import SubscriberGone
from alerts.tokens import TokenError, make_token, read_token, read_token_state
from storage.follows import (
    follow,
    followed_cases,
    local_day,
    stated_deadlines,
    unfollow,
    vietnam_cases_of,
)
from storage.models import Case
from storage.timeutil import utcnow
from web.deps import Id, page_labels, sector_index
from web.form_input import plain_address
from web.pages import case_response
from web.queries import get_case
from web.security import CSRF_FIELD, check_csrf, rate_limit
from web.signup import ask_to_follow
from web.subscriptions import (
    in_transaction,
    refusal_reason,
    refused_page,
    subscriber_or_gone,
    too_many_requests,
    with_lang,
)
from web.templating import page_language, render_page

router = APIRouter()
# The calendar shows deadlines from this long ago on (a reader checks what was just due).
CALENDAR_PAST_DAYS = 30


def _state_id(state: str, prefix: str) -> int:
    """The id a token's state carries ("n12" names notice 12), or a refusal."""
    if not state.startswith(prefix) or not state[1:].isdigit():
        raise _Forged("this link does not name what it acts on")
    return int(state[1:])


class _Forged(TokenError):
    reason = "forged"


def _cases_to_follow(session: Session, token: str, secret: str) -> tuple[int, list[Case]]:
    """The follow link's subscriber and what it follows: the cases on Vietnam of its notice
    ("n12"), or its one case ("c7")."""
    subscriber_id, state = read_token_state(token, "follow", secret=secret)
    subscriber_or_gone(session, subscriber_id)
    if state.startswith("c"):
        case = session.get(Case, _state_id(state, "c"))
        return subscriber_id, [case] if case is not None else []
    return subscriber_id, vietnam_cases_of(session, _state_id(state, "n"))


def _link_case(session: Session, token: str, secret: str) -> tuple[int, Case]:
    """The unfollow link's subscriber and case."""
    subscriber_id, state = read_token_state(token, "unfollow", secret=secret)
    subscriber_or_gone(session, subscriber_id)
    case = session.get(Case, _state_id(state, "c"))
    if case is None:
        raise SubscriberGone("this case no longer exists")
    return subscriber_id, case


async def _posted(request: Request) -> None:
    """Our button's form, or a 403: a POST from elsewhere acts on nobody's behalf."""
    value = (await request.form()).get(CSRF_FIELD)
    check_csrf(request, value if isinstance(value, str) else None)


def _language(request: Request) -> str:
    return normalize_language(request.query_params.get("lang"))


@router.get("/follow/{token}", response_class=HTMLResponse, include_in_schema=False)
async def follow_form(request: Request, token: str) -> HTMLResponse:
    """Only says which cases the button follows."""
    secret = request.app.state.secret
    try:
        _subscriber, cases = await in_transaction(
            request, lambda session: _cases_to_follow(session, token, secret))
    except (TokenError, SubscriberGone) as exc:
        return refused_page(request, refusal_reason(exc))
    return render_page(request, "follow.html.j2", done=False,
                       cases=[case_line(case, _language(request)) for case in cases],
                       windows=request.app.state.settings.reminder_days,
                       action=with_lang(request, f"/follow/{token}"))


@router.post("/follow/{token}", response_class=HTMLResponse, include_in_schema=False)
async def follow_post(request: Request, token: str) -> HTMLResponse:
    await _posted(request)
    secret = request.app.state.secret

    def act(session: Session) -> tuple[int, list[str]]:
        subscriber_id, cases = _cases_to_follow(session, token, secret)
        follow(session, subscriber_id, [case.id for case in cases])
        return subscriber_id, [case_line(case, _language(request)) for case in cases]

    try:
        subscriber_id, headings = await in_transaction(request, act)
    except (TokenError, SubscriberGone) as exc:
        return refused_page(request, refusal_reason(exc))
    calendar = make_token(subscriber_id, "calendar", secret=secret)
    return render_page(request, "follow.html.j2", cases=headings, done=True,
                       windows=request.app.state.settings.reminder_days,
                       calendar_url=f"/calendar/{calendar}.ics")


@router.get("/unfollow/{token}", response_class=HTMLResponse, include_in_schema=False)
async def unfollow_form(request: Request, token: str) -> HTMLResponse:
    secret = request.app.state.secret
    try:
        heading = await in_transaction(request, lambda session: case_line(
            _link_case(session, token, secret)[1], _language(request)))
    except (TokenError, SubscriberGone) as exc:
        return refused_page(request, refusal_reason(exc))
    return render_page(request, "unfollow.html.j2", case=heading, done=False,
                       action=with_lang(request, f"/unfollow/{token}"))


@router.post("/unfollow/{token}", response_class=HTMLResponse, include_in_schema=False)
async def unfollow_post(request: Request, token: str) -> HTMLResponse:
    await _posted(request)
    secret = request.app.state.secret

    def act(session: Session) -> str:
        subscriber_id, case = _link_case(session, token, secret)
        unfollow(session, subscriber_id, case.id)
        return case_line(case, _language(request))

    try:
        heading = await in_transaction(request, act)
    except (TokenError, SubscriberGone) as exc:
        return refused_page(request, refusal_reason(exc))
    return render_page(request, "unfollow.html.j2", case=heading, done=True)


@router.get("/calendar/{token}.ics", include_in_schema=False)
async def calendar_feed(request: Request, token: str) -> Response:
    """The deadlines of the subscriber's followed cases: those their notices state, and the
    statutory clock's estimate of each case's next step, told apart."""
    secret = request.app.state.secret
    domain = request.url.hostname or "trews.invalid"

    def load(session: Session) -> bytes:
        subscriber = subscriber_or_gone(session, read_token(token, "calendar", secret=secret))
        lang = normalize_language(subscriber.language)
        since = local_day(utcnow(), subscriber.timezone) - timedelta(days=CALENDAR_PAST_DAYS)
        cases = {case.id: case for case in followed_cases(session, subscriber.id)}
        entries = _stated_entries(session, cases, lang, since, domain)
        entries += _estimated_entries(cases.values(), lang, since, domain)
        name = translations(lang).gettext("TREWS – deadlines of the cases you follow")
        return deadline_calendar(entries, name)

    try:
        body = await in_transaction(request, load)
    except (TokenError, SubscriberGone) as exc:
        return refused_page(request, refusal_reason(exc))
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": 'inline; filename="trews.ics"'})


def _stated_entries(session: Session, cases: dict[int, Case], lang: str, since: date,
                    domain: str) -> list[CalendarEntry]:
    labels = Labels(lang, {})
    _ = translations(lang).gettext
    return [CalendarEntry(
        uid=f"case-{d.case_id}-{d.kind}-{d.day.isoformat()}@{domain}", day=d.day,
        summary=f"{labels.deadline(d.kind)} – {case_line(cases[d.case_id], lang)}",
        description=_("Deadline stated in a notice of the case."), url=None, basis=STATED)
        for d in stated_deadlines(session, sorted(cases)) if d.day >= since]


def _estimated_entries(cases: Iterable[Case], lang: str, since: date,
                       domain: str) -> list[CalendarEntry]:
    labels = Labels(lang, {})
    _ = translations(lang).gettext
    return [CalendarEntry(
        uid=f"case-{case.id}-expected-{case.next_step}-{case.next_due.isoformat()}@{domain}",
        day=case.next_due,
        summary=_("Expected: %(step)s – %(case)s") % {
            "step": labels.next_step(case.next_step), "case": case_line(case, lang)},
        description=(_("An estimate from the statutory time limits, not a date the authority "
                       "has set: %(basis)s") % {"basis": labels.basis(case.next_basis or "")}),
        url=None, basis=ESTIMATED)
        for case in cases
        if case.next_due is not None and case.next_step and case.next_due >= since]


# Following from the case page ----------------------------------------------------------------

@router.post("/cases/{case_id}/follow", include_in_schema=False)
async def follow_case_request(request: Request, case_id: Id) -> Response:
    """Mail the address the follow link of this case (or, if it receives no alerts, an
    invitation to subscribe): the same answer whoever the address is, and rate-limited like a
    sign-up, so the form neither tells who subscribes nor floods anyone's mailbox."""
    data = await request.form()
    typed = data.get("email")
    typed = typed if isinstance(typed, str) else ""
    csrf_value = data.get(CSRF_FIELD)
    check_csrf(request, csrf_value if isinstance(csrf_value, str) else None)
    wait = rate_limit(request, "follow", typed)
    if wait:
        return too_many_requests(request, wait)
    address, lang = plain_address(typed), page_language(request)

    def ask(session: Session) -> HTMLResponse | None:
        """None once the mail is owed; the case page with the form's error when the address
        is not one plain address."""
        case = get_case(session, case_id)
        if case is None:
            raise HTTPException(status_code=404)
        if address is not None:
            ask_to_follow(session, address, lang, case.id, utcnow())
            return None
        _ = translations(lang).gettext
        return case_response(request, session, page_labels(request), sector_index(request),
                             case, status_code=422, follow_email=typed, follow_error=_(
                                 "Enter one valid e-mail address only, for example "
                                 "lan@example.vn, without a name or brackets."))

    refused = await in_transaction(request, ask)
    if refused is not None:
        return refused
    return RedirectResponse(with_lang(request, f"/cases/{case_id}/follow/sent"),
                            status_code=303)


@router.get("/cases/{case_id}/follow/sent", response_class=HTMLResponse,
            include_in_schema=False)
def follow_case_sent(request: Request, case_id: Id) -> HTMLResponse:
    return render_page(request, "follow_case_sent.html.j2", case_id=case_id)
