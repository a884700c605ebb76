"""The uk_tra spider, run as the service runs it (a child process), against the local replay
server serving the synthetic replicas of the Trade Remedies Service's public pages
(replay/recordings/uk_tra/)."""

import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse

from analysis_run import notice_input
from config import load_sectors
from crawlers.spiders.uk_tra import parse_case_list, parse_case_page
from rules.analyse import analyse
from tests.crawl_harness import Harness

SOURCE = "uk_tra"
RECORDINGS = Path(__file__).resolve().parent.parent / "replay" / "recordings" / SOURCE
LIST = "/public/cases/"
CASE_PAGES = {"AD0052", "AS0053", "SF0009", "AD0037"}  # the cases updated since SINCE
SINCE = date(2026, 10, 1)
HTML = {"content-type": "text/html; charset=utf-8"}


def list_page() -> str:
    return (RECORDINGS / "synthetic_public_cases.html").read_text(encoding="utf-8")


def test_crawl_stores_each_changed_case_with_its_case_page(h: Harness) -> None:
    assert h.crawl(SINCE).ok, h.log()

    notices = h.notices()
    assert set(notices) == CASE_PAGES  # the 9 cases unchanged since SINCE are skipped
    vn = notices["AD0052"]
    assert vn.title == ("Aluminium extrusions from China and Vietnam: Anti-dumping investigation"
                        " — Investigation in progress")
    assert vn.url == f"{h.replay.base_url.rstrip('/')}/public/case/AD0052/"
    assert vn.published == date(2026, 11, 17)  # the list's "Updated": the latest public notice
    assert vn.market == "GB"
    assert vn.raw["countries"] == ["China", "Vietnam"]
    assert vn.raw["case_type"] == "Anti-dumping investigation"
    assert vn.raw["initiated"] == "2026-11-03"
    assert vn.raw["commodity_codes"][0] == "7604 10 10 00"
    assert "Socialist Republic of Viet Nam" in vn.body and "Notice of initiation" in vn.body
    closed = notices["AD0037"]
    assert closed.published == date(2026, 10, 20) and closed.raw["listed_as"] == "completed"
    assert closed.title.endswith("— Final determination")
    paths = sorted(r.path for r in h.requests("/public/"))
    assert paths == sorted([LIST, *(f"/public/case/{ref}/" for ref in CASE_PAGES)])
    assert "text/html" in h.requests("/public/")[0].headers["Accept"]
    row = h.health()
    assert (row.last_status, row.items_last_run, row.consecutive_failures) == ("ok", 4, 0)

    analysis = analyse(notice_input(vn), load_sectors()).to_dict()
    assert analysis["trade_remedy"] is True
    assert (analysis["market"], analysis["vietnam"], analysis["measures"]) == (
        "GB", "subject", ["AD"])
    assert "AD0052" in analysis["case_numbers"] and analysis["sectors"] == ["aluminium"]


def test_recrawl_revalidates_and_stores_nothing_twice(h: Harness) -> None:
    assert h.crawl(SINCE).ok
    h.replay.clear_requests()

    assert h.crawl(SINCE).ok

    again = h.requests("/public/")
    assert len(again) == 1 + len(CASE_PAGES)
    assert all(r.status == 304 and "If-None-Match" in r.headers for r in again)
    assert len(h.notices()) == len(CASE_PAGES)
    runs = h.runs()
    assert [(run.items_new, run.items_updated) for run in runs] == [(4, 0), (0, 0)]


def test_cases_beyond_the_page_budget_keep_their_list_fields(h: Harness) -> None:
    sources_file = h.service.settings.sources_file
    config = yaml.safe_load(sources_file.read_text())
    config["sources"][SOURCE]["options"]["max_case_pages"] = 1
    sources_file.write_text(yaml.safe_dump(config))

    assert h.crawl(SINCE).ok

    notices = h.notices()
    assert set(notices) == CASE_PAGES
    assert notices["AD0052"].raw["stage"] == "Investigation in progress"
    assert "stage" not in notices["SF0009"].raw
    assert notices["SF0009"].title == ("Certain steel products from All countries: "
                                       "Safeguarding investigation")
    assert [r.path for r in h.requests("/public/")] == [LIST, "/public/case/AD0052/"]


def test_broken_pages_fail_the_source_and_lose_nothing(h: Harness) -> None:
    assert h.crawl(SINCE).ok
    before = {ref: notice.content_hash for ref, notice in h.notices().items()}
    faults = [(LIST, "truncate", "truncated?"), (LIST, "garbage", "no case table"),
              ("/public/case/AD0052/", "truncate", "truncated?")]

    for failures, (path, fault, logged) in enumerate(faults, start=1):
        h.replay.clear_faults()
        h.replay.set_fault(path, fault)
        log_before = len(h.log())
        h.crawl(SINCE)

        row = h.health()
        assert (row.last_status, row.consecutive_failures) == ("failed", failures), fault
        assert "parse error" in (row.last_error or "")
        assert logged in h.log()[log_before:]
        after = {ref: notice.content_hash for ref, notice in h.notices().items()}
        assert after == before


def test_unreachable_pages_fail_the_source(h: Harness) -> None:
    h.replay.set_fault("/public/case/AD0052/", "http500")
    page = (RECORDINGS / "synthetic_case_AS0053.html").read_text(encoding="utf-8")
    h.replay.add_route("/public/case/AS0053/",
                       page.replace("govuk-summary-list", "app-case-facts").encode(), headers=HTML)

    h.crawl(SINCE)

    row = h.health()
    assert row.last_status == "failed"
    assert "HTTP error" in (row.last_error or "") and "parse error" in (row.last_error or "")
    log = h.log()
    assert "download failed" in log and "no case details summary list" in log
    assert set(h.notices()) == {"SF0009", "AD0037"}  # the other case pages still count


def test_unknown_list_layout_is_a_clear_parse_error(h: Harness) -> None:
    maintenance = ("<!DOCTYPE html><html><body><main><h1>TRA Investigations</h1>"
                   "<p>Service maintenance</p></main></body></html>")
    h.replay.add_route(LIST, maintenance.encode(), headers=HTML)

    h.crawl(SINCE)

    assert h.health().last_status == "failed"
    assert "public/cases/: no case table" in h.log()
    assert h.notices() == {}


def list_response(body: bytes, encoding: str = "utf-8") -> HtmlResponse:
    return HtmlResponse("https://www.trade-remedies.service.gov.uk/public/cases/", body=body,
                        encoding=encoding)


def test_parser_names_a_missing_column_and_a_misdeclared_encoding() -> None:
    renamed = list_page().replace("Country\n", "Origin\n").encode()
    with pytest.raises(ValueError, match=r"lacks columns \['countries'\]"):
        parse_case_list(list_response(renamed))
    with pytest.raises(ValueError, match="no case table"):  # UTF-8 bytes read as UTF-16
        parse_case_list(list_response(list_page().encode(), encoding="utf-16"))
    assert len(parse_case_list(list_response(list_page().encode()))) == 13


def test_empty_case_list_is_a_success_with_no_items(h: Harness) -> None:
    empty = re.sub(r'(<tbody class="govuk-table__body">).*?(</tbody>)', r"\1\2", list_page(),
                   flags=re.S)
    h.replay.add_route(LIST, empty.encode("utf-8"), headers=HTML)

    assert h.crawl(SINCE).ok

    row = h.health()
    assert (row.last_status, row.items_last_run, row.consecutive_empty_runs) == ("ok", 0, 1)


FRAGMENTS = st.sampled_from([
    "<table class='govuk-table'>", "<thead>", "<tbody>", "<tr>", "<th>No.</th>", "<th>Country</th>",
    "<th>Type</th>", "<th>Initiated</th>", "<td>", "</td>", "<a href='/public/case/AD1/'>AD1</a>",
    "03 Nov 2026", "31 Feb 2026", "</html>", "<dl class='govuk-summary-list'>",
    "<div class='govuk-summary-list__row'><dt>Status</dt><dd>x</dd></div>", "\x00", "é", "/",
])


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=400),
                 st.lists(FRAGMENTS, max_size=40).map(lambda parts: "".join(parts).encode())))
def test_parsers_give_records_or_their_own_error_on_any_input(body: bytes) -> None:
    response = list_response(body)
    for parse in (parse_case_list, parse_case_page):
        try:
            parse(response)
        except ValueError as exc:
            assert "trade-remedies.service.gov.uk" in str(exc)
