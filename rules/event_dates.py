"""The date of the event a news item reports, when its text states it.

A news item is published days after the step it reports ("Ngày 11/11/2026, Ủy ban Chống bán phá
giá Úc đã khởi xướng ..." published on the 13th): the step's date is the case's date, and
relative deadlines ("trong vòng 37 ngày kể từ ngày khởi xướng") count from it. The event date is
the first date of the lead stated as a day on which something was done: not a period ("thời kỳ
điều tra 1/7/2025 - 30/6/2026"), not a deadline ("trước ngày ..."), not background ("Trước đó,
ngày ..."). A measure's first day ("có hiệu lực từ ngày 4/6/2026", "kể từ ngày ...") is the
event's date only when the lead states no other. A date without a year takes the publication's
year (the year before, when that would put it after the publication).
"""

import re
from datetime import date

from rules import languages
from rules.dates import calendar_date
from rules.text import fold

_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"]
# Full names first, then their short forms ('03 Nov 2026' on a case page, the press's 'Feb. 24'
# and 'Sept. 3').
_MONTH = "|".join([*_MONTHS, "sept", *(name[:3] for name in _MONTHS)])
_DOT = r"\.?"  # after a short form
_YEAR = r"(?:\s*(?:/|-|\.|,?\s*nam)\s*(\d{4}))?"
_VI_RE = re.compile(rf"\b(?:ngay|hom)\s+(\d{{1,2}})\s*(?:/|-|\.|\s+thang\s+)\s*(\d{{1,2}}){_YEAR}")
# The press's 'hôm qua (5/12)', 'thứ Hai tuần này (22/12)': a day named, its date in brackets.
_VI_NAMED_DAY_RE = re.compile(
    r"\b(?:hom nay|hom qua|sang nay|chieu nay|sang qua|chieu qua|toi qua|thu (?:hai|ba|tu|nam"
    r"|sau|bay)|chu nhat"
    # Indonesian and Malay press alike: 'pada Senin (8/9)'
    r"|senin|selasa|rabu|kamis|jumat|sabtu|minggu)(?: tuan (?:nay|truoc|qua))?\s*"
    r"\((\d{1,2})/(\d{1,2})()\)")
# A step over several days ('từ ngày 12 đến 16/1/2026'): it began on the first.
_VI_SPAN_RE = re.compile(rf"\b(?:tu\s+)?ngay\s+(\d{{1,2}})\s*(?:den|-|–)\s*\d{{1,2}}\s*"
                         rf"(?:/|-|\.|\s+thang\s+)\s*(\d{{1,2}}){_YEAR}")
# Vietnamese also writes a full date bare ('có hiệu lực từ 12/8/2025', '26-9-2025'), day first;
# read only in Vietnamese text, since American English puts the month first.
_BARE_RE = re.compile(r"(?<![\d/.-])(\d{1,2})([/-])(\d{1,2})\2(\d{4})(?![\d/])")
_VIETNAMESE_RE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]",
                            re.IGNORECASE)
# 'February 10, 2026', '11 May 2026', '30th June, 2026'
_EN_DATE = (rf"(?:(?P<m1>{_MONTH}){_DOT}\s+(?P<d1>\d{{1,2}}),\s*(?P<y1>\d{{4}})"
            rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH}){_DOT},?\s+(?P<y2>\d{{4}}))")
# A step over several days in English ('from September 15 to 19, 2025', '3-5 June 2026'): it
# began on the first.
_EN_SPAN_RE = re.compile(
    rf"\b(?:(?P<m1>{_MONTH}){_DOT}\s+(?P<d1>\d{{1,2}})\s*(?:-|–|to|through)\s*\d{{1,2}},\s*"
    rf"(?P<y1>\d{{4}})|(?P<d2>\d{{1,2}})\s*(?:-|–|to)\s*\d{{1,2}}\s+(?P<m2>{_MONTH}){_DOT},?\s+"
    rf"(?P<y2>\d{{4}}))")
# The authorities' own languages write the day first, the month by name ('18 de febrero de 2026',
# '11 de setembro de 2025', '14 mars 2025', '8 Agustus 2025', '14 Kasım 2025'), folded here.
_OTHER_MONTHS = {
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
          "diciembre",
    "pt": "janeiro fevereiro marco abril maio junho julho agosto setembro outubro novembro "
          "dezembro",
    "fr": "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre",
    "id": "januari februari maret april mei juni juli agustus september oktober november "
          "desember",
    "tr": "ocak subat mart nisan mayis haziran temmuz agustos eylul ekim kasim aralik",
}
_OTHER_MONTH = {name: number for names in _OTHER_MONTHS.values()
                for number, name in enumerate(names.split(), start=1)} | {"setiembre": 9,
                                                                          "nopember": 11}
_OTHER_RE = re.compile(
    r"\b(\d{1,2})(?:er|o|º)?\s+(?:de\s+)?(" + "|".join(sorted(_OTHER_MONTH, key=len, reverse=True))
    + r")\s+(?:de\s+)?(\d{4})\b")
# said with 'on' or bare ('in a determination signed March 2, 2026'): the words before it decide
_EN_RE = re.compile(rf"\b(?:on\s+)?(?:\w+day,\s+)?{_EN_DATE}")
# 'found on December 30', 'published on 20 April': the year is the publication's
_EN_NO_YEAR_RE = re.compile(
    rf"\bon\s+(?:\w+day,\s+)?(?:(?P<m1>{_MONTH}){_DOT}\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH}))\b{_DOT}(?!,?\s*\d)")
# 'Ngày khởi xướng là 9/6/2026', 'Ngày khởi xướng: 24/1/2026', 'DATES: Applicable November 2,
# 2026', 'Date of initiation: 11 May 2026', 'Initiation date: 3 March 2026', 'Decision No. 402
# dated February 10, 2026', 'signed on 24 June 2025': the date named as the step's.
_NAMED_RE = re.compile(
    rf"\b(?:ngay [a-z ]{{3,25}}?(?: la|:)|applicable|effective)\s+(?:ngay\s+)?"
    rf"(?:(\d{{1,2}})\s*(?:/|-|\.|\s+thang\s+)\s*(\d{{1,2}}){_YEAR}"
    rf"|({_MONTH})\s+(\d{{1,2}}),\s*(\d{{4}}))")
_EN_NAMED_RE = re.compile(
    rf"\b(?:date of (?:initiation|imposition|decision|the decision|publication|the notice)"
    rf"|(?:initiation|decision|publication|notice) date|dated|signed)\s*:?\s*(?:on\s+)?{_EN_DATE}")
# What makes a date something else than the day of the event: a deadline, a period's bounds,
# background, an extension's new date ('từ', from; folded 'thông tư', a circular, ends alike).
_NOT_EVENT_BEFORE_RE = re.compile(
    r"\b(?:truoc|han chot|han cuoi|cham nhat|den het|(?<!thong )(?<!xuong )tu|den|giai doan|thoi ky"
    r"|ky dieu tra"
    r"|truoc do,?|until|by|before|from|through|to|den truoc|due|expected|scheduled)\s*$"
    r"|\d\s*[-–]\s*$")
# 'có hiệu lực (kể) từ ngày', 'hết hiệu lực từ ngày', 'thời hạn 5 năm kể từ ngày', 'effective
# from', 'for six months from': the day a measure starts or ends, which an item reporting the
# measure gives in place of the decision's.
_TAKES_EFFECT_BEFORE_RE = re.compile(
    r"\b(?:hieu luc|ke|nam,?|thang,?)\s+tu\s*$"
    r"|\b(?:apply|applies|applied|ceased? to apply)\s+from\s*$"
    r"|\b(?:entering|entered|imported|shipped|arriving)\s+(?:on or after|from|as of)\s*$"
    r"|\bnhap khau\s+tu\s*$"
    r"|\b(?:effective|takes? effect|took effect|with effect|in force|days|weeks|months|years)"
    r"(?:\s+(?:from|on|as of|starting|beginning))?\s*$"
    # 'guarantees ... from 11 August 2025 for four months', 'starting 15 January 2026'
    r"|\b(?:from|starting|beginning|as of)\s*$"
    # 'à compter du 1er septembre', 'a partir del 5 de marzo', 'a partir de 1º de abril'
    r"|\b(?:a compter|a partir)\s+(?:du|de|del|do|da)(?:\s+la)?\s*$")
# The day a measure lapses ('the measure will lapse on 23 March 2026', 'due to expire on 16
# October'): the first day without it, or of its renewal, which an item reporting a revocation
# or a continuation gives in place of the decision's.
_ENDS_OR_RENEWS = ("revocation", "continuation")
_LAPSES_BEFORE_RE = re.compile(
    r"\b(?:lapses?|lapsed|expires?|expired|ends?|ended|cease|ceases|ceased)(?:\s+on)?\s*$"
    r"|\b(?:het hieu luc|cham dut hieu luc)(?:\s+(?:vao|tu))?\s*$")
# The date of the report a lead cites ('Theo thông báo ngày 2/4/2025, cuộc điều tra được khởi
# xướng từ ngày 14/3/2025'): the step's own date, when the lead gives one after it, is the event's.
_REPORT_DATE_BEFORE_RE = re.compile(r"\b(?:theo|according to)\s+(?:(?:the|a)\s+)?(?:thong bao"
                                    r"|cong bo|notice|announcement)(?:\s+(?:ngay|dated|of))?\s*$")
# A step said to be just taken ('vừa khởi xướng', 'has just imposed') with no date: the day
# the item is published.
_JUST_NOW_RE = re.compile(r"\b(?:vua|has just|have just|hom nay|today)\b")
_RANGE_AFTER_RE = re.compile(r"^,?\s*(?:-|–|den|to|through)\s*(?:\d|[a-z]{3})")
# A date told as an earlier step's, after the sentence's own step: 'khởi xướng, sau khi nhận
# đơn ngày 2/4'.
_SUBORDINATE_RE = re.compile(r"\b(?:sau khi|truoc khi|ke tu khi|after|following|since|once)\b")
# '..., MITI said in a statement on 23 April': the clause is the report of the step, not the
# earlier event.
_REPORTED_RE = re.compile(r"\b(?:said|says|stated|announced|statement|cho biet|thong bao)\b")
_SENTENCE_END_RE = re.compile(r"[.;!?]\s")
# The request that opens a case, as the EU and Australia name it ('the complaint was lodged').
_COMPLAINT_RE = re.compile(r"\b(?:complaint|application)\s+(?:was|were|has been|had been)\s+"
                           r"(?:lodged|filed|submitted|received)\b")
_LEAD = 500
_WINDOW = 25
# A case page's labelled dates sit after its product description: read further than a lead.
_LABELLED_HEAD = 2000


def _with_year(day: int, month: int, year: str | None, published: date | None) -> date | None:
    if year:
        return calendar_date(int(year), month, day)
    if published is None:
        return None
    found = calendar_date(published.year, month, day)
    if found is not None and found > published:
        found = calendar_date(published.year - 1, month, day)
    return found


def _sentence_start(lead: str, position: int) -> int:
    """Where the sentence holding `position` begins."""
    return max((m.end() for m in _SENTENCE_END_RE.finditer(lead, 0, position)), default=0)


def _step_before(lead: str, position: int) -> bool:
    """True when the sentence holding `position` names its step before it and then turns to an
    earlier event ('... khởi xướng, sau khi nhận đơn ngày 2/4'): the date is that event's. Said
    right after its step ('initiated on 14 October 2025', 'khởi xướng ... vào ngày 29/6'), the
    date is the step's own."""
    start = _sentence_start(lead, position)
    step = languages.earliest_stage(lead[start:position], weak=False)
    if step is None:
        return False
    earlier = list(_SUBORDINATE_RE.finditer(lead, start + step.start, position))
    return bool(earlier) and not _REPORTED_RE.search(lead, earlier[-1].end(), position)


def _in_opening_clause(lead: str, position: int) -> bool:
    """True when `position` lies in a clause that opens its sentence with an earlier event ('Sau
    khi ITC bỏ phiếu ngày 3/12, Bộ Thương mại ban hành lệnh ...'): the date is that event's."""
    start = _sentence_start(lead, position)
    opening = _SUBORDINATE_RE.match(lead, start)
    return opening is not None and "," not in lead[opening.end():position]


def _month(name: str) -> int:
    return [month[:3] for month in _MONTHS].index(name[:3]) + 1


def _english(m: re.Match[str]) -> date | None:
    """The date of an _EN_DATE match, whichever order it is written in."""
    if m.group("m1"):
        return calendar_date(int(m.group("y1")), _month(m.group("m1")), int(m.group("d1")))
    return calendar_date(int(m.group("y2")), _month(m.group("m2")), int(m.group("d2")))


def _candidates(lead: str, published: date | None, *, vietnamese: bool
                ) -> list[tuple[int, int, date | None, bool]]:
    """(start, end, date, named as the step's) of every date form of the (folded) lead; bare
    day-first dates only in `vietnamese` text."""
    found = []
    for m in _NAMED_RE.finditer(lead):
        if m.group(1):
            when = _with_year(int(m.group(1)), int(m.group(2)), m.group(3), published)
        else:
            when = calendar_date(int(m.group(6)), _month(m.group(4)), int(m.group(5)))
        found.append((m.start(), m.end(), when, True))
    for pattern in (_VI_SPAN_RE, _VI_RE, _VI_NAMED_DAY_RE):
        for m in pattern.finditer(lead):
            found.append((m.start(), m.end(), _with_year(
                int(m.group(1)), int(m.group(2)), m.group(3), published), False))
    if vietnamese:
        said = [(start, end) for start, end, *_ in found]
        for m in _BARE_RE.finditer(lead):
            if not any(start < m.end() and m.start() < end for start, end in said):
                found.append((m.start(), m.end(), calendar_date(
                    int(m.group(4)), int(m.group(3)), int(m.group(1))), False))
    for m in _EN_NAMED_RE.finditer(lead):
        found.append((m.start(), m.end(), _english(m), True))
    for pattern in (_EN_RE, _EN_SPAN_RE):
        for m in pattern.finditer(lead):
            found.append((m.start(), m.end(), _english(m), False))
    for m in _OTHER_RE.finditer(lead):
        found.append((m.start(), m.end(), calendar_date(
            int(m.group(3)), _OTHER_MONTH[m.group(2)], int(m.group(1))), False))
    for m in _EN_NO_YEAR_RE.finditer(lead):
        month, day = (m.group("m1"), m.group("d1")) if m.group("m1") else (m.group("m2"),
                                                                            m.group("d2"))
        found.append((m.start(), m.end(), _with_year(int(day), _month(month), None, published),
                      False))
    return sorted(found, key=lambda f: (not f[3], f[0]))


def event_date(text: str, published: date | None, stage: str | None = None
               ) -> tuple[date | None, str]:
    """The event's date and the words that state it, or (None, ''). A petition's date is
    background to any later step ('The complaint was lodged on 2 February 2026'); a date after
    the publication is none, except the day of a hearing the item announces (stage other) and
    the first day of the measure it reports ('thu trong 120 ngày kể từ ngày 18/8'). The date of
    a report the lead cites yields to a step's own date after it."""
    lead = fold(text[:_LEAD])
    vietnamese = bool(_VIETNAMESE_RE.search(text[:_LEAD]))
    candidates = _candidates(lead, published, vietnamese=vietnamese)
    for cited in (False, True):
        found, takes_effect = _first_event(text, lead, candidates, published, stage,
                                           with_cited=cited)
        if found:
            return found
    if takes_effect:
        return takes_effect
    just = _JUST_NOW_RE.search(lead.split(". ", 1)[0])
    if just and published is not None:
        return published, f"{just.group(0)}, the day of publication"
    return None, ""


_Found = tuple[date, str]


def _first_event(text: str, lead: str, candidates: list[tuple[int, int, date | None, bool]],
                 published: date | None, stage: str | None, *, with_cited: bool
                 ) -> tuple[_Found | None, _Found | None]:
    """The first candidate that is the event's date, and the first day of a measure the lead
    reports; a cited report's date ('Theo thông báo ngày 2/4') only `with_cited`."""
    takes_effect: _Found | None = None
    for start, end, when, named in candidates:
        if when is None:
            continue
        before = lead[max(0, start - _WINDOW):start]
        if not with_cited and _REPORT_DATE_BEFORE_RE.search(before):
            continue
        ranged = _RANGE_AFTER_RE.match(lead[end:end + 6])
        if (not named and takes_effect is None and not ranged
                and (_TAKES_EFFECT_BEFORE_RE.search(before) or (
                    stage in _ENDS_OR_RENEWS and _LAPSES_BEFORE_RE.search(before)))):
            takes_effect = when, text[start:end]
        announced = stage == "other" and _hearing_before(lead, start)
        if published is not None and when > published and not announced:
            continue
        if not named and not announced and (
                _NOT_EVENT_BEFORE_RE.search(before) or ranged
                or _step_before(lead, start) or _in_opening_clause(lead, start)
                or (stage != "petition" and _petitions_date(lead, start))):
            continue
        return (when, text[start:end]), takes_effect
    return None, takes_effect


# A hearing or consultation an item announces ('sẽ tổ chức phiên điều trần vào ngày 12/3'): the
# step it reports is that day, although it lies after the publication.
_HEARING_RE = re.compile(r"\b(?:dieu tran|tham van cong khai|phien tham van|hearings?"
                         r"|public consultation|verification|tham tra|xac minh)\b")


def _hearing_before(lead: str, position: int) -> bool:
    """The sentence holding `position` names a hearing before it."""
    start = _sentence_start(lead, position)
    return bool(_HEARING_RE.search(lead, start, position))


def labelled_date(text: str, published: date | None) -> tuple[date | None, str]:
    """The step's date an authority's case page labels ('Initiation date: 03 Nov 2026'), anywhere
    in its first part; (None, '') without one, or with one after the page's date."""
    head = fold(text[:_LABELLED_HEAD])
    for m in _EN_NAMED_RE.finditer(head):
        when = _english(m)
        if when is not None and (published is None or when <= published):
            return when, text[m.start():m.end()]
    return None, ""


def _petitions_date(lead: str, position: int) -> bool:
    """The sentence holding `position` tells of the petition (or complaint) before the date."""
    start = _sentence_start(lead, position)
    before = lead[start:position]
    step = languages.earliest_stage(before, weak=False)
    return (step is not None and step.name == "petition") or bool(_COMPLAINT_RE.search(before))
