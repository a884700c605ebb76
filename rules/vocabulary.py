"""The multilingual vocabularies of the rules, read once from `rules/vocab/*.yaml` and validated.

Vocabularies are data (country names, investigating authorities, remedy wording in vi/es/pt/fr/
id/ms/tr): linguists can extend them without touching code, and a typo (an unknown stage, a
language code) stops the program at load with the file, key and line. Phrases are folded here
(lower case, no diacritics) and compiled into one whole-word pattern per concept, so every rule
runs a few precompiled regexes per notice.
"""

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator

from config.yamlfile import load_yaml_model
from rules.text import fold, squash

VOCAB_DIR = Path(__file__).resolve().parent / "vocab"

Language = Literal["en", "vi", "es", "pt", "fr", "id", "ms", "tr"]
Phrases = dict[Language, list[StrictStr]]
Stage = Literal["petition", "initiation", "continuation", "revocation", "termination", "results",
                "rescission", "preliminary", "final", "order", "other"]
Proceeding = Literal["court_decision", "circumvention", "scope", "new_shipper_review",
                     "changed_circumstances", "expiry_review", "administrative_review",
                     "investigation"]
_CODE_RE = re.compile(r"^(?:[A-Z]{2}|EU)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _coded(value: dict[str, list[str]], pattern: str, rule: str) -> dict[str, list[str]]:
    """`value` if every key matches `pattern`, else the rule and the keys that break it."""
    bad = [code for code in value if not re.fullmatch(pattern, code)]
    if bad:
        raise ValueError(f"{rule}, not {bad}")
    return value


class CountriesFile(_Strict):
    countries: dict[StrictStr, list[StrictStr]]
    list_only: list[StrictStr] = Field(default_factory=list)

    _iso_codes = field_validator("countries")(
        lambda value: _coded(value, r"[A-Z]{2}", "country keys must be ISO alpha-2 codes"))


class Market(_Strict):
    authorities: list[StrictStr] = Field(default_factory=list)
    laws: list[StrictStr] = Field(default_factory=list)
    acronyms: list[StrictStr] = Field(default_factory=list)
    names: list[StrictStr] = Field(default_factory=list)
    accented: list[StrictStr] = Field(default_factory=list)
    note: StrictStr = ""


class VietnamActor(_Strict):
    authorities: list[StrictStr]
    acronyms: list[StrictStr] = Field(default_factory=list)
    imports_into: list[StrictStr] = Field(default_factory=list)


class MarketsFile(_Strict):
    markets: dict[StrictStr, Market]
    vietnam: VietnamActor
    auxiliaries: list[StrictStr] = Field(default_factory=list)
    actions: Phrases

    @field_validator("markets")
    @classmethod
    def _market_codes(cls, value: dict[str, Market]) -> dict[str, Market]:
        bad = [code for code in value if not _CODE_RE.match(code)]
        if bad:
            raise ValueError(f"market keys must be ISO alpha-2 codes or EU, not {bad}")
        return value


class NotACase(_Strict):
    events: Phrases
    statistics: Phrases
    lookalikes: Phrases


class RemediesFile(_Strict):
    measures: dict[Literal["AD", "CVD", "SG"], Phrases]
    circumvention: Phrases
    remedy: Phrases
    case_terms: Phrases = Field(default_factory=dict)
    stages: dict[Stage, Phrases]
    weak_stages: dict[Stage, Phrases] = Field(default_factory=dict)
    proceedings: dict[Proceeding, Phrases]
    not_a_case: NotACase


RateKind = Literal["dumping_margin", "subsidy_rate", "duty", "cash_deposit"]


class RatesFile(_Strict):
    """The wording of stated rates (rules/vocab/rates.yaml)."""

    kinds: dict[RateKind, Phrases]
    not_rates: Phrases
    not_amounts: Phrases
    bounds: Phrases
    residual: Phrases
    demonyms: dict[StrictStr, list[StrictStr]]
    label_noise: Phrases
    label_cuts: Phrases
    currencies: dict[StrictStr, list[StrictStr]]
    units: dict[StrictStr, list[StrictStr]]

    _demonym_codes = field_validator("demonyms")(
        lambda value: _coded(value, r"[A-Z]{2}", "demonym keys must be ISO alpha-2 codes"))

    _currency_codes = field_validator("currencies")(
        lambda value: _coded(value, r"[A-Z]{3}", "currency keys must be ISO 4217 codes"))


def folded_phrase(phrase: str) -> str:
    """A vocabulary phrase in the form it is matched in: folded, single-spaced."""
    return squash(fold(phrase.replace("\u2019", "'")))


def _all(phrases: Phrases) -> list[str]:
    return [p for items in phrases.values() for p in items]


def phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """One whole-word pattern for folded phrases, longest first (so the longest wins at a place).

    Spaces in a phrase match any run of spaces or hyphens ('Á - Âu', 'anti dumping')."""
    folded = sorted({folded_phrase(p) for p in phrases if p.strip()}, key=len, reverse=True)
    if not folded:
        return re.compile(r"(?!x)x")
    body = "|".join(re.escape(p).replace(r"\ ", r"[\s-]+") for p in folded)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


def acronym_pattern(acronyms: Iterable[str]) -> re.Pattern[str]:
    """Case-sensitive whole-word pattern for acronyms and short names on the original text ('EC',
    not 'ec'); a currency ('US$') is no body, and neither is a ministry's subject ('Ministry of
    Commerce', 'Commerce Ministry', 'E-Commerce')."""
    items = sorted({a for a in acronyms if a.strip()}, key=len, reverse=True)
    if not items:
        return re.compile(r"(?!x)x")
    return re.compile(r"(?<![\w-])(?<!of )(?:" + "|".join(re.escape(a) for a in items)
                      + r")(?![\w$])(?! Minist)")


@cache
def countries() -> CountriesFile:
    return load_yaml_model(VOCAB_DIR / "countries.yaml", CountriesFile)


@cache
def markets() -> MarketsFile:
    return load_yaml_model(VOCAB_DIR / "markets.yaml", MarketsFile)


@cache
def remedies() -> RemediesFile:
    return load_yaml_model(VOCAB_DIR / "remedies.yaml", RemediesFile)


@cache
def rates() -> RatesFile:
    return load_yaml_model(VOCAB_DIR / "rates.yaml", RatesFile)


def all_phrases(phrases: Phrases) -> list[str]:
    """Every phrase of a per-language table, languages merged."""
    return _all(phrases)
