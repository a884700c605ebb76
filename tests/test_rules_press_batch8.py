"""Press wording read while press batch 8 was development data: a loose headline over a lead that
extends a duty to goods from Vietnam, lets it lapse, opens an inquiry or imposes it; the ends of
cases (a negative preliminary vote, a case closed 'without duties', a measure 'terminated');
Mexico's 'countervailing quotas', which are its anti-dumping duties; a petition accepted and the
case opened at once; an exemption window and a scope call, which open nothing; the market after
a passive 'bị'; Vietnam missing from a safeguard's exemption list, or spared a duty; dates of a
measure's first day, of a statement, of a named weekday, with a short month ('Feb. 24') and of a
hearing to come; and a Vietnamese article whose material alone a sector names ('kệ thép'). Two
classes left from the older read sets: the other measure's step still to come, and Australia's
review panel. The sentences were written for these tests; none is copied from an article."""

import pytest

from config import load_sectors
from rules.analyse import analyse
from tests.press_news import news


def test_a_duty_extended_to_goods_from_vietnam_under_a_loose_headline() -> None:
    result = news("Tủ điện lắp ráp tại Việt Nam gặp khó ở Colombia",
                  "Bộ Thương mại Colombia quyết định mở rộng thuế chống bán phá giá đang áp với tủ "
                  "điện Trung Quốc sang tủ điện xuất khẩu từ Việt Nam, sau khi điều tra cho thấy "
                  "hàng chỉ được lắp ráp tại Việt Nam.")
    assert (result["trade_remedy"], result["vietnam"], result["stage"]) == (
        True, "circumvention", "order")


@pytest.mark.parametrize("title, text, stage", [
    ("Brazil's duties on Vietnamese glass jars lapse",
     "Anti-dumping duties on glass jars from Vietnam lapsed this month after no Brazilian maker "
     "asked for an expiry review.", "revocation"),
    ("Thailand lets coated paper duties expire",
     "Thailand has ended anti-dumping duties on coated paper from Indonesia and Vietnam; the "
     "decision terminates the measure at once.", "revocation"),
    ("India keeps duties on PVC film from Vietnam",
     "After the sunset review, India found that renewed injury was likely and extended the "
     "anti-dumping duty on PVC film from Vietnam for five years.", "continuation"),
])
def test_a_measure_that_lapses_or_is_ended_is_revoked(title: str, text: str, stage: str) -> None:
    assert news(title, text)["stage"] == stage


def test_an_inquiry_opened_on_a_date_under_a_loose_headline() -> None:
    result = news("Korea looks at Vietnamese door hinges",
                  "In an anti-circumvention investigation opened on 3 March 2026, the Korea Trade "
                  "Commission is checking whether hinges shipped from Vietnam are Chinese hinges "
                  "routed to avoid its anti-dumping duties.", published="2026-03-09")
    assert (result["trade_remedy"], result["stage"], result["new_case"]) == (
        True, "initiation", True)
    assert result["event_date"] == "2026-03-03"


@pytest.mark.parametrize("title, text", [
    ("Ván sợi Việt Nam chính thức chịu thuế tại Ấn Độ",
     "Bộ Tài chính Ấn Độ cho biết thuế chống bán phá giá đối với ván sợi từ Việt Nam chính thức "
     "được áp dụng trong 5 năm."),
    ("US orders duties on Vietnamese steel grating",
     "After a final vote at the ITC, Commerce issued anti-dumping duty orders on steel grating "
     "from Vietnam."),
])
def test_a_duty_made_definitive_is_an_order(title: str, text: str) -> None:
    assert news(title, text)["stage"] == "order"


@pytest.mark.parametrize("title, text", [
    ("Vụ kiện tấm ốp tường: ITC bỏ phiếu không có thiệt hại",
     "ITC ra kết luận sơ bộ phủ định trong vụ điều tra chống bán phá giá tấm ốp tường nhập khẩu "
     "từ Việt Nam; vụ việc chấm dứt."),
    ("Mexico closes glassware case without duties",
     "The Economy Ministry concluded its antidumping investigation on glassware from Vietnam "
     "without imposing duties."),
])
def test_a_case_that_ends_without_duties_is_terminated(title: str, text: str) -> None:
    assert news(title, text)["stage"] == "termination"


def test_mexicos_countervailing_quotas_are_its_anti_dumping_duties() -> None:
    result = news("Mexico sets provisional duties on steel nails",
                  "Mexico's Economy Ministry imposed provisional countervailing quotas on steel "
                  "nails from Vietnam while its antidumping investigation goes on.")
    assert (result["measures"], result["stage"]) == (["AD"], "preliminary")


def test_a_petition_accepted_and_the_case_opened_is_an_initiation() -> None:
    result = news("Peru điều tra chống bán phá giá dây điện từ Việt Nam",
                  "Cơ quan Indecopi của Peru đã chấp nhận đơn và khởi xướng điều tra chống bán "
                  "phá giá đối với dây điện có xuất xứ từ Việt Nam.")
    assert (result["stage"], result["new_case"]) == ("initiation", True)


@pytest.mark.parametrize("title, text", [
    ("Tôn mạ: mở đợt tiếp nhận hồ sơ miễn trừ năm 2027",
     "Cục Phòng vệ thương mại tiếp nhận hồ sơ đề nghị miễn trừ áp dụng biện pháp chống bán phá "
     "giá đối với tôn mạ nhập khẩu từ Hàn Quốc."),
    ("Ống thép luồn dây vẫn thuộc diện áp thuế",
     "Bộ Thương mại Hoa Kỳ ban hành phán quyết phạm vi, theo đó ống thép luồn dây của Việt Nam "
     "vẫn thuộc phạm vi lệnh áp thuế chống bán phá giá."),
])
def test_an_exemption_window_or_a_scope_call_opens_no_case(title: str, text: str) -> None:
    result = news(title, text)
    assert (result["trade_remedy"], result["stage"], result["new_case"]) == (True, "other", False)


def test_the_market_is_the_one_after_a_passive_bi() -> None:
    result = news("Sợi nylon Trung Quốc bị Thổ Nhĩ Kỳ áp thuế",
                  "Thổ Nhĩ Kỳ vừa áp thuế chống bán phá giá đối với sợi nylon xuất xứ Trung Quốc.")
    assert result["market"] == "TR"


def test_vietnam_missing_from_a_safeguards_exemption_list_is_covered() -> None:
    result = news("Indonesia áp thuế tự vệ với sợi bông",
                  "Indonesia áp thuế tự vệ đối với sợi bông nhập khẩu từ mọi nguồn; danh sách "
                  "miễn trừ không có Việt Nam.")
    assert (result["measures"], result["vietnam"]) == (["SG"], "subject")


def test_vietnams_goods_spared_a_duty_were_the_subject_of_a_case_that_ended() -> None:
    result = news("Gạch men Việt Nam không bị Philippines áp thuế",
                  "Philippines đã chấm dứt điều tra chống bán phá giá đối với gạch men xuất khẩu "
                  "từ Việt Nam do biên độ không đáng kể.")
    assert (result["vietnam"], result["stage"]) == ("subject", "termination")


def test_vietnam_ending_its_own_duties_is_the_market() -> None:
    result = news("Vietnam lets sorbitol duties expire",
                  "Vietnam's Ministry of Industry and Trade has ended anti-dumping duties on "
                  "sorbitol from India and China.")
    assert (result["market"], result["vietnam"], result["stage"]) == ("VN", "none", "revocation")


@pytest.mark.parametrize("text, published, date", [
    ("Korea imposed anti-dumping duties on steel wire from Vietnam. The duties apply to goods "
     "entering from 2 March 2026.", "2026-03-05", "2026-03-02"),
    ("Thailand has extended anti-dumping duties on steel pipe from Vietnam for five years "
     "following a sunset review, the ministry said in a statement on 9 April 2026.", "2026-04-12",
     "2026-04-09"),
    ("Bộ Tài chính Indonesia áp thuế chống bán phá giá đối với sợi polyester từ Việt Nam, có "
     "hiệu lực từ thứ Hai tuần này (7/12).", "2026-12-09", "2026-12-07"),
])
def test_dates_of_a_first_day_a_statement_and_a_named_weekday(text: str, published: str,
                                                              date: str) -> None:
    assert news("Thuế mới với hàng Việt Nam", text, published=published)["event_date"] == date


@pytest.mark.parametrize("title, sector", [
    ("Kệ thép Việt Nam đối mặt điều tra chống bán phá giá tại Canada", "wood_furniture"),
    ("Ấn Độ điều tra chống bán phá giá sợi quang từ Việt Nam", "other"),
    ("Barbed wire in Australia's sights", "steel"),
])
def test_a_product_is_placed_by_its_head_noun(title: str, sector: str) -> None:
    text = "The authority initiated an anti-dumping investigation into the goods from Vietnam."
    result = analyse({"id": "x", "market": None, "source": "news", "title": title,
                      "text": text, "published": "2026-11-20"}, load_sectors()).to_dict()
    assert result["sectors"] == [sector], result["reasons"]


@pytest.mark.parametrize("text, published, date", [
    ("Commerce announced its affirmative preliminary determination in the antidumping "
     "investigation of steel racks from Vietnam on Tuesday, Feb. 24, 2026.", "2026-02-27",
     "2026-02-24"),
    ("The Commerce Department on Sept. 8 launched an antidumping investigation into padlocks "
     "from Vietnam.", "2026-09-11", "2026-09-08"),
])
def test_a_month_written_short_with_a_period(text: str, published: str, date: str) -> None:
    assert news("Steel racks and padlocks", text, published=published)["event_date"] == date


def test_the_day_of_a_hearing_an_item_announces_is_its_date() -> None:
    result = news("Ống thép hàn: DGTR ấn định phiên điều trần",
                  "Trong vụ việc điều tra chống bán phá giá đối với ống thép hàn từ Việt Nam, DGTR "
                  "sẽ tổ chức phiên điều trần vào ngày 20/5/2026. Các bên phải đăng ký trước "
                  "ngày 15/5/2026.", published="2026-05-04")
    assert (result["stage"], result["event_date"]) == ("other", "2026-05-20")


def test_the_other_measures_step_still_to_come_is_not_this_items_measure() -> None:
    result = news("Mỹ ban hành kết luận sơ bộ chống trợ cấp với ván ép Việt Nam",
                  "Bộ Thương mại Hoa Kỳ đã ban hành kết luận sơ bộ trong vụ điều tra chống trợ cấp "
                  "đối với ván ép nhập khẩu từ Việt Nam. Kết luận sơ bộ chống bán phá giá dự kiến "
                  "được ban hành vào tháng 8.")
    assert (result["measures"], result["stage"]) == (["CVD"], "preliminary")


def test_australias_review_panel_is_an_appeal_step() -> None:
    result = news("ADRP yêu cầu xem xét lại quyết định về ống thép Việt Nam",
                  "Hội đồng Rà soát chống bán phá giá Australia (ADRP) kiến nghị Bộ trưởng thu hồi "
                  "quyết định áp thuế chống bán phá giá đối với ống thép từ Việt Nam.")
    assert result["stage"] == "court_decision"
