"""Advice comes from the market's own procedure (rules/data/procedures.yaml): a US rule is never
given for another market, a market TREWS does not model says so, every sentence has a reviewed
Vietnamese entry, and a broken procedures file is refused with its file and line."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from alerts.i18n import catalogue_path, translations
from config.errors import ConfigError
from rules.procedures import DEFAULT, advice_for, modelled_markets, procedures

STAGES = ("petition", "initiation", "preliminary", "final", "order", "continuation", "results",
          "termination", "revocation", "rescission", "court_decision", "other")
PROCEEDINGS = ("investigation", "administrative_review", "new_shipper_review", "expiry_review",
               "circumvention", "scope", "changed_circumstances", "court_decision")
MARKETS = ("US", "EU", "GB", "CA", "AU", "IN", "TR", "MX", None)
# Words of one market's procedure that no other market's advice may use.
US_ONLY = ("anniversary month", "cash deposit", "Commerce", "USITC", "Q&V", "separate rate")


def every_advice() -> list[tuple[str | None, str, str, tuple[str, ...], str]]:
    return [(market, proceeding, stage, measures,
             advice_for(market, proceeding, stage, measures).text)
            for market in MARKETS for proceeding in PROCEEDINGS for stage in STAGES
            for measures in (("AD",), ("CVD",), ("SG",), ("AD", "CVD"))]


def test_six_markets_are_modelled_and_the_default_is_not_one_of_them() -> None:
    assert {"US", "EU", "GB", "CA", "AU", "IN"} <= modelled_markets()
    assert DEFAULT not in modelled_markets()


def test_no_united_states_rule_is_given_for_another_market() -> None:
    leaks = [(market, proceeding, stage, word)
             for market, proceeding, stage, _measures, text in every_advice() if market != "US"
             for word in US_ONLY if word in text]
    assert leaks == []


def test_an_order_outside_the_united_states_is_advised_by_its_own_law() -> None:
    eu = advice_for("EU", "investigation", "order", ["AD"])
    assert eu.modelled and "interim review" in eu.text and "anniversary" not in eu.text
    india = advice_for("IN", "investigation", "order", ["AD"])
    assert india.modelled and "mid-term review" in india.text
    unknown = advice_for("TR", "investigation", "order", ["AD"])
    assert not unknown.modelled and "TREWS does not model" in unknown.text


def test_a_safeguard_gets_no_firm_rate_advice_in_any_market() -> None:
    for market in MARKETS:
        text = advice_for(market, "investigation", "initiation", ["SG"]).text
        assert "3%" in text and "questionnaire" not in text


def test_a_stage_that_ends_a_review_is_never_advised_as_its_results() -> None:
    rescinded = advice_for("US", "administrative_review", "rescission", ["AD"])
    assert "cancelled" in rescinded.text and "new rates" not in rescinded.text


def test_every_sentence_has_a_reviewed_vietnamese_entry() -> None:
    with catalogue_path("vi").open("rb") as po_file:
        catalog = read_po(po_file, locale="vi")
    sentences = {step.advice for market in procedures().values() for step in market.steps}
    assert len(sentences) > 50
    missing = [s for s in sentences if s not in catalog or not catalog[s].string
               or catalog[s].fuzzy]
    assert missing == []
    vi = translations("vi").gettext
    assert all(vi(s) != s and "bạn" not in vi(s) for s in sentences)


def test_a_broken_procedures_file_names_the_file_and_the_line(tmp_path: Path) -> None:
    broken = tmp_path / "procedures.yaml"
    broken.write_text("default:\n  law: WTO\n  steps:\n    - when: {stage: initiation}\n"
                      "      advise: typo\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        procedures.__wrapped__(broken)
    assert "procedures.yaml:5:" in str(error.value) and "advise" in str(error.value)


def test_every_bundled_source_is_named_in_vietnamese() -> None:
    """A Vietnamese mail names the authority in Vietnamese, not as configured in English."""
    from config import load_sources
    from config.settings import load_settings

    sources = load_sources(load_settings().sources_file)
    vi = translations("vi").gettext
    assert len(sources) >= 12
    assert [s.authority for s in sources.values() if vi(s.authority) == s.authority] == []
