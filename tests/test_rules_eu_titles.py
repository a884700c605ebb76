"""EUR-Lex titles (the Official Journal's own wording; these examples are written in that style,
synthetic): product, stage, Vietnam's role, and what is not a trade remedy."""

import pytest

from config import load_sectors
from config.settings import CONFIG_DIR
from rules.analyse import analyse

SECTORS = load_sectors(CONFIG_DIR / "sectors.yaml")


def analysed(title: str, text: str = "") -> dict:
    return analyse({"id": "x", "market": "EU", "source": "eu_eurlex", "title": title,
                    "text": text, "published": "2026-11-17", "url": "https://eur-lex.europa.eu/x"},
                   SECTORS).to_dict()


def test_definitive_duty_is_the_measure_itself() -> None:
    result = analysed("Commission Implementing Regulation (EU) 2026/2377 of 16 November 2026 "
                      "imposing a definitive anti-dumping duty and definitively collecting the "
                      "provisional duty imposed on imports of certain cold-rolled flat steel "
                      "products originating in India, Japan, Taiwan, Türkiye and Viet Nam")
    assert (result["stage"], result["vietnam"], result["sectors"]) == ("order", "subject",
                                                                      ["steel"])
    assert result["measures"] == ["AD"] and "VN" in result["countries"]


def test_consigned_from_vietnam_is_circumvention() -> None:
    result = analysed("Commission Implementing Regulation (EU) 2026/2340 initiating an "
                      "investigation concerning possible circumvention of the anti-dumping "
                      "measures imposed on imports of certain steel road wheels originating in "
                      "the People's Republic of China by imports of certain steel road wheels "
                      "consigned from Viet Nam, whether declared as originating in Viet Nam or "
                      "not")
    assert (result["proceeding"], result["vietnam"], result["new_case"]) == (
        "circumvention", "circumvention", True)


@pytest.mark.parametrize(("title", "sector"), [
    ("Notice of initiation of an anti-dumping proceeding concerning imports of certain steel "
     "wire rod originating in the People's Republic of China and Egypt", "steel"),
    ("Commission Implementing Regulation imposing a definitive countervailing duty on imports "
     "of lightweight thermal paper originating in the People's Republic of China", "paper"),
    ("Commission Implementing Regulation imposing provisional safeguard measures on imports of "
     "grain-oriented flat-rolled products of silicon-electrical steel", "steel"),
])
def test_the_product_between_imports_of_and_the_origin_gives_the_sector(
    title: str, sector: str
) -> None:
    result = analysed(title)
    assert result["trade_remedy"] and result["sectors"] == [sector]
    assert result["proceeding"] == "investigation"


def test_sanctions_against_circumvention_are_not_a_trade_remedy() -> None:
    result = analysed("Council Regulation (EU) 2026/2210 amending Regulation (EU) No 833/2014 "
                      "concerning restrictive measures in view of Russia's actions",
                      "Further measures to prevent the circumvention of the restrictive "
                      "measures through third countries.")
    assert not result["trade_remedy"] and result["severity"] is None
