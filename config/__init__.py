"""Configuration as validated data: settings from the environment, sources and sectors from YAML."""

from config.errors import ConfigError
from config.sectors import Sector, load_sectors
from config.settings import Settings, load_settings
from config.sources import Source, load_sources

__all__ = [
    "ConfigError",
    "Sector",
    "Settings",
    "Source",
    "load_sectors",
    "load_settings",
    "load_sources",
]
