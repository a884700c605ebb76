"""Measure the rule engine on Vietnamese press items and foreign authorities' English, written for
the project after reading real press (tests/fixtures/synthetic/synthetic_press_items.jsonl, and
batches by a third to a thirteenth author in synthetic_press_items_b3.jsonl to _b13.jsonl).

Usage: python bench/press.py [--show-errors N]   (errors are listed for the splits already read:
the tuning half and batches 3 to 12; never for the hold-out half or batch 13)

Runs `trews analyse` on every item as a news publisher's notice (no market: the text names it)
and compares with the item's `expected`: Vietnam involved (subject or circumvention) precision and
recall, new-case recall, and over the trade remedies the market, measures, stage, HS heading
(stated or inferred), the sector (that of the expected heading, where sectors do not divide it)
and the event date the text states, for the tuning half, the hold-out half and each later batch
apart, with counts and 95% intervals. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
for _path in (BENCH.parent, BENCH):  # run as a script: the project and bench/ importable
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from evaluate import involved, precision_recall, ratio, run_analyse, wilson  # noqa: E402

SYNTHETIC = BENCH.parent / "tests" / "fixtures" / "synthetic"
ITEMS = SYNTHETIC / "synthetic_press_items.jsonl"
# Later authors' batches, numbered from 3, each written after a round's rules were set and
# measured once as a whole (its own split, "batch<n>"); a batch is read, and becomes development
# data, the round after it was measured. Batches after LAST_READ are not read yet.
LAST_BATCH = 13
LAST_READ = 12
_LATER = range(3, LAST_BATCH + 1)
BATCHES = (ITEMS, *(SYNTHETIC / f"synthetic_press_items_b{n}.jsonl" for n in _LATER))
SPLITS = ("tuning", "holdout", *(f"batch{n}" for n in _LATER))
READ = ("tuning", *(f"batch{n}" for n in _LATER if n <= LAST_READ))
FIELDS = ("market", "measures", "stage", "sectors", "hs_heading", "event_date")


def load_items(paths: Sequence[Path] = BATCHES) -> list[dict[str, Any]]:
    """The items of every batch, comment lines skipped."""
    return [json.loads(line) for path in paths
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def as_input(item: dict[str, Any]) -> dict[str, Any]:
    return {"id": item["id"], "market": None, "source": "news", "title": item["title"],
            "text": item["text"], "published": item["published"], "url": ""}


def heading(output: dict[str, Any]) -> str | None:
    """The HS heading the analysis gives: the first stated code's, else the inferred one's."""
    codes = output.get("hs_codes") or output.get("hs_inferred") or []
    return codes[0][:4] if codes and len(codes[0]) >= 4 else None


def got(field: str, output: dict[str, Any]) -> Any:
    if field in ("measures", "sectors"):
        return sorted(output.get(field) or [])
    return heading(output) if field == "hs_heading" else output.get(field)


def wanted(field: str, expected: dict[str, Any]) -> Any:
    if field == "sectors":  # the sector of the product's HS heading (DOMAIN.md section 4)
        heading = expected.get("hs_heading")
        return [sector_of(heading)] if heading and not split_heading(heading) else None
    return sorted(expected["measures"]) if field == "measures" else expected.get(field)


@cache  # the sector list is loaded and indexed once per heading, not once per item and field
def split_heading(heading: str) -> bool:
    """True when sectors divide the heading (0306: shrimp or other seafood; 8541: solar or
    machinery): its sector is not known from the heading alone, so it is not scored."""
    from config import load_sectors

    return any(len(code) > len(heading) and code.startswith(heading)
               for sector in load_sectors() for code in sector.hs)


@cache
def sector_of(heading: str) -> str:
    """The configured sector whose HS scope holds a heading, else other."""
    from config import load_sectors
    from rules.sectors import OTHER, index_for

    hits = index_for(load_sectors()).by_hs([heading])
    return hits[0].sector if hits else OTHER


def figures(pairs: Sequence[tuple[dict[str, Any], dict[str, Any]]]
            ) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The figures of (item, output) pairs, and the ids behind each disagreement."""
    errors: dict[str, list[str]] = {}

    def miss(name: str, item: dict[str, Any], detail: Any) -> None:
        errors.setdefault(name, []).append(f"{item['id']}: {detail}  | {item['title'][:90]}")

    fig: dict[str, Any] = {"items": len(pairs)}
    for name, key in (("vietnam", "vietnam"), ("new_case", "new_case"),
                      ("trade_remedy", "trade_remedy")):
        def flag(value: Any, key: str = key) -> bool:
            return involved(value) if key == "vietnam" else bool(value)
        counts = precision_recall((flag(i["expected"][key]), flag(o.get(key))) for i, o in pairs)
        fig[f"{name}_precision"], fig[f"{name}_recall"] = counts["precision"], counts["recall"]
        fig[f"{name}_labelled"] = counts["tp"] + counts["fn"]
        fig[f"{name}_recall_ci"] = counts["recall_ci"]
        for item, output in pairs:
            if flag(item["expected"][key]) != flag(output.get(key)):
                miss(name, item, f"expected {item['expected'][key]} got {output.get(key)}")
    remedies = [(i, o) for i, o in pairs if i["expected"]["trade_remedy"]]
    for field in FIELDS:
        scored = [(i, o) for i, o in remedies if wanted(field, i["expected"]) is not None]
        right = 0
        for item, output in scored:
            if got(field, output) == wanted(field, item["expected"]):
                right += 1
            else:
                miss(field, item, f"expected {wanted(field, item['expected'])} "
                                  f"got {got(field, output)}")
        fig[f"{field}_accuracy"] = ratio(right, len(scored))
        fig[f"{field}_accuracy_ci"] = wilson(right, len(scored))
        fig[f"{field}_scored"] = len(scored)
    return fig, errors


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show-errors", type=int, default=0, metavar="N",
                        help="list up to N disagreements per field of the splits already read")
    args = parser.parse_args(argv)
    items = load_items()
    outputs = run_analyse([as_input(item) for item in items])
    result: dict[str, Any] = {}
    for split in SPLITS:
        pairs = [(i, o) for i, o in zip(items, outputs, strict=True) if i["split"] == split]
        fig, errors = figures(pairs)
        result[split] = fig
        print(f"== {split}: {fig['items']} items")
        for name in ("vietnam", "new_case", "trade_remedy"):
            print(f"  {name:13s} precision {fig[f'{name}_precision']}  recall "
                  f"{fig[f'{name}_recall']} ({fig[f'{name}_labelled']} labelled)")
        print("  " + "  ".join(f"{field} {fig[f'{field}_accuracy']} ({fig[f'{field}_scored']})"
                               for field in FIELDS))
        if split in READ and args.show_errors:
            for name, lines in errors.items():
                print(f"  {name}: {len(lines)}")
                for line in lines[:args.show_errors]:
                    print(f"    {line}")
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
