"""The "risk rising" section of the ministry's overview and an association's digest: the headings
that entered the risk watch's top 20 or moved up since the run before, of the reader's sectors,
with their first reason, worded as a forecast; an exporter's digest has no such section."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from alerts.digest_periods import period_from_key
from alerts.digests import subscriber_digest_message
from config import Settings
from storage.database import transaction
from storage.models import Subscriber, Subscription
from storage.risk import risers
from storage.risk_models import RiskRun, RiskScore
from tests.test_digests import body, parse

SECTOR_NAMES = {"steel": {"en": "iron and steel", "vi": "sắt thép"},
                "shrimp": {"en": "shrimp", "vi": "tôm"}}
HANGERS = {"feature": "orders_in_force", "count": 2.0, "weight": 0.4, "cases": [
    {"market": "US", "origin": "CN", "measure": "AD", "product": "Steel Wire Garment Hangers",
     "number": "A-570-918", "ref": "A-570-918", "opened": "2007-07-31",
     "ordered": "2008-10-06", "targets": []}]}
# (heading, rank in the earlier run or None, rank now)
RANKS = [("0306", 3, 1), ("7326", 30, 2), ("7604", None, 4), ("7208", 5, 6), ("4011", 7, 7)]


def _run(session: Session, as_of: date, ranks: dict[str, int]) -> None:
    run = RiskRun(as_of=as_of, horizon_months=24, history_cases=2000, history_end=as_of,
                  model={}, track={}, computed_at=datetime(2026, 11, 1, tzinfo=UTC))
    run.scores = [RiskScore(market="US", heading=heading, rank=rank, score=1 / rank,
                            counts={"orders_in_force": 2.0}, reasons=[HANGERS])
                  for heading, rank in ranks.items()]
    session.add(run)


@pytest.fixture
def risen(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as session:
        _run(session, date(2026, 10, 1), {h: before for h, before, _ in RANKS if before})
        _run(session, date(2026, 11, 1), {h: now for h, _, now in RANKS})
        for email, kind, sectors in (("bo@example.vn", "ministry", []),
                                     ("thep@example.vn", "association", ["steel"]),
                                     ("dn@example.vn", "exporter", ["steel"])):
            subscriber = Subscriber(email=email, name="Cục PVTM", kind=kind, language="vi",
                                    confirmed=True)
            subscriber.subscriptions.append(Subscription(sectors=sectors, frequency="daily",
                                                         digest_when_empty=True))
            session.add(subscriber)
    return sessions


def _digest(sessions: sessionmaker[Session], settings: Settings, email: str,
            lang: str = "vi") -> tuple[str, str]:
    with sessions() as session:
        subscriber = session.query(Subscriber).filter_by(email=email).one()
        subscriber.language = lang
        period = period_from_key("daily", "2026-11-20", subscriber.timezone)
        msg = parse(subscriber_digest_message(session, subscriber, period, settings=settings,
                                              sector_names=SECTOR_NAMES, source_names={}))
    return body(msg, "plain"), body(msg, "html")


def test_risers_are_the_headings_that_entered_or_moved_up(risen):
    with risen() as session:
        found = [(score.heading, before) for score, before in risers(session)]
    assert found == [("0306", 3), ("7326", 30), ("7604", None)]


def test_the_ministry_sees_every_riser_in_vietnamese(risen, settings):
    text, html = _digest(risen, settings, "bo@example.vn")
    assert "NGUY CƠ GIA TĂNG (DỰ BÁO, KHÔNG PHẢI VỤ VIỆC)" in text
    assert "không có nghĩa là cơ quan có thẩm quyền nào đã khởi xướng" in " ".join(text.split())
    section = text[text.index("NGUY CƠ GIA TĂNG"):]
    assert "Nhóm HS 0306" in section and "Nhóm HS 7604" in section
    assert "tăng từ vị trí số 30 lên vị trí số 2" in section
    assert "mới vào nhóm 20 đứng đầu, hiện ở vị trí số 4" in section
    assert "Nhóm HS 7208" not in section and "Nhóm HS 4011" not in section  # not rising
    assert ("Lệnh áp thuế của Hoa Kỳ đối với Steel Wire Garment Hangers xuất xứ Trung Quốc, "
            "năm 2008 (A-570-918)") in " ".join(section.split())
    assert "Nguy cơ gia tăng (dự báo, không phải vụ việc)" in html
    assert "/risk?lang=vi" in html


def test_an_association_sees_the_risers_of_its_sectors_in_english(risen, settings):
    text, html = _digest(risen, settings, "thep@example.vn", lang="en")
    section = text[text.index("RISK RISING (A FORECAST, NOT A CASE)"):]
    assert "HS heading 7326" in section and "up from number 30 to number 2" in section
    assert "HS heading 0306" not in section and "HS heading 7604" not in section
    assert "does not mean that any authority has opened" in " ".join(section.split())
    assert "Risk rising (a forecast, not a case)" in html


def test_an_exporters_digest_has_no_risk_section(risen, settings):
    text, html = _digest(risen, settings, "dn@example.vn", lang="en")
    assert "RISK RISING" not in text and "Risk rising" not in html
