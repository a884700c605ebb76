"""Backtest of the risk watch on the bundled US history, offline: precision at 10/20/50 and
recall at 50 of the model and two baselines, tuning quarters and held-out quarters apart.

Every quarter from 2005 on, the model is trained on what was known that day and ranks the HS
headings; a heading is a hit when a case on Vietnam opened on it within the next 24 months
(rules/risk_backtest.py). The last line is one JSON object: the model's precision at 20, the
best baseline's, the model's recall at 50 (all quarters), the quarters and the horizon.
`--tune` compares the regularisation on the tuning quarters only (never the held-out ones).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script, bench/ is sys.path[0], not the repository
    sys.path.insert(0, str(ROOT))

from rules.risk_backtest import (  # noqa: E402
    HORIZON_MONTHS,
    METHODS,
    TOP,
    Quarter,
    backtest,
    evaluation_quarters,
    periods,
    summarise,
)
from rules.risk_model import C  # noqa: E402
from rules.risk_records import CaseRecord, months_after  # noqa: E402
from storage.risk_history import bundled_records  # noqa: E402

TUNE_GRID = (0.1, 1.0, 10.0)
LABELS = {"model": "model (logistic regression)",
          "china_24m": "baseline: China case in last 24 months",
          "orders_in_force": "baseline: order in force"}


def table(quarters: Sequence[Quarter]) -> list[str]:
    lines = [f"{'period':<9} {'method':<40} {'quarters':>8} "
             + " ".join(f"{'P@' + str(k):>6}" for k in TOP)
             + f" {'R@50':>6} {'opened':>6} {'listed':>7}"]
    for name, part in periods(quarters).items():
        if not part:
            continue
        span = f"{part[0].cutoff:%Y-%m}..{part[-1].cutoff:%Y-%m}"
        for method in METHODS:
            s = summarise(part, method)
            lines.append(f"{name:<9} {LABELS[method]:<40} {s.quarters:>8} "
                         + " ".join(f"{s.precision[k]:>6.3f}" for k in TOP)
                         + f" {s.recall_at_50:>6.3f} {s.opened:>6} {s.listed:>7.1f}")
        lines.append(f"{'':<9} (cut-offs {span})")
    return lines


def tune(records: list[CaseRecord]) -> float:
    """The regularisation with the best precision at 20 on the tuning quarters alone."""
    quarters, _, held_from = evaluation_quarters(records)
    last_tuning = max(q for q in quarters if months_after(q, HORIZON_MONTHS) <= held_from)
    best = (-1.0, C)
    for c in TUNE_GRID:
        part = backtest(records, c=c, until=last_tuning)
        p20 = summarise([q for q in part if not q.held_out], "model").precision[20]
        print(f"tuning C={c:<5} precision at 20 on {len(part)} tuning quarters: {p20:.3f}")
        best = max(best, (p20, c))
    return best[1]


def run(c: float = C) -> dict[str, object]:
    started = time.monotonic()
    records = bundled_records()
    quarters = backtest(records, c=c)
    _, end, held_from = evaluation_quarters(records)
    print(f"risk watch backtest: {len(records)} cases in the bundled US history (to {end}), "
          f"horizon {HORIZON_MONTHS} months, C={c}")
    print(f"held out of all tuning: quarters whose window ends after {held_from} "
          "(the last three years of the data)")
    for line in table(quarters):
        print(line)
    model = summarise(quarters, "model")
    baseline = max(summarise(quarters, m).precision[20] for m in METHODS if m != "model")
    print(f"took {time.monotonic() - started:.1f} s")
    return {"precision_at_20": round(model.precision[20], 4),
            "baseline_precision_at_20": round(baseline, 4),
            "recall_at_50": round(model.recall_at_50, 4),
            "quarters": len(quarters), "horizon_months": HORIZON_MONTHS}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true",
                        help="choose C on the tuning quarters first (slower)")
    args = parser.parse_args(argv)
    c = tune(bundled_records()) if args.tune else C
    print(json.dumps(run(c)))


if __name__ == "__main__":
    main()
