"""The analysis contract: one notice in, one Analysis out (`to_dict()` gives the public JSON shape).

Evaluations and the CLI rely on the exact keys of `Analysis.to_dict()`, so they live in one place.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


class NoticeError(ValueError):
    """The input is not a usable notice (missing id/title, bad date); says which field."""


@dataclass(frozen=True)
class Notice:
    """One published document, whatever the source: title, text and the source's own fields."""

    id: str
    title: str
    text: str = ""
    market: str | None = None
    source: str = ""
    published: date | None = None
    url: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_any(cls, obj: Notice | Mapping[str, Any] | Any) -> Notice:
        """Accept a Notice, a plain dict or any dataclass with the contract's fields."""
        if isinstance(obj, Notice):
            return obj
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            obj = dataclasses.asdict(obj)
        if not isinstance(obj, Mapping):
            raise NoticeError(f"a notice must be an object, not {type(obj).__name__}")
        raw = obj.get("raw")
        return cls(
            id=_required_str(obj, "id"),
            title=_required_str(obj, "title"),
            text=_optional_str(obj, "text"),
            market=_optional_str(obj, "market") or None,
            source=_optional_str(obj, "source"),
            published=_parse_date(obj.get("published")),
            url=_optional_str(obj, "url"),
            raw=raw if isinstance(raw, Mapping) else {},
        )


def _required_str(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if isinstance(value, int | float) and key == "id" and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise NoticeError(f"field {key!r} is required and must be a non-empty string")
    return value


def _optional_str(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise NoticeError(f"field {key!r} must be a string")
    return value


def _parse_date(value: Any) -> date | None:
    """Publication date as YYYY-MM-DD (a longer ISO timestamp is cut to its date)."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise NoticeError("field 'published' must be a YYYY-MM-DD string")
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError as exc:
        raise NoticeError(f"field 'published' is not a YYYY-MM-DD date: {value!r}") from exc


@dataclass(frozen=True)
class Deadline:
    """A date by which a party must act; `kind` says what (register, comments, case_briefs...)."""

    kind: str
    date: date

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "date": self.date.isoformat()}


@dataclass(frozen=True)
class Rate:
    """A rate the notice states: a dumping margin, subsidy rate, duty or cash deposit rate.

    `unit` is 'percent' (ad valorem) or '<ISO 4217>/<unit>' ('USD/t'); `company` is the firm as the
    notice writes it, 'all others' (the residual rate), 'country-wide' (a non-market economy's
    entity rate, 'Vietnam-wide entity') or None; `origin` the country it applies to, when known."""

    value: float
    unit: str
    kind: str
    company: str | None = None
    origin: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit, "kind": self.kind,
                "company": self.company, "origin": self.origin}


@dataclass
class Analysis:
    """Everything the rules decided about one notice, with a reason for each decision."""

    id: str
    trade_remedy: bool = False
    market: str | None = None
    vietnam: str = "none"
    countries: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    proceeding: str = "other"
    stage: str = "other"
    new_case: bool = False
    event_date: date | None = None
    case_numbers: list[str] = field(default_factory=list)
    hs_codes: list[str] = field(default_factory=list)
    hs_inferred: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    rates: list[Rate] = field(default_factory=list)
    severity: str | None = None
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The public output line: exactly the contract's keys, JSON-serialisable."""
        return {
            "id": self.id,
            "trade_remedy": self.trade_remedy,
            "market": self.market,
            "vietnam": self.vietnam,
            "countries": list(self.countries),
            "measures": list(self.measures),
            "proceeding": self.proceeding,
            "stage": self.stage,
            "new_case": self.new_case,
            "event_date": self.event_date.isoformat() if self.event_date else None,
            "case_numbers": list(self.case_numbers),
            "hs_codes": list(self.hs_codes),
            "hs_inferred": list(self.hs_inferred),
            "sectors": list(self.sectors),
            "deadlines": [d.to_dict() for d in self.deadlines],
            "rates": [r.to_dict() for r in self.rates],
            "severity": self.severity,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class CaseEntry:
    """One case of a multi-case notice: number, measure, origin and whether it concerns Vietnam."""

    case_number: str
    measure: str | None
    origin: str | None
    concerns_vietnam: bool
    reason: str
