"""Shared test fixtures: real databases (a SQLite file, the local PostgreSQL server) and settings
that point TREWS at a temporary data folder, and the browser tests' Chromium and tabs."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from config import Settings, load_settings
from replay import ReplayServer
from storage.database import make_engine, session_factory
from storage.migrate import upgrade
from tests.crawl_harness import Harness, harness

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Dialog, Page

    from tests.browser_harness import Site
    from tests.web_data import WebData

ROOT = Path(__file__).resolve().parent.parent
RECORDINGS = ROOT / "replay" / "recordings"
FR_PAGE = RECORDINGS / "us" / "fr_api_documents_2024-01-02_to_2024-01-17_page1_all_fields.json"
POSTGRES_SERVER = os.environ.get(
    "TREWS_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(autouse=True)
def _clean_trews_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests build their own settings; a developer's TREWS_* variables must not leak in."""
    for name in list(os.environ):
        if name.startswith("TREWS_"):
            monkeypatch.delenv(name)


def postgres_available() -> str | None:
    """None when the server answers, else the reason to skip."""
    try:
        with create_engine(POSTGRES_SERVER).connect() as connection:
            connection.execute(text("select 1"))
    except OperationalError as exc:
        return f"PostgreSQL not reachable at {POSTGRES_SERVER}: {exc.orig}"
    return None


@contextmanager
def fresh_schema(prefix: str = "trews") -> Iterator[str]:
    """A URL on a new schema of the `test` database of the local server, dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_SERVER}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema in the `test` database of the local server, dropped afterwards."""
    reason = postgres_available()
    if reason:
        pytest.skip(reason)
    with fresh_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each storage test runs on a real SQLite file and on the real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'trews.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated database: a real SQLite file, then the real PostgreSQL server."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def web(tmp_path_factory: pytest.TempPathFactory) -> WebData:
    """The web tests' SQLite database of real notices through the real pipeline, built once;
    modules that need a database of their own define their own `web`."""
    from tests.web_data import sqlite_data  # it reads this module's recordings paths

    return sqlite_data(tmp_path_factory)


@pytest.fixture
def client(web: WebData) -> TestClient:
    return web.client()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "var", crawl_delay_s=0.0)


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    """A local server replaying the recorded (and synthetic) responses, for one test."""
    with ReplayServer(lifetime_s=300).running_in_thread() as server:
        yield server


@pytest.fixture
def h(request: pytest.FixtureRequest, replay: ReplayServer, tmp_path: Path) -> Harness:
    """The crawl harness of the test module's SOURCE: a service on `tmp_path` whose sources point
    at `replay`."""
    return harness(request.module.SOURCE, replay, tmp_path / "var")


# The browser tests (tests/test_web_*browser.py): Chromium once per module, and a new tab for
# each test on the module's own `site` (tests/browser_harness.py). Imported when asked for, so
# the other tests never load Playwright.
PAGE_TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    from tests.browser_harness import BrowserUnavailable, launch_chromium

    with sync_playwright() as playwright:
        try:
            chromium = launch_chromium(playwright)
        except BrowserUnavailable as exc:
            pytest.skip(str(exc))
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, site: Site) -> Iterator[Page]:
    """A new browser profile in Vietnamese; any script error, CSP refusal (logged as a console
    error) or dialog on the way fails the test."""
    context = browser.new_context(locale="vi-VN", timezone_id=site.service.settings.timezone,
                                  base_url=site.base_url)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    tab = context.new_page()
    problems: list[str] = []

    def refuse(dialog: Dialog) -> None:
        problems.append(f"a dialog opened: {dialog.message}")
        dialog.dismiss()

    tab.on("console", lambda message: problems.append(f"{message.text} ({message.location})")
           if message.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on("dialog", refuse)
    yield tab
    context.close()
    assert problems == []
