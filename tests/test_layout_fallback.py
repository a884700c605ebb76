"""A source whose list page is redesigned (classes renamed, tables turned into lists) is read in
degraded mode: the list's entries as a person sees them, marked degraded, analysed like any
notice; the source's health says "degraded" with one operator mail, not "failing" and not "ok";
and the since-date stays at the last complete crawl."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from alerts.operator import OperatorContext, build_operator_view
from analysis_run import analyse_pending
from replay import ReplayServer
from replay.manifest import Recording, Route, load_manifest
from storage.database import transaction
from storage.models import OperatorAlert
from tests.crawl_harness import harness

# The sources whose lists are HTML pages (the others read JSON, RSS or the FR API).
HTML_SOURCES = ("uk_tra", "ca_cbsa", "in_dgtr", "au_adc", "vn_trav", "vn_trav_warnings", "my_miti",
                "pk_ntc")
SINCE = date(2000, 1, 1)


def renamed_classes(html: str) -> str:
    """Every class renamed, as a new theme or CSS framework does."""
    return re.sub(r'class="([^"]*)"',
                  lambda m: 'class="' + " ".join(f"v2-{name}" for name in m.group(1).split())
                  + '"', html)


def tables_as_lists(html: str) -> str:
    """Every table turned into a list of items (a "card" redesign), headers gone."""
    html = re.sub(r"<thead\b.*?</thead>", "", html, flags=re.S | re.I)
    for old, new in (("table", "ul"), ("tr", "li"), ("td", "span"), ("th", "span")):
        html = re.sub(rf"<{old}\b[^>]*>", f"<{new}>", html, flags=re.I)
        html = re.sub(rf"</{old}>", f"</{new}>", html, flags=re.I)
    return re.sub(r"</?(tbody|caption)\b[^>]*>", "", html, flags=re.I)


def redesigned(source: str, change: Callable[[str], str]) -> list[Route]:
    """The recorded routes, the HTML pages of `source` changed by `change`."""
    routes = []
    for route in load_manifest():
        recording = route.recording
        if route.group == source and "html" in (recording.header("content-type") or ""):
            body = change(recording.body.decode("utf-8")).encode("utf-8")
            recording = Recording.build(body, recording.status, recording.headers,
                                        recording.source)
        routes.append(replace(route, recording=recording))
    return routes


@pytest.fixture
def served(request: pytest.FixtureRequest) -> Iterator[ReplayServer]:
    source, change = request.param
    with ReplayServer(redesigned(source, change), lifetime_s=300).running_in_thread() as server:
        yield server


@pytest.mark.parametrize("served", [(source, lambda html: tables_as_lists(renamed_classes(html)))
                                    for source in HTML_SOURCES], indirect=True, ids=HTML_SOURCES)
def test_a_redesigned_list_is_read_in_degraded_mode(served: ReplayServer, tmp_path: Path,
                                                    request: pytest.FixtureRequest) -> None:
    source = request.node.callspec.id
    h = harness(source, served, tmp_path / "var")
    result = h.crawl(since=SINCE)
    assert result.ok, result.detail
    notices = list(h.notices().values())
    assert notices, "a redesigned list must not read as empty"
    assert all(notice.raw.get("degraded") for notice in notices)
    assert all(notice.title and notice.url for notice in notices)
    assert any(notice.published for notice in notices)  # dates read from the entries' text
    health = h.health()
    assert (health.health, health.last_status) == ("degraded", "degraded")
    assert "page layout changed" in (health.health_reason or "")
    assert health.last_success_at is None  # the next complete crawl asks from the last one
    # Analysed like any other notice.
    analyse_pending(h.service)
    assert all(notice.analysis is not None for notice in h.notices().values())
    # A second degraded crawl sends no second mail; the one mail says what happened.
    assert h.crawl(since=SINCE).ok
    with transaction(h.service.sessions) as session:
        alerts = list(session.scalars(select(OperatorAlert).where(
            OperatorAlert.source_id == source)))
        assert [alert.kind for alert in alerts] == ["degraded"]
        view = build_operator_view(OperatorContext(
            alert_id=alerts[0].id, kind="degraded", source_id=source, authority="x",
            reason=alerts[0].reason, changed_at=alerts[0].created_at, last_success_at=None,
            recipient_email="ops@example.vn"))
    assert view.subject.startswith("[TREWS][NGUỒN ĐỌC Ở CHẾ ĐỘ DỰ PHÒNG]")
    assert "không tìm thấy cấu trúc mà TREWS đọc" in view.reason_lines[0]


@pytest.mark.parametrize("served", [(source, renamed_classes) for source in HTML_SOURCES],
                         indirect=True, ids=HTML_SOURCES)
def test_renamed_classes_never_read_as_nothing(served: ReplayServer, tmp_path: Path,
                                               request: pytest.FixtureRequest) -> None:
    """Spiders that find their tables by header read on as before; the others fall back."""
    source = request.node.callspec.id
    h = harness(source, served, tmp_path / "var")
    assert h.crawl(since=SINCE).ok
    notices = list(h.notices().values())
    assert notices
    degraded = any(notice.raw.get("degraded") for notice in notices)
    assert h.health().health == ("degraded" if degraded else "ok")
