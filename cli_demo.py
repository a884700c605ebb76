"""`trews demo`: the offline demo, and the summary that tells a newcomer where to look next."""

import asyncio
import sys
from pathlib import Path
from typing import Any

import click

from cli_common import config_errors_exit, refused_beside_a_service
from config import load_settings
from demo_settings import DEMO_HOST, DEMO_PORT, demo_url


@click.command()
@click.option("--outbox", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the received e-mails (default: DATA_DIR/demo/outbox).")
@click.option("--serve", "serving", is_flag=True,
              help="Then keep the service running on the replay server, with the web front end "
                   "on the demo database, until Ctrl-C.")
@click.option("--host", default=DEMO_HOST, show_default=True,
              help="Web address: served with --serve, and the one the mails link to.")
@click.option("--port", default=DEMO_PORT, show_default=True, type=click.IntRange(1, 65535),
              help="Web port: served with --serve, and the one the mails link to.")
@click.option("--publish-every", default=120.0, show_default=True, type=click.FloatRange(min=1),
              help="Seconds between new notices on the replay server (--serve).")
@config_errors_exit
def demo(outbox: Path | None, serving: bool, host: str, port: int,
         publish_every: float) -> None:
    """Everything offline: replay recorded sources, analyse, match, mail to a local server;
    every kind of mail lands in the outbox, its links on the web address (--host, --port).
    Refused while a service (`trews demo --serve`, `trews --demo run`) holds the demo's
    database."""
    from demo import run_demo, serve_demo

    # The demo makes its own world under DATA_DIR/demo, with or without `trews --demo`.
    configured = load_settings()
    if not serving:
        with refused_beside_a_service():
            summary = asyncio.run(run_demo(configured, outbox, demo_url(host, port)))
        show_summary(summary, host, port)
        return

    def shown(summary: Any, address: str) -> None:
        show_summary(summary, host, port)
        click.echo(f"  web:                     {address}")
        click.echo("The service keeps running on the replay server, where a new Federal "
                   f"Register notice appears every {publish_every:g} s (polled every minute); "
                   "watch the outbox and the web pages; stop with Ctrl-C.")

    with refused_beside_a_service():
        asyncio.run(serve_demo(configured, outbox, host, port, shown, publish_every))


def show_summary(summary: Any, host: str = DEMO_HOST, port: int = DEMO_PORT) -> None:
    """The demo's per-source counts and totals, the mails by kind, and the commands that serve
    the demo's web pages (those every link in its mails leads to)."""
    click.echo("TREWS demo (offline, recorded sources)")
    for count in summary.crawls:
        detail = f"{count.items} items ({count.new} new)"
        if count.error:
            detail += f"; {count.error}"
        click.echo(f"  {count.source_id:<24} {count.status:<7} {detail}")
    click.echo(f"  notices fetched:         {summary.notices}")
    click.echo(f"  trade-remedy notices:    {summary.trade_remedy}")
    click.echo(f"  on Vietnam:              {summary.vietnam}")
    click.echo(f"  historic cases:          {summary.historic_cases} "
               f"({summary.historic_vietnam} on Vietnam)")
    click.echo(f"  matches (subscriptions): {summary.matches}")
    click.echo(f"  e-mails received:        {summary.mails} -> {', '.join(summary.recipients)}")
    kinds = ", ".join(f"{count} {kind}" for kind, count in summary.kinds.items())
    click.echo(f"  by kind:                 {kinds}")
    click.echo(f"  alerts with their deadlines as .ics: {summary.calendars}")
    click.echo(f"  outbox:                  {summary.outbox}")
    where = "" if (host, port) == (DEMO_HOST, DEMO_PORT) else f" --host {host} --port {port}"
    program = sys.argv[0]
    click.echo(f"  to see it in a browser:  {program} demo --serve{where} (the same demo again, "
               f"with the web pages at {summary.public_url}, where every link in the mails "
               "leads)")
    click.echo(f"  or on this very demo:    {program} --demo web{where} (--demo before any "
               f"command works on this demo's database: {program} --demo status, ... "
               "--demo users add EMAIL, --demo digest --dry-run)")
