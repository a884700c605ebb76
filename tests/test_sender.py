"""The sender against a real aiosmtpd server on 127.0.0.1 and a real SQLite database: server down,
4xx, 5xx for one recipient, timeout after DATA, a sender killed mid-send. After recovery every
expected message has arrived exactly once, counted by Message-ID at the server (the documented
exceptions: the message resent after an uncertain DATA, and the one in flight at the kill)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP as SMTPServerProtocol
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.file_outbox import FileOutbox
from alerts.message import message_id
from alerts.outbox import Settlements, claim_due
from alerts.send_policy import SendPolicy, transport_for
from alerts.sender import DrainReport, drain
from alerts.transport import SmtpPool, backoff_delay
from config import Settings
from storage.database import make_engine, session_factory, transaction
from storage.migrate import upgrade
from storage.models import Delivery, Match, Notice, Source, Subscriber, Subscription
from storage.timeutil import utcnow

ROOT = Path(__file__).resolve().parent.parent
MAIL_FROM = "TREWS <canhbao@trews.invalid>"
FAST = SendPolicy(max_attempts=5, backoff_base_s=0.01, backoff_max_s=0.02, claim_s=30)
# The kill test's claims expire fast, so the recovery drain need not wait long for them.
# Long enough for the child to start and send a few, short enough to wait for its expiry.
SHORT_CLAIM = SendPolicy(max_attempts=5, backoff_base_s=0.01, backoff_max_s=0.02, claim_s=2)
_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)


# --- the database --------------------------------------------------------------------------------

@pytest.fixture
def database(database_url: str) -> Iterator[tuple[str, sessionmaker[Session]]]:
    """The outbox on a real SQLite file and on the real PostgreSQL server."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield database_url, session_factory(engine)
    engine.dispose()


def queue_deliveries(sessions: sessionmaker[Session], count: int) -> list[int]:
    """One real notice and ``count`` subscribers matched to it, each with a queued delivery."""
    with transaction(sessions) as session:
        session.add(Source(id="us_fr_documents", market="US", authority="Federal Register",
                           kind="api", url="https://www.federalregister.gov/api/v1/"))
        session.flush()
        notice = Notice(
            source_id="us_fr_documents", external_id="2023-28945", market="US",
            url="https://www.federalregister.gov/d/2023-28945", published=date(2024, 1, 3),
            title="Certain Paper Shopping Bags From the Socialist Republic of Vietnam",
            raw={}, content_hash="0" * 64, trade_remedy=True, vietnam="subject",
            analysis={"market": "US", "measures": ["AD"], "stage": "preliminary",
                      "severity": "high", "vietnam": "subject", "sectors": ["paper"]},
        )
        session.add(notice)
        session.flush()
        ids = []
        for n in range(count):
            subscriber = Subscriber(email=f"reader{n}@example.vn", name=f"Reader {n}",
                                    language="vi" if n % 2 else "en")
            subscriber.subscriptions.append(Subscription(sectors=["paper"]))
            session.add(subscriber)
            session.flush()
            session.add(Match(notice_id=notice.id, subscription_id=subscriber.subscriptions[0].id,
                              severity="high", reasons=["Vietnam is named"]))
            delivery = Delivery(subscriber_id=subscriber.id, notice_id=notice.id)
            session.add(delivery)
            session.flush()
            ids.append(delivery.id)
    return ids


def rows(sessions: sessionmaker[Session]) -> dict[int, Delivery]:
    with sessions() as session:
        return {row.id: row for row in session.scalars(select(Delivery))}


def statuses(sessions: sessionmaker[Session]) -> dict[int, str]:
    return {row_id: row.status for row_id, row in rows(sessions).items()}


def email_of(delivery_id: int, ids: list[int]) -> str:
    return f"reader{ids.index(delivery_id)}@example.vn"


# --- the server ----------------------------------------------------------------------------------

class Inbox:
    """aiosmtpd handler that counts what it accepted by Message-ID, with scripted misbehaviour:
    ``rcpt`` / ``data``: replies to give, in order, before accepting (per address / Message-ID);
    ``slow``: seconds to sit on a message after receiving it, before answering (first time only);
    ``delay_s``: seconds to take over every message;
    ``hang_after``: after that many messages, receive every further one and never answer."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.rcpt: dict[str, list[str]] = {}
        self.data: dict[str, list[str]] = {}
        self.slow: dict[str, float] = {}
        self.hang_after: int | None = None
        self.delay_s = 0.0
        self.released = asyncio.Event()

    def count(self) -> Counter[str]:
        return Counter(self.received)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        scripted = self.rcpt.get(address)
        if scripted:
            return scripted.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        found = _MESSAGE_ID.search(envelope.original_content or b"")
        msgid = found.group(1).decode() if found else "?"
        scripted = self.data.get(msgid)
        if scripted:
            return scripted.pop(0)
        self.received.append(msgid)
        if msgid in self.slow:
            await asyncio.sleep(self.slow.pop(msgid))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.hang_after is not None and len(self.received) >= self.hang_after:
            await self.released.wait()
        return "250 Message accepted for delivery"


@asynccontextmanager
async def smtp_server(inbox: Inbox, port: int = 0) -> AsyncIterator[tuple[int, list[Any]]]:
    """A real SMTP server on 127.0.0.1 on this loop; yields its port and its connections."""
    connections: list[SMTPServerProtocol] = []

    def accept() -> SMTPServerProtocol:
        protocol = SMTPServerProtocol(inbox, hostname="trews.test")
        connections.append(protocol)
        return protocol

    server = await asyncio.get_running_loop().create_server(accept, "127.0.0.1", port)
    try:
        yield server.sockets[0].getsockname()[1], connections
    finally:
        inbox.released.set()
        server.close()
        for protocol in connections:
            if protocol.transport is not None:
                protocol.transport.close()
        await server.wait_closed()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def pool(port: int, size: int = 2, timeout: float = 5) -> SmtpPool:
    return SmtpPool(size, host="127.0.0.1", port=port, timeout=timeout,
                    local_hostname="client.test")


async def send(sessions: sessionmaker[Session], transport: Any,
               policy: SendPolicy = FAST) -> DrainReport:
    return await drain(sessions, transport, mail_from=MAIL_FROM,
                       sector_names={"paper": {"en": "paper", "vi": "giấy"}},
                       source_names={"us_fr_documents": "Federal Register"}, policy=policy)


async def until_settled(sessions: sessionmaker[Session], transport: Any,
                        rounds: int = 30) -> list[DrainReport]:
    """Drain again (after the tiny test backoff) until nothing is queued or uncertain."""
    reports = []
    for _ in range(rounds):
        reports.append(await send(sessions, transport))
        if not set(statuses(sessions).values()) & {"queued", "uncertain", "sending"}:
            break
        await asyncio.sleep(0.03)
    return reports


def run(scenario: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    return asyncio.run(asyncio.wait_for(scenario(), timeout=20))


def ids_of(delivery_ids: list[int]) -> list[str]:
    return [message_id(delivery_id) for delivery_id in delivery_ids]


# --- the cases of the issue ----------------------------------------------------------------------

def test_server_down_at_start_mail_stays_queued_then_goes_once(database) -> None:
    _url, sessions = database
    ids = queue_deliveries(sessions, 6)
    port = free_port()
    inbox = Inbox()

    async def scenario() -> tuple[DrainReport, dict[int, Delivery], DrainReport]:
        async with pool(port) as smtp:
            down = await send(sessions, smtp)
            while_down = rows(sessions)
            async with smtp_server(inbox, port):
                up = await send(sessions, smtp)
        return down, while_down, up

    down, while_down, up = run(scenario)
    assert (down.sent, down.deferred) == (0, 6)
    assert {(row.status, row.attempts) for row in while_down.values()} == {("queued", 0)}
    assert "SMTP unavailable" in (next(r.last_error for r in while_down.values() if r.last_error))
    assert up.sent == 6
    assert inbox.count() == Counter(ids_of(ids))
    assert set(statuses(sessions).values()) == {"sent"}


def test_421_and_451_are_retried_with_backoff_then_delivered_once(database) -> None:
    _url, sessions = database
    ids = queue_deliveries(sessions, 6)
    inbox = Inbox()
    inbox.data[message_id(ids[1])] = ["451 4.3.0 Try again later"] * 2
    inbox.rcpt[email_of(ids[3], ids)] = ["421 4.7.0 Too busy, closing"]

    async def scenario() -> list[DrainReport]:
        async with smtp_server(inbox) as (port, _connections), pool(port) as smtp:
            return await until_settled(sessions, smtp)

    reports = run(scenario)
    assert inbox.count() == Counter(ids_of(ids))
    final = rows(sessions)
    assert {row.status for row in final.values()} == {"sent"}
    assert final[ids[1]].attempts == 3 and final[ids[3]].attempts == 2
    assert final[ids[0]].attempts == 1
    assert sum(report.deferred for report in reports) >= 3
    assert any("451" in error for report in reports for error in report.errors)


def test_550_for_one_recipient_fails_that_delivery_only(database) -> None:
    _url, sessions = database
    ids = queue_deliveries(sessions, 5)
    gone = ids[2]
    inbox = Inbox()
    inbox.rcpt[email_of(gone, ids)] = ["550 5.1.1 No such user here"] * 10

    async def scenario() -> DrainReport:
        async with smtp_server(inbox) as (port, _connections), pool(port) as smtp:
            return await send(sessions, smtp)

    report = run(scenario)
    assert (report.sent, report.failed) == (4, 1)
    final = rows(sessions)
    assert final[gone].status == "failed" and final[gone].attempts == 1
    assert "550" in (final[gone].last_error or "")
    assert "No such user here" in (final[gone].last_error or "")
    assert inbox.count() == Counter(ids_of([i for i in ids if i != gone]))
    assert {final[i].status for i in ids if i != gone} == {"sent"}


def test_timeout_after_data_is_uncertain_and_resent_exactly_once(database) -> None:
    _url, sessions = database
    ids = queue_deliveries(sessions, 4)
    slow = message_id(ids[1])
    inbox = Inbox()
    inbox.slow[slow] = 1.5  # longer than the client's timeout, then it accepts anyway

    async def scenario() -> tuple[DrainReport, str, list[DrainReport]]:
        async with smtp_server(inbox) as (port, _connections), pool(port, timeout=0.5) as smtp:
            first = await send(sessions, smtp)
            after_first = statuses(sessions)[ids[1]]
            await asyncio.sleep(0.05)
            later = [await send(sessions, smtp) for _ in range(3)]
            return first, after_first, later

    first, after_first, later = run(scenario)
    assert (first.sent, first.uncertain) == (3, 1) and after_first == "uncertain"
    assert later[0].resent == 1 and later[0].sent == 1
    assert sum(report.sent for report in later[1:]) == 0  # no further sends: no loop
    counts = inbox.count()
    assert counts[slow] == 2  # the original (accepted late) and exactly one resend
    assert counts == Counter(ids_of(ids)) + Counter([slow])
    final = rows(sessions)[ids[1]]
    assert (final.status, final.attempts, final.message_id) == ("sent", 2, slow)


SENDER = """
import asyncio, sys
from alerts.send_policy import SendPolicy
from alerts.sender import drain
from alerts.transport import SmtpPool
from storage.database import make_engine, session_factory

async def main(url, port, connections, claim_s):
    sessions = session_factory(make_engine(url))
    print("ready", flush=True)
    sys.stdin.readline()  # "go": the test starts every sender at once
    async with SmtpPool(connections, host="127.0.0.1", port=port, timeout=30) as smtp:
        report = await drain(sessions, smtp, mail_from="TREWS <canhbao@trews.invalid>",
                             sector_names={}, source_names={}, limit=10_000,
                             policy=SendPolicy(claim_s=claim_s))
    print(report.sent)

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])))
"""


async def start_senders(url: str, port: int, connections: int, claim_s: float,
                        count: int = 1) -> list[asyncio.subprocess.Process]:
    """Senders in their own processes, as other services would be, started at the same moment;
    each prints how many it sent."""
    senders = [await asyncio.create_subprocess_exec(
        sys.executable, "-c", SENDER, url, str(port), str(connections), str(claim_s), cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE) for _ in range(count)]
    for sender in senders:
        assert sender.stdout is not None
        assert (await sender.stdout.readline()).strip() == b"ready"
    for sender in senders:
        assert sender.stdin is not None
        sender.stdin.write(b"go\n")
        await sender.stdin.drain()
    return senders


def test_sender_killed_between_send_and_commit_resends_only_that_message(database) -> None:
    url, sessions = database
    ids = queue_deliveries(sessions, 6)
    inbox = Inbox()
    inbox.hang_after = 3  # the third message is received, and its 250 never comes

    async def scenario() -> tuple[dict[int, str], DrainReport]:
        async with smtp_server(inbox) as (port, _connections):
            [child] = await start_senders(url, port, 1, SHORT_CLAIM.claim_s)
            while len(inbox.received) < 3:
                await asyncio.sleep(0.02)
            child.send_signal(signal.SIGKILL)
            await child.wait()
            at_kill = statuses(sessions)
            inbox.hang_after = None
            inbox.released.set()
            await asyncio.sleep(SHORT_CLAIM.claim_s + 0.05)  # the dead sender's claim expires
            async with pool(port) as smtp:
                recovery = await send(sessions, smtp, SHORT_CLAIM)
        return at_kill, recovery

    at_kill, recovery = run(scenario)
    in_flight = ids[2]
    # The dead sender's batch is still claimed: the row in flight, and those it never tried.
    assert at_kill == {ids[0]: "sent", ids[1]: "sent", in_flight: "sending",
                       ids[3]: "sending", ids[4]: "sending", ids[5]: "sending"}
    # Once the claim expires, each goes out once more as possibly delivered: only the one in
    # flight had reached the server, so only it arrives twice.
    assert (recovery.sent, recovery.resent) == (4, 4)
    counts = inbox.count()
    assert set(counts) == set(ids_of(ids))  # every expected message arrived
    assert counts == Counter(ids_of(ids)) + Counter([message_id(in_flight)])  # only it twice
    final = rows(sessions)
    assert {row.status for row in final.values()} == {"sent"}
    assert final[in_flight].message_id == message_id(in_flight)


# --- the policy around them ----------------------------------------------------------------------

def test_gives_up_after_max_attempts_with_the_last_error(database) -> None:
    _url, sessions = database
    ids = queue_deliveries(sessions, 3)
    stuck = message_id(ids[0])
    inbox = Inbox()
    inbox.data[stuck] = ["452 4.3.1 Insufficient system storage"] * 100
    policy = SendPolicy(max_attempts=3, backoff_base_s=0.01, backoff_max_s=0.02, claim_s=5)

    async def scenario() -> None:
        async with smtp_server(inbox) as (port, _connections), pool(port) as smtp:
            for _ in range(10):
                await send(sessions, smtp, policy)
                await asyncio.sleep(0.03)

    run(scenario)
    row = rows(sessions)[ids[0]]
    assert (row.status, row.attempts) == ("failed", 3)
    assert (row.last_error or "").startswith("gave up after 3 attempts: ")
    assert "452" in (row.last_error or "")
    assert inbox.count() == Counter(ids_of(ids[1:]))


def test_concurrent_drains_never_send_a_delivery_twice(database) -> None:
    _url, sessions = database
    ids = queue_deliveries(sessions, 30)
    inbox = Inbox()

    async def scenario() -> list[DrainReport]:
        async with smtp_server(inbox) as (port, _connections), pool(port) as a, pool(port) as b:
            return list(await asyncio.gather(send(sessions, a), send(sessions, b)))

    reports = run(scenario)
    assert sum(report.sent for report in reports) == 30
    assert inbox.count() == Counter(ids_of(ids))


def test_two_sender_processes_share_one_outbox_without_a_duplicate(database) -> None:
    """Two services on one database (PostgreSQL: SKIP LOCKED; SQLite: serialised claims) split
    the outbox between them, and the server receives every message exactly once."""
    url, sessions = database
    ids = queue_deliveries(sessions, 300)
    inbox = Inbox()
    inbox.delay_s = 0.02  # a server that takes a moment, so both senders are busy at once

    async def scenario() -> list[int]:
        async with smtp_server(inbox) as (port, _connections):
            children = await start_senders(url, port, 2, 60, count=2)
            outputs = [await child.communicate() for child in children]
        return [int(out.decode().split()[-1]) for out, _err in outputs]

    sent = asyncio.run(asyncio.wait_for(scenario(), timeout=120))
    assert sum(sent) == 300 and all(count > 0 for count in sent), sent
    assert inbox.count() == Counter(ids_of(ids))
    assert set(statuses(sessions).values()) == {"sent"}


def test_a_claim_takes_at_most_its_batch_and_never_a_row_taken_before(database) -> None:
    _url, sessions = database
    ids = queue_deliveries(sessions, 20)
    first = claim_due(sessions, Delivery, now=utcnow(), hold_s=60, limit=8)
    second = claim_due(sessions, Delivery, now=utcnow(), hold_s=60, limit=8)
    assert [held.row_id for held in first] == ids[:8]
    assert [held.row_id for held in second] == ids[8:16]
    assert statuses(sessions) == {**{i: "sending" for i in ids[:16]},
                                  **{i: "queued" for i in ids[16:]}}


def test_answers_that_come_together_are_each_written_and_a_late_one_loses(database) -> None:
    """Outcomes settled at once are committed together, each once committed before its send
    returns; the outcome of a claim that expired and was taken over by another sender is not
    written (the other sender's stands)."""
    _url, sessions = database
    ids = queue_deliveries(sessions, 6)
    stale = claim_due(sessions, Delivery, now=utcnow(), hold_s=0, limit=6)
    retaken = claim_due(sessions, Delivery, now=utcnow(), hold_s=60, limit=2)
    assert [held.row_id for held in retaken] == ids[:2]

    async def scenario() -> None:
        settlements = Settlements(sessions, Delivery)
        try:
            await asyncio.gather(*(settlements.settle(held, status="sent",
                                                      message_id=message_id(held.row_id))
                                   for held in stale))
            # An expired claim may have been sent: the other sender holds it as a resend.
            assert statuses(sessions) == {**{i: "resending" for i in ids[:2]},
                                          **{i: "sent" for i in ids[2:]}}
        finally:
            await settlements.close()

    run(scenario)
    settled = rows(sessions)
    assert [settled[i].attempts for i in ids] == [2, 2, 1, 1, 1, 1]
    assert [settled[i].sent_at is not None for i in ids] == [False, False, True, True, True, True]


@pytest.mark.postgres
def test_a_claim_skips_rows_another_sender_has_locked(postgres_url: str) -> None:
    """PostgreSQL: rows locked by another sender's open claim are skipped, not waited for."""
    engine = make_engine(postgres_url)
    upgrade(engine)
    sessions = session_factory(engine)
    ids = queue_deliveries(sessions, 10)
    with sessions() as other, other.begin():
        other.execute(select(Delivery.id).where(Delivery.id.in_(ids[:4]))
                      .with_for_update()).all()
        held = claim_due(sessions, Delivery, now=utcnow(), hold_s=60, limit=3)
    assert [claimed.row_id for claimed in held] == ids[4:7]
    engine.dispose()


def test_pool_reuses_a_few_connections_for_many_messages(database) -> None:
    _url, sessions = database
    ids = queue_deliveries(sessions, 60)
    inbox = Inbox()

    async def scenario() -> tuple[int, int]:
        async with smtp_server(inbox) as (port, connections), pool(port, size=3) as smtp:
            await send(sessions, smtp)
            return len(connections), smtp.connections_opened

    at_server, opened = run(scenario)
    assert at_server == opened <= 3
    assert inbox.count() == Counter(ids_of(ids))


def test_file_outbox_stays_the_default_and_drains_the_same_way(database, tmp_path: Path) -> None:
    _url, sessions = database
    ids = queue_deliveries(sessions, 3)
    settings = Settings(data_dir=tmp_path / "var")
    transport = transport_for(settings)
    assert isinstance(transport, FileOutbox)
    pooled = transport_for(settings.model_copy(update={"smtp_host": "mail.example.vn",
                                                       "smtp_pool_size": 5}))
    assert isinstance(pooled, SmtpPool) and pooled.size == 5

    async def scenario() -> DrainReport:
        async with transport as outbox:
            return await send(sessions, outbox)

    assert run(scenario).sent == 3
    assert len(list(settings.outbox.glob("*.eml"))) == 3
    assert {row.message_id for row in rows(sessions).values()} == set(ids_of(ids))


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    delays = [[backoff_delay(attempt, 30, 3600) for _ in range(200)] for attempt in range(1, 10)]
    for attempt, samples in enumerate(delays, start=1):
        ceiling = min(3600, 30 * 2 ** (attempt - 1))
        assert all(ceiling / 2 <= d <= ceiling for d in samples)
        assert len(set(samples)) > 100  # jittered
    assert max(delays[-1]) <= 3600


def test_migration_adds_the_retry_columns(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    for table in ("delivery", "operator_alert"):
        columns = {column["name"] for column in inspect(engine).get_columns(table)}
        assert "next_attempt_at" in columns
    engine.dispose()
