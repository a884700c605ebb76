"""The risk watch stored (SQLite file and PostgreSQL): a run keeps its ranked headings with their
reasons and track record, and the stored cases, crawled ones too, are part of its history."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner
from sqlalchemy import select

from cli import main
from storage.database import transaction
from storage.models import Case, CaseNumber
from storage.risk import latest_runs, refresh_risk, run_scores
from storage.risk_history import stored_records
from storage.risk_models import RiskRun, RiskScore

AS_OF = date(2011, 7, 1)
TRACK_UNTIL = date(2005, 7, 1)  # two backtest quarters: enough to see the figures stored


def _stored_case(sessions) -> None:
    """A case as crawled notices would leave it: a circumvention inquiry on Vietnam under a
    Chinese order on hangers, opened after the workbook's last date."""
    with transaction(sessions) as session:
        session.add(Case(market="US", origin="CN", measure="AD", product="steel wire hangers",
                         vietnam="circumvention", proceeding="circumvention",
                         stage="initiation", opened_on=date(2011, 3, 1),
                         opened_by="circumvention", hs_codes=["7326.20.0020"],
                         numbers=[CaseNumber(market="US", number="A-570-918")]))


def test_a_run_stores_the_ranked_headings_with_reasons(sessions):
    _stored_case(sessions)
    report = refresh_risk(sessions, AS_OF, track_until=TRACK_UNTIL)
    assert report.as_of == AS_OF and report.markets["US"] == report.ranked > 20
    with sessions() as session:
        (run,) = latest_runs(session)
        assert run.as_of == AS_OF and run.horizon_months == 24
        assert run.history_end is not None and run.history_end <= AS_OF
        assert run.model["names"][0] == "china_cases_12m" and not run.model["fallback"]
        methods = run.track["periods"]["tuning"]["methods"]
        assert set(methods) == {"model", "china_24m", "orders_in_force"}
        assert run.track["periods"]["tuning"]["quarters"] == 3
        top = run_scores(session, run, "US", 20)
        assert [s.rank for s in top] == list(range(1, 21))
        assert all(s.reasons and s.reasons[0]["cases"] for s in top)
        # The stored circumvention inquiry joined the workbook's hangers case by its number.
        hangers = session.scalar(select(RiskScore).where(RiskScore.run_id == run.id,
                                                         RiskScore.heading == "7326"))
        assert hangers is None  # Vietnam is already under inquiry there: not a forecast
        assert session.scalar(select(RiskRun.id)) == report.run_id


def test_stored_cases_join_the_workbook_by_number(sessions):
    _stored_case(sessions)
    with sessions() as session:
        records = stored_records(session)
    hangers = [r for r in records if r.number == "A-570-918"]
    assert len(hangers) == 1
    (case,) = hangers
    assert case.targets == ("VN",) and case.on_vietnam and case.measure == "circumvention"
    assert "7326200020" in case.hs_codes and len(case.hs_codes) > 1  # the workbook's too
    assert case.opened_on == date(2011, 3, 1)


def test_trews_risk_update_and_show(tmp_path, monkeypatch):
    monkeypatch.setenv("TREWS_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    done = runner.invoke(main, ["risk", "update", "--as-of", "2010-01-01"])
    assert done.exit_code == 0, done.output
    assert "risk watch as of 2010-01-01" in done.output and "headings kept (US " in done.output
    shown = runner.invoke(main, ["risk", "show", "--top", "3"])
    assert shown.exit_code == 0, shown.output
    assert "a forecast, not a case" in shown.output
    assert [line.split()[0] for line in shown.output.splitlines()[1:]] == ["1", "2", "3"]
