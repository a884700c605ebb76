"""`trews run`, the service, as an operator starts it: a real process on the replay server,
writing alerts to the default file outbox, stopped by SIGTERM and started again."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from config import load_settings, load_sources
from config.settings import CONFIG_DIR
from demo import replayed_sources_file
from replay import ReplayServer
from tests.conftest import ROOT

TREWS = [sys.executable, "-c", "from cli import main; main()"]


@pytest.fixture
def environment(tmp_path: Path) -> Iterator[dict[str, str]]:
    with ReplayServer(lifetime_s=300).running_in_thread() as replay:
        settings = load_settings(data_dir=tmp_path / "var")
        sources = replayed_sources_file(settings, replay.base_url, tmp_path / "sources.yaml")
        yield {"PATH": os.environ["PATH"], "HOME": str(tmp_path),
               "TREWS_DATA_DIR": str(tmp_path / "var"), "TREWS_SOURCES_FILE": str(sources),
               "TREWS_CRAWL_DELAY_S": "0"}


def eml_files(env: dict[str, str]) -> list[Path]:
    return sorted((Path(env["TREWS_DATA_DIR"]) / "outbox").glob("*.eml"))


def plain_text(path: Path) -> str:
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    body = message.get_body(("plain",)) if isinstance(message, EmailMessage) else None
    return body.get_content() if body is not None else ""


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def start_service(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([*TREWS, "run"], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def stop_service(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=10)
    return process.returncode, output


def test_service_runs_a_cycle_into_the_file_outbox_and_stops_on_sigterm(
    environment: dict[str, str],
) -> None:
    imported = subprocess.run(
        [*TREWS, "subscribers", "import", "--confirmed",
         str(CONFIG_DIR / "subscribers.example.csv")],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60, check=False)
    assert imported.returncode == 0, imported.stderr

    service = start_service(environment)
    try:
        arrived = wait_for(lambda: any("Paper Shopping Bags" in plain_text(path)
                                       for path in eml_files(environment)), timeout=120)
    finally:
        code, output = stop_service(service)
    assert arrived, output[-3000:]
    assert code == 0, output[-3000:]
    first = eml_files(environment)

    restarted = start_service(environment)
    time.sleep(4)
    second = subprocess.run([*TREWS, "run"], cwd=ROOT, env=environment, capture_output=True,
                            text=True, timeout=60, check=False)
    code, output = stop_service(restarted)
    assert second.returncode == 1
    assert "not started: another TREWS service is running" in second.stderr
    assert code == 0, output[-3000:]
    assert eml_files(environment) == first  # nothing mailed twice after a restart
    engine = create_engine(f"sqlite:///{Path(environment['TREWS_DATA_DIR']) / 'trews.db'}")
    with engine.connect() as connection:
        next_runs = {job_id: at for job_id, at in connection.execute(
            text("select id, next_run_time from apscheduler_jobs"))}
    engine.dispose()
    jobs = list(next_runs)
    # the risk watch's first list minutes after the first start, not a day later
    assert next_runs["risk"] - time.time() < 11 * 60
    assert next_runs["maintenance"] - time.time() > 23 * 3600
    sources = load_sources(Path(environment["TREWS_SOURCES_FILE"]))
    enabled = {key: source for key, source in sources.items() if source.enabled}
    clock = {f"cycle:{key}@{hhmm}" for key, source in enabled.items() if source.also_at
             for hhmm in source.also_at.times}
    assert clock  # the FR public inspection desk's 08:45 and 16:15 runs
    assert sorted(jobs) == sorted({f"cycle:{key}" for key in enabled} | clock
                                  | {"outbox", "digests", "reminders", "risk", "maintenance"})

    status = subprocess.run([*TREWS, "status"], cwd=ROOT, env=environment, capture_output=True,
                            text=True, timeout=60, check=True).stdout
    assert "cycle:us_fr_documents" in status and "next run" in status
    last_runs = status.split("last runs:\n")[1].splitlines()
    assert any(line.split()[0].startswith("cycle:") and line.split()[-1] == "ok"
               for line in last_runs), status
    sent_today = int(status.split("mails sent today: ")[1].split()[0])
    assert 0 < sent_today <= len(first)  # the file outbox holds one .eml per sent mail
