"""Press wording read while press batch 7 was development data: a headline that names only a
procedural step or the duty of a case the lead names; competition law's 'bán phá giá'; Vietnam as
the buyers' other source, as not named in an inquiry, as taken out of a safeguard's exemption, or
as the goods' country after the duty ('với mật ong Việt Nam'); 'exported from' lists in a lead;
'thuế đối kháng' and 'alleged subsidizing'; a definitive order looking back at provisional
duties; a finding of no circumvention, a review ended early, a partial revocation and a scope
ruling; Canada's tribunal named only as 'Tribunal'; and dates written without a year. The
sentences were written for these tests; none is copied from an article."""

import pytest

from tests.press_news import news


def test_a_postponed_determination_is_a_step_of_the_case_the_lead_names() -> None:
    result = news("Commerce delays its ruling in the wooden dowel case",
                  "Commerce has postponed its preliminary determination in the antidumping "
                  "investigation of wooden dowels from Vietnam and Brazil by 50 days. The "
                  "postponement notice was published on March 3.", published="2026-03-06")
    assert (result["trade_remedy"], result["market"], result["vietnam"]) == (True, "US", "subject")
    assert (result["measures"], result["stage"]) == (["AD"], "other")
    assert result["event_date"] == "2026-03-03"


def test_vietnams_own_exemption_window_from_a_duty() -> None:
    result = news("Importers may apply for exemption from coated steel duties",
                  "Vietnam's Trade Remedies Authority said it will accept applications for "
                  "exemption from the anti-dumping duties on Korean coated steel until 30 June.")
    assert (result["trade_remedy"], result["market"], result["vietnam"]) == (True, "VN", "none")
    assert (result["measures"], result["stage"]) == (["AD"], "other")


def test_duties_kept_for_another_five_years_by_vietnam() -> None:
    result = news("Duties on imported aluminium foil kept for five more years",
                  "Vietnam's Ministry of Industry and Trade has decided to keep anti-dumping "
                  "duties on aluminium foil from China for another five years after its expiry "
                  "review, in a decision signed on 2 May 2026.", published="2026-05-06")
    assert (result["trade_remedy"], result["market"], result["stage"]) == (
        True, "VN", "continuation")
    assert result["event_date"] == "2026-05-02"


@pytest.mark.parametrize("title, text", [
    ("Cơ quan cạnh tranh điều tra hãng xe bán dưới giá vốn",
     "Ủy ban Cạnh tranh Quốc gia mở điều tra một hãng xe máy điện bị tố 'bán phá giá' để loại "
     "đối thủ khỏi thị trường trong nước."),
    ("Antitrust probe into supermarket's below-cost milk",
     "The competition authority opened an investigation into a supermarket chain accused of "
     "dumping milk below cost to drive out corner shops."),
])
def test_competition_law_dumping_is_no_trade_remedy(title: str, text: str) -> None:
    assert news(title, text)["trade_remedy"] is False


def test_buyers_turning_to_vietnams_goods_do_not_make_it_a_subject() -> None:
    result = news("Ấn Độ duy trì thuế với kính nổi Trung Quốc",
                  "Bộ Tài chính Ấn Độ quyết định tiếp tục áp thuế chống bán phá giá với kính nổi "
                  "có xuất xứ Trung Quốc sau rà soát cuối kỳ. Nhiều nhà nhập khẩu cho biết sẽ "
                  "chuyển sang nguồn cung từ Việt Nam.")
    assert (result["market"], result["vietnam"], result["stage"]) == ("IN", "none", "continuation")


def test_vietnamese_mills_not_named_in_a_circumvention_inquiry() -> None:
    result = news("Malaysia opens circumvention inquiry into Chinese steel wire",
                  "Malaysia initiated an anti-circumvention inquiry into galvanised wire from "
                  "China on 4 May 2026, suspecting it evades anti-dumping duties on Chinese wire "
                  "rod. Vietnamese wire makers are not named in the inquiry.")
    assert (result["proceeding"], result["vietnam"], result["new_case"]) == (
        "circumvention", "none", True)


def test_a_vietnamese_firm_finished_goods_in_a_circumvention_case_stays_circumvention() -> None:
    result = news("Mỹ điều tra lẩn tránh thuế với tủ gỗ lắp ráp tại Việt Nam",
                  "Bộ Thương mại Hoa Kỳ khởi xướng điều tra chống lẩn tránh thuế với tủ bếp gỗ "
                  "Trung Quốc được lắp ráp tại Việt Nam. Việt Nam không phải nước bị áp lệnh gốc.")
    assert result["vietnam"] == "circumvention"


def test_taken_out_of_a_safeguards_exemption_vietnam_is_covered() -> None:
    result = news("EU đề xuất đưa nhôm Việt Nam ra khỏi diện miễn trừ tự vệ",
                  "Ủy ban châu Âu đề xuất loại Việt Nam khỏi danh sách các nước đang phát triển "
                  "được miễn trừ biện pháp tự vệ đối với nhôm tấm nhập khẩu.")
    assert (result["measures"], result["vietnam"]) == (["SG"], "subject")


def test_the_duty_with_vietnams_goods_named_after_it() -> None:
    result = news("Người trồng điều lo giá giảm",
                  "Giá điều thô giảm 10%. Ngày 2/10/2026, Bộ Thương mại Hoa Kỳ công bố kết quả sơ "
                  "bộ rà soát hành chính thuế chống bán phá giá với nhân điều Việt Nam.")
    assert (result["trade_remedy"], result["vietnam"], result["stage"]) == (
        True, "subject", "results")


def test_every_exported_from_list_of_a_lead_names_origins() -> None:
    result = news("Australia ends dumping case on steel pallets",
                  "The Anti-Dumping Commissioner terminated the investigation into steel pallets "
                  "exported from Vietnam and Malaysia after finding negligible imports from "
                  "Malaysia.")
    assert result["vietnam"] == "subject" and set(result["countries"]) == {"VN", "MY"}


@pytest.mark.parametrize("title, text, measures", [
    ("Úc điều tra lẩn tránh thuế ống đồng qua Việt Nam",
     "Ủy ban Chống bán phá giá Úc khởi xướng điều tra chống lẩn tránh đối với ống đồng xuất khẩu "
     "từ Việt Nam, nghi né thuế chống bán phá giá và thuế đối kháng áp với hàng Trung Quốc.",
     ["AD", "CVD"]),
    ("Canada opens dumping and subsidy probes into steel racks",
     "The CBSA initiated investigations into the alleged dumping of steel racks from Vietnam and "
     "the alleged subsidizing of the same goods.", ["AD", "CVD"]),
])
def test_countervailing_duty_as_some_press_words_it(title: str, text: str,
                                                    measures: list[str]) -> None:
    assert news(title, text)["measures"] == measures


def test_a_definitive_order_looking_back_at_provisional_duties_is_an_order() -> None:
    result = news("EU locks in anti-dumping duties on Vietnamese steel wheels",
                  "The Commission imposed definitive anti-dumping duties on steel wheels from "
                  "Vietnam on 4 June 2026. The provisional duties already secured will be "
                  "definitively collected.", published="2026-06-08")
    assert result["stage"] == "order"


def test_a_definitive_duty_replacing_the_provisional_one_is_an_order() -> None:
    result = news("Philippines áp thuế tự vệ chính thức với kính nổi",
                  "Bộ Công Thương Philippines ban hành quyết định áp dụng biện pháp tự vệ chính "
                  "thức đối với kính nổi nhập khẩu, thay thế mức thuế tạm thời áp từ tháng 3.")
    assert (result["measures"], result["stage"]) == (["SG"], "order")


def test_provisional_duties_in_the_sentence_that_imposes_them_stay_preliminary() -> None:
    result = news("Thổ Nhĩ Kỳ áp thuế với sợi Việt Nam",
                  "Thổ Nhĩ Kỳ áp thuế chống bán phá giá tạm thời 12% với sợi polyester từ Việt "
                  "Nam ngày 3/2/2026.", published="2026-02-05")
    assert result["stage"] == "preliminary"


@pytest.mark.parametrize("title, text, stage", [
    ("CBSA finds no circumvention in Vietnamese steel doors",
     "The CBSA concluded its anti-circumvention investigation on 2 May 2026, finding that steel "
     "doors shipped from Vietnam were not circumventing Canada's anti-dumping duties on Chinese "
     "doors.", "termination"),
    ("Indonesia ends review of duties on Vietnamese yarn after requests withdrawn",
     "Indonesia's KADI terminated its changed-circumstances review of anti-dumping duties on "
     "polyester yarn from Vietnam after the requests were withdrawn.", "rescission"),
    ("Mỹ loại một số mẫu lốp khỏi lệnh thuế với lốp Việt Nam",
     "Bộ Thương mại Hoa Kỳ thu hồi một phần lệnh thuế chống bán phá giá đối với lốp xe tải nhẹ "
     "nhập khẩu từ Việt Nam sau rà soát do thay đổi hoàn cảnh.", "revocation"),
    ("Granite tiles cut in Vietnam fall under US duties, Commerce rules",
     "In a final scope ruling, Commerce found that granite tiles cut in Vietnam from Chinese "
     "blocks are covered by the antidumping order on granite from China.", "other"),
    ("ITC bác thiệt hại, vụ điều tra ván sàn từ Việt Nam khép lại",
     "ITC bỏ phiếu kết luận cuối cùng rằng ngành sản xuất Mỹ không bị thiệt hại bởi ván sàn "
     "nhập khẩu từ Việt Nam, nên lệnh áp thuế chống bán phá giá sẽ không được ban hành.",
     "termination"),
])
def test_ends_of_inquiries_and_reviews(title: str, text: str, stage: str) -> None:
    assert news(title, text)["stage"] == stage


def test_a_headlines_tribunal_is_the_one_the_lead_names() -> None:
    result = news("Tribunal's injury finding makes duties on Vietnamese pipe definitive",
                  "The Canadian International Trade Tribunal found on December 29 that dumped "
                  "imports of steel pipe from Vietnam had caused injury; anti-dumping duties "
                  "will be levied for five years.", published="2026-01-04")
    assert (result["proceeding"], result["stage"]) == ("investigation", "order")
    assert result["event_date"] == "2025-12-29"


def test_a_date_due_later_is_not_the_event() -> None:
    result = news("Commerce postpones preliminary ruling in steel nails case",
                  "Commerce postponed its preliminary determination in the antidumping "
                  "investigation of steel nails from Vietnam; the decision is now due on June 2.",
                  published="2026-04-10")
    assert result["event_date"] is None


def test_goods_assembled_in_vietnam_from_anothers_parts_put_vietnam_in_circumvention() -> None:
    """Found by probing, after reading real press that reports US inquiries so."""
    result = news("Hoa Kỳ điều tra bàn gỗ lắp ráp tại Việt Nam từ linh kiện Trung Quốc",
                  "DOC đã khởi xướng điều tra xem xét bàn gỗ nhập khẩu từ Việt Nam sử dụng linh "
                  "kiện từ Trung Quốc có thuộc phạm vi áp dụng của lệnh thuế chống bán phá giá "
                  "với sản phẩm tương tự của Trung Quốc hay không.")
    assert (result["vietnam"], result["stage"], result["new_case"]) == (
        "circumvention", "initiation", True)


@pytest.mark.parametrize("title, text, stage, new_case", [
    ("US opens anti-dumping tax evasion probe into Vietnamese door frames",
     "The US Department of Commerce has initiated an anti-dumping tax evasion investigation into "
     "door frames made in Vietnam from Chinese lumber.", "initiation", True),
    ("Vietnamese steel staples not evading US anti-dumping duties",
     "The DOC's final conclusion in the anti-dumping tax evasion investigation into steel "
     "staples from Vietnam found the goods free from tax evasion.", "termination", False),
])
def test_tax_evasion_as_english_translations_of_lan_tranh_thue_say_it(
        title: str, text: str, stage: str, new_case: bool) -> None:
    """Found by probing: Vietnamese outlets' English renders 'lẩn tránh thuế' as tax evasion."""
    result = news(title, text)
    assert (result["proceeding"], result["vietnam"]) == ("circumvention", "circumvention")
    assert (result["stage"], result["new_case"]) == (stage, new_case)


def test_mandatory_defendants_are_a_cases_step() -> None:
    result = news("Commerce names two mandatory defendants in Vietnamese wire case",
                  "In the anti-dumping investigation into steel wire from Vietnam, DOC selected "
                  "two mandatory defendants; other exporters may apply for a separate rate.")
    assert (result["trade_remedy"], result["vietnam"]) == (True, "subject")
    assert (result["stage"], result["new_case"]) == ("other", False)


@pytest.mark.parametrize("title", [
    "US will not self-initiate anti-dumping probe into Vietnamese footwear",
    "Ấn Độ chưa khởi xướng điều tra chống bán phá giá với gạch Việt Nam",
])
def test_an_investigation_that_is_not_opened_is_no_case(title: str) -> None:
    assert news(title, "The authority found insufficient evidence of dumping.")[
        "trade_remedy"] is False


def test_a_petition_refused_is_still_news_of_a_case() -> None:
    result = news("Bộ Công Thương không khởi xướng điều tra theo đơn kiện của ngành thép",
                  "Bộ Công Thương quyết định không khởi xướng điều tra chống bán phá giá đối với "
                  "thép dây nhập khẩu từ Trung Quốc do hồ sơ yêu cầu chưa đáp ứng điều kiện.")
    assert (result["trade_remedy"], result["market"]) == (True, "VN")
