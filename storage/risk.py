"""Computing the risk watch and keeping what rules/ decided (`trews risk update`): the ranked
(market, HS heading) list as of a date, each with its reasons, and the model's track record.

The ranking is made from every stored case plus the Global Antidumping Database workbook
(storage/risk_history.py). The track record is the backtest of bench/risk.py on the bundled
history, so the figures shown beside the list are the ones the README reports and anyone can
reproduce offline. Each run is kept, so the list of a week ago can be compared with today's
("risk rising" in the digests).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from rules.risk_backtest import (
    HORIZON_MONTHS,
    METHODS,
    TOP,
    backtest,
    evaluation_quarters,
    forecast,
    periods,
    summarise,
)
from rules.risk_model import Reason, Scored
from rules.risk_records import CaseRecord
from storage.database import transaction
from storage.risk_history import bundled_records, stored_records
from storage.risk_models import RiskRun, RiskScore
from storage.timeutil import utcnow

# How much of each market's list is kept per run: the page and the digests show the top.
KEPT_PER_MARKET = 100


def case_facts(record: CaseRecord) -> dict[str, Any]:
    """What a reason shows of one case, in plain values the templates word in vi or en."""
    return {"market": record.market, "origin": record.origin, "measure": record.measure,
            "product": record.product, "number": record.number, "ref": record.ref,
            "opened": record.opened_on.isoformat() if record.opened_on else None,
            "ordered": record.ordered_on.isoformat() if record.ordered_on else None,
            "targets": list(record.targets)}


def reason_facts(reason: Reason) -> dict[str, Any]:
    return {"feature": reason.feature, "count": reason.count, "weight": round(reason.weight, 4),
            "cases": [case_facts(r) for r in reason.cases]}


def track_record(records: Sequence[CaseRecord], until: date | None = None) -> dict[str, Any]:
    """The backtest's figures per period and method (rules/risk_backtest.py)."""
    quarters = backtest(records, until=until)
    _, end, held_from = evaluation_quarters(records)
    figures: dict[str, Any] = {"horizon_months": HORIZON_MONTHS, "history_end": end.isoformat(),
                               "held_out_after": held_from.isoformat(), "periods": {}}
    for name, part in periods(quarters).items():
        if not part:
            continue
        figures["periods"][name] = {
            "first": part[0].cutoff.isoformat(), "last": part[-1].cutoff.isoformat(),
            "quarters": len(part),
            "methods": {m: _summary(part, m) for m in METHODS}}
    return figures


@cache
def _bundled_track(until: date | None) -> dict[str, Any]:
    return track_record(bundled_records(), until=until)


def bundled_track_record(until: date | None = None) -> dict[str, Any]:
    """The track record of the bundled history, backtested once per process and `until` (a
    dozen seconds each time: the history and the model do not change between runs)."""
    return copy.deepcopy(_bundled_track(until))


def _summary(part: Sequence[Any], method: str) -> dict[str, Any]:
    s = summarise(part, method)
    return {"precision": {str(k): round(s.precision[k], 4) for k in TOP},
            "recall_at_50": round(s.recall_at_50, 4), "opened": s.opened}


@dataclass(frozen=True)
class RunReport:
    run_id: int
    as_of: date
    history_cases: int
    ranked: int
    markets: dict[str, int]


def refresh_risk(sessions: sessionmaker[Session], as_of: date | None = None,
                 track_until: date | None = None) -> RunReport:
    """Rank the headings as of `as_of` (today, UTC, by default) and store the run, with the
    track record (its backtest up to `track_until`, all quarters by default)."""
    as_of = as_of or utcnow().date()
    with sessions() as session:
        records = stored_records(session)
    model, scored, _ = forecast(records, as_of)
    track = bundled_track_record(track_until)
    known = [r.known_on for r in records if r.known_on and r.known_on <= as_of]
    kept = [s for s in scored if s.rank <= KEPT_PER_MARKET]
    with transaction(sessions) as session:
        run = RiskRun(as_of=as_of, horizon_months=HORIZON_MONTHS, history_cases=len(records),
                      history_end=max(known, default=None), track=track,
                      model={"names": list(model.names), "weights": list(model.weights),
                             "intercept": model.intercept, "examples": model.examples,
                             "positives": model.positives, "fallback": model.fallback})
        run.scores = [_score_row(s) for s in kept]
        session.add(run)
        session.flush()
        run_id = run.id
    markets: dict[str, int] = {}
    for s in kept:
        markets[s.market] = markets.get(s.market, 0) + 1
    return RunReport(run_id, as_of, len(records), len(kept), markets)


def _score_row(scored: Scored) -> RiskScore:
    return RiskScore(market=scored.market, heading=scored.heading, rank=scored.rank,
                     score=round(scored.score, 6), counts=scored.counts,
                     reasons=[reason_facts(r) for r in scored.reasons])


def latest_runs(session: Session, count: int = 2) -> list[RiskRun]:
    """The newest runs, newest first."""
    return list(session.scalars(select(RiskRun).order_by(RiskRun.id.desc()).limit(count)))


def run_scores(session: Session, run: RiskRun, market: str | None = None,
               top: int = KEPT_PER_MARKET) -> list[RiskScore]:
    """A run's ranked headings (one market's, or every market's), best first."""
    query = select(RiskScore).where(RiskScore.run_id == run.id, RiskScore.rank <= top)
    if market:
        query = query.where(RiskScore.market == market)
    return list(session.scalars(query.order_by(RiskScore.market, RiskScore.rank)))


def run_markets(session: Session, run: RiskRun) -> list[str]:
    return list(session.scalars(select(RiskScore.market).where(RiskScore.run_id == run.id)
                                .distinct().order_by(RiskScore.market)))


def risers(session: Session, top: int = 20) -> list[tuple[RiskScore, int | None]]:
    """The latest run's top `top` headings that entered it or moved up since the run before,
    with their rank then (None: not in that run's list); after a first run, its whole top."""
    runs = latest_runs(session, 2)
    if not runs:
        return []
    before = ({(s.market, s.heading): s.rank for s in run_scores(session, runs[1])}
              if len(runs) > 1 else {})
    found = []
    for score in run_scores(session, runs[0], top=top):
        previous = before.get((score.market, score.heading))
        if previous is None or previous > score.rank:
            found.append((score, previous))
    return sorted(found, key=lambda item: (item[0].rank, item[0].market))
