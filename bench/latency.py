"""Alert latency of the running service: from a new notice on the source to the mail in the inbox.

The real service (`trews run` in its own process, with its own data folder) polls one source, the
FR public-inspection desk (us_fr_public_inspection), served by the replay server from the real
desk recorded about 2020-08-11, and mails through a real SMTP server (aiosmtpd,
alerts/capture.py) on 127.0.0.1. One confirmed subscriber watches tyres on the US market.

Once the service's first cycle has mailed the recorded desk's tyres filing, each measured notice is
a new filing put on the desk just after one of the service's polls, the worst moment, since it then
waits a whole interval. It is derived from the real filing 2020-17631 (passenger vehicle and light
truck tires from Vietnam, AD/CVD, ITA) with a new document number and today's filing dates
(bench/harness.py). Latency is the time from the filing's appearance to the arrival at the SMTP
server of the alert naming its number (watched every 50 ms); the bound is the source's poll
interval plus 5 s. The breakdown shows the wait for the next poll and the rest (crawl in a child
process, analysis, matching, queueing, sending).

The source is polled every --interval-minutes (default 1, the least sources.yaml allows; the
configured 15 would make each notice take up to 15 minutes). The last line is one JSON object.

    python bench/latency.py [--notices 3] [--interval-minutes 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from harness import (
    ROOT,
    TREWS,
    bench_sources_file,
    children,
    end_leftover_crawls,
    import_confirmed,
    service_env,
)

from alerts.capture import MailCapture
from replay import ReplayServer
from replay.publishing import (
    DESK_FILE,
    DESK_FILING,
    DESK_PATH,
    new_filing,
    recorded_document,
)

SOURCE = "us_fr_public_inspection"
SUBSCRIBERS = (
    "email,name,organisation,kind,language,sectors,hs_codes,keywords,markets,measures,"
    "frequency,min_severity\n"
    "lopxe@example.vn,Latency Bench,Tyre exporter (bench),exporter,en,tyres,,,US,,immediate,low\n"
)
SLACK_S = 5.0
WATCH_S = 0.05


@dataclass(frozen=True)
class Sample:
    number: str
    appeared: float  # epoch seconds, like the replay server's request log
    polled: float  # the service's first request for the desk after the filing appeared
    arrived: float

    @property
    def latency(self) -> float:
        return self.arrived - self.appeared


class Service:
    """`trews run` in a child process, logging into a file, ended by SIGTERM."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen([*TREWS, "run"], cwd=ROOT, env=env, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    async def stop(self) -> None:
        crawls = children(self.process.pid)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(self.process.wait, 30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        end_leftover_crawls(crawls)


async def wait_for(condition: Callable[[], bool], service: Service, timeout: float,
                   what: str) -> float:
    """Watch until the condition holds, return when (epoch seconds); fail if the service ends."""
    deadline = time.monotonic() + timeout
    while not condition():
        if service.process.poll() is not None:
            raise RuntimeError(f"the service ended while waiting for {what}:\n"
                               f"{service.log_tail()}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} after {timeout:.0f} s:\n{service.log_tail()}")
        await asyncio.sleep(WATCH_S)
    return time.time()


def plain_text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    return body.get_content() if isinstance(body, EmailMessage) else ""


def desk_polls(replay: ReplayServer) -> list[float]:
    return [record.time for record in replay.requests if record.path == DESK_PATH]


def polled_after(replay: ReplayServer, polls: int) -> Callable[[], bool]:
    return lambda: len(desk_polls(replay)) > polls


def alert_on(capture: MailCapture, number: str) -> Callable[[], bool]:
    return lambda: any(number in plain_text(item.message) for item in capture.received)


async def measure(notices: int, interval_minutes: int) -> list[Sample]:
    interval_s = interval_minutes * 60
    recorded = recorded_document(DESK_FILE, DESK_FILING)
    with tempfile.TemporaryDirectory(prefix="trews-latency-") as folder:
        tmp = Path(folder)
        lifetime = 600 + (notices + 2) * 2 * interval_s
        async with ReplayServer(lifetime_s=lifetime) as replay, MailCapture() as capture:
            sources = bench_sources_file(replay.base_url, tmp / "sources.yaml",
                                         {SOURCE: interval_minutes})
            env = service_env(tmp / "var", sources, capture.port)
            (tmp / "subscribers.csv").write_text(SUBSCRIBERS, encoding="utf-8")
            await asyncio.to_thread(import_confirmed, env, tmp / "subscribers.csv")
            service = Service(env, tmp / "service.log")
            try:
                await wait_for(alert_on(capture, DESK_FILING), service, interval_s + 300,
                               f"first cycle's alert on the recorded filing {DESK_FILING}")
                print(f"first cycle done: {len(capture.received)} alert(s) on the recorded desk",
                      flush=True)
                samples = []
                for n in range(notices):
                    polls = len(desk_polls(replay))
                    await wait_for(polled_after(replay, polls), service, interval_s + 60,
                                   "poll")
                    filing = new_filing(recorded, n, datetime.now(UTC))
                    replay.publish(DESK_PATH, [filing])
                    appeared = time.time()
                    number = filing["document_number"]
                    arrived = await wait_for(alert_on(capture, number), service,
                                             interval_s + 120, f"alert on {number}")
                    polled = next(t for t in desk_polls(replay) if t >= appeared)
                    samples.append(Sample(number, appeared, polled, arrived))
                    print(f"  notice {number}: {samples[-1].latency:6.2f} s "
                          f"(next poll {polled - appeared:5.2f} s, then crawl to inbox "
                          f"{arrived - polled:5.2f} s)", flush=True)
                return samples
            finally:
                await service.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=3, help="new notices to time (3)")
    parser.add_argument("--interval-minutes", type=int, default=1,
                        help="the source's poll interval in the bench's sources file (1)")
    args = parser.parse_args()
    interval_s = args.interval_minutes * 60
    print(f"alert latency of `trews run` on {SOURCE}, polled every {interval_s} s; each notice "
          "appears just after a poll", flush=True)
    samples = asyncio.run(measure(args.notices, args.interval_minutes))
    worst = max(sample.latency for sample in samples)
    limit = interval_s + SLACK_S
    print(f"worst latency {worst:.2f} s; bound (interval + {SLACK_S:.0f} s) {limit:.0f} s: "
          f"{'met' if worst <= limit else 'NOT met'}")
    print(f"worst crawl-to-inbox (after the poll) "
          f"{max(s.arrived - s.polled for s in samples):.2f} s")
    print(json.dumps({
        "latency_s": round(worst, 3), "poll_interval_s": interval_s, "notices": len(samples),
        "limit_s": limit, "within_limit": worst <= limit,
        "latencies_s": [round(s.latency, 3) for s in samples],
        "crawl_to_inbox_s": [round(s.arrived - s.polled, 3) for s in samples],
    }))


if __name__ == "__main__":
    main()
