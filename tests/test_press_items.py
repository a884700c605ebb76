"""The press items (tests/fixtures/synthetic/synthetic_press_items.jsonl) and bench/press.py:
the items are well formed and split in halves, the bench's arithmetic, and the tuning half as a
regression check (the rules were changed looking at it: its figures are not results)."""

from tests.bench_scripts import load_bench

STAGES = {"petition", "initiation", "preliminary", "final", "order", "continuation",
          "revocation", "termination", "rescission", "results", "court_decision", "other"}


press = load_bench("press")


def test_items_are_well_formed_and_split_in_halves() -> None:
    items = press.load_items()
    assert len(items) >= 100 and len({i["id"] for i in items}) == len(items)
    halves = [sum(i["split"] == s for i in items) for s in ("tuning", "holdout")]
    assert abs(halves[0] - halves[1]) <= 1
    for item in items:
        expected = item["expected"]
        assert expected["vietnam"] in {"subject", "circumvention", "none"}
        assert expected["stage"] in STAGES and set(expected["measures"]) <= {"AD", "CVD", "SG"}
        assert not (expected["new_case"] and not expected["trade_remedy"])


def test_figures_count_what_disagrees() -> None:
    item = {"id": "a", "title": "t", "expected": {
        "trade_remedy": True, "vietnam": "subject", "new_case": True, "market": "US",
        "measures": ["AD"], "stage": "initiation", "hs_heading": "7604"}}
    right = {"trade_remedy": True, "vietnam": "subject", "new_case": True, "market": "US",
             "measures": ["AD"], "stage": "initiation", "hs_codes": [], "hs_inferred": ["760410"]}
    wrong = right | {"vietnam": "none", "market": "IN", "hs_inferred": []}
    fig, errors = press.figures([(item, right), (item | {"id": "b"}, wrong)])
    assert fig["vietnam_recall"] == 0.5 and fig["market_accuracy"] == 0.5
    assert fig["hs_heading_accuracy"] == 0.5 and fig["stage_accuracy"] == 1.0
    assert [line.split(":")[0] for line in errors["vietnam"]] == ["b"]


def test_tuning_half_regression() -> None:
    items = [i for i in press.load_items() if i["split"] == "tuning"]
    outputs = press.run_analyse([press.as_input(i) for i in items])
    fig, _ = press.figures(list(zip(items, outputs, strict=True)))
    assert fig["vietnam_recall"] >= 0.97 and fig["vietnam_precision"] >= 0.95, fig
    assert fig["new_case_recall"] >= 0.95 and fig["trade_remedy_precision"] >= 0.95, fig
    assert fig["market_accuracy"] >= 0.9 and fig["measures_accuracy"] >= 0.9, fig
