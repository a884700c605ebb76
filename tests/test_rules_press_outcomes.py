"""Press wording read while press batch 6 was development data: the parties, rates and normal
values only a case has, as a headline; the authority that acts (after a date, in English, as a
department's short name, an acronym) and a country that only names an order; an expiry review's
outcome, a duty extended to goods routed through Vietnam, scope rulings and exemption requests;
a measure of another case in the lead; Canada's tribunal, which is no court; dates written bare
or as a measure's first day; a stated HS code that no sector holds; and a protest or request as
a headline. The sentences were written for these tests; none is copied from an article."""


import pytest

from tests.press_news import news


def test_a_headline_naming_a_cases_respondents_is_that_cases_step() -> None:
    result = news("Hai doanh nghiệp inox được chọn làm bị đơn bắt buộc",
                  "Trong vụ điều tra chống bán phá giá ống thép không gỉ từ Việt Nam, cơ quan "
                  "điều tra Hoa Kỳ đã chọn hai công ty làm bị đơn bắt buộc ngày 3/9/2026.")
    assert result["trade_remedy"] and result["vietnam"] == "subject"
    # 'vụ điều tra' names the case the step belongs to: it opens nothing
    assert (result["stage"], result["new_case"]) == ("other", False)
    assert result["event_date"] == "2026-09-03"


def test_a_canadian_re_investigation_of_normal_values_is_a_reviews_result() -> None:
    result = news("CBSA cập nhật giá trị thông thường với bình chứa khí Việt Nam",
                  "CBSA đã hoàn tất tái điều tra giá trị thông thường và mức trợ cấp đối với "
                  "bình chứa khí nhập khẩu từ Việt Nam vào ngày 12/10/2026.")
    assert (result["trade_remedy"], result["market"], result["stage"]) == (True, "CA", "results")
    assert result["measures"] == ["AD", "CVD"] and result["event_date"] == "2026-10-12"


def test_mexicos_compensatory_duty_kept_after_an_expiry_review() -> None:
    result = news("Mexico maintains duties on Chinese ceramic mugs after expiry review",
                  "Mexico's economy ministry kept the compensatory duty on ceramic mugs from China "
                  "on 2 October 2026, finding that removal would lead to renewed dumping.")
    assert (result["trade_remedy"], result["market"], result["measures"]) == (True, "MX", ["AD"])
    assert result["stage"] == "continuation" and result["vietnam"] == "none"


@pytest.mark.parametrize(("title", "text", "market"), [
    ("UK to end dumping duty on Chinese steel wheels",
     "The measure on steel wheels from China will cease to apply from 1 May 2026.", "GB"),
    ("Lower duties for Vietnamese nails after review",
     "The Commerce Department published final results of the review of the antidumping order on "
     "steel nails from Vietnam on March 3, 2026.", "US"),
    ("Commerce: drawer slides assembled in Vietnam circumvent China order",
     "Commerce made an affirmative final determination that drawer slides assembled in Vietnam "
     "from Chinese parts circumvent the antidumping order on China; U.S. Customs will collect "
     "deposits.", "US"),
])
def test_the_authority_named_short_or_only_by_its_country(title: str, text: str, market: str
                                                          ) -> None:
    assert news(title, text)["market"] == market


@pytest.mark.parametrize(("title", "text"), [
    ("Doanh nghiệp kính nộp hồ sơ đề nghị điều tra chống bán phá giá",
     "Cục Phòng vệ thương mại cho biết ngày 5/10/2026 đã tiếp nhận hồ sơ đề nghị điều tra chống "
     "bán phá giá đối với kính nổi có xuất xứ từ Malaysia."),
    ("Vietnam holds hearing in its wire rod dumping probe",
     "Viet Nam's Trade Remedies Authority held a public hearing on October 5, 2026 in its "
     "anti-dumping investigation into wire rod from China."),
])
def test_vietnams_own_case_when_its_authority_acts(title: str, text: str) -> None:
    result = news(title, text)
    assert (result["market"], result["vietnam"]) == ("VN", "none")


@pytest.mark.parametrize(("title", "text"), [
    ("EU extends duties on Chinese glass fibre to Vietnam shipments",
     "The Commission extended the anti-dumping duty on glass fibre from China to imports "
     "consigned from Vietnam on 4 November 2026."),
    ("Ấn Độ mở rộng thuế chống bán phá giá với ốc vít Trung Quốc",
     "Ngày 4/11/2026, Ấn Độ mở rộng thuế chống bán phá giá đối với ốc vít Trung Quốc sang hàng "
     "gửi từ Việt Nam sau khi kết luận có hành vi lẩn tránh."),
])
def test_a_duty_extended_to_goods_routed_through_vietnam_is_a_circumvention_order(
        title: str, text: str) -> None:
    result = news(title, text)
    assert (result["vietnam"], result["stage"], result["new_case"]) == (
        "circumvention", "order", False)


def test_an_extension_of_a_duty_in_time_stays_a_continuation() -> None:
    result = news("Turkey extends duties on Vietnamese yarn to 2031",
                  "Türkiye extended the anti-dumping duty on polyester yarn from Vietnam for five "
                  "years after an expiry review.")
    assert (result["vietnam"], result["stage"]) == ("subject", "continuation")


@pytest.mark.parametrize(("title", "text"), [
    ("Giá treo bằng thép sơn tĩnh điện thuộc phạm vi lệnh áp thuế",
     "Trong phán quyết phạm vi ngày 1/10/2026, Bộ Thương mại Hoa Kỳ xác định giá treo sơn tĩnh "
     "điện thuộc phạm vi lệnh áp thuế chống bán phá giá đối với giá treo thép từ Việt Nam."),
    ("Bốn doanh nghiệp xin miễn trừ trong vụ điều tra lẩn tránh thuế",
     "Ngày 2/10/2026, bốn doanh nghiệp đã nộp đơn xin miễn trừ trong vụ Ủy ban châu Âu điều tra "
     "chống lẩn tránh thuế đối với xe đạp Trung Quốc gửi từ Việt Nam."),
])
def test_scope_rulings_and_exemption_requests_are_procedural(title: str, text: str) -> None:
    result = news(title, text)
    assert result["trade_remedy"] and (result["stage"], result["new_case"]) == ("other", False)


@pytest.mark.parametrize(("title", "text"), [
    ("EU confirms countervailing duties on Chinese glass fibre",
     "The Commission imposed definitive countervailing duties on glass fibre from China. They "
     "come on top of existing anti-dumping duties on the same goods."),
    ("Úc chấm dứt điều tra chống trợ cấp tủ lạnh Việt Nam",
     "ADC chấm dứt điều tra chống trợ cấp đối với tủ lạnh của Việt Nam. Phần điều tra chống bán "
     "phá giá vẫn tiếp tục."),
])
def test_a_measure_of_another_case_in_the_lead_is_not_this_ones(title: str, text: str) -> None:
    assert news(title, text)["measures"] == ["CVD"]


def test_canadas_tribunal_is_no_court_and_an_expiry_review_ends_in_its_outcome() -> None:
    result = news("CITT giữ kết luận thiệt hại với thép tấm",
                  "Tòa án Thương mại quốc tế Canada đã kết thúc rà soát hết hạn và quyết định "
                  "tiếp tục duy trì kết luận thiệt hại đối với thép tấm có xuất xứ từ Việt Nam. "
                  "Thuế chống bán phá giá sẽ được áp thêm 5 năm.")
    assert (result["market"], result["proceeding"], result["stage"]) == (
        "CA", "expiry_review", "continuation")


def test_five_year_duties_slapped_are_an_order_not_a_five_year_review() -> None:
    result = news("China slaps five-year anti-dumping duties on Japanese resin",
                  "China's Ministry of Commerce announced final anti-dumping duties on resin from "
                  "Japan, effective 3 September 2026.")
    assert (result["proceeding"], result["stage"]) == ("investigation", "order")


@pytest.mark.parametrize(("text", "when"), [
    ("Cục Ngoại thương Thái Lan khởi xướng điều tra chống bán phá giá đối với bao bì nhựa từ "
     "Việt Nam. Thông báo có hiệu lực từ 9/10/2026.", "2026-10-09"),
    ("Cục Ngoại thương Thái Lan khởi xướng điều tra chống bán phá giá đối với bao bì nhựa từ "
     "Việt Nam. Các bên có 30 ngày kể từ ngày khởi xướng, 14-10-2026, để đăng ký.", "2026-10-14"),
    ("Thái Lan quyết định tiếp tục áp thuế chống bán phá giá đối với bao bì nhựa từ Việt Nam "
     "thêm 5 năm, từ ngày 2/10/2026.", "2026-10-02"),
    ("Thái Lan hủy rà soát thuế chống bán phá giá với bao bì nhựa từ Việt Nam, giai đoạn "
     "1/7/2025 - 30/6/2026. Thông báo hủy có hiệu lực ngày 6/11/2026.", "2026-11-06"),
])
def test_vietnamese_dates_written_bare_or_as_a_measures_first_day(text: str, when: str) -> None:
    assert news("Thái Lan và bao bì nhựa Việt Nam", text)["event_date"] == when


def test_an_american_slash_date_in_english_is_not_read_day_first() -> None:
    result = news("Thailand opens dumping probe on plastic bags from Vietnam",
                  "Thailand initiated an anti-dumping investigation on plastic bags from Vietnam "
                  "in a notice dated 10/9/2026.")
    assert result["event_date"] != "2026-09-10"


def test_a_stated_code_in_no_configured_sector_places_the_goods_in_other() -> None:
    # a vacuum flask of stainless steel is HS 9617, which no sector holds: not steel
    result = news("Argentina mở điều tra chống bán phá giá bình giữ nhiệt inox từ Việt Nam",
                  "Argentina khởi xướng điều tra chống bán phá giá đối với bình giữ nhiệt bằng "
                  "thép không gỉ nhập khẩu từ Việt Nam, thuộc mã NCM 9617.00.10.")
    assert result["hs_codes"] == ["96170010"] and result["sectors"] == ["other"]


@pytest.mark.parametrize("title", [
    "Bộ Công Thương phản đối mức thuế sơ bộ của Ấn Độ với sợi Việt Nam",
    "Đề nghị Thổ Nhĩ Kỳ loại trừ sợi Việt Nam khỏi biện pháp tự vệ",
    "Vietnam urges India to review preliminary duties on its yarn",
])
def test_a_protest_or_a_request_is_no_step_of_the_case(title: str) -> None:
    result = news(title, "Ấn Độ đã áp thuế chống bán phá giá tạm thời đối với sợi từ Việt Nam; "
                         "Bộ Công Thương đề nghị xem xét lại phương pháp tính.")
    assert result["trade_remedy"] and result["stage"] == "other"


def test_asking_for_an_investigation_stays_a_petition() -> None:
    result = news("Doanh nghiệp Ấn Độ đề nghị điều tra chống bán phá giá sợi Việt Nam",
                  "Hiệp hội sợi Ấn Độ đã nộp đơn đề nghị điều tra chống bán phá giá đối với sợi "
                  "nhập khẩu từ Việt Nam.")
    assert (result["stage"], result["new_case"]) == ("petition", True)


@pytest.mark.parametrize("text", [
    "Thailand's Anti-Dumping and Countervailing Committee decided to continue anti-dumping duties "
    "on steel wire from Vietnam on 2 October 2026.",
    "Ủy ban về chống bán phá giá và trợ cấp Thái Lan quyết định tiếp tục áp thuế chống bán phá giá "
    "đối với dây thép từ Việt Nam ngày 2/10/2026.",
])
def test_a_committee_named_after_both_measures_says_neither(text: str) -> None:
    assert news("Thái Lan tiếp tục áp thuế dây thép Việt Nam", text)["measures"] == ["AD"]


def test_a_step_over_several_days_is_dated_by_its_first() -> None:
    result = news("DOC thẩm tra tại chỗ doanh nghiệp dây thép Việt Nam",
                  "Trong vụ điều tra chống bán phá giá dây thép, Bộ Thương mại Hoa Kỳ đã thẩm tra "
                  "tại chỗ hai doanh nghiệp Việt Nam từ ngày 5 đến 9/10/2026.")
    assert (result["stage"], result["event_date"]) == ("other", "2026-10-05")


def test_a_timetable_pushed_back_is_a_procedural_step() -> None:
    result = news("TRA pushes back timetable in steel wire expiry review",
                  "The Trade Remedies Authority has revised the timetable of its expiry review of "
                  "the anti-dumping measure on steel wire from China.")
    assert result["trade_remedy"] and result["stage"] == "other"


@pytest.mark.parametrize(("title", "text"), [
    ("Ấn Độ điều tra chống bán phá giá gạch ốp lát của 4 nước",
     "DGTR khởi xướng điều tra chống bán phá giá đối với gạch ốp lát nhập khẩu từ 4 nước, trong "
     "đó có Việt Nam."),
    ("India probes ceramic tiles from four countries",
     "India's DGTR initiated an anti-dumping investigation into ceramic tiles from four "
     "countries including Vietnam."),
    ("Doanh nghiệp Việt bị Úc điều tra chống bán phá giá ống thép",
     "Ủy ban Chống bán phá giá Úc khởi xướng điều tra đối với ống thép của các doanh nghiệp Việt."),
    ("US: Vietnam, Malaysia face AD probe on steel racks",
     "Commerce initiated investigations on steel storage racks after a petition by U.S. makers."),
])
def test_vietnam_named_last_in_a_list_as_a_shorthand_or_facing_a_probe(title: str, text: str
                                                                        ) -> None:
    result = news(title, text)
    assert result["trade_remedy"] and result["vietnam"] == "subject"


def test_a_currency_is_no_authority() -> None:
    result = news("Ấn Độ áp thuế chống bán phá giá gạch ốp lát Việt Nam",
                  "Mức thuế từ 120 US$ đến 340 US$ mỗi tấn được DGTR khuyến nghị áp dụng.")
    assert result["market"] == "IN"


@pytest.mark.parametrize(("title", "text", "market"), [
    ("Commerce rescinds review of Vietnamese honey",
     "Commerce rescinded the administrative review of the antidumping order on raw honey from "
     "Vietnam.", "US"),
    ("China extends duties on Japanese resin",
     "China's Ministry of Commerce extended anti-dumping duties on resin from Japan.", "CN"),
])
def test_commerce_alone_is_the_us_department_but_a_ministry_of_commerce_is_not(
        title: str, text: str, market: str) -> None:
    assert news(title, text)["market"] == market


def test_a_spanish_presumed_dumping_and_a_wto_case_are_remedy_steps() -> None:
    peru = news("Perú investiga dumping en calzado de Vietnam",
                "Indecopi inició una investigación por presunto dumping en calzado originario de "
                "Vietnam.")
    assert (peru["market"], peru["measures"], peru["new_case"]) == ("PE", ["AD"], True)
    wto = news("Vietnam wins WTO case on catfish",
               "A WTO panel found that U.S. anti-dumping duties on Vietnamese catfish broke the "
               "rules.")
    assert (wto["trade_remedy"], wto["stage"]) == (True, "court_decision")


def test_a_safeguard_that_does_not_exclude_vietnam_covers_it() -> None:
    result = news("Philippines áp thuế tự vệ kính, không loại trừ Việt Nam",
                  "Bộ Thương mại và Công nghiệp Philippines áp thuế tự vệ chính thức đối với kính "
                  "nổi nhập khẩu.")
    assert (result["measures"], result["vietnam"]) == (["SG"], "subject")
