"""From when each market's cases are all known: the imported history and what was crawled, so the
statistics never draw a year without data as a zero."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Case, Notice, Source


@dataclass(frozen=True)
class Coverage:
    """From when a market's cases are all known: its imported history (the year of its oldest
    listed case) and what was crawled (the oldest notice collected from its sources)."""

    market: str
    history_from: int | None
    crawled_from: date | None

    @property
    def complete_from(self) -> int | None:
        """The first year counted in full: the history's, else the crawl's first whole year."""
        if self.history_from is not None:
            return self.history_from
        return self.crawled_from.year + 1 if self.crawled_from else None


def market_coverage(session: Session) -> dict[str, Coverage]:
    """Each market with cases concerning Vietnam, and from when its data is complete."""
    markets = set(session.scalars(select(Case.market).where(Case.vietnam != "none").distinct()))
    crawled = {market: first for market, first in session.execute(
        select(Source.market, func.min(Notice.published))
        .join(Notice, Notice.source_id == Source.id).group_by(Source.market))}
    return {market: Coverage(market, _history_from(session, market), crawled.get(market))
            for market in sorted(markets)}


def _history_from(session: Session, market: str) -> int | None:
    """The year of the market's oldest case from an imported list (one with list rows)."""
    oldest = session.execute(
        select(Case.opened_on, Case.history_rows)
        .where(Case.market == market, Case.opened_on.is_not(None))
        .order_by(Case.opened_on).limit(_HISTORY_PROBE))
    return next((opened.year for opened, rows in oldest if rows), None)


# The oldest cases looked at for a listed one (the lists reach back decades before any crawl).
_HISTORY_PROBE = 50
