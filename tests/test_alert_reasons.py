"""Why a reader got an alert, said in the reader's language from the facts the matcher keeps with
each reason: every kind of reason the matcher gives, in Vietnamese and English, kept through
the database as JSON, and the same facts from the index as from the reference loop."""

import json

import pytest

from alerts.labels import Labels
from alerts.reasons import why_lines
from rules.index import MatchIndex
from rules.match_reasons import Reason, stored_reasons
from rules.matching import naive_match
from rules.subscriptions import Subscription

SECTOR_NAMES = {"steel": {"en": "steel", "vi": "sắt thép"},
                "shrimp": {"en": "shrimp", "vi": "tôm"}}
PIPE = {  # a notice on Vietnamese steel pipe: the analysis the rules give such a title
    "id": "2024-00001", "trade_remedy": True, "market": "US", "vietnam": "subject",
    "countries": ["VN"], "measures": ["AD"], "stage": "preliminary", "new_case": False,
    "hs_codes": ["7306301000", "7306305000"], "sectors": ["steel"], "severity": "high",
}
PIPE_TITLE = "Circular Welded Carbon-Quality Steel Pipe From the Socialist Republic of Vietnam"
DIVERSION = {  # a new case on China in a product Vietnam exports
    "id": "2024-00002", "trade_remedy": True, "market": "CA", "vietnam": "none",
    "countries": ["CN", "TH"], "measures": ["AD", "CVD"], "stage": "initiation",
    "new_case": True, "hs_codes": ["030617"], "sectors": ["shrimp"], "severity": "high",
}


def said(analysis: dict, subscription: Subscription, language: str, title: str = "") -> list[str]:
    [found] = naive_match(analysis, title, "", [subscription])
    return list(why_lines(found.reasons, Labels(language, SECTOR_NAMES)))


def test_a_subject_match_in_vietnamese_and_english() -> None:
    sub = Subscription("s1", sectors=["steel"], hs_codes=["7306"], keywords=["pipe"],
                       markets=["US"], measures=["AD"], min_severity="medium")
    assert said(PIPE, sub, "vi", PIPE_TITLE) == [
        "Hàng hóa xuất xứ Việt Nam bị nêu tên trong vụ việc này",
        "Ngành hàng Quý vị theo dõi: sắt thép",
        "Mã HS 7306.30.10.00, 7306.30.50.00 trong thông báo thuộc nhóm HS 7306 mà Quý vị theo dõi",
        "Từ khóa “pipe” của Quý vị xuất hiện trong thông báo",
        "Hoa Kỳ là một trong các thị trường Quý vị theo dõi",
        "Chống bán phá giá là một trong các biện pháp Quý vị theo dõi",
        "Mức độ CAO đạt mức tối thiểu Quý vị chọn (TRUNG BÌNH)",
    ]
    assert said(PIPE, sub, "en", PIPE_TITLE) == [
        "Goods from Vietnam are named in this case",
        "Your sector: steel",
        "HS 7306.30.10.00, 7306.30.50.00 in the notice fall under HS 7306, which you watch",
        "Your keyword “pipe” appears in the notice",
        "United States is one of the markets you watch",
        "Anti-dumping is one of the measures you watch",
        "Severity HIGH meets the minimum you chose (MEDIUM)",
    ]


@pytest.mark.parametrize(("codes", "vi", "en"), [
    (["730630"], "Mã HS 7306.30.10.00, 7306.30.50.00 trong thông báo thuộc nhóm HS 7306.30 mà "
     "Quý vị theo dõi", "fall under HS 7306.30"),
    (["7306301000"], "Mã HS 7306.30.10.00 mà Quý vị theo dõi được nêu trong thông báo",
     "HS 7306.30.10.00, which you watch, is named in the notice"),
    (["7306305000"], "Mã HS 7306.30.50.00 mà Quý vị theo dõi được nêu trong thông báo",
     "HS 7306.30.50.00, which you watch, is named in the notice"),
])
def test_hs_codes_are_said_with_their_relation(codes: list[str], vi: str, en: str) -> None:
    sub = Subscription("s2", hs_codes=codes)
    assert any(vi in line for line in said(PIPE, sub, "vi"))
    assert any(en in line for line in said(PIPE, sub, "en"))


def test_a_notice_code_that_covers_the_subscribed_one() -> None:
    """The notice names a heading; the reader watches a line under it."""
    sub = Subscription("s3", hs_codes=["7306301000"])
    heading = PIPE | {"hs_codes": ["7306"]}
    assert "Mã HS 7306 trong thông báo bao trùm mã HS 7306.30.10.00 mà Quý vị theo dõi" in said(
        heading, sub, "vi")
    assert "HS 7306 in the notice covers HS 7306.30.10.00, which you watch" in said(
        heading, sub, "en")


def test_trade_diversion_names_the_origins_and_the_readers_product() -> None:
    by_sector = Subscription("s4", sectors=["shrimp"], vietnam_roles=["diversion"])
    assert said(DIVERSION, by_sector, "vi")[0] == (
        "Nguy cơ chuyển hướng thương mại: vụ việc chống bán phá giá / chống trợ cấp mới đối với "
        "hàng hóa từ Trung Quốc, Thái Lan, về tôm, mặt hàng Việt Nam cũng xuất khẩu")
    assert said(DIVERSION, by_sector, "en")[0] == (
        "Trade-diversion risk: a new anti-dumping / countervailing duty case on goods from "
        "China, Thailand, in shrimp, which Vietnam also exports")
    by_code = Subscription("s5", hs_codes=["0306"], vietnam_roles=["diversion"])
    order = DIVERSION | {"new_case": False, "stage": "order", "countries": []}
    assert said(order, by_code, "vi")[0] == (
        "Nguy cơ chuyển hướng thương mại: lệnh áp thuế chống bán phá giá / chống trợ cấp đối "
        "với hàng hóa từ các nước khác, về HS 0306.17, mặt hàng Việt Nam cũng xuất khẩu")


def test_every_sector_and_no_english_left_in_vietnamese() -> None:
    ministry = Subscription("s6", all_sectors=True)
    lines = said(PIPE, ministry, "vi")
    assert "Quý vị theo dõi tất cả các ngành hàng" in lines
    english = ("subscribed", "severity", "product:", "Vietnam is", "watches", "minimum")
    assert not [line for line in lines if any(word in line for word in english)]


def test_reasons_keep_their_facts_through_json_and_the_database_shape() -> None:
    sub = Subscription("s7", sectors=["steel"], hs_codes=["7306"], markets=["US"])
    [found] = naive_match(PIPE, PIPE_TITLE, "", [sub])
    stored = json.loads(json.dumps(stored_reasons(found.reasons)))
    back = [Reason.from_stored(item) for item in stored]
    assert back == list(found.reasons)  # the sentences, as `trews match` prints them
    assert [(r.code, dict(r.facts)) for r in back] == [
        (r.code, json.loads(json.dumps(r.facts))) for r in found.reasons]
    assert [r.code for r in back] == ["role", "product", "market", "severity"]


def test_a_reason_stored_as_a_sentence_is_shown_as_written() -> None:
    """Matches stored before reasons had facts: their English sentence, not nothing."""
    old = ["Vietnam is subject in a final step of a AD case", "product: sector steel"]
    assert why_lines(old, Labels("vi", SECTOR_NAMES)) == tuple(old)
    odd = {"code": "product", "text": "product: sector steel", "facts": {"sectors": 3}}
    assert why_lines([odd], Labels("vi", SECTOR_NAMES)) == ("product: sector steel",)


def test_the_index_gives_the_same_facts_as_the_reference_loop() -> None:
    subs = [Subscription("a", sectors=["steel"]), Subscription("b", hs_codes=["7306", "730630"]),
            Subscription("c", keywords=["pipe"], markets=["US"], measures=["AD"]),
            Subscription("d", all_sectors=True, min_severity="high"),
            Subscription("e", sectors=["shrimp"], hs_codes=["0306"], vietnam_roles=["diversion"])]
    index = MatchIndex.build(subs)
    for analysis, title in ((PIPE, PIPE_TITLE), (DIVERSION, "")):
        naive = naive_match(analysis, title, "", subs)
        indexed = index.match(analysis, title, "")
        assert naive and [m.reasons for m in indexed] == [m.reasons for m in naive]
        assert [[r.stored() for r in m.reasons] for m in indexed] == [
            [r.stored() for r in m.reasons] for m in naive]
