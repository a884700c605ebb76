"""UK Trade Remedies Authority and Canadian CBSA/CITT notices: case numbers, stages, commodity
codes, safeguarding wording and sectors.

Every notice here is SYNTHETIC, written in the shapes the spiders produce (crawlers/spiders/
uk_tra.py: title '{commodity} from {countries}: {case type} — {Status}', body of the case page's
fields; crawlers/spiders/ca_cbsa.py: title '{product} from {countries}: ...', body of 'header:
value' lines). The Status labels are real public_name values of
replay/recordings/uk_tra/tra_case_stages.json.
"""

from typing import Any

import pytest

from config import load_sectors
from rules.analyse import analyse
from rules.case_numbers import measure_of, normalise_case_number, parse_case_numbers
from rules.hs_codes import extract_hs_codes
from rules.notice import Analysis

SECTORS = load_sectors()


def run(title: str, text: str, market: str, source: str, **raw: Any) -> Analysis:
    return analyse({"id": "t", "market": market, "source": source, "title": title,
                    "text": text, "published": "2026-11-17", "url": None, "raw": raw}, SECTORS)


def uk_case(reference: str, product: str, countries: str, case_type: str, status: str,
            codes: str = "") -> Analysis:
    # synthetic, in the uk_tra spider's shape (notice_title / notice_body with a case page)
    text = "\n".join([
        f"{reference} - {product} from {countries}", case_type,
        f"The goods that are the subject of the investigation are: {product}.",
        f"Status: {status}", f"Country: {countries}", "Initiation date: 03 Nov 2026",
        f"Commodities affected: {codes}", "Public file:",
        "03 Nov 2026 Notice of initiation (Trade Remedies Authority)"])
    return run(f"{product} from {countries}: {case_type} — {status}", text, "GB", "uk_tra")


def cbsa_investigation(product: str, countries: str, number: str, kind: str,
                       status: str) -> Analysis:
    # synthetic, in the ca_cbsa spider's shape (investigations table row)
    text = "\n".join([f"Product: {product}", f"Country: {countries}", f"Case number: {number}",
                      f"Investigation: {kind}", "Initiation date: 2026-11-10",
                      f"Status: {status}", "Date of status: 2026-11-10"])
    return run(f"{product} from {countries}: {kind} investigation — {status}", text, "CA",
               "ca_cbsa")


def cbsa_measure(product: str, countries: str, number: str, measure: str,
                 finding: str) -> Analysis:
    # synthetic, in the ca_cbsa spider's shape (measures in force table row)
    text = "\n".join([f"Product: {product}", f"Country: {countries}", f"Case number: {number}",
                      f"Measure: {measure}", f"CITT finding or order: {finding}",
                      "Date of finding or order: 2026-10-09"])
    return run(f"{product} from {countries}: {measure} in force (CITT {finding})", text, "CA",
               "ca_cbsa")


# 1. CBSA file codes and CITT numbers


@pytest.mark.parametrize("number", ["WT 2026 IN", "HP 2020 IN", "COR 2018 IN", "SW 2025 IN",
                                    "WR 2024 IN", "GAL 2022 UP", "OCTG2 2014 IN"])
def test_cbsa_file_codes_are_case_numbers_in_canada(number: str) -> None:
    analysis = cbsa_investigation("Certain wind towers", "China and Vietnam", number, "Dumping",
                                  "Initiation")
    assert analysis.case_numbers == [number]
    assert normalise_case_number(number) == number
    assert measure_of(number) is None  # the acronym names the product, not the measure


def test_citt_numbers_and_measure_file_codes() -> None:
    analysis = cbsa_measure("Certain concrete reinforcing bar", "Bulgaria and Vietnam",
                            "REBAR 2025", "Anti-dumping duties", "NQ-2026-001")
    assert analysis.case_numbers == ["NQ-2026-001", "REBAR 2025"]
    assert parse_case_numbers(["CITT inquiry RR-2025-002 and PI-2026-001"]) == [
        "RR-2025-002", "PI-2026-001"]
    assert normalise_case_number("NQ-2026-001") == "NQ-2026-001"


def test_cbsa_shapes_are_not_read_outside_canada() -> None:
    # an acronym, a year and 'IN' in a US or EU text is no case number unless the CBSA is named
    assert parse_case_numbers(["Docket ITA 2024 IN progress; GAL 2022 UP; NQ-2026-001"]) == []
    assert parse_case_numbers(["HP 2020 IN"], market="EU") == []
    assert parse_case_numbers(["The CBSA initiated HP 2020 IN"]) == ["HP 2020 IN"]
    assert parse_case_numbers(["Case number: 2026"], market="CA") == []


# 2. CBSA measures in force


def test_cbsa_measure_in_force_is_an_order() -> None:
    analysis = cbsa_measure("Certain carbon and alloy steel wire", "China and Vietnam",
                            "SW 2025", "Anti-dumping duties", "NQ-2025-001")
    assert (analysis.stage, analysis.new_case, analysis.vietnam) == ("order", False, "subject")
    assert analysis.measures == ["AD"]


def test_cbsa_measure_continued_by_expiry_review_order_is_a_continuation() -> None:
    analysis = cbsa_measure("Aluminum extrusions", "China", "AE 2008",
                            "Anti-dumping and countervailing duties", "RR-2018-004")
    assert (analysis.stage, analysis.proceeding) == ("continuation", "expiry_review")
    assert analysis.measures == ["AD", "CVD"]


# 3. UK commodity codes in groups


def test_uk_commodity_codes_with_spaces_give_hs_codes() -> None:
    analysis = uk_case("AD0052", "Aluminium extrusions", "China and Vietnam",
                       "Anti-dumping investigation", "Investigation in progress",
                       "7604 10 10 00, 7604 10 90 00, 7608 20 81 00")
    assert analysis.hs_codes == ["7604101000", "7604109000", "7608208100"]
    assert analysis.sectors == ["aluminium"]
    assert extract_hs_codes("commodity code 7208 51 20 00") == ["7208512000"]
    assert extract_hs_codes("tariff code 7604 10") == ["760410"]
    assert extract_hs_codes("CN codes 7411 10 10 and 7411 10 90") == ["74111010", "74111090"]


@pytest.mark.parametrize("text", ["on 2024 10 15 the", "call 0800 12 34 56 78", "1 2345 67 89",
                                  "counts 12 10 10 00", "9901 10 10 00", "tables 7604 10",
                                  # an EU regulation's table of inputs: CN codes of coke, not
                                  # of the product (no keyword before the 8-digit groups)
                                  "Coke 2704 00 11, 2704 00 12 1 878,96 Tonne"])
def test_spaced_numbers_that_are_not_codes(text: str) -> None:
    assert extract_hs_codes(text) == []


# 4. UK statuses and safeguarding


@pytest.mark.parametrize(("status", "stage"), [
    ("Investigation in progress", "initiation"),
    ("Case Initiated", "initiation"),
    ("Statement of Essential Facts - closed", "preliminary"),
    ("Final determination", "final"),
    ("Final determination published", "final"),
    ("Amended final determination published", "final"),
    ("Under reconsideration", "other"),
    ("Case in appeal", "other"),
    ("Case closed", "other"),
    ("Measures expired", "revocation"),
    ("Terminated", "termination"),
])
def test_uk_status_decides_the_stage(status: str, stage: str) -> None:
    analysis = uk_case("AD0060", "Aluminium extrusions", "Vietnam", "Anti-dumping investigation",
                       status)
    assert analysis.stage == stage, analysis.reasons
    assert analysis.new_case is (stage == "initiation")


def test_uk_safeguarding_is_a_safeguard_not_the_lookalike() -> None:
    analysis = uk_case("SF0009", "Certain steel products", "All countries",
                       "Safeguarding investigation", "Statement of Essential Facts - closed",
                       "7208 10 00 00, 7306 30 77 00")
    assert analysis.trade_remedy and analysis.measures == ["SG"]
    assert (analysis.stage, analysis.new_case) == ("preliminary", False)
    # no case number: the wording alone, for the TRA (market GB or named)
    title = "Certain steel products from All countries: Safeguarding investigation"
    text = "The Trade Remedies Authority has initiated a safeguarding investigation."
    for market in ("GB", None):
        found = run(title, text, market, "gov_uk")  # type: ignore[arg-type]
        assert found.trade_remedy and found.measures == ["SG"], found.reasons
    # elsewhere 'safeguarding' stays the look-alike
    assert not run("Safeguarding of children in schools", "Safeguarding review.", "US",
                   "fr").trade_remedy


def test_uk_completed_case_without_status_is_not_an_initiation() -> None:
    # synthetic list-only row of the completed table (no case page fetched)
    text = "\n".join(["TF0006 - Steel products", "Transition safeguarding review",
                      "Country: All countries", "Initiated: 2021-01-01", "Closed: 2021-06-30"])
    analysis = run("Steel products from All countries: Transition safeguarding review", text,
                   "GB", "uk_tra")
    assert (analysis.stage, analysis.new_case) == ("other", False)


# 5. and 6. sectors; a TRON note for the file


def test_hand_pallet_trucks_are_machinery() -> None:
    analysis = uk_case("CR0003", "Hand pallet trucks and their essential parts", "China",
                       "Circumvention review", "Investigation in progress")
    assert analysis.sectors == ["machinery"]
    with_codes = uk_case("AD0061", "Hand pallet trucks and their essential parts", "China",
                         "Anti-dumping investigation", "Investigation in progress",
                         "8427 90 00 00, 8431 20 00 00")
    assert with_codes.sectors == ["machinery"]


@pytest.mark.parametrize(("title", "sector"), [
    ("Aluminium flat-rolled products from China: Anti-dumping investigation", "aluminium"),
    ("Aluminium flat-rolled products originating in the People's Republic of China "
     "(AD705, Initial Investigation)", "aluminium"),
    ("Aluminium wire rod from China: Anti-dumping investigation", "aluminium"),
    ("Stainless steel flat-rolled products from China: Anti-dumping investigation", "steel"),
    ("Aluminium road wheels from China: New exporter review", "vehicles_parts"),
])
def test_a_shape_after_a_material_is_that_material(title: str, sector: str) -> None:
    # synthetic; 'flat-rolled'/'wire rod' are steel terms only when no material precedes them
    analysis = run(title, "Aluminium flat-rolled products\nCase AD705: Anti-Dumping", "EU",
                   "eu_tron")
    assert analysis.sectors == [sector], analysis.reasons


def test_tron_note_for_the_file_is_not_a_new_case() -> None:
    # synthetic, in the eu_tron spider's document_notice shape
    text = "\n".join([
        "Note for the file: selection of the sample of Union producers", "Copper tubes",
        "Country concerned: Mexico", "Country concerned: Vietnam",
        "Case AD750: Initial Investigation",
        "The product under investigation is seamless refined copper tubes."])
    analysis = run("Note for the file: selection of the sample of Union producers", text, "EU",
                   "eu_tron")
    assert analysis.trade_remedy
    assert (analysis.stage, analysis.new_case) == ("other", False), analysis.reasons
