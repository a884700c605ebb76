"""The "risk rising" section of the ministry's and the associations' overviews: the headings that
entered the risk watch's top 20 or moved up in it since the run before (storage/risk.py), of
the reader's sectors, each with its first reason. Worded as what it is: a forecast, not a case.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from alerts.i18n import country_name, translations
from alerts.risk_words import forecast_note, reason_lines
from rules.nomenclature import heading_name
from rules.risk_backtest import HORIZON_MONTHS
from rules.risk_records import heading_sectors
from storage.risk import risers

# The risers a digest names; the /risk page has the whole list.
MAIL_RISERS = 5
TOP = 20


@dataclass(frozen=True)
class RiskRiser:
    """One heading on the rise, as plain data for the digest context."""

    market: str
    heading: str
    rank: int
    previous: int | None
    horizon_months: int
    reasons: tuple[Mapping[str, Any], ...]


def risk_risers(session: Session, wanted: Sequence[str],
                sector_hs: Mapping[str, Sequence[str]] | None) -> tuple[RiskRiser, ...]:
    """The first MAIL_RISERS risers; of the `wanted` sectors only, when the sectors' HS scopes
    are known (an empty `wanted`: every sector)."""
    found = []
    for score, previous in risers(session, TOP):
        if wanted and sector_hs is not None and not set(wanted) & set(
                heading_sectors(score.heading, sector_hs)):
            continue
        found.append(RiskRiser(score.market, score.heading, score.rank, previous,
                               HORIZON_MONTHS, tuple(score.reasons)))
        if len(found) == MAIL_RISERS:
            break
    return tuple(found)


@dataclass(frozen=True)
class RiserView:
    market: str
    heading: str
    name: str | None
    movement: str
    reason: str | None


def riser_views(found: Sequence[RiskRiser], lang: str) -> list[RiserView]:
    """The risers in the reader's language: where, which heading, how it moved, why."""
    _ = translations(lang).gettext
    views = []
    for riser in found:
        if riser.previous is None:
            movement = _("new in the top %(top)d, now number %(rank)d") % {
                "top": TOP, "rank": riser.rank}
        else:
            movement = _("up from number %(previous)d to number %(rank)d") % {
                "previous": riser.previous, "rank": riser.rank}
        lines = reason_lines(riser.reasons[:1], lang)
        reason = None
        if lines:
            first = lines[0]
            reason = f"{first.title}: {first.count}" + (f" ({first.cases[0]})"
                                                          if first.cases else "")
        views.append(RiserView(country_name(riser.market, lang) or riser.market, riser.heading,
                               heading_name(riser.heading, lang), movement, reason))
    return views


def rising_note(found: Sequence[RiskRiser], lang: str) -> str | None:
    return forecast_note(lang, found[0].horizon_months) if found else None
