"""Load the replay manifest: which recorded response answers which request.

The manifest is data (``recordings/manifest.yaml``), validated like every other TREWS YAML file,
so a typo in a key or a missing recording fails at load time with the file, the dotted key and the
line, instead of surfacing later as a puzzling 404 in a crawl test.

Format::

    routes:                      # tried in order, first match wins
      - path: /api/v1/documents.json
        query: {page: null}      # null: parameter must be absent; a string: must have that value;
                                 # parameters not named are ignored
        file: us/page1.json      # relative to the manifest
        status: 200              # optional, file routes only
        headers: {content-type: application/json; charset=utf-8}   # optional, file routes only
      - path: /api/v1/documents.json
        query: {page: "2"}
        cassette: us/recording.yml   # a Ruby VCR cassette, relative to the manifest
        uri: https://...             # recorded request URI whose status, headers, body to serve
    include:                     # more manifests (names or glob patterns, relative to this one);
      - "*/manifest.yaml"        # their routes come after, in name order
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from config.errors import ConfigError
from config.yamlfile import load_yaml_model
from replay.cassette import CassetteError, find_interaction

DEFAULT_MANIFEST = Path(__file__).resolve().parent / "recordings" / "manifest.yaml"

# Headers that describe the original hop or the original server's session, not the resource:
# replaying them would lie about this connection (length, framing, cookies, HSTS for plain HTTP),
# or about time (date/age are per-response; aiohttp sends the current Date itself).
# accept-ranges is dropped because this server does not honour Range requests.
DROPPED_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "transfer-encoding",
        "content-length",
        "set-cookie",
        "strict-transport-security",
        "date",
        "age",
        "via",
        "x-varnish",
        "accept-ranges",
    }
)

# Where relative paths in the manifest being validated point to. pydantic validators cannot take
# extra arguments through load_yaml_model, and a context variable keeps concurrent loads apart.
_MANIFEST_DIR: ContextVar[Path | None] = ContextVar("replay_manifest_dir", default=None)


def _resolve(relative: str) -> Path:
    """Resolve a manifest-relative path against the directory of the manifest being loaded."""
    base = _MANIFEST_DIR.get() or Path.cwd()
    return (base / relative).resolve()


def _existing_file(relative: str) -> str:
    """Fail validation (and so name the key and line) when a referenced recording is missing."""
    if not _resolve(relative).is_file():
        raise ValueError(f"file not found: {_resolve(relative)}")
    return relative


class RouteSpec(BaseModel):
    """One manifest entry as written in YAML (see the module docstring for the format)."""

    # Numbers are accepted for query values (page: 2) because YAML users rarely quote them.
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    path: str
    query: dict[str, str | None] = Field(default_factory=dict)
    file: str | None = None
    status: int | None = Field(default=None, ge=100, le=599)
    headers: dict[str, str] | None = None
    cassette: str | None = None
    uri: str | None = None

    @field_validator("path")
    @classmethod
    def _absolute_path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with '/'")
        return value

    @field_validator("file", "cassette")
    @classmethod
    def _file_exists(cls, value: str | None) -> str | None:
        return None if value is None else _existing_file(value)

    @field_validator("uri")
    @classmethod
    def _uri_recorded(cls, value: str | None, info: ValidationInfo) -> str | None:
        cassette = info.data.get("cassette")
        if value is not None and cassette is not None:
            try:
                find_interaction(_resolve(cassette), value)
            except CassetteError as exc:
                raise ValueError(str(exc)) from exc
        return value

    @model_validator(mode="after")
    def _one_body_source(self) -> RouteSpec:
        if (self.file is None) == (self.cassette is None):
            raise ValueError("give exactly one of 'file' or 'cassette'")
        if self.cassette is not None and self.uri is None:
            raise ValueError("'cassette' needs 'uri' (the recorded request URI to serve)")
        if self.cassette is None and self.uri is not None:
            raise ValueError("'uri' only goes with 'cassette'")
        if self.cassette is not None and (self.status is not None or self.headers is not None):
            raise ValueError(
                "'status' and 'headers' come from the cassette; set them on file routes"
            )
        return self


class ManifestSpec(BaseModel):
    """The whole manifest file: its routes, then those of the manifests it includes (one per
    source, so each source's recordings and routes live in their own folder)."""

    model_config = ConfigDict(extra="forbid")

    routes: list[RouteSpec] = Field(default_factory=list)
    include: list[str] = Field(default_factory=list)
    # The first publication date from which these recordings make a complete crawl: the demo and
    # the tests ask the spiders for this window, so no unrecorded page is requested.
    since: date | None = None

    @field_validator("include")
    @classmethod
    def _includes_exist(cls, value: list[str]) -> list[str]:
        """Names or glob patterns ('*/manifest.yaml'); a plain name must exist."""
        return [item if any(ch in item for ch in "*?[") else _existing_file(item)
                for item in value]

    @model_validator(mode="after")
    def _not_empty(self) -> ManifestSpec:
        if not self.routes and not self.include:
            raise ValueError("give routes or include")
        return self


def _derived_etag(body: bytes) -> str:
    """A validator computed from the body, used only when the recording has none of its own.

    It is not a recorded header: it exists so that an HTTP cache (Scrapy's RFC 2616 policy) can
    revalidate recordings that were saved without headers, and see a 304 on the second crawl.
    """
    return f'"sha256-{hashlib.sha256(body).hexdigest()[:16]}"'


@dataclass(frozen=True)
class Recording:
    """A response ready to replay: recorded status, the headers worth replaying, and the body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    source: str
    etag_derived: bool = False

    @classmethod
    def build(
        cls, body: bytes, status: int, headers: Iterable[tuple[str, str]], source: str
    ) -> Recording:
        """Drop per-hop headers and add a derived ETag when no validator was recorded."""
        kept = tuple((k, v) for k, v in headers if k.lower() not in DROPPED_HEADERS)
        names = {k.lower() for k, _ in kept}
        if "etag" in names or "last-modified" in names:
            return cls(status, kept, body, source)
        return cls(status, (*kept, ("ETag", _derived_etag(body))), body, source, etag_derived=True)

    def header(self, name: str) -> str | None:
        """First value of a header, case-insensitively (None when absent)."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@dataclass(frozen=True)
class Route:
    """A path (plus query conditions) bound to a recording."""

    path: str
    recording: Recording
    query: Mapping[str, str | None] = field(default_factory=dict)
    group: str = ""  # the folder of the included manifest it comes from: one source's routes

    def matches(self, path: str, query: Any) -> bool:
        """True when the path is equal and every named query condition holds.

        ``query`` is a multidict (``getall``) so repeated parameters such as ``fields[]`` work.
        """
        if path != self.path:
            return False
        for name, wanted in self.query.items():
            values = query.getall(name, [])
            if (wanted is None and values) or (wanted is not None and wanted not in values):
                return False
        return True


def _recording_for(spec: RouteSpec, base: Path) -> Recording:
    """Read the body (and headers) a validated route points at."""
    if spec.cassette is not None and spec.uri is not None:
        cassette = (base / spec.cassette).resolve()
        found = find_interaction(cassette, spec.uri)
        return Recording.build(
            found.body, found.status, found.headers, f"{spec.cassette} {spec.uri}"
        )
    assert spec.file is not None  # guaranteed by RouteSpec._one_body_source
    body = (base / spec.file).read_bytes()
    return Recording.build(body, spec.status or 200, (spec.headers or {}).items(), spec.file)


def _read_spec(path: Path) -> ManifestSpec:
    """Validate one manifest file; relative file names resolve beside it."""
    token = _MANIFEST_DIR.set(path.parent)
    try:
        return load_yaml_model(path, ManifestSpec)
    finally:
        _MANIFEST_DIR.reset(token)


def _included(path: Path, spec: ManifestSpec) -> list[Path]:
    """The manifests `spec` includes, in name order; each one's group is its folder name."""
    return [found for pattern in spec.include for found in sorted(path.parent.glob(pattern))]


def recorded_since(path: Path | str = DEFAULT_MANIFEST, group: str = "") -> dict[str, date]:
    """Each recording folder's `since` (the top-level manifest's under the group "")."""
    path = Path(path).resolve()
    spec = _read_spec(path)
    found = {group: spec.since} if spec.since else {}
    for included in _included(path, spec):
        found |= recorded_since(included, group=included.parent.name)
    return found


def load_manifest(path: Path | str = DEFAULT_MANIFEST, group: str = "") -> list[Route]:
    """Validate the manifest and load every recording into memory; raise ConfigError if bad."""
    path = Path(path).resolve()
    spec = _read_spec(path)
    routes: list[Route] = []
    for index, route in enumerate(spec.routes):
        try:
            recording = _recording_for(route, path.parent)
        except (OSError, CassetteError) as exc:
            raise ConfigError(str(path), f"routes.{index}", str(exc)) from exc
        routes.append(Route(route.path, recording, dict(route.query), group))
    for included in _included(path, spec):
        routes.extend(load_manifest(included, group=included.parent.name))
    return routes
