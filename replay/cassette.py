"""Read Ruby VCR cassettes, so the FederalRegister.gov team's own recordings replay as they are.

A cassette keeps each response's status, full header list and body text. The body is a YAML
string (folded over several lines by Ruby's emitter); parsing the YAML gives back the exact
text, and its length matches the recorded ``content-length``. We never rewrite the cassette: it
stays a byte-exact copy of the upstream file and is decoded here at load time.
"""

from __future__ import annotations

import base64
import codecs
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# libyaml is ~10x faster on the 300 KB cassette; fall back to the pure-Python loader when absent.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Ruby's name for "raw bytes": Latin-1 maps every byte to one code point and back unchanged.
_RUBY_BINARY = "ascii-8bit"


class CassetteError(ValueError):
    """Unreadable cassette or missing interaction (a ValueError, so pydantic reports it)."""


@dataclass(frozen=True)
class Interaction:
    """One recorded request/response pair, with the body already turned back into bytes."""

    method: str
    uri: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    recorded_at: str


def _body_bytes(body: dict[str, Any]) -> bytes:
    """Turn VCR's body mapping into bytes, honouring the Ruby string encoding it was saved with."""
    if "base64_string" in body:
        return base64.b64decode(body["base64_string"])
    text = body.get("string") or ""
    encoding = str(body.get("encoding") or "utf-8").lower()
    if encoding == _RUBY_BINARY:
        return text.encode("latin-1")
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "utf-8"
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        # Ruby labels strings by declared encoding, not by content; keep every character.
        return text.encode("utf-8")


def _header_pairs(headers: dict[str, Any] | None) -> tuple[tuple[str, str], ...]:
    """Flatten VCR's name -> [values] mapping, keeping repeated headers as separate pairs."""
    pairs: list[tuple[str, str]] = []
    for name, values in (headers or {}).items():
        for value in values if isinstance(values, list) else [values]:
            pairs.append((str(name), str(value)))
    return tuple(pairs)


def _interaction(raw: dict[str, Any]) -> Interaction:
    """Build one Interaction from the cassette's nested request/response mappings."""
    request, response = raw["request"], raw["response"]
    return Interaction(
        method=str(request.get("method", "get")).upper(),
        uri=str(request["uri"]),
        status=int(response["status"]["code"]),
        headers=_header_pairs(response.get("headers")),
        body=_body_bytes(response.get("body") or {}),
        recorded_at=str(raw.get("recorded_at", "")),
    )


@functools.lru_cache(maxsize=16)
def load_cassette(path: Path) -> tuple[Interaction, ...]:
    """Parse a cassette once per process: several routes often share one large cassette."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, yaml.YAMLError) as exc:
        raise CassetteError(f"cannot read cassette {path}: {exc}") from exc
    try:
        return tuple(_interaction(raw) for raw in data["http_interactions"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CassetteError(f"{path} is not a VCR cassette: {exc!r}") from exc


def find_interaction(path: Path, uri: str, method: str = "GET") -> Interaction:
    """Return the interaction recorded for exactly this URI; list near misses when there is none."""
    interactions = load_cassette(path)
    for interaction in interactions:
        if interaction.uri == uri and interaction.method == method.upper():
            return interaction
    known = "; ".join(sorted({i.uri[:100] for i in interactions}))
    raise CassetteError(
        f"no {method.upper()} interaction with uri {uri!r} in {path.name} (has: {known})"
    )
