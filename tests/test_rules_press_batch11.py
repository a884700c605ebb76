"""Press wording read while press batch 11 was development data: a headline that only hints over a
lead whose first sentence reports a procedural step, an appeal panel's ruling or a review's end;
the ITC's 'sold below fair value and subsidized'; 'dumping and countervailing duties'; a country
that starts a new clause after an origin list; an exclusion asked for and not granted; goods
finished in Vietnam or shipped through it to evade a duty; Vietnam's ministry speaking of its own
measure on imports; steps put off, measures kept 'in place', imports made subject to
registration, duties stopped, a duty extended to another origin's goods; an authority named after
safeguards; and dates of a measure that lapses or starts 'à compter du', of a step 'vừa' taken,
of a verification over several days, and of an opening 'khởi xướng từ ngày' after a cited
notice's date. The sentences were written for these tests; none is copied from an article."""

import pytest

from tests.press_news import news


@pytest.mark.parametrize("title, text, expected", [
    # a verification visit, a procedural step of the case the first sentence names
    ("Commerce team to visit Vietnamese shrimp feed mills",
     "Commerce officials will hold on-site verification of two Vietnamese respondents in the "
     "antidumping investigation of frozen fish fillets from Vietnam from June 2 to 6, 2026. The "
     "visit covers sales and cost data.",
     {"trade_remedy": True, "market": "US", "stage": "other", "measures": ["AD"],
      "vietnam": "subject"}),
    # a scope ruling on goods finished in Vietnam, told in the lead
    ("Tủ bếp lắp tại Bình Dương từ linh kiện Trung Quốc vẫn chịu thuế của Mỹ",
     "Ngày 4/6/2026, Bộ Thương mại Hoa Kỳ ban hành kết luận phạm vi sản phẩm, xác định tủ bếp "
     "hoàn thiện tại Việt Nam từ cánh tủ Trung Quốc thuộc phạm vi lệnh áp thuế chống bán phá giá "
     "đối với tủ bếp Trung Quốc.",
     {"trade_remedy": True, "market": "US", "stage": "other", "vietnam": "circumvention"}),
    # an appeal panel's recommendation, the case named by its 'dumping duty notice'
    ("Wire mesh exporters win a second look in Canberra",
     "The Anti-Dumping Review Panel has recommended that the Minister revoke the dumping duty "
     "notice on welded wire mesh exported from Vietnam, finding an error in the normal value. "
     "The Panel reported on 12 May 2026.",
     {"trade_remedy": True, "market": "AU", "stage": "court_decision", "vietnam": "subject",
      "event_date": "2026-05-12"}),
])
def test_a_hinting_headline_over_a_lead_that_reports_the_step(
        title: str, text: str, expected: dict[str, object]) -> None:
    result = news(title, text, published="2026-06-08")
    assert {key: result[key] for key in expected} == expected


def test_a_lead_naming_remedies_in_general_stays_no_case() -> None:
    result = news("Doanh nghiệp gỗ chủ động trước rủi ro thương mại",
                  "Các chuyên gia khuyến nghị doanh nghiệp tìm hiểu quy định về phòng vệ thương "
                  "mại của các thị trường lớn. Hội gỗ sẽ cập nhật thông tin hằng tháng.")
    assert result["trade_remedy"] is False


def test_a_spanish_review_concluded_under_a_general_headline() -> None:
    result = news("Economía concluye revisión de cuotas compensatorias a tubería de Vietnam",
                  "La Secretaría de Economía publicó el 9 de marzo de 2026 la resolución final "
                  "del procedimiento de revisión de las cuotas compensatorias a las "
                  "importaciones de tubería de acero originarias de Vietnam. El margen de "
                  "discriminación de precios bajó a 6%.", published="2026-03-11")
    assert (result["trade_remedy"], result["market"], result["stage"]) == (True, "MX", "results")
    assert result["measures"] == ["AD"] and result["event_date"] == "2026-03-09"


def test_the_itc_injury_vote_on_goods_sold_below_fair_value_and_subsidized() -> None:
    result = news("ITC finds reasonable indication of injury from Vietnamese door hinges",
                  "The U.S. International Trade Commission on May 5, 2026 determined that there "
                  "is a reasonable indication that a U.S. industry is materially injured by "
                  "imports of door hinges from Vietnam that are allegedly sold below fair value "
                  "and subsidized.", published="2026-05-07")
    assert (result["trade_remedy"], result["stage"], result["measures"]) == (
        True, "preliminary", ["AD", "CVD"])


def test_dumping_and_countervailing_duties_name_both_measures() -> None:
    result = news("Commission opens circumvention inquiry into glass via Vietnam",
                  "The Anti-Dumping Commission has initiated an inquiry into whether float glass "
                  "from China is assembled in Vietnam to avoid the dumping and countervailing "
                  "duties on Chinese glass.", published="2026-04-02")
    assert result["measures"] == ["AD", "CVD"] and result["vietnam"] == "circumvention"


@pytest.mark.parametrize("title, text", [
    ("DGTR đề xuất áp thuế kính nổi từ 5 nước, Việt Nam không nằm trong danh sách",
     "Tổng vụ Phòng vệ thương mại Ấn Độ ngày 3/4/2026 khuyến nghị áp thuế chống bán phá giá với "
     "kính nổi từ Trung Quốc, Malaysia, Thái Lan, Indonesia và Ả Rập Xê Út."),
    ("India proposes glass duties on five countries, Vietnam is not among them",
     "India's DGTR recommended anti-dumping duties on float glass from China, Malaysia, "
     "Thailand, Indonesia and Saudi Arabia on April 3, 2026."),
])
def test_a_country_that_opens_a_denial_is_no_member_of_the_origin_list(
        title: str, text: str) -> None:
    result = news(title, text, published="2026-04-06")
    assert (result["trade_remedy"], result["market"], result["vietnam"]) == (True, "IN", "none")


@pytest.mark.parametrize("text", [
    "Việt Nam đã đề nghị được loại trừ với tư cách nước đang phát triển, nhưng báo cáo không "
    "đưa Việt Nam vào danh sách miễn trừ.",
    "Vietnam asked to be excluded, but the report left Vietnam off the exemption list.",
])
def test_an_exclusion_asked_for_and_not_granted_leaves_vietnam_covered(text: str) -> None:
    result = news("Philippines recommends safeguard duty on ceramic tiles",
                  "The Tariff Commission recommended a definitive safeguard duty on imported "
                  f"ceramic tiles on 2 March 2026. {text}", published="2026-03-05")
    assert (result["market"], result["measures"], result["vietnam"]) == ("PH", ["SG"], "subject")


@pytest.mark.parametrize("title, text", [
    ("Appeals court backs Commerce on Vietnamese-assembled trailers",
     "The Federal Circuit on May 4, 2026 affirmed that trailers finished in Vietnam from Chinese "
     "axles fall within the antidumping and countervailing duty orders on trailers from China."),
    ("CBP dieu tra EAPA voi gang tay nghi trung chuyen qua Viet Nam",
     "CBP vua khoi xuong dieu tra EAPA doi voi hai nha nhap khau bi nghi nhap gang tay xuat xu "
     "Trung Quoc nhung khai bao xuat xu Viet Nam de tron thue chong ban pha gia."),
])
def test_goods_finished_in_or_shipped_through_vietnam_are_circumvention(
        title: str, text: str) -> None:
    result = news(title, text, published="2026-05-06")
    assert (result["trade_remedy"], result["market"], result["vietnam"]) == (
        True, "US", "circumvention")


def test_the_ministry_speaking_of_a_measure_on_imports_is_vietnams_own_case() -> None:
    result = news("Biện pháp tự vệ với phôi thép nhập khẩu hết hiệu lực",
                  "Bộ Công Thương cho biết biện pháp tự vệ đối với phôi thép nhập khẩu đã chấm "
                  "dứt hiệu lực từ ngày 2/3/2026 do không có yêu cầu gia hạn.",
                  published="2026-03-04")
    assert (result["market"], result["vietnam"], result["stage"]) == ("VN", "none", "revocation")


def test_a_measure_on_imports_named_by_a_foreign_market_is_not_vietnams() -> None:
    result = news("Biện pháp tự vệ với phôi thép nhập khẩu của Philippines hết hiệu lực",
                  "Bộ Công Thương cho biết biện pháp tự vệ của Philippines đối với phôi thép "
                  "nhập khẩu đã chấm dứt hiệu lực từ ngày 2/3/2026.", published="2026-03-04")
    assert result["market"] == "PH"


@pytest.mark.parametrize("title, text, stage", [
    ("Final ruling on Vietnamese wire hangers pushed back",
     "Commerce postponed its final determination in the less-than-fair-value investigation of "
     "wire hangers from Vietnam to July 20, 2026.", "other"),
    ("Kết luận sơ bộ vụ điều tra chống bán phá giá ván sàn Việt Nam bị hoãn lại",
     "Ủy ban Thương mại Hàn Quốc lùi thời hạn ban hành kết luận sơ bộ vụ điều tra chống bán phá "
     "giá ván sàn gỗ từ Việt Nam thêm hai tháng.", "other"),
    ("Plywood orders stay in place after sunset vote",
     "The ITC determined that revoking the antidumping duty order on hardwood plywood from "
     "Vietnam would likely lead to continuation of injury.", "continuation"),
    ("EU yêu cầu đăng ký nhập khẩu ống thép từ Việt Nam",
     "Trong vụ điều tra chống bán phá giá ống thép từ Việt Nam, Ủy ban châu Âu yêu cầu hải quan "
     "đăng ký hàng nhập khẩu từ ngày 3/5/2026.", "other"),
    ("Mỹ dừng áp thuế chống bán phá giá đinh thép của Việt Nam",
     "Bộ Thương mại Hoa Kỳ thu hồi lệnh áp thuế chống bán phá giá đối với đinh thép nhập khẩu "
     "từ Việt Nam.", "revocation"),
    ("Tile importers face a new duty bill in Morocco",
     "Morocco has extended its anti-dumping duties on ceramic tiles from China to the same tiles "
     "imported from Vietnam, after finding the shipments circumvent the duties.", "order"),
])
def test_the_step_a_headline_or_lead_reports(title: str, text: str, stage: str) -> None:
    result = news(title, text, published="2026-05-10")
    assert (result["trade_remedy"], result["stage"]) == (True, stage)


def test_an_authority_named_after_safeguards_says_nothing_of_the_measure() -> None:
    result = news("Cộng hòa Dominica điều tra thép cây từ Việt Nam",
                  "Ủy ban Điều tiết các hành vi thương mại không lành mạnh và biện pháp tự vệ "
                  "(CDC) của Cộng hòa Dominica vừa khởi xướng điều tra chống bán phá giá đối với "
                  "thép cây nhập khẩu từ Việt Nam.", published="2026-02-11")
    assert (result["market"], result["measures"]) == ("DO", ["AD"])
    # 'vừa' (just) with no date: the step is the publication's day
    assert result["event_date"] == "2026-02-11"


@pytest.mark.parametrize("title, text, published, event_date", [
    ("Malaysia lets duty on Vietnamese steel lapse",
     "Malaysia has decided not to extend the anti-dumping duty on cold-rolled steel from "
     "Vietnam after an expiry review, so the measure will lapse on 14 April 2026.",
     "2026-04-02", "2026-04-14"),
    ("L'Égypte impose un droit antidumping définitif sur les carreaux originaires du Vietnam",
     "Le ministère a publié l'arrêté instituant, à compter du 1er mai 2026, un droit antidumping "
     "définitif sur les carreaux originaires du Vietnam.", "2026-04-27", "2026-05-01"),
    ("CBP dieu tra EAPA voi ong thep nghi trung chuyen qua Viet Nam",
     "Theo thong bao ngay 6/5/2026, cuoc dieu tra duoc khoi xuong tu ngay 20/4/2026 doi voi hai "
     "nha nhap khau bi nghi tron thue chong ban pha gia.", "2026-05-08", "2026-04-20"),
])
def test_the_day_of_the_step(title: str, text: str, published: str, event_date: str) -> None:
    assert news(title, text, published=published)["event_date"] == event_date


def test_the_lapse_of_a_measure_is_not_the_day_of_an_opening() -> None:
    result = news("EU opens expiry review of duties on Vietnamese fasteners",
                  "The European Commission has initiated an expiry review of the anti-dumping "
                  "duty on steel fasteners from Vietnam, which would otherwise expire on 30 June "
                  "2026.", published="2026-04-02")
    assert result["stage"] == "initiation" and result["event_date"] is None


def test_a_verification_over_several_days_is_dated_by_its_first() -> None:
    result = news("Commerce sets verification of Vietnamese nail makers",
                  "Commerce officials will conduct on-site verification in the antidumping "
                  "investigation of steel nails from Vietnam from July 13 to 17, 2026.",
                  published="2026-07-02")
    assert (result["stage"], result["event_date"]) == ("other", "2026-07-13")


def test_a_cited_notice_is_dated_when_the_lead_gives_no_other_day() -> None:
    result = news("Australia lùi thời hạn công bố báo cáo vụ điều tra thép mạ",
                  "Theo thông báo ngày 3/6/2026, ADC gia hạn thời hạn công bố báo cáo dữ kiện cơ "
                  "bản trong vụ điều tra chống bán phá giá thép mạ từ Việt Nam đến ngày 20/8/2026.",
                  published="2026-06-05")
    assert result["event_date"] == "2026-06-03"
