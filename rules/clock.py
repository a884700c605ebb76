"""The statutory clock: what a proceeding's next step is and when it falls due by default.

Used to show each case's next expected deadline. The rules are data (data/clock.yaml), checked at
load; a later notice (a postponement, the step itself) always replaces the expectation.
"""

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

from config.yamlfile import load_yaml_model
from rules.dates import days_after, plausible

CLOCK_FILE = Path(__file__).resolve().parent / "data" / "clock.yaml"
# Added to a rule's basis when the notice postpones the step. The rule's English sentence is the
# gettext message id of the basis (alerts/content.py says it in the reader's language).
POSTPONED = " (postponed by this notice)"


class When(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    proceeding: str
    stage: str
    measure: Literal["AD", "CVD", "SG"] | None = None
    # The body whose step this is, where two decide in turn (the USITC after Commerce).
    decided_by: Literal["USITC"] | None = None


class ClockRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    when: When
    next: str
    basis: str
    days: int | None = None
    months: int | None = None
    extended_days: int | None = None
    start: Literal["event", "month_end"] = Field("event", alias="from")

    @model_validator(mode="after")
    def _one_offset(self) -> "ClockRule":
        if (self.days is None) == (self.months is None):
            raise ValueError("give exactly one of days or months")
        return self


class ClockFile(RootModel[dict[str, list[ClockRule]]]):
    pass


@dataclass(frozen=True)
class NextStep:
    step: str
    due: date
    basis: str


@cache
def clock_rules(path: Path = CLOCK_FILE) -> dict[str, list[ClockRule]]:
    return load_yaml_model(path, ClockFile).root


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _due(rule: ClockRule, event: date, postponed: bool) -> date | None:
    """The step's due date; None when the event's date is implausible (rules.dates), so a
    feed's year 9999 leaves the step undated instead of overflowing."""
    if plausible(event) is None:
        return None
    start = event.replace(day=1) - timedelta(days=1) if rule.start == "month_end" else event
    if postponed and rule.extended_days is not None:
        return days_after(start, rule.extended_days)
    if rule.days is not None:
        return days_after(start, rule.days)
    return plausible(add_months(start, rule.months or 0))


def next_step(market: str | None, proceeding: str, stage: str, measures: Iterable[str],
              event: date, *, postponed: bool = False,
              decided_by: str | None = None) -> NextStep | None:
    """The default next step after `stage` of `proceeding` in `market`, or None if unknown.

    `postponed`: the notice itself announces the next step's postponement, so the statute's
    extended deadline applies. `decided_by`: the body whose step the notice reports, where
    rules tell them apart (a rule without one fits any body but one a rule names)."""
    wanted = set(measures)
    for rule in clock_rules().get(market or "", []):
        when = rule.when
        if when.proceeding != proceeding or when.stage != stage:
            continue
        if when.decided_by != decided_by and (when.decided_by is not None or _named(
                market, decided_by)):
            continue
        if when.measure is not None and wanted != {when.measure}:
            continue
        basis = rule.basis + (POSTPONED if postponed and rule.extended_days is not None else "")
        due = _due(rule, event, postponed)
        return NextStep(rule.next, due, basis) if due is not None else None
    return None


def _named(market: str | None, body: str | None) -> bool:
    """Whether some rule of the market names `body` (then rules without a body are not its)."""
    return body is not None and any(rule.when.decided_by == body
                                    for rule in clock_rules().get(market or "", []))


def read_basis(basis: str) -> tuple[str, bool]:
    """A stored basis as the clock rule's sentence and whether the notice postponed the step."""
    sentence = basis.removesuffix(POSTPONED)
    return sentence, sentence != basis


_POSTPONED = re.compile(r"\bpostpone(?:ment|d|s)?\b|\bextension of (?:the )?(?:deadline|time)",
                        re.IGNORECASE)


def announces_postponement(title: str) -> bool:
    """A notice titled '... Postponement of Final Determination' moves the next step's date."""
    return bool(_POSTPONED.search(title))
