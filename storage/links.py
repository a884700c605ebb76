"""The one rule for a notice's URL wherever it is stored, shown or linked: http(s) only.

URLs come from foreign pages and APIs: a ``javascript:`` or ``data:`` URL must never be stored
as a notice's link, returned by the API, nor made clickable on a page or in a mail.
"""

from urllib.parse import urlsplit

SAFE_URL_SCHEMES = ("http", "https")


def safe_url(url: object) -> str | None:
    """The URL when it is http(s), else None (the caller shows no link)."""
    text = str(url or "").strip()
    return text if urlsplit(text).scheme.lower() in SAFE_URL_SCHEMES else None
