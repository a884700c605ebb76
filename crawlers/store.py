"""The crawl process's link to the database: one engine per crawl, schema brought up to date."""

from functools import cache

from sqlalchemy.orm import Session, sessionmaker

from storage.database import make_engine, session_factory
from storage.migrate import upgrade


@cache
def open_store(database_url: str) -> sessionmaker[Session]:
    """Sessions on the TREWS database, migrated, so `scrapy crawl` works on a fresh checkout.

    Cached so the pipelines and the run recorder of one crawl share one engine."""
    engine = make_engine(database_url)
    upgrade(engine)
    return session_factory(engine)
