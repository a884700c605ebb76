"""bench/products.py: the classifier measured on the workbook's real product names. Its split
keeps the development half the one looked at while tuning, and its arithmetic counts what
disagrees."""

from tests.bench_scripts import load_bench

products = load_bench("products")


def test_the_halves_hold_every_name_once_with_the_late_names_held_out() -> None:
    items = products.load_items()
    halves = products.halves(items)
    names = [i.name for half in halves.values() for i in half]
    assert len(names) == len(set(names)) == len(items) > 300
    assert all(any(not h.startswith("0") for h in i.headings) for i in halves["development"])
    late = [i for i in items if all(h.startswith("0") for h in i.headings)]
    assert late and set(late) <= set(halves["holdout"])
    assert {i.name for i in halves["development"]} == {
        i.name for i in products.halves(products.load_items())["development"]}  # seeded


def test_figures_count_what_disagrees() -> None:
    items = [products.Item("steel nails", frozenset({"7317"}), frozenset({"steel"})),
             products.Item("honey", frozenset({"0409"}), frozenset({"honey"})),
             products.Item("widgets", frozenset({"8479"}), frozenset({"machinery"}))]
    inferred = {"steel nails": "7317", "honey": "1702", "widgets": None}
    fig, errors = products.figures(items, inferred.get,
                                   lambda code: {"7317": "steel"}.get(code, "other"))
    assert fig["heading_accuracy"] == round(1 / 3, 4) and fig["no_code"] == 1
    assert fig["sector_accuracy"] == round(1 / 3, 4)
    assert [line.split(":")[0] for line in errors] == ["honey", "widgets"]
