"""Notices published as PDFs (EU Official Journal, Australian ADC, Malaysian and Pakistani gazettes)
get the same analysis as HTML and JSON notices once their text is extracted.

The expected facts come from reading each PDF (tests/fixtures/pdf/*/PROVENANCE.md says where each
file comes from), not from the rules:
- EU: Implementing Regulation (EU) 2022/58 keeps the AD duty on grain-oriented electrical steel
  from China, Japan, Korea, Russia and the USA after an expiry review; CN codes ex 7225 11 00 and
  ex 7226 11 00; Vietnam is not named.
- AU: ADC report REP 611 (ADN 2023/035), continuation inquiry of the dumping duty notice (China,
  Korea, Taiwan) and the countervailing duty notice (China) on zinc coated steel; tariff
  subheadings 7210.49.00, 7212.30.00, 7225.92.00, 7226.99.00. Vietnam appears only deep in the
  injury analysis as a source of imports "not subject to measures": not an origin.
- MY: P.U. (A) 197/2021 imposes AD duties on cold-rolled stainless steel; its schedule's country
  column lists the Republic of Indonesia and the Socialist Republic of Viet Nam (POSCO VST, others
  23.84%). P.U. (A) 225/2023 sets new rates after an administrative review on China, Korea,
  Chinese Taipei and Thailand; Vietnam is not named. Both: headings 7219.31 to 7219.35, 7220.20.
- PK: NTC final determination A.D.C No. 60/2021/NTC/CRC on cold rolled coils/sheets originating in
  and/or exported from Chinese Taipei, the European Union, Korea and Vietnam (17.25%); PCT headings
  7209.1510 ... 7209.2890.
"""

import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Spider
from scrapy.exceptions import DropItem

from config import load_sectors
from crawlers.documents import pdf_text
from crawlers.items import Notice
from crawlers.pipelines import SCANNED, UNREADABLE_ITEMS, DocumentTextPipeline
from rules import analyse
from rules.countries import mentions_vietnam
from tests.conftest import RECORDINGS

PDFS = Path(__file__).resolve().parent / "fixtures" / "pdf"
SECTORS = load_sectors()
REPO = ("https://github.com/willight1/lee_project/blob/"
        "49763b851de42bfeb2fb10d1c3861f103c8e6652/PDF/")
MAX_SECONDS = 1.0


@dataclass(frozen=True)
class Expected:
    """What reading the PDF says, in the contract's vocabulary."""

    countries: list[str]
    measures: list[str]
    proceeding: str
    stage: str
    vietnam: str
    hs_codes: set[str]  # the product's main codes, as digits; the output may hold more
    case_numbers: set[str]


@dataclass(frozen=True)
class PdfNotice:
    """One real PDF and the fields its spider would give it (title as the listing shows it)."""

    path: str
    market: str
    source: str
    title: str
    published: str
    url: str
    expected: Expected


NOTICES = [
    PdfNotice(
        "eu/eu_oj_L_reg_2022-58_GOES_AD608_definitive.pdf", "EU", "eu_eurlex",
        # The EUR-Lex title: the regulation's heading lines.
        "Commission Implementing Regulation (EU) 2022/58 of 14 January 2022 imposing a definitive "
        "anti-dumping duty on imports of certain grain-oriented flat-rolled products of "
        "silicon-electrical steel originating in the People\u2019s Republic of China, Japan, the "
        "Republic of Korea, the Russian Federation and the United States of America following an "
        "expiry review pursuant to Article 11(2) of Regulation (EU) 2016/1036 of the European "
        "Parliament and of the Council",
        "2022-01-17", "https://eur-lex.europa.eu/legal-content/EN/TXT/PDF/?uri=CELEX:32022R0058",
        Expected(["CN", "JP", "KR", "RU", "US"], ["AD"], "expiry_review", "continuation", "none",
                 {"72251100", "72261100"}, set()),
    ),
    PdfNotice(
        "au/au_adc_ADN_2023-035_zinc_coated_steel.pdf", "AU", "au_adc",
        # The report's running head, its first line: it names no measure and no 'from' list.
        "REP 611 \u2013 Zinc coated (galvanised) steel \u2013 China, Korea and Taiwan",
        "2023-06-22", REPO + "AUSTRALIA_Zinc_Coated_Antidumping_ADN_2023_035.pdf",
        Expected(["CN", "KR", "TW"], ["AD", "CVD"], "expiry_review", "continuation", "none",
                 {"72104900", "72123000", "72259200", "72269900"}, {"Case 611"}),
    ),
    PdfNotice(
        "my/my_gazette_PUA197_cold_rolled_steel_vietnam.pdf", "MY", "my_gazette",
        # The gazette's cover: number, then the order's name in Malay and English.
        "P.U. (A) 197 Perintah Kastam (Duti Anti-Lambakan) 2021 / "
        "Customs (Anti-Dumping Duties) Order 2021",
        "2021-04-26", REPO + "MALAYSIA_CR_Antidumping_PUA197_VIETNAM.pdf",
        Expected(["ID", "VN"], ["AD"], "investigation", "order", "subject",
                 {"72193100", "72193200", "72193300", "72193400", "72193500", "72202010",
                  "72202090"}, set()),
    ),
    PdfNotice(
        "my/my_gazette_PUA225_2023_stainless_cold_rolled.pdf", "MY", "my_gazette",
        "P.U. (A) 225 Perintah Kastam (Duti Anti-Lambakan) (Kajian Semula Pentadbiran) 2023 / "
        "Customs (Anti-Dumping Duties) (Administrative Review) Order 2023",
        "2023-07-25", REPO + "MALAYSIA_STS_CR_PUA225_2023.pdf",
        Expected(["CN", "KR", "TH", "TW"], ["AD"], "administrative_review", "results", "none",
                 {"72193100", "72193500", "72202010", "72202090"}, set()),
    ),
    PdfNotice(
        "pk/pk_ntc_ADC60_cold_rolled_steel.pdf", "PK", "pk_ntc",
        # The notice's heading (after the case number and 'Government of Pakistan').
        "Notice of Final Determination on Dumped Imports of Cold Rolled Coils/Sheets into Pakistan "
        "Originating in and/or Exported from Chinese Taipei, European Union, Republic of Korea and "
        "Socialist Republic of Vietnam and Imposition of Definitive Anti-dumping Duties thereof",
        "2022-02-03", REPO + "PAKISTAN_CR_Antidumping_A.D.C_No._60.pdf",
        # the notice imposes the definitive duties itself: its step is the measure
        Expected(["EU", "KR", "TW", "VN"], ["AD"], "investigation", "order", "subject",
                 {"72091510", "72091610", "72092890"}, {"A.D.C No. 60/2021/NTC/CRC"}),
    ),
]
IDS = [Path(n.path).stem for n in NOTICES]


@cache
def text_of(path: str) -> str:
    """The PDF's text, extracted once per run (the Australian report takes seconds)."""
    return pdf_text((PDFS / path).read_bytes())


def contract_input(notice: PdfNotice, text: str | None = None) -> dict[str, Any]:
    """The `trews analyse` input a spider produces for the PDF."""
    return {
        "id": Path(notice.path).stem, "market": notice.market, "source": notice.source,
        "title": notice.title, "text": text_of(notice.path) if text is None else text,
        "published": notice.published, "url": notice.url,
    }


@pytest.mark.parametrize("notice", NOTICES, ids=IDS)
def test_pdf_notice_analysed_like_any_notice(notice: PdfNotice) -> None:
    result = analyse(contract_input(notice), SECTORS).to_dict()
    want = notice.expected
    reasons = "\n".join(result["reasons"])
    assert result["trade_remedy"] is True, reasons
    assert result["market"] == notice.market
    assert result["countries"] == want.countries, reasons
    assert result["vietnam"] == want.vietnam, reasons
    assert result["measures"] == want.measures, reasons
    assert (result["proceeding"], result["stage"]) == (want.proceeding, want.stage), reasons
    assert want.hs_codes <= set(result["hs_codes"]), result["hs_codes"]
    assert all(code.startswith("72") for code in result["hs_codes"]), result["hs_codes"]
    assert result["sectors"] == ["steel"]
    assert want.case_numbers <= set(result["case_numbers"])


@pytest.mark.parametrize("notice", NOTICES, ids=IDS)
def test_pdf_notice_analysed_fast(notice: PdfNotice) -> None:
    """Up to 350,000 characters (the Australian report) in well under a second."""
    data = contract_input(notice)
    started = time.perf_counter()
    analyse(data, SECTORS)
    assert time.perf_counter() - started < MAX_SECONDS, len(data["text"])


def test_report_mentioning_vietnam_as_non_subject_source_does_not_make_it_an_origin() -> None:
    """REP 611 names 'imports from Vietnam and Korea (that are not subject to measures)': a
    mention deep in the analysis, not an origin, and no circumvention either."""
    report = NOTICES[1]
    assert mentions_vietnam(text_of(report.path))
    result = analyse(contract_input(report), SECTORS)
    assert result.vietnam == "none" and "VN" not in result.countries
    assert result.case_numbers == ["Case 611"]  # not the dozens of cases the report cites


def test_report_under_its_long_heading_gives_the_same_origins() -> None:
    """A listing may show the report's full heading instead of its running head."""
    report = NOTICES[1]
    data = contract_input(report) | {"title": (
        "Inquiry concerning the continuation of anti-dumping measures applying to zinc coated "
        "(galvanised) steel exported to Australia from the People\u2019s Republic of China, the "
        "Republic of Korea and Taiwan")}
    result = analyse(data, SECTORS)
    assert result.countries == ["CN", "KR", "TW"] and result.vietnam == "none"
    assert "AD" in result.measures and result.proceeding == "expiry_review"


def test_malay_half_of_the_gazette_alone_is_analysed() -> None:
    """'Duti anti-lambakan' and 'Republik Sosialis Viet Nam': the Malay text alone suffices."""
    gazette = NOTICES[2]
    malay = text_of(gazette.path).split("COUNTERVAILING AND ANTI-DUMPING DUTIES ACT")[0]
    assert "Republik" in malay and "Anti-Dumping" not in malay
    data = contract_input(gazette, malay) | {
        "title": "P.U. (A) 197 Perintah Kastam (Duti Anti-Lambakan) 2021"}
    result = analyse(data, SECTORS)
    assert result.trade_remedy and result.measures == ["AD"]
    assert result.countries == ["ID", "VN"] and result.vietnam == "subject"
    assert result.stage == "order" and result.sectors == ["steel"]


class _GazetteSpider(Spider):
    """A spider stub: the pipeline needs only its name, for the drop reason."""

    name = "my_gazette"


def pdf_item(document: bytes, document_type: str = "application/pdf") -> Notice:
    return Notice(
        source="my_gazette", external_id="PUA197-2021", market="MY", url=NOTICES[2].url,
        title=NOTICES[2].title, published="2021-04-26", body="", raw={},
        document=document, document_type=document_type,
    )


def test_pipeline_turns_a_pdf_item_into_body_text_that_analyses_like_the_file() -> None:
    gazette = NOTICES[2]
    raw = (PDFS / gazette.path).read_bytes()
    item = DocumentTextPipeline().process_item(
        pdf_item(raw, "application/pdf; charset=binary"), _GazetteSpider())
    assert "document" not in item
    assert "CUSTOMS (ANTI-DUMPING DUTIES) ORDER 2021" in item["body"]
    result = analyse(contract_input(gazette, item["body"]), SECTORS)
    assert result.countries == ["ID", "VN"] and result.vietnam == "subject"


def test_pipeline_keeps_an_item_without_document_as_it_is() -> None:
    item = Notice(source="my_gazette", external_id="x", market="MY", url="u", title="t",
                  body="already text")
    assert DocumentTextPipeline().process_item(item, _GazetteSpider())["body"] == "already text"


@pytest.mark.parametrize(("document", "document_type", "reason"), [
    (b"<html><body>Perintah Kastam</body></html>", "text/html", "cannot read a text/html"),
    (b"%PDF-1.4\n garbage, no xref, no trailer", "application/pdf", "unreadable PDF"),
    (b"", "application/pdf", "unreadable PDF"),
    (b"\x00\x01 not a pdf", "", "cannot read a untyped"),
], ids=["html", "broken-pdf", "empty", "untyped"])
def test_pipeline_drops_a_document_that_is_no_readable_pdf_naming_the_item(
    document: bytes, document_type: str, reason: str
) -> None:
    with pytest.raises(DropItem) as dropped:
        DocumentTextPipeline().process_item(pdf_item(document, document_type), _GazetteSpider())
    message = str(dropped.value)
    assert "my_gazette" in message and "PUA197-2021" in message and reason in message


class _Stats:
    """The one stats method the pipeline calls, counting."""

    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + count


def test_pipeline_keeps_a_scanned_pdf_with_the_lists_fields_and_counts_it() -> None:
    """A valid PDF with no text layer (a scan) is no parse error: the notice is kept, its body
    saying why it has no text, and counted for the run's report (crawlers/extensions.py)."""
    scanned = (RECORDINGS / "pk_ntc" / "synthetic_scanned_notice.pdf").read_bytes()
    spider = _GazetteSpider()
    spider.crawler = SimpleNamespace(stats=_Stats())  # type: ignore[assignment]
    item = pdf_item(scanned)
    item["body"] = "P.U. (A) 197. 26 April 2021"
    kept = DocumentTextPipeline().process_item(item, spider)
    assert "document" not in kept and kept["title"] == NOTICES[2].title
    assert kept["raw"] == {"unreadable": SCANNED}
    assert kept["body"] == ("P.U. (A) 197. 26 April 2021\n"
                            "The PDF could not be read (scanned: no text layer); see the link.")
    assert spider.crawler.stats.values == {UNREADABLE_ITEMS: 1}


def test_long_document_without_origins_up_front_takes_its_first_originating_in_list() -> None:
    """A cover page of boilerplate, then the operative 'originating in' list; a later 'imports
    from Korea' in the analysis is not an origin. (Synthetic: the real PDFs all name their
    origins in the title, opening or schedule.)"""
    cover = "Official Journal of the Union. Legislation. Contents. " * 60
    text = (f"{cover} Definitive anti-dumping duty on steel wire originating in the Socialist "
            "Republic of Vietnam and Thailand. Imports from Korea remained low.")
    data = {"id": "synthetic-long", "market": "EU", "source": "eu_eurlex", "title":
            "Commission Implementing Regulation imposing a definitive anti-dumping duty on steel "
            "wire", "text": text, "published": "2024-01-02", "url": ""}
    result = analyse(data, SECTORS)
    assert len(text) > 2_000
    assert result.countries == ["TH", "VN"] and result.vietnam == "subject"
