"""Stated rates (rules/rates.py) on real notices: the EU regulation's duty tables, Malaysia's
gazettes (a block of labels then a block of values, and rows run over lines), Pakistan's rate per
country, Australia's report (negative margins, measure columns), the only full FR notice text
recorded (a PRC-wide cash deposit rate) and the real FR abstracts (one China-wide rate, nothing
else); then synthetic FR notices in the FR's three text layouts for what no recording shows (a
margins table with the Vietnam-wide entity, a countervailing subsidy-rate table), the words that
make a figure no rate, and any text at all.

The expected rates were written by reading each document's tables and sentences."""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.sectors import load_sectors
from rules import analyse
from rules.notice import Rate
from rules.rate_values import ALL_OTHERS, COUNTRY_WIDE, KINDS, PERCENT, holder_of
from rules.rates import find_rates
from tests.conftest import FR_PAGE
from tests.test_pdf_notices import NOTICES, contract_input

SECTORS = load_sectors()
FIXTURES = Path(__file__).resolve().parent / "fixtures"
RATES = FIXTURES / "rates"
FR_ISSUE = RATES / "fr_daily_issue_2016-04-15_govinfo_bulk.xml"
POSTS = FIXTURES / "us_fr_posts" / "deepseek_news_posts"
_BLOCKS = {"P", "FP", "HD", "SUBJECT", "DEPDOC", "AGENCY", "SUBAGY", "TTITLE", "DATED", "NAME"}


def pdf_rates(stem: str) -> list[dict[str, Any]]:
    notice = next(n for n in NOTICES if Path(n.path).stem == stem)
    return list(analyse(contract_input(notice), SECTORS).to_dict()["rates"])


def rate(value: float, kind: str, company: str | None, origin: str | None,
         unit: str = PERCENT) -> dict[str, Any]:
    return Rate(value, unit, kind, company, origin).to_dict()


def duty(value: float, company: str | None, origin: str | None) -> dict[str, Any]:
    return rate(value, "duty", company, origin)


# --- real notices ---------------------------------------------------------------------------------

def test_eu_regulation_duties_come_from_its_articles_not_its_recitals() -> None:
    """Article 1(4) and 1(5) of Regulation (EU) 2022/58: a duty per named firm (its seat names the
    origin) and the residual duty per origin ('All other Chinese companies'). The recitals' margins
    ('a dumping margin of around 21 %', '100 % of the export sales') are not the measure."""
    assert pdf_rates("eu_oj_L_reg_2022-58_GOES_AD608_definitive") == [
        duty(21.5, "Baoshan Iron Steel Co., Ltd, Shanghai; PRC", "CN"),
        duty(36.6, "Wuhan Iron Steel Co., Ltd, Wuhan, PRC", "CN"),
        duty(39.0, "JFE Steel Corporation, Tokyo, Japan", "JP"),
        duty(35.9, "Nippon Steel Sumitomo Metal Corporation, Tokyo, Japan", "JP"),
        duty(22.5, "POSCO, Seoul, Republic of Korea", "KR"),
        duty(21.6, "OJSC Novolipetsk Steel, Lipetsk; VIZ Steel, Ekaterinburg, Russian Federation",
             "RU"),
        duty(22.0, "AK Steel Corporation, Ohio, United States of America", "US"),
        duty(36.6, ALL_OTHERS, "CN"), duty(39.0, ALL_OTHERS, "JP"), duty(22.5, ALL_OTHERS, "KR"),
        duty(21.6, ALL_OTHERS, "RU"), duty(22.0, ALL_OTHERS, "US"),
    ]


def test_malaysian_gazette_columns_pair_labels_with_values_in_order() -> None:
    """P.U. (A) 197: the schedule's columns come out as countries, then firms, then rates; each
    country's firms end at its 'Others'. Vietnam's POSCO VST pays 7.81%, other Vietnamese 23.84%.
    The Malay half (Republik Sosialis Viet Nam, Lain-lain) repeats it and adds nothing."""
    assert pdf_rates("my_gazette_PUA197_cold_rolled_steel_vietnam") == [
        duty(8.8, "PT IMR ARC Steel", "ID"), duty(34.82, ALL_OTHERS, "ID"),
        duty(7.81, "POSCO VST Co., Ltd", "VN"), duty(23.84, ALL_OTHERS, "VN"),
    ]


def test_malaysian_gazette_rows_over_several_lines_keep_their_country() -> None:
    """P.U. (A) 225: each firm's name runs over lines, its country above it; the description's
    figures ('thickness between 0.3 milimetres to 6.5', '1,600 milimetres') are no rates."""
    assert pdf_rates("my_gazette_PUA225_2023_stainless_cold_rolled") == [
        duty(2.68, "Shanxi Taigang Stainless Steel Co., Ltd", "CN"), duty(23.95, ALL_OTHERS, "CN"),
        duty(4.44, "POSCO", "KR"), duty(7.27, ALL_OTHERS, "KR"),
        duty(7.78, "Tang Eng Iron Works Co., Ltd", "TW"),
        duty(2.79, "Walsin Lihwa Corporation", "TW"), duty(14.02, ALL_OTHERS, "TW"),
        duty(22.86, "POSCO-Thainox", "TH"), duty(111.61, ALL_OTHERS, "TH"),
    ]


def test_pakistan_rate_per_country_and_no_range() -> None:
    """A.D.C No. 60: 'Country Name / Duty Rate (%of C&F price)' rows; the provisional duties
    'ranging from 6.18 percent to 17.25 percent' are bounds, not a rate of anyone."""
    assert pdf_rates("pk_ntc_ADC60_cold_rolled_steel") == [
        duty(6.18, None, "TW"), duty(6.5, None, "EU"), duty(13.24, None, "KR"),
        duty(17.25, None, "VN"),
    ]


def test_australian_report_leaves_out_negative_margins_and_measure_columns() -> None:
    """REP 611: Korea's and Taiwan's margins are negative (no dumping) and left out; the
    interim duties' 'IDD Combination' columns are not part of the firm; floor-price rows ('-',
    'N/A') state no rate; the subsidy margin is China's (its only subsidised origin)."""
    rates = pdf_rates("au_adc_ADN_2023-035_zinc_coated_steel")
    assert rate(1.9, "dumping_margin", ALL_OTHERS, "CN") in rates
    assert rate(12.1, "subsidy_rate", ALL_OTHERS, "CN") in rates
    for expected in (duty(8.9, "Jiangyin Zongcheng Steel Co. Ltd", "CN"),
                     duty(17.2, "Angang Steel Company Ltd", "CN"),
                     duty(17.2, "Yieh Phui (China) Technomaterial Co. Ltd", "CN"),
                     duty(17.2, "ANSC-TKS Galvanizing Co Ltd also known as TAGAL", "CN"),
                     duty(24.1, ALL_OTHERS, "CN"), duty(8.6, ALL_OTHERS, "TW")):
        assert expected in rates
    assert all(r["origin"] in ("CN", "TW") and r["value"] > 0 for r in rates)
    assert {r["value"] for r in rates} == {1.9, 12.1, 8.9, 17.2, 24.1, 8.6}


@cache
def fr_issue_notices() -> list[dict[str, Any]]:
    """The real FR issue of 15 April 2016, each document flattened the way an FR text comes:
    one line per paragraph or heading, a table row's cells apart by runs of spaces."""
    root = ET.parse(FR_ISSUE).getroot()
    documents = [el for el in root.iter() if el.tag in ("NOTICE", "RULE", "PRORULE")]
    return [_fr_document(el, n) for n, el in enumerate(documents)]


def _fr_document(element: ET.Element, number: int) -> dict[str, Any]:
    def text(el: ET.Element) -> str:
        return " ".join("".join(el.itertext()).split())

    lines = []
    for el in element.iter():
        if el.tag == "ROW":
            lines.append("   ".join(text(cell) for cell in el if cell.tag == "ENT"))
        elif el.tag in _BLOCKS:
            lines.append(text(el))
    subject = element.find(".//SUBJECT")
    docket = element.find(".//DEPDOC")
    return {"id": f"fr-2016-04-15-{number}", "market": "US", "source": "us_fr_documents",
            "title": text(subject) if subject is not None else "x", "text": "\n".join(lines),
            "published": "2016-04-15", "url": "",
            "raw": {"docket_ids": [text(docket).strip("[]")] if docket is not None else []}}


def test_full_fr_issue_states_one_rate_the_glycine_prc_wide_cash_deposit() -> None:
    """Of the 145 documents of a real FR issue, the trade remedies are Glycine (a review's
    preliminary results), Silicomanganese (a rescission) and the ITC's hot-rolled steel
    scheduling; only Glycine states a rate: 'the cash deposit rate will be the PRC-wide rate of
    453.79 percent'. The others (an SEC rule on margin requirements, interest rate tables, a
    free-trade zone's customs duty rates) state none."""
    notices = fr_issue_notices()
    outputs = [analyse(item, SECTORS).to_dict() for item in notices]
    with_rates = {out["id"]: out["rates"] for out in outputs if out["rates"]}
    remedies = {item["title"].split(" From ")[0] for item, out in zip(notices, outputs, strict=True)
                if out["trade_remedy"]}
    glycine = next(item["id"] for item in notices if item["title"].startswith("Glycine"))
    assert with_rates == {glycine: [rate(453.79, "cash_deposit", COUNTRY_WIDE, "CN")]}
    assert {"Glycine", "Silicomanganese", "Hot-Rolled Steel Flat Products"} <= remedies
    assert len(notices) == 145


def test_fr_abstracts_state_rates_only_where_they_do() -> None:
    """The real FR page of January 2024 (1,000 abstracts) and the 300 FR posts: one abstract
    names a rate (Double Coin is assigned 'the 105.31 percent China-wide rate'); the court
    decisions on mattresses and plate mention 'dumping margins' with no figure."""
    found: dict[str, list[dict[str, Any]]] = {}
    documents = json.loads(FR_PAGE.read_text(encoding="utf-8"))["results"]
    for doc in documents:
        out = analyse({"id": doc["document_number"], "market": "US", "title": doc["title"],
                       "text": doc.get("abstract") or "", "published": doc["publication_date"],
                       "raw": {"docket_ids": doc.get("docket_ids")}}, SECTORS).to_dict()
        if out["rates"]:
            found[out["id"]] = out["rates"]
    for path in sorted(POSTS.glob("*.md")):
        markdown = path.read_text(encoding="utf-8")
        title = re.search(r'^title: "(.*)"$', markdown, re.M)
        summary = re.search(r"## Summary\s*\n(.*?)\n## ", markdown, re.S)
        out = analyse({"id": path.stem, "market": "US", "title": title.group(1) if title else "x",
                       "text": summary.group(1) if summary else ""}, SECTORS).to_dict()
        if out["rates"]:
            found[out["id"]] = out["rates"]
    assert len(documents) == 1000
    assert list(found.values()) == [[rate(105.31, "dumping_margin", COUNTRY_WIDE, "CN")]]
    assert "off-the-road-tires" in next(iter(found))


# --- synthetic FR notices in the FR's text layouts (no real full text shows these) ----------------

def fr_rates(name: str, title: str, docket: str) -> list[dict[str, Any]]:
    text = (RATES / name).read_text(encoding="utf-8")
    out = analyse({"id": name, "market": "US", "title": title, "text": text,
                   "published": "2024-06-21", "raw": {"docket_ids": [docket]}}, SECTORS).to_dict()
    assert out["trade_remedy"] and out["vietnam"] == "subject"
    return list(out["rates"])


def test_fr_antidumping_preliminary_margins_table_with_the_vietnam_wide_entity() -> None:
    """The FR's fixed-width table: exporter and producer columns whose names wrap on to an
    indented line, a margin and a cash deposit column, dot leaders, a footnote mark; the
    Vietnam-wide entity is a country-wide rate; 'less than 0.5 percent' is a bound."""
    rates = fr_rates("synthetic_fr_ad_preliminary_vietnam_raw_text.txt",
                     "Example Steel Wire Strand From the Socialist Republic of Vietnam: "
                     "Preliminary Affirmative Determination of Sales at Less Than Fair Value",
                     "A-552-901")
    margins = [(23.41, 21.07, "Example Strand Joint Stock Company"),
               (0.0, 0.0, "Example Cable Manufacturing Co., Ltd"),
               (11.74, 9.4, "Example Pacific Wire Co., Ltd"), (187.63, 185.29, COUNTRY_WIDE)]
    assert rates == [r for margin, deposit, firm in margins
                     for r in (rate(margin, "dumping_margin", firm, "VN"),
                               rate(deposit, "cash_deposit", firm, "VN"))]


def test_fr_countervailing_subsidy_rates_one_cell_per_line() -> None:
    """The FR's HTML table as text, one cell per line: subsidy rates, a de minimis one, All
    Others; the prose on how the all-others rate is calculated states no figure."""
    rates = fr_rates("synthetic_fr_cvd_preliminary_vietnam_html_text.txt",
                     "Example Wind Towers From the Socialist Republic of Vietnam: Preliminary "
                     "Affirmative Countervailing Duty Determination", "C-552-902")
    assert rates == [rate(2.84, "subsidy_rate", "Example Tower Vietnam Co., Ltd", "VN"),
                     rate(0.41, "subsidy_rate", "Example Steel Structure Joint Stock Company",
                          "VN"),
                     rate(2.84, "subsidy_rate", ALL_OTHERS, "VN")]


def test_fr_review_final_results_in_pdf_text() -> None:
    """Narrow PDF columns: a firm's name over two lines, an 'n/a' row, page furniture, and the
    Vietnam-wide cash deposit rate in a sentence whose 'per-' / 'cent' is split over lines."""
    rates = fr_rates("synthetic_fr_ad_review_final_vietnam_pdf_text.txt",
                     "Example Frozen Fish Fillets From the Socialist Republic of Vietnam: Final "
                     "Results of Antidumping Duty Administrative Review; 2021-2022", "A-552-801")
    assert rates == [
        rate(0.0, "dumping_margin", "Example Seafood Processing Joint Stock Company", "VN"),
        rate(2.39, "dumping_margin", "Example Mekong Fish Co., Ltd", "VN"),
        rate(2.39, "cash_deposit", COUNTRY_WIDE, "VN"),
    ]


# --- sentences and parts --------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("the cash deposit rate will be the Vietnam-wide rate of 25.76 percent.",
     [Rate(25.76, PERCENT, "cash_deposit", COUNTRY_WIDE, "VN")]),
    ("Commerce revised estimated weighted-average dumping margins of 132.10 percent for Hoa Sen "
     "Group, 51.64 percent for Ton Dong A Corporation, and 91.87 percent for all others.",
     [Rate(132.10, PERCENT, "dumping_margin", "Hoa Sen Group", "VN"),
      Rate(51.64, PERCENT, "dumping_margin", "Ton Dong A Corporation", "VN"),
      Rate(91.87, PERCENT, "dumping_margin", ALL_OTHERS, "VN")]),
    ("a definitive anti-dumping duty of USD 1,234.50 per MT is imposed.",
     [Rate(1234.5, "USD/t", "duty", None, "VN")]),
    ("The definitive anti-dumping duty shall be EUR 45,2 per tonne net.",
     [Rate(45.2, "EUR/t", "duty", None, "VN")]),
    ("the estimated all-others rate of 0.00 percent (de minimis) applies.",
     [Rate(0.0, PERCENT, "dumping_margin", ALL_OTHERS, "VN")]),
    ("Cơ quan điều tra áp thuế tạm thời 25,5% đối với ống thép.",
     [Rate(25.5, PERCENT, "duty", None, "VN")]),
    ("de minimis (i.e., less than 0.5 percent)", []),
    ("dumping margins ranging from 6.18 percent to 17.25 percent", []),
    ("imports from Vietnam accounted for 33 percent of total imports", []),
    ("the injury margin was 45.2 percent", []),
    ("the dumping margin for Dingxin is negative 6.3%", []),
    ("The profit margin of 8 % is reasonable.", []),
    ("margin requirements of 2 percent under FINRA Rule 4210", []),
])
def test_sentences(text: str, expected: list[Rate]) -> None:
    assert find_rates("", text, market="US", measures=["AD"], origins=["VN"]) == expected


@pytest.mark.parametrize(("label", "company", "origin"), [
    ("Vietnam-Wide Entity \\2\\", COUNTRY_WIDE, "VN"),
    ("PRC-wide entity", COUNTRY_WIDE, "CN"),
    ("All Others", ALL_OTHERS, None),
    ("Others (except Chia Far Industrial Factory Co., Ltd.)", ALL_OTHERS, None),
    ("All other Japanese companies", ALL_OTHERS, "JP"),
    ("Lain-lain", ALL_OTHERS, None),
    ("The Socialist Republic of Viet Nam", None, "VN"),
    ("JFE Steel Corporation, Tokyo, Japan", "JFE Steel Corporation, Tokyo, Japan", "JP"),
    ("All other exporters IDD & ICD Combination", ALL_OTHERS, None),
    ("Angang Steel Company Ltd IDD Combination", "Angang Steel Company Ltd", None),
    ("China Steel and Nippon Steel Viet Nam Joint Stock Company",
     "China Steel and Nippon Steel Viet Nam Joint Stock Company", None),
])
def test_whom_a_row_binds(label: str, company: str | None, origin: str | None) -> None:
    holder = holder_of(label)
    assert (holder.company, holder.origin) == (company, origin)


def test_not_a_trade_remedy_states_no_rate() -> None:
    out = analyse({"id": "ftz", "market": "US", "title": "Foreign-Trade Zone 186; Notification of "
                   "Proposed Production Activity", "text": "duty rates: 8.0% and 8.8%"},
                  SECTORS).to_dict()
    assert out["trade_remedy"] is False and out["rates"] == []


_UNIT_RE = re.compile(r"percent|[A-Z]{3}/(?:t|kg|unit|m2|l)")
_TABLEISH = st.lists(st.sampled_from([
    "Exporter/producer   Weighted-average dumping margin (percent)", "Company", "Others",
    "Subsidy rate (percent ad valorem)", "Vietnam-Wide Entity ........ 25.76", "12.34", "n/a",
    "-", "0.00 (de minimis)", "The Republic of", "Indonesia", "", "-6.3%", "1e308 %",
    "99999999999999999999.9 percent dumping margin", "USD 1,234 per MT duty", "\u00a0",
]), max_size=30).map("\n".join)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=400), _TABLEISH), st.text(max_size=60))
def test_any_text_gives_finite_non_negative_rates(text: str, title: str) -> None:
    rates = find_rates(title, text, market="US", measures=["AD"], origins=["VN"])
    assert isinstance(rates, list)
    for found in rates:
        assert math.isfinite(found.value) and found.value >= 0
        assert found.kind in KINDS and _UNIT_RE.fullmatch(found.unit)
        assert found.company is None or found.company.strip()
