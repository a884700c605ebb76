"""One hostile notice never stops the analysis of the others, on SQLite and on PostgreSQL.

Dates and lengths are bounded where the rules compute them and where storage writes them (a feed
date in year 9999, an initDate of 1e20, a product of 377 characters); a notice whose analysis
still fails is set aside with its error (quarantined), told to the operator once, shown by
`trews status`, and analysed again only when its source publishes it changed."""

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from alerts.capture import MailCapture
from alerts.operator import OperatorContext, render_operator_alert
from alerts.subscribers import import_subscribers
from alerts.transport import SmtpTransport
from analysis_run import AnalyseReport, analyse_pending
from cli import main
from config import load_settings
from config.settings import CONFIG_DIR
from rules.analyse import analyse
from rules.clock import next_step
from rules.deadlines import find_deadlines
from rules.event_dates import event_date
from scheduler import Service, run_cycle
from storage.database import transaction
from storage.models import Case, Notice, OperatorAlert
from storage.notices import NoticeRecord, store_notice
from storage.status import service_status

PAPER_BAGS = NoticeRecord(
    source_id="us_fr_documents", external_id="2023-28945", market="US",
    url="https://www.federalregister.gov/d/2023-28945",
    title="Certain Paper Shopping Bags From the Socialist Republic of Vietnam: Preliminary "
          "Affirmative Determination of Sales at Less Than Fair Value",
    published=date(2024, 1, 3),
    body="Commerce preliminarily determines that paper shopping bags from Vietnam are sold at "
         "less than fair value. Interested parties may submit case briefs within 30 days of "
         "publication.",
    raw={"docket_ids": ["A-552-836"]},
)
# Each stopped the whole analysis: OverflowError in the deadlines, OSError (or OverflowError)
# from the epoch milliseconds, DataError on PostgreSQL for the case's product column.
YEAR_9999 = replace(PAPER_BAGS, external_id="2024-09999", published=date(9999, 12, 20))
TRON_1E20 = NoticeRecord(
    source_id="eu_tron", external_id="AD-1e20", market="EU", url="https://tron.trade.ec.europa.eu",
    title="Anti-dumping proceeding concerning imports of steel from Vietnam",
    published=date(2024, 1, 3), body="", raw={"caseType": "AD", "initDate": 1e20},
)
LONG_PRODUCT = replace(
    PAPER_BAGS, external_id="2024-00377", raw={},
    title="Certain " + "very long paper shopping bags of many kinds " * 9 + "From the Socialist "
          "Republic of Vietnam: Preliminary Affirmative Determination of Sales at Less Than Fair "
          "Value")
# A title of control characters only passes the crawl's checks and is cleaned to nothing: the
# rules refuse a notice without a title (NoticeError), every time.
BLANK = replace(PAPER_BAGS, external_id="2024-00000", title="")


@pytest.fixture
def service(database_url: str, tmp_path: Path) -> Iterator[Service]:
    loaded = Service.load(load_settings(data_dir=tmp_path / "var", database_url=database_url,
                                        operator_email="ops@example.com"))
    yield loaded
    loaded.sessions.kw["bind"].dispose()


def store(service: Service, *records: NoticeRecord) -> None:
    with transaction(service.sessions) as session:
        for record in records:
            store_notice(session, record)


def notice(service: Service, external_id: str) -> Notice:
    with service.sessions() as session:
        return session.scalars(select(Notice).where(Notice.external_id == external_id)).one()


def operator_alerts(service: Service) -> list[tuple[str, str | None, int | None]]:
    with service.sessions() as session:
        return [(row.kind, row.job_id, row.count) for row in session.scalars(
            select(OperatorAlert).order_by(OperatorAlert.id))]


def test_dates_out_of_range_are_dropped_never_overflowed() -> None:
    assert find_deadlines("Comments are due within 30 days of publication.",
                          date(9999, 12, 20)) == []
    assert find_deadlines("Briefs are due on or before January 31, 2999.", None) == []
    assert event_date("Ngày 11/11/2999, Bộ Công Thương đã khởi xướng điều tra.", None) == (
        None, "")
    assert next_step("US", "investigation", "preliminary", ["AD"], date(9999, 12, 1)) is None
    tron = {"id": "x", "title": TRON_1E20.title, "market": "EU", "raw": TRON_1E20.raw,
            "published": "2024-01-03"}
    for init in (1e20, -1e20, float("inf")):
        assert analyse(tron | {"raw": {"caseType": "AD", "initDate": init}}, []).trade_remedy


def test_hostile_dates_and_lengths_are_analysed_within_bounds(service: Service) -> None:
    store(service, PAPER_BAGS, YEAR_9999, TRON_1E20, LONG_PRODUCT)

    report = analyse_pending(service)

    assert (report.analysed, report.quarantined) == (4, 0)
    assert notice(service, YEAR_9999.external_id).analysis["deadlines"] == []
    with service.sessions() as session:
        products = session.scalars(select(Case.product).where(Case.product.like("very long%")))
        assert [len(product) for product in products] == [300]
    store(service, replace(LONG_PRODUCT, external_id="2024-01377"))
    analyse_pending(service)
    with service.sessions() as session:  # the same long product is the same case
        assert session.scalar(select(func.count(Case.id)).where(
            Case.product.like("very long%"))) == 1


def test_a_notice_whose_analysis_fails_is_quarantined_and_told_once(service: Service) -> None:
    store(service, BLANK, PAPER_BAGS)

    report = analyse_pending(service)

    assert (report.analysed, report.quarantined) == (1, 1)
    blank = notice(service, BLANK.external_id)
    assert blank.analysed_at is None and blank.analysis_failed_at is not None
    assert (blank.analysis_error or "").startswith("NoticeError: field 'title' is required")
    assert notice(service, PAPER_BAGS.external_id).analysed_at is not None
    assert analyse_pending(service) == AnalyseReport()  # set aside: not retried every cycle
    assert operator_alerts(service) == [("quarantined", "analysis", 1)]
    with service.sessions() as session:
        state = service_status(session, service.settings.zone)
    assert state.quarantined == 1
    [latest] = state.latest_quarantined
    assert (latest.source_id, latest.external_id) == ("us_fr_documents", BLANK.external_id)
    assert latest.error == blank.analysis_error

    store(service, replace(BLANK, title=PAPER_BAGS.title))

    assert analyse_pending(service).analysed == 1  # changed at its source: analysed again
    fixed = notice(service, BLANK.external_id)
    assert (fixed.analysis_error, fixed.analysis_failed_at) == (None, None)
    assert fixed.analysed_at is not None
    assert operator_alerts(service) == [("quarantined", "analysis", 1)]


def test_status_shows_the_quarantined_notices(service: Service) -> None:
    store(service, BLANK)
    analyse_pending(service)

    result = CliRunner().invoke(main, ["status"], env={
        "TREWS_DATA_DIR": str(service.settings.data_dir),
        "TREWS_DATABASE_URL": service.settings.db_url})

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index("quarantined notices: 1 (analysed again when they change)")
    assert lines[at + 1].split()[0] == f"us_fr_documents:{BLANK.external_id}"
    assert "NoticeError: field 'title' is required" in lines[at + 1]


def test_run_once_still_mails_the_other_notices(service: Service) -> None:
    import_subscribers(service.sessions, CONFIG_DIR / "subscribers.example.csv",
                       {sector.id for sector in service.sectors})
    store(service, BLANK, PAPER_BAGS)

    async def once() -> int:
        async with MailCapture() as capture:
            transport = SmtpTransport(host="127.0.0.1", port=capture.port, timeout=10)
            _crawls, report, sent = await run_cycle(service, [], transport)
            assert report.quarantined == 1
            return sent.sent

    assert asyncio.run(once()) > 0


@pytest.mark.parametrize(("language", "subject", "heading"), [
    ("vi", "[TREWS][THÔNG BÁO BỊ CÁCH LY] analysis",
     "2 thông báo không phân tích được và đã được cách ly"),
    ("en", "[TREWS][NOTICES QUARANTINED] analysis",
     "2 notices could not be analysed and are set aside (quarantined)"),
])
def test_the_quarantine_mail_in_both_languages(language: str, subject: str, heading: str
                                               ) -> None:
    errors = "us_fr_documents:2024-00000: NoticeError: <b>title</b>"
    ctx = OperatorContext(
        alert_id=5, kind="quarantined", source_id=None, authority=None, reason=errors,
        changed_at=datetime(2026, 11, 25, 1, 0, tzinfo=UTC), last_success_at=None,
        recipient_email="ops@example.com", language=language, job_id="analysis", count=2)
    message = message_from_bytes(render_operator_alert(ctx, "t@x.invalid").as_bytes(),
                                 policy=policy.default)
    assert str(message["Subject"]) == subject
    plain = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert heading in plain and heading in html
    assert errors in plain and "&lt;b&gt;title&lt;/b&gt;" in html
    assert "trews status" in plain
