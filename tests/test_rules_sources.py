"""The rules on the notices of the non-US sources, as their spiders hand them over (title, text and
the source's raw fields): India's DGTR and CBIC, Australia's ADC, the EU's TRON, Vietnam's TRAV,
WTO news and the FR public-inspection desk.

Every title below is SYNTHETIC, written in the authority's real style (DGTR's subject lines, CBIC's
'Seeks to impose ...', the ADC's 'ADN yyyy/nnn – <goods> exported from <origins> – <step>', TRON's
'<product> originating in <countries> (<case>, <case type>)'); none is a recorded notice.
"""

from typing import Any

import pytest

from config import load_sectors
from config.settings import CONFIG_DIR
from rules.analyse import analyse
from rules.case_numbers import measure_of, normalise_case_number, parse_case_numbers

SECTORS = load_sectors(CONFIG_DIR / "sectors.yaml")


def analysed(market: str, source: str, title: str, text: str = "", *,
             published: str = "2026-10-01", raw: dict[str, Any] | None = None) -> dict:
    return analyse({"id": "x", "market": market, "source": source, "title": title, "text": text,
                    "published": published, "url": "https://example.invalid/x",
                    "raw": raw or {}}, SECTORS).to_dict()


# --- India (DGTR, CBIC): 'China PR', 'Korea RP' and the like must not cut the origin list -------

@pytest.mark.parametrize(("title", "countries"), [
    ("Anti-dumping investigation concerning imports of 'Elastomeric Filament Yarn' originating in "
     "or exported from China PR and Vietnam", ["CN", "VN"]),
    ("Anti-dumping investigation concerning imports of 'Aluminium Foil' originating in or "
     "exported from China PR, Thailand and Vietnam", ["CN", "TH", "VN"]),
    ("Anti-dumping investigation concerning imports of 'Polyester Staple Fibre' originating in or "
     "exported from Korea RP, Chinese Taipei and Vietnam", ["KR", "TW", "VN"]),
    ("Anti-dumping investigation concerning imports of 'Nylon Tyre Cord' originating in or "
     "exported from EU, Korea, Republic of and Vietnam", ["EU", "KR", "VN"]),
])
def test_indian_country_forms_keep_the_whole_origin_list(title: str, countries: list[str]) -> None:
    result = analysed("IN", "in_dgtr", title, "Initiation Notifications. File No. AD(OI)-21/2026")
    assert result["countries"] == countries and result["vietnam"] == "subject"
    assert (result["stage"], result["new_case"], result["measures"]) == ("initiation", True, ["AD"])


def test_usa_is_an_origin_in_an_indian_list() -> None:
    result = analysed("IN", "in_dgtr", "Sunset review anti-dumping investigation concerning "
                      "imports of 'Phenol' originating in or exported from Singapore and USA")
    assert result["countries"] == ["SG", "US"] and result["proceeding"] == "expiry_review"


def test_dgtr_anti_circumvention_through_vietnam() -> None:
    result = analysed(
        "IN", "in_dgtr",
        "Anti-circumvention investigation concerning alleged circumvention of anti-dumping duty "
        "imposed on imports of 'Aluminium Frames for Solar Panels/Modules' originating in China "
        "PR, through imports from Vietnam",
        "Initiation Notifications. Anti-circumvention investigation ... File No. AC-01/2026")
    assert (result["vietnam"], result["proceeding"], result["stage"]) == (
        "circumvention", "circumvention", "initiation")
    assert result["countries"] == ["CN", "VN"] and result["new_case"]
    assert result["case_numbers"] == ["AC-01/2026"] and result["measures"] == ["AD"]


@pytest.mark.parametrize(("text", "number", "measure"), [
    ("File No. CVD-07/2026", "CVD-07/2026", "CVD"),
    ("File No. AD(SSR)-5/2026", "AD(SSR)-05/2026", "AD"),
    ("File No. AD (OI) - 12/2025", "AD(OI)-12/2025", "AD"),
    ("File No. SG-02/2026", "SG-02/2026", "SG"),
])
def test_dgtr_case_file_numbers(text: str, number: str, measure: str) -> None:
    assert parse_case_numbers([text], market="IN") == [number]
    assert measure_of(number) == measure
    assert normalise_case_number(number) == number


def test_dgtr_file_shapes_are_not_read_outside_india() -> None:
    assert parse_case_numbers(["Docket AD-05/2026 of the Board"], market="US") == []


def test_cbic_seeks_to_impose_is_the_order_of_an_investigation() -> None:
    result = analysed("IN", "in_cbic", "Seeks to impose anti-dumping duty on imports of 'Textured "
                      "Tempered Coated and Uncoated Glass' originating in or exported from "
                      "Vietnam for a period of five years.", "27/2026-Customs (ADD)")
    assert (result["proceeding"], result["stage"], result["vietnam"]) == (
        "investigation", "order", "subject")


def test_cbic_duty_pursuant_to_a_sunset_review_continues_the_measure() -> None:
    result = analysed("IN", "in_cbic", "Seeks to impose countervailing duty on imports of 'Welded "
                      "Stainless Steel Pipes and Tubes' originating in or exported from China PR "
                      "and Vietnam, pursuant to the sunset review.", "05/2026-Customs (CVD)")
    assert (result["proceeding"], result["stage"], result["measures"]) == (
        "expiry_review", "continuation", ["CVD"])
    assert result["countries"] == ["CN", "VN"] and result["vietnam"] == "subject"


# --- Australia (ADC) ------------------------------------------------------------------------

def adn(title: str, text: str = "") -> dict:
    return analysed("AU", "au_adc", title, text)


def test_adc_exported_from_is_the_origin_list() -> None:
    result = adn("ADN 2026/118 – Steel pallet racking exported from Malaysia, Thailand and "
                 "Vietnam – Initiation of an anti-dumping investigation")
    assert (result["vietnam"], result["countries"]) == ("subject", ["MY", "TH", "VN"])
    assert (result["stage"], result["new_case"], result["measures"]) == ("initiation", True, ["AD"])


def test_adc_title_without_measure_word_is_anti_dumping() -> None:
    result = adn("ADN 2026/115 – Precision pipe and tube steel exported from China, Korea, "
                 "Malaysia, Taiwan and Vietnam – Preliminary affirmative determination and "
                 "imposition of securities")
    assert result["countries"] == ["CN", "KR", "MY", "TW", "VN"]
    assert (result["vietnam"], result["measures"], result["stage"]) == (
        "subject", ["AD"], "preliminary")


def test_adc_naming_subsidisation_is_also_countervailing() -> None:
    result = adn("ADN 2026/121 – Hot rolled coil steel exported from Vietnam – Initiation of a "
                 "dumping and subsidisation investigation")
    assert result["measures"] == ["AD", "CVD"] and result["vietnam"] == "subject"


def test_adc_circumvention_route_after_the_origin_list() -> None:
    result = adn("ADN 2026/106 – Aluminium extrusions exported from China – Initiation of an "
                 "anti-circumvention inquiry into goods exported from Vietnam")
    assert (result["vietnam"], result["proceeding"], result["countries"]) == (
        "circumvention", "circumvention", ["CN", "VN"])


def test_us_exports_from_stays_a_route() -> None:
    result = analysed("US", "us_fr_documents", "Aluminum Wire and Cable From the People's "
                      "Republic of China: Initiation of Circumvention Inquiry on the Antidumping "
                      "and Countervailing Duty Orders for Exports From Vietnam")
    assert result["vietnam"] == "circumvention" and result["countries"] == ["CN", "VN"]


def test_adc_continuation_inquiry_is_an_expiry_review() -> None:
    start = adn("ADN 2026/110 – A4 copy paper exported from Brazil, China, Indonesia and "
                "Thailand – Initiation of a continuation inquiry")
    assert (start["proceeding"], start["stage"], start["new_case"]) == (
        "expiry_review", "initiation", False)
    assert start["countries"] == ["BR", "CN", "ID", "TH"]
    end = adn("ADN 2026/084 – Steel reinforcing bar exported from Indonesia, Spain, Taiwan and "
              "Thailand – Termination of the continuation inquiry")
    assert (end["proceeding"], end["stage"]) == ("expiry_review", "termination")


@pytest.mark.parametrize("title", [
    "ADN 2026/097 – Changes to the Anti-Dumping Commission's contact details",
    "ADN 2026/113 – Publication of the Dumping Commodity Register – November 2026",
])
def test_adc_administrative_notices_are_not_trade_remedies(title: str) -> None:
    assert not adn(title)["trade_remedy"]


def test_an_adn_naming_goods_stays_a_trade_remedy() -> None:
    assert adn("ADN 2026/094 – Wind towers exported from China and Korea – Extension of time to "
               "publish the statement of essential facts")["trade_remedy"]


# --- EU (TRON) ------------------------------------------------------------------------------

def tron(title: str, case_number: str, case_type: str, article: str, init_ms: int,
         published: str) -> dict:
    raw = {"caseNumber": case_number, "caseType": case_type, "articleOfToc": article,
           "initDate": init_ms}
    return analysed("EU", "eu_tron", title, f"Case {case_number}: {case_type}",
                    published=published, raw=raw)


def test_tron_nept_case_is_a_new_exporter_review_of_an_ad_measure() -> None:
    result = tron("Ceramic tiles originating in People's Republic of China (NEPT23-01, New "
                  "Exporting producer treatment Review)", "NEPT23-01",
                  "New Exporting producer treatment Review", "11(4)exp", 1722290400000,
                  "2024-07-30")
    assert result["trade_remedy"] and result["case_numbers"] == ["NEPT23-01"]
    assert (result["measures"], result["proceeding"], result["new_case"]) == (
        ["AD"], "new_shipper_review", False)


@pytest.mark.parametrize(("article", "measure"), [("11(8)", "AD"), ("21", "CVD")])
def test_tron_refund_case_measure_from_its_article(article: str, measure: str) -> None:
    result = tron("Rainbow trout originating in Türkiye (RF84-02, Refund Investigation)",
                  "RF84-02", "Refund Investigation", article, 1656885600000, "2022-07-04")
    assert result["trade_remedy"] and result["case_numbers"] == ["RF84-02"]
    assert (result["measures"], result["proceeding"], result["new_case"]) == (
        [measure], "other", False)


@pytest.mark.parametrize(("article", "measure"), [("11(2)", "AD"), ("18", "CVD")])
def test_tron_review_measure_from_its_article(article: str, measure: str) -> None:
    result = tron("Solar glass originating in People's Republic of China (R840, Expiry Review)",
                  "R840", "Expiry Review", article, 1743631200000, "2025-04-03")
    assert (result["measures"], result["proceeding"]) == ([measure], "expiry_review")


def test_review_measure_from_the_text_wins_over_nothing() -> None:
    result = analysed("EU", "eu_eurlex", "Notice of initiation of an expiry review of the "
                      "anti-dumping measures applicable to imports of solar glass originating in "
                      "the People's Republic of China (R812)")
    assert (result["measures"], result["proceeding"], result["case_numbers"]) == (
        ["AD"], "expiry_review", ["R812"])


def test_tron_list_entry_is_dated_at_initiation() -> None:
    entry = tron("Cold-rolled flat steel products (certain) originating in India, Japan, Taiwan, "
                 "Türkiye and Vietnam (AD739, Initial Investigation)", "AD739",
                 "Initial Investigation", "5", 1758146400000, "2025-09-18")
    assert (entry["stage"], entry["new_case"], entry["vietnam"]) == ("initiation", True, "subject")


def test_tron_anti_absorption_is_not_a_new_case() -> None:
    result = tron("Lysine originating in People's Republic of China (R854, Anti-absorption "
                  "investigation)", "R854", "Anti-absorption investigation", "12",
                  1743631200000, "2025-04-03")
    assert (result["proceeding"], result["new_case"], result["measures"]) == (
        "other", False, ["AD"])


# --- Vietnam (TRAV) and WTO news -----------------------------------------------------------

def test_trav_public_hearing_of_vietnams_own_case_is_market_vn() -> None:
    result = analysed(
        "VN", "vn_trav", "Thông báo phiên tham vấn công khai vụ việc điều tra chống bán phá giá "
        "đối với ván sợi gỗ MDF có xuất xứ từ Thái Lan và Malaysia",
        "Cục Phòng vệ thương mại thông báo tổ chức phiên tham vấn công khai vụ việc điều tra "
        "chống bán phá giá đối với sản phẩm ván sợi gỗ MDF có xuất xứ từ Thái Lan và Malaysia. "
        "Các bên liên quan đăng ký với Cơ quan điều tra.")
    assert (result["market"], result["vietnam"], result["stage"]) == ("VN", "none", "other")
    assert result["countries"] == ["MY", "TH"]


def test_wto_safeguards_committee_reports_new_investigations() -> None:
    result = analysed(
        "WTO", "wto_news",
        "Safeguards Committee reviews new investigations on steel products and porcelain tiles",
        "At a meeting of the Committee on Safeguards, members reviewed notifications of new "
        "safeguard investigations, including on flat-rolled steel products by South Africa and "
        "on porcelain tiles by the Philippines.")
    assert result["trade_remedy"] and result["measures"] == ["SG"]
    assert (result["market"], result["stage"], result["countries"]) == ("ZA", "initiation", [])
    assert result["vietnam"] == "subject"  # a safeguard covers every origin


def test_wto_safeguards_committee_without_a_case_is_not_one() -> None:
    assert not analysed("WTO", "wto_news", "Safeguards Committee elects new chair")["trade_remedy"]


# --- FR public inspection --------------------------------------------------------------------

def test_public_inspection_docket_numbers_are_read() -> None:
    result = analysed("US", "us_fr_public_inspection",
                      "Antidumping or Countervailing Duty Investigations, Orders, or Reviews: "
                      "Passenger Vehicle and Light Truck Tires From Thailand",
                      raw={"docket_numbers": ["A-549-842", "C-552-829"]})
    assert result["case_numbers"] == ["A-549-842", "C-552-829"]
    assert result["vietnam"] == "subject"  # the Vietnamese CVD case number says so


# --- Canada (CBSA) ---------------------------------------------------------------------------

def test_cbsa_dumping_and_subsidizing_investigation() -> None:
    result = analysed("CA", "ca_cbsa", "Certain large line pipe from China and Vietnam: Dumping "
                      "and subsidizing investigation — Preliminary determination")
    assert result["trade_remedy"] and result["measures"] == ["AD", "CVD"]
    assert (result["stage"], result["vietnam"]) == ("preliminary", "subject")


# Synthetic headlines in the style of the Trade Remedies Authority of Vietnam's news, written for
# this test after the rules were built: the investigating market and Vietnam's role from the text.
@pytest.mark.parametrize(("title", "market", "vietnam", "stage"), [
    ("Ấn Độ khởi xướng điều tra chống bán phá giá đối với sản phẩm thép không gỉ cán nguội "
     "của Việt Nam", "IN", "subject", "initiation"),
    ("Canada ra quyết định cuối cùng về thuế chống bán phá giá đối với tháp gió từ Việt Nam",
     "CA", "subject", "final"),
    ("Malaysia gia hạn thời gian điều tra chống bán phá giá thép cán nguội nhập khẩu từ Việt Nam",
     "MY", "subject", "other"),
    ("Brazil áp thuế chống bán phá giá chính thức đối với sản phẩm lốp xe của Việt Nam",
     "BR", "subject", "order"),
    ("Mexico khởi xướng điều tra chống bán phá giá thép mạ từ Việt Nam",
     "MX", "subject", "initiation"),
    ("Bộ Công Thương khởi xướng điều tra chống bán phá giá đối với thép cán nóng từ Ấn Độ và "
     "Trung Quốc", "VN", "none", "initiation"),
    ("Úc khởi xướng điều tra chống bán phá giá đối với sản phẩm nhôm định hình từ Việt Nam",
     "AU", "subject", "initiation"),
])
def test_trav_headlines_written_after_the_rules(title: str, market: str, vietnam: str,
                                                stage: str) -> None:
    result = analyse({"id": "t", "market": "VN", "source": "vn_trav", "title": title, "text": "",
                      "published": "2025-10-01", "url": "https://trav.gov.vn/x"},
                     SECTORS).to_dict()
    assert (result["trade_remedy"], result["market"], result["vietnam"], result["stage"]) == (
        True, market, vietnam, stage)
