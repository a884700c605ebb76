"""One service per database, on SQLite (a file lock) and on PostgreSQL (an advisory lock): one
shard layout per database, and every command that crawls or sends holds the same lock."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cli import main
from config import load_settings
from demo import replayed_sources_file
from replay import ReplayServer
from storage.database import make_engine
from storage.instance_lock import AlreadyRunning, service_lock
from storage.shards import Shard
from tests.conftest import fresh_schema

SOURCE = "us_fr_documents"


def test_a_second_service_on_the_same_database_is_refused(database_url: str) -> None:
    first, second = make_engine(database_url), make_engine(database_url)
    with (service_lock(first),
          pytest.raises(AlreadyRunning, match="another TREWS service is running"),
          service_lock(second)):
        pass
    with service_lock(second):  # released when the first service stops
        pass
    first.dispose()
    second.dispose()


def test_a_symlink_to_the_sqlite_file_is_the_same_database(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "trews.db").touch()
    (tmp_path / "elsewhere.db").symlink_to(tmp_path / "real" / "trews.db")
    (tmp_path / "linked").symlink_to(tmp_path / "real")
    held = make_engine(f"sqlite:///{tmp_path / 'real' / 'trews.db'}")
    with service_lock(held):
        for spelling in ("elsewhere.db", "linked/trews.db", "real/../real/trews.db"):
            other = make_engine(f"sqlite:///{tmp_path / spelling}")
            with pytest.raises(AlreadyRunning), service_lock(other):
                pass
            other.dispose()
    held.dispose()


def refused(url: str, shard: Shard | None) -> bool:
    engine = make_engine(url)
    try:
        with service_lock(engine, shard):
            return False
    except AlreadyRunning:
        return True
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_one_shard_layout_per_database(postgres_url: str) -> None:
    engines = [make_engine(postgres_url) for _ in range(2)]
    with service_lock(engines[0], Shard(1, 2)), service_lock(engines[1], Shard(2, 2)):
        assert refused(postgres_url, None)  # a plain service, or a one-off command
        assert refused(postgres_url, Shard(1, 3))
        assert refused(postgres_url, Shard(2, 2))
        # Another spelling of the same database and schema is the same database.
        assert refused(postgres_url.replace("127.0.0.1", "localhost"), Shard(2, 2))
    with service_lock(engines[0]):
        assert refused(postgres_url, Shard(1, 2))
        assert refused(postgres_url, None)
    assert not refused(postgres_url, Shard(1, 3))  # nothing live: any layout may start
    for engine in engines:
        engine.dispose()


@pytest.mark.postgres
def test_services_in_other_schemas_run_side_by_side(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    with service_lock(engine), fresh_schema() as other:
        assert not refused(other, None)
        assert not refused(other, Shard(1, 2))
    engine.dispose()


@pytest.fixture
def one_source(tmp_path: Path) -> Iterator[tuple[ReplayServer, dict[str, str]]]:
    """A replay server and the environment of a `trews` whose one source is served by it."""
    with ReplayServer(lifetime_s=120).running_in_thread() as replay:
        settings = load_settings(data_dir=tmp_path / "var")
        path = replayed_sources_file(settings, replay.base_url, tmp_path / "sources.yaml")
        data = yaml.safe_load(path.read_text())
        data["sources"] = {SOURCE: data["sources"][SOURCE]}
        path.write_text(yaml.safe_dump(data))
        yield replay, {"TREWS_DATA_DIR": str(tmp_path / "var"), "TREWS_SOURCES_FILE": str(path),
                       "TREWS_CRAWL_DELAY_S": "0"}


@pytest.mark.parametrize("command", [["run", "--once"], ["crawl", SOURCE]])
def test_one_off_commands_are_refused_beside_a_live_service(
    one_source: tuple[ReplayServer, dict[str, str]], tmp_path: Path, command: list[str]
) -> None:
    replay, env = one_source
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'trews.db'}")
    with service_lock(engine):
        result = CliRunner().invoke(main, command, env=env)
    engine.dispose()
    assert result.exit_code == 1
    assert "not started: another TREWS service is running" in result.output
    assert replay.requests == []  # nothing crawled


@pytest.mark.parametrize("command", [["run", "--once"], ["crawl", SOURCE]])
def test_a_crawl_whose_run_failed_fails_the_command(
    one_source: tuple[ReplayServer, dict[str, str]], command: list[str]
) -> None:
    replay, env = one_source
    replay.set_fault("/api/v1/documents.json", "http500")
    result = CliRunner().invoke(main, command, env=env)
    assert result.exit_code == 1
    assert f"{SOURCE}: " in result.output and "HTTP error" in result.output
    if command[0] == "run":
        assert f"1 crawl(s) failed: {SOURCE}" in result.output
