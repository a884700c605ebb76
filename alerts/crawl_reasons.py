"""Why a crawl failed, in the operator's language.

The crawl records its problems as short English phrases joined by "; " (crawlers/extensions.py,
storage/sources.py, crawl_process.py); the run history and the logs keep them so. The operator's
mail says each one in the reader's language, with the figures and the URL kept as data; a phrase
not known here is shown as recorded, never dropped.
"""

import re
from collections.abc import Callable

from alerts.content import N_

# (pattern over one recorded phrase, message id whose placeholders are the pattern's groups)
_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?P<count>\d+) HTTP error\(s\) \(first: (?P<first>.+)\)"),
     N_("%(count)s download error(s); the first: %(first)s")),
    (re.compile(r"(?P<count>\d+) HTTP error\(s\)"), N_("%(count)s download error(s)")),
    (re.compile(r"(?P<count>\d+) parse error\(s\)"),
     N_("%(count)s page(s) or record(s) that could not be read")),
    (re.compile(r"(?P<count>\d+) notice\(s\) not stored"),
     N_("%(count)s notice(s) not stored in the database")),
    (re.compile(r"(?P<undated>\d+) of (?P<items>\d+) items have no publication date "
                r"\(layout changed\?\)"),
     N_("%(undated)s of %(items)s items have no publication date (has the layout changed?)")),
    (re.compile(r"no items in (?P<runs>\d+) runs in a row \(page layout changed\?\)"),
     N_("no items in %(runs)s runs in a row (has the page layout changed?)")),
    (re.compile(r"crawl ended: (?P<why>.+)"), N_("the crawl ended early: %(why)s")),
    (re.compile(r"(?P<url>\S+): (?P<what>.+) \(page layout changed\?\)"),
     N_("%(url)s: the structure TREWS reads is missing (%(what)s)")),
    (re.compile(r"the last crawl failed"), N_("the last crawl failed")),
)
_HTTP_STATUS = re.compile(r"^HTTP (?P<status>\d{3}) from (?P<url>\S+)$")


def reason_lines(reason: str | None, gettext: Callable[[str], str]) -> list[str]:
    """Each recorded phrase of `reason` in the reader's language (unknown ones as recorded)."""
    return [_said(phrase.strip(), gettext) for phrase in (reason or "").split("; ")
            if phrase.strip()]


def _said(phrase: str, gettext: Callable[[str], str]) -> str:
    for pattern, message in _PHRASES:
        match = pattern.fullmatch(phrase)
        if match:
            values = {name: _detail(value, gettext) for name, value in match.groupdict().items()}
            return gettext(message) % values
    return phrase


def _detail(value: str, gettext: Callable[[str], str]) -> str:
    """'HTTP 503 from https://…' said as the server's answer and the address."""
    status = _HTTP_STATUS.match(value)
    if status is None:
        return value
    return gettext("the server answered HTTP %(status)s to %(url)s") % status.groupdict()
