"""A whole cycle, as the service runs it: recorded FR pages over real HTTP, a child-process crawl,
analysis, matching against the example subscribers, and mail into a real aiosmtpd server."""

import asyncio
from email.message import EmailMessage

import pytest
from sqlalchemy import select, update

from alerts.capture import MailCapture, Received
from alerts.subscribers import import_subscribers
from alerts.transport import SmtpTransport
from config import Settings
from config.settings import CONFIG_DIR
from demo import replayed_sources_file
from replay import ReplayServer
from scheduler import Service, analyse_pending, run_cycle, send_queued
from storage.database import transaction
from storage.models import Case, CaseNumber, Delivery, Notice

PAPER_BAGS = "2023-28945"
SHRIMP = "2024-00396"


def parts(message: EmailMessage) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_content()
        for part in message.walk() if part.get_content_maintype() == "text"
    }


@pytest.fixture(scope="module")
def cycle(tmp_path_factory: pytest.TempPathFactory):
    """One cycle over the recorded data; the tests below read what it left behind."""
    tmp = tmp_path_factory.mktemp("cycle")
    settings = Settings(data_dir=tmp / "var", crawl_delay_s=0.0)

    async def go() -> tuple[Service, list[Received], int]:
        async with ReplayServer(lifetime_s=300) as replay, MailCapture() as capture:
            service = Service.load(settings.model_copy(update={
                "sources_file": replayed_sources_file(settings, replay.base_url,
                                                      tmp / "sources.yaml")}))
            rejected = import_subscribers(service.sessions, CONFIG_DIR / "subscribers.example.csv",
                                          {sector.id for sector in service.sectors})
            assert rejected.rejected == []
            transport = SmtpTransport(host="127.0.0.1", port=capture.port, timeout=10)
            crawls, _report, sent = await run_cycle(service, ["us_fr_documents"], transport)
            assert all(result.ok for result in crawls)
            return service, capture.received, sent.sent

    return asyncio.run(go())


def mails_about(received: list[Received], words: str) -> list[Received]:
    return [item for item in received if words in parts(item.message)["text/plain"]]


def test_every_sent_delivery_arrived_once(cycle) -> None:
    service, received, sent = cycle
    ids = [str(item.message["Message-ID"]) for item in received]
    assert sent == len(received) > 0
    assert len(set(ids)) == len(ids)
    with service.sessions() as session:
        statuses = set(session.scalars(select(Delivery.status)))
    assert statuses == {"sent"}


def test_vietnamese_notices_reach_their_sectors_subscribers(cycle) -> None:
    _service, received, _sent = cycle
    bags = mails_about(received, "Paper Shopping Bags From the Socialist Republic of Vietnam")
    shrimp = mails_about(received, "Frozen Warmwater Shrimp")
    assert {r for item in bags for r in item.recipients} >= {
        "export@example.org", "canhbao@example.net"}
    assert {r for item in shrimp for r in item.recipients} >= {
        "thuysan@example.com", "canhbao@example.net"}
    assert "hiephoi.thep@example.com" not in {r for item in bags + shrimp for r in item.recipients}


def test_mail_has_both_parts_in_the_readers_language(cycle) -> None:
    _service, received, _sent = cycle
    english = next(item for item in received if item.recipients == ["export@example.org"])
    vietnamese = next(item for item in received if item.recipients == ["thuysan@example.com"])
    for item in (english, vietnamese):
        body = parts(item.message)
        assert set(body) == {"text/plain", "text/html"}
        assert str(item.message["Subject"]).startswith("[TREWS]")
    assert "Preliminary" in str(english.message["Subject"])
    assert english.message["Content-Language"] == "en"
    assert vietnamese.message["Content-Language"] == "vi"
    assert "Tôm" in parts(vietnamese.message)["text/plain"] or \
        "tôm" in parts(vietnamese.message)["text/plain"]


def why_section(text: str, heading: str) -> list[str]:
    lines = text.replace("\r\n", "\n").split(heading + "\n", 1)[1]
    return lines.split("\n\n", 1)[0].splitlines()


def test_why_a_reader_got_the_alert_is_said_in_their_language(cycle) -> None:
    """The matcher's reasons are kept with their facts, so the section is in the reader's
    language; the rule engine's English reasons are on the notice's page, not in the mail."""
    _service, received, _sent = cycle
    vietnamese = [item for item in received if item.message["Content-Language"] == "vi"]
    english = [item for item in received if item.message["Content-Language"] == "en"]
    assert vietnamese and english
    for item in vietnamese:
        lines = why_section(parts(item.message)["text/plain"],
                            "VÌ SAO QUÝ VỊ NHẬN ĐƯỢC CẢNH BÁO NÀY")
        assert lines and lines[-1].startswith("- Mức độ "), lines
        said = " ".join(lines)
        assert not [word for word in ("subscribed", "severity", "product:", "Vietnam is", "step")
                    if word in said], said
    for item in english:
        lines = why_section(parts(item.message)["text/plain"], "WHY YOU RECEIVED THIS ALERT")
        assert lines and lines[-1].startswith("- Severity "), lines


def test_no_mail_for_documents_that_are_not_trade_remedies(cycle) -> None:
    service, _received, _sent = cycle
    with service.sessions() as session:
        mailed = list(session.scalars(
            select(Notice).join(Delivery, Delivery.notice_id == Notice.id)))
    assert mailed
    assert all(notice.trade_remedy for notice in mailed)
    assert {PAPER_BAGS, SHRIMP} <= {notice.external_id for notice in mailed}


def test_notices_are_linked_into_cases_with_a_next_step(cycle) -> None:
    service, _received, _sent = cycle
    with service.sessions() as session:
        cases = session.scalars(select(Case).where(Case.product == "frozen warmwater shrimp"))
        shrimp = {case.origin: case for case in cases}
        bags = session.scalars(select(Case).join(CaseNumber).where(
            CaseNumber.number == "A-552-836")).one()
        numbers = {n.number for n in shrimp["VN"].numbers}
    assert set(shrimp) == {"CN", "IN", "TH", "VN"}
    assert numbers == {"A-552-802"} and shrimp["VN"].vietnam == "subject"
    assert (bags.origin, bags.stage, bags.vietnam) == ("VN", "preliminary", "subject")
    assert bags.next_step == "final" and bags.next_due is not None


def test_reanalysing_every_notice_mails_nobody_twice(cycle) -> None:
    service, received, _sent = cycle
    with transaction(service.sessions) as session:
        session.execute(update(Notice).values(analysed_at=None))

    async def again() -> int:
        async with MailCapture() as capture:
            transport = SmtpTransport(host="127.0.0.1", port=capture.port, timeout=10)
            report = analyse_pending(service)
            assert report.analysed == 1129 and report.matches > 0
            await send_queued(service, transport)
            return len(capture.received)

    assert asyncio.run(again()) == 0
    assert received
