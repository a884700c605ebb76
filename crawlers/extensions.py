"""Records every crawl as a run of its source: the since-date it asked for and how it ended.

This is what makes crawls incremental (the next run starts from the last successful one) and
sources watched (failures and empty runs are counted on the source row). A run with an item
lost (an HTTP, parse or store error) fails, so the next run asks again from the same date.
"""

import logging
from pathlib import Path
from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from config import load_sources
from crawlers.fallback import DEGRADED
from crawlers.pipelines import FIRST_HTTP_ERROR, SCANNED, STORE_ERRORS, UNREADABLE_ITEMS
from crawlers.store import open_store
from storage.database import transaction
from storage.models import CrawlRun
from storage.sources import crawl_since, finish_run, start_run, sync_sources

logger = logging.getLogger(__name__)


# Required-field coverage: when most items of a run come without a publication date, the page
# layout has most likely changed under the spider, even though each item still looks valid.
MIN_DATED_SHARE = 0.5


def coverage_problem(stats: dict[str, int]) -> str | None:
    items = stats.get("item_scraped_count", 0)
    undated = stats.get("trews/items/undated", 0)
    if items and undated / items > 1 - MIN_DATED_SHARE:
        return f"{undated} of {items} items have no publication date (layout changed?)"
    return None


def count_errors(stats: dict[str, int]) -> tuple[int, int, int]:
    """(HTTP errors, parse errors, notices not stored) of a finished crawl, from Scrapy's stats;
    a notice not stored is a dropped item too, counted once, as a store error."""
    http = stats.get("trews/errors/http", 0)
    store = stats.get(STORE_ERRORS, 0)
    parse = (stats.get("item_dropped_count", 0) - store) + stats.get("spider_exceptions/count", 0)
    return http, parse, store


def unreadable_note(stats: dict[str, int]) -> str | None:
    """What a run that otherwise went well reports: notices kept without their PDF's text."""
    unreadable = stats.get(UNREADABLE_ITEMS, 0)
    if not unreadable:
        return None
    return (f"{unreadable} PDF(s) unreadable ({SCANNED}), stored with the list's title, date "
            "and link")


class CrawlRunRecorder:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.sessions = open_store(crawler.settings["TREWS_DATABASE_URL"])
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        sources = load_sources(Path(self.crawler.settings["TREWS_SOURCES_FILE"]))
        with transaction(self.sessions) as session:
            sync_sources(session, sources)
            if getattr(spider, "since", None) is None:
                spider.since = crawl_since(  # type: ignore[attr-defined]
                    session, spider.name, self.crawler.settings.getint("TREWS_BACKFILL_DAYS"),
                    spider.publisher_zone,  # type: ignore[attr-defined]
                )
            self.run_id = start_run(session, spider.name, spider.since).id  # type: ignore[attr-defined]

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.run_id is None:
            return
        stats_collector: StatsCollector | None = self.crawler.stats
        stats = stats_collector.get_stats() if stats_collector else {}
        http_errors, parse_errors, store_errors = count_errors(stats)
        problems = []
        if reason != "finished":
            problems.append(f"crawl ended: {reason}")
        if http_errors:
            first = stats.get(FIRST_HTTP_ERROR)
            problems.append(f"{http_errors} HTTP error(s)" + (f" (first: {first})" if first
                                                                 else ""))
        if parse_errors:
            problems.append(f"{parse_errors} parse error(s)")
        if store_errors:
            problems.append(f"{store_errors} notice(s) not stored")
        coverage = coverage_problem(stats)
        if coverage:
            problems.append(coverage)
        note = unreadable_note(stats)
        with transaction(self.sessions) as session:
            run = session.get(CrawlRun, self.run_id)
            assert run is not None
            run.items_scraped = stats.get("item_scraped_count", 0)
            run.items_new = stats.get("trews/notices/new", 0)
            run.items_updated = stats.get("trews/notices/updated", 0)
            run.http_errors, run.parse_errors = http_errors, parse_errors
            finish_run(session, run, ok=not problems, error="; ".join(problems) or None,
                       max_empty_runs=spider.source.max_empty_runs,  # type: ignore[attr-defined]
                       degraded=stats.get(DEGRADED), note=note)
        log = logger.warning if problems or note else logger.info
        outcome = "; ".join(problems) or ("degraded" if stats.get(DEGRADED) else "ok")
        log("%s: run %s %s", spider.name, self.run_id,
            "; ".join(part for part in (outcome, note) if part))
