"""Which case a notice joins: the same number is the same case, different numbers of one kind are
different cases, and a new investigation never joins an older order on the same product, origin
and measure. On the real FR notices of shrimp from Vietnam (the 2004 order A-552-802, the 2012
CVD investigation C-552-815, the 2023 investigations), with the real historic case lists, through
the service's own analysis and linking; and over the whole demo-sized data."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import Settings
from rules.case_numbers import measure_of, origin_of
from rules.cases import (
    INVESTIGATION_SPAN,
    case_keys,
    is_investigation_step,
    number_kind,
    numbers_contradict,
    same_investigation,
)
from scheduler import Service, analyse_pending
from storage.cases import CaseLink, link_notice
from storage.database import transaction
from storage.history import bundled_lists, import_history
from storage.models import Case, CaseEvent, CaseNumber, Notice
from storage.notices import NoticeRecord, store_notice
from tests.web_data import fr_page_records, post_records

# Real FR documents on shrimp from Vietnam (tests/fixtures/us_fr_posts, the FR API page).
ORDER_STEPS = ("2021-08640", "2022-28521", "2023-09509", "2023-14181", "2024-00396")
NEW_ITC_INSTITUTION = "2023-23947"  # 31 Oct 2023: 701-TA-699-702, 731-TA-1659-1660
NEW_CVD_PRELIMINARY = "2024-06846"  # 1 Apr 2024: shrimp from Vietnam, CVD preliminary
SHRIMP = (*ORDER_STEPS, NEW_ITC_INSTITUTION, NEW_CVD_PRELIMINARY)
PIPE_CONTINUATION = "2024-00397"  # continues A-583-008 and A-583-814, two orders on Taiwan


def real_records(ids: Iterable[str]) -> list[NoticeRecord]:
    wanted = set(ids)
    records = [r for r in [*post_records(), *fr_page_records()] if r.external_id in wanted]
    assert {r.external_id for r in records} == wanted
    return records


def service_on(database_url: str, data_dir: Path) -> Service:
    return Service.load(Settings(data_dir=data_dir, database_url=database_url,
                                 crawl_delay_s=0.0))


def crawl(service: Service, records: list[NoticeRecord]) -> None:
    """Store the notices and let the service analyse and link them, as a crawl cycle does."""
    with transaction(service.sessions) as session:
        for record in records:
            store_notice(session, record)
    analyse_pending(service)


def timeline(session: Session, case: Case) -> set[str]:
    return set(session.scalars(select(Notice.external_id).join(
        CaseEvent, CaseEvent.notice_id == Notice.id).where(CaseEvent.case_id == case.id)))


def case_of(session: Session, number: str) -> Case:
    return session.scalars(select(Case).join(CaseNumber, CaseNumber.case_id == Case.id)
                           .where(CaseNumber.number == number)).one()


def cases_of(session: Session, external_id: str) -> list[Case]:
    return list(session.scalars(
        select(Case).join(CaseEvent, CaseEvent.case_id == Case.id)
        .join(Notice, Notice.id == CaseEvent.notice_id)
        .where(Notice.external_id == external_id).order_by(Case.id)))


# --- the rule ----------------------------------------------------------------------------------

@pytest.mark.parametrize("number, kind", [
    ("A-552-802", "commerce"), ("C-552-815", "commerce"), ("731-TA-1068", "itc"),
    ("701-TA-699", "itc"), ("TA-201-75", "itc_safeguard"), ("AD608", "eu"),
    ("R745", None), ("ADN 2023/035", None), ("6/12/2023-DGTR", None), ("AD0004", None),
])
def test_numbers_that_name_a_case_for_life(number: str, kind: str | None) -> None:
    assert number_kind(number) == kind


def test_numbers_decide_only_when_both_sides_have_one_of_a_kind() -> None:
    assert numbers_contradict(["C-552-839"], ["C-552-815"])
    assert numbers_contradict(["731-TA-1659"], ["731-TA-1068", "A-552-802"])
    assert not numbers_contradict(["A-552-802", "731-TA-1068"], ["A-552-802"])
    assert not numbers_contradict(["731-TA-1068"], ["A-552-802"])  # different kinds
    assert not numbers_contradict([], ["A-552-802"])
    assert not numbers_contradict(["R745"], ["R800", "AD608"])  # reviews of one measure


def test_an_investigation_spans_at_most_the_longest_statutory_time() -> None:
    began = date(2023, 10, 31)
    assert same_investigation(began, date(2024, 4, 1))  # CVD preliminary, 5 months on
    assert same_investigation(began, began + INVESTIGATION_SPAN)
    assert not same_investigation(date(2004, 1, 27), date(2023, 10, 31))
    assert not same_investigation(None, date(2023, 10, 31))  # an undated list row
    assert is_investigation_step("investigation", "initiation")
    assert not is_investigation_step("investigation", "revocation")  # an order's end
    assert not is_investigation_step("expiry_review", "continuation")


def test_a_notice_on_two_orders_of_one_origin_keys_each_order() -> None:
    (record,) = real_records([PIPE_CONTINUATION])
    analysis = {"trade_remedy": True, "market": "US", "vietnam": "none", "measures": ["AD"],
                "countries": ["TW"], "case_numbers": record.raw["docket_ids"][0].split(", ")}
    taiwan = [key.numbers for key in case_keys(analysis, record.title) if key.origin == "TW"]
    assert taiwan == [("A-583-008",), ("A-583-814",)]


# --- the real shrimp notices ---------------------------------------------------------------------

def assert_shrimp_cases_apart(session: Session) -> None:
    order = case_of(session, "A-552-802")
    steps = timeline(session, order)
    assert set(ORDER_STEPS) <= steps and not {NEW_ITC_INSTITUTION, NEW_CVD_PRELIMINARY} & steps
    assert order.stage == "continuation"
    assert timeline(session, case_of(session, "C-552-815")) == set()  # the 2012 CVD case
    new = cases_of(session, NEW_ITC_INSTITUTION)
    assert {(c.origin, c.measure) for c in new} == {
        (o, m) for o in ("EC", "ID", "IN", "VN") for m in ("AD", "CVD")}
    assert all(c.numbers == [] and c.opened_on == date(2023, 10, 31) for c in new)
    (cvd,) = cases_of(session, NEW_CVD_PRELIMINARY)
    assert (cvd.origin, cvd.measure, cvd.stage) == ("VN", "CVD", "preliminary")
    assert timeline(session, cvd) == {NEW_ITC_INSTITUTION, NEW_CVD_PRELIMINARY}


def test_a_new_investigation_does_not_join_the_2004_order(database_url: str,
                                                          tmp_path: Path) -> None:
    service = service_on(database_url, tmp_path / "var")
    import_history(service.sessions, bundled_lists())
    crawl(service, real_records(SHRIMP))
    with service.sessions() as session:
        assert_shrimp_cases_apart(session)


def test_the_lists_imported_after_the_crawl_keep_the_new_cases_apart(
        database_url: str, tmp_path: Path) -> None:
    service = service_on(database_url, tmp_path / "var")
    crawl(service, real_records(SHRIMP))
    import_history(service.sessions, bundled_lists())
    with service.sessions() as session:
        assert_shrimp_cases_apart(session)


def test_a_later_commerce_number_cannot_join_a_case_holding_another(
        database_url: str, tmp_path: Path) -> None:
    """A review step under another CVD number is not the 2012 case C-552-815 on the same product.
    The same step with no number could be either; it joins the one with a review, as a review
    needs an order and the lists know C-552-815 only as an investigation."""
    service = service_on(database_url, tmp_path / "var")
    import_history(service.sessions, bundled_lists())
    with transaction(service.sessions) as session:
        (record,) = real_records([NEW_CVD_PRELIMINARY])
        store_notice(session, record)
        notice = session.scalars(select(Notice)).one()
        step: dict[str, Any] = dict(
            market="US", origin="VN", measure="CVD", product="frozen warmwater shrimp",
            vietnam="subject", proceeding="administrative_review", stage="initiation",
            event_on=date(2026, 3, 2))
        # Synthetic: a CVD number on Vietnam other than C-552-815, shaped as Commerce writes it.
        other = link_notice(session, notice, CaseLink(numbers=("C-552-990",), **step))
        unnumbered = link_notice(session, notice, CaseLink(numbers=(), **step))
        old = case_of(session, "C-552-815")
        assert other.id != old.id
        assert [n.number for n in other.numbers] == ["C-552-990"]
        assert old.proceeding == "investigation" and old.ordered_on is None
        assert unnumbered.id == other.id


# --- the whole demo-sized data -------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_sized(tmp_path_factory: pytest.TempPathFactory) -> Service:
    """The historic lists, then the 300 real FR posts and the real FR API page of January 2024,
    analysed and linked by the service (SQLite)."""
    folder = tmp_path_factory.mktemp("demo_sized")
    service = service_on(f"sqlite:///{folder / 'trews.db'}", folder / "var")
    import_history(service.sessions, bundled_lists())
    crawl(service, [*post_records(), *fr_page_records()])
    return service


def _own(numbers: Iterable[str], case: Case) -> set[str]:
    """The Commerce numbers of the case's origin and measure among `numbers`."""
    return {n for n in numbers if number_kind(n) == "commerce"
            and origin_of(n) == case.origin and measure_of(n) == case.measure}


def test_no_timeline_mixes_two_commerce_cases_of_one_origin_and_measure(
        demo_sized: Service) -> None:
    with demo_sized.sessions() as session:
        rows = session.execute(select(Case, Notice.external_id, Notice.analysis).join(
            CaseEvent, CaseEvent.case_id == Case.id).join(Notice, Notice.id == CaseEvent.notice_id))
        mixed, linked = [], 0
        for case, external_id, analysis in rows:
            linked += 1
            own = _own((n.number for n in case.numbers), case)
            stated = _own((analysis or {}).get("case_numbers") or [], case)
            assert len(own) <= 1, (case.id, own)
            if own and stated and not own & stated:
                mixed.append((case.id, sorted(own), external_id, sorted(stated)))
        assert linked > 800
        assert mixed == []


def test_no_investigation_step_sits_in_a_case_begun_outside_its_span(demo_sized: Service) -> None:
    with demo_sized.sessions() as session:
        rows = session.execute(select(Case, CaseEvent, Notice.external_id).join(
            CaseEvent, CaseEvent.case_id == Case.id).join(Notice, Notice.id == CaseEvent.notice_id))
        investigation_steps, outside = 0, []
        for case, event, external_id in rows:
            if not is_investigation_step(event.proceeding, event.stage):
                continue
            investigation_steps += 1
            began = case.opened_on or case.ordered_on
            if not same_investigation(began, event.event_on):
                outside.append((case.id, began, external_id, event.event_on))
        assert investigation_steps > 100
        assert outside == []
        assert_shrimp_cases_apart(session)
