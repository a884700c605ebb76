"""Reading subscribers from CSV: every row checked, bad rows reported with their line, none lost."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, ValidationError, field_validator
from sqlalchemy.orm import Session, sessionmaker

from storage.database import transaction
from storage.subscribers import SubscriberRecord, upsert_subscriber

ALL_SECTORS = "*"


class SubscriberRow(BaseModel):
    """One CSV row: sectors are `;`-separated ids, or `*` for every sector (the ministry)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: EmailStr
    name: str | None = None
    organisation: str | None = None
    kind: Literal["exporter", "association", "ministry"] = "exporter"
    language: Literal["vi", "en"] = "vi"
    sectors: str
    frequency: Literal["immediate", "daily", "weekly"] = "immediate"

    @field_validator("name", "organisation", "kind", "language", "frequency", mode="before")
    @classmethod
    def _blank_is_default(cls, value: str | None) -> str | None:
        return value or None


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reason: str


def parse_sectors(text: str, known: set[str]) -> tuple[str, ...]:
    ids = [part.strip() for part in text.split(";") if part.strip()]
    if ids == [ALL_SECTORS]:
        return tuple(sorted(known))
    unknown = [sector for sector in ids if sector not in known]
    if unknown:
        raise ValueError(f"unknown sector(s) {', '.join(unknown)}")
    if not ids:
        raise ValueError("no sector given")
    return tuple(ids)


def read_subscribers(
    path: Path, known_sectors: set[str]
) -> Iterator[SubscriberRecord | RejectedRow]:
    """Each row as a record, or as a rejection that names its line and the reason."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            line = reader.line_num
            try:
                parsed = SubscriberRow.model_validate({k: v for k, v in row.items() if k})
                sectors = parse_sectors(parsed.sectors, known_sectors)
            except ValidationError as exc:
                error = exc.errors()[0]
                field = ".".join(str(p) for p in error["loc"])
                yield RejectedRow(line, f"{field}: {error['msg']}")
                continue
            except ValueError as exc:
                yield RejectedRow(line, f"sectors: {exc}")
                continue
            yield SubscriberRecord(
                email=parsed.email.lower(), name=parsed.name, organisation=parsed.organisation,
                kind=parsed.kind or "exporter", language=parsed.language or "vi",
                sectors=sectors, frequency=parsed.frequency or "immediate",
            )


def import_subscribers(sessions: sessionmaker[Session], path: Path,
                       known_sectors: set[str]) -> list[RejectedRow]:
    """Store every good row in one transaction (re-importing is harmless); return the rejects."""
    rejected = []
    with transaction(sessions) as session:
        for row in read_subscribers(path, known_sectors):
            if isinstance(row, RejectedRow):
                rejected.append(row)
            else:
                upsert_subscriber(session, row)
    return rejected
