"""Press wording read while press batch 5 was development data: a case's procedural and court
steps as headlines ('thẩm tra tại chỗ', 'General Court annuls'), the respondents and rates only a
remedy case has, an exception to a safeguard's exemption, a measure said not to apply to
Vietnam, the ADC's 'exported from' list and an ITC vote's origins in the lead, and the stage words
of continuation, results, recommendation and definitive duties. The sentences were written for
these tests; none is copied from an article."""


import pytest

from tests.press_news import news


@pytest.mark.parametrize(("title", "text"), [
    ("Indonesia extends safeguard duty on ceramic sinks for three years",
     "Indonesia imposed a safeguard duty on ceramic sinks. Imports from developing countries "
     "are exempt, but goods from Thailand and Vietnam are not, as each exceeds 3% of imports."),
    ("Ấn Độ áp thuế tự vệ với kính nổi nhập khẩu",
     "Bộ Tài chính Ấn Độ áp thuế tự vệ đối với kính nổi nhập khẩu. Biện pháp không áp dụng với "
     "hàng từ các nước đang phát triển, ngoại trừ Trung Quốc và Việt Nam."),
])
def test_an_exception_to_a_safeguards_exemption_leaves_vietnam_covered(title: str, text: str
                                                                        ) -> None:
    result = news(title, text)
    assert (result["measures"], result["vietnam"]) == (["SG"], "subject")


@pytest.mark.parametrize("text", [
    "Thổ Nhĩ Kỳ gia hạn thuế chống bán phá giá ống nhựa của Trung Quốc. Biện pháp này không áp "
    "dụng với hàng hóa từ Việt Nam.",
    "Thổ Nhĩ Kỳ gia hạn thuế chống bán phá giá ống nhựa của Trung Quốc. Hàng hóa từ Việt Nam "
    "không thuộc phạm vi biện pháp.",
    "Türkiye extended anti-dumping duties on plastic pipes from China. The measure does not apply "
    "to goods from Vietnam.",
])
def test_a_measure_said_not_to_apply_to_vietnam_leaves_it_out(text: str) -> None:
    result = news("Thổ Nhĩ Kỳ gia hạn thuế chống bán phá giá ống nhựa Trung Quốc", text)
    assert result["trade_remedy"] and result["vietnam"] == "none"
    assert result["countries"] == ["CN"]


def test_the_origins_of_an_adc_exported_from_list_in_the_lead() -> None:
    result = news("Australia opens dumping case on steel shelving",
                  "The Anti-Dumping Commission initiated an investigation into alleged dumping of "
                  "steel shelving exported from Thailand and Vietnam, after an application by a "
                  "local manufacturer.")
    assert result["countries"] == ["TH", "VN"] and result["vietnam"] == "subject"
    assert (result["market"], result["stage"], result["new_case"]) == ("AU", "initiation", True)


def test_the_origins_of_an_itc_vote_in_a_lead_sentence_without_a_measure() -> None:
    result = news("ITC ra phán quyết sơ bộ vụ dây thép",
                  "Ngày 2/9/2026, ITC bỏ phiếu cho thấy có dấu hiệu hợp lý rằng ngành dây thép Mỹ "
                  "bị thiệt hại bởi hàng nhập khẩu từ Ai Cập và Việt Nam. Bộ Thương mại Mỹ sẽ tiếp "
                  "tục điều tra chống bán phá giá.")
    assert result["vietnam"] == "subject" and result["countries"] == ["EG", "VN"]
    assert result["stage"] == "preliminary"


@pytest.mark.parametrize(("title", "text", "stage"), [
    ("DOC thẩm tra tại chỗ nhà xuất khẩu lốp xe Việt Nam",
     "Trong vụ điều tra chống bán phá giá lốp xe tải, Bộ Thương mại Mỹ thẩm tra tại chỗ số liệu "
     "của hai bị đơn Việt Nam từ ngày 3/2/2026.", "other"),
    ("EU General Court annuls duties on one maker's glass fibre fabrics",
     "The General Court partially annulled the regulation imposing anti-dumping duties on glass "
     "fibre fabrics from Egypt.", "court_decision"),
    ("Tòa CIT giữ nguyên kết quả rà soát thuế gỗ dán Việt Nam",
     "Tòa Thương mại quốc tế Hoa Kỳ giữ nguyên kết quả rà soát hành chính lệnh áp thuế chống bán "
     "phá giá đối với gỗ dán của Việt Nam.", "court_decision"),
])
def test_a_procedural_or_court_step_of_the_case_the_lead_names(title: str, text: str, stage: str
                                                              ) -> None:
    result = news(title, text)
    assert result["trade_remedy"] and result["measures"] == ["AD"]
    assert result["stage"] == stage


def test_a_headline_probe_for_duty_evasion_with_the_circumvention_in_the_lead() -> None:
    result = news("Brussels probes scooter shipments from Vietnam for duty evasion",
                  "The Commission opened an investigation into possible circumvention of the "
                  "anti-dumping duties on electric scooters from China through Vietnam.")
    assert result["trade_remedy"] and result["vietnam"] == "circumvention"
    assert result["stage"] == "initiation"


def test_respondents_and_country_wide_rates_say_a_remedy_case() -> None:
    result = news("Tôm: DOC công bố kết quả sơ bộ, hai doanh nghiệp hưởng mức 0%",
                  "Bộ Thương mại Mỹ công bố kết quả sơ bộ đợt rà soát hành chính đối với tôm của "
                  "Việt Nam; hai bị đơn bắt buộc được mức 0%, mức thuế toàn quốc giữ nguyên.")
    assert (result["trade_remedy"], result["market"], result["vietnam"]) == (True, "US", "subject")
    assert (result["proceeding"], result["stage"]) == ("administrative_review", "results")


def test_terminated_in_respect_of_vietnam_makes_it_the_subject() -> None:
    result = news("CBSA drops Vietnamese exporters from furniture dumping probe",
                  "The CBSA terminated its dumping investigation in respect of Vietnam, and it "
                  "continues for goods from China and Malaysia.")
    assert (result["vietnam"], result["stage"]) == ("subject", "termination")


@pytest.mark.parametrize(("title", "text", "market"), [
    ("Kết luận sơ bộ vụ chống lẩn tránh thuế ống thép",
     "Bộ Công Thương cho biết đã ban hành kết luận sơ bộ vụ điều tra chống lẩn tránh thuế chống "
     "bán phá giá đối với ống thép xuất xứ Trung Quốc.", "VN"),
    ("Commerce confirms cabinets from Vietnam evade China duties",
     "Commerce found cabinets assembled in Vietnam circumvent the antidumping duty order on China. "
     "U.S. Customs and Border Protection will keep collecting cash deposits.", "US"),
])
def test_the_acting_authority_names_the_market(title: str, text: str, market: str) -> None:
    assert news(title, text)["market"] == market


@pytest.mark.parametrize(("title", "stage"), [
    ("Quạt điện Việt Nam tiếp tục chịu thuế chống bán phá giá thêm 5 năm", "continuation"),
    ("Malaysia điều chỉnh thuế chống bán phá giá tôn lạnh Việt Nam", "results"),
    ("DGTR kiến nghị áp thuế chống bán phá giá sợi polyester của Việt Nam", "final"),
    ("EU makes anti-dumping duties on Vietnamese fasteners definitive", "order"),
    ("Sunset review opens on anti-dumping duties on Vietnamese nails", "initiation"),
    ("Tariff Commission recommends definitive safeguard duty on steel pipes", "final"),
])
def test_stage_words_of_the_press(title: str, stage: str) -> None:
    result = news(title, "")
    assert result["trade_remedy"] and result["stage"] == stage
