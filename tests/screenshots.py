"""Regenerate the screenshots the README shows: `python -m tests.screenshots [FOLDER]` (default
docs/screenshots), from the same real data, server and Chromium as tests/test_web_browser.py."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser_harness import BrowserUnavailable, dashboard, launch_chromium, take_screenshots

DEFAULT_FOLDER = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else DEFAULT_FOLDER
    with tempfile.TemporaryDirectory() as work, sync_playwright() as playwright:
        try:
            browser = launch_chromium(playwright)
        except BrowserUnavailable as exc:
            print(exc, file=sys.stderr)
            return 2
        with dashboard(Path(work)) as site:
            for shot in take_screenshots(browser, site, folder):
                print(f"{shot}  {shot.stat().st_size // 1024} KiB")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
