"""Cases: the statutory clock, the keys that link notices, and the timeline in both databases."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from config import ConfigError
from rules.cases import case_keys, case_steps, product_key
from rules.clock import add_months, clock_rules, next_step
from storage.cases import CaseLink, link_notice
from storage.database import transaction
from storage.models import Case, CaseEvent, Notice, Source

SHRIMP = {  # the analysis of the real FR notice 2024-00396, as the contract gives it
    "trade_remedy": True, "market": "US", "vietnam": "subject",
    "countries": ["CN", "IN", "TH", "VN"], "measures": ["AD"], "proceeding": "expiry_review",
    "stage": "continuation", "case_numbers": ["A-552-802", "A-533-840", "A-570-893", "A-549-822"],
}
SHRIMP_TITLE = ("Certain Frozen Warmwater Shrimp From the People's Republic of China, India, "
                "Thailand, and the Socialist Republic of Vietnam: Continuation of Antidumping "
                "Duty Orders; Correction")


def test_us_investigation_clock() -> None:
    prelim = date(2024, 1, 3)
    assert next_step("US", "investigation", "preliminary", ["AD"], prelim).due == date(2024, 3, 18)
    postponed = next_step("US", "investigation", "preliminary", ["AD"], prelim, postponed=True)
    assert postponed.due == date(2024, 5, 17) and "postponed" in postponed.basis
    assert next_step("US", "investigation", "initiation", ["CVD"], prelim).due == date(2024, 3, 8)
    assert next_step("US", "investigation", "initiation", ["AD"], prelim).due == date(2024, 5, 22)
    assert next_step("US", "investigation", "initiation", ["AD", "CVD"], prelim).step \
        == "preliminary"


def test_us_review_clock_counts_from_the_anniversary_month_end() -> None:
    step = next_step("US", "administrative_review", "initiation", ["AD"], date(2024, 1, 10))
    assert step.due == date(2023, 12, 31) + timedelta(days=245)


def test_eu_clock_initiation_provisional_definitive() -> None:
    initiated = date(2024, 1, 31)
    provisional = next_step("EU", "investigation", "initiation", ["AD"], initiated)
    assert (provisional.step, provisional.due) == ("provisional", date(2024, 8, 31))
    definitive = next_step("EU", "investigation", "preliminary", ["AD"], provisional.due)
    assert (definitive.step, definitive.due) == ("definitive", date(2025, 3, 31))


def test_unknown_step_has_no_expectation() -> None:
    assert next_step("US", "scope", "other", ["AD"], date(2024, 1, 3)) is None
    assert next_step(None, "investigation", "initiation", [], date(2024, 1, 3)) is None


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)


def test_bad_clock_file_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "clock.yaml"
    path.write_text("US:\n  - when: {proceeding: investigation, stage: petition}\n"
                    "    next: initiation\n    basis: x\n    dayz: 20\n")
    with pytest.raises(ConfigError, match="US.0.dayz"):
        clock_rules(path)


def test_product_key_ignores_certain_and_plurals() -> None:
    assert product_key("Certain Paper Shopping Bags From Vietnam: X") == \
        product_key("Paper Shopping Bag From the Socialist Republic of Vietnam; Y")


@pytest.mark.parametrize(("title", "product"), [
    # the ADC's notice titles (the real ADN 2023/035, the replay's list): the number is no product
    ("ADN 2026/106 – Aluminium extrusions exported from China – Initiation of an "
     "anti-circumvention inquiry into goods exported from Vietnam", "aluminium extrusion"),
    ("ADN 2023/035 – Zinc coated (galvanised) steel exported from China, Korea and Taiwan – "
     "Continuation of measures", "zinc coated galvanised steel"),
    # the EU's TRON titles put "(certain)" after the product
    ("Alkaline batteries (certain) originating in People's Republic of China (AD756, Initial "
     "Investigation)", "alkaline battery"),
    # the TRAV's news: the product follows "đối với", with its diacritics
    ("Australia khởi xướng điều tra chống bán phá giá đối với sản phẩm nhôm định hình nhập khẩu "
     "từ Việt Nam", "nhôm định hình"),
    ("Brazil áp thuế chống bán phá giá chính thức đối với màng PET xuất xứ từ Trung Quốc, Ai Cập "
     "và Ấn Độ", "màng pet"),
    ("Thổ Nhĩ Kỳ gia hạn biện pháp tự vệ đối với sản phẩm sợi tổng hợp", "sợi tổng hợp"),
    ("Members discuss anti-dumping actions, review new notifications", ""),
])
def test_product_key_of_each_sources_titles(title: str, product: str) -> None:
    assert product_key(title) == product


def test_multi_case_notice_gives_one_key_per_origin_each_with_its_number() -> None:
    keys = {key.origin: key for key in case_keys(SHRIMP, SHRIMP_TITLE)}
    assert set(keys) == {"CN", "IN", "TH", "VN"}
    assert keys["VN"].numbers == ("A-552-802",)
    assert keys["TH"].numbers == ("A-549-822",)
    assert keys["VN"].vietnam == "subject" and keys["CN"].vietnam == "none"


def test_itc_numbers_of_a_multi_country_notice_do_not_identify_a_case() -> None:
    analysis = {"trade_remedy": True, "market": "US", "vietnam": "subject",
                "countries": ["CN", "VN"], "measures": ["AD", "CVD"],
                "case_numbers": ["701-TA-733", "731-TA-1707", "731-TA-1708"]}
    keys = case_keys(analysis, "Tool Chests and Cabinets From China and Vietnam")
    assert len(keys) == 4
    assert all(key.numbers == () for key in keys)
    assert {key.product for key in keys} == {"tool chest and cabinet"}


def test_not_a_trade_remedy_has_no_case() -> None:
    assert case_keys({"trade_remedy": False}, "Airworthiness Directives; Boeing") == []


def test_global_safeguard_is_one_case_on_all_origins() -> None:
    analysis = {"trade_remedy": True, "market": "IN", "vietnam": "subject", "countries": [],
                "measures": ["SG"], "case_numbers": []}
    (key,) = case_keys(analysis, "Safeguard investigation concerning imports of X")
    assert (key.origin, key.vietnam) == ("*", "subject")


@pytest.fixture
def sessions(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """The migrated database with the Federal Register source the notices come from."""
    with transaction(sessions) as session:
        session.add(Source(id="us_fr_documents", market="US", authority="FR", kind="api",
                           url="https://www.federalregister.gov/api/v1/"))
    return sessions


def add_notice(session, external_id: str, title: str, published: date) -> Notice:
    notice = Notice(source_id="us_fr_documents", external_id=external_id, market="US",
                    url=f"https://www.federalregister.gov/d/{external_id}", title=title,
                    published=published, raw={}, content_hash=external_id)
    session.add(notice)
    session.flush()
    return notice


def link(session, notice: Notice, analysis: dict, title: str) -> list[Case]:
    cases = []
    for step in case_steps(analysis, title, notice.published):
        key = step.key
        cases.append(link_notice(session, notice, CaseLink(
            market=key.market, origin=key.origin, measure=key.measure, product=key.product,
            numbers=key.numbers, vietnam=key.vietnam, proceeding=step.proceeding,
            stage=step.stage, event_on=step.event_on,
            next_step=step.next.step if step.next else None,
            next_due=step.next.due if step.next else None, restates=step.restates)))
    return cases


BAGS = "Certain Paper Shopping Bags From the Socialist Republic of Vietnam"


def bags(stage: str, numbers: list[str], measures: list[str] | None = None) -> dict:
    return {"trade_remedy": True, "market": "US", "vietnam": "subject", "countries": ["VN"],
            "measures": measures or ["AD"], "proceeding": "investigation", "stage": stage,
            "case_numbers": numbers}


def test_notices_sharing_a_number_or_product_form_one_case_with_a_timeline(sessions) -> None:
    with transaction(sessions) as session:
        itc = add_notice(session, "2023-11111", BAGS + "; Institution of Investigations",
                         date(2023, 1, 20))
        (first,) = link(session, itc, bags("initiation", ["731-TA-1622"]), itc.title)
        init = add_notice(session, "2023-22222", BAGS + ": Initiation of LTFV Investigation",
                          date(2023, 2, 10))
        (second,) = link(session, init, bags("initiation", ["A-552-836"]), init.title)
        prelim = add_notice(session, "2023-28945", BAGS + ": Preliminary Affirmative "
                            "Determination; Postponement of Final Determination", date(2024, 1, 3))
        (third,) = link(session, prelim, bags("preliminary", ["A-552-836"]), prelim.title)
        assert first.id == second.id == third.id
    with sessions() as session:
        case = session.scalars(select(Case)).one()
        assert (case.stage, case.opened_on, case.last_event_on) == (
            "preliminary", date(2023, 1, 20), date(2024, 1, 3))
        assert (case.next_step, case.next_due) == ("final", date(2024, 5, 17))
        assert sorted(n.number for n in case.numbers) == ["731-TA-1622", "A-552-836"]
        assert [e.stage for e in case.events] == ["initiation", "initiation", "preliminary"]


def test_an_older_notice_arriving_late_does_not_move_the_case_back(sessions) -> None:
    with transaction(sessions) as session:
        prelim = add_notice(session, "2", BAGS + ": Preliminary", date(2024, 1, 3))
        link(session, prelim, bags("preliminary", ["A-552-836"]), prelim.title)
        init = add_notice(session, "1", BAGS + ": Initiation", date(2023, 2, 10))
        link(session, init, bags("initiation", ["A-552-836"]), init.title)
        link(session, init, bags("initiation", ["A-552-836"]), init.title)  # re-analysed
    with sessions() as session:
        case = session.scalars(select(Case)).one()
        assert (case.stage, case.opened_on) == ("preliminary", date(2023, 2, 10))
        assert len(session.scalars(select(CaseEvent)).all()) == 2


def test_a_correction_joins_the_timeline_but_moves_no_clock(sessions) -> None:
    """A sunset date counted from a correction would be the correction's, not the step's."""
    with transaction(sessions) as session:
        prelim = add_notice(session, "4", BAGS + ": Preliminary Affirmative Determination",
                            date(2024, 1, 3))
        link(session, prelim, bags("preliminary", ["A-552-836"]), prelim.title)
        fixed = add_notice(session, "5", BAGS + ": Preliminary Affirmative Determination; "
                           "Correction", date(2024, 2, 20))
        link(session, fixed, bags("preliminary", ["A-552-836"]), fixed.title)
    with sessions() as session:
        case = session.scalars(select(Case)).one()
        assert (case.last_event_on, case.next_due) == (date(2024, 1, 3), date(2024, 3, 18))
        assert len(case.events) == 2


def test_the_usitc_final_vote_expects_the_order_within_days_not_weeks() -> None:
    """The Commission votes after Commerce's final: its own final is followed by the order."""
    published = date(2024, 12, 2)
    (itc,) = case_steps(bags("final", ["731-TA-1622"]), BAGS + "; Determination", published)
    (commerce,) = case_steps(bags("final", ["A-552-836"]), BAGS + ": Final Determination",
                             published)
    assert itc.next is not None and commerce.next is not None
    assert (itc.next.step, itc.next.due) == ("order", date(2024, 12, 9))
    assert (commerce.next.step, commerce.next.due) == ("order", date(2025, 1, 23))


def test_other_origin_or_measure_is_another_case(sessions) -> None:
    with transaction(sessions) as session:
        notice = add_notice(session, "3", BAGS, date(2024, 1, 3))
        cases = link(session, notice, bags("initiation", [], ["AD", "CVD"]), notice.title)
        other = add_notice(session, "4", "Paper Shopping Bags From India", date(2024, 1, 3))
        analysis = bags("initiation", []) | {"countries": ["IN"], "vietnam": "none"}
        cases += link(session, other, analysis, other.title)
    assert len({case.id for case in cases}) == 3
