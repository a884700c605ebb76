"""`trews risk update` and `trews risk show`: the risk watch's ranked list of HS headings where a
case on Vietnam may come next, computed from the stored case history, with its reasons."""

import sys
from datetime import datetime

import click

from cli_common import config_errors_exit, settings


@click.group()
def risk() -> None:
    """Risk watch: which products may be investigated next (a forecast, not a case)."""


@risk.command("update")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Forecast from this day (default today, UTC); only cases known then count.")
@config_errors_exit
def update_command(as_of: datetime | None) -> None:
    """Rank the (market, HS heading) pairs from the stored cases and the bundled Global
    Antidumping Database workbook, and store the list with its backtested track record; then
    queue a warning for each opted-in subscriber whose watched heading entered the top 20."""
    from alerts.digests import sector_scopes
    from storage.database import make_engine, session_factory, transaction
    from storage.history_cases import HistoryFileError
    from storage.migrate import upgrade as apply
    from storage.risk import refresh_risk
    from storage.risk_watch import queue_risk_warnings
    from storage.timeutil import utcnow

    current = settings()
    engine = make_engine(current.db_url)
    try:
        apply(engine)
        sessions = session_factory(engine)
        report = refresh_risk(sessions, as_of.date() if as_of else None)
        with transaction(sessions) as session:
            warned = queue_risk_warnings(session, sector_scopes(current.sectors_file), utcnow())
    except HistoryFileError as exc:
        click.echo(f"cannot read {exc}; nothing stored", err=True)
        sys.exit(2)
    finally:
        engine.dispose()
    markets = ", ".join(f"{m} {n}" for m, n in sorted(report.markets.items())) or "none"
    click.echo(f"risk watch as of {report.as_of}: {report.history_cases} cases read, "
               f"{report.ranked} headings kept ({markets}); run {report.run_id}")
    click.echo(f"risk warnings queued: {warned} (subscribers who opted in, a watched heading "
               "new in the top 20; the service's outbox sends them)")


@risk.command("show")
@click.option("--market", default=None, help="Only this market (US, EU, ...).")
@click.option("--top", default=20, show_default=True, help="How many headings per market.")
@config_errors_exit
def show_command(market: str | None, top: int) -> None:
    """Print the latest list: rank, market, heading, score and the first reason."""
    from storage.database import make_engine, session_factory
    from storage.risk import latest_runs, run_scores

    engine = make_engine(settings().db_url)
    try:
        with session_factory(engine)() as session:
            runs = latest_runs(session, 1)
            if not runs:
                click.echo("no risk list yet: run `trews risk update`", err=True)
                sys.exit(1)
            click.echo(f"forecast as of {runs[0].as_of} (a forecast, not a case)")
            for row in run_scores(session, runs[0], market and market.upper(), top):
                first = row.reasons[0] if row.reasons else None
                why = ""
                if first and first["cases"]:
                    case = first["cases"][0]
                    why = (f"{first['feature']}: {case['origin']} {case['product']} "
                           f"({case['number'] or case['ref']})")
                click.echo(f"{row.rank:>3} {row.market:<3} {row.heading} {row.score:.3f} {why}")
    finally:
        engine.dispose()
