"""What each source's spider rests on: the date of the latest real evidence of its site's
structure, and whether its recording is real, a replica checked against that evidence, or one
the evidence contradicts (crawlers/evidence.yaml; `trews sources` shows it)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

EVIDENCE_FILE = Path(__file__).resolve().parent / "evidence.yaml"


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    replica: Literal["real", "agrees", "differs", "none"]
    seen: str | None = Field(None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    note: str = ""


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: dict[str, Evidence]


@cache
def evidence(path: Path = EVIDENCE_FILE) -> dict[str, Evidence]:
    """Each source's evidence; a malformed file is an error naming it and the place."""
    try:
        return _File.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))).sources
    except (yaml.YAMLError, ValidationError) as exc:
        raise ValueError(f"{path}: {exc}") from exc
