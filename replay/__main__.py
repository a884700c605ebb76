"""``python -m replay serve``: run the replay server from a shell, e.g. for a manual demo crawl.

The base URL is printed alone on the first stdout line so a parent process can read it; logs go
to stderr. The server stops after ``--lifetime`` seconds even if nobody stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from config.errors import ConfigError
from replay.manifest import DEFAULT_MANIFEST
from replay.server import ReplayServer

CLI_LIFETIME_S = 3600.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m replay", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the recordings on 127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    serve.add_argument(
        "--lifetime",
        type=float,
        default=CLI_LIFETIME_S,
        help=f"seconds before the server stops by itself (default {CLI_LIFETIME_S:.0f})",
    )
    serve.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST, help="manifest.yaml")
    serve.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    return parser


async def _serve(server: ReplayServer) -> None:
    """Serve until the lifetime ends or SIGINT/SIGTERM asks for a clean stop."""
    async with server:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(server.stop()))
        print(server.base_url, flush=True)
        await server.wait_stopped()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), stream=sys.stderr, format="%(levelname)s %(name)s %(message)s"
    )
    try:
        server = ReplayServer(args.manifest, port=args.port, lifetime_s=args.lifetime)
    except ConfigError as exc:
        print(f"replay: bad manifest: {exc}", file=sys.stderr)
        return 2
    asyncio.run(_serve(server))
    return 0


if __name__ == "__main__":
    sys.exit(main())
