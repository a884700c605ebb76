"""Public API pieces: input forms, JSON-lines driver, matcher, split_cases, sector matcher."""

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from config import load_sectors
from rules import Subscription, analyse, analyse_lines, match, split_cases
from rules.sectors import SectorIndex

SECTORS = load_sectors()
BAGS = {"id": "2023-28945", "market": "US", "source": "us_fr_documents", "published": "2024-01-03",
        "url": "", "title": "Certain Paper Shopping Bags From the Socialist Republic of Vietnam: "
        "Preliminary Affirmative Determination of Sales at Less Than Fair Value",
        "text": "", "raw": {"docket_ids": ["A-552-836"]}}
GLASS = {"id": "2024-00034", "market": "US", "source": "x", "published": "2024-01-05", "url": "",
         "title": "Glass Wine Bottles From Chile, China, and Mexico; Institution of Antidumping "
         "and Countervailing Duty Investigations and Scheduling of Preliminary Phase "
         "Investigations",
         "text": ""}
REVIEW = {"id": "r", "market": "US", "source": "x", "published": "2024-01-05", "url": "",
          "title": "Glycine From India: Final Results of Countervailing Duty Administrative "
          "Review; 2021", "text": ""}


@dataclass
class NoticeRecord:
    id: str
    market: str
    source: str
    title: str
    text: str
    published: str
    url: str
    raw: dict[str, Any] = field(default_factory=dict)


def test_dataclass_input_equals_dict_input() -> None:
    record = NoticeRecord(**BAGS)
    assert analyse(record, SECTORS).to_dict() == analyse(BAGS, SECTORS).to_dict()


def test_analyse_lines_orders_outputs_and_names_bad_lines() -> None:
    lines = [json.dumps(BAGS), "", "{not json", json.dumps({"id": "x"}), json.dumps(GLASS), "[1]"]
    results = list(analyse_lines(lines, SECTORS))
    assert [n for n, _, _ in results] == [1, 3, 4, 5, 6]
    assert results[0][1] is not None and results[0][1]["vietnam"] == "subject"
    assert results[1][1] is None and results[1][2] is not None and "line 3" in results[1][2]
    assert results[2][2] is not None and "title" in results[2][2]
    assert results[3][1] is not None and results[3][1]["new_case"] is True
    assert results[4][2] is not None and "line 6" in results[4][2]


def test_bad_published_date_is_an_error() -> None:
    (_, out, err), = analyse_lines([json.dumps({**BAGS, "published": "3 Jan 2024"})], SECTORS)
    assert out is None and err is not None and "published" in err


def test_matching_vietnam_and_diversion() -> None:
    subs = [Subscription("paper-all", {"paper"}),
            Subscription("paper-high", {"paper"}, min_severity="high"),
            Subscription("glass", {"ceramics_glass"}),
            Subscription("glass-no-diversion", {"ceramics_glass"}, include_diversion=False),
            Subscription("steel", {"steel"})]
    bags = analyse(BAGS, SECTORS).to_dict()
    assert [(m.subscription_id, m.severity) for m in match(bags, subs)] == [
        ("paper-all", "high"), ("paper-high", "high")]
    glass = analyse(GLASS, SECTORS).to_dict()
    found = match(glass, subs)
    assert [(m.subscription_id, m.severity) for m in found] == [("glass", "medium")]
    assert "trade-diversion" in found[0].reasons[0]
    review = analyse(REVIEW, SECTORS).to_dict()
    assert match(review, [Subscription("chem", {"chemicals"})]) == []
    with pytest.raises(ValueError):
        Subscription("bad", {"paper"}, min_severity="urgent")


def test_split_cases_on_analysis_object() -> None:
    cases = split_cases(analyse(BAGS, SECTORS))
    assert [(c.case_number, c.origin, c.concerns_vietnam, c.measure) for c in cases] == [
        ("A-552-836", "VN", True, "AD")]


@pytest.mark.parametrize("product,expected", [
    ("Seamless Refined Copper Pipe and Tube", ["copper"]),
    ("Light-Walled Rectangular Pipe and Tube", ["steel"]),
    ("Passenger Vehicle and Light Truck Tires", ["tyres"]),
    ("Thermoformed Molded Fiber Products", ["paper"]),
    ("Uncovered Innerspring Units", ["mattresses"]),
    ("Steel Trailer Wheels", ["vehicles_parts"]),
    ("Xuất khẩu tôm đông lạnh", ["shrimp"]),
    ("xuat khau tom dong lanh", ["shrimp"]),
    ("Đồ gỗ nội thất", ["wood_furniture"]),
    ("do go noi that", ["wood_furniture"]),
    ("Hard Empty Capsules", ["other"]),
    ("Tom Ford handbags", []),
])
def test_sector_terms(product: str, expected: list[str]) -> None:
    hits = SectorIndex(SECTORS).by_terms(product)
    assert sorted(h.sector for h in hits) == expected


def test_sector_by_hs_longest_prefix_and_exclusions() -> None:
    index = SectorIndex(SECTORS)
    assert [h.sector for h in index.by_hs(["8541420000"])] == ["solar"]
    assert [h.sector for h in index.by_hs(["8504230000"])] == ["machinery"]
    assert [h.sector for h in index.by_hs(["5402330000"])] == ["yarn_fibres"]
    assert [h.sector for h in index.by_hs(["6109100000"])] == ["textiles_garments"]
    assert [h.sector for h in index.by_hs(["0306170000"])] == ["shrimp"]
    assert [h.sector for h in index.by_hs(["0307430000"])] == ["seafood_other"]
    assert index.by_hs(["9999"]) == []


def test_no_product_no_sector() -> None:
    out = analyse({**REVIEW, "title": "Initiation of Antidumping and Countervailing Duty "
                                      "Administrative Reviews"}, SECTORS)
    assert out.trade_remedy and out.sectors == []
