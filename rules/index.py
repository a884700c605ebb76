"""Matching through indexes: the cost follows the notice's groups, not its matches.

A steel notice on Vietnam concerns thousands of subscribers, but they match for a handful of
distinct reasons. `MatchIndex.match_groups` therefore answers with **groups**: the subscriptions
that match for the same reasons at the same severity, each a bitset (a Python int, bit i =
subscription i; a short list of positions for the small groups formed one by one), computed with
big-int operations whose number follows the groups, not their members. The outbox can queue
one delivery job per group; `match` expands the groups into one `Match` per subscription for
callers that want them (the CLI, tests).

`MatchIndex.build(subscriptions)` builds, once:

- sector postings: sector id -> bitset of subscriptions;
- an HS-prefix index: code -> subscriptions that subscribed exactly that code (walking a notice
  code's prefixes finds subscriptions whose code is a prefix of it), and the distinct subscribed
  codes in one sorted list, where the codes extending a notice code (its subtree) are one
  contiguous range found by bisection;
- keyword automata (Aho-Corasick, pyahocorasick) over every keyword's folded key (' wire rod ',
  space-padded so hits are whole words), and one over the accented keys of the short Vietnamese
  keywords that keep their diacritics; keys lead to the keywords as written, which lead to their
  subscriptions;
- filter bitsets (no market restriction / per market, the same for measures, per wanted role, per
  severity floor), and the profile bitsets that split matches by reasons: all_sectors,
  market-restricted, measure-restricted, and per min_severity.

Postings of HS codes and keywords are bitsets when long, position lists (turned into bitsets per
notice) when short, so that memory stays proportional to the postings.

Per notice: hits = (OR of the notice sectors' bitsets, the all-sectors bitset and the evidence
postings hit) AND the filter bitsets of its market, measures, role and severity. The reasons of a
hit depend on its *profile* (the notice sectors it watches, all_sectors, whether it restricts
markets and measures, its min_severity) and its *evidence* (the HS codes and keywords that hit,
in its own order). So:

- the hits are split by the profile bitsets (two big-int operations per part and split) into the
  notice's profile parts, a dozen or two;
- a part minus the hits with evidence (the bulk: sector-only matches) is one group;
- the hits whose only evidence is one long posting are that posting AND each profile part: one
  group per non-empty result;
- the rest of the hits with evidence (two pieces of evidence or more, whose reasons follow the
  order of their own codes and keywords; or a short posting, where visiting a few members is
  cheaper than splitting bitsets) are visited one by one and grouped by reasons.

The work per notice follows the number of groups (and of those few hits visited one by one), not
the number of matches: a notice reaching 17,000 steel subscribers costs a few dozen big-int
operations for them.

The predicate is the one of `rules.matching` (whose `naive_match` is the oracle in tests and
`bench/match.py`).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat
from typing import Any

from rules.bitsets import (
    MatchGroup,
    as_posting,
    automaton,
    bits_of,
    found_keys,
    indices_of,
)
from rules.match_filters import Filters
from rules.match_profiles import (
    ALL,
    MARKET,
    MEASURE,
    SECTOR_SHIFT,
    SEV_SHIFT,
    ProfileReasoner,
)
from rules.match_reasons import Reason, hs_reason
from rules.matching import (
    Match,
    NoticeFacts,
    Subscription,
    keyword_keys,
    notice_facts,
)
from rules.severity import rank

__all__ = ["MatchGroup", "MatchIndex"]

_new_tuple = tuple.__new__  # Match(...) without the Python-level __new__: 2x faster per match


class _Lookup:
    """What the indexes found for one eligible notice: the hits and their evidence."""

    __slots__ = ("dense", "evident", "hits", "one_by_one", "notice_mask", "related", "words")

    def __init__(self, hits: int, evident: int, one_by_one: int,
                 dense: list[tuple[tuple[Reason, ...], tuple[str, ...], int]],
                 related: dict[str, list[Reason]], words: set[str], notice_mask: int) -> None:
        self.hits = hits  # every match
        self.evident = evident  # matches with HS or keyword evidence
        # matches whose reasons are worked out one by one: two or more pieces of evidence, or
        # evidence from a short posting (few members: cheaper than splitting bitsets)
        self.one_by_one = one_by_one
        # per piece of evidence with a long posting: (HS reasons, keywords, posting bitset)
        self.dense = dense
        self.related = related  # subscribed code hit -> its HS reasons, in notice code order
        self.words = words  # keywords (as written) found in the notice
        self.notice_mask = notice_mask  # the notice sectors, as profile sector bits


class MatchIndex:
    """All subscriptions prepared for matching; immutable once built (rebuild on changes)."""

    def __init__(self, subscriptions: Iterable[Subscription]) -> None:
        subs = list(subscriptions)
        self.subscriptions = subs
        n = len(subs)
        nb = self._nbytes = max(1, (n + 7) // 8)
        self._ids = [s.id for s in subs]
        sector_pos: dict[str, int] = {}
        sector_members: dict[str, list[int]] = {}
        every: list[int] = []
        code_members: dict[str, list[int]] = {}
        word_members: dict[str, list[int]] = {}
        self._kw_plain: dict[str, list[str]] = {}  # folded key -> keywords (ordinary ones)
        self._kw_folded_short: dict[str, list[str]] = {}  # folded key of short accented ones
        self._kw_accented: dict[str, list[str]] = {}  # accented key -> keywords
        profiles: list[int] = []
        # per subscription, for the matches visited one by one: its codes and keywords as one
        # shared string object per distinct value (fewer objects to reach per match)
        canonical: dict[str, str] = {}
        self._sub_codes = [tuple([canonical.setdefault(c, c) for c in sub.hs_codes])
                           for sub in subs]
        self._sub_words = [tuple([canonical.setdefault(w, w) for w in sub.keywords])
                           for sub in subs]
        for i, sub in enumerate(subs):
            mask = 0
            for sector in sub.sectors:
                pos = sector_pos.setdefault(sector, len(sector_pos))
                mask |= 1 << pos
                sector_members.setdefault(sector, []).append(i)
            profile = (mask << SECTOR_SHIFT) | (rank(sub.min_severity) << SEV_SHIFT)
            if sub.all_sectors:
                every.append(i)
                profile |= ALL
            if sub.markets:
                profile |= MARKET
            if sub.measures:
                profile |= MEASURE
            for code in sub.hs_codes:
                code_members.setdefault(code, []).append(i)
            for word in sub.keywords:
                members = word_members.setdefault(word, [])
                if not members:
                    key = keyword_keys(word)
                    if key.accented is None:
                        self._kw_plain.setdefault(key.folded, []).append(word)
                    else:
                        self._kw_folded_short.setdefault(key.folded, []).append(word)
                        self._kw_accented.setdefault(key.accented, []).append(word)
                members.append(i)
            profiles.append(profile)
        # profiles in a flat array when they fit (they are read per match visited one by one)
        self._profiles: Sequence[int] = (
            array("q", profiles) if len(sector_pos) + SECTOR_SHIFT < 63 else profiles)
        self._sector_pos = sector_pos
        self._sector_bits = {s: bits_of(m, nb) for s, m in sector_members.items()}
        self._filters = Filters(subs, nb)
        self._every = bits_of(every, nb)
        self._codes = sorted(code_members)
        self._code_postings = {c: as_posting(m, nb) for c, m in code_members.items()}
        self._word_postings = {w: as_posting(m, nb) for w, m in word_members.items()}
        self._auto_folded = automaton([*self._kw_plain, *self._kw_folded_short])
        self._auto_accented = automaton(self._kw_accented)

    @classmethod
    def build(cls, subscriptions: Iterable[Subscription]) -> MatchIndex:
        """Index every subscription; matches come out in this order."""
        return cls(subscriptions)

    def __len__(self) -> int:
        return len(self._ids)

    def _related(self, facts: NoticeFacts) -> dict[str, list[Reason]]:
        """Subscribed codes related to a notice code -> the HS reasons, in notice code order."""
        related: dict[str, list[Reason]] = {}
        postings, codes = self._code_postings, self._codes
        for code in facts.hs_codes:
            low = bisect_left(codes, code)
            high = bisect_left(codes, code + ":", low)  # ':' follows '9': the code's subtree
            subscribed = [code[:end] for end in range(2, len(code)) if code[:end] in postings]
            for sub_code in [*subscribed, *codes[low:high]]:
                why = hs_reason(code, sub_code, inferred=code in facts.hs_inferred)
                if why is not None:
                    related.setdefault(sub_code, []).append(why)
        return related

    def _words(self, facts: NoticeFacts) -> set[str]:
        """Keywords (as written) found in the notice, by the rules of `rules.matching`."""
        words: set[str] = set()
        for key in found_keys(self._auto_folded, facts.folded):
            words.update(self._kw_plain.get(key, ()))
            if facts.plain_vietnamese:
                words.update(self._kw_folded_short.get(key, ()))
        if facts.accented is not None:
            for key in found_keys(self._auto_accented, facts.accented):
                words.update(self._kw_accented[key])
        return words

    def _lookup(self, facts: NoticeFacts) -> _Lookup | None:
        """The hits of an eligible notice and their evidence; None when nothing can match."""
        allowed = self._filters.allowed(facts)
        if not allowed:
            return None
        candidates = self._every
        notice_mask = 0
        for sector in facts.sectors:
            pos = self._sector_pos.get(sector)
            if pos is not None:
                candidates |= self._sector_bits[sector]
                notice_mask |= 1 << pos
        related = self._related(facts)
        words = self._words(facts)
        dense: list[tuple[tuple[Reason, ...], tuple[str, ...], int]] = []
        short: list[int] = []  # members of the short postings hit
        ones = twos = 0  # members of one long posting at least / of two at least
        for code, why in related.items():
            posting = self._code_postings[code]
            if isinstance(posting, int):
                twos |= ones & posting
                ones |= posting
                dense.append((tuple(why), (), posting))
            else:
                short.extend(posting)
        for word in sorted(words):
            posting = self._word_postings[word]
            if isinstance(posting, int):
                twos |= ones & posting
                ones |= posting
                dense.append(((), (word,), posting))
            else:
                short.extend(posting)
        short_bits = bits_of(short, self._nbytes) if short else 0
        hits = (candidates | ones | short_bits) & allowed
        return _Lookup(hits, (ones | short_bits) & hits, (twos | short_bits) & hits, dense,
                       related, words, notice_mask)

    def _facts(self, analysis: Mapping[str, Any] | NoticeFacts, title: str | None,
               text: str | None) -> NoticeFacts | None:
        facts = analysis if isinstance(analysis, NoticeFacts) else notice_facts(
            analysis, title, text)
        return None if facts.role is None or not self._ids else facts

    def count(self, analysis: Mapping[str, Any] | NoticeFacts, title: str | None = None,
              text: str | None = None) -> int:
        """How many subscriptions `match` would return, without forming groups or matches."""
        facts = self._facts(analysis, title, text)
        found = None if facts is None else self._lookup(facts)
        return 0 if found is None else found.hits.bit_count()

    def match_groups(self, analysis: Mapping[str, Any] | NoticeFacts, title: str | None = None,
                     text: str | None = None) -> list[MatchGroup]:
        """The matches of one analysis as groups (see the module docstring): members disjoint,
        reasons distinct; expanding them gives exactly `match` (and `naive_match`). The order
        of the groups carries no meaning."""
        facts = self._facts(analysis, title, text)
        found = None if facts is None else self._lookup(facts)
        if facts is None or found is None or not found.hits:
            return []
        parts = self._split(found.hits, rank(facts.severity), self._splits(facts))
        reasons = ProfileReasoner(facts, self._sector_pos)
        severity, ids, evident = facts.severity, self._ids, found.evident
        if not evident:
            return [MatchGroup(severity, reasons(key), part, ids) for key, part in parts]
        groups = []
        single = evident ^ found.one_by_one
        by_profile = []  # (key, its hits whose evidence is one long posting)
        for key, part in parts:
            bulk = part ^ (part & evident)
            if bulk:
                groups.append(MatchGroup(severity, reasons(key), bulk, ids))
            if found.dense and part & single:
                by_profile.append((key, part & single))
        for hs, words, posting in found.dense:
            hit = posting & single
            if hit:
                for key, part in by_profile:
                    members = hit & part
                    if members:
                        groups.append(MatchGroup(severity, reasons(key, hs, words), members, ids))
        if found.one_by_one:
            groups.extend(self._member_groups(found, facts, reasons))
        return groups

    def match(self, analysis: Mapping[str, Any] | NoticeFacts, title: str | None = None,
              text: str | None = None) -> list[Match]:
        """Matches of one analysis (see `rules.matching` for the predicate and the title/text
        defaults), in subscription order: its groups expanded; equal to `naive_match` over the
        same subscriptions."""
        groups = self.match_groups(analysis, title, text)
        if not groups:
            return []
        reasons_at: dict[int, tuple[Reason, ...]] = {}
        for group in groups:
            reasons_at.update(dict.fromkeys(group.positions(), group.reasons))
        order = sorted(reasons_at)
        return list(map(_new_tuple, repeat(Match), zip(
            map(self._ids.__getitem__, order), repeat(groups[0].severity),
            map(reasons_at.__getitem__, order))))

    def _splits(self, facts: NoticeFacts) -> list[tuple[int, int]]:
        """(bitset, profile bit) pairs that split a notice's hits by profile; a split that
        cannot separate anything for this notice (no subscriber restricted to its market...)
        is left out."""
        splits = []
        if self._every:
            splits.append((self._every, ALL))
        filters = self._filters
        if facts.market in filters.market:
            splits.append((filters.market_restricted, MARKET))
        if any(m in filters.measure for m in facts.measures):
            splits.append((filters.measure_restricted, MEASURE))
        for sector in facts.sectors:
            pos = self._sector_pos.get(sector)
            if pos is not None:
                splits.append((self._sector_bits[sector], 1 << (pos + SECTOR_SHIFT)))
        return splits

    def _split(self, bits: int, floor: int,
               splits: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """`bits` (hits: their min_severity rank is at most `floor`, the notice's) partitioned by
        profile: (profile key, part) pairs with non-empty parts; the key has the bits of
        `_profiles` restricted to the notice's sectors. Two big-int operations per part and
        split."""
        parts = []
        for level in range(floor):
            part = bits & self._filters.floor[level]
            if part:
                parts.append((level << SEV_SHIFT, part))
                bits ^= part
        if bits:
            parts.append((floor << SEV_SHIFT, bits))
        for split, flag in splits:
            divided = []
            for key, part in parts:
                inside = part & split
                if not inside:
                    divided.append((key, part))
                    continue
                divided.append((key | flag, inside))
                outside = part ^ inside
                if outside:
                    divided.append((key, outside))
            parts = divided
        return parts

    def _member_groups(self, found: _Lookup, facts: NoticeFacts,
                       reasons: ProfileReasoner) -> list[MatchGroup]:
        """Groups of the hits visited one by one (see `_Lookup.one_by_one`): reasons list the
        evidence in each subscription's own order of codes and keywords."""
        key_mask = (found.notice_mask << SECTOR_SHIFT) | ((1 << SECTOR_SHIFT) - 1)
        related, words = found.related, found.words
        sub_codes, sub_words, profiles = self._sub_codes, self._sub_words, self._profiles
        members: dict[tuple[int, tuple[str, ...], tuple[str, ...]], list[int]] = {}
        get = members.get
        for i in indices_of(found.one_by_one):
            codes = sub_codes[i]
            if codes:
                codes = tuple([code for code in codes if code in related])
            kws = sub_words[i]
            if kws:
                kws = tuple([word for word in kws if word in words])
            group = (profiles[i] & key_mask, codes, kws)
            positions = get(group)
            if positions is None:
                members[group] = [i]
            else:
                positions.append(i)
        severity, ids = facts.severity, self._ids
        return [MatchGroup(severity, reasons(key, tuple([why for code in codes
                                                         for why in related[code]]), kws),
                           positions, ids)
                for (key, codes, kws), positions in members.items()]
