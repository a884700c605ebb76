"""`trews subscribers import` and `trews cases import`: lists from files, every row kept or
rejected with its line and reason."""

import csv
import sys
from pathlib import Path
from typing import Any

import click

from cli_common import config_errors_exit, settings


@click.group()
def subscribers() -> None:
    """Manage subscribers."""


@subscribers.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--confirmed", is_flag=True,
              help="The operator vouches for every address: no confirmation mail (opt-in).")
@config_errors_exit
def import_subscribers_command(file: Path, confirmed: bool) -> None:
    """Import subscribers from a CSV file (see config/subscribers.example.csv). New subscribers
    get a confirmation mail and nothing else until they confirm, unless --confirmed."""
    from alerts.subscribers import SubscribersFileError, import_subscribers
    from scheduler import Service

    service = Service.load(settings())
    try:
        report = import_subscribers(service.sessions, file, {s.id for s in service.sectors},
                                    confirmed=confirmed)
    except SubscribersFileError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    for row in report.rejected:
        click.echo(f"{file}:{row.line}: rejected: {row.reason}", err=True)
    click.echo(f"{file}: {report.read} row(s) read, {report.imported} imported, "
               f"{len(report.rejected)} rejected")


@click.group()
def cases() -> None:
    """Trade-remedy cases."""


SHOWN_ISSUES = 20


@cases.command("import")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rejected", "rejected_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every rejected row and every corrected value to this CSV file.")
@config_errors_exit
def import_cases_command(files: tuple[Path, ...], rejected_file: Path | None) -> None:
    """Load historic US case lists into the cases: FILES, or by default the bundled ITA ACCESS,
    ITA petition, USITC orders, ITA orders API and WTO I-TIP lists. Importing again updates the
    cases in place; a case that crawled notices moved later keeps their stage."""
    from storage.database import make_engine, session_factory
    from storage.history import bundled_lists, import_history
    from storage.history_cases import HistoryFileError
    from storage.migrate import upgrade as apply

    engine = make_engine(settings().db_url)
    try:
        apply(engine)
        report = import_history(session_factory(engine), list(files) or bundled_lists())
    except HistoryFileError as exc:
        click.echo(f"cannot read {exc}; nothing imported", err=True)
        sys.exit(2)
    finally:
        engine.dispose()
    for item in report.files:
        listed, done = item.listed, item.outcomes
        click.echo(f"{listed.name}: {listed.rows} rows read, {len(listed.rejected)} rejected, "
                   f"{len(listed.corrected)} corrected; cases: {done['new']} new, "
                   f"{done['updated']} updated, {done['unchanged']} unchanged")
    done = report.outcomes
    click.echo(f"historic cases: {report.cases} ({report.vietnam} on Vietnam): {done['new']} new, "
               f"{done['updated']} updated, {done['unchanged']} unchanged")
    for kind, issues in (("rejected", report.rejected), ("corrected", report.corrected)):
        more = f", the first {SHOWN_ISSUES} (all with --rejected FILE.csv)" \
            if len(issues) > SHOWN_ISSUES else ""
        click.echo(f"{kind}: {len(issues)}{more}")
        for issue in issues[:SHOWN_ISSUES]:
            click.echo(f"  {issue.file}:{issue.line}: {issue.reason}")
    if rejected_file is not None:
        write_issues(rejected_file, [("rejected", i) for i in report.rejected]
                     + [("corrected", i) for i in report.corrected])


def write_issues(path: Path, issues: list[tuple[str, Any]]) -> None:
    """Rejected rows and corrected values as CSV: file, line, kind, reason."""

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "line", "kind", "reason"])
        writer.writerows([issue.file, issue.line, kind, issue.reason] for kind, issue in issues)
