"""A refusal of one message stalls nothing: against a real aiosmtpd server without SMTPUTF8 (as
some commercial relays are) and a real database, an address with an internationalised domain
goes out with its domain in punycode, one whose local part is not ASCII fails alone with the
reason, and a MAIL FROM refused for one message is that message's failure or retry, not a
"server unavailable" that would stop every drain at the same row."""

from __future__ import annotations

import email
import email.policy
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.message import message_id
from storage.database import transaction
from storage.models import Delivery, Subscriber
from storage.timeutil import utcnow
from tests.test_sender import (
    Inbox,
    ids_of,
    pool,
    rows,
    run,
    send,
    smtp_server,
    statuses,
    until_settled,
)
from tests.test_sender import (
    queue_deliveries as queue,
)

CLAIMED = {"sending", "resending"}


class Relay(Inbox):
    """The test sender's inbox, keeping each message's envelope recipients and To: header, and
    answering the n-th MAIL command (1-based, over all connections) as ``mail`` says."""

    def __init__(self) -> None:
        super().__init__()
        self.mail: dict[int, str] = {}
        self.mail_commands = 0
        self.envelopes: dict[str, tuple[list[str], str]] = {}

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        self.mail_commands += 1
        if self.mail_commands in self.mail:
            return self.mail[self.mail_commands]
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        reply = await super().handle_DATA(server, session, envelope)
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.envelopes[str(parsed["Message-ID"])] = (list(envelope.rcpt_tos),
                                                     parsed["To"].addresses[0].addr_spec)
        return reply


def readdress(sessions: sessionmaker[Session], delivery_id: int, address: str) -> None:
    """Give the delivery's subscriber another address (as ``/subscribe`` would accept it)."""
    with transaction(sessions) as session:
        subscriber_id = session.scalar(select(Delivery.subscriber_id)
                                       .where(Delivery.id == delivery_id))
        subscriber = session.get(Subscriber, subscriber_id)
        assert subscriber is not None
        subscriber.email = address


def test_an_idn_address_is_sent_in_punycode_and_stalls_nothing(sessions) -> None:
    ids = queue(sessions, 6)
    idn, utf8_local = ids[0], ids[1]  # the oldest rows: the first claimed by every drain
    readdress(sessions, idn, "lan@bücher.example")
    readdress(sessions, utf8_local, "nguyễn@bücher.example")
    relay = Relay()

    async def scenario() -> None:
        async with smtp_server(relay) as (port, _connections), pool(port) as smtp:
            await send(sessions, smtp)

    run(scenario)
    final = rows(sessions)
    assert relay.count() == Counter(ids_of([idn, *ids[2:]]))  # each once, the others too
    assert relay.envelopes[message_id(idn)] == (["lan@xn--bcher-kva.example"],
                                                "lan@xn--bcher-kva.example")
    assert (final[idn].status, final[idn].attempts) == ("sent", 1)
    assert (final[utf8_local].status, final[utf8_local].attempts) == ("failed", 1)
    assert "SMTPUTF8" in (final[utf8_local].last_error or "")
    assert not set(statuses(sessions).values()) & CLAIMED


def test_a_refused_mail_from_is_that_messages_failure_or_retry(sessions) -> None:
    ids = queue(sessions, 5)
    relay = Relay()
    # The relay has accepted one message (MAIL 1) when it refuses one (MAIL 2): that refusal is
    # the message's own (alerts/refusals.py).
    relay.mail = {2: "553 5.7.1 Sender address rejected for this message",
                  3: "451 4.7.1 Too many messages, slow down"}

    async def scenario() -> tuple[dict[int, Delivery], dict[int, str]]:
        async with smtp_server(relay) as (port, _connections), pool(port, size=1) as smtp:
            await send(sessions, smtp)
            after_one = rows(sessions)
            await until_settled(sessions, smtp)
            return after_one, statuses(sessions)

    after_one, final = run(scenario)
    refused, deferred = ids[1], ids[2]
    assert (after_one[refused].status, after_one[refused].attempts) == ("failed", 1)
    assert "553" in (after_one[refused].last_error or "")
    assert (after_one[deferred].status, after_one[deferred].attempts) == ("queued", 1)
    assert after_one[deferred].next_attempt_at is not None
    assert {after_one[i].status for i in (ids[0], *ids[3:])} == {"sent"}
    assert final == {**{i: "sent" for i in ids}, refused: "failed"}
    assert relay.count() == Counter(ids_of([ids[0], *ids[2:]]))


def test_a_relay_refusing_everything_fails_nothing_and_stops_the_drain(sessions) -> None:
    """A burst of 550s from a relay that has accepted nothing lately is the relay's fault: every
    message stays queued (its attempt counted), the drain stops after the streak, and all go out
    once the relay accepts again."""
    ids = queue(sessions, 12)
    relay = Relay()
    relay.mail = {n: "550 5.7.1 Service refused, try later" for n in range(1, 30)}

    async def scenario() -> tuple[dict[int, str], int, dict[int, str]]:
        async with smtp_server(relay) as (port, _connections), pool(port, size=1) as smtp:
            report = await send(sessions, smtp)
            assert report.failed == 0 and report.sent == 0
            during, tried = statuses(sessions), relay.mail_commands
            relay.mail = {}
            await until_settled(sessions, smtp)
            return during, tried, statuses(sessions)

    during, tried, final = run(scenario)
    assert set(during.values()) == {"queued"}
    assert tried == 5  # the streak (alerts.refusals.BURST) stopped the drain
    assert final == {i: "sent" for i in ids} and relay.count() == Counter(ids_of(ids))


def test_a_refusal_is_the_messages_own_when_the_relay_accepted_mail_lately(sessions) -> None:
    ids = queue(sessions, 2)
    with transaction(sessions) as session:  # an earlier drain sent the first one just now
        sent = session.get(Delivery, ids[0])
        assert sent is not None
        sent.status, sent.sent_at = "sent", utcnow()
    relay = Relay()
    relay.mail = {1: "550 5.1.1 No such user here"}

    async def scenario() -> None:
        async with smtp_server(relay) as (port, _connections), pool(port, size=1) as smtp:
            await send(sessions, smtp)

    run(scenario)
    assert rows(sessions)[ids[1]].status == "failed"
