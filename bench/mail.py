"""Mail throughput: 5,000 alerts to a local aiosmtpd server, through the real sender.

Measured against a real SMTP server (aiosmtpd) on 127.0.0.1 in its own process, as a mail server
is, which counts the connections it accepts and the Message-IDs it receives:

- drain (the figure): 5,000 queued alert deliveries in a real SQLite database sent by
  ``alerts.sender.drain`` with the service's own renderers (signed links, List-Id) over a pool
  of ``--pool`` connections: claim in batches, render, send, settle each (committed before
  its connection sends again; answers that come in together share one commit);
- transport: the same number of pre-rendered messages through the same pool, SMTP only, which
  is what the server and the SMTP conversation alone allow;
- naive baseline: ``aiosmtplib.send`` per message, a new connection for each, on a sample.

The last line is one JSON object: ``mails_per_s``, ``connections`` and ``mails`` are the drain
path's; the transport and naive figures and the pooled/naive ratio (same messages) follow.

    python bench/mail.py [--mails 5000] [--pool 4] [--naive 500] [--database-url URL]

``--database-url`` runs the drain on another database (an empty one: the bench migrates and
fills it), e.g. the PostgreSQL server a sharded service uses; by default a SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import json
import multiprocessing
import re
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from email.message import EmailMessage
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiosmtplib
from aiosmtpd.smtp import SMTP as SMTPServerProtocol
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alerts.deliveries import delivery_renderers  # noqa: E402
from alerts.send_policy import SendPolicy  # noqa: E402
from alerts.sender import Render, drain  # noqa: E402
from alerts.transport import SmtpPool  # noqa: E402
from config import load_settings  # noqa: E402
from rules.match_reasons import stored_reasons  # noqa: E402
from rules.matching import naive_match  # noqa: E402
from rules.subscriptions import Subscription as RuleSubscription  # noqa: E402
from storage.database import make_engine, session_factory, transaction  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    Delivery,
    Match,
    Notice,
    Source,
    Subscriber,
    Subscription,
)

TARGET_MAILS_PER_S = 500
MAIL_FROM = "TREWS <canhbao@trews.invalid>"
SECTORS = {"paper": {"en": "paper products", "vi": "sản phẩm giấy"}}
_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)


class CountingInbox:
    """aiosmtpd handler: counts received messages by Message-ID."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        found = _MESSAGE_ID.search(envelope.original_content or b"")
        self.received[found.group(1).decode() if found else "?"] += 1
        return "250 OK"


def serve_smtp(pipe: Connection) -> None:
    """The SMTP server's process: listens on 127.0.0.1, sends its port, then answers "stats"
    with (connections, received Message-ID counts) until "stop" or the pipe closes."""
    async def main() -> None:
        inbox, connections = CountingInbox(), [0]

        def accept() -> SMTPServerProtocol:
            connections[0] += 1
            return SMTPServerProtocol(inbox, hostname="bench.local")

        loop = asyncio.get_running_loop()
        server = await loop.create_server(accept, "127.0.0.1", 0)
        pipe.send(server.sockets[0].getsockname()[1])
        while True:
            try:
                command = await loop.run_in_executor(None, pipe.recv)
            except EOFError:
                break
            if command != "stats":
                break
            pipe.send((connections[0], dict(inbox.received)))
        server.close()

    asyncio.run(main())


class Server:
    """A real aiosmtpd server in its own process, as a mail server is: the figures measure the
    sender, not a server sharing its event loop. Counts connections and Message-IDs."""

    def __init__(self) -> None:
        self.port = 0
        self._pipe, child = multiprocessing.Pipe()
        self._process = multiprocessing.get_context("spawn").Process(
            target=serve_smtp, args=(child,), daemon=True)

    def stats(self) -> tuple[int, Counter[str]]:
        self._pipe.send("stats")
        connections, received = self._pipe.recv()
        return connections, Counter(received)

    def __enter__(self) -> Server:
        self._process.start()
        self.port = self._pipe.recv()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._pipe.send("stop")
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()


def seed(sessions: sessionmaker[Session], mails: int) -> None:
    """One real-looking notice matched to ``mails`` subscribers (half vi, half en), each with a
    queued delivery; bulk inserts, since setup is not what is measured."""
    with transaction(sessions) as session:
        session.add(Source(id="us_fr_documents", market="US", authority="Federal Register",
                           kind="api", url="https://www.federalregister.gov/api/v1/"))
        session.flush()
        notice = Notice(
            source_id="us_fr_documents", external_id="2023-28945", market="US",
            url="https://www.federalregister.gov/d/2023-28945", published=date(2024, 1, 3),
            title="Certain Paper Shopping Bags From the Socialist Republic of Vietnam: "
                  "Preliminary Affirmative Determination of Sales at Less Than Fair Value",
            raw={}, content_hash="0" * 64, trade_remedy=True, vietnam="subject",
            analysis={"market": "US", "measures": ["AD"], "proceeding": "investigation",
                      "stage": "preliminary", "severity": "high", "vietnam": "subject",
                      "sectors": ["paper"], "case_numbers": ["A-552-836"],
                      "hs_codes": ["4819.40"]},
        )
        session.add(notice)
        session.flush()
        session.execute(insert(Subscriber), [
            {"email": f"reader{n}@example.vn", "name": f"Người đọc {n}",
             "language": "vi" if n % 2 else "en"} for n in range(mails)])
        subscribers = list(session.scalars(select(Subscriber.id).order_by(Subscriber.id)))
        session.execute(insert(Subscription), [
            {"subscriber_id": sid, "sectors": ["paper"]} for sid in subscribers])
        subscriptions = list(session.scalars(select(Subscription.id).order_by(Subscription.id)))
        [found] = naive_match(notice.analysis | {"trade_remedy": True}, notice.title, "",
                              [RuleSubscription("paper", sectors=["paper"])])
        reasons = stored_reasons(found.reasons)  # as the service stores a match's reasons
        session.execute(insert(Match), [
            {"notice_id": notice.id, "subscription_id": sub, "severity": "high",
             "reasons": reasons} for sub in subscriptions])
        session.execute(insert(Delivery), [
            {"subscriber_id": sid, "notice_id": notice.id} for sid in subscribers])


def prerendered(sessions: sessionmaker[Session], renderers: dict[str, Render],
                mails: int) -> list[EmailMessage]:
    """``mails`` distinct messages: the first two deliveries rendered for real (one per
    language), then re-addressed per recipient with their own Message-ID."""
    with sessions() as session:
        samples = [renderers["alert"](session, delivery_id) for delivery_id in session.scalars(
            select(Delivery.id).order_by(Delivery.id).limit(2))]
    templates = [sample.as_bytes() for sample in samples]
    messages = []
    for n in range(mails):
        raw = templates[n % 2]
        raw = re.sub(rb"^To: .*$", f"To: reader{n}@example.vn".encode(), raw, count=1,
                     flags=re.MULTILINE)
        raw = _MESSAGE_ID.sub(f"Message-ID: <bench-{n}@trews.invalid>".encode(), raw, count=1)
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        messages.append(parsed)
    return messages


async def transport_path(messages: list[EmailMessage], pool_size: int) -> dict[str, Any]:
    with Server() as server:
        async with SmtpPool(pool_size, host="127.0.0.1", port=server.port, timeout=30) as pool:
            pending = iter(messages)

            async def worker() -> None:
                for message in pending:
                    await pool.send(message)

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(pool_size)))
            elapsed = time.perf_counter() - started
        return _figures(server, len(messages), elapsed)


async def naive_path(messages: list[EmailMessage]) -> dict[str, Any]:
    """The baseline: one connection per message, one message at a time."""
    with Server() as server:
        started = time.perf_counter()
        for message in messages:
            await aiosmtplib.send(message, hostname="127.0.0.1", port=server.port, timeout=30)
        elapsed = time.perf_counter() - started
        return _figures(server, len(messages), elapsed)


async def drain_path(sessions: sessionmaker[Session], renderers: dict[str, Render], mails: int,
                     pool_size: int) -> dict[str, Any]:
    with Server() as server:
        async with SmtpPool(pool_size, host="127.0.0.1", port=server.port, timeout=30) as pool:
            started = time.perf_counter()
            report = await drain(sessions, pool, mail_from=MAIL_FROM, sector_names=SECTORS,
                                 source_names={}, limit=mails, policy=SendPolicy(),
                                 renderers=renderers)
            elapsed = time.perf_counter() - started
        figures = _figures(server, mails, elapsed)
        figures["drain_sent"] = report.sent
        return figures


def _figures(server: Server, mails: int, elapsed: float) -> dict[str, Any]:
    connections, received = server.stats()
    return {
        "mails": mails, "seconds": round(elapsed, 3), "mails_per_s": round(mails / elapsed, 1),
        "connections": connections, "received_distinct": len(received),
        "received_twice": sum(1 for count in received.values() if count > 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=5000)
    parser.add_argument("--pool", type=int, default=4, help="SMTP connections (smtp_pool_size)")
    parser.add_argument("--naive", type=int, default=500, help="messages of the naive baseline")
    parser.add_argument("--database-url", help="an empty database (default: a SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=Path(tmp), mail_from=MAIL_FROM,
                                 database_url=args.database_url)
        engine = make_engine(settings.db_url)
        upgrade(engine)
        sessions = session_factory(engine)
        seed(sessions, args.mails)
        # The service's own renderers: signed manage and one-click unsubscribe links, List-Id.
        renderers = delivery_renderers(settings, SECTORS, {})
        messages = prerendered(sessions, renderers, args.mails)
        full = asyncio.run(drain_path(sessions, renderers, args.mails, args.pool))
        smtp_only = asyncio.run(transport_path(messages, args.pool))
        naive = asyncio.run(naive_path(messages[:args.naive]))
        engine.dispose()
    for name, figures in (("drain (database + render + claim + send + settle)", full),
                          ("transport (pre-rendered, SMTP only)", smtp_only),
                          ("naive (one connection per message)", naive)):
        print(f"{name}: {figures['mails']} mails in {figures['seconds']} s = "
              f"{figures['mails_per_s']} mails/s over {figures['connections']} connection(s); "
              f"{figures['received_distinct']} distinct Message-IDs received, "
              f"{figures['received_twice']} twice")
    # Same pre-rendered messages, same server: what reusing a few connections buys.
    ratio = round(smtp_only["mails_per_s"] / naive["mails_per_s"], 1)
    met = "met" if full["mails_per_s"] >= TARGET_MAILS_PER_S else "not met"
    print(f"pooled / naive (SMTP only): {ratio}x; drain {full['mails_per_s']} mails/s: target "
          f"{TARGET_MAILS_PER_S} {met}; {full['connections']} connection(s) for {args.mails} mails")
    print(json.dumps({
        "mails_per_s": full["mails_per_s"], "connections": full["connections"],
        "mails": args.mails, "pool": args.pool, "sent": full["drain_sent"],
        "database": engine.dialect.name,
        "received_twice": full["received_twice"],
        "transport_mails_per_s": smtp_only["mails_per_s"],
        "naive_mails_per_s": naive["mails_per_s"], "naive_mails": naive["mails"],
        "pooled_vs_naive": ratio, "target_mails_per_s": TARGET_MAILS_PER_S,
    }))


if __name__ == "__main__":
    main()
