"""Press wording read while press batch 12 was development data: a carbon border charge said to be
'separate from' an anti-dumping case; a watch list of goods 'at risk of' investigation; an
appeal court on an administrative review ('rà soát hành chính'); CBP finding no evasion; Canada's
re-investigation, a review; an investigation's deadline 'kéo dài'; duties recommended 'kept' or
extended; a hearing the ITC 'will hear'; and dates after a name ending like a word ('WTO ngày'),
of a measure due to expire that is continued, and of imports 'nhập khẩu từ ngày'. The sentences
were written for these tests; none is copied from an article."""

import pytest

from tests.press_news import news


@pytest.mark.parametrize("title, text", [
    ("CBAM's definitive period begins for Vietnamese aluminium sellers",
     "From January 2026 EU buyers of aluminium pay for certificates on embedded emissions. The "
     "charge is separate from the anti-dumping case on aluminium foil."),
    ("Cục Phòng vệ thương mại công bố danh sách mặt hàng có nguy cơ bị điều tra",
     "Danh sách gồm 19 nhóm hàng có nguy cơ bị điều tra phòng vệ thương mại do kim ngạch xuất "
     "khẩu tăng nhanh, trong đó có gỗ dán và sợi polyester."),
])
def test_no_case_is_reported(title: str, text: str) -> None:
    assert news(title, text)["trade_remedy"] is False


def test_an_appeal_court_on_an_administrative_review() -> None:
    result = news("Tòa phúc thẩm giữ nguyên phán quyết về thuế cá tra Việt Nam",
                  "Tòa phúc thẩm Liên bang Mỹ ngày 3/3/2026 giữ nguyên phán quyết của Tòa Thương "
                  "mại Quốc tế về giá trị thay thế trong đợt rà soát hành chính lần thứ 19.",
                  published="2026-03-05")
    assert (result["trade_remedy"], result["market"], result["stage"]) == (
        True, "US", "court_decision")
    assert result["vietnam"] == "subject" and result["event_date"] == "2026-03-03"


def test_cbp_finding_no_evasion_through_vietnam() -> None:
    result = news("CBP không tìm thấy hành vi trốn thuế với ván sàn nhập từ Việt Nam",
                  "CBP ngày 12/2/2026 kết luận không có đủ bằng chứng cho thấy một nhà nhập khẩu "
                  "trốn thuế chống bán phá giá và chống trợ cấp áp với ván sàn Trung Quốc trong "
                  "cuộc điều tra theo Đạo luật EAPA.", published="2026-02-14")
    assert (result["trade_remedy"], result["market"], result["vietnam"]) == (
        True, "US", "circumvention")
    assert result["measures"] == ["AD", "CVD"] and result["stage"] == "termination"


def test_a_re_investigation_is_a_review_not_a_new_case() -> None:
    result = news("Canada tái điều tra mức thuế với đinh thép Việt Nam",
                  "CBSA ngày 2/6/2026 khởi xướng tái điều tra để cập nhật giá trị thông thường "
                  "đối với đinh thép xuất xứ Việt Nam chịu thuế chống bán phá giá.",
                  published="2026-06-04")
    assert (result["stage"], result["new_case"]) == ("initiation", False)


@pytest.mark.parametrize("title, text, stage", [
    ("Thổ Nhĩ Kỳ kéo dài thời hạn điều tra chống bán phá giá sợi nylon",
     "Bộ Thương mại Thổ Nhĩ Kỳ gia hạn thêm 6 tháng vụ điều tra chống bán phá giá sợi nylon từ "
     "Việt Nam; các phân tích sơ bộ cho thấy có bán phá giá.", "other"),
    ("India recommends keeping duties on glass fibre from Vietnam",
     "The DGTR recommended a five-year extension of anti-dumping duties on glass fibre from "
     "Vietnam, finding that dumping would likely recur if the duties lapsed.", "continuation"),
    ("ITC to hear shrimp case on April 7",
     "The US International Trade Commission will hold its final-phase hearing on April 7, 2026 "
     "in the countervailing duty investigation of frozen shrimp from Vietnam.", "other"),
])
def test_the_step_reported(title: str, text: str, stage: str) -> None:
    result = news(title, text, published="2026-03-10")
    assert (result["trade_remedy"], result["stage"]) == (True, stage)


@pytest.mark.parametrize("title, text, published, event_date", [
    # 'WTO' ends like 'to', which marks a period's bound
    ("Thái Lan ra kết luận cuối cùng vụ tự vệ thép cuộn",
     "Thái Lan đã có kết luận cuối cùng vụ điều tra tự vệ thép cuộn nhập khẩu. Kết luận được "
     "thông báo tới Ủy ban Tự vệ của WTO ngày 4/5/2026.", "2026-05-08", "2026-05-04"),
    ("Australia continues duties on Vietnamese wind towers",
     "The minister accepted the Commission's recommendation to continue anti-dumping measures on "
     "wind towers from Vietnam. The measures, due to expire on 20 May 2026, will run for another "
     "five years.", "2026-05-15", "2026-05-20"),
    ("Nam Phi áp thuế tự vệ thép tấm",
     "SACU bắt đầu áp thuế tự vệ 9% đối với thép tấm nhập khẩu từ ngày 2/4/2026.",
     "2026-04-06", "2026-04-02"),
])
def test_the_day_of_the_step(title: str, text: str, published: str, event_date: str) -> None:
    assert news(title, text, published=published)["event_date"] == event_date
