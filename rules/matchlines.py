"""`trews match`: JSON lines of analysed notices in, one line per (notice, subscription) match out.

Each input line is an analysis object (the `trews analyse` output) that may also carry the
notice's "title" and "text", which keyword subscriptions are matched against (without them only
sectors and HS codes can match). Output objects: {"notice_id", "subscription_id", "severity",
"reasons"}; a notice with no match gives an empty list, a bad line an error naming the line.
Subscriptions come from a JSON-lines file (`rules.subscriptions.load_subscriptions_jsonl`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from rules.index import MatchIndex
from rules.subscriptions import Subscription, load_subscriptions_jsonl

__all__ = ["load_subscriptions_jsonl", "match_lines"]

_LIST_KEYS = ("measures", "sectors", "hs_codes", "countries")


def _check(obj: Any) -> str | None:
    """Why a parsed line is not an analysis, or None."""
    if not isinstance(obj, dict):
        return f"an analysis must be an object, not {type(obj).__name__}"
    notice_id = obj.get("id")
    if isinstance(notice_id, bool) or not isinstance(notice_id, str | int) or notice_id == "":
        return "field 'id' is required (the notice id)"
    for key in _LIST_KEYS:
        value = obj.get(key)
        if value is not None and not (
                isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return f"field {key!r} must be a list of strings"
    for key in ("title", "text", "market", "vietnam", "stage", "severity"):
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            return f"field {key!r} must be a string"
    return None


def match_lines(
    lines: Iterable[str], subscriptions: MatchIndex | Iterable[Subscription]
) -> Iterator[tuple[int, list[dict[str, Any]] | None, str | None]]:
    """(line number, matches, None) per analysis line, or (line number, None, error); blank
    lines are skipped. The index is built once (pass a MatchIndex to reuse one)."""
    index = subscriptions if isinstance(subscriptions, MatchIndex) else MatchIndex.build(
        subscriptions)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, None, f"line {number}: not JSON: {exc.msg}"
            continue
        error = _check(obj)
        if error is not None:
            yield number, None, f"line {number}: {error}"
            continue
        notice_id = str(obj["id"])
        yield number, [
            {"notice_id": notice_id, "subscription_id": m.subscription_id,
             "severity": m.severity, "reasons": list(m.reasons)}
            for m in index.match(obj)
        ], None
