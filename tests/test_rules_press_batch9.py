"""Press wording read while press batch 9 was development data: an origin list behind a count
('from eight countries, among them ...'); 'countervailing' as a plain adjective; a review that
'starts'; goods from Vietnam a scope ruling leaves out of an order; the step a headline names with
'final' duties, 'chính thức thu thuế' or a probe 'extended'; 'preliminarily found'; a review's
'kết quả cuối cùng'; a court named only as a recourse still open; and dates: a measure's first
day after the publication, and an earlier event in a clause that opens the sentence. The
sentences were written for these tests; none is copied from an article."""

import pytest

from tests.press_news import news


@pytest.mark.parametrize("title, text", [
    ("Philippines imposes duties on float glass from six countries",
     "The Tariff Commission's recommendation was adopted: anti-dumping duties apply to float "
     "glass from six countries, among them Indonesia, Malaysia and Vietnam, for five years."),
    ("Ai Cập khởi xướng điều tra thép cuộn",
     "Cơ quan điều tra Ai Cập khởi xướng điều tra chống bán phá giá đối với thép cuộn nhập khẩu "
     "từ 4 nước, trong đó có Trung Quốc, Ấn Độ và Việt Nam."),
])
def test_a_counted_origin_list_names_vietnam(title: str, text: str) -> None:
    result = news(title, text)
    assert (result["trade_remedy"], result["vietnam"]) == (True, "subject")


def test_a_counted_origin_list_without_vietnam_leaves_it_out() -> None:
    result = news("Philippines imposes duties on float glass from three countries",
                  "Anti-dumping duties apply to float glass from three countries, namely "
                  "Indonesia, Malaysia and Thailand; Vietnamese glass makers sell mostly at home.")
    assert (result["trade_remedy"], result["vietnam"]) == (True, "none")


@pytest.mark.parametrize("title, text", [
    ("Analysts see countervailing pressures on the dong",
     "Exporters in Vietnam face countervailing pressures from a stronger dollar and softer "
     "demand, analysts said."),
    ("Countervailing forces keep rice prices steady",
     "Higher fertiliser costs met countervailing effects from a good harvest in the Mekong "
     "Delta."),
])
def test_countervailing_as_a_plain_adjective_is_no_remedy(title: str, text: str) -> None:
    assert news(title, text)["trade_remedy"] is False


@pytest.mark.parametrize("title, text", [
    ("US countervailing probe on Vietnamese mattresses",
     "Commerce opened a countervailing duty investigation on mattresses from Vietnam."),
    ("EU weighs countervailing measures on Vietnamese fibre",
     "The Commission started a countervailing case on glass fibre from Vietnam."),
])
def test_countervailing_with_a_remedy_noun_is_a_remedy(title: str, text: str) -> None:
    result = news(title, text)
    assert result["trade_remedy"] is True
    assert "CVD" in result["measures"]


def test_a_review_that_starts_is_an_initiation() -> None:
    result = news("Thai DFT starts expiry review of wire rope duties",
                  "Thailand's Department of Foreign Trade started an expiry review on 2 June 2026 "
                  "of the anti-dumping duties on steel wire rope from China and Vietnam.",
                  published="2026-06-05")
    assert (result["trade_remedy"], result["stage"], result["new_case"]) == (
        True, "initiation", False)
    assert result["vietnam"] == "subject"
    assert result["event_date"] == "2026-06-02"


def test_goods_a_scope_ruling_leaves_out_keep_vietnam_a_subject() -> None:
    result = news("Faucet cartridges sold with Vietnamese faucets ruled outside duty orders",
                  "Commerce found that spare cartridges shipped with brass faucets from Vietnam "
                  "are not covered by the anti-dumping duty order on the faucets.")
    assert (result["vietnam"], result["stage"]) == ("subject", "other")


def test_vietnam_itself_not_covered_is_still_denied() -> None:
    result = news("Malaysia opens probe into glass jars",
                  "Malaysia opened an anti-dumping investigation on glass jars from Thailand; "
                  "Vietnam is not covered by the investigation.")
    assert result["vietnam"] == "none"


@pytest.mark.parametrize("title, text, stage", [
    ("Korea sets final fibreboard duties on Vietnam",
     "Korea's finance ministry will impose definitive anti-dumping duties on fibreboard from "
     "Vietnam after a final determination.", "order"),
    ("DGTR issues final findings recommending duties on Vietnamese yarn",
     "India's DGTR recommended anti-dumping duties on nylon yarn from Vietnam.", "final"),
    ("KTC kết luận có thiệt hại, Hàn Quốc chính thức thu thuế gạch men Việt Nam",
     "Ủy ban Thương mại Hàn Quốc kết luận việc bán phá giá gạch men từ Việt Nam gây thiệt hại; "
     "Bộ Tài chính sẽ thu thuế chống bán phá giá chính thức.", "order"),
    ("Vietnam extends glass fibre dumping probe",
     "The Ministry of Industry and Trade extended by two months the deadline of its anti-dumping "
     "investigation on glass fibre from China.", "other"),
    ("Turkey extends duties on Vietnamese yarn",
     "After an expiry review, Turkey extended its anti-dumping duties on polyester yarn from "
     "Vietnam for five years.", "continuation"),
    ("Commerce: door frames finished in Vietnam circumvent China duties",
     "Commerce preliminarily found that door frames assembled in Vietnam from Chinese parts "
     "circumvent the anti-dumping duty order on door frames from China.", "preliminary"),
    ("Canada hạ thuế chống bán phá giá cho một doanh nghiệp thép Việt Nam",
     "CBSA công bố kết quả cuối cùng đợt rà soát mức thuế chống bán phá giá đối với ống thép từ "
     "Việt Nam, giảm thuế của một doanh nghiệp.", "results"),
])
def test_the_step_a_headline_or_lead_names(title: str, text: str, stage: str) -> None:
    assert news(title, text)["stage"] == stage


def test_a_court_named_as_a_recourse_is_no_ruling() -> None:
    result = news("Thailand ends glass case without duties",
                  "Thailand's committee found no injury from glass bottles from Vietnam and "
                  "closed the anti-dumping investigation. The applicant may challenge the "
                  "decision in court.")
    assert result["stage"] == "termination"


def test_a_court_ruling_is_still_one() -> None:
    result = news("Court upholds duties on Vietnamese wire",
                  "The Court of International Trade upheld Commerce's anti-dumping duties on "
                  "steel wire from Vietnam.")
    assert result["stage"] == "court_decision"


def test_a_measure_first_day_after_publication_is_the_event_date() -> None:
    result = news("Malaysia áp thuế tạm thời với ống nhựa Việt Nam",
                  "Bộ Đầu tư, Thương mại và Công nghiệp Malaysia ban hành kết luận sơ bộ, áp thuế "
                  "chống bán phá giá tạm thời với ống nhựa từ Việt Nam. Thuế được thu trong 120 "
                  "ngày kể từ ngày 20/5/2026.", published="2026-05-15")
    assert (result["stage"], result["event_date"]) == ("preliminary", "2026-05-20")


def test_a_date_in_an_opening_clause_is_an_earlier_event() -> None:
    result = news("Mỹ ban hành lệnh áp thuế với bàn chải sơn Việt Nam",
                  "Sau khi ITC bỏ phiếu khẳng định thiệt hại ngày 2/3/2026, Bộ Thương mại Hoa Kỳ "
                  "ban hành lệnh áp thuế chống bán phá giá đối với bàn chải sơn từ Việt Nam. Lệnh "
                  "được công bố ngày 9/3/2026.", published="2026-03-11")
    assert result["event_date"] == "2026-03-09"
