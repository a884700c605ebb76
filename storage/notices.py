"""Storing notices once: unique per (source, external id), updated when their content changes."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Notice
from storage.timeutil import utcnow


class StoreOutcome(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class NoticeRecord:
    """A notice as a crawler hands it to storage, already normalised."""

    source_id: str
    external_id: str
    market: str
    url: str
    title: str
    published: date | None
    body: str
    raw: dict[str, Any]

    def content_hash(self) -> str:
        """A digest of everything the analysis reads, so a re-published notice is re-analysed."""
        canonical = json.dumps(
            [self.url, self.title, self.published and self.published.isoformat(), self.body,
             self.raw],
            sort_keys=True, ensure_ascii=False, default=str,
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def store_notice(session: Session, record: NoticeRecord) -> StoreOutcome:
    """Insert a new notice, update a changed one (queued for analysis again), or do nothing."""
    digest = record.content_hash()
    existing = session.scalars(
        select(Notice).where(
            Notice.source_id == record.source_id, Notice.external_id == record.external_id
        )
    ).one_or_none()
    if existing is None:
        session.add(Notice(
            source_id=record.source_id, external_id=record.external_id, market=record.market,
            url=record.url, title=record.title, published=record.published, body=record.body,
            raw=record.raw, content_hash=digest,
        ))
        return StoreOutcome.NEW
    if existing.content_hash == digest:
        return StoreOutcome.UNCHANGED
    existing.url, existing.title, existing.published = record.url, record.title, record.published
    existing.body, existing.raw, existing.content_hash = record.body, record.raw, digest
    existing.updated_at = utcnow()
    existing.analysed_at = None
    existing.analysis_failed_at, existing.analysis_error = None, None  # out of quarantine
    return StoreOutcome.UPDATED


def notices_to_analyse(session: Session, limit: int = 500) -> list[Notice]:
    """New or changed notices, oldest first, in batches so a backfill never loads everything;
    not those quarantined (storage.quarantine) until they change. Locked for the session's
    transaction on PostgreSQL, where services sharing the database skip each other's batches
    rather than analyse and queue the same notice twice."""
    return list(session.scalars(
        select(Notice).where(Notice.analysed_at.is_(None), Notice.analysis_failed_at.is_(None))
        .order_by(Notice.id).limit(limit).with_for_update(skip_locked=True)
    ))


def save_analysis(notice: Notice, analysis: dict[str, Any]) -> None:
    """Keep the full analysis and the columns the service filters on."""
    notice.analysis = analysis
    notice.trade_remedy = bool(analysis.get("trade_remedy"))
    notice.vietnam = analysis.get("vietnam")
    notice.severity = analysis.get("severity")
    notice.analysed_at = utcnow()
