"""Press wording read while press batch 10 was development data: a headline of advice over a lead
that reports the step; an appeal panel that sends a decision back; an injury inquiry ended; a
social allowance ('trợ cấp'); Vietnam's ministry that signs a decision or does not extend a
measure; a review stopped; goods 'được trợ cấp'; imports made subject to registration; duties
a commission only backs; Spanish and Turkish steps; and dates written in the authorities'
languages, an Indonesian weekday, and a measure's first day 'from' or 'starting'. The sentences
were written for these tests; none is copied from an article."""

import pytest

from tests.press_news import news


def test_a_headline_of_advice_over_a_lead_reporting_the_step() -> None:
    result = news("Nhà xuất khẩu gạch cần chú ý diễn biến tại thị trường Ấn Độ",
                  "Tổng vụ Phòng vệ thương mại Ấn Độ (DGTR) đã ban hành kết luận sơ bộ trong vụ "
                  "điều tra chống bán phá giá gạch men nhập khẩu từ Việt Nam và Trung Quốc. Mức "
                  "thuế đề xuất từ 5% đến 12%.")
    assert (result["trade_remedy"], result["market"], result["stage"]) == (True, "IN",
                                                                          "preliminary")
    assert result["vietnam"] == "subject"


def test_a_market_report_stays_market_news() -> None:
    result = news("Thị trường gạch men Ấn Độ: xuất khẩu 10 tháng đạt 200 triệu USD",
                  "Kim ngạch xuất khẩu gạch men sang Ấn Độ 10 tháng đạt 200 triệu USD, tăng 8%. "
                  "Doanh nghiệp vẫn theo dõi vụ điều tra chống bán phá giá khởi xướng năm ngoái.")
    assert result["trade_remedy"] is False


@pytest.mark.parametrize("title, text, published, expected", [
    # an appeal panel that sends a decision back rules on the case
    ("Review panel sends zinc-coated steel decision back to the Commission",
     "Australia's Anti-Dumping Review Panel found on 4 March 2026 that the Commissioner erred in "
     "continuing anti-dumping measures on zinc coated steel exported from Vietnam by one "
     "producer.", "2026-03-09",
     {"market": "AU", "stage": "court_decision", "vietnam": "subject", "measures": ["AD"],
      "event_date": "2026-03-04"}),
    # an injury inquiry ended, its dumping named only as the injury's cause
    ("CITT ends preliminary inquiry into steel racks",
     "The Canadian International Trade Tribunal found on 9 April 2026 that the evidence does "
     "not show that the dumping of steel storage racks from Vietnam has caused or threatens to "
     "cause injury.", "2026-04-12",
     {"market": "CA", "stage": "termination", "vietnam": "subject", "measures": ["AD"],
      "event_date": "2026-04-09"}),
])
def test_a_ruling_or_an_ending_the_headline_names_without_its_remedy(
        title: str, text: str, published: str, expected: dict[str, object]) -> None:
    result = news(title, text, published=published)
    assert result["trade_remedy"] is True
    assert {key: result[key] for key in expected} == expected


@pytest.mark.parametrize("title, text", [
    ("Nâng mức trợ cấp thất nghiệp cho lao động nông thôn",
     "Dự thảo nghị định nâng mức trợ cấp hằng tháng cho lao động mất việc từ ngày 1/7/2026."),
    ("Hộ nghèo được trợ cấp tiền điện trong mùa nắng nóng",
     "Mỗi hộ được hỗ trợ 50.000 đồng mỗi tháng, chi trả qua tài khoản ngân hàng."),
])
def test_a_social_allowance_is_no_subsidy_case(title: str, text: str) -> None:
    assert news(title, text)["trade_remedy"] is False


def test_subsidised_goods_are_a_countervailing_case() -> None:
    result = news("ITC bỏ phiếu sơ bộ trong vụ ghế văn phòng từ Việt Nam",
                  "ITC xác định có dấu hiệu hợp lý cho thấy ngành sản xuất nội địa bị thiệt hại "
                  "do ghế văn phòng nhập khẩu từ Việt Nam bị cáo buộc bán phá giá và được trợ "
                  "cấp.")
    assert result["measures"] == ["AD", "CVD"]


@pytest.mark.parametrize("title, text, stage", [
    ("Khởi xướng điều tra chống bán phá giá thép mạ màu nhập khẩu",
     "Ngày 2/3/2026, Bộ trưởng Bộ Công Thương đã ký quyết định điều tra chống bán phá giá đối "
     "với thép mạ màu có xuất xứ từ Trung Quốc, sau khi hồ sơ cho thấy hàng được gia công tại "
     "Thái Lan.", "initiation"),
    ("Dừng rà soát thuế chống bán phá giá sợi nhập khẩu",
     "Bộ Công Thương đã ký quyết định chấm dứt vụ việc rà soát biện pháp chống bán phá giá đối "
     "với sợi có xuất xứ từ Trung Quốc và Ấn Độ do doanh nghiệp Ấn Độ rút hồ sơ.", "rescission"),
    ("Khong gia han thue chong ban pha gia thep khong gi",
     "Bo Cong Thuong se khong gia han bien phap chong ban pha gia doi voi thep khong gi co xuat "
     "xu tu Indonesia sau khi ket thuc ra soat cuoi ky.", "revocation"),
])
def test_vietnams_ministry_signing_or_not_extending_is_its_own_case(title: str, text: str,
                                                                   stage: str) -> None:
    result = news(title, text)
    assert (result["market"], result["vietnam"], result["stage"]) == ("VN", "none", stage)


def test_imports_made_subject_to_registration_are_a_procedural_step() -> None:
    result = news("EU to register imports of Vietnamese steel wheels",
                  "The Commission made imports of steel wheels originating in Vietnam subject "
                  "to registration from 3 February 2026 in its anti-dumping investigation.",
                  published="2026-02-05")
    assert (result["stage"], result["new_case"]) == ("other", False)
    assert result["event_date"] == "2026-02-03"


def test_duties_a_commission_backs_are_a_final_step() -> None:
    result = news("Peru's commission backs final duties on Vietnamese zippers",
                  "Indecopi's commission recommended definitive anti-dumping duties on zippers "
                  "from Vietnam; the ministry will decide.")
    assert result["stage"] == "final"


def test_a_spanish_expiry_review_opening() -> None:
    result = news("Economía inicia examen de vigencia de cuotas a lámina de China y Vietnam",
                  "La Secretaría de Economía publicó el 9 de marzo de 2026 la resolución que da "
                  "inicio al examen de vigencia de las cuotas compensatorias a la lámina de "
                  "China y Vietnam, ante el riesgo de repetición del dumping.",
                  published="2026-03-11")
    assert (result["trade_remedy"], result["market"], result["stage"]) == (True, "MX",
                                                                          "initiation")
    assert (result["new_case"], result["vietnam"]) == (False, "subject")
    assert result["event_date"] == "2026-03-09"


def test_a_turkish_definitive_measure_is_an_order() -> None:
    result = news("Çin ve Vietnam menşeli seramik karo ithalatına kesin damping önlemi",
                  "Ticaret Bakanlığının tebliği 3 Mart 2026 tarihli Resmî Gazete'de yayımlandı; "
                  "Çin ve Vietnam menşeli seramik karolara kesin dampinge karşı önlem "
                  "uygulanacak.", published="2026-03-05")
    assert (result["market"], result["stage"], result["vietnam"]) == ("TR", "order", "subject")
    assert result["event_date"] == "2026-03-03"


@pytest.mark.parametrize("text, published, day", [
    ("A Secex publicou a Circular nº 12, de 4 de fevereiro de 2026, que dá início à investigação "
     "antidumping sobre fechaduras do Vietnã.", "2026-02-06", "2026-02-04"),
    ("KADI memulai penyelidikan antidumping atas impor benang dari Vietnam pada Selasa (3/2).",
     "2026-02-05", "2026-02-03"),
    ("Importers must post guarantees of anti-dumping duty on hinges from Vietnam from 2 "
     "February 2026 for four months.", "2026-01-30", "2026-02-02"),
    ("Provisional anti-dumping duties on hinges from Vietnam apply for six months starting 2 "
     "February 2026.", "2026-01-30", "2026-02-02"),
])
def test_dates_in_the_authorities_languages_and_a_measures_first_day(
        text: str, published: str, day: str) -> None:
    result = news("New anti-dumping step on hinges from Vietnam", text, published=published)
    assert (result["trade_remedy"], result["event_date"]) == (True, day)


def test_a_period_from_one_day_to_another_is_no_event_date() -> None:
    result = news("Thailand imposes provisional duties on Vietnamese hinges",
                  "The period of investigation ran from 1 January 2025 to 31 December 2025.",
                  published="2026-02-01")
    assert result["event_date"] is None


@pytest.mark.parametrize("title, text", [
    ("Maroc áp thuế tự vệ với thép dây; hàng Việt Nam được miễn",
     "Maroc áp dụng biện pháp tự vệ chính thức với thép dây nhập khẩu. Hàng từ các nước đang "
     "phát triển có thị phần nhỏ, trong đó có Việt Nam, không phải chịu thuế tự vệ."),
    ("Maroc áp thuế tự vệ với thép dây nhập khẩu",
     "Maroc áp dụng biện pháp tự vệ chính thức với thép dây nhập khẩu; hàng Việt Nam được miễn "
     "do thị phần dưới 3%."),
])
def test_vietnam_spared_a_safeguard_is_not_concerned(title: str, text: str) -> None:
    result = news(title, text)
    assert (result["trade_remedy"], result["measures"], result["vietnam"]) == (True, ["SG"],
                                                                              "none")


def test_a_country_after_doi_voi_is_the_origin_not_the_product() -> None:
    result = news("Úc chấm dứt điều tra chống bán phá giá giấy in đối với Việt Nam",
                  "ADC đã chấm dứt điều tra đối với giấy in khổ lớn xuất khẩu từ Việt Nam.")
    assert result["sectors"] == ["paper"]


@pytest.mark.parametrize("title, sector", [
    # the nomenclature names every word, in the chapter of what the goods are made of, where a
    # sector term names only a part ('tiles', 'yarn', 'sợi', 'vải')
    ("Peru opens anti-dumping probe into vinyl floor tiles from Vietnam", "plastics"),
    ("Brazil opens anti-dumping probe into glass fibre yarn from Vietnam", "ceramics_glass"),
    ("Ai Cập điều tra chống bán phá giá tấm ốp xi măng sợi từ Việt Nam", "ceramics_glass"),
    ("Ấn Độ điều tra chống bán phá giá vải thủy tinh từ Việt Nam", "ceramics_glass"),
])
def test_the_material_the_nomenclature_names_decides_the_sector(title: str, sector: str) -> None:
    assert news(title, "")["sectors"] == [sector]
