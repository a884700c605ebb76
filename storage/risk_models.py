"""The risk watch's tables (storage/risk.py, storage/risk_watch.py): each computed run with its
ranked headings, and each subscriber's watched headings on the list. Apart from storage/models.py
for size; the same declarative base, so migrations and sessions see them alike."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models import Base
from storage.timeutil import utcnow


class RiskRun(Base):
    """One computation of the risk watch (storage/risk.py): the date it forecasts from, the
    model's weights, and the model's track record in the backtest beside the baselines'."""

    __tablename__ = "risk_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    as_of: Mapped[date]
    horizon_months: Mapped[int]
    history_cases: Mapped[int]
    history_end: Mapped[date | None]
    model: Mapped[dict[str, Any]]
    track: Mapped[dict[str, Any]]

    scores: Mapped[list["RiskScore"]] = relationship(cascade="all, delete-orphan",
                                                     order_by="RiskScore.rank")


class RiskScore(Base):
    """One (market, HS heading) on a run's ranked list: its score, counts and reasons (each
    reason a count with the cases behind it, as rules.risk_model.Reason gives it)."""

    __tablename__ = "risk_score"
    __table_args__ = (UniqueConstraint("run_id", "market", "heading"),
                      Index("ix_risk_score_rank", "run_id", "market", "rank"))

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("risk_run.id"))
    market: Mapped[str] = mapped_column(String(8))
    heading: Mapped[str] = mapped_column(String(4))
    rank: Mapped[int]
    score: Mapped[float]
    counts: Mapped[dict[str, Any]]
    reasons: Mapped[list[Any]]


class RiskWatch(Base):
    """A subscriber's watched (market, HS heading) on the risk watch's top list: whether it is
    in the top now, and the warning of its latest entry (storage/risk_watch.py). One warning per
    entry: while ``in_top`` nothing more is sent; once it has left (``left_at``) and comes back,
    ``entries`` counts up and it goes into a new warning (delivery kind "risk", period
    "r<run id>", one per subscriber and run, naming every heading that entered with the run)."""

    __tablename__ = "risk_watch"
    __table_args__ = (UniqueConstraint("subscriber_id", "market", "heading"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscriber.id"))
    market: Mapped[str] = mapped_column(String(8))
    heading: Mapped[str] = mapped_column(String(4))
    in_top: Mapped[bool] = mapped_column(default=False)
    entries: Mapped[int] = mapped_column(default=0)
    rank: Mapped[int | None]
    run_id: Mapped[int | None] = mapped_column(ForeignKey("risk_run.id"))
    entered_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("delivery.id"), index=True)
