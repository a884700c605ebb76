"""Process settings from the environment (prefix TREWS_), with defaults that run offline.

Defaults are chosen so a new user needs nothing: a SQLite file and a file outbox under the data
directory. Unknown TREWS_* variables are refused, because a typo would otherwise be silently
ignored.
"""

import ipaddress
import os
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    FilePath,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.errors import ConfigError

CONFIG_DIR = Path(__file__).resolve().parent
ENV_PREFIX = "TREWS_"
MIN_SECRET_LENGTH = 16


def known_zone(value: str) -> str:
    """An IANA time zone name, refused when this system does not know it."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


class Settings(BaseSettings):
    """Everything that differs between a laptop demo and a production service."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")

    data_dir: Path = Field(Path("var"), description="Database, HTTP cache, logs and outbox")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default SQLite in data_dir")
    sources_file: Path = CONFIG_DIR / "sources.yaml"
    sectors_file: Path = CONFIG_DIR / "sectors.yaml"
    subscribers_file: Path = CONFIG_DIR / "subscribers.example.csv"

    smtp_host: str | None = Field(None, description="SMTP server; unset means the file outbox")
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_starttls: bool = Field(False, description="Upgrade with STARTTLS (port 587); a server "
                                "that does not offer it is refused, nothing goes in clear")
    smtp_tls: bool = Field(False, description="Implicit TLS from the first byte (port 465)")
    smtp_ca_file: FilePath | None = Field(
        None, description="CA certificates (PEM) the server's certificate must chain to; "
        "default: the system's. Certificates are always verified")
    smtp_username: str | None = Field(None, description="AUTH; needs smtp_starttls or smtp_tls "
                                      "unless the server is on this machine")
    smtp_password: SecretStr | None = None
    smtp_timeout_s: float = Field(30.0, gt=0)
    smtp_pool_size: int = Field(4, ge=1, description="SMTP connections used in parallel")
    smtp_max_attempts: int = Field(8, ge=1, description="Tries before a delivery is failed")
    smtp_backoff_base_s: float = Field(30.0, gt=0, description="First retry delay; doubles")
    smtp_backoff_max_s: float = Field(3600.0, gt=0, description="Longest retry delay")
    smtp_claim_s: float = Field(
        600.0, gt=0, description="A send claimed longer ago than this was cut off by a crash; "
        "keep it well above the time one send can take (timeouts included)")
    mail_from: str = "TREWS <canhbao@trews.invalid>"
    outbox_dir: Path | None = Field(None, description="File outbox; default data_dir/outbox")
    operator_email: str = Field("operator@localhost", description="Gets source failure alerts")
    operator_language: Literal["vi", "en"] = "vi"

    timezone: str = "Asia/Ho_Chi_Minh"
    crawl_timeout_s: float = Field(600.0, gt=0)
    crawl_concurrency: int = Field(2, ge=1, description="Crawl processes running at once")
    crawl_delay_s: float = Field(1.0, ge=0, description="Least delay between two requests to one "
                                 "site (AutoThrottle adapts above it); 0 for the local replay")
    backfill_days: int = Field(14, ge=0, description="How far back a source's first crawl reaches")
    download_max_bytes: int = Field(
        50 * 1024 * 1024, ge=1024, description="A response larger than this fails its request "
        "(and its source's run); above half of it a warning is logged")
    contact_url: str = "https://github.com/trews/trews"

    secret_key: SecretStr | None = Field(
        None, description="Signs confirm/manage/unsubscribe links; default: data_dir/secret_key")
    public_url: str = Field("http://127.0.0.1:8000",
                            description="Where subscribers open confirm/manage/unsubscribe links")
    list_id: str = Field("alerts.trews.invalid", description="List-Id of every subscriber mail")
    digest_hour: int = Field(7, ge=0, le=23,
                             description="Local hour (subscriber's zone) digests are due")
    reminder_days: tuple[int, ...] = Field(
        (7, 2), min_length=1, max_length=5,
        description="Days before a followed case's deadline that a reminder is sent (JSON list)")
    rate_limit_window_s: float = Field(
        600.0, gt=0, description="Window of the sign-up and login rate limits (sliding)")
    rate_limit_per_ip: int = Field(
        20, ge=1, description="Sign-ups, or logins, one client address may post per window")
    rate_limit_per_email: int = Field(
        5, ge=1,
        description="Sign-ups naming one e-mail address (logins: from one client) per window")
    outbox_backlog_minutes: float = Field(
        30.0, gt=0, description="A mail due this long and not sent means the outbox is backed up")
    outbox_backlog_count: int = Field(
        10_000, ge=1, description="More mails due at once than this means the outbox is backed up")
    job_runs_keep_days: int = Field(30, ge=1, description="How long job runs are kept")
    log_format: Literal["text", "json"] = Field("text", description="json: one object per line")

    @field_validator("reminder_days")
    @classmethod
    def _reminder_windows(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 0 <= days <= 60 for days in value):
            raise ValueError("each reminder is 0 to 60 days before the deadline")
        return tuple(sorted(set(value), reverse=True))

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)

    @field_validator("secret_key")
    @classmethod
    def _long_enough_to_sign(cls, value: SecretStr | None) -> SecretStr | None:
        """Links signed with a short key can be forged by guessing it."""
        if value is not None and len(value.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(f"the secret key must be at least {MIN_SECRET_LENGTH} characters "
                             "(leave it unset to have one generated in data_dir)")
        return value

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        """Every mail's links start with it: only an http(s) address with a host."""
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"must be an http:// or https:// address with a host, not {value!r}")
        return value

    @field_validator("smtp_tls")
    @classmethod
    def _one_way_to_encrypt(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("smtp_starttls"):
            raise ValueError("smtp_starttls (upgrade, port 587) and smtp_tls (implicit TLS, port "
                             "465) exclude each other: choose one")
        return value

    @field_validator("smtp_username")
    @classmethod
    def _no_password_in_clear(cls, value: str | None, info: ValidationInfo) -> str | None:
        """A password is never sent in clear beyond this machine."""
        host = info.data.get("smtp_host")
        encrypted = info.data.get("smtp_starttls") or info.data.get("smtp_tls")
        if value and not encrypted and not _loopback(host):
            raise ValueError(f"the connection to {host} is not encrypted: set smtp_starttls or "
                             "smtp_tls, so the password is not sent in clear")
        return value

    @cached_property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'trews.db'}"

    @cached_property
    def outbox(self) -> Path:
        return self.outbox_dir or self.data_dir / "outbox"

    @cached_property
    def httpcache_dir(self) -> Path:
        return (self.data_dir / "httpcache").resolve()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _loopback(host: str | None) -> bool:
    """A relay on this machine (a local Postfix, say), where nothing crosses the network."""
    if host in (None, "localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refuse_unknown_env() -> None:
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    for name in sorted(os.environ):
        if name.startswith(ENV_PREFIX) and name not in known:
            raise ConfigError("environment", name, "unknown setting (see README, Configuration)")


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; raise ConfigError naming the variable and the reason."""
    _refuse_unknown_env()
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ENV_PREFIX + "_".join(str(p) for p in first["loc"]).upper()
        raise ConfigError("environment", key, first["msg"]) from exc
