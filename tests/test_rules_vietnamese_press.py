"""Vietnamese trade press as it is written: petitions received ('thụ lý đơn', 'nhận hồ sơ đề
nghị'), decisions to investigate, measures named only in an authority's name, 'chống bán phá giá
và trợ cấp', 'VN', headlines that say less than the text, requests to exclude Vietnam, goods
processed in Vietnam to evade a duty; and the English of other authorities ('dumping inquiry',
'anti-subsidy', 'determination of dumping'). The sentences were written for these tests after
reading how the press reports cases; none is copied from an article."""

from datetime import date

import pytest

from config import load_sectors
from rules.analyse import analyse

SECTORS = load_sectors()

# (id, headline, text, (market, vietnam, measures, stage, new_case))
ITEMS = [
    ('p1',
     'Bộ Thương mại Hoa Kỳ thụ lý đơn kiện chống bán phá giá đối với ván sàn gỗ từ Việt Nam',
     'Ngày 3/11/2026, Bộ Thương mại Hoa Kỳ (DOC) đã thụ lý đơn yêu cầu điều tra chống bán phá giá đối với ván sàn gỗ nhập khẩu từ Việt Nam do một nhóm nhà sản xuất trong nước nộp.',
     ("US", "subject", ["AD"], "petition", True)),
    ('p2',
     'Ấn Độ nhận hồ sơ đề nghị điều tra chống bán phá giá sợi nylon từ Việt Nam',
     'Cơ quan DGTR cho biết đã nhận hồ sơ đề nghị điều tra chống bán phá giá đối với sợi nylon filament có xuất xứ từ Việt Nam và Trung Quốc.',
     ("IN", "subject", ["AD"], "petition", True)),
    ('p3',
     'Thổ Nhĩ Kỳ ra quyết định điều tra áp dụng biện pháp chống bán phá giá với tủ lạnh của VN',
     'Ngày 12/10/2026, Bộ Thương mại Thổ Nhĩ Kỳ ban hành quyết định điều tra áp dụng biện pháp chống bán phá giá đối với tủ lạnh nhập khẩu từ VN.',
     ("TR", "subject", ["AD"], "initiation", True)),
    ('p4',
     'Canada điều tra chống bán phá giá và trợ cấp đối với tháp gió từ Việt Nam',
     'Cơ quan Biên phòng Canada (CBSA) khởi xướng điều tra chống bán phá giá và trợ cấp đối với tháp gió bằng thép nhập khẩu từ Việt Nam.',
     ("CA", "subject", ["AD", "CVD"], "initiation", True)),
    ('p5',
     'Ủy ban Chống bán phá giá Úc rà soát biện pháp tự vệ đối với thép',
     'Ủy ban Chống bán phá giá Úc (ADC) thông báo kết quả rà soát biện pháp tự vệ toàn cầu đối với thép hình.',
     ("AU", "subject", ["SG"], "results", False)),
    ('p6',
     'Hoa Kỳ điều tra hàng Trung Quốc chế biến qua Việt Nam để trốn thuế',
     'Bộ Thương mại Hoa Kỳ khởi xướng điều tra đối với ống thép Trung Quốc được chế biến qua tại Việt Nam nhằm trốn thuế chống bán phá giá.',
     ("US", "circumvention", ["AD"], "initiation", True)),
    ('p7',
     'Mặt hàng pin mặt trời của Việt Nam có thể bị kiện',
     'Ngày 25/4/2026, một liên minh các nhà sản xuất Hoa Kỳ đã nộp đơn kiện chống bán phá giá và chống trợ cấp đối với pin mặt trời nhập khẩu từ Việt Nam, Lào và Indonesia.',
     ("US", "subject", ["AD", "CVD"], "petition", True)),
    ('p9',
     'Doanh nghiệp đề nghị loại trừ Việt Nam khỏi biện pháp tự vệ của Philippines',
     'Hiệp hội Thép Việt Nam đã gửi văn bản đề nghị loại trừ Việt Nam khỏi biện pháp tự vệ đối với thép mạ của Philippines.',
     ("PH", "subject", ["SG"], "other", False)),
    ('e1',
     'Notice of initiation of a dumping inquiry into imports of ceramic tiles from Vietnam',
     'The Commission has initiated an anti-subsidy and dumping inquiry concerning ceramic tiles originating in Vietnam.',
     (None, "subject", ["AD", "CVD"], "initiation", True)),
    ('e2',
     'Final determination of dumping on melamine dinnerware from Viet Nam',
     'The authority made a final determination of dumping in respect of melamine dinnerware exported from Viet Nam.',
     (None, "subject", ["AD"], "final", False)),
    # 'dumping finding' / 'being dumped' name the measure without 'anti-dumping'
    ('e3',
     'Korea Trade Commission makes preliminary dumping finding on copper foil from Vietnam',
     'The Korea Trade Commission found in a preliminary determination that copper foil imported from Vietnam is being dumped.',
     ("KR", "subject", ["AD"], "preliminary", False)),
    # 'tiếp tục áp thuế' keeps a measure (continuation), though 'áp thuế' alone orders one
    ('c1',
     'Tiếp tục áp thuế chống bán phá giá thép không gỉ cán nguội thêm 5 năm',
     'Bộ Công Thương quyết định tiếp tục áp thuế chống bán phá giá đối với thép không gỉ cán nguội có xuất xứ từ Trung Quốc và Indonesia.',
     ("VN", "none", ["AD"], "continuation", False)),
    # a body that only recommends the duty reports its final findings
    ('f1',
     'DGTR khuyến nghị áp thuế chống bán phá giá kính cường lực Việt Nam',
     'Tổng vụ Phòng vệ thương mại Ấn Độ (DGTR) khuyến nghị Bộ Tài chính áp thuế chống bán phá giá đối với kính cường lực nhập khẩu từ Việt Nam.',
     ("IN", "subject", ["AD"], "final", False)),
    ('r1',
     'ITC finds reasonable indication of injury from Vietnamese steel nails',
     'The U.S. International Trade Commission found a reasonable indication that imports of steel nails from Vietnam allegedly sold at less than fair value injure a U.S. industry.',
     ("US", "subject", ["AD"], "preliminary", False)),
]


@pytest.mark.parametrize(("id_", "title", "text", "expected"), ITEMS, ids=[i[0] for i in ITEMS])
def test_press_phrasing(id_: str, title: str, text: str, expected: tuple) -> None:
    result = analyse({"id": id_, "title": title, "text": text, "market": None, "source": "news",
                      "published": "2026-11-20"}, SECTORS).to_dict()
    assert result["trade_remedy"] is True
    got = (result["market"], result["vietnam"], result["measures"], result["stage"],
           result["new_case"])
    assert got == expected, result["reasons"]


def test_vietnam_own_case_on_imports_is_no_export_warning() -> None:
    result = analyse({"id": "n1", "title": "Việt Nam áp thuế chống bán phá giá thép mạ từ Trung Quốc",
                      "text": "Bộ Công Thương quyết định áp thuế chống bán phá giá chính thức đối "
                              "với thép mạ nhập khẩu từ Trung Quốc và Hàn Quốc.",
                      "market": None, "source": "news", "published": "2026-11-20"},
                     SECTORS).to_dict()
    assert (result["market"], result["vietnam"]) == ("VN", "none")


def test_a_request_to_exclude_vietnam_is_not_an_exclusion_but_an_exclusion_is() -> None:
    base = {"id": "x", "market": None, "source": "news", "published": "2026-11-20",
            "title": "Philippines gia hạn biện pháp tự vệ đối với thép mạ"}
    asked = analyse(base | {"text": "Hiệp hội đã gửi văn bản đề nghị loại trừ Việt Nam khỏi "
                                    "biện pháp tự vệ."}, SECTORS)
    granted = analyse(base | {"text": "Việt Nam được loại trừ khỏi biện pháp tự vệ do thị phần "
                                      "dưới 3%."}, SECTORS)
    assert asked.vietnam == "subject" and granted.vietnam == "none"


def test_a_denied_exclusion_covers_vietnam() -> None:
    base = {"id": "x", "market": None, "source": "news", "published": "2026-11-20",
            "title": "Nam Phi gia hạn biện pháp tự vệ đối với dây đồng"}
    covered = analyse(base | {"text": "Việt Nam không có tên trong danh sách các nước đang phát "
                                      "triển được miễn trừ, nên vẫn chịu thuế tự vệ."}, SECTORS)
    assert covered.vietnam == "subject"


def test_a_case_that_leaves_vietnam_out_is_no_alert_on_vietnam() -> None:
    result = _news("Canada điều tra ống đồng Trung Quốc, nhà xuất khẩu Việt nên theo dõi",
                   "CBSA khởi xướng điều tra chống bán phá giá ống đồng có xuất xứ từ Trung Quốc. "
                   "Việt Nam không bị điều tra, nhưng hàng mang xuất xứ Việt Nam có thể bị soi "
                   "xét kỹ hơn.")
    assert (result["market"], result["vietnam"]) == ("CA", "none")


@pytest.mark.parametrize(("title", "text"), [
    ("Úc áp thuế chống bán phá giá bồn rửa Trung Quốc: cơ hội cho doanh nghiệp Việt Nam",
     "Ủy ban Chống bán phá giá Úc áp thuế chống bán phá giá đối với bồn rửa bằng thép không gỉ "
     "nhập khẩu từ Trung Quốc. Giới phân tích cho rằng doanh nghiệp Việt Nam có thể tăng thị phần."),
    ("Doanh nghiệp Việt Nam đăng ký làm bên liên quan trong vụ Canada điều tra ống thép",
     "Cơ quan Biên phòng Canada điều tra chống bán phá giá ống thép hàn có xuất xứ từ Trung Quốc "
     "và Thổ Nhĩ Kỳ. Một số doanh nghiệp Việt Nam đã đăng ký để theo dõi vụ việc."),
    ("Brazil probes Chinese glass jars; Vietnamese makers watch closely",
     "Brazil's SECEX initiated an anti-dumping investigation into glass jars from China. Vietnam, "
     "an exporter of the product, is not covered by the investigation."),
])
def test_vietnam_in_the_headline_but_not_among_the_listed_origins(title: str, text: str) -> None:
    assert _news(title, text)["vietnam"] == "none"


def test_vietnam_acting_after_a_date_is_its_own_case() -> None:
    result = _news("Gia hạn thuế chống bán phá giá thép cán nguội Trung Quốc",
                   "Bộ Công Thương ngày 3/10/2026 đã quyết định tiếp tục áp dụng biện pháp chống "
                   "bán phá giá đối với thép cán nguội có xuất xứ từ Trung Quốc.")
    assert (result["market"], result["vietnam"]) == ("VN", "none")


def _news(title: str, text: str) -> dict:
    return analyse({"id": "x", "title": title, "text": text, "market": None, "source": "news",
                    "published": "2026-11-20"}, SECTORS).to_dict()


def test_a_headline_that_says_less_than_its_lead_is_still_a_case() -> None:
    result = _news("Nhà máy thép ở Bình Dương được mức thuế riêng thấp nhất",
                   "Ngày 2/11/2026, Bộ Thương mại Hoa Kỳ ban hành kết luận cuối cùng vụ điều tra "
                   "chống bán phá giá đối với ống thép hàn nhập khẩu từ Việt Nam.")
    assert (result["trade_remedy"], result["market"], result["vietnam"], result["stage"]) == (
        True, "US", "subject", "final")


def test_a_price_war_and_a_count_of_cases_are_not_cases() -> None:
    assert not _news("Các chuỗi bán lẻ bán phá giá để giữ khách dịp cuối năm",
                     "Nhiều siêu thị giảm giá sâu để cạnh tranh với các sàn thương mại điện tử."
                     )["trade_remedy"]
    assert not _news("Sáu tháng, hàng Việt đối mặt 12 vụ phòng vệ thương mại",
                     "Theo thống kê, các nước đã khởi xướng 12 vụ điều tra chống bán phá giá.")[
        "trade_remedy"]


def test_the_product_of_a_headline_is_what_its_other_words_leave() -> None:
    from rules.notice_sectors import headline_product

    assert headline_product("Ấn Độ khởi xướng điều tra chống bán phá giá ván ép từ Việt Nam") == (
        "ván ép")
    assert headline_product("Canada áp thuế chống trợ cấp 12,5% với tháp gió Việt Nam") == (
        "tháp gió")


def test_the_event_date_in_the_text_anchors_the_case_and_its_deadlines() -> None:
    """Published two days after the initiation it reports: the case step is dated at the
    initiation and '37 ngày kể từ ngày khởi xướng' counts from it."""
    from rules.cases import case_steps

    notice = {"id": "x", "market": "VN", "source": "vn_trav", "published": "2026-11-13",
              "title": "Úc khởi xướng điều tra chống bán phá giá đối với nhôm định hình",
              "text": "Ngày 11/11/2026, Ủy ban Chống bán phá giá Úc (ADC) đã khởi xướng điều tra "
                      "chống bán phá giá đối với nhôm định hình nhập khẩu từ Việt Nam. Các bên "
                      "quan tâm đăng ký trong vòng 37 ngày kể từ ngày khởi xướng."}
    result = analyse(notice, SECTORS).to_dict()
    assert result["event_date"] == "2026-11-11"
    assert result["deadlines"] == [{"kind": "register", "date": "2026-12-18"}]
    [step] = case_steps(result, notice["title"], date(2026, 11, 13))
    assert step.event_on == date(2026, 11, 11)


def test_background_dates_periods_and_deadlines_are_not_the_event() -> None:
    from rules.event_dates import event_date

    published = date(2026, 4, 24)
    assert event_date("Bộ Thương mại Hoa Kỳ đã khởi xướng điều tra, sau khi nhận đơn ngày "
                      "2/4/2026.", published) == (None, "")
    assert event_date("Thời kỳ điều tra từ 1/4/2025 đến 31/3/2026. Hạn đăng ký trước ngày "
                      "20/5/2026.", published) == (None, "")
    assert event_date("Hôm 14-4, DGTR đã ban hành kết luận sơ bộ.", published)[0] == date(
        2026, 4, 14)
    assert event_date("On April 2, 2026, the Department initiated ...", published)[0] == date(
        2026, 4, 2)


@pytest.mark.parametrize(("text", "day"), [
    ("The authority announced the initiation of an investigation. Date of initiation: 7 April 2026.",
     date(2026, 4, 7)),
    ("Case No. AD-12/2026. Having regard to the Act, the Authority initiates an investigation. "
     "Dated: 21st April, 2026.", date(2026, 4, 21)),
    ("The Commissioner has initiated, on 9 April 2026, an inquiry into the continuation of the "
     "measures.", date(2026, 4, 9)),
    ("DGTR đã khởi xướng rà soát cuối kỳ đối với ống thép nhập khẩu từ Việt Nam vào ngày "
     "16/4/2026.", date(2026, 4, 16)),
])
def test_the_event_date_stated_after_its_step_or_under_a_label(text: str, day: date) -> None:
    from rules.event_dates import event_date

    assert event_date(text, date(2026, 4, 24))[0] == day
