"""The sources TREWS watches, read from sources.yaml: where to fetch, what market, how often."""

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, StringConstraints

from config.settings import known_zone
from config.yamlfile import load_yaml_model

_DAY = "(mon|tue|wed|thu|fri|sat|sun)"
_DAYS = re.compile(rf"{_DAY}(-{_DAY})?(,{_DAY}(-{_DAY})?)*")
# A string, never a YAML number: unquoted 16:15 is the sexagesimal integer 975 in YAML 1.1.
ClockTime = Annotated[str, StringConstraints(strict=True, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


def _weekdays(days: str) -> str:
    if not _DAYS.fullmatch(days):
        raise ValueError(f"{days!r} is not a list of weekdays such as mon-fri or mon,wed,fri")
    return days


def _distinct(times: tuple[str, ...]) -> tuple[str, ...]:
    if len(set(times)) != len(times):
        raise ValueError("a time is listed twice")
    return times


# A source polled less often than once a year is a typing error, and the scheduler's
# arithmetic on such an interval would overflow.
MINUTES_A_YEAR = 366 * 24 * 60


class RunTimes(BaseModel):
    """Runs at fixed times of the publisher's clock, on top of the interval: for a publisher that
    posts on a schedule (the FR public inspection desk, 08:45 and 16:15 Eastern on business days).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: Annotated[str, AfterValidator(known_zone)]
    days: Annotated[str, AfterValidator(_weekdays)] = "mon-sun"
    times: Annotated[tuple[ClockTime, ...], AfterValidator(_distinct)] = Field(
        min_length=1, description='"HH:MM", quoted')

    def clock(self) -> list[tuple[str, int, int]]:
        """Each time as written, with its hour and minute."""
        return [(hhmm, int(hhmm[:2]), int(hhmm[3:])) for hhmm in self.times]


class Source(BaseModel):
    """One publication channel of one authority; its id is also its spider's name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    market: str = Field(pattern=r"^([A-Z]{2}|EU|WTO)$")
    authority: str
    kind: Literal["api", "feed", "html", "pdf"]
    url: HttpUrl
    interval_minutes: int = Field(gt=0, le=MINUTES_A_YEAR)
    enabled: bool = True
    max_empty_runs: int = Field(5, gt=0, le=10_000, description="runs in a row with no item "
                                                                "before the source counts as "
                                                                "failing")
    also_at: RunTimes | None = None
    options: dict[str, Any] = Field(default_factory=dict)


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: dict[str, Source]


def load_sources(path: Path) -> dict[str, Source]:
    """Every configured source by id; raises ConfigError on a bad file."""
    return load_yaml_model(path, SourcesFile).sources
