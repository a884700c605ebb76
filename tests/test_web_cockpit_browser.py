"""The ministry's cockpit in a real browser (issue 19): headless Chromium, driven by Playwright,
against the app served by uvicorn on the real FR notices and historic US cases of
tests/browser_harness.py, plus a few synthetic cases dated around today (the recordings are years
old; tests/web_data.dated_case).

Starting from the home page and only clicking and choosing, as a ministry officer would, the
tests answer the two questions the cockpit is for: how many new investigations (and
circumvention inquiries) on Vietnam this year, by market, and what falls due in the next seven
days; each answer is checked against the database, read here with queries of its own. Then every
public page passes axe-core's WCAG level-A rules (axe-core as bundled by axe-playwright-python),
and every data table is reached with the Tab key.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, ViewportSize
from sqlalchemy import func, select

from storage.database import transaction
from storage.models import Case, CaseEvent, Notice
from storage.timeutil import utcnow
from tests.browser_harness import SHRIMP_CASE, VIEWS, Site, dashboard
from tests.web_data import dated_case

LEVEL_A = ["wcag2a", "wcag21a"]
NEW = ("investigation", "circumvention")
# (market, Vietnam's role, opened by, deadlines (days from today, kind), statutory estimate in)
SYNTHETIC = [
    ("US", "subject", "investigation", [(3, "questionnaire"), (-2, "register")], 5),
    ("US", "subject", "investigation", [(12, "case_briefs")], None),
    ("IN", "subject", "investigation", [(10, "comments")], None),
    ("EU", "circumvention", "circumvention", [(1, "comments")], None),
    ("US", "subject", "review", [], None),
    ("US", "none", "investigation", [(2, "comments")], None),  # not on Vietnam
]


@pytest.fixture(scope="module")
def site(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with dashboard(tmp_path_factory.mktemp("cockpit")) as running:
        today = today_of(running)
        with transaction(running.service.sessions) as session:
            for n, (market, role, opened_by, deadlines, estimate) in enumerate(SYNTHETIC):
                dated_case(session, n, today, source_id="us_fr_documents", market=market,
                           vietnam=role, product=f"synthetic product {n}", sector="steel",
                           deadlines=deadlines, next_due=estimate, opened_by=opened_by,
                           opened_on=max(today - timedelta(days=20), date(today.year, 1, 1)))
        yield running


def today_of(site: Site) -> date:
    return utcnow().astimezone(ZoneInfo(site.service.settings.timezone)).date()


def choose(page: Page, **values: str) -> None:
    """Choose in the page's filter form and send it, as a reader does."""
    for name, value in values.items():
        page.select_option(f"form.filters select[name={name}]", value)
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")


# "How many new investigations on Vietnam this year, by market?" -------------------------------

def new_cases_in_database(site: Site, year: int) -> dict[str, Counter[str]]:
    """Vietnam's cases opened in `year` by a new investigation or a circumvention inquiry."""
    with site.service.sessions() as session:
        rows = session.execute(
            select(Case.market, Case.opened_by, func.count(Case.id))
            .where(Case.vietnam != "none", Case.opened_by.in_(NEW),
                   Case.opened_on.between(date(year, 1, 1), date(year, 12, 31)))
            .group_by(Case.market, Case.opened_by))
        found: dict[str, Counter[str]] = {}
        for market, kind, n in rows:
            found.setdefault(market, Counter())[kind] = n
    return found


def shown_total(page: Page) -> int:
    found = re.match(r"\d+", page.locator(".actions strong").inner_text())
    assert found, "no case count on the page"
    return int(found.group())


def test_new_investigations_on_vietnam_this_year_by_market(page: Page, site: Site) -> None:
    year = today_of(site).year
    wanted = new_cases_in_database(site, year)
    assert sum(c["investigation"] for c in wanted.values()) >= 3 and "EU" in wanted

    page.goto("/")
    page.click("nav a[href='/stats']")
    choose(page, year=str(year))
    headline = int(page.locator("#new-cases .big").inner_text())
    shown = {row[0]: Counter({kind: int(n) for kind, n in zip(NEW, row[1:], strict=True)})
             for row in page.locator("#new-cases tr[data-market]").evaluate_all(
                 "rows => rows.map(r => [r.dataset.market,"
                 " r.querySelector('[data-opened-by=investigation]').textContent,"
                 " r.querySelector('[data-opened-by=circumvention]').textContent])")}
    assert {market: +counts for market, counts in shown.items() if +counts} == wanted
    assert headline == sum(counts.total() for counts in wanted.values())

    # the same count on the case list, by market, through its menus
    page.click("nav a[href='/cases']")
    choose(page, year=str(year), opened_by="investigation")
    assert shown_total(page) == sum(c["investigation"] for c in wanted.values())
    choose(page, market="US")
    assert shown_total(page) == wanted["US"]["investigation"]
    assert page.locator("table.cases tbody tr").count() == wanted["US"]["investigation"]


# "What falls due in the next seven days?" -----------------------------------------------------

Due = tuple[str, int, bool]  # (ISO day, case id, stated in a notice rather than estimated)


def due_in_database(site: Site, today: date) -> set[Due]:
    """Deadlines the notices of Vietnam's cases state, and the statutory estimates of their open
    cases' next steps, from today to seven days on."""
    until = today + timedelta(days=7)
    with site.service.sessions() as session:
        stated = session.execute(
            select(Case.id, Notice.analysis).join(CaseEvent, CaseEvent.case_id == Case.id)
            .join(Notice, Notice.id == CaseEvent.notice_id).where(Case.vietnam != "none"))
        found = {(day, case_id, True) for case_id, analysis in stated
                 for item in (analysis or {}).get("deadlines") or []
                 if today.isoformat() <= (day := str(item.get("date"))) <= until.isoformat()}
        estimated = session.execute(select(Case.id, Case.next_due).where(
            Case.vietnam != "none", Case.status == "open", Case.next_step.is_not(None),
            Case.next_due.between(today, until)))
        found |= {(due.isoformat(), case_id, False) for case_id, due in estimated}
    return found


def due_on_page(page: Page, table: str) -> set[Due]:
    rows = page.locator(f"{table} tbody tr:not(.passed)").evaluate_all(
        "rows => rows.map(r => [r.querySelector('time').getAttribute('datetime'),"
        " r.querySelector('a[href^=\"/cases/\"]').getAttribute('href'),"
        " !!r.querySelector('a[href^=\"/notices/\"]')])")
    return {(day, int(href.rsplit("/", 1)[1]), stated) for day, href, stated in rows}


def test_the_deadlines_of_the_next_seven_days(page: Page, site: Site) -> None:
    wanted = due_in_database(site, today_of(site))
    assert len(wanted) >= 3 and any(not stated for _day, _case, stated in wanted)

    page.goto("/")
    assert due_on_page(page, "#due ~ div table.deadlines") == wanted  # the home page's list
    page.click("main a[href='/deadlines']")
    choose(page, window="7")
    assert "window=7" in page.url
    assert due_on_page(page, "table.deadlines") == wanted
    assert page.locator("table.deadlines tr.passed").count() >= 1  # just passed: flagged


# Keyboard and WCAG level A --------------------------------------------------------------------

def public_pages(site: Site) -> list[str]:
    return ["/", "/cases", "/stats", "/deadlines", site.case_path(SHRIMP_CASE)]


def level_a_violations(page: Page) -> list[str]:
    """axe-core's level-A rules on the page as shown: each violation and where."""
    found = Axe().run(page, options={"runOnly": {"type": "tag", "values": LEVEL_A}})
    return [f"{v['id']}: {[node['target'] for node in v['nodes']]}"
            for v in found.response["violations"]]


def tabbed_regions(page: Page) -> set[int]:
    """The visible table regions the Tab key reaches, walking the page's focus order once."""
    stops = int(page.evaluate(
        "document.querySelectorAll('a[href], button, input, select, summary, [tabindex]')"
        ".length"))
    reached: set[int] = set()
    for _ in range(stops + 2):
        page.keyboard.press("Tab")
        reached.add(int(page.evaluate(
            "Array.from(document.querySelectorAll('.scroll')).indexOf(document.activeElement)")))
    return reached - {-1}


@pytest.mark.parametrize(("view", "viewport", "lang"), VIEWS, ids=[view[0] for view in VIEWS])
def test_public_pages_pass_level_a_and_every_table_is_reached_by_keyboard(
        page: Page, site: Site, view: str, viewport: ViewportSize, lang: str) -> None:
    """At a phone's width the wide tables scroll sideways: a keyboard must reach them."""
    page.set_viewport_size(viewport)
    for path in public_pages(site):
        page.goto(f"{path}?lang={lang}")
        assert level_a_violations(page) == [], f"{path} ({view})"
        unnamed = page.evaluate(
            "Array.from(document.querySelectorAll('main table')).filter(t => {"
            " const r = t.closest('.scroll[tabindex=\"0\"][role=region]');"
            " return !r || !r.getAttribute('aria-label').trim(); }).length")
        assert unnamed == 0, f"{path}: a table outside a named, focusable region"
        visible = set(page.evaluate(
            "Array.from(document.querySelectorAll('.scroll')).flatMap((r, i) =>"
            " r.checkVisibility() ? [i] : [])"))
        assert visible, path
        page.locator("body").focus()
        assert tabbed_regions(page) == visible, path
