"""Deadlines hidden in notice sentences, as dates an exporter must act by.

Absolute ("on or before January 31, 2024", "by 31 January 2024", Vietnamese "trước ngày
15/3/2024", "chậm nhất ngày 15 tháng 3 năm 2024") and relative ("within 15 days of publication",
"no later than 30 days after the date of publication", "trong vòng 15 ngày kể từ ngày ban hành")
forms; relative ones are counted from the date of the event the notice reports when its text
states it (a news item published days after an initiation: rules/event_dates.py), else from the
publication date. Each gets a kind from its sentence.
"""

import re
from datetime import date

from rules.dates import calendar_date, days_after
from rules.notice import Deadline
from rules.text import fold

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
_TRIGGER = (r"(?:on or before|no later than|not later than|by|before|until"
            r"|deadline(?: for [a-z ]{1,40}?)?(?: of| is| was)?)")
# '31 January 2024' (EU, UK, Australia, India).
_DAY_MONTH_RE = re.compile(
    rf"\b{_TRIGGER}\s+(?:(?:5|5:00|12:00|noon|midnight)[^,]{{0,25}}?,?\s+(?:on\s+)?)?"
    rf"(?:\w+day,?\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_ALT})\s*,?\s*(\d{{4}})",
    re.IGNORECASE,
)
# Vietnamese, matched on folded text: 'trước ngày 15/3/2024', 'chậm nhất là ngày 15 tháng 3 năm
# 2024', 'hạn chót ngày 15-03-2024', 'không muộn hơn ngày ...'.
_VI_DATE = (r"(\d{1,2})\s*(?:/|-|\.|\s+thang\s+)\s*(\d{1,2})\s*(?:/|-|\.|\s+nam\s+)\s*"
            r"(\d{4})")
_VI_ABSOLUTE_RE = re.compile(
    r"\b(?:truoc ngay|truoc|cham nhat|han chot|han cuoi|muon nhat|den het ngay|den het"
    r"|khong muon hon|khong tre hon|thoi han(?: cuoi(?: cung)?)?(?: la)?)"
    rf"(?:\s+(?:la|vao|truoc))*(?:\s+ngay)?\s+{_VI_DATE}"
)
_NUMBER = r"(\d{1,3}|" + "|".join(_WORD_NUMBERS) + r")(?:\s*\(\d{1,3}\))?"
_RELATIVE_RE = re.compile(
    rf"\b(?:within|no later than|not later than)\s+{_NUMBER}\s+(?:calendar\s+)?days?\s+"
    rf"(?:of|after|from|following)\s+(?:the\s+)?(?:date\s+of\s+)?(?:the\s+)?"
    rf"(?:publication|initiation|this notice)",
    re.IGNORECASE,
)
# 'trong vòng 15 ngày kể từ ngày ...' / 'trong thời hạn 30 ngày kể từ ngày ...' (calendar days;
# 'ngày làm việc', working days, is not computed).
_VI_RELATIVE_RE = re.compile(
    r"\b(?:trong vong|trong thoi han|cham nhat(?: la)?|khong qua)\s+(\d{1,3})\s+ngay"
    r"(?!\s+lam viec)\s+(?:ke\s+)?(?:tu|sau)\s+(?:ngay|khi)"
)
_SENTENCE_RE = re.compile(r"(?<=[.;])\s+(?=[A-Z(\u00C0-\u00DD\u0110\u1EA0-\u1EF8])")
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("notice_of_intent", re.compile(r"intent to participate|notice of intent|y dinh tham gia",
                                    re.I)),
    ("hearing_request", re.compile(r"request(?:s|ing)? (?:for )?a hearing|hearing request"
                                   r"|(?:de nghi|yeu cau) (?:to chuc )?(?:phien )?(?:tham van"
                                   r"|dieu tran)", re.I)),
    ("case_briefs", re.compile(r"case briefs?|rebuttal briefs?|\bbriefs\b|ban lap luan", re.I)),
    ("questionnaire", re.compile(r"questionnaire|quantity and value|\bQ&V\b|sampling"
                                 r"|bang cau hoi|cau hoi dieu tra|chon mau", re.I)),
    ("register", re.compile(r"entr(?:y|ies) of appearance|notices? of appearance|make themselves "
                            r"known|register|interested part(?:y|ies) (?:status|must)|service list"
                            r"|dang ky|lam ben lien quan", re.I)),
    ("comments", re.compile(r"\bcomments?\b|written (?:submissions|arguments)|substantive response"
                            r"|binh luan|y kien|gop y", re.I)),
)


def _kind(sentence: str) -> str:
    """What the sentence asks for: the first matching kind, else 'other'."""
    folded = fold(sentence)
    for kind, pattern in _KINDS:
        if pattern.search(folded):
            return kind
    return "other"


def _to_int(token: str) -> int:
    return int(token) if token.isdigit() else _WORD_NUMBERS[token.lower()]


def _date(year: str, month: int, day: str) -> date | None:
    return calendar_date(int(year), month, int(day))


def _absolute(sentence: str) -> list[date]:
    """Dates after a deadline trigger, in US, day-month and Vietnamese numeric forms."""
    found = [_date(m.group(3), _MONTHS[m.group(1).lower()], m.group(2))
             for m in _ABSOLUTE_RE.finditer(sentence)]
    found += [_date(m.group(3), _MONTHS[m.group(2).lower()], m.group(1))
              for m in _DAY_MONTH_RE.finditer(sentence)]
    found += [_date(m.group(3), int(m.group(2)), m.group(1))
              for m in _VI_ABSOLUTE_RE.finditer(fold(sentence))]
    return [d for d in found if d is not None]


def _relative(sentence: str, anchor: date | None) -> list[date]:
    """Dates counted from `anchor`; none when it is missing or implausible (a feed's year 9999)."""
    if anchor is None:
        return []
    days = [_to_int(m.group(1)) for m in _RELATIVE_RE.finditer(sentence)]
    days += [int(m.group(1)) for m in _VI_RELATIVE_RE.finditer(fold(sentence))]
    found = [days_after(anchor, n) for n in days]
    return [d for d in found if d is not None]


def find_deadlines(text: str, published: date | None, event: date | None = None
                   ) -> list[Deadline]:
    """Deadlines on or after publication, unique by (kind, date), sorted by date; relative ones
    counted from the event's date when known."""
    found: dict[tuple[str, date], Deadline] = {}
    for sentence in _SENTENCE_RE.split(text):
        dates = _absolute(sentence) + _relative(sentence, event or published)
        if not dates:
            continue
        kind = _kind(sentence)
        for when in dates:
            if published is not None and when < published:
                continue
            found.setdefault((kind, when), Deadline(kind, when))
    return sorted(found.values(), key=lambda d: (d.date, d.kind))
