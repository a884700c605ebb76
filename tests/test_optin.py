"""Double opt-in, signed links and one-click unsubscribe, on real SQLite and PostgreSQL."""

import email
import email.policy
import stat
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.deliveries import render_delivery, subscriber_links
from alerts.optin import (
    ConfirmationContext,
    build_confirmation_view,
    confirm,
    subscribe,
    unsubscribe,
)
from alerts.subscribers import import_subscribers
from alerts.tokens import (
    TokenExpired,
    TokenForged,
    TokenWrongPurpose,
    make_token,
    read_token,
    secret_key,
    token_from_url,
)
from cli import main
from config import Settings
from config.settings import CONFIG_DIR
from storage.database import make_engine, session_factory, transaction
from storage.models import Delivery, Subscriber
from storage.subscribers import SubscriberRecord, active_subscriptions
from tests.mail_html import rules_left_in_style

SECRET = "test-secret-for-links"
SECTORS = {"shrimp", "seafood_other", "paper", "steel", "aluminium", "wood_furniture",
           "mattresses"}
EXAMPLE = CONFIG_DIR / "subscribers.example.csv"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", secret_key=SECRET,  # type: ignore[arg-type]
                    public_url="https://trews.example.vn/")


def record(email_address: str = "lan@example.vn", language: str = "vi") -> SubscriberRecord:
    return SubscriberRecord(email=email_address, name="Nguyễn Thị Lan", organisation=None,
                            kind="exporter", language=language, sectors=("shrimp",),
                            frequency="weekly")


def parse(msg: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


# Tokens --------------------------------------------------------------------------------------

def test_token_gives_the_subscriber_back_for_its_purpose_only() -> None:
    token = make_token(42, "unsubscribe", secret=SECRET)
    assert read_token(token, "unsubscribe", secret=SECRET) == 42
    with pytest.raises(TokenWrongPurpose) as wrong:
        read_token(token, "manage", secret=SECRET)
    assert wrong.value.reason == "wrong purpose"
    with pytest.raises(TokenExpired):
        read_token(token, "unsubscribe", max_age=-1, secret=SECRET)


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # altered signature
    lambda t: make_token(43, "unsubscribe", secret="another-secret"),  # someone else's key
    lambda t: "not-a-token",
    lambda t: t.replace(t.split(".")[0], "NDM", 1),  # another subscriber's id, same signature
])
def test_forged_tokens_are_refused(tamper) -> None:
    token = make_token(42, "unsubscribe", secret=SECRET)
    with pytest.raises(TokenForged) as refused:
        read_token(tamper(token), "unsubscribe", secret=SECRET)
    assert refused.value.reason == "forged"


def test_secret_key_is_generated_once_with_0600(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    first = secret_key(settings)
    path = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key(settings) == first and len(first) >= 40
    assert secret_key(Settings(data_dir=tmp_path / "var", secret_key="x" * 32)) == "x" * 32  # type: ignore[arg-type]


# Opt-in --------------------------------------------------------------------------------------

def test_import_without_confirmed_sends_only_a_confirmation(
        sessions: sessionmaker[Session]) -> None:
    assert import_subscribers(sessions, EXAMPLE, SECTORS, confirmed=False).rejected == []
    assert import_subscribers(sessions, EXAMPLE, SECTORS, confirmed=False).rejected == []  # again
    with sessions() as session:
        subscribers = list(session.scalars(select(Subscriber)))
        owed = list(session.scalars(select(Delivery)))
        assert active_subscriptions(session) == []
    assert len(subscribers) == 7 and not any(s.confirmed for s in subscribers)
    assert sorted((d.kind, d.period, d.subscriber_id) for d in owed) == sorted(
        ("confirmation", "once", s.id) for s in subscribers)


def test_import_confirmed_skips_the_confirmation(sessions: sessionmaker[Session]) -> None:
    import_subscribers(sessions, EXAMPLE, SECTORS, confirmed=True)
    with sessions() as session:
        assert len(active_subscriptions(session)) == 7
        assert list(session.scalars(select(Delivery))) == []


def test_confirm_link_activates_the_subscriber(sessions: sessionmaker[Session],
                                               settings: Settings) -> None:
    with transaction(sessions) as session:
        subscriber_id = subscribe(session, record()).id
    link = subscriber_links(settings, subscriber_id).confirm
    assert link.startswith("https://trews.example.vn/confirm/")
    with transaction(sessions) as session, pytest.raises(TokenWrongPurpose):
        confirm(session, make_token(subscriber_id, "unsubscribe", secret=SECRET), secret=SECRET)
    with transaction(sessions) as session:
        confirm(session, token_from_url(link), secret=SECRET)
    with sessions() as session:
        assert [s.subscriber_id for s in active_subscriptions(session)] == [subscriber_id]


def test_unsubscribe_is_immediate_and_cancels_queued_mail(sessions: sessionmaker[Session],
                                                         settings: Settings) -> None:
    import_subscribers(sessions, EXAMPLE, SECTORS, confirmed=True)
    with transaction(sessions) as session:
        lan = session.scalars(select(Subscriber).where(
            Subscriber.email == "thuysan@example.com")).one()
        session.add_all([Delivery(subscriber_id=lan.id, kind="weekly", period="2026-W47"),
                         Delivery(subscriber_id=lan.id, kind="daily", period="2026-11-20",
                                  status="sent")])
        lan_id = lan.id
    token = token_from_url(subscriber_links(settings, lan_id).unsubscribe)
    with transaction(sessions) as session, pytest.raises(TokenForged):
        unsubscribe(session, token[:-3] + "xyz", secret=SECRET)
    for _twice in range(2):
        with transaction(sessions) as session:
            assert unsubscribe(session, token, secret=SECRET).id == lan_id
    with sessions() as session:
        statuses = {period: status for period, status in session.execute(
            select(Delivery.period, Delivery.status).where(Delivery.subscriber_id == lan_id))}
        active = {s.subscriber_id for s in active_subscriptions(session)}
        gone = session.get(Subscriber, lan_id)
        assert gone is not None and gone.unsubscribed_at is not None
    assert statuses == {"2026-W47": "cancelled", "2026-11-20": "sent"}
    assert lan_id not in active and len(active) == 6
    # A re-import by the operator does not override the subscriber's own unsubscribe.
    import_subscribers(sessions, EXAMPLE, SECTORS, confirmed=True)
    with sessions() as session:
        assert lan_id not in {s.subscriber_id for s in active_subscriptions(session)}


@pytest.mark.parametrize(("language", "words"), [
    ("vi", ["Xác nhận đăng ký", "bản tin tuần", "Tôm", "Thị trường: tất cả các thị trường"]),
    ("en", ["Confirm my subscription", "weekly digest", "shrimp", "Markets: all markets"]),
])
def test_confirmation_mail(sessions: sessionmaker[Session], settings: Settings, language: str,
                           words: list[str]) -> None:
    sector_names = {"shrimp": {"en": "shrimp", "vi": "Tôm"}}
    with transaction(sessions) as session:
        subscriber = subscribe(session, record(language=language))
        delivery = session.scalars(select(Delivery).where(
            Delivery.subscriber_id == subscriber.id)).one()
        msg = parse(render_delivery(session, delivery, settings=settings,
                                    sector_names=sector_names, source_names={}))
    assert msg["Message-ID"] == f"<confirm-{delivery.id}@trews.invalid>"
    assert msg["List-Id"] == "TREWS <alerts.trews.invalid>" and msg["Date"] is not None
    assert msg["List-Unsubscribe"] is None  # nothing to unsubscribe from yet
    assert msg["Content-Language"] == language
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    for word in words:
        assert word in text + str(msg["Subject"])
    link = next(line for line in text.splitlines() if "/confirm/" in line).strip()
    assert f'href="{link}"' in html and "style=" in html and rules_left_in_style(html) == ""
    assert read_token(token_from_url(link), "confirm", secret=SECRET) == subscriber.id


def test_cli_import_asks_for_confirmation_unless_confirmed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREWS_DATA_DIR", str(tmp_path / "var"))
    runner = CliRunner()
    result = runner.invoke(main, ["subscribers", "import", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "7 row(s) read, 7 imported, 0 rejected" in result.output
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'trews.db'}")
    with session_factory(engine)() as session:
        assert active_subscriptions(session) == []
        assert len(list(session.scalars(select(Delivery)))) == 7
    result = runner.invoke(main, ["subscribers", "import", "--confirmed", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    with session_factory(engine)() as session:
        assert len(active_subscriptions(session)) == 7
    engine.dispose()


def test_the_confirmation_says_sectors_codes_keywords_and_markets_apart() -> None:
    """An HS code is not a sector, and the markets chosen are part of what is confirmed."""
    view = build_confirmation_view(ConfirmationContext(
        delivery_id=1, recipient_email="lan@example.vn", recipient_name=None, language="vi",
        confirm_url="https://trews.example.vn/confirm/x", sectors=("Tôm",), frequency="daily",
        hs_codes=("030617",), keywords=("tôm thẻ",), markets=("US", "AU")))
    assert (view.sectors, view.hs_codes, view.keywords) == ("Tôm", "0306.17", "tôm thẻ")
    assert view.markets == "Hoa Kỳ, Úc"


def test_the_confirmation_greets_by_the_subscribers_kind() -> None:
    view = build_confirmation_view(ConfirmationContext(
        delivery_id=1, recipient_email="vp@hiephoi.example.vn", recipient_name=None,
        language="vi", confirm_url="https://trews.example.vn/confirm/x", sectors=("Tôm",),
        frequency="weekly", recipient_kind="association"))
    assert view.greeting == "Kính gửi Quý Hiệp hội,"
