"""The matching predicate (rules.matching docstring), subscriptions and `trews match` lines."""

import json
from pathlib import Path
from typing import Any

import pytest

from rules.index import MatchIndex
from rules.matching import Match, match, naive_match
from rules.matchlines import match_lines
from rules.subscriptions import Subscription, SubscriptionError, load_subscriptions_jsonl

BASE: dict[str, Any] = {
    "id": "n1", "trade_remedy": True, "market": "US", "vietnam": "subject", "countries": ["VN"],
    "measures": ["AD"], "proceeding": "investigation", "stage": "preliminary", "new_case": False,
    "case_numbers": [], "hs_codes": ["7306301000"], "sectors": ["steel"], "deadlines": [],
    "severity": "high", "reasons": [],
}


def notice(**changes: Any) -> dict[str, Any]:
    return {**BASE, **changes}


def both(analysis: dict[str, Any], subs: list[Subscription], title: str = "",
         text: str = "") -> list[Match]:
    """Matches by the index, checked equal to the naive oracle."""
    indexed = MatchIndex.build(subs).match(analysis, title, text)
    assert indexed == naive_match(analysis, title, text, subs)
    assert MatchIndex.build(subs).count(analysis, title, text) == len(indexed)
    return indexed


def ids(found: list[Match]) -> list[str]:
    return [m.subscription_id for m in found]


def test_sector_match_carries_severity_and_reasons() -> None:
    (m,) = both(notice(), [Subscription("a", {"steel"}), Subscription("b", {"shrimp"})])
    assert m == Match("a", "high", m.reasons)
    assert m.reasons[0] == "Vietnam is subject in a preliminary step of a AD case"
    assert m.reasons[1] == "product: sector steel"
    assert m.reasons[-1] == "severity high meets the minimum low"


@pytest.mark.parametrize("sub_code,notice_code,hit", [
    ("7306", "730630", True), ("7306301000", "7306", True), ("730630", "730630", True),
    ("7306", "7307", False), ("730631", "730630", False), ("73", "7306301000", True),
])
def test_hs_prefix_either_way(sub_code: str, notice_code: str, hit: bool) -> None:
    subs = [Subscription("hs", hs_codes=[sub_code])]
    found = both(notice(sectors=[], hs_codes=[notice_code]), subs)
    assert ids(found) == (["hs"] if hit else [])
    if hit:
        assert "HS" in found[0].reasons[1]


def test_hs_codes_are_normalised() -> None:
    assert Subscription("x", hs_codes=["7306.30.10.00"]).hs_codes == ("7306301000",)
    with pytest.raises(SubscriptionError, match="hs_codes"):
        Subscription("x", hs_codes=["7306.3"])


@pytest.mark.parametrize("keyword,title,text,hit", [
    ("wire rod", "Carbon and Alloy Steel Wire Rod From Vietnam", "", True),
    ("wire rod", "Steel wire and rods", "", False),  # not the same words in sequence
    ("rod", "Steel Wire Rods", "", True),  # plural folded
    ("rod", "Steel Wire Rodent traps", "", False),  # whole words only
    ("tôm", "Tom Ford handbags", "", False),  # short Vietnamese keyword keeps its diacritics
    ("tôm", "Xuất khẩu tôm sang Hoa Kỳ", "", True),
    ("tôm", "xuat khau tom dong lanh", "", True),  # ASCII Vietnamese
    ("gỗ", "Duties go into effect", "", False),
    ("gỗ dán", "Go dan xuat khau", "", True),  # longer terms are diacritics-insensitive
    ("Plywood", "", "hardwood PLYWOOD from Vietnam", True),
    ("steel pipe", "Certain Steel", "Pipe fittings", False),  # never across title and text
])
def test_keywords(keyword: str, title: str, text: str, hit: bool) -> None:
    subs = [Subscription("kw", keywords=[keyword])]
    found = both(notice(sectors=[], hs_codes=[]), subs, title, text)
    assert ids(found) == (["kw"] if hit else [])
    if hit:
        assert f"keyword '{keyword}'" in found[0].reasons[1]


def test_title_and_text_default_to_the_analysis_keys() -> None:
    subs = [Subscription("kw", keywords=["shrimp"])]
    analysis = notice(sectors=[], title="Frozen Warmwater Shrimp From Vietnam")
    assert ids(match(analysis, subs)) == ["kw"]
    assert ids(match(analysis, subs, title="Nails", text="")) == []


def test_filters_market_measure_and_not_vietnam_market() -> None:
    subs = [Subscription("us", {"steel"}, markets=["US", "EU"]),
            Subscription("eu", {"steel"}, markets=["eu"]),
            Subscription("cvd", {"steel"}, measures=["CVD"]),
            Subscription("any", {"steel"})]
    found = both(notice(), subs)
    assert ids(found) == ["us", "any"]
    assert "market US is among the subscribed markets" in found[0].reasons
    assert ids(both(notice(measures=["AD", "CVD"]), subs)) == ["us", "cvd", "any"]
    assert ids(both(notice(measures=[]), subs)) == ["us", "any"]
    assert both(notice(market="VN"), subs) == []
    assert both(notice(trade_remedy=False), subs) == []


def test_roles_and_diversion() -> None:
    subs = [Subscription("subject", {"steel"}, vietnam_roles=["subject"]),
            Subscription("circ", {"steel"}, vietnam_roles=["subject", "circumvention"]),
            Subscription("all", {"steel"}),
            Subscription("high", {"steel"}, min_severity="high")]
    assert ids(both(notice(vietnam="circumvention"), subs)) == ["circ", "all", "high"]
    other = notice(vietnam="none", countries=["CN", "TH"], new_case=True, stage="initiation",
                   severity="medium", measures=["AD", "CVD"])
    (m,) = both(other, subs)
    assert (m.subscription_id, m.severity) == ("all", "medium")
    assert m.reasons[0] == ("trade-diversion risk: new AD/CVD case on CN, TH in steel that "
                            "Vietnam exports")
    order = both(notice(vietnam="none", countries=["CN"], stage="order", severity="low"), subs)
    assert order[0].reasons[0].startswith("trade-diversion risk: AD order on CN")
    assert both(notice(vietnam="none", countries=["CN"], stage="review"), subs) == []


def test_severity_floor_and_null_severity() -> None:
    subs = [Subscription("low", {"steel"}), Subscription("med", {"steel"}, min_severity="medium")]
    assert [(m.subscription_id, m.severity) for m in both(notice(severity=None), subs)] == [
        ("low", "low")]
    assert ids(both(notice(severity="medium"), subs)) == ["low", "med"]


def test_all_sectors_and_empty_subscriptions() -> None:
    subs = [Subscription("ministry", all_sectors=True), Subscription("nothing"),
            Subscription("star", {"*"})]
    found = both(notice(sectors=[], hs_codes=[]), subs)
    assert ids(found) == ["ministry", "star"]
    assert "watches every sector" in found[0].reasons[1]
    assert not Subscription("nothing").watches_products


def test_order_is_subscription_order() -> None:
    subs = [Subscription(f"s{i}", {"steel"} if i % 2 else set(), hs_codes=["7306"])
            for i in range(50)]
    assert ids(both(notice(), subs)) == [f"s{i}" for i in range(50)]


def test_walking_skeleton_spelling_still_works() -> None:
    sub = Subscription("x", {"paper"}, include_diversion=False, min_severity="medium")
    assert sub.vietnam_roles == {"subject", "circumvention"}
    with pytest.raises(ValueError):
        Subscription("bad", {"paper"}, min_severity="urgent")


@pytest.mark.parametrize("obj,message", [
    ({"id": "a", "sector": ["steel"]}, "unknown field"),
    ({"id": ""}, "id"),
    ({"id": "a", "markets": "US"}, "markets"),
    ({"id": "a", "measures": ["ADD"]}, "measures"),
    ({"id": "a", "vietnam_roles": ["diversion", "victim"]}, "vietnam_roles"),
    ({"id": "a", "keywords": ["!!"]}, "keywords"),
    ({"id": "a", "all_sectors": "yes"}, "all_sectors"),
])
def test_subscription_errors(obj: dict[str, Any], message: str) -> None:
    with pytest.raises(SubscriptionError, match=message):
        Subscription.from_dict(obj)


def test_load_subscriptions_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "subs.jsonl"
    rows = [{"id": 1, "sectors": ["steel"], "hs_codes": ["7306"], "keywords": ["wire rod"],
             "markets": ["US"], "measures": ["AD"], "vietnam_roles": ["subject"],
             "min_severity": "medium", "all_sectors": False},
            {"id": "ministry", "all_sectors": True}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    subs = load_subscriptions_jsonl(path)
    assert [s.id for s in subs] == ["1", "ministry"]
    assert subs[0].to_dict()["hs_codes"] == ["7306"]
    assert Subscription.from_dict(subs[0].to_dict()) == subs[0]
    path.write_text(json.dumps(rows[0]) + "\n" + json.dumps({"id": "x", "min_severity": "x"}))
    with pytest.raises(SubscriptionError, match="line 2: min_severity"):
        load_subscriptions_jsonl(path)
    path.write_text(json.dumps(rows[0]) + "\n" + json.dumps(rows[0]))
    with pytest.raises(SubscriptionError, match="line 2: duplicate"):
        load_subscriptions_jsonl(path)
    path.write_text("{nope")
    with pytest.raises(SubscriptionError, match="line 1: invalid JSON"):
        load_subscriptions_jsonl(path)


def test_match_lines() -> None:
    subs = [Subscription("steel", {"steel"}), Subscription("kw", keywords=["wire rod"])]
    lines = [json.dumps(notice(title="Steel Wire Rod From Vietnam")), "",
             json.dumps(notice(id="n2", sectors=["shrimp"], hs_codes=[])), "{bad",
             json.dumps({"trade_remedy": True}), json.dumps(notice(id=3, sectors="steel"))]
    out = list(match_lines(lines, subs))
    assert [n for n, _, _ in out] == [1, 3, 4, 5, 6]
    first = out[0][1]
    assert first is not None and [(d["notice_id"], d["subscription_id"], d["severity"])
                                  for d in first] == [("n1", "steel", "high"), ("n1", "kw", "high")]
    assert isinstance(first[1]["reasons"], list) and json.dumps(first)
    assert out[1][1] == []
    assert out[2][2] is not None and out[2][2].startswith("line 4")
    assert out[3][2] is not None and "'id'" in out[3][2]
    assert out[4][2] is not None and "'sectors'" in out[4][2]


def test_hs_edition_split_matches_both_ways() -> None:
    solar_2022 = Subscription("s2022", hs_codes=["854142"])
    solar_2017 = Subscription("s2017", hs_codes=["854140"])
    analysis = {"id": "n", "trade_remedy": True, "market": "US", "vietnam": "subject",
                "measures": ["AD"], "stage": "initiation", "severity": "high",
                "hs_codes": ["8541400000"], "sectors": []}
    assert [m.subscription_id for m in naive_match(analysis, "", "", [solar_2022])] == ["s2022"]
    newer = analysis | {"hs_codes": ["8541430010"]}
    assert [m.subscription_id for m in naive_match(newer, "", "", [solar_2017])] == ["s2017"]
    other = analysis | {"hs_codes": ["8541300000"]}
    assert naive_match(other, "", "", [solar_2022]) == []
