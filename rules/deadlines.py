"""Deadlines hidden in notice sentences, as dates an exporter must act by.

Absolute ("on or before January 31, 2024", "by 31 January 2024", Vietnamese "trước ngày
15/3/2024", "chậm nhất ngày 15 tháng 3 năm 2024") and relative ("within 15 days of publication",
"no later than 30 days after the date of publication", "trong vòng 15 ngày kể từ ngày ban hành")
forms; relative ones are counted from the date of the event the notice reports when its text
states it (a news item published days after an initiation: rules/event_dates.py), else from the
publication date. Each gets a kind from its sentence.
"""

import re
from dataclasses import dataclass
from datetime import date

from rules.dates import calendar_date, days_after
from rules.notice import Deadline
from rules.text import fold, has_digit, may_say

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
_MONTHS.update({name[:3]: number for name, number in list(_MONTHS.items())})  # 'Dec', 'Sept'
_MONTHS["sept"] = 9
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ABSOLUTE_RE = re.compile(
    rf"\b(?:on or before|no later than|not later than|by|before|until"
    rf"|deadline(?: for [a-z ]{{1,40}}?)?(?: of| is| was)?)\s+"
    rf"(?:(?:5|5:00|12:00|noon|midnight)[^,]{{0,25}}?,?\s+(?:on\s+)?)?"
    rf"(?:\w+day,\s+)?({_MONTH_ALT})\s+(\d{{1,2}}),\s*(\d{{4}})",
    re.IGNORECASE,
)
_TRIGGER = (r"(?:on or before|no later than|not later than|(?:due )?by:?|before|until"
            r"|deadline(?: for [a-z ]{1,40}?)?(?: of| is| was)?)")
# '31 January 2024' (EU, UK, Australia, India).
_DAY_MONTH_RE = re.compile(
    rf"\b{_TRIGGER}\s+(?:(?:5|5:00|12:00|noon|midnight)[^,]{{0,25}}?,?\s+(?:on\s+)?)?"
    rf"(?:\w+day,?\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_ALT})\.?\s*,?\s*(\d{{4}})",
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
    r"\b(?:trong vong|trong thoi han|cham nhat(?: la)?|khong qua|co)\s+(\d{1,3})\s+ngay"
    r"(?!\s+lam viec)\s+(?:ke\s+|tinh\s+)?(?:tu|sau)\s+(?:ngay|khi)"
)
# 'phải nộp đơn trong vòng 30 ngày', 'có thể rút yêu cầu trong 90 ngày': a period with no start
# said runs from the step the text reports; only where a party is asked to act.
_VI_PERIOD_RE = re.compile(r"\btrong(?: vong| thoi han)?\s+(\d{1,3})\s+ngay(?!\s+lam viec)"
                           r"(?!\s+(?:ke|tinh)?\s*(?:tu|sau))")
# Words of a party acting (submitting, registering, answering, withdrawing, requesting).
_PARTY_ACTION_RE = re.compile(
    r"\b(?:nop|tra loi|dang ky|rut|gui|binh luan|de nghi|yeu cau|submit\w*|file[ds]?|filing"
    r"|respond\w*|responses?|register\w*|request\w*|comments?|make themselves known"
    r"|withdraw\w*|appear\w*|participat\w*|intent)\b")
# A date the authority sets for its own step ('the Commission must reach a preliminary
# determination ... by March 18', 'ITC sẽ ra kết luận sơ bộ trong vòng 45 ngày'): not a deadline
# for the reader, unless the sentence also asks a party to act.
_AUTHORITY_STEP_RE = re.compile(
    r"\b(?:commission|commerce|the department|usitc|itc|doc|authority|secretary|minister"
    r"|uy ban|bo thuong mai|co quan dieu tra|bo truong)\b.{0,80}?\b(?:determination|determine"
    r"|decide|decision|reach|transmit\w*|views|ket luan|quyet dinh|ban hanh)\b")
# Every date the patterns read has digits, save a count in words ('within fifteen days'), which
# follows one of these: most sentences say neither, and are not searched.
_RELATIVE_WORDS = ("within", "later than")
_SENTENCE_RE = re.compile(r"(?<=[.;])\s+(?=[A-Z(\u00C0-\u00DD\u0110\u1EA0-\u1EF8])")
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("notice_of_intent", re.compile(r"intent to participate|notice of intent|y dinh tham gia",
                                    re.I)),
    ("hearing_request", re.compile(r"request(?:s|ing)? (?:for )?a hearing|hearing request"
                                   r"|(?:de nghi|yeu cau) (?:to chuc )?(?:phien )?(?:tham van"
                                   r"|dieu tran)", re.I)),
    ("case_briefs", re.compile(r"case briefs?|rebuttal briefs?|\bbriefs\b|ban lap luan", re.I)),
    ("questionnaire", re.compile(r"questionnaire|quantity and value|\bQ&V\b|sampling"
                                 r"|bang cau hoi|ban cau hoi|cau hoi dieu tra|tra loi cau hoi"
                                 r"|chon mau|deadline for responses|responses? to this notice",
                                 re.I)),
    ("register", re.compile(r"entr(?:y|ies) of appearance|notices? of appearance|make themselves "
                            r"known|register|registration|interested part(?:y|ies) (?:status|must)"
                            r"|service list"
                            r"|dang ky|lam ben lien quan", re.I)),
    ("comments", re.compile(r"\bcomments?\b|written (?:submissions|arguments)|substantive response"
                            r"|binh luan|y kien|gop y", re.I)),
)


def _authority_step(sentence: str) -> bool:
    """The sentence dates the authority's own step and asks nothing of a party."""
    folded = fold(sentence)
    return bool(_AUTHORITY_STEP_RE.search(folded)) and not _PARTY_ACTION_RE.search(folded)


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


# How far around a date its label is looked for: 'Registration due by: 03 Dec 2026' names the
# date before it, '... có 30 ngày kể từ ngày khởi xướng để trả lời câu hỏi' after it.
_LABEL_BEFORE = 60
_LABEL_AFTER = 90


@dataclass(frozen=True)
class _Found:
    """A date and where it sits in the (folded) sentence."""

    when: date
    start: int
    end: int


def _absolute(sentence: str) -> list[_Found]:
    """Dates after a deadline trigger, in US, day-month and Vietnamese numeric forms."""
    if not has_digit(sentence):
        return []
    found = [(_date(m.group(3), _MONTHS[m.group(1).lower()], m.group(2)), m)
             for m in _ABSOLUTE_RE.finditer(sentence)]
    found += [(_date(m.group(3), _MONTHS[m.group(2).lower()], m.group(1)), m)
              for m in _DAY_MONTH_RE.finditer(sentence)]
    found += [(_date(m.group(3), int(m.group(2)), m.group(1)), m)
              for m in _VI_ABSOLUTE_RE.finditer(fold(sentence))]
    return [_Found(when, m.start(), m.end()) for when, m in found if when is not None]


def _relative(sentence: str, anchor: date | None) -> list[_Found]:
    """Dates counted from `anchor`; none when it is missing or implausible (a feed's year 9999)."""
    if anchor is None:
        return []
    matches = ([(_to_int(m.group(1)), m) for m in _RELATIVE_RE.finditer(sentence)]
               if may_say(sentence, _RELATIVE_WORDS) else [])
    if has_digit(sentence):
        folded = fold(sentence)
        matches += [(int(m.group(1)), m) for m in _VI_RELATIVE_RE.finditer(folded)]
        if _PARTY_ACTION_RE.search(folded):
            matches += [(int(m.group(1)), m) for m in _VI_PERIOD_RE.finditer(folded)]
    found = [(days_after(anchor, n), m) for n, m in matches]
    return [_Found(when, m.start(), m.end()) for when, m in found if when is not None]


def _kind_of(sentence: str, found: _Found) -> str:
    """What is asked by the date: the words just before it, else just after it, else the
    sentence's."""
    folded = fold(sentence)
    for window in (folded[max(0, found.start - _LABEL_BEFORE):found.end],
                   folded[found.start:found.end + _LABEL_AFTER], folded):
        kind = _kind(window)
        if kind != "other":
            return kind
    return "other"


def find_deadlines(text: str, published: date | None, event: date | None = None
                   ) -> list[Deadline]:
    """Deadlines on or after publication, unique by (kind, date), sorted by date; relative ones
    counted from the event's date when known."""
    found: dict[tuple[str, date], Deadline] = {}
    for sentence in _SENTENCE_RE.split(text):
        if _authority_step(sentence):
            continue
        for date_found in _absolute(sentence) + _relative(sentence, event or published):
            when = date_found.when
            if published is not None and when < published:
                continue
            kind = _kind_of(sentence, date_found)
            found.setdefault((kind, when), Deadline(kind, when))
    return sorted(found.values(), key=lambda d: (d.date, d.kind))
