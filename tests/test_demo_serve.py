"""`trews demo --serve`, as a newcomer runs it: the demo, then the service and the web front end
on the replay server, where a new Federal Register notice appears and reaches the inbox and the
dashboard; Ctrl-C (SIGINT) stops everything."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from replay.publishing import fresh_number
from tests.conftest import ROOT

TREWS = [sys.executable, "-c", "from cli import main; main()"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - our local server
        return json.load(answer)


def wait_for(condition, timeout_s: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if condition():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} in {timeout_s:.0f} s:\n{log.read_text()[-3000:]}")
        time.sleep(1)


def test_demo_serve_shows_a_new_notice_arriving_then_stops_on_ctrl_c(tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "demo.log"
    env = {**os.environ, "TREWS_DATA_DIR": str(tmp_path / "var")}
    env.pop("TREWS_DATABASE_URL", None)
    new_number = fresh_number(0, datetime.now(UTC))  # the first notice it publishes
    outbox = tmp_path / "var" / "demo" / "outbox"
    with log.open("w") as output:
        demo = subprocess.Popen([*TREWS, "demo", "--serve", "--port", str(port)], cwd=ROOT,
                                env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: get_json(f"{base}/api/sectors"), 240, "web front end", log)
        wait_for(lambda: any(new_number in path.read_text(errors="replace")
                             for path in outbox.glob("*.eml")), 120, "mail on the new notice",
                 log)
        notices = get_json(f"{base}/api/notices?limit=200")
        assert isinstance(notices, dict)
        titles = {item["title"] for item in notices["items"]}
        assert any("Paper Shopping Bags" in title for title in titles)
        assert "web:" in log.read_text() and "new on the replay server" in log.read_text()
    finally:
        demo.send_signal(signal.SIGINT)
        code = demo.wait(timeout=30)
    assert code == 0, log.read_text()[-3000:]
