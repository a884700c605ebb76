"""The web front end in a real browser: headless Chromium, driven by Playwright, against the app
served by uvicorn on 127.0.0.1 over a SQLite file of real FR notices and the historic US cases.

A reader subscribes, confirms through the link of the mail the service's sender delivered to a
real SMTP server (aiosmtpd), changes the subscription and unsubscribes; filters the cases, opens
one and downloads the CSV; the home, case list, case and statistics pages are photographed at a
phone's and a desktop's width (`python -m tests.screenshots` makes the README's copies).

Without Chromium the module is skipped and says why (`make test` installs Debian's chromium
when it runs as root). The tests share one server; the last one adds a hostile notice, so it
stays last.
"""

from __future__ import annotations

import csv
import io
import re
import struct
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from scheduler import analyse_pending
from storage.database import transaction
from storage.models import Case, CaseNumber
from storage.notices import store_notice
from storage.subscribers import active_subscriptions
from tests.browser_harness import (
    MAX_SHOT_HEIGHT,
    SCREENSHOT_PAGES,
    SHRIMP_CASE,
    VIEWS,
    Site,
    dashboard,
    take_screenshots,
    wait_for_charts,
)
from tests.web_data import HOSTILE, hostile_record
from tests.web_harness import drain_to_smtp, subscriber, text_part
from web.exports import CSV_COLUMNS
from web.labels import PageLabels
from web.queries import case_timeline

EMAIL = "minh@tomxanh.example.vn"
MAX_SHOT_BYTES = 600 * 1024


@pytest.fixture(scope="module")
def site(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with dashboard(tmp_path_factory.mktemp("browser")) as running:
        yield running


def delivered(site: Site) -> list[EmailMessage]:
    """The queued mail, sent by the service's sender to a real SMTP server. On a thread of its
    own: Playwright's sync API keeps an event loop on this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(drain_to_smtp, site.service).result(timeout=60)


def labels(site: Site) -> PageLabels:
    return PageLabels("vi", site.app.state.sector_names)


# Subscriptions --------------------------------------------------------------------------------

def test_subscribe_confirm_by_mail_change_and_unsubscribe(page: Page, site: Site) -> None:
    sessions = site.service.sessions
    page.goto("/subscribe")
    expect(page.locator("h1")).to_have_text("Đăng ký nhận cảnh báo phòng vệ thương mại")
    page.fill("#email", EMAIL)
    page.fill("#name", "Trần Văn Minh")
    page.check("input[name=sectors][value=shrimp]")
    page.check("input[name=sectors][value=pangasius]")
    page.fill("#hs_codes", "0306.17")
    page.select_option("#language", "vi")
    page.click("form.subscription button[type=submit]")
    page.wait_for_url("**/subscribe/sent**")
    expect(page.locator("h1")).to_have_text("Hãy kiểm tra hộp thư của Quý vị")
    pending = subscriber(sessions, EMAIL)
    assert not pending.confirmed and pending.language == "vi"
    assert (pending.subscriptions[0].sectors, pending.subscriptions[0].hs_codes) == (
        ["shrimp", "pangasius"], ["030617"])

    mails = delivered(site)
    assert [str(mail["To"]) for mail in mails] == [f"Trần Văn Minh <{EMAIL}>"]
    assert mails[0]["Content-Language"] == "vi"
    link = next(line.strip() for line in text_part(mails[0]).splitlines() if "/confirm/" in line)
    assert link.startswith(f"{site.base_url}/confirm/")
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Đã xác nhận đăng ký")
    assert subscriber(sessions, EMAIL).confirmed

    page.click("main a[href^='/manage/']")
    expect(page.locator("#email")).to_have_value(EMAIL)
    expect(page.locator("input[name=sectors][value=pangasius]")).to_be_checked()
    page.uncheck("input[name=sectors][value=pangasius]")
    page.check("input[name=sectors][value=seafood_other]")
    page.select_option("#language", "en")
    page.click("form.subscription button[type=submit]")
    page.wait_for_url("**saved=1**")
    expect(page.locator(".notice-ok")).to_have_text("Đã lưu các thay đổi của Quý vị.")
    changed = subscriber(sessions, EMAIL)
    assert changed.language == "en"
    assert (changed.subscriptions[0].sectors, changed.subscriptions[0].hs_codes) == (
        ["shrimp", "seafood_other"], ["030617"])

    page.click("main a[href^='/unsubscribe/']")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Quý vị đã hủy đăng ký")
    assert subscriber(sessions, EMAIL).unsubscribed_at is not None
    with sessions() as session:
        assert changed.id not in {sub.subscriber_id for sub in active_subscriptions(session)}


# Cases ----------------------------------------------------------------------------------------

def shown_total(page: Page) -> int:
    found = re.match(r"\d+", page.locator(".actions strong").inner_text())
    assert found, "no case count on the page"
    return int(found.group())


def test_filter_cases_download_the_csv_and_open_a_case(page: Page, site: Site) -> None:
    page.goto("/cases")
    everything = shown_total(page)
    page.select_option("form.filters select[name=market]", "US")
    page.fill("form.filters input[name=q]", "shrimp")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"/cases\?.*q=shrimp"))
    assert "market=US" in page.url
    shrimp = page.locator("table.cases tbody tr").filter(has_text=SHRIMP_CASE)
    expect(shrimp).to_have_count(1)
    total = shown_total(page)
    assert 1 <= total < everything
    listed = {link.split("/")[-1] for link in page.locator(
        "table.cases tbody tr td:first-child > a").evaluate_all("links => links.map(a => a.href)")}

    with page.expect_download() as caught:
        page.click(".actions a[href*='format=csv']")
    content = Path(caught.value.path()).read_bytes()
    assert content.startswith("\ufeff".encode())
    # the header row is in the reader's language: the columns are the export's, in order
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    rows = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in table[1:]]
    assert len(rows) == total and {row["market"] for row in rows} == {"US"}
    assert any(SHRIMP_CASE in row["numbers"].split("; ") for row in rows)
    if total <= len(listed):
        assert {row["id"] for row in rows} == listed

    shrimp.locator("td:first-child > a").click()
    page.wait_for_url(f"**{site.case_path(SHRIMP_CASE)}")
    with site.service.sessions() as session:
        case = session.scalars(select(Case).join(CaseNumber).where(
            CaseNumber.number == SHRIMP_CASE)).one()
        events = len(case_timeline(session, case.id))
        said = labels(site)
        title, stage = said.case_title(case), said.stage(case.stage, case.proceeding)
        next_step = said.next_step(case.next_step) if case.next_step else None
        next_due = said.day(case.next_due)
    expect(page.locator("h1")).to_have_text(title)
    facts = page.locator("table.facts")
    expect(facts.locator("tr").filter(has_text="Số hiệu vụ việc")).to_contain_text(SHRIMP_CASE)
    expect(facts.locator("tr").filter(has_text="Giai đoạn hiện tại")).to_contain_text(stage)
    assert next_step, "the shrimp order's next step (its sunset review) should be known"
    expect(page.locator(".next strong")).to_have_text(next_step)
    expect(page.locator(".next")).to_contain_text(next_due)
    assert events >= 1
    expect(page.locator("ol.timeline > li")).to_have_count(events)


# Screenshots ----------------------------------------------------------------------------------

def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header.startswith(b"\x89PNG\r\n\x1a\n"), f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_screenshots_at_phone_and_desktop_width(browser: Browser, site: Site,
                                                tmp_path_factory: pytest.TempPathFactory
                                                ) -> None:
    folder = tmp_path_factory.mktemp("screenshots")
    shots = {shot.name: shot for shot in take_screenshots(browser, site, folder)}
    print(f"screenshots in {folder}")
    assert sorted(shots) == sorted(f"{name}-{view}.png" for name in SCREENSHOT_PAGES
                                   for view, _viewport, _lang in VIEWS)
    for view, viewport, _lang in VIEWS:
        for name in SCREENSHOT_PAGES:
            shot = shots[f"{name}-{view}.png"]
            width, height = png_size(shot)
            assert width == viewport["width"], f"{shot.name}: the page is wider than the screen"
            assert viewport["height"] // 2 < height <= MAX_SHOT_HEIGHT
            assert shot.stat().st_size < MAX_SHOT_BYTES


def test_statistics_charts_are_drawn(page: Page) -> None:
    page.goto("/stats?lang=en")
    assert wait_for_charts(page) == page.locator("figure table").count() == 5
    totals = page.evaluate("Object.values(window.Chart.instances).map(chart =>"
                           " chart.data.datasets.flatMap(d => d.data).reduce((a, b) => a + b, 0))")
    assert all(total > 0 for total in totals), totals


# Keep last: it adds a notice to the shared database. ----------------------------------------

def test_a_scraped_script_is_shown_as_text_and_never_runs(page: Page, site: Site) -> None:
    with transaction(site.service.sessions) as session:
        store_notice(session, hostile_record())
    analyse_pending(site.service)
    page.goto("/")
    card = page.locator("ul.cards > li").filter(has_text=HOSTILE)
    expect(card).to_have_count(1)
    expect(card.locator("a[href^='javascript:']")).to_have_count(0)
