"""What the service benches share: the real service's environment on a replay server and a local
SMTP capture (new documents derived from real recordings: replay.publishing), and a process's
memory from /proc.

Nothing here replaces a part of the service: the benches start the service's own code in its own
process, against a real HTTP server (replay/) and a real SMTP server (alerts/capture.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script, bench/ is sys.path[0], not the repository
    sys.path.insert(0, str(ROOT))

from config import load_settings  # noqa: E402
from demo import replayed_sources_file  # noqa: E402

TREWS = [sys.executable, "-c", "from cli import main; main()"]


def bench_sources_file(base_url: str, target: Path,
                       intervals: dict[str, int] | None = None) -> Path:
    """sources.yaml pointed at the replay server (as the demo does); with ``intervals``, only
    those sources, each polled every so many minutes."""
    replayed_sources_file(load_settings(), base_url, target, intervals)
    if intervals is None:
        return target
    sources = yaml.safe_load(target.read_text(encoding="utf-8"))["sources"]
    kept = {key: sources[key] for key in intervals}
    target.write_text(yaml.safe_dump({"sources": kept}, allow_unicode=True), encoding="utf-8")
    return target


def service_env(data_dir: Path, sources_file: Path, smtp_port: int) -> dict[str, str]:
    """The caller's environment without its TREWS_* settings, plus the bench's own: its data
    folder, its sources, mail to the local capture, no politeness delay for a local server."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TREWS_")}
    return env | {
        "TREWS_DATA_DIR": str(data_dir), "TREWS_SOURCES_FILE": str(sources_file),
        "TREWS_SMTP_HOST": "127.0.0.1", "TREWS_SMTP_PORT": str(smtp_port),
        "TREWS_CRAWL_DELAY_S": "0",
    }


def import_confirmed(env: dict[str, str], csv_file: Path) -> None:
    """`trews subscribers import --confirmed`, as an operator runs it."""
    done = subprocess.run([*TREWS, "subscribers", "import", "--confirmed", str(csv_file)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"subscriber import failed: {done.stderr[-2000:]}")


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (peak resident) of a live process, in kB."""
    wanted = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            wanted[key] = int(value.split()[0])
    return wanted


def children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (crawls run as the service's children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def end_leftover_crawls(pids: list[int]) -> None:
    """Stop crawls the service left running (each leads its own process group), by their ids."""
    for pid in pids:
        try:
            if b"scrapy" in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.killpg(pid, signal.SIGTERM)
        except OSError:  # ended by itself meanwhile
            continue
