"""The risk watch's opt-in warning (SQLite file and PostgreSQL): one warning when a watched
heading enters the top 20, none while it stays, none after it leaves, a new one when it comes
back; none without the opt-in, for another market or after an unsubscribe. The mail says it is
a forecast, in the subscriber's language; the opt-in comes from the CSV import and the form."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.deliveries import render_delivery
from alerts.message import KIND_HEADER
from alerts.subscribers import import_subscribers
from storage.database import make_engine, transaction
from storage.migrate import alembic_config, upgrade
from storage.models import Delivery, Subscriber, Subscription
from storage.risk_models import RiskRun, RiskScore, RiskWatch
from storage.risk_watch import queue_risk_warnings
from tests.test_digests import body, parse
from web.subscription_form import SubscriptionForm

SECTOR_HS = {"steel": ["72", "73"], "shrimp": ["030616", "160521"]}
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
REASON = {"feature": "orders_in_force", "count": 2.0, "weight": 0.4, "cases": [
    {"market": "US", "origin": "CN", "measure": "AD", "product": "Steel Wire Garment Hangers",
     "number": "A-570-918", "ref": "A-570-918", "opened": "2007-07-31",
     "ordered": "2008-10-06", "targets": []}]}


def _run(sessions: sessionmaker[Session], day: int, ranks: dict[str, int]) -> None:
    with transaction(sessions) as session:
        run = RiskRun(as_of=date(2026, 11, day), horizon_months=24, history_cases=2000,
                      history_end=date(2026, 11, day), model={}, track={})
        run.scores = [RiskScore(market="US", heading=h, rank=r, score=1 / r, counts={},
                                reasons=[REASON]) for h, r in ranks.items()]
        session.add(run)


def _subscriber(session: Session, email: str, *, opted: bool, language: str = "vi",
                markets: list[str] | None = None, **watch: list[str]) -> None:
    subscriber = Subscriber(email=email, name="Công ty Móc áo", language=language,
                            confirmed=True)
    subscriber.subscriptions.append(Subscription(
        sectors=watch.get("sectors", []), hs_codes=watch.get("hs_codes", []),
        markets=markets or [], risk_warnings=opted))
    session.add(subscriber)


def _queue(sessions: sessionmaker[Session], step: int = 0) -> int:
    with transaction(sessions) as session:
        return queue_risk_warnings(session, SECTOR_HS, NOW + timedelta(days=step))


def _warnings(sessions: sessionmaker[Session], email: str) -> list[Delivery]:
    with sessions() as session:
        return list(session.scalars(
            select(Delivery).join(Subscriber, Subscriber.id == Delivery.subscriber_id)
            .where(Subscriber.email == email, Delivery.kind == "risk").order_by(Delivery.id)))


def test_one_warning_per_entry_into_the_top_20(sessions):
    with transaction(sessions) as session:
        _subscriber(session, "hangers@example.vn", opted=True, hs_codes=["732620"])
        _subscriber(session, "steel@example.vn", opted=True, language="en", sectors=["steel"])
        _subscriber(session, "quiet@example.vn", opted=False, hs_codes=["7326"])
        _subscriber(session, "eu@example.vn", opted=True, markets=["EU"], hs_codes=["7326"])
        _subscriber(session, "shrimp@example.vn", opted=True, sectors=["shrimp"])
    assert _queue(sessions) == 0  # no list yet
    _run(sessions, 1, {"7326": 5, "0306": 40})
    assert _queue(sessions) == 2  # hangers' exporter, the steel association
    assert _queue(sessions) == 0  # the same list again: nothing new
    _run(sessions, 2, {"7326": 15, "0306": 30})
    assert _queue(sessions, 1) == 0  # still in the top 20
    _run(sessions, 3, {"7326": 40, "0306": 25})
    assert _queue(sessions, 2) == 0  # left the top
    with sessions() as session:
        watch = session.scalars(select(RiskWatch).join(
            Subscriber, Subscriber.id == RiskWatch.subscriber_id)
            .where(Subscriber.email == "hangers@example.vn")).one()
        assert not watch.in_top and watch.left_at is not None and watch.entries == 1
    _run(sessions, 4, {"7326": 3, "0306": 20})
    assert _queue(sessions, 3) == 3  # back: a second warning each; shrimp's heading enters
    first, second = _warnings(sessions, "hangers@example.vn")
    assert first.period != second.period and second.period.startswith("r")
    assert len(_warnings(sessions, "steel@example.vn")) == 2
    assert len(_warnings(sessions, "shrimp@example.vn")) == 1  # 0306 covers 030616
    assert _warnings(sessions, "quiet@example.vn") == []  # not opted in
    assert _warnings(sessions, "eu@example.vn") == []  # watches another market
    with transaction(sessions) as session:
        gone = session.scalars(select(Subscriber).where(
            Subscriber.email == "hangers@example.vn")).one()
        gone.unsubscribed_at = NOW
    _run(sessions, 5, {"7326": 50})
    _run(sessions, 6, {"7326": 1})
    _queue(sessions, 4)
    _queue(sessions, 5)
    assert len(_warnings(sessions, "hangers@example.vn")) == 2  # none after unsubscribing


def test_the_warning_says_it_is_a_forecast_with_its_reasons(sessions, settings):
    with transaction(sessions) as session:
        _subscriber(session, "vi@example.vn", opted=True, hs_codes=["7326"])
        _subscriber(session, "en@example.vn", opted=True, language="en", hs_codes=["73"])
    _run(sessions, 1, {"7326": 4})
    assert _queue(sessions) == 2
    messages = {}
    with sessions() as session:
        for email in ("vi@example.vn", "en@example.vn"):
            (delivery,) = _warnings(sessions, email)
            delivery = session.get(Delivery, delivery.id)
            messages[email] = parse(render_delivery(session, delivery, settings=settings,
                                                    sector_names={}, source_names={}))
    vi = messages["vi@example.vn"]
    assert vi[KIND_HEADER] == "risk" and vi["List-Unsubscribe"]
    assert "[THEO DÕI NGUY CƠ: DỰ BÁO] Nhóm HS 7326" in vi["Subject"]
    text = " ".join(body(vi, "plain").split())
    assert "Dự báo, không phải vụ việc." in text
    assert "đã vào nhóm 20 đứng đầu danh sách nguy cơ tại thị trường Hoa Kỳ, ở vị trí số 4" in text
    assert ("Lệnh áp thuế của Hoa Kỳ đối với Steel Wire Garment Hangers xuất xứ Trung Quốc, "
            "năm 2008 (A-570-918)") in text
    en = messages["en@example.vn"]
    text = " ".join(body(en, "plain").split())
    assert "[RISK WATCH: FORECAST] HS heading 7326" in en["Subject"]
    assert "Forecast, not a case." in text and "at number 4." in text
    assert "/risk?market=US&amp;lang=en" in body(en, "html")


def test_the_opt_in_comes_from_the_csv_and_the_form(sessions, tmp_path: Path):
    csv = tmp_path / "subscribers.csv"
    csv.write_text("email,hs_codes,risk_warnings\na@example.vn,7326,yes\nb@example.vn,7326,\n",
                   encoding="utf-8")
    report = import_subscribers(sessions, csv, {"steel"}, confirmed=True)
    assert report.imported == 2 and not report.rejected
    with sessions() as session:
        opted = {s.subscriber.email: s.risk_warnings
                 for s in session.scalars(select(Subscription))}
        assert opted == {"a@example.vn": True, "b@example.vn": False}
        subscriber = session.scalars(select(Subscriber).where(
            Subscriber.email == "a@example.vn")).one()
        form = SubscriptionForm.from_subscriber(subscriber)
    assert form.risk_warnings
    assert SubscriptionForm.from_form(_FormData(risk_warnings="yes")).risk_warnings
    assert not SubscriptionForm.from_form(_FormData()).risk_warnings


class _FormData(dict):
    """Posted form data as Starlette gives it (get, getlist)."""

    def getlist(self, name: str) -> list[str]:
        return [self[name]] if name in self else []


def test_migration_0015_goes_down_and_up(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0013")
    tables = set(inspect(engine).get_table_names())
    assert not tables & {"risk_run", "risk_score", "risk_watch"}
    assert "risk_warnings" not in {c["name"] for c in inspect(engine).get_columns("subscription")}
    upgrade(engine)
    assert {"risk_run", "risk_score", "risk_watch"} <= set(inspect(engine).get_table_names())
    assert "risk_warnings" in {c["name"] for c in inspect(engine).get_columns("subscription")}
    engine.dispose()


def test_the_services_daily_job_computes_the_list_and_warns_once(settings):
    """scheduler.refresh_risk_watch, as the service's daily "risk" job runs it: a new list from
    the stored history, then the warnings; the next day's identical list warns nobody again."""
    from scheduler import Service, refresh_risk_watch

    service = Service.load(settings)
    with transaction(service.sessions) as session:
        subscriber = Subscriber(email="bo@example.vn", kind="ministry", confirmed=True)
        subscriber.subscriptions.append(Subscription(sectors=[], all_sectors=True,
                                                     risk_warnings=True))
        session.add(subscriber)
    assert refresh_risk_watch(service) == 1  # one mail: every heading of the top 20
    assert refresh_risk_watch(service) == 0
    with service.sessions() as session:
        runs = session.scalars(select(RiskRun)).all()
        assert len(runs) == 2 and runs[0].as_of == runs[1].as_of
        (delivery,) = session.scalars(select(Delivery).where(Delivery.kind == "risk")).all()
        watched = session.scalars(select(RiskWatch)).all()
        assert len(watched) == 20 and {w.delivery_id for w in watched} == {delivery.id}


def test_headings_entering_with_one_run_share_one_warning(sessions, settings):
    """An association watching a sector gets one mail for the headings a run brings into the
    top, each with its rank and reasons; not one mail per heading."""
    with transaction(sessions) as session:
        _subscriber(session, "steel@example.vn", opted=True, sectors=["steel"])
    _run(sessions, 1, {"7326": 4, "7306": 2, "0306": 3})
    assert _queue(sessions) == 1
    (delivery,) = _warnings(sessions, "steel@example.vn")
    with sessions() as session:
        message = parse(render_delivery(session, session.get(Delivery, delivery.id),
                                        settings=settings, sector_names={}, source_names={}))
    assert "[THEO DÕI NGUY CƠ: DỰ BÁO] 2 nhóm HS – Hoa Kỳ" in message["Subject"]
    text = " ".join(body(message, "plain").split())
    first, second = text.index("Nhóm HS 7306"), text.index("Nhóm HS 7326")
    assert first < second and "ở vị trí số 2" in text and "ở vị trí số 4" in text
    assert "0306" not in text
    assert text.count("A-570-918") == 2  # each heading with its reasons
