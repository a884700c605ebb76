"""Notices set aside because their analysis failed, so one hostile notice never stops the others.

A quarantined notice keeps its error and the time it failed; it is not analysed again until its
content changes (storage.notices.store_notice takes it out). The operator hears of each once,
in one alert per analysis batch, and `trews status` shows how many there are and the latest.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.database import error_line
from storage.models import Notice, OperatorAlert
from storage.timeutil import utcnow

ANALYSIS_JOB = "analysis"
# How many errors an operator alert and `trews status` show.
SHOWN = 5


@dataclass(frozen=True)
class Quarantined:
    source_id: str
    external_id: str
    failed_at: datetime
    error: str


def quarantine(notice: Notice, exc: BaseException) -> None:
    """Set the notice aside with why its analysis failed."""
    notice.analysis_failed_at, notice.analysis_error = utcnow(), error_line(exc)


def tell_operator(session: Session, notices: list[Notice]) -> None:
    """Queue one operator alert for the notices this batch quarantined (none when none were)."""
    if not notices:
        return
    latest = "\n".join(f"{n.source_id}:{n.external_id}: {n.analysis_error}"
                       for n in notices[-SHOWN:])
    session.add(OperatorAlert(job_id=ANALYSIS_JOB, kind="quarantined", count=len(notices),
                              reason=latest))


def quarantined_count(session: Session) -> int:
    return session.scalar(select(func.count(Notice.id)).where(
        Notice.analysis_failed_at.is_not(None))) or 0


def latest_quarantined(session: Session, limit: int = SHOWN) -> list[Quarantined]:
    """The most recently quarantined notices, latest first."""
    rows = session.execute(
        select(Notice.source_id, Notice.external_id, Notice.analysis_failed_at,
               Notice.analysis_error)
        .where(Notice.analysis_failed_at.is_not(None))
        .order_by(Notice.analysis_failed_at.desc(), Notice.id.desc()).limit(limit))
    return [Quarantined(source_id, external_id, failed_at, error or "")
            for source_id, external_id, failed_at, error in rows if failed_at is not None]
