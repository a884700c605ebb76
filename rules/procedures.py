"""What a foreign exporter can do at each step of a trade-remedy procedure, in the market's own law.

A market's procedure decides the advice an alert gives: an annual review in the anniversary month
is United States law, a newcomer review is the European Union's. The steps are data
(data/procedures.yaml, checked at load), per market, with a `default` that holds only what the WTO
agreements make true everywhere and says when TREWS does not model the market, rather than
borrowing another market's law.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, RootModel, field_validator, model_validator

from config.yamlfile import load_yaml_model

PROCEDURES_FILE = Path(__file__).resolve().parent / "data" / "procedures.yaml"
DEFAULT = "default"
Measure = Literal["AD", "CVD", "SG"]


def _as_tuple(value: object) -> object:
    """One value or a list of them, held as a tuple."""
    if value is None or isinstance(value, tuple):
        return value
    return tuple(value) if isinstance(value, list) else (value,)


class StepWhen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    proceeding: tuple[str, ...] | None = None
    stage: tuple[str, ...] | None = None
    measure: tuple[Measure, ...] | None = None

    _tuples = field_validator("proceeding", "stage", "measure", mode="before")(_as_tuple)

    def fits(self, proceeding: str, stage: str, measures: frozenset[str]) -> bool:
        return ((self.proceeding is None or proceeding in self.proceeding)
                and (self.stage is None or stage in self.stage)
                and (self.measure is None or bool(measures & set(self.measure))))


class ProcedureStep(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    when: StepWhen
    advice: str


class MarketProcedure(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    law: str
    steps: tuple[ProcedureStep, ...]


class ProceduresFile(RootModel[dict[str, MarketProcedure]]):
    @model_validator(mode="after")
    def _has_default(self) -> "ProceduresFile":
        default = self.root.get(DEFAULT)
        if default is None or not any(s.when == StepWhen() for s in default.steps):
            raise ValueError("a `default` market whose last step fits every notice is required")
        return self


@dataclass(frozen=True)
class Advice:
    """What to do at this step, and whether it is the market's own law (`modelled`) or the
    default that says the market is not modelled."""

    text: str
    modelled: bool


@cache
def procedures(path: Path = PROCEDURES_FILE) -> dict[str, MarketProcedure]:
    return load_yaml_model(path, ProceduresFile).root


def modelled_markets() -> frozenset[str]:
    return frozenset(procedures()) - {DEFAULT}


def advice_for(market: str | None, proceeding: str, stage: str,
               measures: Iterable[str] = ()) -> Advice:
    """The advice for `stage` of `proceeding` in `market`: the market's own step when it has
    one, else the default's."""
    wanted = frozenset(measures)
    safeguard_only = wanted == {"SG"}
    own = procedures().get(market or "")
    if own is not None and market != DEFAULT:
        for step in own.steps:
            if safeguard_only and step.when.measure is None:
                continue
            if step.when.fits(proceeding, stage, wanted):
                return Advice(step.advice, True)
    for step in procedures()[DEFAULT].steps:
        if step.when.fits(proceeding, stage, wanted):
            return Advice(step.advice, False)
    raise AssertionError("the default procedure fits every notice")  # checked at load


def law_of(market: str | None) -> str:
    """The law a market's advice rests on (the WTO agreements for a market not modelled)."""
    found = procedures().get(market or "") or procedures()[DEFAULT]
    return found.law
