"""A database for the web tests, filled the way the service fills it: real recorded notices stored
through storage.notices and analysed, matched and linked into cases by scheduler.analyse_pending.

The notices are the 300 real FR trade-remedy posts of 2020-2024 (150 on Vietnam) and the real
1,000-document FR API page of January 2024, plus one synthetic notice whose title carries a
script tag, to check that scraped text is escaped everywhere it is shown.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import Settings
from crawlers.spiders.us_fr_documents import FIELDS
from scheduler import Service, analyse_pending
from storage.database import transaction
from storage.models import Case, CaseEvent, Notice
from storage.notices import NoticeRecord, store_notice
from tests.conftest import FR_PAGE, ROOT
from web.app import create_app

POSTS = ROOT / "tests" / "fixtures" / "us_fr_posts"
HOSTILE = "<script>alert(1)</script>"
# Synthetic: a real FR title (2023-28945) with a script tag put in, stored as a scraped title.
SYNTHETIC_HOSTILE_TITLE = (
    f"Certain Paper Shopping Bags From the Socialist Republic of Vietnam {HOSTILE}: "
    "Preliminary Affirmative Determination of Sales at Less Than Fair Value")
_SOURCE_LINK = re.compile(r"Primary source: \[[^\]]*\]\((https://www\.federalregister\.gov/[^)]+)\)")


@dataclass
class WebData:
    service: Service
    app: FastAPI
    hostile_id: int

    def client(self) -> TestClient:
        """A new browser: no language cookie left over from another test."""
        return TestClient(self.app)


_BUILT: dict[str, WebData] = {}


def fr_page_records() -> list[NoticeRecord]:
    """The real FR API page, mapped as the us_fr_documents spider maps each document."""
    documents = json.loads(FR_PAGE.read_text(encoding="utf-8"))["results"]
    return [NoticeRecord(
        source_id="us_fr_documents", external_id=doc["document_number"], market="US",
        url=doc["html_url"], title=doc["title"],
        published=date.fromisoformat(doc["publication_date"]), body=doc.get("abstract") or "",
        raw={key: doc.get(key) for key in FIELDS if key in doc}) for doc in documents]


def post_records() -> list[NoticeRecord]:
    """The real FR posts (front matter, summary, FR link) as FR notices."""
    with (POSTS / "deepseek_news_posts_MANIFEST.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    records = []
    for row in rows:
        text = (POSTS / "deepseek_news_posts" / row["file"]).read_text(encoding="utf-8")
        _, front, body = text.split("---", 2)
        meta = yaml.safe_load(front)
        summary = re.search(r"## Summary\s*\n(.*?)\n## ", body, re.S)
        link = _SOURCE_LINK.search(body)
        records.append(NoticeRecord(
            source_id="us_fr_documents", external_id=row["fr_document_number"], market="US",
            url=link.group(1) if link else "", title=meta["title"],
            published=date.fromisoformat(row["fr_publication_date"]),
            body="" if not summary or summary.group(1).strip() == "No summary provided."
            else summary.group(1).strip(), raw={}))
    return records


def hostile_record() -> NoticeRecord:
    return NoticeRecord(
        source_id="us_fr_documents", external_id="synthetic-hostile", market="US",
        url="javascript:alert(2)", title=SYNTHETIC_HOSTILE_TITLE, published=date(2026, 2, 2),
        body="", raw={"docket_ids": ["A-552-836"], "action": "Notice."})


def build(database_url: str, data_dir: Path) -> WebData:
    """Store and analyse every notice, then an app on that database and a client for it."""
    settings = Settings(data_dir=data_dir, database_url=database_url, crawl_delay_s=0.0)
    service = Service.load(settings)
    with transaction(service.sessions) as session:
        for record in [*post_records(), *fr_page_records(), hostile_record()]:
            store_notice(session, record)
    analyse_pending(service)
    with service.sessions() as session:
        hostile_id = session.scalars(select(Notice.id).where(
            Notice.external_id == "synthetic-hostile")).one()
    return WebData(service, create_app(settings, sessions=service.sessions), hostile_id)


def sqlite_data(tmp_path_factory: pytest.TempPathFactory) -> WebData:
    """The SQLite database, built once per test session for every web test module."""
    if "sqlite" not in _BUILT:
        folder = tmp_path_factory.mktemp("web")
        _BUILT["sqlite"] = build(f"sqlite:///{folder / 'trews.db'}", folder / "var")
    return _BUILT["sqlite"]


def dated_case(session: Session, n: int, today: date, *, source_id: str, market: str,
               vietnam: str, product: str, sector: str, deadlines: list[tuple[int, str]],
               next_due: int | None = None, opened_by: str = "investigation",
               opened_on: date | None = None) -> int:
    """A synthetic case dated around `today` (the recorded notices are years old), opened by
    `opened_by` (20 days ago unless `opened_on`), with one notice stating `deadlines` (days from
    today, kind) and, with `next_due`, the statutory clock's estimate of its preliminary."""
    def day(offset: int) -> date:
        return today + timedelta(days=offset)

    proceeding = "circumvention" if opened_by == "circumvention" else (
        "review" if opened_by == "review" else "investigation")
    notice = Notice(source_id=source_id, external_id=f"synthetic-{n}", market=market,
                    url=f"https://example.org/{n}", title=f"{product} notice {n}",
                    published=day(-20), raw={}, content_hash=f"synthetic-{n}", trade_remedy=True,
                    analysis={"trade_remedy": True, "sectors": [sector], "deadlines": [
                        {"kind": kind, "date": day(offset).isoformat()}
                        for offset, kind in deadlines]})
    case = Case(market=market, origin="VN" if vietnam != "none" else "CN", measure="AD",
                product=product, vietnam=vietnam, proceeding=proceeding, stage="initiation",
                opened_on=opened_on or day(-20), opened_by=opened_by, first_stage="initiation",
                next_step="preliminary" if next_due is not None else None,
                next_due=day(next_due) if next_due is not None else None,
                next_basis="Commerce's AD preliminary determination is due 140 days after "
                           "initiation (extendable to 190)" if next_due is not None else None)
    session.add_all([notice, case])
    session.flush()
    session.add(CaseEvent(case_id=case.id, notice_id=notice.id, proceeding=proceeding,
                          stage="initiation", event_on=case.opened_on))
    return case.id
