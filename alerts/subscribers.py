"""Reading subscribers from CSV: every row checked, bad rows reported with their line, none lost."""

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError, field_validator
from sqlalchemy.orm import Session, sessionmaker

from alerts.optin import queue_confirmation
from storage.database import transaction
from storage.subscribers import SubscriberRecord, store_subscriber

ALL_SECTORS = "*"
_HS = re.compile(r"^(?:\d\d){1,5}$")
_MARKET = re.compile(r"^(?:[A-Z]{2}|EU)$")
MEASURES = {"AD", "CVD", "SG"}
# Rows stored per transaction by an import: a sign-up waits at most one batch for the database.
BATCH_ROWS = 1000
TEXT_MAX = 200  # the name and organisation columns (storage.models.Subscriber)


class SubscribersFileError(ValueError):
    """A subscribers file that cannot be read at all; the message names the file and line."""


def split_list(text: str | None) -> list[str]:
    """`;`-separated cells: 'shrimp; pangasius' -> ['shrimp', 'pangasius']."""
    return [part.strip() for part in (text or "").split(";") if part.strip()]


class SubscriberRow(BaseModel):
    """One CSV row. List cells are `;`-separated; `*` in sectors means every sector (the
    ministry). HS codes may be written with dots or spaces (0306.17 -> 030617)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: EmailStr
    name: str | None = Field(None, max_length=TEXT_MAX)
    organisation: str | None = Field(None, max_length=TEXT_MAX)
    kind: Literal["exporter", "association", "ministry"] = "exporter"
    language: Literal["vi", "en"] = "vi"
    sectors: str | None = None
    hs_codes: str | None = None
    keywords: str | None = None
    markets: str | None = None
    measures: str | None = None
    frequency: Literal["immediate", "daily", "weekly"] = "immediate"
    min_severity: Literal["low", "medium", "high"] = "low"
    digest_when_empty: bool | None = None
    risk_warnings: bool | None = None

    @field_validator("name", "organisation", "kind", "language", "frequency", "min_severity",
                     "digest_when_empty", "risk_warnings", mode="before")
    @classmethod
    def _blank_is_default(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("hs_codes")
    @classmethod
    def _hs_codes(cls, value: str | None) -> str | None:
        for code in split_list(value):
            if not _HS.match(re.sub(r"[.\s]", "", code)):
                raise ValueError(f"{code!r} is not an HS code (2 to 10 digits, even length)")
        return value

    @field_validator("markets")
    @classmethod
    def _markets(cls, value: str | None) -> str | None:
        bad = [m for m in split_list(value) if not _MARKET.match(m.upper())]
        if bad:
            raise ValueError(f"unknown market(s) {', '.join(bad)}: use ISO codes or EU")
        return value

    @field_validator("measures")
    @classmethod
    def _measures(cls, value: str | None) -> str | None:
        bad = [m for m in split_list(value) if m.upper() not in MEASURES]
        if bad:
            raise ValueError(f"unknown measure(s) {', '.join(bad)}: use AD, CVD or SG")
        return value


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reason: str


def parse_sectors(text: str | None, known: set[str]) -> tuple[str, ...]:
    ids = split_list(text)
    unknown = [sector for sector in ids if sector not in known and sector != ALL_SECTORS]
    if unknown:
        raise ValueError(f"unknown sector(s) {', '.join(unknown)}")
    return tuple(sector for sector in ids if sector != ALL_SECTORS)


def to_record(row: SubscriberRow, known_sectors: set[str]) -> SubscriberRecord:
    """A validated row as a storage record; a row must name some product or watch everything."""
    sectors = parse_sectors(row.sectors, known_sectors)
    watch_all = ALL_SECTORS in split_list(row.sectors)
    hs_codes = tuple(re.sub(r"[.\s]", "", code) for code in split_list(row.hs_codes))
    keywords = tuple(split_list(row.keywords))
    if not (sectors or hs_codes or keywords or watch_all):
        raise ValueError("give sectors, hs_codes or keywords (or * for every sector)")
    return SubscriberRecord(
        email=row.email.lower(), name=row.name, organisation=row.organisation,
        kind=row.kind or "exporter", language=row.language or "vi", sectors=sectors,
        frequency=row.frequency or "immediate", min_severity=row.min_severity or "low",
        all_sectors=watch_all, hs_codes=hs_codes, keywords=keywords,
        markets=tuple(m.upper() for m in split_list(row.markets)),
        measures=tuple(m.upper() for m in split_list(row.measures)),
        digest_when_empty=bool(row.digest_when_empty),
        risk_warnings=bool(row.risk_warnings),
    )


def _csv_text(path: Path) -> str:
    """The file's text: UTF-8 (with or without the BOM Excel writes) or UTF-16 with its BOM."""
    data = path.read_bytes()
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    try:
        return data.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SubscribersFileError(f"{path}:{line}: not UTF-8 text (save it as \"CSV UTF-8\")"
                                   ) from None


def read_subscribers(
    path: Path, known_sectors: set[str]
) -> Iterator[SubscriberRecord | RejectedRow]:
    """Each row as a record, or as a rejection that names its line and the reason: a row with
    more cells than the header, or whose address an earlier row already gave, too. A column the
    file format does not know refuses the whole file (SubscribersFileError): its data would be
    lost on every row."""
    reader = csv.DictReader(io.StringIO(_csv_text(path), newline=""))
    header = reader.fieldnames or []
    unknown = [column for column in header if column not in SubscriberRow.model_fields]
    if unknown:
        raise SubscribersFileError(f"{path}:1: unknown column(s) {', '.join(unknown)}; known: "
                                   f"{', '.join(SubscriberRow.model_fields)}")
    first_line: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if None in row:
            yield RejectedRow(line, f"{len(header) + len(row[None])} cells, the header has "
                                    f"{len(header)}")
            continue
        found = _row_record(row, line, known_sectors)
        if isinstance(found, SubscriberRecord):
            if found.email in first_line:
                yield RejectedRow(line, f"{found.email} is already on line "
                                        f"{first_line[found.email]}")
                continue
            first_line[found.email] = line
        yield found


def _row_record(row: dict[str, str], line: int, known_sectors: set[str]
                ) -> SubscriberRecord | RejectedRow:
    try:
        parsed = SubscriberRow.model_validate({k: v for k, v in row.items() if v is not None})
        return to_record(parsed, known_sectors)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        return RejectedRow(line, f"{where}: {error['msg']}")
    except ValueError as exc:
        return RejectedRow(line, str(exc))


@dataclass
class ImportReport:
    """What an import did: rows read, rows stored (new or updated), rows rejected and why."""

    read: int = 0
    imported: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)


def import_subscribers(sessions: sessionmaker[Session], path: Path,
                       known_sectors: set[str], *, confirmed: bool = True) -> ImportReport:
    """Store every good row, BATCH_ROWS to a transaction, so a long import leaves the database
    free for sign-ups between batches; re-importing is harmless (each row is an upsert).

    `confirmed` means the operator vouches for every address (`trews subscribers import
    --confirmed`, the demo). Without it, each subscriber not yet confirmed gets the one
    confirmation mail (double opt-in) and nothing else until they confirm."""
    report, batch = ImportReport(), []
    for row in read_subscribers(path, known_sectors):
        report.read += 1
        if isinstance(row, RejectedRow):
            report.rejected.append(row)
            continue
        batch.append(row)
        if len(batch) == BATCH_ROWS:
            report.imported += _store_batch(sessions, batch, confirmed)
            batch = []
    report.imported += _store_batch(sessions, batch, confirmed)
    return report


def _store_batch(sessions: sessionmaker[Session], batch: list[SubscriberRecord],
                 confirmed: bool) -> int:
    """One batch of an import in one transaction; the number of rows stored."""
    with transaction(sessions) as session:
        for record in batch:
            subscriber, _created = store_subscriber(session, record, confirmed=confirmed)
            if not confirmed and subscriber.unsubscribed_at is None:
                queue_confirmation(session, subscriber)
    return len(batch)
