"""The service watching itself: every job run recorded and logged, one operator mail when a job
keeps failing or the outbox backs up (and one when it is over), `trews status` showing the last
runs, the daily database upkeep, and the extra runs at a publisher's clock times."""

import asyncio
import io
import json
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from alembic import command
from click.testing import CliRunner
from sqlalchemy import inspect, select, text, update

import scheduler
from alerts.capture import MailCapture
from alerts.operator import OperatorContext, render_operator_alert
from alerts.subscribers import import_subscribers
from alerts.transport import SmtpTransport
from cli import main
from config import ConfigError, Settings, load_settings, load_sources
from config.logs import log_handler
from config.settings import CONFIG_DIR
from scheduler import (
    Service,
    build_scheduler,
    digests_job,
    ensure_jobs,
    maintenance_job,
    outbox_job,
    send_queued,
)
from storage.database import make_engine, session_factory, transaction
from storage.migrate import alembic_config, upgrade
from storage.models import Delivery, JobRun, OperatorAlert
from storage.timeutil import utcnow
from tests.conftest import ROOT

HOSTILE = "<script>alert('owned')</script> & database is locked"
PI = "us_fr_public_inspection"


@pytest.fixture
def service(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
            ) -> Iterator[Service]:
    """The loaded service on a real database, installed as the running one (as `trews run`
    does), so the jobs can be run directly."""
    loaded = Service.load(load_settings(data_dir=tmp_path / "var", database_url=database_url,
                                        operator_email="ops@example.com"))
    monkeypatch.setattr(scheduler, "_running", loaded)
    yield loaded
    loaded.sessions.kw["bind"].dispose()


def alerts(service: Service) -> list[tuple[str, str | None, int | None]]:
    with service.sessions() as session:
        return [(row.kind, row.job_id, row.count) for row in session.scalars(
            select(OperatorAlert).order_by(OperatorAlert.id))]


def runs(service: Service, job_id: str) -> list[JobRun]:
    with service.sessions() as session:
        return list(session.scalars(select(JobRun).where(JobRun.job_id == job_id)
                                    .order_by(JobRun.id)))


def rename_table(service: Service, old: str, new: str) -> None:
    with transaction(service.sessions) as session:
        session.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))


def test_a_job_failing_three_times_in_a_row_alerts_once_and_once_on_recovery(
    service: Service,
) -> None:
    # A real failure: the digest job's query finds no subscriber table.
    rename_table(service, "subscriber", "subscriber_away")
    for _ in range(4):
        asyncio.run(digests_job())
    failed = runs(service, "digests")
    assert [run.outcome for run in failed] == ["failed"] * 4
    assert [run.consecutive_failures for run in failed] == [1, 2, 3, 4]
    assert "subscriber" in (failed[-1].error or "")
    assert alerts(service) == [("job_failing", "digests", 3)]
    with service.sessions() as session:
        alert = session.scalars(select(OperatorAlert)).one()
        assert alert.since_at == failed[0].started_at and alert.source_id is None

    rename_table(service, "subscriber_away", "subscriber")
    asyncio.run(digests_job())
    asyncio.run(digests_job())
    assert [run.consecutive_failures for run in runs(service, "digests")][-2:] == [0, 0]
    assert alerts(service) == [("job_failing", "digests", 3), ("job_recovered", "digests", 4)]


def test_two_failures_are_no_alert(service: Service) -> None:
    rename_table(service, "subscriber", "subscriber_away")
    asyncio.run(digests_job())
    asyncio.run(digests_job())
    rename_table(service, "subscriber_away", "subscriber")
    asyncio.run(digests_job())
    assert [run.consecutive_failures for run in runs(service, "digests")] == [1, 2, 0]
    assert alerts(service) == []


def test_the_job_alert_reaches_the_operator_through_the_outbox(service: Service) -> None:
    rename_table(service, "subscriber", "subscriber_away")
    for _ in range(3):
        asyncio.run(digests_job())
    rename_table(service, "subscriber_away", "subscriber")

    async def send() -> list:
        async with MailCapture() as capture:
            await send_queued(service, SmtpTransport("127.0.0.1", capture.port, timeout=10))
            return capture.received

    received = asyncio.run(send())
    assert len(received) == 1 and received[0].recipients == ["ops@example.com"]
    message = received[0].message
    assert str(message["Subject"]) == "[TREWS][TÁC VỤ LỖI] digests"
    body = message.get_body(("plain",)).get_content()
    assert "Tác vụ digests đã thất bại 3 lần liên tiếp." in body
    assert "subscriber" in body and "Bắt đầu lỗi từ" in body


def operator_mail(kind: str, language: str, **fields: object) -> EmailMessage:
    ctx = OperatorContext(
        alert_id=11, kind=kind, source_id=None, authority=None, reason=HOSTILE,
        changed_at=datetime(2026, 11, 25, 1, 0, tzinfo=UTC), last_success_at=None,
        recipient_email="ops@example.com", language=language,
        since_at=datetime(2026, 11, 24, 23, 58, tzinfo=UTC), **fields)  # type: ignore[arg-type]
    message = message_from_bytes(render_operator_alert(ctx, "t@x.invalid").as_bytes(),
                                 policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def parts(message: EmailMessage) -> tuple[str, str]:
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


@pytest.mark.parametrize(("kind", "job_id", "language", "subject", "heading"), [
    ("job_failing", "outbox", "en", "[TREWS][JOB FAILING] outbox",
     "The job outbox has failed 3 times in a row."),
    ("job_failing", "outbox", "vi", "[TREWS][TÁC VỤ LỖI] outbox",
     "Tác vụ outbox đã thất bại 3 lần liên tiếp."),
    ("outbox_backlog", "outbox", "en", "[TREWS][OUTBOX BACKED UP] outbox",
     "The outbox is backed up: 3 mails are due and not sent."),
    ("outbox_backlog", "outbox", "vi", "[TREWS][HÀNG ĐỢI THƯ BỊ ÙN TẮC] outbox",
     "Hàng đợi thư bị ùn tắc: 3 thư đã đến hạn nhưng chưa được gửi."),
])
def test_trouble_mails_say_what_since_when_and_escape_the_error(
    kind: str, job_id: str, language: str, subject: str, heading: str,
) -> None:
    message = operator_mail(kind, language, job_id=job_id, count=3)
    assert str(message["Subject"]) == subject
    assert message["Content-Language"] == language
    plain, html = parts(message)
    assert heading in plain and heading in html
    since = "06:58, 25/11/2026" if language == "vi" else "25 Nov 2026, 06:58"
    assert since in plain and since in html  # 23:58 UTC in Hanoi
    assert HOSTILE in plain
    assert "<script>" not in html
    assert "&lt;script&gt;alert(" in html and "&amp; database is locked" in html
    assert "TREWS_OPERATOR_EMAIL" in plain and "TREWS_OPERATOR_EMAIL" in html


@pytest.mark.parametrize(("kind", "language", "heading"), [
    ("job_recovered", "en", "The job digests works again."),
    ("job_recovered", "vi", "Tác vụ digests đã hoạt động trở lại."),
    ("outbox_cleared", "en", "The outbox is flowing again"),
    ("outbox_cleared", "vi", "Hàng đợi thư đã thông trở lại"),
])
def test_recovery_mails_in_both_languages(kind: str, language: str, heading: str) -> None:
    plain, html = parts(operator_mail(kind, language, job_id="digests", count=4))
    assert heading in plain and heading in html


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_outbox_backlog_alerts_once_when_it_backs_up_and_once_when_it_clears(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    down = load_settings(data_dir=tmp_path / "var", database_url=database_url,
                         smtp_host="127.0.0.1", smtp_port=closed_port(),
                         operator_email="ops@example.com", outbox_backlog_minutes=30)
    service = Service.load(down)
    monkeypatch.setattr(scheduler, "_running", service)
    import_subscribers(service.sessions, CONFIG_DIR / "subscribers.example.csv",
                       {sector.id for sector in service.sectors}, confirmed=False)
    asyncio.run(outbox_job())  # the server is down, but nothing has waited long yet
    assert alerts(service) == []

    with transaction(service.sessions) as session:  # as if they had waited two hours
        session.execute(update(Delivery).values(created_at=utcnow() - timedelta(hours=2)))
        waiting = session.scalar(select(Delivery.id).order_by(Delivery.id).limit(1))
    assert waiting is not None
    asyncio.run(outbox_job())
    asyncio.run(outbox_job())
    [(kind, job_id, due)] = alerts(service)
    assert (kind, job_id) == ("outbox_backlog", "outbox") and due is not None and due > 0
    with service.sessions() as session:
        alert = session.scalars(select(OperatorAlert)).one()
        assert alert.since_at is not None and alert.since_at <= utcnow() - timedelta(hours=2)
        assert "127.0.0.1" in (alert.reason or "")  # the sender's last error
    last = runs(service, "outbox")[-1]
    assert last.outcome == "ok" and last.counts is not None
    assert (last.counts["sent"], last.counts["due"]) == (0, due)

    service.settings = load_settings(data_dir=tmp_path / "var", database_url=database_url,
                                     operator_email="ops@example.com")  # the file outbox
    for _ in range(3):
        asyncio.run(outbox_job())
    assert [kind for kind, _job, _due in alerts(service)] == ["outbox_backlog", "outbox_cleared"]
    subjects = sorted(str(message_from_bytes(path.read_bytes(), policy=policy.default)["Subject"])
                      for path in service.settings.outbox.glob("*.eml")
                      if b"ops@example.com" in path.read_bytes())
    assert subjects == ["[TREWS][HÀNG ĐỢI THƯ BỊ ÙN TẮC] outbox",
                        "[TREWS][HÀNG ĐỢI THƯ ĐÃ THÔNG] outbox"]
    service.sessions.kw["bind"].dispose()


def test_too_many_mails_due_is_a_backlog_too(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = Service.load(load_settings(
        data_dir=tmp_path / "var", database_url=database_url, smtp_host="127.0.0.1",
        smtp_port=closed_port(), outbox_backlog_count=1))
    monkeypatch.setattr(scheduler, "_running", service)
    import_subscribers(service.sessions, CONFIG_DIR / "subscribers.example.csv",
                       {sector.id for sector in service.sectors}, confirmed=False)
    asyncio.run(outbox_job())
    [(kind, _job, due)] = alerts(service)
    assert kind == "outbox_backlog" and due is not None and due > 1
    service.sessions.kw["bind"].dispose()


def test_status_prints_the_last_run_of_every_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {"TREWS_DATA_DIR": str(tmp_path / "var")}
    service = Service.load(load_settings(data_dir=tmp_path / "var"))
    monkeypatch.setattr(scheduler, "_running", service)
    asyncio.run(maintenance_job())
    rename_table(service, "subscriber", "subscriber_away")
    for _ in range(3):
        asyncio.run(digests_job())
    result = CliRunner().invoke(main, ["status"], env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "failing sources: 0" in lines  # the lines it showed before stay
    assert "operator alerts waiting: 1" in lines
    at = lines.index("last runs:")
    digests, maintenance = lines[at + 1].split(), lines[at + 2].split()
    assert digests[:2] == ["digests", "last"] and "failed" in digests
    assert "(3 in a row):" in lines[at + 1] and "subscriber" in lines[at + 1]
    assert maintenance[0] == "maintenance" and maintenance[-1] == "ok"
    service.sessions.kw["bind"].dispose()


def test_json_log_lines_carry_the_job_and_its_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = Service.load(load_settings(data_dir=tmp_path / "var"))
    monkeypatch.setattr(scheduler, "_running", service)
    handler = log_handler("json")
    stream = io.StringIO()
    handler.setStream(stream)
    jobs_log = logging.getLogger("trews.jobs")
    jobs_log.addHandler(handler)
    jobs_log.setLevel(logging.INFO)
    try:
        asyncio.run(maintenance_job())
        rename_table(service, "subscriber", "subscriber_away")
        asyncio.run(digests_job())
    finally:
        jobs_log.removeHandler(handler)
        jobs_log.setLevel(logging.NOTSET)
    ok, failed = (json.loads(line) for line in stream.getvalue().splitlines())
    assert ok["job_id"] == "maintenance" and ok["outcome"] == "ok" and ok["level"] == "INFO"
    assert ok["counts"]["wal_busy"] == 0 and ok["duration_s"] >= 0
    assert ok["message"].startswith("job maintenance ok in ")
    assert failed["job_id"] == "digests" and failed["outcome"] == "failed"
    assert failed["consecutive_failures"] == 1 and "subscriber" in failed["exception"]
    datetime.fromisoformat(ok["time"])
    service.sessions.kw["bind"].dispose()


def test_log_format_json_makes_every_line_of_a_command_json(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path),
           "TREWS_DATA_DIR": str(tmp_path / "var"), "TREWS_LOG_FORMAT": "json"}
    result = subprocess.run([sys.executable, "-c", "from cli import main; main()", "db",
                             "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60, check=True)
    lines = result.stderr.splitlines()
    assert lines, "alembic logs each migration"
    entries = [json.loads(line) for line in lines]
    assert any("0007" in entry["message"] for entry in entries)
    assert {entry["logger"] for entry in entries} >= {"alembic.runtime.migration"}


def test_maintenance_checkpoints_sqlite_and_prunes_old_runs(
    database_url: str, service: Service
) -> None:
    old = utcnow() - timedelta(days=service.settings.job_runs_keep_days + 1)
    with transaction(service.sessions) as session:
        for job_id, started in [("outbox", old), ("outbox", old), ("outbox", utcnow()),
                                ("retired", old)]:
            session.add(JobRun(job_id=job_id, started_at=started, finished_at=started,
                               outcome="ok"))
    asyncio.run(maintenance_job())
    [run] = runs(service, "maintenance")
    assert run.outcome == "ok" and run.counts is not None
    assert run.counts["job_runs_pruned"] == 2  # the retired job keeps its one (latest) run
    assert len(runs(service, "outbox")) == 1 and len(runs(service, "retired")) == 1
    if database_url.startswith("sqlite"):
        assert run.counts["wal_busy"] == 0 and run.counts["wal_bytes_after"] == 0
    else:
        assert set(run.counts) == {"job_runs_pruned"}


def test_maintenance_truncates_the_wal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    service = Service.load(load_settings(data_dir=tmp_path / "var"))
    monkeypatch.setattr(scheduler, "_running", service)
    with transaction(service.sessions) as session:
        session.add_all(JobRun(job_id=f"filler{i}", started_at=utcnow(), finished_at=utcnow(),
                               outcome="ok", error="x" * 2000) for i in range(500))
    wal = tmp_path / "var" / "trews.db-wal"
    assert wal.stat().st_size > 1_000_000
    asyncio.run(maintenance_job())
    assert wal.stat().st_size < 64 * 1024  # truncated; only the run's own record written since
    counts = runs(service, "maintenance")[0].counts
    assert counts is not None and counts["wal_busy"] == 0
    assert counts["wal_bytes_before"] > 1_000_000 and counts["wal_bytes_after"] == 0
    service.sessions.kw["bind"].dispose()


def scheduled(service: Service) -> dict[str, tuple[str, datetime | None]]:
    """Start a scheduler on the service's job store (paused, as `trews run` does), ensure the
    jobs, and return each job's trigger and next run; then shut it down."""
    async def run() -> dict[str, tuple[str, datetime | None]]:
        jobs = build_scheduler(service)
        jobs.start(paused=True)
        try:
            ensure_jobs(jobs, service)
            return {job.id: (repr(job.trigger), job.next_run_time) for job in jobs.get_jobs()}
        finally:
            jobs.shutdown(wait=False)
    return asyncio.run(run())


def with_source(service: Service, source_id: str, **changes: object) -> Service:
    sources = dict(service.sources)
    sources[source_id] = sources[source_id].model_copy(update=changes)
    service.sources = sources
    return service


def test_clock_time_runs_are_added_once_kept_and_dropped_with_the_config(
    tmp_path: Path,
) -> None:
    service = Service.load(load_settings(data_dir=tmp_path / "var"))
    first = scheduled(service)
    clock = {job_id for job_id in first if "@" in job_id}
    assert clock == {f"cycle:{PI}@08:45", f"cycle:{PI}@16:15"}
    assert {"outbox", "digests", "maintenance", f"cycle:{PI}"} <= set(first)
    trigger, next_run = first[f"cycle:{PI}@08:45"]
    assert "day_of_week='mon-fri'" in trigger and "America/New_York" in trigger
    assert next_run is not None
    local = next_run.astimezone(ZoneInfo("America/New_York"))
    assert (local.hour, local.minute) == (8, 45) and local.weekday() < 5

    assert scheduled(service) == first  # a restart keeps them as they were, next runs included

    also_at = service.sources[PI].also_at
    assert also_at is not None
    moved = with_source(service, PI, also_at=also_at.model_copy(update={"times": ("09:00",)}))
    assert {job_id for job_id in scheduled(moved) if "@" in job_id} == {f"cycle:{PI}@09:00"}

    dropped = scheduled(with_source(service, PI, also_at=None))
    assert not [job_id for job_id in dropped if "@" in job_id]
    assert f"cycle:{PI}" in dropped

    with_source(service, PI, also_at=also_at)
    assert {job_id for job_id in scheduled(service) if "@" in job_id} == clock
    disabled = scheduled(with_source(service, PI, enabled=False))
    assert not [job_id for job_id in disabled if job_id.startswith(f"cycle:{PI}")]
    service.sessions.kw["bind"].dispose()


def test_changed_days_move_the_clock_run(tmp_path: Path) -> None:
    service = Service.load(load_settings(data_dir=tmp_path / "var"))
    scheduled(service)
    also_at = service.sources[PI].also_at
    assert also_at is not None
    weekend = scheduled(with_source(service, PI, also_at=also_at.model_copy(
        update={"days": "sat,sun"})))
    trigger, next_run = weekend[f"cycle:{PI}@08:45"]
    assert "day_of_week='sat,sun'" in trigger
    assert next_run is not None
    assert next_run.astimezone(ZoneInfo("America/New_York")).weekday() >= 5
    service.sessions.kw["bind"].dispose()


def sources_with_also_at(tmp_path: Path, also_at: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n"
        f"  {PI}:\n"
        "    market: US\n"
        "    authority: Federal Register public inspection\n"
        "    kind: api\n"
        "    url: https://www.federalregister.gov/api/v1/\n"
        "    interval_minutes: 15\n"
        "    also_at:\n" + also_at)
    return path


@pytest.mark.parametrize(("also_at", "key", "line", "reason"), [
    ('      timezone: America/New_York\n      times: [16:15]\n',
     "also_at.times.0", 10, "valid string"),  # YAML reads 16:15 as the number 975
    ('      timezone: America/New_York\n      times: ["8:45"]\n',
     "also_at.times.0", 10, "should match pattern"),
    ('      timezone: America/New_Yrok\n      times: ["08:45"]\n',
     "also_at.timezone", 9, "unknown time zone"),
    ('      timezone: America/New_York\n      days: weekdays\n      times: ["08:45"]\n',
     "also_at.days", 10, "mon-fri"),
    ('      timezone: America/New_York\n      times: ["08:45", "08:45"]\n',
     "also_at.times", 10, "listed twice"),
    ('      timezone: America/New_York\n      time: ["08:45"]\n',
     "also_at.time", 10, "Extra inputs are not permitted"),
])
def test_a_bad_also_at_names_file_key_and_line(
    tmp_path: Path, also_at: str, key: str, line: int, reason: str
) -> None:
    path = sources_with_also_at(tmp_path, also_at)
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    error = caught.value
    assert (error.file, error.key, error.line) == (str(path), f"sources.{PI}.{key}", line)
    assert reason in error.reason


def test_also_at_survives_the_demo_copy_of_the_sources(tmp_path: Path,
                                                       settings: Settings) -> None:
    """`replayed_sources_file` writes sources back as YAML; the times must stay strings."""
    from demo import replayed_sources_file

    copy = replayed_sources_file(settings, "http://127.0.0.1:9", tmp_path / "copy.yaml")
    assert yaml.safe_load(copy.read_text())["sources"][PI]["also_at"]["times"] == [
        "08:45", "16:15"]
    assert load_sources(copy)[PI].also_at == load_sources(CONFIG_DIR / "sources.yaml")[PI].also_at


def test_migration_0007_goes_down_and_up(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    with transaction(session_factory(engine)) as session:
        session.add(OperatorAlert(kind="job_failing", job_id="outbox"))
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    schema = inspect(engine)
    assert "job_run" not in schema.get_table_names()
    columns = {column["name"]: column for column in schema.get_columns("operator_alert")}
    assert "job_id" not in columns and not columns["source_id"]["nullable"]
    upgrade(engine)
    schema = inspect(engine)
    assert "job_run" in schema.get_table_names()
    assert {column["name"]: column for column in schema.get_columns("operator_alert")}[
        "source_id"]["nullable"]
    engine.dispose()
