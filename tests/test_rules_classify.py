"""Trade remedy or not, proceeding, stage, deadlines and severity on hand-read notices."""

from datetime import date

import pytest

from config import load_sectors
from rules import analyse
from rules.deadlines import find_deadlines

SECTORS = load_sectors()


def notice(title: str, text: str = "", **extra: object) -> dict[str, object]:
    return {"id": "t", "market": "US", "source": "test", "title": title, "text": text,
            "published": "2024-01-03", "url": "", **extra}


@pytest.mark.parametrize("title,text", [
    ("Airworthiness Directives; The Boeing Company Airplanes",
     "We are adopting a new airworthiness directive (AD) for certain Boeing airplanes."),
    ("712th Meeting of the Advisory Committee on Reactor Safeguards (ACRS)", ""),
    ("Safeguarding the Rights of Conscience as Protected by Federal Statutes", ""),
    ("Ocean Dumping; Designation of an Ocean Dredged Material Disposal Site", "ocean dumping"),
    ("Section 232 National Security Adjustments of Imports of Steel", "tariffs on steel"),
    ("Notice of Action Pursuant to Section 301: China's Acts", "additional duties"),
    ("Certain Self-Balancing Electric Skateboards; Notice of Institution of Investigation",
     "Investigation No. 337-TA-1386"),
    ("Exemption to Prohibition on Circumvention of Copyright Protection Systems", ""),
    ("Five-Year Review of the Oil Pipeline Index", "FERC index review"),
    ("Benefits for Vietnam Veterans", "Vietnam era veterans"),
    # the Vietnamese press's abbreviation for countervailing ('CTC') is also a chemical's and a
    # training centre's; 'circumvention' alone is also of immigration rules
    ("Perchloroethylene and Carbon Tetrachloride (CTC); Risk Evaluation",
     "EPA evaluates the risks of carbon tetrachloride (CTC) to workers."),
    ("Information Collection: CTC Volunteer Survey", "The Canine Training Center (CTC) asks."),
    ("Asylum Screening; Circumvention of Visa Rules", "DHS proposes to limit the circumvention "
     "of visa rules at ports of entry."),
    # how cases are run is no case: the ITC's survey clearance, its rules
    ("Agency Information Collection Activities; Generic Survey Clearance",
     "The Commission asks OMB to renew its questionnaires for antidumping and countervailing "
     "duty investigations under the Paperwork Reduction Act."),
    ("Rules of Practice and Procedure; Technical Amendments",
     "The Commission amends its rules on injury from imports sold at less than fair value."),
])
def test_look_alikes_are_not_trade_remedies(title: str, text: str) -> None:
    out = analyse(notice(title, text), SECTORS).to_dict()
    assert out["trade_remedy"] is False
    assert out["market"] is None and out["severity"] is None and out["vietnam"] == "none"
    assert out["countries"] == [] and out["sectors"] == [] and out["case_numbers"] == []
    assert out["proceeding"] == "other" and out["stage"] == "other"
    assert out["reasons"] and "not a trade remedy" in out["reasons"][0]


@pytest.mark.parametrize("title,proceeding,stage,new_case", [
    ("Paper File Folders From the People's Republic of China, India, and the Socialist Republic "
     "of Vietnam: Initiation of Less-Than-Fair-Value Investigations",
     "investigation", "initiation", True),
    ("Certain Paper Shopping Bags From the Socialist Republic of Vietnam: Preliminary Affirmative "
     "Determination of Sales at Less Than Fair Value, Postponement of Final Determination",
     "investigation", "preliminary", False),
    ("Glycine From India: Final Results of Countervailing Duty Administrative Review; 2021",
     "administrative_review", "results", False),
    ("Cast Iron Soil Pipe Fittings From the People's Republic of China: Continuation of "
     "Antidumping Duty Order and Countervailing Duty Order",
     "expiry_review", "continuation", False),
    ("Initiation of Five-Year (Sunset) Reviews (of the antidumping and countervailing duty orders)",
     "expiry_review", "initiation", False),
    ("Rubber Bands From China and Thailand; Institution of Five-Year Reviews",
     "expiry_review", "initiation", False),
    ("Rescission of Antidumping and Countervailing Duty Administrative Reviews",
     "administrative_review", "rescission", False),
    ("Mattresses From Thailand: Notice of Court Decision Not in Harmony With the Final "
     "Determination of Antidumping Investigation", "court_decision", "court_decision", False),
    ("Certain Brake Drums From the People's Republic of China: Initiation of Circumvention Inquiry "
     "on the Antidumping and Countervailing Duty Orders", "circumvention", "initiation", True),
    ("Notice of Scope Ruling Applications Filed in Antidumping and Countervailing Duty Proceedings",
     "scope", "other", False),
    ("Antidumping or Countervailing Duty Order, Finding, or Suspended Investigation; Opportunity "
     "To Request Administrative Review", "administrative_review", "other", False),
    ("Glass Wine Bottles From Chile, China, and Mexico; Institution of Anti-Dumping and "
     "Countervailing Duty Investigations and Scheduling of Preliminary Phase Investigations",
     "investigation", "initiation", True),
    ("Certain Frozen Fish Fillets From the Socialist Republic of Vietnam: Initiation of "
     "Antidumping Duty New Shipper Review", "new_shipper_review", "initiation", False),
    ("Gas Powered Pressure Washers From the People's Republic of China: Antidumping Duty and "
     "Countervailing Duty Orders", "investigation", "order", False),
    ("Urea Ammonium Nitrate (UAN) Solutions From Russia and Trinidad and Tobago Scheduling of "
     "the Final Phase of Countervailing Duty and Antidumping Duty Investigations",
     "investigation", "other", False),
])
def test_proceeding_and_stage_from_title(
    title: str, proceeding: str, stage: str, new_case: bool
) -> None:
    out = analyse(notice(title), SECTORS).to_dict()
    assert out["trade_remedy"] is True
    assert (out["proceeding"], out["stage"], out["new_case"]) == (proceeding, stage, new_case)


def test_measures_from_title_and_case_numbers() -> None:
    out = analyse(notice("Mattresses From Indonesia: Preliminary Negative Countervailing Duty "
                         "Determination", raw={"docket_ids": ["C-560-839"]}), SECTORS).to_dict()
    assert out["measures"] == ["CVD"] and out["case_numbers"] == ["C-560-839"]
    out = analyse(notice("Steel Products; Global Safeguard Investigation",
                         "Investigation No. TA-201-80 under section 201"), SECTORS).to_dict()
    assert "SG" in out["measures"] and out["severity"] == "medium"


def test_deadlines_absolute_and_relative() -> None:
    text = ("To be assured of consideration, the deadline for responses is February 1, 2024. "
            "Comments on the adequacy of responses may be filed by March 11, 2024. Case briefs "
            "may be submitted no later than 30 days after the date of publication of this notice. "
            "Interested parties must submit entries of appearance within 15 days of publication. "
            "A request for a hearing must be filed on or before January 31, 2024. "
            "On July 5, 2023, Commerce published the order.")
    found = [(d.kind, d.date.isoformat()) for d in find_deadlines(text, date(2024, 1, 2))]
    assert found == [("register", "2024-01-17"), ("hearing_request", "2024-01-31"),
                     ("case_briefs", "2024-02-01"), ("questionnaire", "2024-02-01"),
                     ("comments", "2024-03-11")]
    assert find_deadlines("within fifteen days of publication", None) == []


def test_deadline_within_14_days_makes_vietnam_review_high() -> None:
    title = ("Raw Honey From the Socialist Republic of Vietnam: Final Results of Antidumping Duty "
             "Administrative Review; 2021-2023")
    assert analyse(notice(title), SECTORS).severity == "medium"
    urgent = analyse(notice(title, "Case briefs are due within 10 days of publication."), SECTORS)
    assert urgent.severity == "high"
    assert urgent.to_dict()["deadlines"] == [{"kind": "case_briefs", "date": "2024-01-13"}]


def test_circumvention_target_vietnam() -> None:
    out = analyse(notice(
        "Certain Collated Steel Staples From the People's Republic of China: Initiation of "
        "Circumvention Inquiries on the Antidumping Duty and Countervailing Duty Orders",
        "Commerce is initiating country-wide circumvention inquiries to determine whether imports "
        "of certain collated steel staples, which are completed in Thailand or Vietnam using parts "
        "and components from China, are circumventing the orders.",
        raw={"docket_ids": ["A-570-112, C-570-113"]}), SECTORS).to_dict()
    assert out["vietnam"] == "circumvention" and out["new_case"] is True
    assert out["severity"] == "high" and "VN" in out["countries"] and "CN" in out["countries"]
    assert out["sectors"] == ["steel"]


def test_vietnam_as_investigating_market_gives_no_export_warning() -> None:
    out = analyse({"id": "vn1", "market": "VN", "source": "trav", "published": "2024-03-01",
                   "title": "Khởi xướng điều tra chống bán phá giá thép mạ từ Trung Quốc và "
                            "Hàn Quốc",
                   "text": "Bộ Công Thương khởi xướng điều tra chống bán phá giá đối với thép "
                           "mạ có xuất xứ từ Trung Quốc và Hàn Quốc.", "url": ""}, SECTORS)
    assert out.trade_remedy and out.market == "VN" and out.vietnam == "none"
    assert out.measures == ["AD"] and out.sectors == ["steel"]
    assert out.countries == ["CN", "KR"]


def test_wto_source_has_no_market() -> None:
    out = analyse(notice("Anti-dumping measure on steel", market="WTO"), SECTORS)
    assert out.trade_remedy and out.market is None


def test_a_correction_restates_an_initiation_and_opens_nothing() -> None:
    result = analyse({"id": "x", "market": "US", "source": "us_fr_documents",
                      "title": "Steel Racks From the Socialist Republic of Vietnam: Initiation of "
                               "Less-Than-Fair-Value Investigation; Correction",
                      "published": "2026-11-20"}, SECTORS).to_dict()
    assert (result["trade_remedy"], result["stage"], result["new_case"]) == (
        True, "initiation", False)


def test_the_review_panels_rosters_and_rules_are_no_proceeding() -> None:
    result = analyse({"id": "x", "market": "US", "source": "us_fr_documents",
                      "title": "Applications for Inclusion on the Binational Panels Roster",
                      "text": "Panels review final antidumping and countervailing duty "
                              "determinations.", "published": "2026-11-20"}, SECTORS).to_dict()
    assert result["trade_remedy"] is False


def test_the_trades_circumvention_and_abbreviations_stay_remedies() -> None:
    scope = analyse(notice("Notice of Scope Rulings", "Commerce publishes a list of scope rulings "
                           "and circumvention determinations made during the quarter."),
                    SECTORS).to_dict()
    assert scope["trade_remedy"] is True
    news = analyse({"id": "n", "market": None, "source": "news", "published": "2026-11-20",
                    "title": "Hoa Kỳ áp thuế CTC sơ bộ với động cơ điện Việt Nam",
                    "text": "Bộ Thương mại Hoa Kỳ ban hành kết luận sơ bộ vụ việc CTC đối với "
                            "động cơ điện nhập khẩu từ Việt Nam."}, SECTORS).to_dict()
    assert (news["trade_remedy"], news["measures"]) == (True, ["CVD"])


@pytest.mark.parametrize(("title", "text"), [
    ("Modification of Regulations Regarding Offsets in Countervailing Duty Proceedings",
     "Commerce is amending its regulations on how countervailable subsidies are offset."),
    ("Practice and Procedure: Filing of Documents",
     "The Commission proposes to amend its rules of practice for antidumping investigations."),
    ("Notice of Discontinuation of Policy on Early Liquidation",
     "Commerce is discontinuing its policy of issuing liquidation instructions early in "
     "antidumping duty administrative reviews."),
])
def test_a_rule_making_on_the_remedy_law_is_no_proceeding(title: str, text: str) -> None:
    result = analyse({"id": "x", "market": "US", "source": "us_fr_documents", "title": title,
                      "text": text, "published": "2026-11-20"}, SECTORS).to_dict()
    assert result["trade_remedy"] is False
    assert "how cases are run" in result["reasons"][0]


def test_a_case_notice_that_cites_the_regulations_stays_a_case() -> None:
    result = analyse({"id": "x", "market": "US", "source": "us_fr_documents",
                      "title": "Steel Racks From Vietnam: Final Results of Antidumping Duty "
                               "Administrative Review",
                      "text": "Commerce revised the regulations cited in the preliminary results.",
                      "published": "2026-11-20"}, SECTORS).to_dict()
    assert result["trade_remedy"] is True and result["vietnam"] == "subject"
