"""The web application: the public case dashboard, its JSON API and feeds, and subscriptions.

`create_app` is the only place that wires the parts together, so tests build the same app the
`trews web` command serves, on whichever database they hand it.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from alerts.tokens import secret_key
from config import load_sources
from config.sectors import load_sectors
from config.settings import Settings
from storage.database import make_engine, session_factory
from storage.migrate import upgrade
from web import admin, api, deadlines, digests, feeds, follows, pages, risk, subscriptions
from web.http import HeadAsGetMiddleware, RelativeRedirectsMiddleware
from web.security import SecurityHeadersMiddleware
from web.templating import render_page

STATIC_DIR = Path(__file__).resolve().parent / "static"
# Machine-readable paths keep FastAPI's JSON errors; people get a page in their language.
_MACHINE_PREFIXES = ("/api/", "/feeds/", "/static/")
_PAGED_ERRORS = (400, 403, 404)


def create_app(settings: Settings, *, sessions: sessionmaker[Session] | None = None) -> FastAPI:
    """The app on `sessions`, else on settings.db_url brought to the newest schema."""
    if sessions is None:
        engine = make_engine(settings.db_url)
        upgrade(engine)
        sessions = session_factory(engine)
    app = FastAPI(title="TREWS", summary="Trade Remedy Early Warning Service: read-only API",
                  version="1", openapi_url="/api/openapi.json", docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.sessions = sessions
    app.state.sectors = load_sectors(settings.sectors_file)
    app.state.sector_names = {sector.id: {"en": sector.name.en, "vi": sector.name.vi}
                              for sector in app.state.sectors}
    app.state.secret = secret_key(settings)
    # The authorities a digest's web page names its notices' sources by (read once, not per page).
    app.state.source_names = {source_id: source.authority
                              for source_id, source in load_sources(settings.sources_file).items()}
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RelativeRedirectsMiddleware)
    app.add_middleware(HeadAsGetMiddleware)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(pages.router)
    app.include_router(deadlines.router)
    app.include_router(risk.router)
    app.include_router(api.router)
    app.include_router(feeds.router)
    app.include_router(subscriptions.router)
    app.include_router(follows.router)
    app.include_router(digests.router)
    app.include_router(admin.router)
    return app


async def _http_error(request: Request, exc: Exception) -> Response:
    """An error page in the reader's language for browsers, FastAPI's JSON for machines."""
    assert isinstance(exc, StarletteHTTPException)
    if request.url.path.startswith(_MACHINE_PREFIXES) or exc.status_code not in _PAGED_ERRORS:
        return await http_exception_handler(request, exc)
    return render_page(request, "error.html.j2", status_code=exc.status_code,
                       status=exc.status_code)


async def _invalid_request(request: Request, exc: Exception) -> Response:
    """A malformed id in a page's path is an unknown page (404); a malformed filter is 400."""
    assert isinstance(exc, RequestValidationError)
    if request.url.path.startswith(_MACHINE_PREFIXES):
        return await request_validation_exception_handler(request, exc)
    in_path = any(error.get("loc", ("",))[0] == "path" for error in exc.errors())
    status = 404 if in_path else 400
    return render_page(request, "error.html.j2", status_code=status, status=status)
