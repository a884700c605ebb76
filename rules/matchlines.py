"""`trews match`: JSON lines of analysed notices in, one line per (notice, subscription) match out.

Each input line is an analysis object (the `trews analyse` output) that may also carry the
notice's "title" and "text", which keyword subscriptions are matched against (without them only
sectors and HS codes can match). Output objects: {"notice_id", "subscription_id", "severity",
"reasons"}; a notice with no match gives an empty list, a bad line an error naming the line.
Subscriptions come from a JSON-lines file (`rules.subscriptions.load_subscriptions_jsonl`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from rules.index import MatchIndex
from rules.json_input import json_lines
from rules.subscriptions import (
    MEASURES,
    SEVERITIES,
    Subscription,
    load_subscriptions_jsonl,
)

__all__ = ["load_subscriptions_jsonl", "match_lines"]

_LIST_KEYS = ("measures", "sectors", "hs_codes", "countries")
# The `trews analyse` contract's vocabularies (README): a value outside them is a wrong input,
# not a notice that matches nothing.
_VOCABULARIES: dict[str, frozenset[str]] = {
    "vietnam": frozenset({"subject", "circumvention", "none"}),
    "severity": frozenset(SEVERITIES),
    "stage": frozenset({"petition", "initiation", "preliminary", "final", "order",
                        "continuation", "revocation", "termination", "rescission", "results",
                        "court_decision", "other"}),
}
_MARKET_RE = re.compile(r"[A-Z]{2}")


def _check(obj: Any, sector_ids: frozenset[str] | None) -> str | None:
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
    return _check_values(obj, sector_ids)


def _check_values(obj: dict[str, Any], sector_ids: frozenset[str] | None) -> str | None:
    """Why a well-typed analysis holds a value outside the contract's vocabularies, or None."""
    if obj.get("trade_remedy") is not None and not isinstance(obj["trade_remedy"], bool):
        return "field 'trade_remedy' must be true or false"
    for key, allowed in _VOCABULARIES.items():
        if obj.get(key) is not None and obj[key] not in allowed:
            return f"field {key!r} must be one of {', '.join(sorted(allowed))}, not {obj[key]!r}"
    market = obj.get("market")
    if market is not None and not _MARKET_RE.fullmatch(market):
        return f"field 'market' must be an ISO alpha-2 code or EU, not {market!r}"
    unknown = sorted(set(obj.get("measures") or ()) - set(MEASURES))
    if unknown:
        return f"field 'measures' holds unknown measure(s) {', '.join(unknown)}"
    unknown = sorted(set(obj.get("sectors") or ()) - sector_ids) if sector_ids else []
    if unknown:
        return f"field 'sectors' holds unknown sector id(s) {', '.join(unknown)}"
    return None


def match_lines(
    lines: Iterable[str | bytes], subscriptions: MatchIndex | Iterable[Subscription],
    sector_ids: frozenset[str] | None = None,
) -> Iterator[tuple[int, list[dict[str, Any]] | None, str | None]]:
    """(line number, matches, None) per analysis line, or (line number, None, error); blank
    lines are skipped. The index is built once (pass a MatchIndex to reuse one); `sector_ids`,
    when given, are the sectors an analysis may name."""
    index = subscriptions if isinstance(subscriptions, MatchIndex) else MatchIndex.build(
        subscriptions)
    for number, obj, error in json_lines(lines):
        problem = _check(obj, sector_ids) if error is None else None
        if error is not None or problem is not None:
            yield number, None, error or f"line {number}: {problem}"
            continue
        notice_id = str(obj["id"])
        yield number, [
            {"notice_id": notice_id, "subscription_id": m.subscription_id,
             "severity": m.severity, "reasons": list(m.reasons)}
            for m in index.match(obj)
        ], None
