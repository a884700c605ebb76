"""What the historic US case lists give: one case per Commerce number, the rows rejected or
corrected with their file and line, and what each file gave (storage/history_lists.py reads
them, storage/history_merge.py joins them)."""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rules.countries import VIETNAM

# Which list fills a field first, by list kind.
KINDS = ("ita_access", "ita_petitions", "ita_orders_api", "itc_orders", "wto_itip")


class HistoryFileError(Exception):
    """A list that cannot be read at all: its file, the line, and why."""

    def __init__(self, file: Path, line: int, reason: str) -> None:
        super().__init__(f"{file}:{line}: {reason}")
        self.file, self.line, self.reason = file, line, reason


@dataclass(frozen=True, order=True)
class Issue:
    """A rejected row, or a value corrected on a kept row (JSON lists: `line` is the record)."""

    file: str
    line: int
    reason: str


@dataclass
class HistoricCase:
    """One US case as the lists tell it; `rows` are the 'file:line' it was read from."""

    number: str | None
    measure: str
    origin: str
    product: str
    rows: list[str]
    itc_numbers: list[str] = field(default_factory=list)
    petition_on: date | None = None
    initiated_on: date | None = None
    ordered_on: date | None = None
    continued_on: date | None = None
    revoked_on: date | None = None
    hs_codes: list[str] = field(default_factory=list)

    @property
    def vietnam(self) -> str:
        return "subject" if self.origin == VIETNAM else "none"

    @property
    def opened_on(self) -> date | None:
        return min((d for d in (self.petition_on, self.initiated_on) if d), default=None)

    @property
    def last_event_on(self) -> date | None:
        days = (self.petition_on, self.initiated_on, self.ordered_on, self.continued_on,
                self.revoked_on)
        return max((d for d in days if d), default=None)

    @property
    def step(self) -> tuple[str, str, str]:
        """(proceeding, stage, status) in the words of the analyse contract: the latest dated
        event decides; a withdrawal before any order ends the investigation."""
        if self.revoked_on and self.revoked_on >= (self.continued_on or self.revoked_on):
            if self.ordered_on:
                return "other", "revocation", "closed"
            return "investigation", "termination", "closed"
        if self.continued_on:
            return "expiry_review", "continuation", "open"
        if self.ordered_on:
            return "investigation", "order", "open"
        if self.initiated_on:
            return "investigation", "initiation", "open"
        if self.petition_on:
            return "investigation", "petition", "open"
        return "other", "other", "open"

    def fill(self, other: "HistoricCase") -> None:
        """Take from `other` (the same case, from a later list) what this record lacks."""
        for name in ("petition_on", "initiated_on", "ordered_on", "continued_on", "revoked_on"):
            if getattr(self, name) is None:
                setattr(self, name, getattr(other, name))
        self.product = self.product or other.product
        self.itc_numbers += [n for n in other.itc_numbers if n not in self.itc_numbers]
        self.hs_codes += [c for c in other.hs_codes if c not in self.hs_codes]
        self.rows += [r for r in other.rows if r not in self.rows]


@dataclass
class ListFile:
    """What one file gave: its kind, rows read, rows rejected, values corrected."""

    name: str
    kind: str
    rows: int = 0
    rejected: list[Issue] = field(default_factory=list)
    corrected: list[Issue] = field(default_factory=list)
    cases: list[HistoricCase] = field(default_factory=list)


@dataclass
class History:
    """Every list read, and the cases merged from them."""

    files: list[ListFile]
    cases: list[HistoricCase]


class RowError(ValueError):
    """A row that cannot be kept; the message is the reason given to the operator."""
