"""Memory of the service over many cycles: does the service process stay under 300 MB?

The service process is bench/service_cycles.py, started by this bench: it loads the service as
`trews run` does and calls ``scheduler.run_cycle`` on every enabled source, the coroutine each
scheduled source job runs, with the default transport (SMTP, from the settings), and imports
nothing the service would not hold. Only the trigger differs: the bench starts the next cycle as
soon as it has sampled the last one, where `trews run` would wait for each source's interval (at
least a minute: 100 cycles would take hours); APScheduler itself is left out (its job store is a
few rows). The first cycle crawls from the recordings' own dates (``demo.recordings_since``,
as `trews demo` does), so the service starts with all 1,339 recorded notices stored, analysed
and mailed; the later ones crawl incrementally, as the scheduled jobs do (unchanged pages are
304s through the HTTP cache, old items are skipped by date, and sources that keep finding
nothing new are judged failing after `max_empty_runs` and the operator is mailed, as in
production).

This process holds what the service talks to, so none of it counts in the service's memory:
the replay server of all recorded sources and a real SMTP server (aiosmtpd, alerts/capture.py)
on 127.0.0.1. Between cycles it publishes new documents so every cycle also analyses, matches,
queues and sends: --new-per-cycle filings on the FR public-inspection desk (derived from the
real filing 2020-17631, tyres from Vietnam) and as many documents on the FR documents search
page (derived from the real document 2023-28945, paper shopping bags from Vietnam), each with a
new document number (bench/harness.py); the example subscribers (config/subscribers.example.csv)
are imported confirmed, so they get the alerts.

After every cycle the bench reads the service process's VmRSS and VmHWM (peak) from
/proc/<pid>/status. Crawls run in child processes; the service reports the largest peak RSS of
the crawls it has waited for (getrusage RUSAGE_CHILDREN), at no cost. Growth per cycle is the
least-squares slope of VmRSS over the last half of the cycles. The last line is one JSON object.

    python bench/memory.py [--cycles 100] [--new-per-cycle 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import (
    ROOT,
    bench_sources_file,
    children,
    end_leftover_crawls,
    import_confirmed,
    memory_kb,
    service_env,
)

from alerts.capture import MailCapture
from config import load_sources
from config.settings import CONFIG_DIR
from demo import recordings_since
from replay import ReplayServer
from replay.publishing import (
    DESK_FILE,
    DESK_FILING,
    DESK_PATH,
    SEARCH_DOCUMENT,
    SEARCH_FILE,
    SEARCH_PATH,
    SEARCH_QUERY,
    new_document,
    new_filing,
    recorded_document,
)

LIMIT_MB = 300
CYCLE_TIMEOUT_S = 900
SERVICE_CYCLES = Path(__file__).resolve().parent / "service_cycles.py"


@dataclass(frozen=True)
class Sample:
    cycle: int
    seconds: float
    rss_mb: float
    hwm_mb: float
    crawl_maxrss_mb: float
    analysed: int
    sent: int
    failed_sources: list[str]


class Publisher:
    """New documents on the replay server, derived from real recorded ones."""

    def __init__(self, replay: ReplayServer, per_cycle: int) -> None:
        self.replay, self.per_cycle, self.published = replay, per_cycle, 0
        self.filing = recorded_document(DESK_FILE, DESK_FILING)
        self.document = recorded_document(SEARCH_FILE, SEARCH_DOCUMENT)

    def publish(self) -> None:
        now, start, n = datetime.now(UTC), self.published, self.per_cycle
        self.replay.publish(DESK_PATH, [new_filing(self.filing, start + k, now)
                                        for k in range(n)])
        self.replay.publish(SEARCH_PATH, [new_document(self.document, start + n + k, now)
                                          for k in range(n)], SEARCH_QUERY)
        self.published += 2 * n


def slope(values: list[float]) -> float:
    """Least-squares slope of values against their index (per cycle)."""
    count = len(values)
    if count < 2:
        return 0.0
    mean_x, mean_y = (count - 1) / 2, sum(values) / count
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values))
    return covariance / sum((x - mean_x) ** 2 for x in range(count))


def sample(report: dict[str, Any], pid: int) -> Sample:
    memory = memory_kb(pid)
    return Sample(report["cycle"], report["seconds"], memory["VmRSS"] / 1024,
                  memory["VmHWM"] / 1024, report["crawl_maxrss_kb"] / 1024,
                  report["analysed"], report["sent"], report["failed_sources"])


async def measure(cycles: int, per_cycle: int) -> tuple[list[Sample], int, int]:
    """The samples, the documents published and the mails received."""
    with tempfile.TemporaryDirectory(prefix="trews-memory-") as folder:
        tmp = Path(folder)
        async with ReplayServer(lifetime_s=cycles * CYCLE_TIMEOUT_S) as replay, \
                MailCapture() as capture:
            env = service_env(tmp / "var", bench_sources_file(replay.base_url,
                                                              tmp / "sources.yaml"),
                              capture.port)
            await asyncio.to_thread(import_confirmed, env,
                                    CONFIG_DIR / "subscribers.example.csv")
            log = tmp / "service.log"
            since = {key: day.isoformat() for key, day in recordings_since(
                load_sources(Path(env["TREWS_SOURCES_FILE"]))).items()}
            with log.open("wb") as out:
                process = await asyncio.create_subprocess_exec(
                    sys.executable, str(SERVICE_CYCLES), str(cycles), json.dumps(since),
                    cwd=ROOT, env=env, stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE, stderr=out, start_new_session=True)
            assert process.stdin is not None and process.stdout is not None
            publisher, samples = Publisher(replay, per_cycle), []
            try:
                for _ in range(cycles):
                    line = await asyncio.wait_for(process.stdout.readline(), CYCLE_TIMEOUT_S)
                    if not line:
                        raise RuntimeError("the service process ended early:\n"
                                           + log.read_text(errors="replace")[-3000:])
                    samples.append(sample(json.loads(line), process.pid))
                    show(samples[-1])
                    if len(samples) < cycles:
                        publisher.publish()
                        process.stdin.write(b"next\n")
                        await process.stdin.drain()
                await asyncio.wait_for(process.wait(), 60)
            finally:
                if process.returncode is None:
                    crawls = children(process.pid)
                    process.terminate()
                    await process.wait()
                    end_leftover_crawls(crawls)
            return samples, publisher.published, len(capture.received)


def show(item: Sample) -> None:
    if item.cycle <= 3 or item.cycle % 10 == 0 or item.failed_sources:
        failed = f", failed: {', '.join(item.failed_sources)}" if item.failed_sources else ""
        print(f"  cycle {item.cycle:3d}: {item.seconds:5.1f} s, RSS {item.rss_mb:6.1f} MB "
              f"(peak {item.hwm_mb:6.1f}), largest crawl {item.crawl_maxrss_mb:6.1f} MB, "
              f"{item.analysed} analysed, {item.sent} sent{failed}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=100, help="service cycles (100)")
    parser.add_argument("--new-per-cycle", type=int, default=2,
                        help="new filings, and as many new documents, before each cycle (2)")
    args = parser.parse_args()
    print(f"memory of the service over {args.cycles} cycles of every source, "
          f"{2 * args.new_per_cycle} new documents before each", flush=True)
    started = time.monotonic()
    samples, published, mails = asyncio.run(measure(args.cycles, args.new_per_cycle))
    elapsed = time.monotonic() - started
    rss = [item.rss_mb for item in samples]
    peak = samples[-1].hwm_mb
    growth = slope(rss[len(rss) // 2:])
    crawl_peak = max(item.crawl_maxrss_mb for item in samples)
    print(f"RSS first {rss[0]:.1f} MB, last {rss[-1]:.1f} MB, peak (VmHWM) {peak:.1f} MB; "
          f"limit {LIMIT_MB} MB: {'met' if peak < LIMIT_MB else 'NOT met'}")
    print(f"growth over the last half: {growth * 1024:.1f} kB per cycle")
    print(f"largest crawl child: {crawl_peak:.1f} MB; {published} documents published, "
          f"{sum(item.analysed for item in samples)} notices analysed, {mails} mails received")
    print(f"{len(samples)} cycles in {elapsed:.0f} s "
          f"({sum(item.seconds for item in samples) / len(samples):.1f} s per cycle)")
    print(json.dumps({
        "peak_rss_mb": round(peak, 1), "first_rss_mb": round(rss[0], 1),
        "last_rss_mb": round(rss[-1], 1), "growth_mb_per_cycle": round(growth, 4),
        "cycles": len(samples), "limit_mb": LIMIT_MB, "within_limit": peak < LIMIT_MB,
        "crawl_child_peak_rss_mb": round(crawl_peak, 1), "seconds": round(elapsed, 1),
        "documents_published": published, "mails": mails,
    }))


if __name__ == "__main__":
    main()
