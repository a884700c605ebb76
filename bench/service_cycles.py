"""The service process of bench/memory.py: the service's cycles, one at a time, on demand.

It loads the service as `trews run` does (``Service.load`` on the settings from the environment)
and runs ``scheduler.run_cycle`` on every enabled source, the coroutine each scheduled source job
runs, with the default transport (SMTP, from the settings). The first cycle reads the recordings
from their own dates (SINCE_JSON, as `trews demo` does), the later ones incrementally, as the
scheduled jobs do. It imports nothing else the service would not hold (no replay server, no SMTP
server), so its memory is the service's. After each cycle it prints one JSON line and waits for
a line on stdin before the next.

    python bench/service_cycles.py CYCLES SINCE_JSON    (SINCE_JSON: {"source": "YYYY-MM-DD"})
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script, bench/ is sys.path[0], not the repository
    sys.path.insert(0, str(ROOT))

from config import load_settings  # noqa: E402
from scheduler import Service, run_cycle  # noqa: E402


async def serve_cycles(cycles: int, since: dict[str, date]) -> None:
    """Each cycle's report on stdout: its time, failed sources, work done, and the largest peak
    RSS of the crawl processes waited for so far (getrusage RUSAGE_CHILDREN, in kB)."""
    service = Service.load(load_settings())
    enabled = [key for key, source in service.sources.items() if source.enabled]
    for cycle in range(1, cycles + 1):
        started = time.monotonic()
        crawls, report, sent = await run_cycle(service, enabled,
                                               since=since if cycle == 1 else None)
        print(json.dumps({
            "cycle": cycle, "seconds": time.monotonic() - started,
            "failed_sources": [c.source_id for c in crawls if not c.ok],
            "analysed": report.analysed, "queued": report.queued, "sent": sent.sent,
            "crawl_maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        }), flush=True)
        if cycle < cycles:
            await asyncio.to_thread(sys.stdin.readline)


def main() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    since = {key: date.fromisoformat(day) for key, day in json.loads(sys.argv[2]).items()}
    asyncio.run(serve_cycles(int(sys.argv[1]), since))


if __name__ == "__main__":
    main()
