"""The `trews` command line: one command per thing an operator or a script does."""

import asyncio
import json
import sys
from pathlib import Path
from textwrap import shorten
from typing import Any, Literal

import click

from cli_common import config_errors_exit, demo_mode, refused_beside_a_service, settings
from cli_demo import demo
from cli_imports import cases, subscribers
from cli_risk import risk
from config import ConfigError, load_sectors
from config.logs import configure_logging


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log debug details.")
@click.option("--demo", is_flag=True,
              help="Work on the database `trews demo` made (DATA_DIR/demo), e.g. "
                   "`trews --demo web`.")
def main(verbose: bool, demo: bool) -> None:
    """TREWS, the Trade Remedy Early Warning Service: tells Vietnamese exporters when a foreign
    trade-remedy case (anti-dumping, countervailing, safeguard, circumvention) touches their goods.
    """
    configure_logging(verbose, log_format())


def log_format() -> Literal["text", "json"]:
    """TREWS_LOG_FORMAT; text while the settings are bad (the command then reports them)."""
    try:
        return settings().log_format
    except ConfigError:
        return "text"


def _shard(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    from storage.shards import Shard, ShardError

    try:
        return Shard.parse(value) if value else Shard()
    except ShardError as exc:
        raise click.BadParameter(str(exc)) from exc


@main.command()
@click.option("--once", is_flag=True, help="Run every source's cycle once, then exit.")
@click.option("--shard", callback=_shard, metavar="K/N",
              help="Run shard K of N services sharing one PostgreSQL database: every N-th "
                   "source from the K-th; digests and upkeep in shard 1; all drain the outbox.")
@config_errors_exit
def run(once: bool, shard: Any) -> None:
    """Run the service: crawl, analyse, match and send on each source's interval. Refused beside
    a live service on the same database, unless both are shards K/N of one N."""
    from one_off import run_once
    from scheduler import serve

    current = settings()
    with refused_beside_a_service():
        if not once:
            asyncio.run(serve(current, shard=shard))
            return
        failed = run_once(current, shard, click.echo)
    if failed:
        click.echo(f"{len(failed)} crawl(s) failed: {', '.join(r.source_id for r in failed)}",
                   err=True)
        sys.exit(1)


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Ask for notices published on or after this date (default: incremental).")
@config_errors_exit
def crawl(sources: tuple[str, ...], since: Any) -> None:
    """Crawl SOURCES now and store what they publish (no analysis, no mail); with --since, a
    backfill from that date, with a live count of what is stored. Refused beside a live
    service on the same database."""
    from config import load_sources
    from one_off import crawl_sources

    current = settings()
    configured = load_sources(current.sources_file)
    unknown = [name for name in sources if name not in configured]
    if unknown:
        raise click.UsageError(f"unknown source(s): {', '.join(unknown)} "
                               f"(configured: {', '.join(configured)})")
    with refused_beside_a_service():
        failed = crawl_sources(current, sources, since.date() if since else None, click.echo)
    if failed:
        sys.exit(1)


@main.command()
@click.argument("file", type=click.File("rb"))
@config_errors_exit
def analyse(file: Any) -> None:
    """Analyse notices: JSON lines in (FILE or - for stdin), one JSON line out per input line."""
    from rules.jsonlines import analyse_lines

    sectors = load_sectors(settings().sectors_file)
    failed = 0
    for _number, result, error in analyse_lines(file, sectors):
        if error is not None:
            failed += 1
            click.echo(error, err=True)
            continue
        click.echo(json.dumps(result, ensure_ascii=False))
    if failed:
        sys.exit(1)


@main.command("match")
@click.argument("file", type=click.File("rb"))
@click.option("--subscriptions", "subscriptions_file",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Subscriptions as JSON lines (default: the database's subscriptions).")
@config_errors_exit
def match_command(file: Any, subscriptions_file: Path | None) -> None:
    """Match analysed notices (the `analyse` output, FILE or -) against subscriptions: one JSON
    line out per (notice, subscription) match, with its severity and reasons."""
    from rules.index import MatchIndex
    from rules.matchlines import match_lines
    from rules.subscriptions import SubscriptionError, load_subscriptions_jsonl

    sector_ids = frozenset(sector.id for sector in load_sectors(settings().sectors_file))
    try:
        subscriptions = (load_subscriptions_jsonl(subscriptions_file, sector_ids)
                         if subscriptions_file else stored_subscriptions())
    except SubscriptionError as exc:
        raise click.BadParameter(str(exc), param_hint="--subscriptions") from exc
    failed = 0
    for _number, matches, error in match_lines(file, MatchIndex.build(subscriptions),
                                               sector_ids):
        if error is not None:
            failed += 1
            click.echo(error, err=True)
            continue
        for found in matches or []:
            click.echo(json.dumps(found, ensure_ascii=False))
    if failed:
        sys.exit(1)


def stored_subscriptions() -> list[Any]:
    """The confirmed subscribers' subscriptions, as the service matches them."""
    from analysis_run import rule_subscriptions
    from scheduler import Service
    from storage.subscribers import active_subscriptions

    service = Service.load(settings())
    with service.sessions() as session:
        return rule_subscriptions(active_subscriptions(session))


@main.command()
@config_errors_exit
def sources() -> None:
    """Show every source, its health, and the evidence its spider rests on."""
    from crawlers.evidence import evidence
    from scheduler import Service
    from storage.sources import list_sources

    service = Service.load(settings())
    zone = service.settings.zone
    with service.sessions() as session:
        rows = list_sources(session)
    known = evidence()
    click.echo(f"{'source':<25}{'market':<7}{'health':<9}{'last run':<9}{'last success':<18}"
               f"{'items':>6}{'fails':>6}{'empty':>6}  {'replica':<8}{'evidence':<11}reason")
    for row in rows:
        success = row.last_success_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") \
            if row.last_success_at else "never"
        configured = service.sources.get(row.id)
        health = row.health if configured is not None and configured.enabled else "off"
        found = known.get(row.id)
        click.echo(f"{row.id:<25}{row.market:<7}{health:<9}{row.last_status or 'never':<9}"
                   f"{success:<18}{row.items_last_run:>6}{row.consecutive_failures:>6}"
                   f"{row.consecutive_empty_runs:>6}  {found.replica if found else 'none':<8}"
                   f"{(found.seen if found else None) or '-':<11}{row.health_reason or ''}")


@main.command()
@config_errors_exit
def status() -> None:
    """Show the service's jobs, the outbox, mails sent today, failing sources and the last run
    of every job."""
    from scheduler import Service
    from storage.status import service_status

    service = Service.load(settings())
    zone = service.settings.zone
    with service.sessions() as session:
        state = service_status(session, zone)
    click.echo("jobs:" if state.jobs else "jobs: none scheduled (is `trews run` started?)")
    for job_id, when in state.jobs:
        shown = when.astimezone(zone).strftime("%Y-%m-%d %H:%M") if when else "paused"
        click.echo(f"  {job_id:<34} next run {shown}")
    outbox = ", ".join(f"{count} {name}" for name, count in sorted(state.outbox.items()))
    click.echo(f"outbox: {outbox or 'empty'}")
    click.echo(f"mails sent today: {state.sent_today}")
    click.echo(f"operator alerts waiting: {state.operator_alerts_queued}")
    click.echo(f"failing sources: {len(state.failing)}")
    for source_id, reason in state.failing:
        click.echo(f"  {source_id}: {reason or ''}")
    click.echo(f"quarantined notices: {state.quarantined} (analysed again when they change)")
    for notice in state.latest_quarantined:
        failed = notice.failed_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        click.echo(f"  {notice.source_id}:{notice.external_id} {failed} "
                   f"{shorten(notice.error, 160)}")
    click.echo("last runs:" if state.last_runs else "last runs: none yet")
    for run in state.last_runs:
        finished = run.finished_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        streak = f" ({run.consecutive_failures} in a row)" if run.consecutive_failures else ""
        error = f": {shorten(' '.join(run.error.split()), 160)}" if run.error else ""
        click.echo(f"  {run.job_id:<34} last run {finished} {run.outcome}{streak}{error}")


@main.command()
@click.option("--dry-run", is_flag=True,
              help="Render and print, send nothing (required: the service sends digests).")
@click.option("--kind", type=click.Choice(["daily", "weekly"]), help="Only this digest.")
@click.option("--subscriber", "email", help="Only this subscriber (e-mail address).")
@click.option("--period", help="This period instead of the due ones: 2026-11-23 or 2026-W47 "
              "(needs --kind).")
@config_errors_exit
def digest(dry_run: bool, kind: str | None, email: str | None, period: str | None) -> None:
    """Show the digests that are due now (subject and text part of each), or one period's."""
    from alerts.digests import render_digests
    from scheduler import Service

    if not dry_run:
        raise click.UsageError("only --dry-run: the service queues and sends digests itself")
    if period and not kind:
        raise click.UsageError("--period needs --kind")
    service = Service.load(settings())
    with service.sessions() as session:
        messages = render_digests(
            session, settings=service.settings, sector_names=service.sector_names,
            source_names={key: source.authority for key, source in service.sources.items()},
            kind=kind, email=email, period_key=period)
    for message in messages:
        text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
        click.echo(f"To: {message['To']}\nSubject: {message['Subject']}\n")
        click.echo(text.get_content())
        click.echo("=" * 76)
    click.echo(f"{len(messages)} digest(s) would be sent")


@main.group()
def users() -> None:
    """Manage the users of the operator pages (/admin)."""


@users.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(["operator", "ministry"]), default="operator",
              show_default=True, help="operator: may act (send failed mails again); "
              "ministry: may look.")
@click.password_option(help="Asked for (hidden, twice) when not given.")
@config_errors_exit
def add_user_command(email: str, role: str, password: str) -> None:
    """Add a user who signs in to /admin with EMAIL, or set an existing user's password and
    role. Only an argon2 hash of the password is stored."""
    from storage.database import make_engine, session_factory, transaction
    from storage.migrate import upgrade as apply
    from web.auth import NotAnAddress, PasswordTooShort, add_user

    engine = make_engine(settings().db_url)
    apply(engine)
    try:
        with transaction(session_factory(engine)) as session:
            created = add_user(session, email, password, role)
    except NotAnAddress as exc:
        raise click.BadParameter(str(exc), param_hint="EMAIL") from exc
    except PasswordTooShort as exc:
        raise click.BadParameter(str(exc), param_hint="password") from exc
    click.echo(f"{'added' if created else 'updated'} {role} {email.strip().lower()}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@config_errors_exit
def web(host: str, port: int) -> None:
    """Serve the web front end: cases, statistics, feeds, the JSON API and subscriptions.
    Under `trews --demo`, its links lead to where it listens, as the demo's mails do."""
    import uvicorn

    from demo_settings import demo_url
    from web.app import create_app

    current = settings()
    if demo_mode():
        current = current.model_copy(update={"public_url": demo_url(host, port)})
    app = create_app(current)
    click.echo(f"TREWS web on http://{host}:{port}/ (API document: /api/openapi.json)")
    uvicorn.run(app, host=host, port=port, proxy_headers=True, server_header=False)


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command()
@config_errors_exit
def upgrade() -> None:
    """Apply pending migrations."""
    from storage.database import make_engine
    from storage.migrate import upgrade as apply

    current = settings()
    apply(make_engine(current.db_url))
    click.echo(f"database at the newest schema: {current.db_url}")


main.add_command(demo)
main.add_command(subscribers)
main.add_command(cases)
main.add_command(risk)
