"""The plain case records the risk watch learns from, and what of them was known on a date.

The risk model (rules/risk_model.py) and its backtest (rules/risk_backtest.py) see the history
only through `visible`: a case not yet opened on the cut-off date is left out, and an order or a
revocation dated after it is blanked, so no score computed for a date can use a later fact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from rules.countries import VIETNAM

CHINA = "CN"
HEADING_DIGITS = 4
CIRCUMVENTION = "circumvention"


@dataclass(frozen=True)
class CaseRecord:
    """One case as the risk watch needs it; `ref` says where it was read (a list file and line,
    a case number, a TREWS case id), so a person can check a reason.

    ``measure``: "AD", "CVD", "SG" or "circumvention" (an anti-circumvention inquiry; its
    ``origin`` is the country whose order is said to be evaded, ``targets`` the third countries
    named). ``opened_on``: petition or initiation; None when only the order is known.
    """

    market: str
    origin: str | None
    measure: str
    product: str
    hs_codes: tuple[str, ...]
    opened_on: date | None
    ordered_on: date | None = None
    revoked_on: date | None = None
    number: str | None = None
    ref: str = ""
    targets: tuple[str, ...] = ()

    @property
    def known_on(self) -> date | None:
        """The first day anyone could know of the case."""
        days = [d for d in (self.opened_on, self.ordered_on) if d]
        return min(days) if days else None

    @property
    def headings(self) -> frozenset[str]:
        """The HS headings (4 digits) the case's codes fall under."""
        return frozenset(code[:HEADING_DIGITS] for code in self.hs_codes
                         if len(code) >= HEADING_DIGITS and code[:HEADING_DIGITS].isdigit())

    @property
    def on_vietnam(self) -> bool:
        """Opened against Vietnam: Vietnam is the origin, or a circumvention target."""
        return self.origin == VIETNAM or VIETNAM in self.targets

    def in_force(self, day: date) -> bool:
        """An order in force on `day` (as far as the record tells)."""
        return (self.ordered_on is not None and self.ordered_on <= day
                and (self.revoked_on is None or self.revoked_on > day))


def as_known_on(record: CaseRecord, cutoff: date) -> CaseRecord | None:
    """The record as it stood on `cutoff`: None if not yet known, every later date blanked."""
    known = record.known_on
    if known is None or known > cutoff:
        return None
    opened, ordered, revoked = (day if day and day <= cutoff else None for day in (
        record.opened_on, record.ordered_on, record.revoked_on))
    if (opened, ordered, revoked) == (record.opened_on, record.ordered_on, record.revoked_on):
        return record
    return replace(record, opened_on=opened, ordered_on=ordered, revoked_on=revoked)


def visible(records: Iterable[CaseRecord], cutoff: date) -> list[CaseRecord]:
    """Every record as known on `cutoff` (see the module docstring)."""
    kept = (as_known_on(record, cutoff) for record in records)
    return [record for record in kept if record is not None]


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day when it is shorter)."""
    return months_after(day, -months)


def months_after(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, last)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has a 28th


def quarter_starts(first: date, last: date) -> list[date]:
    """The first day of every quarter from `first`'s quarter to `last` (inclusive)."""
    day = date(first.year, 3 * ((first.month - 1) // 3) + 1, 1)
    days = []
    while day <= last:
        days.append(day)
        day = months_after(day, 3)
    return days


def heading_sectors(heading: str, sector_hs: Mapping[str, Sequence[str]]) -> list[str]:
    """The sectors (id: HS prefixes) whose scope overlaps the heading: a chapter-wide sector, or
    one with a subheading of it."""
    return [sector for sector, prefixes in sector_hs.items()
            if any(p.startswith(heading) or heading.startswith(p) for p in prefixes)]
