"""The sector vocabulary, read from sectors.yaml: ids, names, HS prefixes and product terms.

Sector ids are used everywhere (subscriptions, alerts, the `analyse` output), so the file is
validated strictly: unknown keys, malformed HS prefixes and duplicate ids are refused with the line.
"""

import re
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictStr

from config.errors import ConfigError
from config.yamlfile import load_yaml_model, yaml_line

CONFIG_DIR = Path(__file__).resolve().parent
DEFAULT_SECTORS_FILE = CONFIG_DIR / "sectors.yaml"

_HS_RE = re.compile(r"\d{2,10}")


def _check_hs(code: str) -> str:
    """HS prefixes are chapter (2), heading (4), subheading (6) or national lines (8, 10 digits)."""
    if not _HS_RE.fullmatch(code) or len(code) % 2:
        raise ValueError(f"HS code {code!r} must be 2 to 10 digits of even length")
    return code


HsCode = Annotated[StrictStr, AfterValidator(_check_hs)]


class LocalText(BaseModel):
    """A label in the two languages alerts are written in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    en: StrictStr
    vi: StrictStr


class Terms(BaseModel):
    """Product terms that place a notice in the sector when it gives no HS code."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    en: list[StrictStr] = Field(default_factory=list)
    vi: list[StrictStr] = Field(default_factory=list)


class Sector(BaseModel):
    """One sector: its id, names, HS scope (with exclusions) and product terms."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: LocalText
    hs: list[HsCode] = Field(default_factory=list)
    hs_exclude: list[HsCode] = Field(default_factory=list)
    terms: Terms = Field(default_factory=Terms)
    associations: list[StrictStr] = Field(default_factory=list)


class SectorsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sectors: list[Sector]


def load_sectors(path: Path = DEFAULT_SECTORS_FILE) -> list[Sector]:
    """Every configured sector in file order; raises ConfigError on a bad file or duplicate id."""
    sectors = load_yaml_model(path, SectorsFile).sectors
    seen: set[str] = set()
    for index, sector in enumerate(sectors):
        if sector.id in seen:
            loc = ("sectors", index, "id")
            raise ConfigError(
                str(path), ".".join(map(str, loc)), f"duplicate sector id {sector.id!r}",
                yaml_line(path, loc),
            )
        seen.add(sector.id)
    return sectors
