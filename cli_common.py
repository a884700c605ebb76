"""What every `trews` command shares: the settings, and how a configuration error ends it."""

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from config import ConfigError, Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])


def config_errors_exit(command: F) -> F:
    """Bad configuration ends the command with the file, key and reason, and status 2."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ConfigError as exc:
            click.echo(f"configuration error: {exc}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def settings() -> Settings:
    return load_settings()
