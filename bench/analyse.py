"""Benchmark of the rule engine's analysis, with the HS product classifier and without it.

Times `rules.analyse.analyse` in process on the real notices in the repository, as `trews
analyse` and the service call it: the 1,000 documents of the FR API page of January 2024 (of
every agency, 51 trade remedies: most notices end at the trade-remedy test) and the 300 FR
trade-remedy posts (every one goes through the whole analysis, the product classifier included).
The baseline, measured in the same run on the same notices, is the analysis with the classifier
switched off (no inferred HS code: the analysis before issue 16). The HS index is built once per
process, as the service does; its build time is printed apart. The target is 1,000 notices/s.
The last printed line is one JSON object.
Run: `.venv/bin/python bench/analyse.py [--repeat N]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

BENCH = Path(__file__).resolve().parent
for _path in (BENCH.parent, BENCH):  # run as a script: the project and bench/ importable
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from labelled_sets import inputs_from_fr_page, inputs_from_posts  # noqa: E402

from config import load_sectors  # noqa: E402
from rules import notice_sectors  # noqa: E402
from rules.analyse import analyse  # noqa: E402
from rules.products import product_index  # noqa: E402
from rules.sectors import index_for  # noqa: E402


def passes(notices: Sequence[dict[str, Any]], run: Callable[[dict[str, Any]], Any],
           repeat: int) -> float:
    """The median time of `repeat` passes over the notices, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for notice in notices:
            run(notice)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="passes per set; the median counts")
    args = parser.parse_args(argv)
    sectors = index_for(load_sectors())
    start = time.perf_counter()
    product_index()
    build_s = time.perf_counter() - start
    print(f"HS index built in {build_s:.2f} s (once per process)")
    figures: dict[str, Any] = {"index_build_s": round(build_s, 3), "repeat": args.repeat}
    for name, notices in (("fr_page_2024_01", inputs_from_fr_page()),
                          ("fr_posts", inputs_from_posts())):
        with_classifier = passes(notices, lambda n: analyse(n, sectors), args.repeat)
        with mock.patch.object(notice_sectors, "classify_product", lambda *_, **__: None):
            without = passes(notices, lambda n: analyse(n, sectors), args.repeat)
        rate, base = len(notices) / with_classifier, len(notices) / without
        inferred = sum(bool(analyse(n, sectors).hs_inferred) for n in notices)
        print(f"{name}: {len(notices)} notices, {inferred} with an inferred HS code: "
              f"{rate:,.0f} notices/s with the classifier, {base:,.0f} without "
              f"(ratio {rate / base:.2f})")
        figures[name] = {"notices": len(notices), "inferred": inferred,
                         "notices_per_s": round(rate, 1),
                         "baseline_notices_per_s": round(base, 1),
                         "ratio": round(rate / base, 3)}
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
