"""A case page shows the rates its notices state (issue 8), in both languages, latest notice first,
with the notice's date and link; the API case detail carries them too. The database is filled the
way the service fills it (stored, analysed and linked into cases by scheduler.analyse_pending)
with the real EU regulation 2022/58 (duties on five origins) and a synthetic FR notice in the
FR's text layout (a margins table with the Vietnam-wide entity; no real full text shows one)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from config import Settings
from scheduler import Service, analyse_pending
from storage.database import transaction
from storage.models import Case, CaseEvent, Notice
from storage.notices import NoticeRecord, store_notice
from tests.test_pdf_notices import NOTICES, text_of
from web.app import create_app

RATES = Path(__file__).resolve().parent / "fixtures" / "rates"
EU_REGULATION = next(n for n in NOTICES if n.source == "eu_eurlex")
WIRE_TITLE = ("Example Steel Wire Strand From the Socialist Republic of Vietnam: Preliminary "
              "Affirmative Determination of Sales at Less Than Fair Value")


def records() -> list[NoticeRecord]:
    return [
        NoticeRecord(source_id="eu_eurlex", external_id="CELEX:32022R0058", market="EU",
                     url=EU_REGULATION.url, title=EU_REGULATION.title,
                     published=date.fromisoformat(EU_REGULATION.published),
                     body=text_of(EU_REGULATION.path), raw={}),
        NoticeRecord(source_id="us_fr_documents", external_id="synthetic-2024-90001", market="US",
                     url="https://www.federalregister.gov/d/2024-90001", title=WIRE_TITLE,
                     published=date(2024, 6, 21),
                     body=(RATES / "synthetic_fr_ad_preliminary_vietnam_raw_text.txt").read_text(
                         encoding="utf-8"),
                     raw={"docket_ids": ["A-552-901"], "action": "Notice."}),
    ]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Service:
    folder = tmp_path_factory.mktemp("web_rates")
    settings = Settings(data_dir=folder / "var", database_url=f"sqlite:///{folder / 'trews.db'}",
                        crawl_delay_s=0.0)
    found = Service.load(settings)
    with transaction(found.sessions) as session:
        for record in records():
            store_notice(session, record)
    analyse_pending(found)
    return found


@pytest.fixture
def client(service: Service) -> TestClient:
    return TestClient(create_app(service.settings, sessions=service.sessions))


def case_of(service: Service, external_id: str, origin: str) -> tuple[int, int]:
    """(case id, notice id) of the notice's case on `origin`."""
    with service.sessions() as session:
        notice_id = session.scalars(select(Notice.id).where(
            Notice.external_id == external_id)).one()
        case_id = session.scalars(select(Case.id).join(CaseEvent, CaseEvent.case_id == Case.id)
                                  .where(CaseEvent.notice_id == notice_id,
                                         Case.origin == origin)).one()
    return case_id, notice_id


def rates_part(html: str) -> str:
    return html.split('<h3 class="rates-notice">', 1)[1].split("<h2>", 1)[0]


def test_case_page_shows_the_duties_of_its_origin_in_vietnamese(service: Service,
                                                                client: TestClient) -> None:
    case_id, notice_id = case_of(service, "CELEX:32022R0058", "CN")
    page = client.get(f"/cases/{case_id}")
    assert page.status_code == 200
    assert "Thuế suất và biên độ nêu trong các thông báo" in page.text
    part = rates_part(page.text)
    assert "17/01/2022" in part and f'href="/notices/{notice_id}"' in part
    assert "Baoshan Iron Steel Co., Ltd, Shanghai; PRC" in part and "21,5%" in part
    assert "Các doanh nghiệp khác" in part and "36,6%" in part and "Thuế suất" in part
    # The regulation's duties on Japan belong to the Japanese case, not this one.
    assert "JFE Steel" not in part and "39%" not in part
    assert "chưa được trích xuất" not in page.text


def test_case_page_in_english_and_a_vietnam_wide_rate(service: Service,
                                                     client: TestClient) -> None:
    case_id, _notice = case_of(service, "CELEX:32022R0058", "JP")
    part = rates_part(client.get(f"/cases/{case_id}?lang=en").text)
    assert "JFE Steel Corporation, Tokyo, Japan" in part and "39%" in part
    assert "Duty rate" in part and "All others" in part and "17 Jan 2022" in part
    case_id, notice_id = case_of(service, "synthetic-2024-90001", "VN")
    part = rates_part(client.get(f"/cases/{case_id}?lang=vi").text)
    assert f'href="/notices/{notice_id}"' in part and "21/06/2024" in part
    assert "Mức thuế toàn quốc (doanh nghiệp không có mức thuế riêng)" in part
    assert "187,63%" in part and "Biên độ bán phá giá" in part and "Mức ký quỹ" in part


def test_api_case_detail_carries_the_rates(service: Service, client: TestClient) -> None:
    case_id, notice_id = case_of(service, "synthetic-2024-90001", "VN")
    detail = client.get(f"/api/cases/{case_id}").json()
    assert {"value": 187.63, "unit": "percent", "kind": "dumping_margin",
            "company": "country-wide", "origin": "VN", "notice_id": notice_id,
            "published": "2024-06-21"} in detail["rates"]
    assert len(detail["rates"]) == 8
