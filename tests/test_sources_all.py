"""Every configured source at once, as the demo and the service crawl them: each has a spider and
recordings, each yields notices, and one source going down never stops the others."""

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config import Settings, load_sources
from config.settings import CONFIG_DIR
from crawlers.evidence import evidence
from demo import recordings_since, replayed_sources_file
from replay import ReplayServer, load_manifest
from scheduler import Service, run_cycle
from storage.models import Notice, OperatorAlert, Source
from tests.conftest import ROOT

SOURCES = load_sources(CONFIG_DIR / "sources.yaml")
ENABLED = sorted(key for key, source in SOURCES.items() if source.enabled)
# The FR documents' recordings sit at the top of the manifest (group ""); every other source has
# its own folder of recordings named after it.
GROUPS = {key: ("" if key == "us_fr_documents" else key) for key in ENABLED}


def test_scrapy_lists_a_spider_for_every_source() -> None:
    listed = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT, text=True,
                            capture_output=True, timeout=60, check=True).stdout.split()
    assert set(SOURCES) <= set(listed)
    assert len(listed) >= 14


def test_every_source_names_the_evidence_its_spider_rests_on(tmp_path: Path) -> None:
    """Each source has its evidence (crawlers/evidence.yaml) and a PROVENANCE that says it; a
    malformed evidence file names itself."""
    known = evidence()
    assert set(known) == set(SOURCES)
    for source_id, found in known.items():
        folder = ROOT / "replay" / "recordings" / GROUPS[source_id]
        provenance = (folder / "PROVENANCE.md").read_text(encoding="utf-8")
        assert found.replica == "real" or "Evidence" in provenance, source_id
        assert found.seen and found.seen[:4] in provenance, source_id
    broken = tmp_path / "evidence.yaml"
    broken.write_text("sources:\n  uk_tra: {replica: maybe}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=str(broken)):
        evidence(broken)


def test_every_enabled_source_has_recordings() -> None:
    groups = {route.group for route in load_manifest()}
    assert {GROUPS[key] for key in ENABLED} <= groups


def notice_counts(service: Service) -> dict[str, int]:
    with service.sessions() as session:
        rows = session.execute(select(Notice.source_id, func.count(Notice.id))
                               .group_by(Notice.source_id)).all()
    return {source_id: count for source_id, count in rows}


def cycle(settings: Settings, tmp_path: Path, sources: list[str],
          broken: str | None = None) -> Service:
    async def go() -> Service:
        async with ReplayServer(lifetime_s=300) as replay:
            if broken is not None:
                replay.set_group_fault(GROUPS[broken], "http500")
            service = Service.load(settings.model_copy(update={
                "sources_file": replayed_sources_file(settings, replay.base_url,
                                                      tmp_path / "sources.yaml")}))
            await run_cycle(service, sources, since=recordings_since(sources))
            return service

    return asyncio.run(go())


def test_every_source_yields_notices_in_one_cycle(settings: Settings, tmp_path: Path) -> None:
    service = cycle(settings, tmp_path, ENABLED)
    counts = notice_counts(service)
    assert {key for key in ENABLED if counts.get(key, 0) == 0} == set()
    with service.sessions() as session:
        unhealthy = {row.id: row.health_reason for row in session.scalars(select(Source))
                     if row.id in ENABLED and row.health != "ok"}
    assert unhealthy == {}


@pytest.mark.parametrize("broken", [key for key in ENABLED if key != "us_fr_documents"])
def test_a_failing_source_never_stops_the_others(
    settings: Settings, tmp_path: Path, broken: str
) -> None:
    service = cycle(settings, tmp_path, [broken, "us_fr_documents"], broken=broken)

    assert notice_counts(service).get("us_fr_documents") == 1129
    with service.sessions() as session:
        failing = session.get(Source, broken)
        assert failing is not None and failing.health == "failing", failing.health_reason
        healthy = session.get(Source, "us_fr_documents")
        assert healthy is not None and healthy.health == "ok"
        alerts = session.scalars(select(OperatorAlert.source_id)).all()
    assert alerts == [broken]


def test_a_hung_source_is_killed_and_the_others_arrive_in_the_same_cycle(
    settings: Settings, tmp_path: Path
) -> None:
    hung = "eu_tron"

    async def go() -> Service:
        async with ReplayServer(lifetime_s=300) as replay:
            replay.set_group_fault(GROUPS[hung], "hang")
            service = Service.load(settings.model_copy(update={
                "crawl_timeout_s": 8.0,
                "sources_file": replayed_sources_file(settings, replay.base_url,
                                                      tmp_path / "sources.yaml")}))
            sources = [hung, "us_fr_documents"]
            await run_cycle(service, sources, since=recordings_since(sources))
            return service

    service = asyncio.run(go())

    assert notice_counts(service).get("us_fr_documents") == 1129
    with service.sessions() as session:
        source = session.get(Source, hung)
        assert source is not None and source.health == "failing"
        assert "killed after 8 s" in (source.health_reason or "")
