"""The read-only JSON API: a valid OpenAPI 3 document, 200 for every path with good inputs and
4xx (never 5xx) with bad ones, paging, the filters of the case page, and the same answers on
SQLite and PostgreSQL for the queries whose SQL differs between them (LIKE, JSON, dates)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate
from sqlalchemy import select

from storage.models import Notice
from tests.conftest import fresh_schema, postgres_available
from tests.web_data import WebData, build
from web.schemas import MAX_LIMIT

# One good and several bad values for each parameter the API takes.
GOOD = {"notice_id": "{notice}", "case_id": "{case}"}
BAD_IDS = ["0", "-1", "abc", "99999999999999999999", "1.5"]
BAD_QUERIES = [
    "limit=0", f"limit={MAX_LIMIT + 1}", "limit=x", "offset=-1", "offset=99999999999999999999",
    "market=U%20S", "measure=XX", "stage=a;b", "sector=%27%20or%201=1", "year=12",
    "status=maybe", "q=%00", "q=" + "x" * 201, "vietnam=maybe", "severity=extreme",
]


@pytest.fixture(scope="module")
def postgres_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebData]:
    """The same notices through the same pipeline into a fresh PostgreSQL schema."""
    reason = postgres_available()
    if reason:
        pytest.skip(reason)
    with fresh_schema("trews_web") as url:
        yield build(url, tmp_path_factory.mktemp("web_pg") / "var")


def some_ids(client: TestClient) -> dict[str, int]:
    return {"notice": client.get("/api/notices?limit=1").json()["items"][0]["id"],
            "case": client.get("/api/cases?limit=1").json()["items"][0]["id"]}


def test_openapi_document_is_valid_and_covers_the_api(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    validate(document)  # raises on an invalid OpenAPI document
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) >= {
        "/api/notices", "/api/notices/{notice_id}", "/api/cases", "/api/cases/{case_id}",
        "/api/sectors", "/api/markets", "/api/stats"}
    # Only the JSON API is described: pages, feeds and exports are not API paths.
    assert not [path for path in document["paths"] if not path.startswith("/api/")]


def test_every_api_path_answers_good_inputs(client: TestClient) -> None:
    ids = some_ids(client)
    for path in client.get("/api/openapi.json").json()["paths"]:
        url = path.format(**{name: ids[value.strip("{}")] for name, value in GOOD.items()})
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"] == "application/json"


def test_bad_inputs_are_refused_with_4xx_never_5xx(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in paths:
        for name in GOOD:
            if "{" + name + "}" in path:
                for bad in BAD_IDS:
                    status = client.get(path.replace("{" + name + "}", bad)).status_code
                    assert 400 <= status < 500, (path, bad, status)
        if "{" not in path:
            for query in BAD_QUERIES:
                status = client.get(f"{path}?{query}").status_code
                assert status < 500, (path, query, status)
    for listing in ("/api/notices", "/api/cases"):
        for query in BAD_QUERIES:
            if query.split("=")[0] in ("limit", "offset", "q"):
                assert client.get(f"{listing}?{query}").status_code == 422, (listing, query)
    assert client.get("/api/cases/999999").status_code == 404
    assert client.get("/api/notices/999999").json() == {"detail": "no such notice"}


def test_paging_with_a_total(client: TestClient) -> None:
    first = client.get("/api/cases?limit=20").json()
    total = first["total"]
    assert (first["limit"], first["offset"], len(first["items"])) == (20, 0, 20)
    walked = []
    for offset in range(0, total, 20):
        page = client.get(f"/api/cases?limit=20&offset={offset}").json()
        assert page["total"] == total
        walked += [case["id"] for case in page["items"]]
    assert len(walked) == total == len(set(walked))
    assert walked == [case["id"] for case in client.get("/cases?format=json").json()]
    assert client.get(f"/api/cases?offset={total}").json()["items"] == []
    notices = client.get(f"/api/notices?limit={MAX_LIMIT}").json()
    assert len(notices["items"]) == MAX_LIMIT < notices["total"]


def test_case_filters_match_the_case_page(client: TestClient) -> None:
    for query in ("stage=final", "market=US&measure=CVD", "sector=steel&status=open",
                  "q=wind%20tower", "year=2020", "q=A-552-836"):
        api = client.get(f"/api/cases?{query}&limit={MAX_LIMIT}").json()
        page = client.get(f"/cases?{query}&format=json").json()
        assert api["items"] == page and api["total"] == len(page), query
        assert page, query


def test_notice_filters(client: TestClient, web: WebData) -> None:
    vietnam = client.get(f"/api/notices?vietnam=any&limit={MAX_LIMIT}").json()
    assert vietnam["items"] and all(
        n["vietnam"] in ("subject", "circumvention") for n in vietnam["items"])
    high = client.get(f"/api/notices?severity=high&vietnam=subject&limit={MAX_LIMIT}").json()
    assert high["items"] and all(n["severity"] == "high" for n in high["items"])
    shrimp = client.get(f"/api/notices?sector=shrimp&limit={MAX_LIMIT}").json()
    assert shrimp["items"] and all("shrimp" in n["sectors"] for n in shrimp["items"])
    # The SQL filter on the JSON list finds exactly the notices whose list has that element.
    with web.service.sessions() as session:
        analyses = session.execute(select(Notice.id, Notice.analysis).where(
            Notice.trade_remedy.is_(True))).all()
    for sector in ("other", "steel", "paper"):
        listed = client.get(f"/api/notices?sector={sector}&limit={MAX_LIMIT}").json()["items"]
        assert {n["id"] for n in listed} == {
            notice for notice, analysis in analyses if sector in analysis["sectors"]}, sector
    titled = client.get("/api/notices?q=shopping%20bags").json()
    assert titled["items"] and all("shopping bags" in n["title"].lower()
                                   for n in titled["items"])


def test_notice_detail_carries_the_analysis(client: TestClient, web: WebData) -> None:
    found = client.get("/api/notices?q=Paper%20Shopping%20Bags%20From%20the%20Socialist"
                       "&vietnam=subject").json()["items"]
    real = [n for n in found if n["id"] != web.hostile_id and "Preliminary" in n["title"]]
    detail = client.get(real[0]["link"].replace("/notices/", "/api/notices/")).json()
    assert detail["case_numbers"] == ["A-552-836"] and detail["stage"] == "preliminary"
    assert detail["measures"] == ["AD"] and detail["sectors"] == ["paper"]
    assert len(detail["reasons"]) >= 5 and detail["cases"][0]["link"].startswith("/cases/")
    case = client.get(f"/api/cases/{detail['cases'][0]['id']}").json()
    assert real[0]["id"] in [step["notice_id"] for step in case["timeline"]]
    assert case["next_step"] == "final" and case["next_due"]


def test_a_notice_url_that_is_not_http_is_returned_as_null(client: TestClient,
                                                          web: WebData) -> None:
    # The hostile notice was stored with url javascript:alert(2), as before the store refused it.
    detail = client.get(f"/api/notices/{web.hostile_id}").json()
    assert detail["url"] is None
    listed = client.get("/api/notices?q=Paper%20Shopping%20Bags&limit=100").json()["items"]
    assert [n["url"] for n in listed if n["id"] == web.hostile_id] == [None]
    case = client.get(f"/api/cases/{detail['cases'][0]['id']}")
    step = next(s for s in case.json()["timeline"] if s["notice_id"] == web.hostile_id)
    assert step["notice_url"] is None and "javascript:" not in case.text


def test_sectors_markets_and_stats(client: TestClient) -> None:
    sectors = client.get("/api/sectors").json()
    assert {"shrimp", "steel", "paper"} <= {s["id"] for s in sectors}
    assert next(s for s in sectors if s["id"] == "shrimp")["name_vi"] == "tôm"
    for sector in sectors[:3]:
        assert client.get(sector["feed"]).status_code == 200
    markets = client.get("/api/markets").json()
    assert "US" in {m["code"] for m in markets}
    stats = client.get("/api/stats").json()
    assert stats["total"] == client.get("/api/cases").json()["total"]
    assert sum(stats["by_market"]["US"].values()) == sum(
        1 for case in client.get("/cases?format=json").json() if case["opened_on"])


PORTABLE_QUERIES = [
    "/api/cases?limit=200", "/api/cases?q=shrimp&limit=200", "/api/cases?q=A-552&limit=200",
    "/api/cases?q=FROZEN&limit=200", "/api/cases?q=%25&limit=200",
    "/api/cases?sector=steel&limit=200", "/api/cases?year=2022&limit=200",
    "/api/cases?stage=initiation&status=open&limit=200", "/api/notices?sector=paper&limit=200",
    "/api/notices?sector=other&limit=200", "/api/notices?market=US&vietnam=any&limit=200",
    "/api/notices?q=Vietnam&severity=high&limit=200", "/api/stats",
]


def comparable(body: Any) -> Any:
    """A response without the values that depend on insertion time."""
    if isinstance(body, dict):
        return {key: comparable(value) for key, value in body.items() if key != "fetched_at"}
    if isinstance(body, list):
        return [comparable(value) for value in body]
    return body


@pytest.mark.postgres
def test_postgres_answers_like_sqlite(web: WebData, postgres_web: WebData) -> None:
    lite, postgres = web.client(), postgres_web.client()
    for url in PORTABLE_QUERIES:
        expected, got = lite.get(url), postgres.get(url)
        assert got.status_code == expected.status_code == 200, url
        assert comparable(got.json()) == comparable(expected.json()), url
    for page in ("/", "/cases?q=shrimp", "/stats", "/feeds/sectors/paper.atom"):
        assert postgres.get(page).status_code == 200, page
    csv_lite = lite.get("/cases?sector=paper&format=csv").content
    assert postgres.get("/cases?sector=paper&format=csv").content == csv_lite
