"""JSON lines as the `trews` commands read them: a bad line is that line's error, never the run's.

Files come from people and other programs: saved by Windows tools (a byte-order mark before line
1), in another encoding, truncated, or hostile (nesting deep enough to exhaust the parser).
"""

import json
from collections.abc import Iterable, Iterator
from typing import Any

BOM = "\ufeff"


def json_lines(lines: Iterable[str | bytes]) -> Iterator[tuple[int, Any, str | None]]:
    """(1-based line number, value, None) per non-blank line, or (number, None, why): a line that
    is not UTF-8, not JSON or nested too deeply is that line's error, and the next lines are
    still read. Line 1 may open with the byte-order mark Windows tools write."""
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield number, None, (f"line {number}: not UTF-8 text (byte "
                                     f"{raw[exc.start]:#04x} at byte {exc.start + 1})")
                continue
        else:
            line = raw
        if number == 1:
            line = line.removeprefix(BOM)
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, None, f"line {number}: invalid JSON: {exc.msg} (column {exc.colno})"
            continue
        except RecursionError:
            yield number, None, f"line {number}: invalid JSON: nested too deeply"
            continue
        yield number, value, None
