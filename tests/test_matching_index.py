"""The index returns exactly what the naive per-subscription loop returns, as groups and as
matches: groups expand to the naive matches, their members are disjoint and their reasons
distinct."""

from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.match import generate_notices, generate_subscriptions
from rules.index import MatchGroup, MatchIndex
from rules.matching import Match, naive_match
from rules.subscriptions import Subscription


def expand(groups: list[MatchGroup]) -> list[Match]:
    """The matches groups stand for, in subscription order; checks the group invariants: members
    non-empty and disjoint, one severity, reasons distinct, len/positions/ids consistent."""
    at: dict[int, Match] = {}
    for group in groups:
        positions = group.positions()
        assert positions, group
        assert positions == sorted(set(positions))
        assert len(group) == len(positions)
        assert len(group.ids()) == len(positions)
        for pos, sub_id in zip(positions, group.ids(), strict=True):
            assert pos not in at, f"{sub_id} in two groups"
            at[pos] = Match(sub_id, group.severity, group.reasons)
    assert len({g.reasons for g in groups}) == len(groups), "two groups with the same reasons"
    assert len({g.severity for g in groups}) <= 1
    return [at[pos] for pos in sorted(at)]


def check(index: MatchIndex, subs: list[Subscription], notice: dict[str, Any]) -> list[Match]:
    expected = naive_match(notice, subscriptions=subs)
    assert expand(index.match_groups(notice)) == expected, notice.get("id")
    assert index.match(notice) == expected
    assert index.count(notice) == len(expected)
    return expected


# every HS/keyword posting a bitset (1), or every one a position list (a big threshold): both
# ways of forming evidence groups
DENSE = pytest.mark.parametrize("dense", [1, 10**9])


@DENSE
def test_generated_population_groups_equal_naive(dense: int) -> None:
    subs = generate_subscriptions(2_000, seed=5)
    notices = generate_notices(200, seed=6)
    with mock.patch("rules.bitsets._DENSE", dense):
        index = MatchIndex.build(subs)
    total = groups = 0
    for notice in notices:
        total += len(check(index, subs, notice))
        groups += len(index.match_groups(notice))
    assert total > 1_000  # the population does match
    assert groups < total / 5  # ... and matches share reasons


def test_sector_subscribers_share_one_group_evidence_keeps_its_own() -> None:
    subs = [Subscription("a", {"steel"}), Subscription("b", {"shrimp"}),
            Subscription("c", {"steel"}), Subscription("d", {"steel"}, markets=["US"]),
            Subscription("e", {"steel"}, hs_codes=["7306"]),
            Subscription("f", {"steel"}, hs_codes=["730630", "7306"], keywords=["wire rod"]),
            Subscription("g", hs_codes=["7306", "730630"]),
            Subscription("h", {"steel"})]
    notice = {"id": "n", "trade_remedy": True, "market": "US", "vietnam": "subject",
              "measures": ["AD"], "stage": "preliminary", "hs_codes": ["7306301000"],
              "sectors": ["steel"], "severity": "high", "title": "Steel Wire Rod", "text": ""}
    index = MatchIndex.build(subs)
    check(index, subs, notice)
    by_ids = {tuple(g.ids()): g for g in index.match_groups(notice)}
    assert set(by_ids) == {("a", "c", "h"), ("d",), ("e",), ("f",), ("g",)}
    assert by_ids["a", "c", "h"].reasons[1] == "product: sector steel"
    assert "market US is among the subscribed markets" in by_ids["d",].reasons
    assert by_ids["f",].reasons[1] == (
        "product: sector steel; HS 7306301000 in the notice falls under subscribed 730630; "
        "HS 7306301000 in the notice falls under subscribed 7306; keyword 'wire rod' in the "
        "notice")
    assert by_ids["g",].reasons[1] == (  # its own order of codes, not f's
        "product: HS 7306301000 in the notice falls under subscribed 7306; "
        "HS 7306301000 in the notice falls under subscribed 730630")


def test_no_groups_for_a_notice_that_matches_nobody() -> None:
    index = MatchIndex.build([Subscription("a", {"steel"})])
    assert index.match_groups({"trade_remedy": False, "sectors": ["steel"]}) == []
    assert index.match_groups({"trade_remedy": True, "vietnam": "subject",
                               "sectors": ["shrimp"]}) == []
    assert MatchIndex.build([]).match_groups({"trade_remedy": True, "vietnam": "subject",
                                              "sectors": ["steel"]}) == []


SECTORS = ["steel", "shrimp", "wood_furniture", "paper"]
CODES = ["73", "7306", "730630", "7306301000", "7307", "0306", "030617", "4412", "48"]
WORDS = ["wire rod", "tôm", "gỗ dán", "plywood", "nail", "go", "tom", "Shrimp", "shrimp"]
TEXTS = ["Steel Wire Rod From Vietnam", "xuat khau tom dong lanh", "Tôm và gỗ dán",
         "Hardwood Plywood; nails", "Duties go into effect", "Tom Ford", "Shrimp", ""]

subscription = st.builds(
    lambda i, sectors, codes, words, markets, measures, roles, sev, every: Subscription(
        f"s{i}", sectors, hs_codes=codes, keywords=words, markets=markets, measures=measures,
        vietnam_roles=roles, min_severity=sev, all_sectors=every),
    st.integers(0, 10**6), st.sets(st.sampled_from(SECTORS), max_size=2),
    st.lists(st.sampled_from(CODES), max_size=3), st.lists(st.sampled_from(WORDS), max_size=2),
    st.sets(st.sampled_from(["US", "EU", "IN"]), max_size=2),
    st.sets(st.sampled_from(["AD", "CVD", "SG"]), max_size=2),
    st.sampled_from([["subject"], ["subject", "circumvention"],
                     ["subject", "circumvention", "diversion"], ["diversion"]]),
    st.sampled_from(["low", "medium", "high"]), st.sampled_from([False] * 30 + [True]),
)

analysis = st.fixed_dictionaries({
    "id": st.just("n"), "trade_remedy": st.booleans(),
    "market": st.sampled_from(["US", "EU", "IN", "VN", None]),
    "vietnam": st.sampled_from(["subject", "circumvention", "none"]),
    "countries": st.lists(st.sampled_from(["VN", "CN", "TH"]), max_size=2),
    "measures": st.lists(st.sampled_from(["AD", "CVD", "SG"]), max_size=2, unique=True),
    "stage": st.sampled_from(["initiation", "preliminary", "order", "review"]),
    "new_case": st.booleans(), "hs_codes": st.lists(st.sampled_from(CODES + ["7306309000"]),
                                                     max_size=3),
    "sectors": st.lists(st.sampled_from(SECTORS + ["other"]), max_size=2, unique=True),
    "severity": st.sampled_from(["low", "medium", "high", None]),
    "title": st.sampled_from(TEXTS), "text": st.sampled_from(TEXTS),
})


@settings(max_examples=300, deadline=None)
@given(subs=st.lists(subscription, max_size=12, unique_by=lambda s: s.id), notice=analysis,
       dense=st.sampled_from([1, 2, 10**9]))
def test_groups_equal_naive(subs: list[Subscription], notice: dict[str, Any],
                            dense: int) -> None:
    with mock.patch("rules.bitsets._DENSE", dense):
        index = MatchIndex.build(subs)
    check(index, subs, notice)


@settings(max_examples=100, deadline=None)
@given(subs=st.lists(st.sampled_from([
    Subscription("a", {"steel"}), Subscription("b", {"steel"}, markets=["US"]),
    Subscription("c", {"steel", "paper"}, min_severity="medium"),
    Subscription("d", all_sectors=True), Subscription("e", {"steel"}, measures=["AD"]),
]), max_size=40).map(lambda subs: [Subscription(f"{s.id}{i}", s.sectors, markets=s.markets,
                                                measures=s.measures, min_severity=s.min_severity,
                                                all_sectors=s.all_sectors)
                                   for i, s in enumerate(subs)]),
       notice=analysis)
def test_sector_groups_are_one_per_profile(subs: list[Subscription],
                                           notice: dict[str, Any]) -> None:
    """Without HS or keyword evidence, subscriptions of the same profile share one group."""
    index = MatchIndex.build(subs)
    groups = index.match_groups(notice)
    expected = check(index, subs, notice)
    assert len(groups) == len({m.reasons for m in expected})
