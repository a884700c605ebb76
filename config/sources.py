"""The sources TREWS watches, read from sources.yaml: where to fetch, what market, how often."""

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from config.yamlfile import load_yaml_model


class Source(BaseModel):
    """One publication channel of one authority; its id is also its spider's name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    market: str = Field(pattern=r"^([A-Z]{2}|EU|WTO)$")
    authority: str
    kind: Literal["api", "feed", "html", "pdf"]
    url: HttpUrl
    interval_minutes: int = Field(gt=0)
    enabled: bool = True
    max_empty_runs: int = Field(5, gt=0, description="runs in a row with no item before the "
                                                     "source counts as failing")
    options: dict[str, Any] = Field(default_factory=dict)


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: dict[str, Source]


def load_sources(path: Path) -> dict[str, Source]:
    """Every configured source by id; raises ConfigError on a bad file."""
    return load_yaml_model(path, SourcesFile).sources
