"""What the browser test and the screenshot command share: a database of real notices and historic
cases, the web app served by uvicorn on 127.0.0.1, Chromium driven by Playwright, and full-page
screenshots of the public pages.

Chromium is Playwright's own build when `playwright install chromium` put one there, else the
system's (Debian's `chromium` package: Playwright's download site is not always reachable).
"""

from __future__ import annotations

import io
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from PIL import Image
from playwright.sync_api import Browser, Page, Playwright, ViewportSize
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select

from config import Settings
from scheduler import Service, analyse_pending
from storage.database import transaction
from storage.history import bundled_lists, import_history
from storage.models import CaseNumber
from storage.notices import store_notice
from tests.web_data import fr_page_records, post_records
from web.app import create_app

SYSTEM_CHROMIUMS = ("chromium", "chromium-browser", "google-chrome")
SHRIMP_CASE = "A-552-802"
# (name, viewport, page language): the phone in Vietnamese, the desktop in English.
VIEWS = (("phone", ViewportSize(width=390, height=844), "vi"),
         ("desktop", ViewportSize(width=1280, height=800), "en"))
SCREENSHOT_PAGES = ("home", "cases", "case", "stats")
# The home page lists 30 notices: past this height a screenshot shows nothing new.
MAX_SHOT_HEIGHT = 3200
# Screenshots are mostly text on a few flat colours: a 256-colour palette keeps them sharp at
# about a third of the size (they are committed, see docs/screenshots).
SHOT_COLOURS = 256
START_TIMEOUT_S = 30


class BrowserUnavailable(Exception):
    """No Chromium could be found or started here: why, and how to get one."""


@dataclass
class Site:
    """The app served on 127.0.0.1, and the service that drains the mail it queues."""

    base_url: str
    service: Service
    app: FastAPI

    def case_path(self, number: str) -> str:
        with self.service.sessions() as session:
            case_id = session.scalars(
                select(CaseNumber.case_id).where(CaseNumber.number == number)).first()
        assert case_id is not None, f"no case {number} in the database"
        return f"/cases/{case_id}"


def chromium_executable(playwright: Playwright) -> str | None:
    own = Path(playwright.chromium.executable_path)
    if own.is_file():
        return str(own)
    return next((found for name in SYSTEM_CHROMIUMS if (found := shutil.which(name))), None)


def launch_chromium(playwright: Playwright) -> Browser:
    """Headless Chromium, or BrowserUnavailable saying why not."""
    executable = chromium_executable(playwright)
    if executable is None:
        raise BrowserUnavailable(
            "no Chromium found: install Debian's `chromium` package (`make test` does so when "
            "run as root with apt-get) or run `playwright install chromium`")
    try:
        return playwright.chromium.launch(executable_path=executable, headless=True,
                                          timeout=START_TIMEOUT_S * 1000)
    except PlaywrightError as exc:
        raise BrowserUnavailable(
            f"Chromium at {executable} did not start: {exc.message.splitlines()[0]}") from exc


def fill(service: Service) -> None:
    """The real FR notices of tests/web_data.py (not its synthetic hostile one), analysed and
    linked into cases as the service does, then the bundled historic US case lists."""
    with transaction(service.sessions) as session:
        for record in [*post_records(), *fr_page_records()]:
            store_notice(session, record)
    analyse_pending(service)
    import_history(service.sessions, bundled_lists())


@contextmanager
def serving(app: FastAPI, sock: socket.socket) -> Iterator[None]:
    """Serve `app` with uvicorn on the bound socket from a daemon thread, until the block ends."""
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name="web-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=START_TIMEOUT_S)


@contextmanager
def dashboard(folder: Path) -> Iterator[Site]:
    """The web app on a SQLite file of real data (see `fill`), served on a free port of
    127.0.0.1; the links in its mails point at that server."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        settings = Settings.model_validate({
            "data_dir": folder / "var", "database_url": f"sqlite:///{folder / 'trews.db'}",
            "public_url": base_url})
        service = Service.load(settings)
        fill(service)
        app = create_app(settings, sessions=service.sessions)
        with serving(app, sock):
            yield Site(base_url, service, app)


def wait_for_charts(page: Page) -> int:
    """Wait until Chart.js has drawn every chart of the statistics page; how many it drew."""
    page.wait_for_function(
        "() => window.Chart && Object.keys(window.Chart.instances).length"
        " === document.querySelectorAll('[data-chart]').length")
    return int(page.evaluate("Object.keys(window.Chart.instances).length"))


def take_screenshots(browser: Browser, site: Site, folder: Path) -> list[Path]:
    """The home, case list, shrimp case and statistics pages in each view: the whole width of
    the page (an overflow shows as a wider image) and its height up to MAX_SHOT_HEIGHT."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = dict(zip(SCREENSHOT_PAGES, ("/", "/cases", site.case_path(SHRIMP_CASE), "/stats"),
                     strict=True))
    shots = []
    for view, viewport, lang in VIEWS:
        context = browser.new_context(viewport=viewport, locale=lang,
                                      timezone_id=site.service.settings.timezone)
        page = context.new_page()
        for name, path in paths.items():
            page.goto(f"{site.base_url}{path}?lang={lang}")
            if name == "stats":
                wait_for_charts(page)
            shots.append(save_png(page_png(page), folder / f"{name}-{view}.png"))
        context.close()
    return shots


def page_png(page: Page) -> bytes:
    width, height = page.evaluate("[document.documentElement.scrollWidth,"
                                  " document.documentElement.scrollHeight]")
    return page.screenshot(full_page=True, clip={
        "x": 0, "y": 0, "width": width, "height": min(height, MAX_SHOT_HEIGHT)})


def save_png(png: bytes, path: Path) -> Path:
    with Image.open(io.BytesIO(png)) as shot:
        shot.convert("RGB").quantize(SHOT_COLOURS, dither=Image.Dither.NONE).save(
            path, optimize=True)
    return path
