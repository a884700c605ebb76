"""/risk: the risk watch for the ministry and the associations. The latest stored run's ranked HS
headings by market and sector, each with the reasons a person can check, and the model's track
record in its backtest beside the simple baselines. Read-only: `trews risk update` computes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from babel.numbers import format_percent
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from alerts.risk_words import ReasonLine, forecast_note, reason_lines
from config.sectors import Sector
from rules.nomenclature import heading_name
from rules.risk_records import heading_sectors
from storage.risk import latest_runs, run_markets, run_scores
from storage.risk_models import RiskRun, RiskScore
from web.deps import LabelsDep, SessionDep
from web.hs import describe
from web.templating import page_language, render_page

router = APIRouter(include_in_schema=False)

SHOWN = 20
MAX_SHOWN = 100
TRACK_METHODS = ("model", "china_24m", "orders_in_force")


@dataclass(frozen=True)
class RiskRow:
    rank: int
    market: str
    heading: str
    description: str | None
    sectors: list[str]
    score: str  # the model's probability, as the reader writes a percentage
    reasons: list[ReasonLine]


def _rows(scores: Sequence[RiskScore], sectors: Sequence[Sector], sector: str | None,
          lang: str, shown: int) -> list[RiskRow]:
    rows = []
    scopes = {s.id: s.hs for s in sectors}
    for score in scores:
        found = heading_sectors(score.heading, scopes)
        if sector and sector not in found:
            continue
        name = heading_name(score.heading, lang) or describe(score.heading)
        rows.append(RiskRow(score.rank, score.market, score.heading, name,
                            found, percent(score.score, lang), reason_lines(score.reasons, lang)))
        if len(rows) >= shown:
            break
    return rows


def percent(value: float, lang: str) -> str:
    """'0,4 %'-style in Vietnamese, '0.4%' in English: one decimal, the reader's notation."""
    return format_percent(value, format="0.0%", locale=lang)


def track_rows(run: RiskRun, lang: str) -> list[dict[str, Any]]:
    """The backtest's figures, one row per (period, method), tuning and held-out apart."""
    rows = []
    for period in ("tuning", "held_out"):
        part = run.track.get("periods", {}).get(period)
        if not part:
            continue
        for method in TRACK_METHODS:
            figures = part["methods"][method]
            rows.append({"period": period, "method": method, "first": part["first"],
                         "last": part["last"], "quarters": part["quarters"],
                         "precision": {k: percent(v, lang)
                                       for k, v in figures["precision"].items()},
                         "recall_at_50": percent(figures["recall_at_50"], lang)})
    return rows


@router.get("/risk", response_class=HTMLResponse)
def risk_page(request: Request, session: SessionDep, labels: LabelsDep,
              market: Annotated[str | None, Query(max_length=8)] = None,
              sector: Annotated[str | None, Query(max_length=40)] = None,
              top: Annotated[int, Query(ge=1, le=MAX_SHOWN)] = SHOWN) -> HTMLResponse:
    """The ranked headings of one market (the first with a list, by default), optionally of one
    sector, with reasons; the track record beside them."""
    lang = page_language(request)
    sectors = request.app.state.sectors
    runs = latest_runs(session, 1)
    run = runs[0] if runs else None
    markets = run_markets(session, run) if run else []
    chosen = (market or "").upper() if (market or "").upper() in markets else (
        "US" if "US" in markets else (markets[0] if markets else None))
    known_sector = sector if sector in {s.id for s in sectors} else None
    rows = _rows(run_scores(session, run, chosen), sectors, known_sector, lang, top) \
        if run and chosen else []
    return render_page(
        request, "risk.html.j2", run=run, markets=markets, market=chosen,
        sector=known_sector, sectors=[s.id for s in sectors if s.hs], rows=rows,
        track=track_rows(run, lang) if run else [], L=labels,
        note=forecast_note(lang, run.horizon_months if run else 24))
