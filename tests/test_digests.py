"""Digests: periods in the reader's zone, one row per (subscriber, kind, period) whatever the
number of runs, rendered mails (both parts, both languages, escaping, List-* headers, signed
links), and the weekly association digest on the recorded Federal Register data."""

import asyncio
import email
import email.policy
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.deliveries import render_delivery
from alerts.digest_periods import (
    due_periods,
    period_containing,
    period_from_key,
    period_text,
    queue_due_digests,
)
from alerts.digests import render_digests
from alerts.file_outbox import FileOutbox
from alerts.subscribers import import_subscribers
from alerts.tokens import TokenForged, read_token, token_from_url
from cli import main
from config import Settings
from demo import replayed_sources_file
from replay import ReplayServer
from scheduler import Service, run_cycle
from storage.database import transaction
from storage.models import Case, Delivery, Match, Notice, Source, Subscriber, Subscription
from tests.mail_html import rules_left_in_style

SECRET = "digest-test-secret"
HOSTILE = 'Bags <script>alert(1)</script> & "quotes" From the Socialist Republic of Vietnam'
SECTOR_NAMES = {"paper": {"en": "paper", "vi": "giấy"}, "steel": {"en": "iron and steel",
                                                                  "vi": "sắt thép"}}
# Monday 23 November 2026, 07:00 in Hanoi is 00:00 UTC: the weekly digest of 2026-W47 is due.
DUE = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
# Subscribed on Monday 16 November in Hanoi (the start of 2026-W47): no older period is owed.
SUBSCRIBED = datetime(2026, 11, 15, 18, 0, tzinfo=UTC)
IN_W47 = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)


def parse(msg: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def body(msg: EmailMessage, kind: str) -> str:
    part = msg.get_body((kind,))
    assert part is not None
    return str(part.get_content())


# Periods -------------------------------------------------------------------------------------

def test_periods_in_the_readers_zone() -> None:
    week = period_containing("weekly", date(2026, 11, 18), "Asia/Ho_Chi_Minh")
    assert (week.key, week.first, week.last) == ("2026-W47", date(2026, 11, 16),
                                                 date(2026, 11, 22))
    assert week.start == datetime(2026, 11, 15, 17, 0, tzinfo=UTC)  # Monday 00:00 in Hanoi
    assert week.due_at() == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # next Monday 07:00
    assert period_from_key("weekly", "2026-W47", "Asia/Ho_Chi_Minh") == week
    day = period_from_key("daily", "2026-11-23", "Europe/Berlin")
    assert day.start == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
    assert period_text(week, "vi") == "16–22/11/2026"
    assert period_text(week, "en") == "16–22 Nov 2026"
    across = period_from_key("weekly", "2026-W49", "UTC")
    assert period_text(across, "vi") == "30/11–06/12/2026"
    assert period_text(across, "en") == "30 Nov – 6 Dec 2026"


def test_a_digest_is_due_at_seven_on_monday_local_time() -> None:
    monday_7_hanoi = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    before = monday_7_hanoi - timedelta(minutes=1)
    assert [p.key for p in due_periods("weekly", monday_7_hanoi, "Asia/Ho_Chi_Minh")][-1] == \
        "2026-W47"
    assert "2026-W47" not in [p.key for p in due_periods("weekly", before, "Asia/Ho_Chi_Minh")]
    # The same instant is still Sunday evening in Berlin: its week has not been sent yet.
    assert "2026-W47" not in [p.key for p in due_periods("weekly", monday_7_hanoi,
                                                          "Europe/Berlin")]
    days = due_periods("daily", datetime(2026, 11, 24, 1, 0, tzinfo=UTC), "Asia/Ho_Chi_Minh")
    assert [p.key for p in days] == ["2026-11-21", "2026-11-22", "2026-11-23"]


# Queueing ------------------------------------------------------------------------------------

def add_subscriber(session: Session, email_address: str, *, frequency: str = "weekly",
                   kind: str = "exporter", language: str = "vi", confirmed: bool = True,
                   when_empty: bool = False, sectors: tuple[str, ...] = ("paper",)) -> Subscriber:
    subscriber = Subscriber(email=email_address, name="Nguyễn Thị Lan", kind=kind,
                            language=language, confirmed=confirmed,
                            created_at=SUBSCRIBED)
    subscriber.subscriptions.append(Subscription(sectors=list(sectors), frequency=frequency,
                                                 digest_when_empty=when_empty))
    session.add(subscriber)
    session.flush()
    return subscriber


def add_notice(session: Session, number: str, title: str, at: datetime,
               **analysis: object) -> Notice:
    if session.get(Source, "us_fr_documents") is None:
        session.add(Source(id="us_fr_documents", market="US", authority="Federal Register",
                           kind="api", url="https://www.federalregister.gov/api/v1"))
        session.flush()
    full = {"trade_remedy": True, "market": "US", "vietnam": "subject", "countries": ["VN"],
            "measures": ["AD"], "proceeding": "investigation", "stage": "initiation",
            "new_case": True, "case_numbers": [], "hs_codes": [], "sectors": ["paper"],
            "deadlines": [{"kind": "q_and_v", "date": "2026-12-02"}], "severity": "high",
            "reasons": ["Vietnam is a named origin"]} | analysis
    notice = Notice(source_id="us_fr_documents", external_id=number, market="US",
                    url=f"https://www.federalregister.gov/d/{number}", title=title,
                    published=at.date(), raw={}, content_hash=number, fetched_at=at,
                    analysis=full, trade_remedy=True, vietnam="subject", severity="high")
    session.add(notice)
    session.flush()
    return notice


def match(session: Session, notice: Notice, subscriber: Subscriber, at: datetime,
          severity: str = "high") -> None:
    session.add(Match(notice_id=notice.id, subscription_id=subscriber.subscriptions[0].id,
                      severity=severity, reasons=["sector paper"], created_at=at))


def digest_rows(sessions: sessionmaker[Session]) -> list[tuple[str, str, str, str | None]]:
    with sessions() as session:
        return sorted((s.email, d.kind, d.status, d.period) for d, s in session.execute(
            select(Delivery, Subscriber).join(Subscriber, Subscriber.id == Delivery.subscriber_id)
            .where(Delivery.kind.in_(["daily", "weekly"]))))


def test_digest_rows_once_per_period_across_runs(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        lan = add_subscriber(session, "lan@example.vn")
        add_subscriber(session, "quiet@example.vn")
        add_subscriber(session, "wants-a-line@example.vn", when_empty=True)
        add_subscriber(session, "unconfirmed@example.vn", confirmed=False)
        bags = add_notice(session, "2026-25001", "Paper Shopping Bags From Vietnam", IN_W47)
        match(session, bags, lan, IN_W47)
    with transaction(sessions) as session:
        assert queue_due_digests(session, DUE - timedelta(minutes=1)) == 0
    assert digest_rows(sessions) == []
    with transaction(sessions) as session:
        assert queue_due_digests(session, DUE) == 2
    for late in (DUE, DUE + timedelta(hours=5), DUE + timedelta(days=3)):
        with transaction(sessions) as session:  # repeated, late, after a restart: no more rows
            assert queue_due_digests(session, late) == 0
    w47 = [row for row in digest_rows(sessions) if row[3] == "2026-W47"]
    assert w47 == [("lan@example.vn", "weekly", "queued", "2026-W47"),
                   ("quiet@example.vn", "weekly", "skipped", "2026-W47"),
                   ("wants-a-line@example.vn", "weekly", "queued", "2026-W47")]


def test_associations_get_the_weekly_and_the_ministry_the_daily(
        sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        steel = add_subscriber(session, "thep@example.vn", frequency="immediate",
                               kind="association", sectors=("steel",))
        ministry = add_subscriber(session, "bo@example.vn", frequency="immediate",
                                  kind="ministry", sectors=())
        sunday = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)  # in 2026-W47 and 2026-11-22
        pipes = add_notice(session, "2026-25002", "Welded Pipe From Thailand: Final Results",
                           sunday, sectors=["steel"], vietnam="none", new_case=False,
                           severity="low", countries=["TH"], stage="results",
                           proceeding="administrative_review")
        assert steel.id and ministry.id and pipes.id  # no match: too minor for an alert
    with transaction(sessions) as session:
        assert queue_due_digests(session, DUE) == 2
    queued = {(row[0], row[1]) for row in digest_rows(sessions) if row[2] == "queued"}
    assert queued == {("thep@example.vn", "weekly"), ("bo@example.vn", "daily")}


# Rendering -----------------------------------------------------------------------------------

@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", secret_key=SECRET,  # type: ignore[arg-type]
                    list_id="alerts.trews.example.vn")


@pytest.mark.parametrize(("language", "expected"), [
    ("vi", ["[TREWS] Bản tin tuần 16–22/11/2026: 1 vụ việc mới, 1 diễn biến",
            "Chống bán phá giá", "Khởi xướng điều tra", "Hủy đăng ký"]),
    ("en", ["[TREWS] Weekly digest 16–22 Nov 2026: 1 new case, 1 development",
            "Anti-dumping", "Initiation of investigation", "Unsubscribe with one click"]),
])
def test_weekly_digest_mail(sessions: sessionmaker[Session], settings: Settings, language: str,
                            expected: list[str]) -> None:
    with transaction(sessions) as session:
        lan = add_subscriber(session, "lan@example.vn", language=language)
        hostile = add_notice(session, "2026-25003", HOSTILE, IN_W47)
        review = add_notice(session, "2026-25004", "Paper Plates From Vietnam: Final Results",
                            IN_W47 + timedelta(days=1), new_case=False, stage="final",
                            severity="medium")
        match(session, hostile, lan, IN_W47)
        match(session, review, lan, IN_W47, severity="medium")
        queue_due_digests(session, DUE)
        delivery = session.scalars(select(Delivery).where(Delivery.kind == "weekly")).one()
        msg = parse(render_delivery(session, delivery, settings=settings,
                                    sector_names=SECTOR_NAMES, source_names={}))
        lan_id = lan.id
    text, html = body(msg, "plain"), body(msg, "html")
    assert msg["Subject"] == expected[0]
    for words in expected[1:]:
        assert words in text and words in html
    assert msg["Message-ID"] == f"<digest-{delivery.id}@trews.invalid>"
    assert msg["Date"] is not None and msg["Content-Language"] == language
    assert msg["List-Id"] == "TREWS <alerts.trews.example.vn>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = str(msg["List-Unsubscribe"]).strip().strip("<>")
    assert unsubscribe_url.startswith("http://127.0.0.1:8000/unsubscribe/")
    token = token_from_url(unsubscribe_url)
    assert read_token(token, "unsubscribe", secret=SECRET) == lan_id
    with pytest.raises(TokenForged):
        read_token(token[:-4] + "AAAA", "unsubscribe", secret=SECRET)
    assert unsubscribe_url in text and unsubscribe_url in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" in text  # plain text shows the title as written
    assert rules_left_in_style(html) == "" and 'style="' in html  # css-inline did its work
    assert text.index("2026-25003") < text.index("2026-25004")  # most severe first


def test_empty_digest_line_when_asked(sessions: sessionmaker[Session],
                                      settings: Settings) -> None:
    with transaction(sessions) as session:
        add_subscriber(session, "line@example.vn", language="en", when_empty=True)
        queue_due_digests(session, DUE)
        delivery = session.scalars(select(Delivery)).one()
        msg = render_delivery(session, delivery, settings=settings, sector_names=SECTOR_NAMES,
                              source_names={})
    assert msg["Subject"] == "[TREWS] Weekly digest 16–22 Nov 2026: nothing new"
    assert "No new trade remedy notice matched" in body(msg, "plain")


# The recorded data: a steel association's week ---------------------------------------------

# The steel association's row of config/subscribers.example.csv.
STEEL_CSV = ("email,name,organisation,kind,language,sectors,frequency,min_severity\n"
             "hiephoi.thep@example.com,Lê Văn Hùng,Hiệp hội Thép Việt Nam (ví dụ),association,"
             "vi,steel;aluminium,immediate,medium\n")


@pytest.fixture(scope="module")
def recorded_week(tmp_path_factory: pytest.TempPathFactory) -> tuple[Service, Path]:
    """One cycle over the recorded FR page (2-17 January 2024) with the steel association of
    the example subscribers; then every notice is dated as if the service had run live that
    fortnight (found on its publication day, 14:00 UTC, after the FR's 8:45 ET release)."""
    tmp = tmp_path_factory.mktemp("digest")
    settings = Settings(data_dir=tmp / "var", secret_key=SECRET)  # type: ignore[arg-type]
    (tmp / "steel.csv").write_text(STEEL_CSV, encoding="utf-8")

    async def go() -> Service:
        async with ReplayServer(lifetime_s=300) as replay:
            service = Service.load(settings.model_copy(update={
                "sources_file": replayed_sources_file(settings, replay.base_url,
                                                      tmp / "sources.yaml")}))
            import_subscribers(service.sessions, tmp / "steel.csv",
                               {sector.id for sector in service.sectors}, confirmed=True)
            crawls, _report, _sent = await run_cycle(service, ["us_fr_documents"],
                                                     FileOutbox(tmp / "outbox"))
            assert all(result.ok for result in crawls)
            return service

    service = asyncio.run(go())
    with transaction(service.sessions) as session:
        for notice in session.scalars(select(Notice).where(Notice.published.is_not(None))):
            assert notice.published is not None
            notice.fetched_at = datetime.combine(notice.published, time(14), tzinfo=UTC)
        for subscriber in session.scalars(select(Subscriber)):
            subscriber.created_at = datetime(2024, 1, 1, tzinfo=UTC)
    return service, tmp


def test_association_digest_of_a_recorded_week(recorded_week: tuple[Service, Path]) -> None:
    service, _tmp = recorded_week
    with service.sessions() as session:
        messages = render_digests(
            session, settings=service.settings, sector_names=service.sector_names,
            source_names={k: s.authority for k, s in service.sources.items()},
            kind="weekly", email="hiephoi.thep@example.com", period_key="2024-W02")
    assert len(messages) == 1
    msg = parse(messages[0])
    text, html = body(msg, "plain"), body(msg, "html")
    assert str(msg["Subject"]).startswith("[TREWS] Bản tin tuần 08–14/01/2024: ")
    # The week moved only cases on other origins: the summary says so, then one line each
    # (a risk of trade diversion), the step of the week marked new, and the clock's next step.
    assert "Vụ việc mới đối với hàng hóa Việt Nam: không có trong kỳ này" in text
    assert "VỤ VIỆC ĐỐI VỚI XUẤT XỨ KHÁC: NGUY CƠ CHUYỂN HƯỚNG THƯƠNG MẠI" in text
    assert "<h2>Vụ việc đối với xuất xứ khác" not in html and "Vụ việc đối với xuất xứ" in html
    assert text.count("- Tin mill product") >= 5
    assert "Kết luận cuối cùng (mới)" in text and "Lệnh áp thuế trước ngày" in text
    assert "Theo thị trường" in text and "- Hoa Kỳ: 0 / 0 / " in text
    # Each case leads to its page on the web front end, in the reader's language.
    with service.sessions() as session:
        tin_mill = session.scalars(select(Case.id).where(Case.product.like("Tin mill%"))).all()
    site = service.settings.public_url.rstrip("/")
    assert len(tin_mill) >= 5
    for case_id in tin_mill:
        assert f"Theo dõi vụ việc trên TREWS: {site}/cases/{case_id}?lang=vi" in text
        assert f'href="{site}/cases/{case_id}?lang=vi"' in html
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_queue_and_dry_run_on_the_recorded_week(recorded_week: tuple[Service, Path],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    service, tmp = recorded_week
    monday = datetime(2024, 1, 15, 1, 0, tzinfo=UTC)  # 08:00 in Hanoi
    with service.sessions() as session:
        due = render_digests(session, monday, settings=service.settings,
                             sector_names=service.sector_names, source_names={})
    assert [str(m["To"]) for m in due] == ["Lê Văn Hùng <hiephoi.thep@example.com>"] * 2
    with transaction(service.sessions) as session:
        assert queue_due_digests(session, monday) == 2  # weeks 1 and 2 of January 2024
    with transaction(service.sessions) as session:
        assert queue_due_digests(session, monday) == 0
    monkeypatch.setenv("TREWS_DATA_DIR", str(service.settings.data_dir))
    monkeypatch.setenv("TREWS_SOURCES_FILE", str(tmp / "sources.yaml"))
    monkeypatch.setenv("TREWS_SECRET_KEY", SECRET)
    result = CliRunner().invoke(main, ["digest", "--dry-run", "--kind", "weekly", "--period",
                                       "2024-W02", "--subscriber", "hiephoi.thep@example.com"])
    assert result.exit_code == 0, result.output
    assert "Subject: [TREWS] Bản tin tuần 08–14/01/2024" in result.output
    assert "1 digest(s) would be sent" in result.output
