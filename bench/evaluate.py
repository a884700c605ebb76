"""Measure the rule engine against hand-labelled real Federal Register documents.

Usage: python bench/evaluate.py [--set NAME|all|development] [--show-errors N]

Sets: `fr_posts` and `fr_page_2024_01` (in the repository; the rules were written against them),
`fr_all_tuning` and `fr_all_holdout` (a seeded random sample of the unselected FR corpus in
../shared, bench/frall.py; the hold-out is measured, never read while changing rules: its errors
are never listed) and `fr_all_holdout_b` (a second draw, labelled later, only measured too). `all`
is the two repository sets, `development` the three fr_all sets; a set whose corpus is absent is
skipped, saying why.

The inputs are rebuilt from the real files each time (bench/labelled_sets.py), in the shape the
service gives `trews analyse`, and the engine is run through that public command
in a child process: what is measured is the contract subscribers depend on, not an internal
function. The labels (tests/fixtures/labels/, see its README.md) were written by reading each
document, not by running the rules. The last line printed is one JSON object with every figure, so
a script or a test can read it.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
INVOLVED = frozenset({"subject", "circumvention"})

for _path in (REPO, REPO / "bench"):
    if str(_path) not in sys.path:  # run as a script (bench/ is sys.path[0]) or imported
        sys.path.insert(0, str(_path))

from labelled_sets import GROUPS, HOLDOUTS, SETS, set_labels  # noqa: E402  (bench/ is on the path now)

# --- running the public command ------------------------------------------------------------------

def run_analyse(inputs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """`trews analyse -` in a child process from the repository root; one output per input."""
    stdin = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in inputs)
    done = subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", "analyse", "-"],
        input=stdin, capture_output=True, text=True, cwd=REPO, check=False,
    )
    outputs = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or len(outputs) != len(inputs):
        raise RuntimeError(f"trews analyse exited {done.returncode} with {len(outputs)} outputs "
                           f"for {len(inputs)} inputs: {done.stderr.strip()[-2000:]}")
    return outputs


# --- comparing -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One document: its set, the analyse input, the label and the engine's output."""
    set_name: str
    input: dict[str, Any]
    label: dict[str, Any]
    output: dict[str, Any]


def pair_cases(set_name: str, inputs: Sequence[dict[str, Any]],
               labels: Sequence[dict[str, Any]],
               outputs: Sequence[dict[str, Any]]) -> list[Case]:
    """Join by document id; every input must have exactly one label and vice versa, so a set
    that drifted from its data fails loudly instead of being measured on a subset."""
    by_id = {label["id"]: label for label in labels}
    input_ids = [item["id"] for item in inputs]
    if len(by_id) != len(labels) or set(by_id) != set(input_ids):
        missing, extra = set(input_ids) - set(by_id), set(by_id) - set(input_ids)
        raise ValueError(f"{set_name}: labels and inputs differ (unlabelled {sorted(missing)[:5]}, "
                         f"no input {sorted(extra)[:5]}, duplicate labels "
                         f"{len(labels) - len(by_id)})")
    return [Case(set_name, item, by_id[item["id"]], output)
            for item, output in zip(inputs, outputs, strict=True)]


def ratio(numerator: int, denominator: int) -> float | None:
    """A rate, or None when nothing was counted (printed as n/a rather than a fake 0 or 1)."""
    return round(numerator / denominator, 4) if denominator else None


def wilson(numerator: int, denominator: int, z: float = 1.96) -> list[float] | None:
    """The 95% Wilson score interval of a proportion: honest at 0/n and n/n, where the normal
    approximation says [1, 1] after a handful of successes."""
    if not denominator:
        return None
    p = numerator / denominator
    centre = (p + z * z / (2 * denominator)) / (1 + z * z / denominator)
    half = (z * math.sqrt(p * (1 - p) / denominator + z * z / (4 * denominator ** 2))
            / (1 + z * z / denominator))
    return [round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)]


def precision_recall(pairs: Iterable[tuple[bool, bool]]) -> dict[str, Any]:
    """Precision, recall and F1 of (expected, predicted) booleans, with the raw counts."""
    tp = fp = fn = 0
    for expected, predicted in pairs:
        tp += expected and predicted
        fp += predicted and not expected
        fn += expected and not predicted
    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    f1 = (round(2 * precision * recall / (precision + recall), 4)
          if precision and recall else (0.0 if precision is not None and recall is not None
                                        else None))
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn,
            "precision_ci": wilson(tp, tp + fp), "recall_ci": wilson(tp, tp + fn)}


def accuracy(pairs: Iterable[tuple[Any, Any]]) -> dict[str, Any]:
    """Share of (expected, predicted) pairs that are equal."""
    right = total = 0
    for expected, predicted in pairs:
        total += 1
        right += expected == predicted
    return {"accuracy": ratio(right, total), "right": right, "total": total}


def involved(role: Any) -> bool:
    """Vietnam is involved when it is a subject or a circumvention target."""
    return role in INVOLVED


@dataclass
class Report:
    """Every figure, plus the disagreements behind each, per field."""
    figures: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[tuple[Case, Any, Any]]] = field(default_factory=dict)

    def miss(self, name: str, case: Case, expected: Any, got: Any) -> None:
        self.errors.setdefault(name, []).append((case, expected, got))


def _as_set(values: Any) -> frozenset[str]:
    return frozenset(values or [])


def evaluate(cases: Sequence[Case]) -> Report:
    """Compare outputs with labels, field by field, as the issue's targets are stated:
    Vietnam involvement and new cases over every document; sectors over the Vietnam notices
    (where a wrong sector means a missed subscriber); measures, stage, proceeding and countries
    over the trade-remedy notices; alerts over the documents that are not trade remedies."""
    report = Report()
    fig = report.figures
    fig["documents"] = len(cases)

    trade = precision_recall(
        (c.label["trade_remedy"], bool(c.output.get("trade_remedy"))) for c in cases)
    vietnam = precision_recall(
        (involved(c.label["vietnam"]), involved(c.output.get("vietnam"))) for c in cases)
    new_case = precision_recall(
        (c.label["new_case"], bool(c.output.get("new_case"))) for c in cases)
    for name, counts in (("trade_remedy", trade), ("vietnam", vietnam), ("new_case", new_case)):
        fig[f"{name}_precision"], fig[f"{name}_recall"] = counts["precision"], counts["recall"]
        fig[f"{name}_labelled"] = counts["tp"] + counts["fn"]
        fig[f"{name}_precision_ci"] = counts["precision_ci"]
        fig[f"{name}_recall_ci"] = counts["recall_ci"]
    fig["vietnam_f1"] = vietnam["f1"]

    for case in cases:
        for name, key in (("trade_remedy", "trade_remedy"), ("new_case", "new_case")):
            if case.label[key] != bool(case.output.get(key)):
                report.miss(name, case, case.label[key], case.output.get(key))
        if involved(case.label["vietnam"]) != involved(case.output.get("vietnam")):
            report.miss("vietnam", case, case.label["vietnam"], case.output.get("vietnam"))

    on_vietnam = [c for c in cases if involved(c.label["vietnam"])]
    fig["vietnam_subject_labelled"] = sum(c.label["vietnam"] == "subject" for c in on_vietnam)
    fig["vietnam_circumvention_labelled"] = len(on_vietnam) - fig["vietnam_subject_labelled"]
    fig["vietnam_role_accuracy"] = accuracy(
        (c.label["vietnam"], c.output.get("vietnam")) for c in on_vietnam)["accuracy"]
    for case in on_vietnam:
        if involved(case.output.get("vietnam")) and case.label["vietnam"] != case.output["vietnam"]:
            report.miss("vietnam_role", case, case.label["vietnam"], case.output["vietnam"])

    fig["sector_accuracy_vietnam"] = accuracy(
        (_as_set(c.label["sectors"]), _as_set(c.output.get("sectors"))) for c in on_vietnam
    )["accuracy"]
    fig["sector_included_vietnam"] = ratio(
        sum(_as_set(c.label["sectors"]) <= _as_set(c.output.get("sectors")) for c in on_vietnam),
        len(on_vietnam))
    for case in on_vietnam:
        if _as_set(case.label["sectors"]) != _as_set(case.output.get("sectors")):
            report.miss("sectors", case, case.label["sectors"], case.output.get("sectors"))

    remedies = [c for c in cases if c.label["trade_remedy"]]
    right = sum(_as_set(c.label["sectors"]) == _as_set(c.output.get("sectors")) for c in remedies)
    fig["sector_accuracy_remedies"] = ratio(right, len(remedies))
    fig["sector_accuracy_remedies_ci"] = wilson(right, len(remedies))
    for case in remedies:
        if (_as_set(case.label["sectors"]) != _as_set(case.output.get("sectors"))
                and not involved(case.label["vietnam"])):
            report.miss("sectors", case, case.label["sectors"], case.output.get("sectors"))
    for name, as_value in (("measures", _as_set), ("stage", str), ("proceeding", str),
                           ("countries", _as_set)):
        fig[f"{name}_accuracy"] = accuracy(
            (as_value(c.label[name]), as_value(c.output.get(name))) for c in remedies
        )["accuracy"]
        for case in remedies:
            if as_value(case.label[name]) != as_value(case.output.get(name)):
                report.miss(name, case, case.label[name], case.output.get(name))

    others = [c for c in cases if not c.label["trade_remedy"]]
    fig["non_trade_documents"] = len(others)
    alerts = [c for c in others
              if c.output.get("trade_remedy") or c.output.get("vietnam") not in (None, "none")]
    fig["non_trade_alerts"] = len(alerts)
    for case in alerts:
        report.miss("non_trade_alerts", case, "no trade remedy, no Vietnam",
                    {"trade_remedy": case.output.get("trade_remedy"),
                     "vietnam": case.output.get("vietnam")})
    return report


# --- printing ------------------------------------------------------------------------------------

FIELD_ORDER = ("vietnam", "vietnam_role", "trade_remedy", "new_case", "sectors", "measures",
               "stage", "proceeding", "countries", "non_trade_alerts")


def _show(value: Any) -> str:
    return "n/a" if value is None else f"{value:.4f}" if isinstance(value, float) else str(value)


def _ci(interval: list[float] | None) -> str:
    return f"[{interval[0]:.3f}, {interval[1]:.3f}]" if interval else ""


def _pr(figures: dict[str, Any], name: str) -> str:
    """'precision P [lo, hi]  recall R [lo, hi]' with the 95% intervals."""
    return (f"precision {_show(figures[f'{name}_precision'])} "
            f"{_ci(figures[f'{name}_precision_ci'])}  recall {_show(figures[f'{name}_recall'])} "
            f"{_ci(figures[f'{name}_recall_ci'])}")


def render(report: Report, show_errors: int = 0) -> str:
    """The human-readable table, then (optionally) disagreements, then the JSON line last."""
    f = report.figures
    lines = [
        f"documents: {f['documents']}  (trade remedies labelled {f['trade_remedy_labelled']}, "
        f"Vietnam {f['vietnam_labelled']} = subject {f['vietnam_subject_labelled']} + "
        f"circumvention {f['vietnam_circumvention_labelled']}, new cases {f['new_case_labelled']})",
        f"vietnam involved   {_pr(f, 'vietnam')}  F1 {_show(f['vietnam_f1'])}   role accuracy "
        f"{_show(f['vietnam_role_accuracy'])}",
        f"trade_remedy       {_pr(f, 'trade_remedy')}",
        f"new_case           {_pr(f, 'new_case')}",
        f"sectors (Vietnam)  exact {_show(f['sector_accuracy_vietnam'])}  labelled sector "
        f"included {_show(f['sector_included_vietnam'])}   on trade remedies exact "
        f"{_show(f['sector_accuracy_remedies'])} {_ci(f['sector_accuracy_remedies_ci'])}",
        f"on trade remedies  measures {_show(f['measures_accuracy'])}  stage "
        f"{_show(f['stage_accuracy'])}  proceeding {_show(f['proceeding_accuracy'])}  countries "
        f"{_show(f['countries_accuracy'])}",
        f"non-trade alerts   {f['non_trade_alerts']} of {f['non_trade_documents']} documents",
    ]
    if show_errors:
        for name in FIELD_ORDER:
            misses = report.errors.get(name, [])
            if not misses:
                continue
            lines.append(f"\n{name}: {len(misses)} disagreement(s)")
            for case, expected, got in misses[:show_errors]:
                lines.append(f"  {case.set_name}/{case.label['id']}  {case.input['title'][:110]}")
                lines.append(f"      expected {json.dumps(expected)}  got {json.dumps(got)}")
    lines.append(json.dumps(report.figures, sort_keys=True))
    return "\n".join(lines)


def cases_for(names: Sequence[str]) -> list[Case]:
    """Build inputs, run the engine and pair with labels for each named set."""
    cases: list[Case] = []
    for name in names:
        labelled = SETS[name]
        inputs = labelled.build_inputs()
        cases += pair_cases(name, inputs, set_labels(labelled), run_analyse(inputs))
    return cases


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=[*SETS, *GROUPS], default="all")
    parser.add_argument("--show-errors", type=int, default=0, metavar="N",
                        help="list up to N disagreements per field")
    args = parser.parse_args(argv)
    names = GROUPS.get(args.set, [args.set])
    available = []
    for name in names:
        why = SETS[name].unavailable()
        if why:
            print(f"{name}: skipped, {why}")
        else:
            available.append(name)
    if not available:
        print(json.dumps({"documents": 0, "skipped": names}))
        return 0
    cases = cases_for(available)
    by_set = {}
    if len(available) > 1:  # each set apart first: a tuning set and a hold-out never pooled
        for name in available:
            report = evaluate([c for c in cases if c.set_name == name])
            by_set[name] = report.figures
            print(f"== {name}")
            print(render(report, 0 if name in HOLDOUTS else args.show_errors)
                  .rsplit("\n", 1)[0])
        print(f"== together: {', '.join(available)}")
    report = evaluate(cases)
    report.figures["by_set"] = by_set
    print(render(report, 0 if HOLDOUTS & set(available) else args.show_errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
