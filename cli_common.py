"""What every `trews` command shares: the settings (the demo's under `trews --demo`), and how a
configuration error ends it."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    """The configured settings; under `trews --demo`, the demo's (demo_settings.py), so the
    command works on the demo's database through the same checks and locks as on any other."""
    if demo_mode():
        from demo_settings import demo_settings

        return demo_settings(load_settings())
    return load_settings()


def demo_mode() -> bool:
    """Whether the command was given `trews --demo`."""
    context = click.get_current_context(silent=True)
    return context is not None and bool(context.find_root().params.get("demo"))


@contextmanager
def refused_beside_a_service() -> Iterator[None]:
    """A command that crawls or sends exits 1, saying why, when the database is another
    service's (storage.instance_lock) or its shard cannot be."""
    from storage.instance_lock import AlreadyRunning
    from storage.shards import ShardError

    try:
        yield
    except (AlreadyRunning, ShardError) as exc:
        click.echo(f"not started: {exc}", err=True)
        sys.exit(1)
