"""Following a case from an alert, stopping its reminders, and the subscriber's deadline calendar.

Like the other links of a mail, each carries a signed token (alerts.tokens): "follow" names the
subscriber and the notice whose cases they follow, "unfollow" the subscriber and one case,
"calendar" the subscriber. A GET only shows what the POST will do, since mail scanners open
links; the calendar is a read-only feed a calendar client polls.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
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
from web.security import CSRF_FIELD, check_csrf
from web.subscriptions import (
    in_transaction,
    refusal_reason,
    refused_page,
    subscriber_or_gone,
    with_lang,
)
from web.templating import render_page

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


def _notice_cases(session: Session, token: str, secret: str) -> tuple[int, list[Case]]:
    """The follow link's subscriber and the cases on Vietnam of its notice."""
    subscriber_id, state = read_token_state(token, "follow", secret=secret)
    subscriber_or_gone(session, subscriber_id)
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
            request, lambda session: _notice_cases(session, token, secret))
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
        subscriber_id, cases = _notice_cases(session, token, secret)
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
