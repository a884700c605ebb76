"""Source health: a source that breaks is marked failing and the operator gets one mail when it
breaks and one when it recovers, not one per run."""

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from alerts.capture import MailCapture
from alerts.operator import OperatorContext, render_operator_alert
from alerts.transport import SmtpTransport
from config import Settings
from demo import replayed_sources_file
from replay import ReplayServer
from scheduler import Service, crawl, send_queued
from storage.models import OperatorAlert, Source

DOCUMENTS = "/api/v1/documents.json"
SOURCE = "us_fr_documents"


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    with ReplayServer(lifetime_s=300).running_in_thread() as server:
        yield server


def service_for(settings: Settings, replay: ReplayServer, tmp_path: Path,
                **source_changes: object) -> Service:
    path = replayed_sources_file(settings, replay.base_url, tmp_path / "sources.yaml")
    data = yaml.safe_load(path.read_text())
    data["sources"] = {SOURCE: data["sources"][SOURCE] | source_changes}
    path.write_text(yaml.safe_dump(data))
    return Service.load(settings.model_copy(update={
        "sources_file": path, "operator_email": "ops@example.com"}))


def run_crawl(service: Service) -> None:
    asyncio.run(crawl(service, SOURCE))


def health(service: Service) -> tuple[str, str | None, list[str]]:
    with service.sessions() as session:
        source = session.get(Source, SOURCE)
        assert source is not None
        kinds = list(session.scalars(select(OperatorAlert.kind).order_by(OperatorAlert.id)))
        return source.health, source.health_reason, kinds


def test_one_alert_when_a_source_breaks_and_one_when_it_recovers(
    settings: Settings, replay: ReplayServer, tmp_path: Path
) -> None:
    service = service_for(settings, replay, tmp_path)
    run_crawl(service)
    assert health(service) == ("ok", None, [])

    replay.set_fault(DOCUMENTS, "http500")
    run_crawl(service)
    run_crawl(service)
    state, reason, kinds = health(service)
    assert state == "failing" and "HTTP error" in (reason or "")
    assert kinds == ["failing"]  # two failed runs, one alert

    replay.clear_faults()
    run_crawl(service)
    assert health(service) == ("ok", None, ["failing", "recovered"])


def test_empty_runs_in_a_row_make_a_source_failing(
    settings: Settings, replay: ReplayServer, tmp_path: Path
) -> None:
    service = service_for(settings, replay, tmp_path, max_empty_runs=2)
    # Synthetic: the FR API's shape for a search that matched nothing.
    replay.add_route(DOCUMENTS, json.dumps({"count": 0, "results": []}).encode())
    run_crawl(service)
    assert health(service)[0] == "ok"
    run_crawl(service)
    state, reason, kinds = health(service)
    assert state == "failing" and "no items in 2 runs in a row" in (reason or "")
    assert kinds == ["failing"]


def test_items_without_dates_mean_the_layout_changed(
    settings: Settings, replay: ReplayServer, tmp_path: Path
) -> None:
    service = service_for(settings, replay, tmp_path)
    # Synthetic page: FR-shaped documents whose publication date field has disappeared.
    page = {"count": 3, "results": [
        {"document_number": f"2024-0000{i}", "title": f"Notice {i}",
         "html_url": f"https://www.federalregister.gov/d/2024-0000{i}"} for i in range(3)]}
    replay.add_route(DOCUMENTS, json.dumps(page).encode())
    run_crawl(service)
    state, reason, _kinds = health(service)
    assert state == "failing" and "3 of 3 items have no publication date" in (reason or "")


def test_operator_mail_is_sent_once_in_the_operators_language(
    settings: Settings, replay: ReplayServer, tmp_path: Path
) -> None:
    service = service_for(settings, replay, tmp_path)
    replay.set_fault(DOCUMENTS, "http500")
    run_crawl(service)

    async def send_twice() -> list:
        async with MailCapture() as capture:
            for _ in range(2):
                await send_queued(service, SmtpTransport("127.0.0.1", capture.port, timeout=10))
            return capture.received

    received = asyncio.run(send_twice())
    assert len(received) == 1
    mail = received[0]
    assert mail.recipients == ["ops@example.com"]
    assert str(mail.message["Subject"]).startswith(f"[TREWS][NGUỒN LỖI] {SOURCE}")
    text = " ".join(mail.message.get_body(("plain",)).get_content().split())
    html = mail.message.get_body(("html",)).get_content()
    # the failure said in Vietnamese, with the server's answer and the address it came from
    assert "đang gặp lỗi" in text and "lỗi tải trang; lỗi đầu tiên: máy chủ trả lời mã HTTP 500" \
        in text and f"cho địa chỉ {replay.base_url}api/" in text and "HTTP error" not in text
    assert f"DATA_DIR/logs/{SOURCE}.log" in text and f"DATA_DIR/logs/{SOURCE}.log" in html


def test_operator_mail_in_english_and_for_recovery() -> None:
    ctx = OperatorContext(alert_id=7, kind="recovered", source_id="eu_tron",
                          authority="European Commission, DG TRADE (TRON)", reason=None,
                          changed_at=datetime(2026, 11, 23, 3, 0, tzinfo=UTC),
                          last_success_at=None, recipient_email="ops@example.com",
                          language="en")
    message = message_from_bytes(render_operator_alert(ctx, "t@x.invalid").as_bytes(),
                                 policy=policy.default)
    assert str(message["Subject"]).strip() == (
        "[TREWS][SOURCE RECOVERED] eu_tron: European Commission, DG TRADE (TRON)")
    assert message["Message-ID"] == "<operator-7@trews.invalid>"
    assert "works again" in message.get_body(("plain",)).get_content()
    assert "works again" in message.get_body(("html",)).get_content()


def test_operator_mail_escapes_what_it_did_not_write() -> None:
    """A source id and a reason come from configuration and from the web: escaped in HTML."""
    ctx = OperatorContext(alert_id=8, kind="failing", source_id="<b>x</b>",
                          authority="A & B", reason="1 HTTP error(s) (first: HTTP 503 from "
                          "https://example.org/?a=<script>)", changed_at=datetime(
                              2026, 11, 23, 3, 0, tzinfo=UTC), last_success_at=None,
                          recipient_email="ops@example.com", language="en")
    message = message_from_bytes(render_operator_alert(ctx, "t@x.invalid").as_bytes(),
                                 policy=policy.default)
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "DATA_DIR/logs/&lt;b&gt;x&lt;/b&gt;.log" in html
    text = " ".join(message.get_body(("plain",)).get_content().split())
    assert ("1 download error(s); the first: the server answered HTTP 503 to "
            "https://example.org/?a=<script>") in text
