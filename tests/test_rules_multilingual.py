"""Vietnamese (TRAV) and other-language notices: market read from the text, Vietnam's role,
Vietnam's own cases, global safeguards, news that is not a case, and the new case-number shapes.

The synthetic TRAV set (tests/fixtures/synthetic/synthetic_trav_news.jsonl, header line says what
real structure it follows) carries labels decided by reading each item."""

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from config import load_sectors
from rules import analyse
from rules.case_numbers import measure_of, parse_case_numbers
from rules.countries import origins_after_from
from rules.hs_codes import editions, extract_hs_codes, same_product
from rules.markets import detect_market
from rules.sectors import SectorIndex

SECTORS = load_sectors()
SYNTHETIC = Path(__file__).resolve().parent / "fixtures/synthetic/synthetic_trav_news.jsonl"


def load_items() -> list[dict[str, Any]]:
    lines = SYNTHETIC.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def scored() -> tuple[Counter[str], Counter[str], list[str]]:
    ok: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses: list[str] = []
    for item in load_items():
        expected = item.pop("expected")
        out = analyse(item, SECTORS).to_dict()
        for key, want in expected.items():
            got = out[key]
            good = all(d in got for d in want) if key == "deadlines" else got == want
            total[key] += 1
            ok[key] += good
            if not good:
                misses.append(f"{item['id']} {key}: want {want!r} got {got!r}")
    return ok, total, misses


def test_synthetic_set_shape() -> None:
    items = load_items()
    assert len(items) >= 60
    negatives = [i for i in items if not i["expected"]["trade_remedy"]]
    own = [i for i in items if i["expected"].get("market") == "VN"]
    assert len(negatives) >= 10 and len(own) >= 8
    assert all(i["id"] and i["title"] and "expected" in i for i in items)


def test_synthetic_trade_remedy_and_market_all_right(
    scored: tuple[Counter[str], Counter[str], list[str]]
) -> None:
    ok, total, misses = scored
    assert ok["trade_remedy"] == total["trade_remedy"], misses
    assert ok["market"] == total["market"], misses


@pytest.mark.parametrize("field", ["vietnam", "countries", "measures", "proceeding", "stage",
                                   "new_case", "severity", "sectors", "case_numbers"])
def test_synthetic_fields_at_least_95_percent(
    scored: tuple[Counter[str], Counter[str], list[str]], field: str
) -> None:
    ok, total, misses = scored
    assert total[field] and ok[field] / total[field] >= 0.95, [m for m in misses if field in m]


def news(title: str, text: str = "", market: str = "VN", published: str = "2024-03-01"
         ) -> dict[str, Any]:
    return analyse({"id": "x", "market": market, "source": "vn_trav_news", "title": title,
                    "text": text, "published": published, "url": ""}, SECTORS).to_dict()


@pytest.mark.parametrize("title,text,market", [
    ("Ủy ban Thương mại Hàn Quốc ra kết luận sơ bộ", "", "KR"),
    ("Bộ Thương mại Hoa Kỳ khởi xướng điều tra", "", "US"),
    ("Kết luận cuối cùng", "Ủy ban Thương mại Quốc tế Hoa Kỳ (USITC) bỏ phiếu", "US"),
    ("EC khởi xướng điều tra", "", "EU"),
    ("Ủy ban châu Âu áp thuế", "", "EU"),
    ("Bộ Thương mại và Công nghiệp Ấn Độ khởi xướng", "", "IN"),
    ("Khởi xướng điều tra", "Theo DGTR, vụ việc ...", "IN"),
    ("Ủy ban Chống bán phá giá Australia ra thông báo", "", "AU"),
    ("Cơ quan Biên phòng Canada khởi xướng", "", "CA"),
    ("Áp thuế", "CBSA đã ban hành", "CA"),
    ("Bộ Thương mại Thổ Nhĩ Kỳ gia hạn", "", "TR"),
    ("KADI khởi xướng điều tra", "", "ID"),
    ("MITI áp thuế", "", "MY"),
    ("Cục Ngoại thương Thái Lan ra kết luận", "", "TH"),
    ("Philippines khởi xướng điều tra tự vệ", "", "PH"),
    ("SECEX torna público", "", "BR"),
    ("Secretaría de Economía publica en el DOF", "", "MX"),
    ("NTC áp thuế", "", "PK"),
    ("Argentina khởi xướng", "", "AR"),
    ("Nam Phi áp thuế", "", "ZA"),
    ("Ai Cập khởi xướng", "", "EG"),
    ("Liên minh Kinh tế Á - Âu (EAEU) gia hạn", "", "RU"),
    ("GCC áp thuế chống bán phá giá", "", "SA"),
    ("Cơ quan Phòng vệ thương mại Vương quốc Anh khởi xướng", "", "GB"),
    ("Bộ Công Thương ban hành quyết định áp dụng biện pháp", "", "VN"),
    ("Thép Việt Nam bị Malaysia áp thuế", "", "MY"),
    ("Khởi xướng điều tra thép từ Trung Quốc và Hàn Quốc", "Bộ Công Thương khởi xướng", "VN"),
    ("Cục Phòng vệ thương mại khuyến nghị doanh nghiệp", "Hoa Kỳ khởi xướng điều tra", "US"),
    # A country in the title that is the inputs' source, not the actor: the acting authority.
    ("Ống đồng Việt Nam dùng phôi Hàn Quốc bị đề nghị điều tra lẩn tránh",
     "Bộ Thương mại Hoa Kỳ cho biết đã nhận đơn của ngành sản xuất trong nước.", "US"),
    # The authority's own notice cites the law it acts under instead of naming itself.
    ("Notice initiating an anti-dumping investigation concerning glass fibre rovings",
     "Having regard to the Customs Tariff Act, 1975 and the rules thereunder ...", "IN"),
    ("Commission Implementing Regulation imposing a provisional anti-dumping duty on tiles", "",
     "EU"),
    ("Statement of reasons: final determination of dumping", "Under the Special Import Measures "
     "Act, the President made a final determination.", "CA"),
])
def test_investigating_market_from_text(title: str, text: str, market: str) -> None:
    found = detect_market(title, text)
    assert found is not None and found.market == market, found


def test_market_not_found_is_none() -> None:
    assert detect_market("Anti-dumping measure on steel", "") is None


def test_vietnam_own_case_gives_no_export_alert() -> None:
    out = news("Bộ Công Thương áp thuế chống bán phá giá đối với thép từ Trung Quốc")
    assert (out["market"], out["vietnam"], out["countries"]) == ("VN", "none", ["CN"])
    assert out["severity"] == "low" and "own case" in " ".join(out["reasons"])


def test_global_safeguard_covers_vietnam_unless_excluded() -> None:
    out = news("Philippines khởi xướng điều tra tự vệ đối với xi măng")
    assert out["vietnam"] == "subject" and out["measures"] == ["SG"]
    assert "global safeguard: covers all origins including Vietnam" in out["reasons"]
    assert out["severity"] == "medium"
    out = news("Philippines áp dụng biện pháp tự vệ đối với xi măng",
               "Biện pháp không áp dụng đối với hàng hóa của các nước đang phát triển có thị phần "
               "dưới 3%, trong đó có Việt Nam.")
    assert out["vietnam"] == "none" and out["severity"] == "low"
    assert any("Vietnam is excluded" in r for r in out["reasons"])


def test_global_safeguard_in_english_authority_notice() -> None:
    out = analyse({"id": "sg", "market": "US", "source": "x", "published": "2024-01-03",
                   "title": "Quartz Surface Products; Institution of a Global Safeguard "
                            "Investigation", "text": "Investigation No. TA-201-80", "url": ""},
                  SECTORS).to_dict()
    assert out["vietnam"] == "subject" and out["severity"] == "medium"


@pytest.mark.parametrize("title,text", [
    ("Xuất khẩu thủy sản 10 tháng đạt 7,5 tỷ USD", "thuế chống bán phá giá của Hoa Kỳ"),
    ("Hội thảo phổ biến về phòng vệ thương mại", ""),
    ("Tập huấn kỹ năng ứng phó vụ việc chống bán phá giá", ""),
    ("Hoa Kỳ áp thuế đối ứng với hàng hóa Việt Nam", "chống bán phá giá"),
    ("Tận dụng EVFTA để xuất khẩu", ""),
    ("Hoi thao ve phong ve thuong mai", ""),
])
def test_news_that_is_not_a_case(title: str, text: str) -> None:
    out = news(title, text)
    assert out["trade_remedy"] is False and out["severity"] is None
    assert out["reasons"][0].startswith("not a trade remedy")


def test_title_with_and_without_diacritics_agree() -> None:
    accented = news("Ấn Độ khởi xướng điều tra chống bán phá giá đối với thép từ Việt Nam")
    plain = news("An Do khoi xuong dieu tra chong ban pha gia doi voi thep tu Viet Nam")
    keys = ("trade_remedy", "market", "vietnam", "countries", "measures", "proceeding", "stage",
            "sectors", "severity")
    assert {k: accented[k] for k in keys} == {k: plain[k] for k in keys}
    assert accented["market"] == "IN" and accented["vietnam"] == "subject"


def test_circumvention_through_vietnam() -> None:
    out = news("Hoa Kỳ khởi xướng điều tra chống lẩn tránh thuế đối với thép",
               "thép có xuất xứ Trung Quốc được hoàn thiện tại Việt Nam")
    assert out["vietnam"] == "circumvention" and out["proceeding"] == "circumvention"
    assert out["countries"] == ["CN", "VN"] and out["severity"] == "high"


def test_mexican_and_brazilian_notices_in_their_language() -> None:
    dof = analyse({"id": "mx", "market": "MX", "source": "mx_dof", "published": "2024-05-02",
                   "title": "RESOLUCIÓN Preliminar de la investigación antidumping sobre las "
                            "importaciones de tubería de acero originarias de la República "
                            "Socialista de Vietnam", "text": "", "url": ""}, SECTORS).to_dict()
    assert dof["trade_remedy"] and dof["market"] == "MX" and dof["measures"] == ["AD"]
    assert dof["stage"] == "preliminary" and dof["vietnam"] == "subject"
    secex = analyse({"id": "br", "market": "BR", "source": "br_secex", "published": "2024-05-02",
                     "title": "CIRCULAR Nº 12, DE 3 DE MAIO DE 2024",
                     "text": "A SECRETÁRIA DE COMÉRCIO EXTERIOR torna público o início de "
                             "investigação de dumping nas exportações para o Brasil de cadeiras "
                             "originárias da China e do Vietnã.", "url": ""}, SECTORS).to_dict()
    assert secex["trade_remedy"] and secex["market"] == "BR" and secex["measures"] == ["AD"]
    assert secex["stage"] == "initiation" and secex["vietnam"] == "subject"
    assert secex["countries"] == ["CN", "VN"]


@pytest.mark.parametrize("text,origins", [
    ("nhập khẩu từ Trung Quốc, Ấn Độ và Việt Nam", ["CN", "IN", "VN"]),
    ("có xuất xứ từ Thái Lan", ["TH"]),
    ("originarias de la República Popular China y de Vietnam", ["CN", "VN"]),
    ("originárias da China e do Vietnã", ["CN", "VN"]),
    ("originaires de Chine et du Viêt Nam", ["CN", "VN"]),
    ("impor dari Tiongkok dan Vietnam", ["CN", "VN"]),
])
def test_origin_lists_in_several_languages(text: str, origins: list[str]) -> None:
    assert origins_after_from(text) == origins


def test_case_numbers_of_other_markets() -> None:
    text = ("ADN 2023/035 and ADNs 2023/36, 2023/037; AD0004, TD0002 and TS0001; "
            "F. No. 6/12/2023-DGTR and 06/07/2022-DGTR; A \u2013 552 \u2013 802")
    assert parse_case_numbers([text]) == [
        "A-552-802", "TD0002", "TS0001", "AD0004", "ADN 2023/035", "ADN 2023/036",
        "ADN 2023/037", "6/12/2023-DGTR", "6/7/2022-DGTR"] or sorted(
        parse_case_numbers([text])) == sorted([
            "A-552-802", "TD0002", "TS0001", "AD0004", "ADN 2023/035", "ADN 2023/036",
            "ADN 2023/037", "6/12/2023-DGTR", "6/7/2022-DGTR"])
    assert parse_case_numbers(["AD750, AS742, R 1234 and SAFE011"], market="EU") == [
        "AD750", "AS742", "R1234", "SAFE011"]
    assert parse_case_numbers(["Case 624 and Investigation 625"], market="AU") == [
        "Case 624", "Case 625"]
    assert parse_case_numbers(["Administrative Review 2021-2022, Case 624"], market="US") == []
    assert [measure_of(n) for n in ["TD0002", "TS0001", "SF0001", "SA0001", "ER0003", "AD750",
                                    "AS742", "SAFE011"]] == [
        "AD", "CVD", "SG", None, None, "AD", "CVD", "SG"]


def test_hs_edition_concordance_and_guards() -> None:
    assert editions("854140") == ["854141", "854142", "854143", "854149"]
    assert editions("8541430000") == ["854140"]
    assert same_product("854140", "8541420000") and not same_product("854141", "854142")
    assert [h.sector for h in SectorIndex(SECTORS).by_hs(["854140"])] == ["solar"]
    assert extract_hs_codes("mã HS 7210.49 và HS 0306.17; ex 7219 90") == [
        "721049", "030617", "721990"]
    assert extract_hs_codes("Tháng 2023.12 xuất 1234.56 tấn, trị giá $1,234.56 (89 FR 1234); "
                            "ngày 2024.01.15") == []
    assert extract_hs_codes("HS 2009.12") == ["200912"]
