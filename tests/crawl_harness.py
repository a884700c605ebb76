"""What the crawl tests share (the spider tests and test_crawl): a service whose sources point at
a local replay server, a crawl run as the service runs it (a child process), and the rows it
leaves (notices, the source's health, its log, what the server was asked)."""

import asyncio
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from sqlalchemy import select

from config import load_settings
from demo import replayed_sources_file
from replay import ReplayServer
from replay.server import RequestRecord
from scheduler import CrawlResult, Service, crawl
from storage.models import CrawlRun, Notice, Source


@dataclass
class Harness:
    source: str
    service: Service
    replay: ReplayServer

    def crawl(self, since: date | None = None) -> CrawlResult:
        return asyncio.run(crawl(self.service, self.source, since=since))

    def notices(self) -> dict[str, Notice]:
        with self.service.sessions() as session:
            rows = session.scalars(select(Notice).where(Notice.source_id == self.source))
            return {row.external_id: row for row in rows}

    def notice(self, external_id: str) -> Notice:
        with self.service.sessions() as session:
            query = select(Notice).where(Notice.source_id == self.source,
                                         Notice.external_id == external_id)
            return session.scalars(query).one()

    def health(self) -> Source:
        with self.service.sessions() as session:
            row = session.get(Source, self.source)
            assert row is not None
            return row

    def runs(self) -> list[CrawlRun]:
        with self.service.sessions() as session:
            query = select(CrawlRun).where(CrawlRun.source_id == self.source)
            return list(session.scalars(query.order_by(CrawlRun.id)))

    def log(self) -> str:
        return (self.service.settings.data_dir / "logs" / f"{self.source}.log").read_text()

    def requests(self, prefix: str = "") -> list[RequestRecord]:
        """What the spider asked for (of the paths starting with `prefix`), robots.txt aside."""
        return [r for r in self.replay.requests
                if r.path != "/robots.txt" and r.path.startswith(prefix)]


def harness(source: str, replay: ReplayServer, data_dir: Path, *, crawl_delay_s: float = 0.0,
            database_url: str | None = None, **options: object) -> Harness:
    """A service on `data_dir` (database, HTTP cache, logs) whose sources point at `replay`, no
    delay between requests (a local server) unless told, `source` given any extra `options`;
    its database the SQLite file of `data_dir` unless `database_url` names another."""
    settings = load_settings(data_dir=data_dir, crawl_delay_s=crawl_delay_s,
                             database_url=database_url)
    sources_file = replayed_sources_file(settings, replay.base_url,
                                         data_dir.parent / "sources.yaml")
    if options:
        document = yaml.safe_load(sources_file.read_text(encoding="utf-8"))
        document["sources"][source]["options"].update(options)
        sources_file.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return Harness(source, Service.load(settings.model_copy(update={"sources_file": sources_file})),
                   replay)


@contextmanager
def replaying(source: str, data_dir: Path, copy_of: Path | None = None,
              **options: object) -> Iterator[Harness]:
    """A fresh replay server and a service on `data_dir`, optionally a copy of another run's data
    folder (so a test starts from what a successful crawl stored, without crawling again), `source`
    given any extra `options`."""
    if copy_of is not None:
        shutil.copytree(copy_of, data_dir)
    with ReplayServer(lifetime_s=300).running_in_thread() as replay:
        yield harness(source, replay, data_dir, **options)
