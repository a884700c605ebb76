"""What a subscriber asks to hear about: the subscription model and its JSON-lines file.

A subscription names products (sectors, HS codes at any level, product keywords, or everything),
narrows them by market and measure, says which roles of Vietnam it wants (subject, circumvention
target, trade-diversion warnings) and the lowest severity worth an alert. `rules.matching` gives
the exact predicate; this module only validates and normalises the fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rules.hs_codes import normalise_hs
from rules.json_input import json_lines
from rules.text import folded_key

SEVERITIES = ("low", "medium", "high")
MEASURES = ("AD", "CVD", "SG")
ROLES = ("subject", "circumvention", "diversion")
ALL = "*"  # in `sectors`, the same as all_sectors=True (the subscribers CSV writes it so)
FIELDS = ("id", "sectors", "hs_codes", "keywords", "markets", "measures", "vietnam_roles",
          "min_severity", "all_sectors")


class SubscriptionError(ValueError):
    """A subscription field is unusable; the message names the field (and the line, from files)."""


def _strings(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        raise SubscriptionError(f"{name} must be a list of strings, not a string")
    try:
        items = list(value)
    except TypeError:
        raise SubscriptionError(f"{name} must be a list of strings") from None
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise SubscriptionError(f"{name} must hold non-empty strings, not {item!r}")
    return [item.strip() for item in items]


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


@dataclass(frozen=True, init=False)
class Subscription:
    """One subscription, normalised: sets are frozensets, HS codes digit strings (2-10 digits,
    even length), keywords kept as written (matching folds them), markets/measures upper-case.

    `include_diversion=False` is the walking skeleton's spelling of vietnam_roles without
    "diversion"; `"*"` among the sectors means all_sectors.
    """

    id: str
    sectors: frozenset[str]
    hs_codes: tuple[str, ...]
    keywords: tuple[str, ...]
    markets: frozenset[str]
    measures: frozenset[str]
    vietnam_roles: frozenset[str]
    min_severity: str
    all_sectors: bool

    def __init__(
        self,
        id: str,
        sectors: Iterable[str] = (),
        *,
        hs_codes: Iterable[str] = (),
        keywords: Iterable[str] = (),
        markets: Iterable[str] = (),
        measures: Iterable[str] = (),
        vietnam_roles: Iterable[str] = ROLES,
        min_severity: str = "low",
        all_sectors: bool = False,
        include_diversion: bool | None = None,
    ) -> None:
        if not isinstance(id, str) or not id:
            raise SubscriptionError(f"id must be a non-empty string, not {id!r}")
        sector_ids = set(_strings(sectors, "sectors"))
        if ALL in sector_ids:
            all_sectors = True
            sector_ids.discard(ALL)
        codes = []
        for raw in _strings(hs_codes, "hs_codes"):
            code = normalise_hs(raw)
            if code is None:
                raise SubscriptionError(
                    f"hs_codes: {raw!r} is not an HS code (2 to 10 digits, even length)")
            codes.append(code)
        words = _unique(_strings(keywords, "keywords"))
        for word in words:
            if not folded_key(word).strip():
                raise SubscriptionError(f"keywords: {word!r} has no letters or digits")
        measure_set = frozenset(m.upper() for m in _strings(measures, "measures"))
        if not measure_set <= set(MEASURES):
            raise SubscriptionError(f"measures must be among {MEASURES}, not "
                                    f"{sorted(measure_set - set(MEASURES))}")
        roles = set(_strings(vietnam_roles, "vietnam_roles"))
        if include_diversion is False:
            roles.discard("diversion")
        if not roles or not roles <= set(ROLES):
            raise SubscriptionError(f"vietnam_roles must be a non-empty subset of {ROLES}, not "
                                    f"{sorted(roles)}")
        if min_severity not in SEVERITIES:
            raise SubscriptionError(
                f"min_severity must be one of {SEVERITIES}, not {min_severity!r}")
        if not isinstance(all_sectors, bool):
            raise SubscriptionError("all_sectors must be true or false")
        setattr_ = object.__setattr__
        setattr_(self, "id", id)
        setattr_(self, "sectors", frozenset(sector_ids))
        setattr_(self, "hs_codes", _unique(codes))
        setattr_(self, "keywords", words)
        setattr_(self, "markets", frozenset(m.upper() for m in _strings(markets, "markets")))
        setattr_(self, "measures", measure_set)
        setattr_(self, "vietnam_roles", frozenset(roles))
        setattr_(self, "min_severity", min_severity)
        setattr_(self, "all_sectors", all_sectors)

    @property
    def watches_products(self) -> bool:
        """False for a subscription that can never match (no sector, code, keyword or '*')."""
        return self.all_sectors or bool(self.sectors or self.hs_codes or self.keywords)

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> Subscription:
        """From the JSON form (the keys of FIELDS; only `id` is required; ids may be numbers)."""
        if not isinstance(obj, Mapping):
            raise SubscriptionError(f"a subscription must be an object, not {type(obj).__name__}")
        unknown = sorted(set(obj) - set(FIELDS))
        if unknown:
            raise SubscriptionError(f"unknown field(s) {', '.join(unknown)}; known: "
                                    f"{', '.join(FIELDS)}")
        sub_id = obj.get("id")
        if isinstance(sub_id, int) and not isinstance(sub_id, bool):
            sub_id = str(sub_id)
        roles = obj.get("vietnam_roles")
        severity = obj.get("min_severity")
        every = obj.get("all_sectors")
        return cls(
            sub_id,  # type: ignore[arg-type]  # checked by __init__
            obj.get("sectors") or (),
            hs_codes=obj.get("hs_codes") or (),
            keywords=obj.get("keywords") or (),
            markets=obj.get("markets") or (),
            measures=obj.get("measures") or (),
            vietnam_roles=ROLES if roles is None else roles,
            min_severity="low" if severity is None else severity,
            all_sectors=False if every is None else every,
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, lists sorted (keywords and HS codes in their given order)."""
        return {
            "id": self.id, "sectors": sorted(self.sectors), "hs_codes": list(self.hs_codes),
            "keywords": list(self.keywords), "markets": sorted(self.markets),
            "measures": sorted(self.measures),
            "vietnam_roles": [r for r in ROLES if r in self.vietnam_roles],
            "min_severity": self.min_severity, "all_sectors": self.all_sectors,
        }


def read_subscriptions_jsonl(lines: Iterable[str | bytes],
                             sector_ids: frozenset[str] | None = None) -> Iterator[Subscription]:
    """Subscriptions from JSON lines (blank lines skipped); SubscriptionError names the line.
    A subscription must watch some product, and name only known sectors (`sector_ids`, when
    given) and markets written as ISO alpha-2 codes or EU."""
    seen: set[str] = set()
    for number, obj, error in json_lines(lines):
        if error is not None:
            raise SubscriptionError(error)
        try:
            sub = Subscription.from_dict(obj)
            _check_usable(sub, sector_ids)
        except SubscriptionError as exc:
            raise SubscriptionError(f"line {number}: {exc}") from None
        if sub.id in seen:
            raise SubscriptionError(f"line {number}: duplicate subscription id {sub.id!r}")
        seen.add(sub.id)
        yield sub


def _check_usable(sub: Subscription, sector_ids: frozenset[str] | None) -> None:
    """A subscription read from a file that could never match, or names what does not exist."""
    if not sub.watches_products:
        raise SubscriptionError("watches no product: give sectors, hs_codes, keywords or "
                                "all_sectors")
    markets = sorted(m for m in sub.markets if not _MARKET_RE.fullmatch(m))
    if markets:
        raise SubscriptionError(f"markets must be ISO alpha-2 codes or EU, not {markets}")
    unknown = sorted(sub.sectors - sector_ids) if sector_ids else []
    if unknown:
        raise SubscriptionError(f"sectors: unknown sector id(s) {', '.join(unknown)}")


_MARKET_RE = re.compile(r"[A-Z]{2}")


def load_subscriptions_jsonl(path: str | Path, sector_ids: frozenset[str] | None = None
                             ) -> list[Subscription]:
    """Every subscription of a JSON-lines file, in file order (the order matches come out in)."""
    with Path(path).open("rb") as handle:
        return list(read_subscriptions_jsonl(handle, sector_ids))
