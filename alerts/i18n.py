"""Languages for subscriber-visible text: gettext catalogues, dates, times and country names.

English is the source language (the message ids); Vietnamese comes from
``alerts/locale/vi/LC_MESSAGES/messages.po``. The .po is compiled in memory when first needed, so
the repository keeps only the reviewable text and no build step can leave a stale .mo behind.
Vietnamese is the default because most subscribers are Vietnamese exporters; an unknown or empty
language falls back to it rather than failing a delivery.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined

SOURCE_LANGUAGE = "en"
DEFAULT_LANGUAGE = "vi"
SUPPORTED_LANGUAGES = ("vi", "en")
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"

_DATE_PATTERNS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}
_MOMENT_PATTERNS = {"vi": "HH:mm, dd/MM/yyyy (ZZZZ)", "en": "d MMM yyyy, HH:mm (ZZZZ)"}

# Where CLDR's name is not the one the trade press and the ministry use.
_COUNTRY_OVERRIDES = {
    "vi": {"EU": "Liên minh châu Âu", "TW": "Đài Loan (Trung Quốc)", "WTO": "WTO",
           "IT": "Italia", "HK": "Hồng Kông (Trung Quốc)", "MM": "Myanmar"},
    "en": {"EU": "European Union", "WTO": "WTO"},
}


def normalize_language(language: str | None) -> str:
    """Map "en-US", "EN", "vi_VN", None or an unsupported tag onto a supported language."""
    primary = (language or "").strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> NullTranslations:
    """The gettext object for a language, compiled once per process from its .po file.

    Fuzzy entries are left out so a half-reviewed translation shows the English source rather
    than a possibly wrong Vietnamese sentence about a legal deadline.
    """
    lang = normalize_language(language)
    if lang == SOURCE_LANGUAGE:
        return NullTranslations()
    with catalogue_path(lang).open("rb") as po_file:
        catalog = read_po(po_file, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


def translated_environment(templates: Path | list[Path], language: str, *,
                           autoescape: bool | Callable[[str | None], bool],
                           keep_trailing_newline: bool = False) -> Environment:
    """A Jinja environment over `templates` that speaks `language` (the catalogue's gettext,
    newstyle), for the e-mails and the web pages alike, so both call a stage the same. One per
    language, because gettext is installed environment-wide. StrictUndefined makes a renamed
    field fail the tests, not silently blank a deadline."""
    env = Environment(
        loader=FileSystemLoader(templates),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=keep_trailing_newline,
        extensions=["jinja2.ext.i18n"],
    )
    # Added to the environment by jinja2.ext.i18n at runtime, hence invisible to mypy.
    env.install_gettext_translations(  # type: ignore[attr-defined]
        translations(normalize_language(language)), newstyle=True
    )
    return env


def reader_zone(timezone: str | None) -> ZoneInfo:
    """The reader's zone; a bad stored value degrades to Vietnam time instead of losing the mail."""
    try:
        return ZoneInfo(timezone or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def as_date(value: object) -> date | None:
    """The contract may carry dates as ``date`` or ISO strings; unreadable ones are skipped."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def format_day(day: date, language: str) -> str:
    """A calendar date as the reader writes it: vi "31/01/2024", en "31 Jan 2024" (kept: a
    notice's dates repeat in every subscriber's mail)."""
    lang = normalize_language(language)
    return format_date(day, _DATE_PATTERNS[lang], locale=lang)


@lru_cache(maxsize=4096)
def format_moment(moment: datetime, language: str, timezone: str | None) -> str:
    """An instant in the reader's zone, with the UTC offset so no one has to guess the zone."""
    lang = normalize_language(language)
    return format_datetime(
        moment, _MOMENT_PATTERNS[lang], tzinfo=reader_zone(timezone), locale=lang
    )


def country_name(code: str, language: str) -> str:
    """A market or origin named in the reader's language; unknown codes are shown as given."""
    lang = normalize_language(language)
    key = code.strip().upper()
    override = _COUNTRY_OVERRIDES[lang].get(key)
    if override:
        return override
    name = _territories(lang).get(key)
    return str(name) if name else code


@cache
def _territories(language: str) -> dict[str, str]:
    return dict(Locale.parse(language).territories)
