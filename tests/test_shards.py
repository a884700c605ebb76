"""Several services on one PostgreSQL database, each its shard of the sources; the outbox they
share is drained without a duplicate (tests/test_sender.py: two sender processes)."""

import dataclasses

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from cli import main
from config import load_settings
from scheduler import Service
from storage.database import make_engine, session_factory
from storage.instance_lock import AlreadyRunning, service_lock
from storage.shards import Shard, ShardError
from storage.status import scheduled_jobs
from tests.test_service_health import scheduled

ONCE_PER_DATABASE = {"digests", "risk", "maintenance"}


@given(st.lists(st.text(min_size=1, max_size=8), unique=True, max_size=30),
       st.integers(min_value=1, max_value=5))
def test_shards_split_the_sources_without_overlap_or_gap(ids: list[str], of: int) -> None:
    parts = [Shard(number, of).sources(ids) for number in range(1, of + 1)]
    assert sorted(key for part in parts for key in part) == sorted(ids)
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


@pytest.mark.parametrize("text", ["0/2", "3/2", "2", "a/b", "1/0"])
def test_a_shard_is_k_of_n(text: str) -> None:
    with pytest.raises(ShardError):
        Shard.parse(text)
    assert Shard.parse(" 2 / 3 ") == Shard(2, 3)


@pytest.mark.postgres
def test_two_shards_share_the_jobs_of_one_database(postgres_url: str, tmp_path) -> None:
    settings = load_settings(data_dir=tmp_path / "var", database_url=postgres_url)
    services = [Service.load(settings, Shard(number, 2)) for number in (1, 2)]
    jobs = [set(scheduled(service)) for service in services]
    cycles = [{job for job in shard if job.startswith("cycle:")} for shard in jobs]
    enabled = {f"cycle:{key}" for key, source in services[0].sources.items() if source.enabled}
    assert not cycles[0] & cycles[1]
    assert {job.split("@")[0] for job in cycles[0] | cycles[1]} == enabled
    assert "outbox" in jobs[0] and "outbox" in jobs[1]  # both drain the outbox
    assert jobs[0] >= ONCE_PER_DATABASE and not ONCE_PER_DATABASE & jobs[1]
    assert [set(scheduled(service)) for service in services] == jobs  # a restart keeps them

    with session_factory(make_engine(postgres_url))() as session:
        listed = [job_id for job_id, _next in scheduled_jobs(session)]
    assert "outbox [shard 1/2]" in listed and "outbox [shard 2/2]" in listed


@pytest.mark.postgres
def test_each_shard_runs_once_but_two_shards_run_together(postgres_url: str) -> None:
    engines = [make_engine(postgres_url) for _ in range(3)]
    with (service_lock(engines[0], Shard(1, 2)),
          service_lock(engines[1], Shard(2, 2)),
          pytest.raises(AlreadyRunning, match="shard 2/2"),
          service_lock(engines[2], Shard(2, 2))):
        pass
    for engine in engines:
        engine.dispose()


def test_shards_are_refused_on_sqlite(tmp_path) -> None:
    result = CliRunner().invoke(main, ["run", "--shard", "1/2"],
                                env={"TREWS_DATA_DIR": str(tmp_path / "var")})
    assert result.exit_code == 1
    assert "only on PostgreSQL" in result.output


def test_a_bad_shard_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["run", "--shard", "3/2"])
    assert result.exit_code == 2 and "K must be between 1 and N" in result.output


def test_one_service_alone_keeps_the_single_job_table() -> None:
    alone = Shard()
    assert (alone.job_table, alone.name, alone.first) == ("apscheduler_jobs", "", True)
    assert dataclasses.replace(alone, number=2, of=3).job_table == "apscheduler_jobs_2_of_3"
