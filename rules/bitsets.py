"""Sets of subscriptions as the match index keeps them: bitsets (a Python int, bit i =
subscription i) for long postings, ascending position lists for short ones; keyword automata
(Aho-Corasick); and the match groups built from them (see rules/index.py for how they are used).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import ahocorasick

from rules.match_reasons import Reason

_DENSE = 64  # postings at least this long are kept as bitsets, shorter ones as position lists
_NONZERO = bytes([0] + [1] * 255)  # bytes.translate table: which bytes of a bitset hold members
_BITS = [tuple(b for b in range(8) if byte >> b & 1) for byte in range(256)]  # set bits of a byte

Posting = int | list[int]  # a bitset, or ascending positions for a short posting


def bits_of(indices: Iterable[int], nbytes: int) -> int:
    """Bitset (int) of subscription indices."""
    buf = bytearray(nbytes)
    for i in indices:
        buf[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buf, "little")


def indices_of(bits: int) -> list[int]:
    """Set bits of a bitset, ascending. The non-empty bytes are found in C (translate, find), so
    the Python work follows the members, not the population: groups are often sparse."""
    raw = bits.to_bytes((bits.bit_length() + 7) >> 3, "little")
    find = raw.translate(_NONZERO).find
    out: list[int] = []
    add = out.append
    pos = find(1)
    while pos >= 0:
        base = pos << 3
        for bit in _BITS[raw[pos]]:
            add(base + bit)
        pos = find(1, pos + 1)
    return out


def as_posting(members: list[int], nbytes: int) -> Posting:
    return bits_of(members, nbytes) if len(members) >= _DENSE else members


def automaton(keys: Iterable[str]) -> Any:
    auto = ahocorasick.Automaton()
    for key in keys:
        auto.add_word(key, key)
    if len(auto):
        auto.make_automaton()
    return auto


def found_keys(auto: Any, haystack: str) -> set[str]:
    if not len(auto):
        return set()
    return {key for _, key in auto.iter(haystack)}


class MatchGroup:
    """Subscriptions that match one notice for the same reasons at the same severity.

    `members` is what the index computed, compact either way: a bitset (bit i = the index's
    subscription i) for the groups formed by bitset operations, or the ascending positions for
    the small groups formed one subscription at a time (a list of a few positions is far smaller
    than a bitset spanning the population). `positions()`, `ids()` and `len()` read both.
    """

    __slots__ = ("_ids", "members", "reasons", "severity")

    def __init__(self, severity: str, reasons: tuple[Reason, ...], members: int | list[int],
                 ids: Sequence[str]) -> None:
        self.severity = severity
        self.reasons = reasons
        self.members = members
        self._ids = ids

    def positions(self) -> list[int]:
        """Positions of the members in the index's subscription order, ascending."""
        members = self.members
        return indices_of(members) if isinstance(members, int) else list(members)

    def ids(self) -> list[str]:
        """Subscription ids of the members, in subscription order."""
        return list(map(self._ids.__getitem__, self.positions()))

    def __len__(self) -> int:
        members = self.members
        return members.bit_count() if isinstance(members, int) else len(members)

    def __repr__(self) -> str:
        return f"MatchGroup({self.severity!r}, {self.reasons!r}, {len(self)} members)"
