"""/risk: the ranked headings with their reasons in Vietnamese and English, the track record
beside them, the forecast said plainly, sector filtering, escaping, and the catalogue."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy import select

from alerts.i18n import catalogue_path
from config import load_settings
from storage.database import transaction
from storage.risk import refresh_risk
from storage.risk_models import RiskScore
from web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2011, 7, 1)
HOSTILE = "<script>alert(1)</script> widgets"
HANGERS_EN = "United States order on Steel Wire Garment Hangers from China, 2008 (A-570-918)"
HANGERS_VI = ("Lệnh áp thuế của Hoa Kỳ đối với Steel Wire Garment Hangers xuất xứ Trung Quốc, "
              "năm 2008 (A-570-918)")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("risk_web")
    app = create_app(load_settings(data_dir=folder / "var"))
    refresh_risk(app.state.sessions, AS_OF, track_until=date(2006, 1, 1))
    with transaction(app.state.sessions) as session:  # a product name as hostile as scraped text
        last = session.scalars(select(RiskScore).order_by(RiskScore.rank.desc())).first()
        assert last is not None
        last.reasons = [{"feature": "orders_in_force", "count": 1.0, "weight": 0.1, "cases": [
            {"market": "US", "origin": "CN", "measure": "AD", "product": HOSTILE,
             "number": None, "ref": "x.csv:1", "opened": "2009-01-02", "ordered": "2010-01-01",
             "targets": []}]}]
    with TestClient(app) as test_client:
        yield test_client


def _headings(html: str) -> list[str]:
    return re.findall(r'data-heading="(\d{4})"', html)


def test_risk_lists_headings_with_reasons_in_english(client):
    page = client.get("/risk", params={"lang": "en", "top": 100})
    assert page.status_code == 200
    html = page.text
    assert "Forecast, not a case." in html and "does not mean that any authority" in html
    assert len(_headings(html)) == 100
    assert HANGERS_EN in html
    assert re.search(r"Model score: \d+\.\d% chance", html)
    assert "Orders in force under this heading on other origins" in html
    assert 'data-method="china_24m"' in html and 'data-period="tuning"' in html
    assert len(_headings(client.get("/risk", params={"lang": "en"}).text)) == 20


def test_risk_speaks_vietnamese_by_default(client):
    client.cookies.clear()  # no language chosen before
    html = client.get("/risk", params={"top": 100}).text
    assert '<html lang="vi">' in html
    assert "Dự báo, không phải vụ việc." in html
    assert HANGERS_VI in html
    assert "Phương án đối chứng: mọi nhóm hàng có lệnh áp thuế đang có hiệu lực" in html
    assert "Forecast, not a case." not in html
    assert re.search(r"Điểm của mô hình: khả năng \d+,\d%", html)  # the decimal comma
    assert re.search(r'data-method="model">\s*<td>[^<]+</td>\s*<th[^>]*>[^<]+</th>\s*'
                     r'<td class="num">\d+</td>\s*<td class="num">\d+,\d%</td>', html)


def test_risk_filters_by_sector(client):
    steel = _headings(client.get("/risk", params={"sector": "steel", "top": 100}).text)
    assert steel and all(h[:2] in ("72", "73") for h in steel)
    everything = _headings(client.get("/risk", params={"top": 100}).text)
    assert set(steel) < set(everything) or len(steel) == 100
    unknown = client.get("/risk", params={"sector": "no-such", "market": "ZZ"})
    assert unknown.status_code == 200 and _headings(unknown.text)  # falls back to all, US


def test_risk_escapes_stored_text(client):
    html = client.get("/risk", params={"lang": "en", "top": 100}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; widgets" in html
    assert "<script>alert(1)" not in html


def test_risk_without_a_run_says_so(tmp_path):
    app = create_app(load_settings(data_dir=tmp_path / "var"))
    with TestClient(app) as empty:
        html = empty.get("/risk", params={"lang": "en"}).text
    assert "No risk list has been computed yet" in html and "Forecast, not a case." in html
    assert not _headings(html)


def test_every_risk_message_has_a_vietnamese_translation():
    with catalogue_path("vi").open("rb") as po_file:
        catalog = read_po(po_file, locale="vi")
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    used = set()
    for kind, path in (("python", "alerts/risk_words.py"),
                       ("jinja2", "web/templates/risk.html.j2")):
        options = {"extensions": "jinja2.ext.i18n"} if kind == "jinja2" else {}
        for _line, msgid, _comments, _context in extract_from_file(
                kind, str(ROOT / path), keywords={"_": None, "N_": None}, options=options):
            used.add(msgid)
    assert len(used) > 30 and used - translated == set()
