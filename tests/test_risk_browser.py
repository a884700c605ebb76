"""The risk watch in a real browser: headless Chromium (Playwright) on the app served by uvicorn,
on the real FR notices and historic US cases of tests/browser_harness.py, with a risk list
computed by the service's own code. A ministry officer goes from the home page to /risk, reads
the reasons in Vietnamese, switches to English, narrows to one sector; the page passes
axe-core's WCAG level-A rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from storage.risk import latest_runs, refresh_risk, run_scores
from tests.browser_harness import Site, dashboard

LEVEL_A = ["wcag2a", "wcag21a"]


@pytest.fixture(scope="module")
def site(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with dashboard(tmp_path_factory.mktemp("risk")) as running:
        refresh_risk(running.service.sessions, track_until=date(2006, 1, 1))
        yield running


def _stored_top(site: Site) -> list[str]:
    with site.service.sessions() as session:
        (run,) = latest_runs(session, 1)
        return [s.heading for s in run_scores(session, run, "US", 20)]


def test_an_officer_reads_the_risk_list_with_its_reasons(page: Page, site: Site) -> None:
    page.goto("/")
    with page.expect_navigation():
        page.click("nav a[href='/risk']")
    assert "Theo dõi nguy cơ" in page.inner_text("h1")
    assert "Dự báo, không phải vụ việc." in page.inner_text("#forecast-note")
    shown = page.eval_on_selector_all("li[data-heading]", "els => els.map(e => e.dataset.heading)")
    assert shown == _stored_top(site)
    first = page.locator("li[data-heading]").first
    reasons = first.locator("ul.reasons > li")
    assert reasons.count() >= 1 and reasons.first.is_visible()
    assert "năm" in reasons.first.inner_text()  # a case, with its year, a person can check
    assert page.locator("#track-record tr[data-method='model']").count() >= 1
    assert Axe().run(page, options={"runOnly": {"type": "tag", "values": LEVEL_A}}
                     ).response["violations"] == []

    with page.expect_navigation():
        page.click("a.lang")
    assert "Risk watch" in page.inner_text("h1")
    assert "Forecast, not a case." in page.inner_text("#forecast-note")
    text = page.locator("li[data-heading]").first.locator("ul.reasons").inner_text()
    assert " on " in text and " from " in text

    page.select_option("form.filters select[name=sector]", "steel")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    steel = page.eval_on_selector_all("li[data-heading]", "els => els.map(e => e.dataset.heading)")
    assert steel and all(heading[:2] in ("72", "73") for heading in steel)
    assert "sector=steel" in page.url
