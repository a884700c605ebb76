"""Load a YAML file into a pydantic model, turning validation errors into ConfigError with the line.

Configuration is data: every YAML file of TREWS goes through here so that a wrong key, type or URL
is reported the same way, with the file, the dotted key and the line where it sits.
"""

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from config.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def _node_line(root: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """Walk the composed YAML node tree along a pydantic error location; return a 1-based line."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            child = next(
                (
                    (k, v)
                    for k, v in node.value
                    if isinstance(k, yaml.ScalarNode) and k.value == str(part)
                ),
                None,
            )
            if child is None:
                break
            node = child[1]
            line = child[0].start_mark.line + 1
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def load_yaml_model(path: Path, model: type[M]) -> M:
    """Parse `path` and validate it as `model`; raise ConfigError naming file, key and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), "(file)", f"cannot read: {exc.strerror or exc}") from exc
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(str(path), "(syntax)", str(getattr(exc, "problem", exc)), line) from exc
    duplicate = _duplicate_key(root)
    if duplicate is not None:
        key, line, first = duplicate
        raise ConfigError(str(path), key, f"duplicate key (first at line {first}): YAML would "
                          "silently keep only the last", line)
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        first, others = first_error(exc)
        loc = tuple(first["loc"])
        key = ".".join(str(p) for p in loc) or "(top level)"
        reason = first["msg"] + (f" (and {others} more problem(s))" if others else "")
        raise ConfigError(str(path), key, reason, _node_line(root, loc)) from exc


def _duplicate_key(node: yaml.Node | None, path: tuple[str, ...] = ()
                   ) -> tuple[str, int, int] | None:
    """The first key written twice in one mapping: (dotted key, its line, the first one's line)."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = str(key.value)
            line = key.start_mark.line + 1
            if name in seen:
                return ".".join((*path, name)), line, seen[name]
            seen[name] = line
            found = _duplicate_key(value, (*path, name))
            if found is not None:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            found = _duplicate_key(item, (*path, str(position)))
            if found is not None:
                return found
    return None


def first_error(exc: ValidationError) -> tuple[Any, int]:
    """The most telling error and how many others there are: an unknown key first, because a
    misspelt key also shows up as the missing one it was meant to be."""
    errors = sorted(exc.errors(), key=lambda error: error["type"] != "extra_forbidden")
    return errors[0], len(errors) - 1


def yaml_line(path: Path, loc: tuple[Any, ...]) -> int | None:
    """Line (1-based) of the key at `loc` in `path`, for checks pydantic validators cannot place."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    return _node_line(root, loc)
