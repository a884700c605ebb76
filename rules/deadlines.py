"""Deadlines hidden in notice sentences, as dates an exporter must act by.

Absolute ("on or before January 31, 2024", "by February 12, 2024") and relative ("within 15 days of
publication", "no later than 30 days after the date of publication") forms; relative ones are
counted from the publication date, as the notice says. Each gets a kind from its sentence.
"""

import re
from datetime import date, timedelta

from rules.notice import Deadline

_MONTHS = {
    m: i
    for i, m in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august", "september",
         "october", "november", "december"], start=1)
}
_WORD_NUMBERS = {
    "five": 5, "seven": 7, "ten": 10, "fourteen": 14, "fifteen": 15, "twenty": 20, "twenty-one": 21,
    "thirty": 30, "forty-five": 45, "sixty": 60, "ninety": 90,
}
_MONTH_ALT = "|".join(_MONTHS)
_ABSOLUTE_RE = re.compile(
    rf"\b(?:on or before|no later than|not later than|by|before|until"
    rf"|deadline(?: for [a-z ]{{1,40}}?)?(?: of| is| was)?)\s+"
    rf"(?:(?:5|5:00|12:00|noon|midnight)[^,]{{0,25}}?,?\s+(?:on\s+)?)?"
    rf"(?:\w+day,\s+)?({_MONTH_ALT})\s+(\d{{1,2}}),\s*(\d{{4}})",
    re.IGNORECASE,
)
_NUMBER = r"(\d{1,3}|" + "|".join(_WORD_NUMBERS) + r")(?:\s*\(\d{1,3}\))?"
_RELATIVE_RE = re.compile(
    rf"\b(?:within|no later than|not later than)\s+{_NUMBER}\s+(?:calendar\s+)?days?\s+"
    rf"(?:of|after|from|following)\s+(?:the\s+)?(?:date\s+of\s+)?publication",
    re.IGNORECASE,
)
_SENTENCE_RE = re.compile(r"(?<=[.;])\s+(?=[A-Z(])")
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("notice_of_intent", re.compile(r"intent to participate|notice of intent", re.I)),
    ("hearing_request", re.compile(r"request(?:s|ing)? (?:for )?a hearing|hearing request", re.I)),
    ("case_briefs", re.compile(r"case briefs?|rebuttal briefs?|\bbriefs\b", re.I)),
    ("questionnaire", re.compile(r"questionnaire|quantity and value|\bQ&V\b|sampling", re.I)),
    ("register", re.compile(r"entr(?:y|ies) of appearance|notices? of appearance|make themselves "
                            r"known|register|interested part(?:y|ies) (?:status|must)|service list",
                            re.I)),
    ("comments", re.compile(r"\bcomments?\b|written (?:submissions|arguments)|substantive response",
                            re.I)),
)


def _kind(sentence: str) -> str:
    """What the sentence asks for: the first matching kind, else 'other'."""
    for kind, pattern in _KINDS:
        if pattern.search(sentence):
            return kind
    return "other"


def _to_int(token: str) -> int:
    return int(token) if token.isdigit() else _WORD_NUMBERS[token.lower()]


def _absolute(sentence: str) -> list[date]:
    out = []
    for m in _ABSOLUTE_RE.finditer(sentence):
        try:
            out.append(date(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2))))
        except ValueError:
            continue
    return out


def _relative(sentence: str, published: date | None) -> list[date]:
    if published is None:
        return []
    return [
        published + timedelta(days=_to_int(m.group(1)))
        for m in _RELATIVE_RE.finditer(sentence)
    ]


def find_deadlines(text: str, published: date | None) -> list[Deadline]:
    """Deadlines on or after publication, unique by (kind, date), sorted by date."""
    found: dict[tuple[str, date], Deadline] = {}
    for sentence in _SENTENCE_RE.split(text):
        dates = _absolute(sentence) + _relative(sentence, published)
        if not dates:
            continue
        kind = _kind(sentence)
        for when in dates:
            if published is not None and when < published:
                continue
            found.setdefault((kind, when), Deadline(kind, when))
    return sorted(found.values(), key=lambda d: (d.date, d.kind))
