"""What opened each case, so cases can be counted by it: "how many new investigations on Vietnam
opened this year?" is a number on /cases, filtered and checked against the database of real FR
notices; the rule that decides it is pure."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from sqlalchemy import select

from rules.case_identity import CaseLink, CaseState, advanced, opening
from storage.models import Case
from tests.web_data import WebData
from web.queries import CONCERNING_VIETNAM


def test_what_a_first_step_says_opened_the_case() -> None:
    assert opening("investigation", "petition") == "investigation"
    assert opening("investigation", "initiation") == "investigation"
    assert opening("circumvention", "initiation") == "circumvention"
    assert opening("administrative_review", "initiation") == "review"
    assert opening("expiry_review", "initiation") == "review"
    assert opening("investigation", "preliminary") == "later"


def test_an_earlier_step_arriving_late_says_what_opened_the_case() -> None:
    state = CaseState(vietnam="subject", opened_on=date(2024, 1, 3), last_event_on=date(2024, 1, 3),
                      proceeding="investigation", stage="preliminary", status="open",
                      next_step=None, next_due=None, next_basis=None, opened_by="later",
                      first_stage="preliminary")
    link = CaseLink(market="US", origin="VN", measure="AD", product="bag", numbers=(),
                    vietnam="subject", proceeding="investigation", stage="initiation",
                    event_on=date(2023, 2, 10))
    moved = advanced(state, link)
    assert (moved.opened_on, moved.opened_by, moved.first_stage) == (
        date(2023, 2, 10), "investigation", "initiation")
    assert moved.stage == "preliminary"  # the newest step still sets the stage


def test_the_case_list_counts_what_opened_the_cases_and_filters_by_it(web: WebData) -> None:
    client = web.client()
    with web.service.sessions() as session:
        cases = session.scalars(select(Case).where(Case.vietnam.in_(CONCERNING_VIETNAM))).all()
        year = max(case.opened_on.year for case in cases if case.opened_on)
        wanted = Counter(case.opened_by for case in cases
                         if case.opened_on and case.opened_on.year == year)
    assert all(case.opened_by in ("investigation", "circumvention", "review", "later")
               for case in cases)
    page = client.get(f"/cases?year={year}&lang=en").text
    summary = " ".join(page.split('id="openings">', 1)[1].split("</p>", 1)[0].split())
    said = {kind: int(n) for n, kind in re.findall(
        r"(\d+) (new investigation|circumvention inquir|review|case)", summary)}
    assert said["new investigation"] == wanted["investigation"]
    assert said["circumvention inquir"] == wanted["circumvention"]
    assert said["review"] == wanted["review"] and said["case"] == wanted["later"]
    only = client.get(f"/cases?year={year}&opened_by=investigation&lang=en&format=json").json()
    listed = only["cases"] if isinstance(only, dict) else only
    assert len(listed) == wanted["investigation"]
