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
from tests.press_news import news

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
    # a procedural step of a case the lead names (an extension, a public consultation)
    ('o1',
     'Hoa Kỳ lùi thời hạn ra kết luận sơ bộ vụ tủ bếp Việt Nam',
     'Ngày 4/11/2026, Bộ Thương mại Hoa Kỳ thông báo gia hạn thời hạn ban hành kết luận sơ bộ trong vụ việc điều tra chống bán phá giá đối với tủ bếp gỗ nhập khẩu từ Việt Nam thêm 50 ngày.',
     ("US", "subject", ["AD"], "other", False)),
    ('o2',
     'Tham vấn công khai vụ việc phôi nhôm nhập khẩu từ Malaysia',
     'Cục Phòng vệ thương mại sẽ tổ chức phiên tham vấn công khai trong vụ việc điều tra chống bán phá giá đối với phôi nhôm có xuất xứ từ Malaysia và Ấn Độ.',
     ("VN", "none", ["AD"], "other", False)),
    # Vietnam's authority receiving a petition is its own case; Thailand's committee is named
    # after dumping and subsidy, and names no measure of the case
    ('v1',
     'Cục Phòng vệ thương mại nhận hồ sơ đề nghị điều tra ván MDF',
     'Cục Phòng vệ thương mại cho biết đã nhận được hồ sơ đề nghị điều tra áp dụng biện pháp chống bán phá giá đối với ván MDF nhập khẩu từ Thái Lan.',
     ("VN", "none", ["AD"], "petition", True)),
    ('t1',
     'Thái Lan áp thuế tạm thời với thép cuộn Việt Nam',
     'Ủy ban xem xét bán phá giá và trợ cấp Thái Lan áp thuế chống bán phá giá tạm thời đối với thép cuộn cán nguội nhập khẩu từ Việt Nam.',
     ("TH", "subject", ["AD"], "preliminary", False)),
    # an English lead that says 'alleged dumping' under the Commission's name alone
    ('e4',
     'Anti-Dumping Commission: copper tube from Vietnam to be investigated',
     'The Commissioner decided on 2 November 2026 to initiate an investigation into the alleged dumping of copper tube exported from Vietnam.',
     ("AU", "subject", ["AD"], "initiation", True)),
    # a duty's end is a revocation, an investigation's end a termination; a review rescinded
    ('s1',
     'Ai Cập chấm dứt thuế chống bán phá giá bút bi Việt Nam',
     'Biện pháp chống bán phá giá Ai Cập áp dụng đối với bút bi nhập khẩu từ Việt Nam đã hết hiệu lực.',
     ("EG", "subject", ["AD"], "revocation", False)),
    ('s2',
     'DOC hủy bỏ đợt rà soát hành chính ống thép từ Việt Nam',
     'Bộ Thương mại Hoa Kỳ hủy bỏ đợt rà soát hành chính thuế chống bán phá giá đối với ống thép nhập khẩu từ Việt Nam do nguyên đơn rút yêu cầu.',
     ("US", "subject", ["AD"], "rescission", False)),
    ('s3',
     'Mexico gia hạn áp thuế chống bán phá giá với đinh thép Việt Nam',
     'Bộ Kinh tế Mexico quyết định tiếp tục áp thuế chống bán phá giá đối với đinh thép nhập khẩu từ Việt Nam thêm 5 năm.',
     ("MX", "subject", ["AD"], "continuation", False)),
    # a review launched; a measure kept or renewed; a complaint received; the ITC's final vote
    ('r2',
     'Rà soát cuối kỳ thuế chống bán phá giá thép cán nguội Trung Quốc',
     'Ngày 3/3/2026, Bộ Công Thương ban hành quyết định rà soát cuối kỳ việc áp dụng biện pháp chống bán phá giá đối với thép cán nguội có xuất xứ từ Trung Quốc.',
     ("VN", "none", ["AD"], "initiation", False)),
    ('r3',
     'Lệnh thuế chống bán phá giá ống thép Việt Nam được duy trì thêm 5 năm',
     'Bộ Thương mại Hoa Kỳ quyết định tiếp tục duy trì lệnh áp thuế chống bán phá giá đối với ống thép nhập khẩu từ Việt Nam.',
     ("US", "subject", ["AD"], "continuation", False)),
    ('e5',
     'Brazil renews anti-dumping duties on glass jars from Vietnam',
     'Brazil decided to keep anti-dumping duties on glass jars from Vietnam for five more years.',
     ("BR", "subject", ["AD"], "continuation", False)),
    ('e6',
     'Egypt receives anti-dumping complaint on ceramic tiles from Vietnam',
     'Egypt received a complaint requesting an anti-dumping investigation into ceramic tiles imported from Vietnam.',
     ("EG", "subject", ["AD"], "petition", True)),
    ('e7',
     'USITC votes in the affirmative on steel racks from Vietnam',
     'The U.S. International Trade Commission determined that a U.S. industry is materially injured by reason of imports of steel racks from Vietnam sold at less than fair value.',
     ("US", "subject", ["AD"], "final", False)),
    ('k1',
     'Federal Circuit upholds ruling on wire hangers completed in Vietnam',
     'The U.S. Court of Appeals for the Federal Circuit on 3 November 2026 affirmed the ruling that wire hangers completed in Vietnam circumvent the antidumping duty order on hangers from China.',
     ("US", "circumvention", ["AD"], "court_decision", False)),
    # a headline that only fears the duty, over a filed petition
    ('h1',
     'Tôm Việt Nam đứng trước nguy cơ bị áp thuế tại Úc',
     'Ngày 2/11/2026, một nhóm doanh nghiệp Úc đã nộp đơn đề nghị điều tra chống bán phá giá đối với tôm đông lạnh nhập khẩu từ Việt Nam.',
     ("AU", "subject", ["AD"], "petition", True)),
    # a feared lawsuit reports the petition the lead tells of
    ('h2',
     'Gỗ dán Việt Nam có thể bị kiện tại Hàn Quốc',
     'Các nhà sản xuất Hàn Quốc đã gửi hồ sơ lên Ủy ban Thương mại Hàn Quốc (KTC), yêu cầu điều tra chống bán phá giá gỗ dán nhập khẩu từ Việt Nam.',
     ("KR", "subject", ["AD"], "petition", True)),
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
    result = news("Canada điều tra ống đồng Trung Quốc, nhà xuất khẩu Việt nên theo dõi",
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
    assert news(title, text)["vietnam"] == "none"


def test_vietnam_acting_after_a_date_is_its_own_case() -> None:
    result = news("Gia hạn thuế chống bán phá giá thép cán nguội Trung Quốc",
                   "Bộ Công Thương ngày 3/10/2026 đã quyết định tiếp tục áp dụng biện pháp chống "
                   "bán phá giá đối với thép cán nguội có xuất xứ từ Trung Quốc.")
    assert (result["market"], result["vietnam"]) == ("VN", "none")


def test_a_headline_that_says_less_than_its_lead_is_still_a_case() -> None:
    result = news("Nhà máy thép ở Bình Dương được mức thuế riêng thấp nhất",
                   "Ngày 2/11/2026, Bộ Thương mại Hoa Kỳ ban hành kết luận cuối cùng vụ điều tra "
                   "chống bán phá giá đối với ống thép hàn nhập khẩu từ Việt Nam.")
    assert (result["trade_remedy"], result["market"], result["vietnam"], result["stage"]) == (
        True, "US", "subject", "final")


@pytest.mark.parametrize(("title", "text"), [
    # a price war on a home market, a count of cases
    ("Các chuỗi bán lẻ bán phá giá để giữ khách dịp cuối năm",
     "Nhiều siêu thị giảm giá sâu để cạnh tranh với các sàn thương mại điện tử."),
    ("Sáu tháng, hàng Việt đối mặt 12 vụ phòng vệ thương mại",
     "Theo thống kê, các nước đã khởi xướng 12 vụ điều tra chống bán phá giá."),
    ("Tiểu thương tố cửa hàng trực tuyến bán phá giá mỹ phẩm",
     "Một số cửa hàng trực tuyến 'bán phá giá' mỹ phẩm dưới giá vốn; hàng nhập khẩu giá rẻ tràn "
     "lan. Chưa có cơ quan nào mở điều tra."),
    ("Chứng kiến cuộc đua 'bán phá giá' giá vé máy bay nội địa",
     "Các hãng bay chứng kiến cuộc đua giảm giá vé; đối thủ cáo buộc nhau bán phá giá."),
    # self-protection
    ("Doanh nghiệp logistics cần biện pháp tự vệ trước lừa đảo qua mạng",
     "Các chuyên gia khuyên doanh nghiệp xuất nhập khẩu kiểm tra kỹ email thanh toán và bật xác "
     "thực hai lớp."),
    # a remedy named only to compare or deny; a Section 301 probe
    ("Nhôm Việt chịu thuế 25% theo Mục 232, khác với vụ chống bán phá giá",
     "Hoa Kỳ tăng thuế theo Mục 232 đối với nhôm; đây không phải biện pháp chống bán phá giá nên "
     "không có bản câu hỏi."),
    ("USTR opens Section 301 investigation into Vietnam's seafood import permits",
     "USTR initiated an investigation under Section 301 of the Trade Act of 1974. It is not an "
     "antidumping proceeding."),
])
def test_news_that_names_a_remedy_word_but_no_case(title: str, text: str) -> None:
    assert not news(title, text)["trade_remedy"]


def test_a_safeguard_on_imports_is_a_case() -> None:
    assert news("Indonesia áp thuế tự vệ với sợi polyester nhập khẩu",
                 "Bộ Tài chính Indonesia áp thuế tự vệ ba năm đối với sợi polyester nhập khẩu.")[
        "trade_remedy"]


@pytest.mark.parametrize("text", [
    "Cục Phòng vệ thương mại đề nghị cơ quan điều tra Philippines xem xét loại trừ hàng hóa Việt "
    "Nam khỏi biện pháp tự vệ đối với kính nổi nhập khẩu.",
    "Việt Nam chiếm 30% lượng nhập khẩu nên khó được loại trừ khỏi biện pháp tự vệ đối với kính "
    "nổi nhập khẩu.",
    "The Commission recommended a safeguard duty on imported float glass. Vietnam would be "
    "covered, as its share of imports is above the threshold for developing-country exclusion.",
])
def test_a_request_a_doubt_or_a_rule_of_exclusion_leaves_vietnam_covered(text: str) -> None:
    result = news("Philippines điều tra tự vệ toàn cầu với kính nổi nhập khẩu", text)
    assert result["vietnam"] == "subject", result["reasons"]


def test_a_product_the_nomenclature_places_in_no_sector_is_not_given_its_materials_sector(
        ) -> None:
    """Pencils of wood are HS 9609 and spanners of steel 8204: sector other, whatever material
    the lead names."""
    for title, text, heading in [
        ("Ai Cập điều tra chống bán phá giá bút chì từ Việt Nam",
         "Bộ Công nghiệp Ai Cập khởi xướng điều tra chống bán phá giá đối với bút chì bằng gỗ "
         "nhập khẩu từ Việt Nam.", "9609"),
        ("Mexico điều tra chống bán phá giá cờ lê Việt Nam",
         "Bộ Kinh tế Mexico khởi xướng điều tra đối với cờ lê bằng thép hợp kim nhập khẩu từ "
         "Việt Nam.", "8204"),
    ]:
        result = news(title, text)
        assert result["sectors"] == ["other"], result["reasons"]
        assert [code[:4] for code in result["hs_inferred"]] == [heading]


def test_the_product_of_a_headline_is_what_its_other_words_leave() -> None:
    from rules.notice_sectors import headline_product

    assert headline_product("Ấn Độ khởi xướng điều tra chống bán phá giá ván ép từ Việt Nam") == (
        "ván ép")
    assert headline_product("Canada áp thuế chống trợ cấp 12,5% với tháp gió Việt Nam") == (
        "tháp gió")
    assert headline_product("Mexico nhận đơn kiện ống đồng từ Việt Nam") == "ống đồng"
    assert headline_product("Phụ kiện đường ống Việt Nam bị kiện tại Ấn Độ") == (
        "Phụ kiện đường ống")
    assert headline_product("Ai Cập điều tra chống bán phá giá thiết bị vệ sinh bằng sứ Việt "
                            "Nam") == "thiết bị vệ sinh bằng sứ"
    # goods listed with a comma are one phrase, headed by the first
    assert headline_product("Ấn Độ điều tra chống bán phá giá kìm, kéo cắt từ Việt Nam") == (
        "kìm, kéo cắt")


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
    # a measure's first day, when the lead dates nothing else
    ("Bộ Thương mại vừa ban hành quyết định áp thuế chống bán phá giá đối với bút bi, có hiệu "
     "lực từ ngày 12/4/2026.", date(2026, 4, 12)),
    ("Ngày 3/4/2026, Bộ Thương mại quyết định áp thuế chống bán phá giá đối với bút bi, có hiệu "
     "lực kể từ ngày 10/4/2026.", date(2026, 4, 3)),
    # English dates said without 'on', and a measure's first day said in English
    ("In a final determination signed April 8, 2026, Commerce found that the desks are dumped.",
     date(2026, 4, 8)),
    ("The ministry imposed a safeguard duty on ceramic sinks, effective from 14 April 2026.",
     date(2026, 4, 14)),
    ("The Authority will collect provisional payments for six months from 15 April 2026.",
     date(2026, 4, 15)),
    # 'thông tư' (a circular), folded, ends like 'từ' (from): its date is the step's
    ("SECEX đã ban hành thông tư ngày 6/4/2026 chấm dứt điều tra chống bán phá giá quạt điện.",
     date(2026, 4, 6)),
])
def test_the_event_date_stated_after_its_step_or_under_a_label(text: str, day: date) -> None:
    from rules.event_dates import event_date

    assert event_date(text, date(2026, 4, 24))[0] == day
