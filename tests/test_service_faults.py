"""`trews run` stopped and killed, end to end: the real service as a child process, crawling the
replay server and mailing a real SMTP server (aiosmtpd on 127.0.0.1, in the test's own loop).

Stopped by SIGTERM after two cycles and started again, it resumes its jobs from the job store,
crawls nothing twice and mails everything once. Killed by SIGKILL in the middle of sending and
started again, it loses no delivery and resends only what was in flight (at most one message per
SMTP connection), with the same Message-ID. Mail is counted by Message-ID at the SMTP server.
"""

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Collection, Coroutine
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from aiosmtpd.smtp import SMTP, Envelope
from sqlalchemy import Engine, MetaData, Table, func, inspect, select, text
from sqlalchemy.orm import Session

from alerts.capture import CaptureHandler, MailCapture
from config import load_settings
from config.settings import CONFIG_DIR
from demo import replayed_sources_file
from replay import ReplayServer
from storage.database import make_engine
from storage.models import CrawlRun, Delivery, Notice, OperatorAlert, Subscriber
from tests.conftest import ROOT

TREWS = [sys.executable, "-c", "from cli import main; main()"]
POOL_SIZE = 4
SETTLED = ("sent", "failed")
# Sources whose pages all carry validators (ETag or Last-Modified) and whose requests do not
# depend on the date, so a second crawl can only revalidate; between them they match the
# example subscribers about fifty times.
CYCLE_SOURCES = ("eu_tron", "vn_trav", "uk_tra")
# A crawl child has finished when its run is closed; the rest of its cycle (analysis of nothing
# new, an empty drain) takes well under this.
CYCLE_TAIL_S = 2.0
# Long enough for a crawl to reach the replay server if a restart wrongly ran a cycle at once.
IDLE_AFTER_RESTART_S = 4.0


# --- the service as an operator starts it --------------------------------------------------------

@dataclass(frozen=True)
class Deployment:
    env: dict[str, str]
    data_dir: Path
    engine: Engine


def deployment(tmp_path: Path, replay: ReplayServer, smtp_port: int, sources: Collection[str],
               interval_minutes: int, **settings: str) -> Deployment:
    """Environment of `trews` commands: only `sources` enabled, on the replay server, mail by
    SMTP to the test's server; `settings` adds TREWS_* variables."""
    data_dir = tmp_path / "var"
    target = replayed_sources_file(load_settings(), replay.base_url, tmp_path / "sources.yaml")
    config = yaml.safe_load(target.read_text(encoding="utf-8"))
    for source_id, source in config["sources"].items():
        source.update(enabled=source_id in sources, interval_minutes=interval_minutes)
    target.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "TREWS_DATA_DIR": str(data_dir),
           "TREWS_SOURCES_FILE": str(target), "TREWS_CRAWL_DELAY_S": "0",
           "TREWS_SMTP_HOST": "127.0.0.1", "TREWS_SMTP_PORT": str(smtp_port),
           "TREWS_SMTP_POOL_SIZE": str(POOL_SIZE),
           **{f"TREWS_{key.upper()}": value for key, value in settings.items()}}
    url = settings.get("database_url") or f"sqlite:///{data_dir / 'trews.db'}"
    return Deployment(env, data_dir, make_engine(url))


async def trews(env: dict[str, str], *args: str, timeout_s: float = 60) -> None:
    """Run one `trews` command to its end; it must succeed."""
    process = await asyncio.create_subprocess_exec(
        *TREWS, *args, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout_s)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, output.decode()[-3000:]


@asynccontextmanager
async def service(site: Deployment, log: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """`trews run` in its own process group, its output in `log`; whatever happens in the
    block, it and every crawl it started are gone afterwards."""
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            *TREWS, "run", cwd=ROOT, env=site.env, stdout=output,
            stderr=asyncio.subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        if process.returncode is None:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
        for pid in processes_of(site.data_dir):  # crawls run in sessions of their own
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


async def terminate(process: asyncio.subprocess.Process) -> int:
    process.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(process.wait(), 20)


def processes_of(data_dir: Path) -> list[int]:
    """Live processes started on this test's data folder (the service and its crawls)."""
    marker = f"TREWS_DATA_DIR={data_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone meanwhile, or another user's
            continue
        if marker in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-4000:] if log.exists() else ""


async def wait_until(condition: Callable[[], bool], timeout_s: float, what: str, log: Path,
                     every_s: float = 0.2) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout_s:.0f} s; service log:\n{tail(log)}")
        await asyncio.sleep(every_s)


def run(scenario: Coroutine[Any, Any, None], timeout_s: float = 170) -> None:
    asyncio.run(asyncio.wait_for(scenario, timeout_s))


# --- what the database and the servers saw -------------------------------------------------------

def finished_runs(site: Deployment) -> dict[str, list[CrawlRun]]:
    with Session(site.engine) as session:
        runs = session.scalars(select(CrawlRun).where(CrawlRun.finished_at.is_not(None))
                               .order_by(CrawlRun.id)).all()
    found: dict[str, list[CrawlRun]] = {}
    for crawl_run in runs:
        found.setdefault(crawl_run.source_id, []).append(crawl_run)
    return found


def crawled(site: Deployment, sources: Collection[str], times: int) -> bool:
    runs = finished_runs(site)
    return all(len(runs.get(source_id, [])) >= times for source_id in sources)


@dataclass(frozen=True)
class Owed:
    """One mail the service owes: its status, Message-ID and recipient."""

    status: str
    message_id: str | None
    recipient: str


def deliveries(site: Deployment) -> list[Owed]:
    with Session(site.engine) as session:
        rows = session.execute(
            select(Delivery.status, Delivery.message_id, Subscriber.email)
            .join(Subscriber, Subscriber.id == Delivery.subscriber_id)).all()
    return [Owed(*row) for row in rows]


def operator_alerts(site: Deployment) -> list[Owed]:
    operator = load_settings().operator_email
    with Session(site.engine) as session:
        rows = session.execute(select(OperatorAlert.status, OperatorAlert.message_id)).all()
    return [Owed(status, message_id, operator) for status, message_id in rows]


def drained(site: Deployment) -> bool:
    return all(owed.status in SETTLED for owed in deliveries(site))


def stored_jobs(site: Deployment) -> dict[str, float]:
    """The job store's rows: job id -> next run time."""
    jobs = Table("apscheduler_jobs", MetaData(), autoload_with=site.engine)
    with site.engine.connect() as connection:
        return {row.id: row.next_run_time
                for row in connection.execute(select(jobs.c.id, jobs.c.next_run_time))}


def notices_stored_twice(site: Deployment) -> list[tuple[str, str, int]]:
    with Session(site.engine) as session:
        return [(row.source_id, row.external_id, row.count) for row in session.execute(
            select(Notice.source_id, Notice.external_id, func.count().label("count"))
            .group_by(Notice.source_id, Notice.external_id).having(func.count() > 1))]


def message_ids(capture: MailCapture) -> list[str]:
    return [str(item.message["Message-ID"]) for item in capture.received]


def wrong_recipients(capture: MailCapture, owed: list[Owed]) -> list[tuple[str, list[str]]]:
    """Received messages whose envelope is not the one recipient their Message-ID is owed to."""
    recipient = {row.message_id: row.recipient for row in owed}
    return [(str(item.message["Message-ID"]), item.recipients) for item in capture.received
            if item.recipients != [recipient.get(str(item.message["Message-ID"]))]]


def validated(headers: dict[str, str]) -> bool:
    return "If-None-Match" in headers or "If-Modified-Since" in headers


# --- SIGTERM after two cycles, then a restart ----------------------------------------------------

def test_restart_after_sigterm_resumes_jobs_crawls_nothing_twice_mails_once(
    tmp_path: Path,
) -> None:
    run(_restart_after_sigterm(tmp_path))


async def _restart_after_sigterm(tmp_path: Path) -> None:
    async with ReplayServer(lifetime_s=240) as replay, MailCapture() as capture:
        site = deployment(tmp_path, replay, capture.port, CYCLE_SOURCES, interval_minutes=1)
        await trews(site.env, "subscribers", "import", "--confirmed",
                    str(CONFIG_DIR / "subscribers.example.csv"))
        first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
        async with service(site, first_log) as first:
            await wait_until(lambda: crawled(site, CYCLE_SOURCES, 1), 90, "first cycle",
                             first_log)
            first_cycle = len(replay.requests)
            await wait_until(lambda: crawled(site, CYCLE_SOURCES, 2), 120, "second cycle",
                             first_log)
            await asyncio.sleep(CYCLE_TAIL_S)
            jobs_before = stored_jobs(site)
            assert await terminate(first) == 0, tail(first_log)
        assert processes_of(site.data_dir) == []
        requests_before, mails_before = len(replay.requests), len(capture.received)

        async with service(site, second_log) as second:
            await wait_until(lambda: "TREWS service running" in tail(second_log), 60,
                             "restarted service", second_log)
            await asyncio.sleep(IDLE_AFTER_RESTART_S)
            jobs_after = stored_jobs(site)
            assert await terminate(second) == 0, tail(second_log)
        assert processes_of(site.data_dir) == []

    # Jobs resumed from the store: the same ids, each with the next run time it had, not re-added
    # with a fresh one (which would have crawled or mailed at once).
    assert {f"cycle:{source_id}" for source_id in CYCLE_SOURCES} | {"outbox"} <= set(jobs_before)
    assert jobs_after == jobs_before
    assert len(replay.requests) == requests_before and len(capture.received) == mails_before

    # Nothing crawled twice: the second cycle revalidated every page the first fetched (304s).
    runs = finished_runs(site)
    assert {key: [r.status for r in runs[key]] for key in runs} == {
        key: ["ok", "ok"] for key in CYCLE_SOURCES}
    assert all((runs[key][1].items_new, runs[key][1].items_updated) == (0, 0) for key in runs)
    fetched = {r.path_qs for r in replay.requests[:first_cycle] if r.status == 200}
    later = replay.requests[first_cycle:]
    assert fetched and later
    assert [r.path_qs for r in later if r.path_qs in fetched and r.status != 304] == []
    assert [r.path_qs for r in later if r.path_qs in fetched and not validated(r.headers)] == []
    assert notices_stored_twice(site) == []

    # Every mail owed was received exactly once, to its recipient, and nothing is left to send.
    owed = deliveries(site)
    assert owed and {row.status for row in owed} == {"sent"}
    expected = Counter(row.message_id for row in owed + operator_alerts(site)
                       if row.status == "sent")
    assert Counter(message_ids(capture)) == expected
    assert wrong_recipients(capture, owed + operator_alerts(site)) == []


# --- SIGKILL in the middle of sending, then a restart --------------------------------------------

@dataclass
class BusyServerHandler(CaptureHandler):
    """Keeps each message, then takes a while to say 250: so at any moment some messages have
    reached the server without their sender knowing, one per busy connection."""

    reply_after_s: float = 0.05

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Envelope) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(self.reply_after_s)
        return reply


def write_ministry_desks(path: Path, count: int) -> Path:
    """Synthetic subscribers, each watching every sector like the example ministry, so one
    source's notices owe a few hundred mails."""
    header, *_rows = (CONFIG_DIR / "subscribers.example.csv").read_text(
        encoding="utf-8").splitlines()
    rows = [f"ban{n}@example.vn,Ban {n},Bộ Công Thương (ví dụ),ministry,{('vi', 'en')[n % 2]},*,"
            ",,,,immediate,low" for n in range(count)]
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_sigkill_mid_send_then_restart_loses_nothing_resends_only_in_flight(
    tmp_path: Path, database_url: str,
) -> None:
    run(_sigkill_mid_send(tmp_path, database_url))


async def _sigkill_mid_send(tmp_path: Path, database_url: str) -> None:
    capture = MailCapture()
    capture.handler = BusyServerHandler()
    async with ReplayServer(lifetime_s=240) as replay, capture:
        # Claims must expire between the kill (seconds after the start) and the first drain after
        # the restart (the outbox job, a minute after the first start), and outlast a send.
        site = deployment(tmp_path, replay, capture.port, ["eu_tron"], interval_minutes=600,
                          database_url=database_url, smtp_claim_s="10")
        for csv in (CONFIG_DIR / "subscribers.example.csv",
                    write_ministry_desks(tmp_path / "desks.csv", 12)):
            await trews(site.env, "subscribers", "import", "--confirmed", str(csv))
        first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
        async with service(site, first_log) as first:
            await wait_until(lambda: bool(capture.received), 90, "first mail", first_log)
            total = len(deliveries(site))
            await wait_until(lambda: len(capture.received) >= total // 4, 60,
                             "quarter of the mail", first_log, every_s=0.02)
            os.killpg(first.pid, signal.SIGKILL)
            await first.wait()
        await asyncio.sleep(0.5)  # bytes the dead sender had written may still be read
        at_kill = len(capture.received)

        async with service(site, second_log) as second:
            await wait_until(lambda: drained(site), 150, "drained outbox", second_log)
            assert await terminate(second) == 0, tail(second_log)
        assert processes_of(site.data_dir) == []

    assert total >= 300 and 0 < at_kill < total, (total, at_kill)  # killed mid-send
    owed = deliveries(site)
    assert len(owed) == total and {row.status for row in owed} == {"sent"}
    counts = Counter(message_ids(capture))
    assert set(counts) == {row.message_id for row in owed}  # each delivery arrived, no other
    twice = {message_id: n for message_id, n in counts.items() if n > 1}
    assert set(twice.values()) <= {2} and len(twice) <= POOL_SIZE, twice
    # Only messages in flight at the kill were resent: their first copy came before it.
    assert set(twice) <= set(message_ids(capture)[:at_kill]), twice
    assert wrong_recipients(capture, owed) == []


# --- SIGTERM while a crawl runs ------------------------------------------------------------------

def test_sigterm_during_a_crawl_stops_the_crawl_too(tmp_path: Path) -> None:
    run(_sigterm_during_crawl(tmp_path), timeout_s=90)


async def _sigterm_during_crawl(tmp_path: Path) -> None:
    async with ReplayServer(lifetime_s=120) as replay, MailCapture() as capture:
        site = deployment(tmp_path, replay, capture.port, ["eu_tron"], interval_minutes=600)
        log = tmp_path / "service.log"
        async with service(site, log) as running:
            await wait_until(lambda: _crawl_statuses(site) == ["running"], 60, "crawl", log,
                             every_s=0.05)
            assert await terminate(running) == 0, tail(log)
            left = processes_of(site.data_dir)
    assert left == []  # no crawl outlives the service, to write after it stopped
    # Its run is closed as interrupted, which is not a failure of the source.
    assert _crawl_statuses(site) == ["interrupted"]
    with site.engine.connect() as connection:
        health = connection.execute(text("select health from source where id = 'eu_tron'"))
        assert health.scalar() != "failing"


def _crawl_statuses(site: Deployment) -> list[str]:
    """The crawl runs' statuses (none before the service has created its tables)."""
    with site.engine.connect() as connection:
        if not inspect(connection).has_table("crawl_run"):
            return []
        return list(connection.execute(text("select status from crawl_run")).scalars())
