"""Subscription profiles: the bits of a subscription that decide the reasons of its matches (the
notice sectors it watches, all sectors, market and measure restrictions, minimum severity), and
the reasons of one notice's matches built once per profile."""

from __future__ import annotations

from rules.match_reasons import Reason
from rules.matching import NoticeFacts, ProfileReasons
from rules.subscriptions import SEVERITIES

# Profile bits of a subscription (low bits of its profile int; its sector mask sits above them).
ALL, MARKET, MEASURE = 1, 2, 4
SEV_SHIFT = 3  # min_severity rank, 2 bits
SECTOR_SHIFT = 5

class ProfileReasoner:
    """Reasons of one notice's matches from a profile key (the bits of a match index's profiles
    restricted to the notice's sectors) and evidence; the profile's part is built once."""

    __slots__ = ("_facts", "_profiles", "_sector_pos")

    def __init__(self, facts: NoticeFacts, sector_pos: dict[str, int]) -> None:
        self._facts = facts
        self._sector_pos = sector_pos
        self._profiles: dict[int, ProfileReasons] = {}

    def __call__(self, key: int, hs: tuple[Reason, ...] = (),
                 words: tuple[str, ...] = ()) -> tuple[Reason, ...]:
        profile = self._profiles.get(key)
        if profile is None:
            facts, mask = self._facts, key >> SECTOR_SHIFT
            sectors = [s for s in facts.sectors
                       if (pos := self._sector_pos.get(s)) is not None and mask >> pos & 1]
            profile = self._profiles[key] = ProfileReasons(
                facts, all_sectors=bool(key & ALL), sectors=sectors,
                market_restricted=bool(key & MARKET), measure_restricted=bool(key & MEASURE),
                min_severity=SEVERITIES[(key >> SEV_SHIFT) & 3])
        return profile.reasons(hs, words)
