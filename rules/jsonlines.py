"""JSON-lines driver: one input notice per line in, one analysis (or one error) per line out.

The CLI prints outputs in input order and errors on stderr naming the line, so a bad line never
stops a batch; blank lines are skipped.
"""

from collections.abc import Iterable, Iterator, Sequence

from config.sectors import Sector
from rules.analyse import analyse
from rules.json_input import json_lines
from rules.notice import NoticeError
from rules.sectors import SectorIndex, index_for


def analyse_lines(
    lines: Iterable[str | bytes], sectors: Sequence[Sector] | SectorIndex
) -> Iterator[tuple[int, dict[str, object] | None, str | None]]:
    """Yield (1-based line number, output dict or None, error or None) per non-blank line."""
    index = index_for(sectors)
    for number, notice, error in json_lines(lines):
        if error is not None:
            yield number, None, error
            continue
        try:
            yield number, analyse(notice, index).to_dict(), None
        except NoticeError as exc:
            yield number, None, f"line {number}: {exc}"
