"""Storage on both real databases: notices stored once, changes detected, times kept in UTC."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from alembic import command
from sqlalchemy import Text, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.database import make_engine, transaction
from storage.migrate import alembic_config, upgrade
from storage.models import Notice, Source
from storage.notices import NoticeRecord, StoreOutcome, notices_to_analyse, store_notice


def record(**changes: object) -> NoticeRecord:
    base = dict(
        source_id="us_fr_documents", external_id="2023-28945", market="US",
        url="https://www.federalregister.gov/documents/2024/01/03/2023-28945/x",
        title="Certain Paper Shopping Bags From the Socialist Republic of Vietnam",
        published=date(2024, 1, 3), body="Commerce preliminarily determines ...",
        raw={"docket_ids": ["A-552-836"]},
    )
    return NoticeRecord(**(base | changes))  # type: ignore[arg-type]


@pytest.fixture
def sessions(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """The migrated database with the Federal Register source the notices come from."""
    with transaction(sessions) as session:
        session.add(Source(id="us_fr_documents", market="US", authority="FR", kind="api",
                           url="https://www.federalregister.gov/api/v1/"))
    return sessions


def count(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count(Notice.id)))


def test_migrations_create_every_table_and_run_twice(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"source", "crawl_run", "notice", "subscriber", "subscription", "match",
            "delivery", "alembic_version"} <= tables
    engine.dispose()


def test_migration_0010_goes_down_and_up(database_url: str) -> None:
    """Guid and URL become text and notices gain their quarantine; the downgrade restores the
    bounded columns."""
    engine = make_engine(database_url)
    upgrade(engine)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
    columns = {column["name"]: column for column in inspect(engine).get_columns("notice")}
    assert "analysis_error" not in columns and columns["external_id"]["type"].length == 200
    upgrade(engine)
    columns = {column["name"]: column for column in inspect(engine).get_columns("notice")}
    assert {"analysis_error", "analysis_failed_at"} <= set(columns)
    assert isinstance(columns["external_id"]["type"], Text)
    assert isinstance(columns["url"]["type"], Text)
    engine.dispose()


def test_migration_0011_goes_down_and_up(database_url: str) -> None:
    """Users gain their session generation (0 for those already there), and lose it again."""
    engine = make_engine(database_url)
    upgrade(engine)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0010")
    assert "session_generation" not in {c["name"] for c in inspect(engine).get_columns("users")}
    upgrade(engine)
    columns = {c["name"]: c for c in inspect(engine).get_columns("users")}
    assert not columns["session_generation"]["nullable"]
    engine.dispose()


def test_storing_twice_stores_once(sessions) -> None:
    with transaction(sessions) as session:
        assert store_notice(session, record()) is StoreOutcome.NEW
    with transaction(sessions) as session:
        assert store_notice(session, record()) is StoreOutcome.UNCHANGED
    assert count(sessions) == 1


def test_changed_content_updates_and_queues_reanalysis(sessions) -> None:
    with transaction(sessions) as session:
        store_notice(session, record())
    with transaction(sessions) as session:
        notice = notices_to_analyse(session)[0]
        notice.analysed_at = datetime.now(UTC)
    with transaction(sessions) as session:
        outcome = store_notice(session, record(title="Certain Paper Shopping Bags; Correction"))
    assert outcome is StoreOutcome.UPDATED
    with sessions() as session:
        notice = session.scalars(select(Notice)).one()
        assert notice.title.endswith("Correction")
        assert notice.analysed_at is None
        assert notice.updated_at is not None
    assert count(sessions) == 1


def test_same_external_id_of_another_source_is_another_notice(sessions) -> None:
    with transaction(sessions) as session:
        session.add(Source(id="us_fr_public_inspection", market="US", authority="FR",
                           kind="api", url="https://www.federalregister.gov/api/v1/"))
    with transaction(sessions) as session:
        store_notice(session, record())
        store_notice(session, record(source_id="us_fr_public_inspection"))
    assert count(sessions) == 2


def test_database_refuses_a_duplicate_notice(sessions) -> None:
    with transaction(sessions) as session:
        store_notice(session, record())
    row = record()
    with pytest.raises(IntegrityError), transaction(sessions) as session:
        session.add(Notice(source_id=row.source_id, external_id=row.external_id, market="US",
                           url=row.url, title=row.title, raw={}, content_hash="x"))
    assert count(sessions) == 1


def test_times_come_back_as_utc(sessions) -> None:
    hanoi = timezone(timedelta(hours=7))
    fetched = datetime(2024, 1, 3, 9, 30, tzinfo=hanoi)
    with transaction(sessions) as session:
        store_notice(session, record())
        session.flush()
        session.scalars(select(Notice)).one().fetched_at = fetched
    with sessions() as session:
        stored = session.scalars(select(Notice)).one().fetched_at
    assert stored == fetched
    assert stored.utcoffset() == timedelta(0)


def test_naive_times_are_refused(sessions) -> None:
    with pytest.raises(Exception, match="naive datetime"), transaction(sessions) as session:
        store_notice(session, record())
        session.flush()
        session.scalars(select(Notice)).one().fetched_at = datetime(2024, 1, 3, 9, 30)
