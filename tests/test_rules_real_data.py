"""The rules on real data: a 1,000-document FR API page and 300 FR trade-remedy posts.

Expected values come from reading the notices (PROVENANCE.md and the titles), not from the rules.
"""

import csv
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import load_sectors
from rules import analyse, split_cases

ROOT = Path(__file__).resolve().parent.parent
FR_PAGE = (ROOT / "replay/recordings/us"
           / "fr_api_documents_2024-01-02_to_2024-01-17_page1_all_fields.json")
POSTS = ROOT / "tests/fixtures/us_fr_posts"
SECTORS = load_sectors()


def fr_notice(doc: dict[str, Any]) -> dict[str, Any]:
    """An FR API result in the input contract (text = abstract + dates + action)."""
    text = " ".join(t for t in (doc.get("abstract"), doc.get("dates"), doc.get("action")) if t)
    return {
        "id": doc["document_number"], "market": "US", "source": "us_fr_documents",
        "title": doc["title"], "text": text, "published": doc["publication_date"],
        "url": doc["html_url"],
        "raw": {k: doc.get(k) for k in ("docket_ids", "action", "agencies", "type", "abstract")},
    }


def post_notice(path: Path) -> dict[str, Any]:
    """A Markdown post (YAML front matter + '## Summary') in the input contract."""
    _, front, body = path.read_text(encoding="utf-8").split("---", 2)
    meta = yaml.safe_load(front)
    summary = re.search(r"## Summary\s*\n(.*?)\n## ", body, re.S)
    text = summary.group(1).strip() if summary else ""
    return {
        "id": meta["item_id"].split(":", 1)[1], "market": "US", "source": "us_fr_posts",
        "title": meta["title"], "text": "" if text == "No summary provided." else text,
        "published": str(meta["original_published"])[:10], "url": "",
    }


@pytest.fixture(scope="module")
def fr_results() -> dict[str, dict[str, Any]]:
    docs = json.loads(FR_PAGE.read_text(encoding="utf-8"))["results"]
    assert len(docs) == 1000
    return {d["document_number"]: analyse(fr_notice(d), SECTORS).to_dict() for d in docs}


@pytest.fixture(scope="module")
def posts() -> list[tuple[dict[str, str], dict[str, Any]]]:
    with (POSTS / "deepseek_news_posts_MANIFEST.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 300
    return [(row, analyse(post_notice(POSTS / "deepseek_news_posts" / row["file"]), SECTORS)
             .to_dict()) for row in rows]


def test_fr_page_vietnam_notices_are_exactly_the_two(fr_results: dict[str, dict[str, Any]]) -> None:
    vietnam = sorted(k for k, v in fr_results.items() if v["vietnam"] != "none")
    assert vietnam == ["2023-28945", "2024-00396"]


def test_fr_paper_shopping_bags_vietnam(fr_results: dict[str, dict[str, Any]]) -> None:
    out = fr_results["2023-28945"]
    assert out["trade_remedy"] and out["market"] == "US"
    assert (out["vietnam"], out["countries"], out["measures"]) == ("subject", ["VN"], ["AD"])
    assert out["case_numbers"] == ["A-552-836"]
    assert (out["proceeding"], out["stage"], out["new_case"]) == ("investigation", "preliminary",
                                                                  False)
    assert out["sectors"] == ["paper"] and out["severity"] == "high"
    assert len(out["reasons"]) >= 5


def test_fr_shrimp_correction_multi_case(fr_results: dict[str, dict[str, Any]]) -> None:
    out = fr_results["2024-00396"]
    assert out["vietnam"] == "subject" and out["sectors"] == ["shrimp"]
    assert out["countries"] == ["CN", "IN", "TH", "VN"]
    assert out["case_numbers"] == ["A-552-802", "A-533-840", "A-570-893", "A-549-822"]
    assert (out["proceeding"], out["stage"]) == ("expiry_review", "continuation")
    cases = split_cases(out)
    assert [(c.case_number, c.origin, c.concerns_vietnam) for c in cases] == [
        ("A-552-802", "VN", True), ("A-533-840", "IN", False), ("A-570-893", "CN", False),
        ("A-549-822", "TH", False)]
    assert all(c.measure == "AD" for c in cases)


def test_fr_page_trade_remedy_count_and_negatives(fr_results: dict[str, dict[str, Any]]) -> None:
    remedies = [k for k, v in fr_results.items() if v["trade_remedy"]]
    # 43 ITA AD/CVD notices + 8 USITC Title VII notices (incl. the Methionine remand).
    assert 48 <= len(remedies) <= 54
    for doc_id in ("2024-00307", "2024-00091", "2023-28643", "2024-00532", "2024-00140",
                   "2024-00464"):
        assert not fr_results[doc_id]["trade_remedy"], doc_id
    airworthiness = [k for k, v in fr_results.items() if "Airworthiness" in " ".join(v["reasons"])]
    assert airworthiness and all(not fr_results[k]["trade_remedy"] for k in airworthiness)
    glass = fr_results["2024-00034"]
    assert glass["new_case"] and glass["countries"] == ["CL", "CN", "MX"]
    assert glass["sectors"] == ["ceramics_glass"] and glass["hs_codes"] == ["70109050"]
    assert glass["severity"] == "medium"  # diversion risk: a new case on other origins
    # 'the Commission must reach a preliminary determination ... by February 12, 2024' is the
    # Commission's own date, not a deadline for any party (the fact-check set, issue 18)
    assert glass["deadlines"] == []


def test_fr_page_outputs_are_json_contract(fr_results: dict[str, dict[str, Any]]) -> None:
    keys = {"id", "trade_remedy", "market", "vietnam", "countries", "measures", "proceeding",
            "stage", "new_case", "case_numbers", "hs_codes", "hs_inferred", "event_date",
            "sectors", "deadlines", "rates",
            "severity", "reasons"}
    for out in fr_results.values():
        assert set(out) == keys
        json.dumps(out)
        assert out["countries"] == sorted(out["countries"])
        if not out["trade_remedy"]:
            assert out["severity"] is None and out["vietnam"] == "none" and out["market"] is None


def test_thousand_notices_are_fast() -> None:
    docs = json.loads(FR_PAGE.read_text(encoding="utf-8"))["results"]
    notices = [fr_notice(d) for d in docs]
    start = time.perf_counter()
    for n in notices:
        analyse(n, SECTORS)
    assert time.perf_counter() - start < 3.0


def test_posts_are_trade_remedies(posts: list[tuple[dict[str, str], dict[str, Any]]]) -> None:
    # Read by hand: the FERC "Five-Year Review of the Oil Pipeline Index" matched the corpus
    # keyword filter ("five-year review") but is not a trade remedy.
    not_remedies = [row["title"] for row, out in posts if not out["trade_remedy"]]
    assert not_remedies == ["Five-Year Review of the Oil Pipeline Index"]


def test_posts_vietnam_recall_and_precision(
    posts: list[tuple[dict[str, str], dict[str, Any]]]
) -> None:
    flagged = [(row, out) for row, out in posts if row["mentions_vietnam"] == "yes"]
    others = [(row, out) for row, out in posts if row["mentions_vietnam"] == "no"]
    assert len(flagged) == 150 and len(others) == 150
    missed = [row["title"] for row, out in flagged if out["vietnam"] == "none"]
    assert missed == []  # recall 100%
    false_alarms = [row["title"] for row, out in others if out["vietnam"] != "none"]
    assert false_alarms == []  # precision on the 150 posts that do not mention Vietnam


def test_posts_title_only_itc_and_circumvention(
    posts: list[tuple[dict[str, str], dict[str, Any]]]
) -> None:
    by_title = {row["title"]: out for row, out in posts}
    tools = by_title["Tool Chests and Cabinets From China and Vietnam; Institution of Five-Year "
                     "Reviews"]
    assert tools["vietnam"] == "subject" and tools["sectors"] == ["wood_furniture"]
    assert tools["proceeding"] == "expiry_review" and tools["severity"] == "medium"
    cabinets = by_title["Wooden Cabinets and Vanities and Components Thereof From the People's "
                        "Republic of China: Initiation of Circumvention Inquiries on the "
                        "Antidumping and Countervailing Duty Orders"]
    assert cabinets["vietnam"] == "circumvention" and cabinets["new_case"]
    assert cabinets["severity"] == "high" and cabinets["sectors"] == ["wood_furniture"]
    sswr = by_title["Stainless Steel Wire Rod From the Republic of Korea: Final Negative "
                    "Determination of Circumvention of the Antidumping Duty Order"]
    assert sswr["vietnam"] == "circumvention" and sswr["countries"] == ["KR", "VN"]
    innerspring = by_title["Uncovered Innerspring Units From China, South Africa, and Vietnam; "
                           "Scheduling of Expedited Five-Year Reviews"]
    assert innerspring["sectors"] == ["mattresses"]
    fish = by_title["Frozen Fish Fillets From Vietnam; Institution of a Five-Year Review"]
    assert fish["sectors"] == ["pangasius"] and fish["vietnam"] == "subject"
