"""Measure the HS product classifier on real product names with the codes an authority gave them:
the US anti-dumping cases of the Global Antidumping Database workbook (1980-2015), bundled for
the risk watch (storage/data/history/, read by storage/history_ttbd.py).

Usage: python bench/products.py [--show-errors N] (errors are listed for the development half)

Each distinct product name with HS codes is one item; its right headings are the four-digit
headings of all its cases' codes (codes of the tariff of the case's day: a few headings moved
since, which counts against the classifier). The names are split at random (seeded) into a
development half, which may be looked at while changing rules/products.py, and a hold-out half,
which is only measured. The split is the one drawn when the classifier was tuned in issue 16: over
the names with a code outside chapters 01-09 (the workbook writes those as numbers, the others as
text, which that first reading skipped), in the workbook's order; the names whose codes all lie in
chapters 01-09 were never looked at and join the hold-out. Figures per half: the share of names
whose inferred heading is one of theirs, the share whose sector (the configured sector of the
inferred heading, `other` when nothing is inferred) is one of theirs, and how many got no code,
with 95% intervals. The last line printed is one JSON object.

The same figures are printed for a list of Vietnamese names of goods as the trade writes them
(tests/fixtures/synthetic/synthetic_vi_product_names.tsv, written by the project and looked at:
a development check, as "vietnamese_names").
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
for _path in (BENCH.parent, BENCH):  # run as a script: the project and bench/ importable
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from evaluate import ratio, wilson  # noqa: E402

SEED = 20261206
VI_NAMES = BENCH.parent / "tests" / "fixtures" / "synthetic" / "synthetic_vi_product_names.tsv"


@dataclass(frozen=True)
class Item:
    """One product name and the headings and sectors its cases' codes give."""

    name: str
    headings: frozenset[str]
    sectors: frozenset[str]


def load_items() -> list[Item]:
    """The workbook's distinct product names with at least one HS code, in a seeded order."""
    from config import load_sectors
    from rules.sectors import index_for
    from storage.history_ttbd import read_gad

    sector = _sector_of(index_for(load_sectors()))
    headings: dict[str, set[str]] = {}  # in the workbook's order
    for record in read_gad().records:
        if record.product and record.hs_codes:
            headings.setdefault(record.product, set()).update(c[:4] for c in record.hs_codes)
    items = [Item(name, frozenset(found), frozenset(sector(h) for h in found))
             for name, found in headings.items()]
    drawn = [item for item in items if any(not h.startswith("0") for h in item.headings)]
    random.Random(SEED).shuffle(drawn)
    return drawn + [item for item in items if item not in drawn]


def vietnamese_items(path: Path = VI_NAMES) -> list[Item]:
    """The Vietnamese names and their headings (one per line, tab-separated; '#' comments)."""
    from config import load_sectors
    from rules.sectors import index_for

    sector = _sector_of(index_for(load_sectors()))
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    return [Item(name, frozenset({heading}), frozenset({sector(heading)}))
            for name, heading in rows]


def _sector_of(index: Any) -> Callable[[str], str]:
    from rules.sectors import OTHER

    def sector(code: str) -> str:
        hits = index.by_hs([code])
        return hits[0].sector if hits else OTHER
    return sector


def halves(items: Sequence[Item]) -> dict[str, list[Item]]:
    """The first half of the drawn names for development; the rest, and the names added after
    the draw (at the end of `items`), held out."""
    drawn = sum(1 for item in items if any(not h.startswith("0") for h in item.headings))
    return {"development": list(items[:drawn // 2]), "holdout": list(items[drawn // 2:])}


def figures(items: Sequence[Item], classify: Callable[[str], str | None],
            sector: Callable[[str], str]) -> tuple[dict[str, Any], list[str]]:
    """The figures of one half, and its disagreements as lines."""
    from rules.sectors import OTHER

    heading_right = sector_right = none = 0
    errors = []
    for item in items:
        heading = classify(item.name)
        none += heading is None
        heading_right += heading in item.headings
        sector_right += (sector(heading) if heading else OTHER) in item.sectors
        if heading not in item.headings:
            errors.append(f"{item.name}: {sorted(item.headings)} got {heading}")
    return {"names": len(items),
            "heading_accuracy": ratio(heading_right, len(items)),
            "heading_accuracy_ci": wilson(heading_right, len(items)),
            "sector_accuracy": ratio(sector_right, len(items)),
            "sector_accuracy_ci": wilson(sector_right, len(items)),
            "no_code": none}, errors


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show-errors", type=int, default=0, metavar="N",
                        help="list up to N disagreements of the development half")
    args = parser.parse_args(argv)
    from config import load_sectors
    from rules.products import classify_product
    from rules.sectors import index_for

    sector = _sector_of(index_for(load_sectors()))

    def classify(name: str) -> str | None:
        found = classify_product([name], group=sector)  # as the analysis groups them
        return found.heading if found else None

    result: dict[str, Any] = {}
    sets = halves(load_items()) | {"vietnamese_names": vietnamese_items()}
    for name, items in sets.items():
        fig, errors = figures(items, classify, sector)
        result[name] = fig
        print(f"== {name}: {fig['names']} product names")
        print(f"  heading {fig['heading_accuracy']} {fig['heading_accuracy_ci']}  sector "
              f"{fig['sector_accuracy']} {fig['sector_accuracy_ci']}  no code {fig['no_code']}")
        if name == "development":
            for line in errors[:args.show_errors]:
                print(f"    {line}")
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
