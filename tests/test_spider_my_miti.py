"""The my_miti spider against a synthetic replica of MITI's trade-remedy notices whose P.U. (A)
rows link two real Federal Gazette orders (bilingual PDFs), run as the service runs it: a
child-process crawl of a local replay server.

What the orders say, from reading them (tests/test_pdf_notices.py): P.U. (A) 197/2021 imposes AD
duties on cold-rolled stainless steel from Indonesia and Viet Nam ("Republik Sosialis Viet Nam"),
headings 7219.31 to 7219.35 and 7220.20; P.U. (A) 225/2023 sets new rates after an administrative
review on China, Korea, Chinese Taipei and Thailand and does not name Vietnam.
"""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request

from analysis_run import notice_input
from config import load_sectors, load_sources
from crawlers.dates import written_date
from crawlers.spiders.my_miti import MyMitiSpider, notice_rows_of, pu_number
from crawlers.tables import LayoutChanged
from rules.analyse import analyse
from tests.conftest import RECORDINGS, ROOT
from tests.crawl_harness import Harness, replaying

SOURCE = "my_miti"
LIST = "/index.php/pages/view/trade-remedies-notices"
PUA197 = "/miti/resources/Trade_Practices/PUA_197_2021.pdf"
PUA225 = "/miti/resources/Trade_Practices/PUA_225_2023.pdf"
LIST_FILE = RECORDINGS / SOURCE / "synthetic_trade_remedies_notices.html"
NOTICES = 5
# Synthetic: the list redesigned as cards, with no table.
CARDS = (b'<!DOCTYPE html><html lang="en"><body><main><div class="card"><a href="/x.pdf">'
         b"P.U. (A) 300/2026 Perintah Kastam (Duti Anti-Lambakan) 2026</a></div></main></body>"
         b"</html>")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Harness, list]]:
    with replaying(SOURCE, tmp_path_factory.mktemp(SOURCE) / "var") as h:
        assert h.crawl(date(2000, 1, 1)).ok
        yield h, h.requests()


def test_each_row_is_a_notice_and_each_order_is_read_from_its_gazette_pdf(crawled) -> None:
    h, requests = crawled
    assert requests[0].path == LIST and {r.path for r in requests[1:]} == {PUA225, PUA197}
    assert all(r.headers["Accept"] == "application/pdf" for r in requests[1:])
    notices = h.notices()
    assert len(notices) == NOTICES
    origin = h.replay.base_url.rstrip("/")
    order = notices["P.U. (A) 197/2021"]
    assert order.title == ("Perintah Kastam (Duti Anti-Lambakan) 2021 / Customs (Anti-Dumping "
                           "Duties) Order 2021")
    assert order.published == date(2021, 4, 26) and order.market == "MY"
    assert order.url == origin + PUA197
    assert "PERINTAH KASTAM (DUTI ANTI-LAMBAKAN) 2021" in order.body  # the Malay text
    assert "CUSTOMS (ANTI-DUMPING DUTIES) ORDER 2021" in order.body  # and the English
    assert notices["P.U. (A) 225/2023"].published == date(2023, 7, 25)
    release = notices["/index.php/pages/view/10452"]  # a media release: the list's text
    assert release.published == date(2024, 10, 10) and release.url == origin + release.external_id
    row = h.health()
    assert (row.last_status, row.items_last_run, row.health_reason) == ("ok", NOTICES, None)


def test_the_gazette_orders_are_analysed_with_their_origins_measure_and_hs_codes(crawled) -> None:
    h, _ = crawled
    sectors = load_sectors()
    vietnam = analyse(notice_input(h.notices()["P.U. (A) 197/2021"]), sectors)
    assert (vietnam.trade_remedy, vietnam.market, vietnam.measures) == (True, "MY", ["AD"])
    assert vietnam.countries == ["ID", "VN"] and vietnam.vietnam == "subject"
    assert {"72193100", "72193500", "72202010"} <= set(vietnam.hs_codes)
    assert vietnam.stage == "order" and vietnam.sectors == ["steel"]
    review = analyse(notice_input(h.notices()["P.U. (A) 225/2023"]), sectors)
    assert review.countries == ["CN", "KR", "TH", "TW"] and review.vietnam == "none"
    assert review.measures == ["AD"] and review.proceeding == "administrative_review"
    assert {"72193100", "72202090"} <= set(review.hs_codes)


def test_a_media_release_naming_viet_nam_is_a_trade_remedy_on_vietnam(crawled) -> None:
    h, _ = crawled
    result = analyse(notice_input(h.notices()["/index.php/pages/view/10452"]), load_sectors())
    assert result.trade_remedy and result.measures == ["AD"] and result.vietnam == "subject"
    assert result.stage == "initiation"


def test_rows_before_since_are_skipped_and_their_pdf_not_fetched() -> None:
    spider = MyMitiSpider(since=date(2023, 1, 1))
    spider.source = load_sources(ROOT / "config" / "sources.yaml")[SOURCE]
    url = spider.base_url + LIST.lstrip("/")
    response = HtmlResponse(url, body=LIST_FILE.read_bytes(), request=Request(url))
    results = list(spider.parse(response))
    assert [type(r).__name__ for r in results] == ["Notice", "Notice", "Request"]
    assert results[2].url == spider.base_url + PUA225.lstrip("/")


def test_a_list_cut_short_fails_the_source_and_loses_nothing(crawled, tmp_path: Path) -> None:
    baseline, _ = crawled
    with replaying(SOURCE, tmp_path / "var", copy_of=baseline.service.settings.data_dir) as h:
        h.replay.set_fault(LIST, "truncate")
        assert h.crawl(date(2026, 1, 1)).ok
        row = h.health()
        assert row.last_status == "failed" and "parse error" in (row.last_error or "")
        assert "page incomplete (no closing </html>; truncated?)" in h.log()
        assert len(h.notices()) == NOTICES


def test_a_list_without_its_table_is_a_layout_change() -> None:
    """What crawlers.fallback reads in degraded mode instead of failing."""
    url = "https://www.miti.gov.my" + LIST
    with pytest.raises(LayoutChanged, match="no notices table with title and date columns"):
        notice_rows_of(HtmlResponse(url, body=CARDS, request=Request(url)))


def test_gazette_numbers_and_dates_as_malaysia_writes_them() -> None:
    assert pu_number("P.U. (A) 197/2021") == "P.U. (A) 197/2021"
    assert pu_number("", "P.U.(A) 225 Perintah Kastam") == "P.U. (A) 225"
    assert pu_number("Media Release") is None
    assert written_date("25 Julai 2023") == date(2023, 7, 25)
    assert written_date("1 Mac 2024") == date(2024, 3, 1)
    assert written_date("12 Ogos 2024") == date(2024, 8, 12)
    assert written_date("26 April 2021") == date(2021, 4, 26)
    assert written_date("31 Februari 2024") is None
