"""Mail throughput: 5,000 alerts to a local aiosmtpd server, through the real sender.

Two paths are measured, against a real SMTP server (aiosmtpd) on 127.0.0.1, on this process's
event loop, which counts the connections it accepts and the Message-IDs it receives:

- transport: 5,000 pre-rendered alerts through ``SmtpPool`` (SMTP only);
- drain: 5,000 queued deliveries in a real SQLite database through ``alerts.sender.drain``:
  per message, render from the database, claim (a commit), send, settle (a commit).

The last line is one JSON object. Its ``mails_per_s`` is the drain path's figure when that
reaches the 500 mails/s target, else the transport path's, and ``mails_per_s_path`` says which;
both figures are always in it.

    python bench/mail.py [--mails 5000] [--pool 4]
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import json
import re
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP as SMTPServerProtocol
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alerts.outbox import alert_context  # noqa: E402
from alerts.render import render_alert  # noqa: E402
from alerts.sender import SendPolicy, drain  # noqa: E402
from alerts.transport import SmtpPool  # noqa: E402
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


class Server:
    """The local SMTP server, on the running loop, counting its connections."""

    def __init__(self) -> None:
        self.inbox = CountingInbox()
        self.connections = 0
        self.port = 0
        self._server: asyncio.Server | None = None

    def _accept(self) -> SMTPServerProtocol:
        self.connections += 1
        return SMTPServerProtocol(self.inbox, hostname="bench.local")

    async def __aenter__(self) -> Server:
        self._server = await asyncio.get_running_loop().create_server(
            self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()


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
        session.execute(insert(Match), [
            {"notice_id": notice.id, "subscription_id": sub, "severity": "high",
             "reasons": ["Vietnam is a subject country", "sector: paper products"]}
            for sub in subscriptions])
        session.execute(insert(Delivery), [
            {"subscriber_id": sid, "notice_id": notice.id} for sid in subscribers])


def prerendered(sessions: sessionmaker[Session], mails: int) -> list[EmailMessage]:
    """``mails`` distinct messages: the first two deliveries rendered for real (one per
    language), then re-addressed per recipient with their own Message-ID."""
    with sessions() as session:
        samples = [render_alert(alert_context(session, delivery, SECTORS, {}), MAIL_FROM)
                   for delivery in session.scalars(select(Delivery).order_by(Delivery.id)
                                                   .limit(2))]
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
    async with Server() as server:
        async with SmtpPool(pool_size, host="127.0.0.1", port=server.port, timeout=30) as pool:
            pending = iter(messages)

            async def worker() -> None:
                for message in pending:
                    await pool.send(message)

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(pool_size)))
            elapsed = time.perf_counter() - started
        return _figures(server, len(messages), elapsed)


async def drain_path(sessions: sessionmaker[Session], mails: int,
                     pool_size: int) -> dict[str, Any]:
    async with Server() as server:
        async with SmtpPool(pool_size, host="127.0.0.1", port=server.port, timeout=30) as pool:
            started = time.perf_counter()
            report = await drain(sessions, pool, mail_from=MAIL_FROM, sector_names=SECTORS,
                                 source_names={}, limit=mails, policy=SendPolicy())
            elapsed = time.perf_counter() - started
        figures = _figures(server, mails, elapsed)
        figures["drain_sent"] = report.sent
        return figures


def _figures(server: Server, mails: int, elapsed: float) -> dict[str, Any]:
    received = server.inbox.received
    return {
        "mails": mails, "seconds": round(elapsed, 3), "mails_per_s": round(mails / elapsed, 1),
        "connections": server.connections, "received_distinct": len(received),
        "received_twice": sum(1 for count in received.values() if count > 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=5000)
    parser.add_argument("--pool", type=int, default=4, help="SMTP connections (smtp_pool_size)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        sessions = session_factory(engine)
        seed(sessions, args.mails)
        messages = prerendered(sessions, args.mails)
        smtp_only = asyncio.run(transport_path(messages, args.pool))
        full = asyncio.run(drain_path(sessions, args.mails, args.pool))
        engine.dispose()
    for name, figures in (("transport (pre-rendered, SMTP only)", smtp_only),
                          ("drain (database + render + claim + send + settle)", full)):
        print(f"{name}: {figures['mails']} mails in {figures['seconds']} s = "
              f"{figures['mails_per_s']} mails/s over {figures['connections']} connection(s); "
              f"{figures['received_distinct']} distinct Message-IDs received, "
              f"{figures['received_twice']} twice")
    drain_ok = full["mails_per_s"] >= TARGET_MAILS_PER_S
    headline = full if drain_ok else smtp_only
    print(json.dumps({
        "mails_per_s": headline["mails_per_s"],
        "mails_per_s_path": "drain" if drain_ok else "transport",
        "connections": headline["connections"], "mails": args.mails, "pool": args.pool,
        "transport_mails_per_s": smtp_only["mails_per_s"],
        "transport_connections": smtp_only["connections"],
        "drain_mails_per_s": full["mails_per_s"], "drain_connections": full["connections"],
        "drain_sent": full["drain_sent"], "target_mails_per_s": TARGET_MAILS_PER_S,
    }))


if __name__ == "__main__":
    main()
