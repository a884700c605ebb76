"""The JSON API against its own OpenAPI document (issue 8): schemathesis generates valid and
invalid requests for every operation of /api/openapi.json and sends them to the ASGI app (no
server). Every answer must be a status the document declares, with its content type and a body of
its schema, never a server error; invalid input is refused and valid input accepted. The database
holds the real notices of tests/web_data.py and the bundled historic case lists, so filters match
and generated ids find notices and cases.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openapi_spec_validator import validate
from pydantic import SecretStr
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import sessionmaker

from config import Settings
from storage.history import bundled_lists, import_history
from tests.web_data import sqlite_data
from web.app import create_app

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection, positive_data_acceptance]
# What the property test got, per operation and status, for the test that it reached real data.
STATUSES: Counter[tuple[str, int]] = Counter()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """A copy of the shared web database (left as the other modules expect it) with the
    historic case lists imported, and the app on it."""
    shared = sqlite_data(tmp_path_factory).service.settings.db_url.removeprefix("sqlite:///")
    folder: Path = tmp_path_factory.mktemp("web_properties")
    with closing(sqlite3.connect(shared)) as source, \
            closing(sqlite3.connect(folder / "trews.db")) as copy:
        source.backup(copy)
    settings = Settings(data_dir=folder / "var", database_url=f"sqlite:///{folder / 'trews.db'}")
    built = create_app(settings)
    assert import_history(built.state.sessions, bundled_lists()).cases > 1000
    return built


def document_app() -> FastAPI:
    """The app without a database: its document depends on no data, so it can be read when the
    tests are collected (one test per operation)."""
    return create_app(Settings(secret_key=SecretStr("document only, not signing")),
                      sessions=sessionmaker())


schema = schemathesis.openapi.from_asgi("/api/openapi.json", document_app())


@schema.parametrize()
@hypothesis.settings(max_examples=40, derandomize=True, deadline=None, database=None)
def test_api_conforms_to_its_document(case: schemathesis.Case, app: FastAPI) -> None:
    response = case.call_and_validate(app=app, checks=CHECKS)
    STATUSES[(f"{case.operation.method.upper()} {case.operation.path}",
              response.status_code)] += 1


def test_the_generated_requests_reached_real_data() -> None:
    """Not only refusals: every operation answered 200, and an id of each kind was found and
    another was not."""
    if not STATUSES:
        pytest.skip("reads what test_api_conforms_to_its_document recorded")
    operations = {operation for operation, _ in STATUSES}
    assert operations == {f"GET {path}" for path in schema.raw_schema["paths"]}
    assert all(STATUSES[(operation, 200)] for operation in operations), STATUSES
    for item in ("GET /api/notices/{notice_id}", "GET /api/cases/{case_id}"):
        assert STATUSES[(item, 404)] and STATUSES[(item, 422)], STATUSES


def test_the_document_tells_a_script_writer_what_to_expect(app: FastAPI) -> None:
    """The tested document is the one the app serves; each operation says what it does, the
    shape of its answer, and its refusals."""
    document = TestClient(app).get("/api/openapi.json").json()
    assert document == schema.raw_schema
    validate(document)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary") and operation.get("description"), where
            responses = operation["responses"]
            assert responses["200"]["content"]["application/json"]["schema"], where
            if "{" in path:
                assert responses["404"]["content"]["application/json"]["schema"], where
            if operation.get("parameters"):
                assert "422" in responses, where
