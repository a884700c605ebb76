"""The risk watch's model and backtest on the bundled history: no forecast may use a case dated
after its cut-off, counts come with the cases behind them, and the workbook is read as it is."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from rules.risk_backtest import backtest, forecast
from rules.risk_features import heading_features
from rules.risk_records import CaseRecord, as_known_on
from storage.history_ttbd import read_gad
from storage.risk_history import bundled_records

PLANTED_ON = date(2012, 5, 15)


@pytest.fixture(scope="module")
def records() -> list[CaseRecord]:
    return bundled_records()


def _planted() -> list[CaseRecord]:
    """A future China case with its order on the hangers' heading, a case on Vietnam on the
    mattresses' heading, and an old case whose order and revocation come after the date."""
    return [
        CaseRecord("US", "CN", "AD", "planted hangers", ("7326200071",), PLANTED_ON,
                   ordered_on=date(2012, 6, 1), number="A-570-999", ref="planted"),
        CaseRecord("US", "VN", "AD", "planted mattresses", ("9404291000",), PLANTED_ON,
                   ref="planted-vn"),
    ]


def test_a_planted_future_case_changes_no_forecast_before_its_date(records):
    before = backtest(records, first=date(2011, 7, 1), until=date(2012, 10, 1))
    after = backtest([*records, *_planted()], first=date(2011, 7, 1), until=date(2012, 10, 1))
    assert [q.cutoff for q in before] == [q.cutoff for q in after]
    earlier = [(b, a) for b, a in zip(before, after, strict=True) if b.cutoff < PLANTED_ON]
    later = [(b, a) for b, a in zip(before, after, strict=True) if b.cutoff >= PLANTED_ON]
    assert len(earlier) >= 3 and later
    for b, a in earlier:
        assert a.scored == b.scored, b.cutoff  # scores, ranks, counts and reasons
        assert a.rankings == b.rankings, b.cutoff
    # The plant is seen once its date has passed, so the comparison above could fail.
    assert any(a.scored != b.scored for b, a in later)
    # Its only trace before its date is the outcome the earlier forecasts are judged by.
    assert any(("US", "9404") in a.opened - b.opened for b, a in earlier)


def test_an_order_or_revocation_after_the_cutoff_is_not_known(records):
    case = CaseRecord("US", "CN", "AD", "wire", ("7217100000",), date(2008, 1, 1),
                      ordered_on=date(2009, 1, 1), revoked_on=date(2014, 1, 1), ref="x")
    assert as_known_on(case, date(2007, 12, 31)) is None
    on_2010 = as_known_on(case, date(2010, 1, 1))
    assert on_2010 is not None and on_2010.in_force(date(2010, 1, 1))
    assert on_2010.revoked_on is None  # the 2014 revocation was not known in 2010
    assert not as_known_on(case, date(2008, 6, 1)).in_force(date(2008, 6, 1))
    # A listed opening dated after the cut-off is blanked, so it counts as no recent case.
    late = replace(case, opened_on=date(2017, 1, 1), ordered_on=date(1990, 1, 1),
                   revoked_on=None)
    (features,) = [f for f in heading_features([late], date(2010, 1, 1)) if f.heading == "7217"]
    assert features.counts["china_cases_12m"] == 0 and features.counts["orders_in_force"] == 1


def test_counts_come_with_their_cases_and_recent_vietnam_cases_are_left_out():
    cases = [
        CaseRecord("US", "CN", "AD", "steel wire garment hangers", ("7326200020",),
                   date(2007, 7, 31), ordered_on=date(2008, 10, 6), number="A-570-918",
                   ref="A-570-918"),
        CaseRecord("US", "VN", "AD", "steel nails", ("7317006560",), date(2009, 6, 1),
                   ref="vn-nails"),
        CaseRecord("EU", "CN", "AD", "hangers", ("7326200000",), date(2009, 1, 1), ref="eu"),
        # Vietnam's own case on imports from China: evidence elsewhere, never a market at risk
        CaseRecord("VN", "CN", "AD", "móc treo", ("7326200000",), date(2009, 3, 1), ref="vn"),
    ]
    features = {(f.market, f.heading): f for f in heading_features(cases, date(2010, 1, 1))}
    assert ("US", "7317") not in features  # Vietnam has had a case there for under 24 months
    assert not any(market == "VN" for market, _ in features)
    hangers = features[("US", "7326")]
    assert hangers.counts["orders_in_force"] == 1
    assert hangers.counts["china_cases_36m"] == 1 and hangers.counts["china_cases_12m"] == 0
    assert hangers.counts["vietnam_related_60m"] == 1
    assert hangers.counts["other_markets_36m"] == 2
    assert [r.ref for r in hangers.evidence["orders_in_force"]] == ["A-570-918"]
    assert [r.ref for r in hangers.evidence["vietnam_related_60m"]] == ["vn-nails"]


def test_every_score_has_reasons_naming_real_cases(records):
    model, scored, _ = forecast(records, date(2011, 7, 1))
    assert not model.fallback and model.positives > 0
    top = [s for s in scored if s.market == "US"][:20]
    assert [s.rank for s in top] == list(range(1, 21))
    assert all(s.reasons and all(r.cases for r in s.reasons) for s in top)
    scores = [s.score for s in top]
    assert scores == sorted(scores, reverse=True)
    hangers = next(s for s in scored if s.heading == "7323")
    orders = next(r for r in hangers.reasons if r.feature == "orders_in_force")
    assert any(c.number == "A-570-918" and c.ordered_on and c.ordered_on.year == 2008
               for c in orders.cases)


def test_the_workbook_is_read_with_its_vietnam_cases_and_padded_codes():
    gad = read_gad()
    assert len(gad.records) == 1360 and not gad.rejected
    vietnam = {r.number for r in gad.records if r.origin == "VN"}
    assert len(vietnam) == 11 and {"A-552-801", "A-552-802", "A-552-818"} <= vietnam
    shrimp = next(r for r in gad.records if r.number == "A-552-802")
    assert shrimp.opened_on == date(2004, 1, 8)
    assert all(len(code) >= 4 for r in gad.records for code in r.hs_codes)
    # Chapter 03 codes lost their leading zero in the workbook's numbers; they are padded back.
    assert any(code.startswith("03") for r in gad.records for code in r.hs_codes)
    failed = [r for r in gad.records if r.ordered_on is None]
    assert len(failed) > 600  # cases that ended without a measure are there too


class RecordingFlows:
    """A stand-in import-statistics source for the interface's test: it says 1.0 for the
    hangers' heading and records every date it is asked about (no real figures exist here)."""

    names = ("vietnam_import_share",)

    def __init__(self) -> None:
        self.asked: list[date] = []

    def figures(self, market: str, heading: str, cutoff: date) -> dict[str, float]:
        self.asked.append(cutoff)
        return {"vietnam_import_share": 1.0 if heading == "7323" else 0.0}


def test_a_trade_flow_source_joins_the_features_and_sees_no_later_date(records):
    flows = RecordingFlows()
    model, scored, current = forecast(records, date(2011, 7, 1), flows=[flows])
    assert model.names[-1] == "vietnam_import_share" and len(model.weights) == len(model.names)
    assert flows.asked and max(flows.asked) == date(2011, 7, 1)
    hangers = next(f for f in current if f.heading == "7323")
    assert hangers.counts["vietnam_import_share"] == 1.0
    assert hangers.vector(model.names)[-1] == 1.0  # a figure, not a count: taken as it is


def test_a_case_takes_hs_codes_only_from_cases_known_by_its_day():
    """The CVD twin opened the same day takes its AD case's codes; a case listed without codes
    is not placed under a heading by what a later case of the same product says."""
    from storage.risk_history import share_codes

    old = CaseRecord("US", "CN", "AD", "Steel Nails", (), date(1995, 1, 1), ref="old")
    ad = CaseRecord("US", "CN", "AD", "Steel Nails", ("7317006560",), date(2007, 6, 1),
                    ref="ad")
    cvd = CaseRecord("US", "CN", "CVD", "steel nails", (), date(2007, 6, 1), ref="cvd")
    late = CaseRecord("US", "VN", "AD", "Steel nails", (), date(2014, 5, 29), ref="late")
    shared = {r.ref: r.hs_codes for r in share_codes([late, cvd, ad, old])}
    assert shared == {"old": (), "ad": ("7317006560",), "cvd": ("7317006560",),
                      "late": ("7317006560",)}


def test_a_workbook_case_joins_a_listed_case_only_on_its_origin_and_product():
    """The workbook's typing slips (a Ukrainian OCTG case under Belgium's citric acid number)
    must not put one product's codes under the other."""
    from storage.risk_history import join_gad

    listed = [CaseRecord("US", "BE", "AD", "Citric Acid and Certain Citrate Salts",
                         ("291814",), date(2017, 6, 30), number="A-423-813", ref="A-423-813")]
    slip = CaseRecord("US", "UA", "AD", "Oil Country Tubular Goods", ("7304213000",),
                      date(2002, 4, 5), number="A-423-813", ref="gad-slip")
    same = CaseRecord("US", "BE", "AD", "Citric Acid", ("291815",), date(2017, 6, 2),
                      number="A-423-813", ref="gad-same")
    joined = join_gad(listed, [slip, same])
    assert [(r.origin, r.hs_codes) for r in joined] == [
        ("BE", ("291814", "291815")), ("UA", ("7304213000",))]
