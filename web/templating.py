"""Jinja pages in the reader's language: environments, language choice and page responses.

The pages share the gettext catalogue of the e-mails (alerts/locale), so a stage or measure is
called the same on the site as in the alert that linked to it. Unlike the mail environment, every
template here is HTML, so autoescaping is always on: notice titles are scraped, hostile text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment

from alerts.i18n import (
    DEFAULT_LANGUAGE,
    SUPPORTED_LANGUAGES,
    format_day,
    format_moment,
    translated_environment,
    translations,
)
from storage.links import safe_url
from web.labels import state_label
from web.security import attach_csrf_cookie, csrf_token

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# The mails' pieces a page shows as they are (a digest's web page uses the digest's macros).
MAIL_TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "alerts" / "templates"
LANG_COOKIE = "lang"
LANG_COOKIE_MAX_AGE_S = 365 * 24 * 3600


@cache
def page_environment(language: str) -> Environment:
    """The pages' environment in `language`: every template here is HTML, so autoescaping is
    always on (notice titles are scraped, hostile text)."""
    return translated_environment([TEMPLATES_DIR, MAIL_TEMPLATES_DIR], language, autoescape=True)


def _supported(value: str | None) -> str | None:
    tag = (value or "").strip().replace("_", "-").split("-", 1)[0].lower()
    return tag if tag in SUPPORTED_LANGUAGES else None


def _accepted(header: str) -> str | None:
    """The supported language the browser prefers most (Accept-Language, q-values honoured)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.partition(";")
        lang = _supported(tag)
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if lang and quality > 0:
            ranked.append((-quality, position, lang))
    return min(ranked)[2] if ranked else None


def page_language(request: Request) -> str:
    """?lang=vi|en, else the lang cookie, else Accept-Language, else Vietnamese."""
    return (_supported(request.query_params.get("lang"))
            or _supported(request.cookies.get(LANG_COOKIE))
            or _accepted(request.headers.get("accept-language", ""))
            or DEFAULT_LANGUAGE)


def url_with(request: Request, **params: object) -> str:
    """This page's path and query with `params` replaced (None removes one): for links that
    keep the reader's filters, such as pagination and the language switch."""
    query = {key: value for key, value in request.query_params.items() if key not in params}
    query.update({key: str(value) for key, value in params.items() if value is not None})
    encoded = urlencode(query)
    return f"{request.url.path}?{encoded}" if encoded else request.url.path


def page_helpers(request: Request, lang: str) -> dict[str, Any]:
    """What every template gets besides its own context."""
    zone = request.app.state.settings.timezone
    gettext: Callable[[str], str] = translations(lang).gettext
    return {
        "lang": lang,
        "zone": zone,
        "t": gettext,
        "request": request,
        "lang_switch_url": url_with(request, lang="en" if lang == "vi" else "vi"),
        "url_with": lambda **params: url_with(request, **params),
        "csrf_token": lambda: csrf_token(request),
        "day": lambda value: format_day(value, lang) if isinstance(value, date) else "",
        "moment": lambda value: (format_moment(value, lang, zone)
                                 if isinstance(value, datetime) else ""),
        "link_url": safe_url,
        "state": lambda code: state_label(code, gettext),
    }




def render_page(request: Request, template: str, status_code: int = 200,
                **context: Any) -> HTMLResponse:
    """A page in the reader's language; a ?lang choice is remembered in a cookie."""
    lang = page_language(request)
    html = page_environment(lang).get_template(template).render(
        **page_helpers(request, lang), **context)
    response = HTMLResponse(html, status_code=status_code, headers={"Content-Language": lang})
    if _supported(request.query_params.get("lang")):
        response.set_cookie(LANG_COOKIE, lang, max_age=LANG_COOKIE_MAX_AGE_S, samesite="lax")
    attach_csrf_cookie(request, response)
    return response
