"""Vietnam's role in a news item, from the press's own wording.

Vietnam is often implicit in TRAV news ("hàng hóa xuất khẩu của Việt Nam", "thép Việt Nam bị
..."), denied ("Việt Nam không bị điều tra"), or the place goods pass through to evade another
origin's duty ("chuyển tải qua Việt Nam"). A safeguard covers every origin, Vietnam included
unless the notice excludes it (developing country under the 3% threshold); asking for the
exclusion is not one.
"""

import re

from rules.news import EXTENDED_TO, LEAD_CHARS
from rules.news_lead import SENTENCES_RE
from rules.text import fold, squash

_VN = r"(?:viet\s?nam(?:ese)?|vn)"  # Vietnamese press writes 'VN' for Việt Nam
_VN_RE = re.compile(rf"\b{_VN}\b")
_NEGATIVE_RE = re.compile(
    # ('Việt Nam không bị áp thuế' tells the outcome of a case on Vietnam's goods: no denial)
    rf"\b{_VN}\s+(?:khong|chua)\s+(?:(?:phai|nam|thuoc|co ten)\s+)?(?:bi(?!(?: \w+){{0,2}}"
    rf" ap (?:thue|dung)\b)|la|trong|nam|pham vi|dien)\b"
    rf"|\bkhong (?:bao gom|co) {_VN}\b|\bngoai tru {_VN}\b"
    # the measure 'không áp dụng với hàng hóa từ Việt Nam', 'does not apply to Vietnamese goods'
    rf"|\bkhong ap dung (?:doi )?voi (?:\w+ ){{0,3}}{_VN}\b"
    rf"|\b(?:does|do|will) not apply to (?:\w+ ){{0,3}}{_VN}\b"
    # 'Vietnam, like Laos, is not ...', 'Vietnamese steel mills are not named'; not goods 'from
    # Vietnam' that a scope ruling leaves out ('sink grids ... from Vietnam are not covered')
    rf"|(?<!from )\b{_VN}(?:, [^,.;]{{1,60}},| \w+(?: \w+)?)? (?:is|was|are|were) not "
    rf"(?:among|named|a subject|subject|covered|investigated|included|part of|targeted)\b"
)
# Strong: Vietnam's goods are the target ('của Việt Nam', 'Việt Nam bị áp thuế').
_SUBJECT_RE = re.compile(
    rf"\b(?:cua|tu|xuat xu|xuat xu tu|doi voi|exporters? from|imports? from|goods from"
    rf"|in respect of|against)\s+{_VN}\b"
    # a list of origins that names Vietnam last: 'từ 5 nước, trong đó có Việt Nam', 'including
    # Vietnam', 'Việt Nam cũng nằm trong danh sách'
    rf"|\b(?:trong do co|bao gom(?: ca)?|ke ca|including|among them|among which)\s+"
    rf"(?:ca\s+)?{_VN}\b"
    rf"|\b{_VN}\s+(?:cung\s+)?(?:nam trong danh sach|is among|was among|are among)\b"
    # 'Vietnam, Thailand face AD probe', 'Việt Nam và Thái Lan đối mặt ...'
    rf"|\b{_VN}\b[^.;:]{{0,40}}?\b(?:face|faces|facing|doi mat)\b"
    rf"|\b{_VN}\s+(?:bi|chiu|la mot trong (?:cac|nhung) (?:nuoc|quoc gia) bi|co bien do"
    rf"|voi (?:muc|bien do)|co muc (?:thue|bien do))\b"
    # the duty or review 'với mật ong Việt Nam': Vietnam names the goods the measure is on
    rf"|\b(?:thue|ra soat|dieu tra|lenh|bien phap)\b[^.;]{{0,60}}?\b(?:doi voi|voi)"
    rf"(?: [^\W\d_]+){{1,4}}? {_VN}\b"
)
# A sentence on buyers turning to Vietnam's goods, or Vietnam gaining from the case ('sẽ chuyển
# sang nguồn cung từ Việt Nam', 'Vietnamese makers see an opening'): trade around the case.
_DIVERSION_RE = re.compile(
    r"\b(?:chuyen (?:huong )?sang (?:nguon cung|nhap khau|mua|dat hang)|nguon cung thay the"
    r"|huong loi|co hoi|loi the|switch\w* (?:to|sourcing|suppliers)|shift\w* (?:orders|sourcing"
    r"|purchases|to)|turn\w* to|alternative (?:suppliers?|sources?)|an opening|opportunit\w*"
    r"|benefit\w*|gain\w* (?:share|orders))\b")
# Weak: 'hàng Việt Nam', 'Vietnamese producers', 'doanh nghiệp Việt' (the press's shorthand):
# enough only when no origin list says otherwise.
_WEAK_SUBJECT_RE = re.compile(
    rf"\b(?:hang|hang hoa|san pham|mat hang|la mot trong)\s+{_VN}\b"
    r"|\b(?:doanh nghiep|dn|hang|nha xuat khau|nha san xuat)\s+viet\b(?!\s?nam)"
    rf"|\b{_VN}\s+(?:exporters?|producers?|products?|goods)\b"
    rf"|\b{_VN}'s\s+(?:exports?|products?|goods|exporters?)\b"
)
_CIRCUMVENTION_RE = re.compile(
    rf"\b(?:lan tranh|chuyen tai|trung chuyen|hoan thien|lap rap|gia cong|che bien"
    rf"|circumvent\w*|completed|assembled|finished|transship\w*)"
    rf"\b[^.;]{{0,120}}?\b(?:qua|thong qua|tai|o|in|through|via)\s+{_VN}\b"
    # 'Vietnamese-assembled chassis'
    rf"|\b{_VN}-(?:assembled|finished|completed|processed)\b"
    # '... Việt Nam nhằm trốn thuế': goods passed through Vietnam to evade another's duty
    rf"|\b(?:qua|thong qua|tai)\s+{_VN}\b[^.;]{{0,60}}?\b(?:tron thue|lan tranh|evade\w*)\b"
)
_EXTENDED_TO_VN_RE = re.compile(rf"{EXTENDED_TO}[^.;]{{0,40}}?\b{_VN}\b")


def duty_extended_to_vietnam(title: str, body: str) -> str | None:
    """The words extending another origin's duty to goods from or through Vietnam, if any."""
    found = _EXTENDED_TO_VN_RE.search(squash(fold(f"{title}. {body[:LEAD_CHARS]}")))
    return found.group(0) if found else None


_ALL_ORIGINS_RE = re.compile(
    r"\b(?:tat ca cac (?:nuoc|quoc gia|nguon)|moi (?:nuoc|quoc gia|nguon)|khong phan biet xuat xu"
    r"|toan cau|all (?:countries|origins|sources)|regardless of (?:their )?origin|global"
    r"|todos los origenes|todas as origens|independientemente de su origen|toutes origines)\b"
)
_EXCLUSION_RE = re.compile(
    r"\b(?:loai tru|mien tru|mien ap dung|khong ap dung|khong bi ap dung|khong (?:phai )?chiu"
    r"|duoc mien|excluded|exempted|exempt"
    r"|exclusion|excepto|exceptuando|exceto|exclui\w*|excluye\w*)\b"
)
_NEGATED_RE = re.compile(
    r"\b(?:khong(?: (?:duoc|thuoc|nam trong|con duoc))?|chua duoc|kho (?:co the )?(?:duoc)?"
    r"|not (?:be )?|no longer|no (?:se |es |sera )?"
    r"|nao (?:e |sera )?)\s*$"
    # taken out of the exemption: 'đưa thép Việt Nam ra khỏi diện miễn trừ', 'loại Việt Nam khỏi
    # danh sách các nước được miễn trừ', 'removes Vietnam from the list of exempted countries'
    r"|\bkhoi (?:dien|danh sach)\b[^.;]{0,40}$"
    r"|\b(?:remov\w*|drop\w*|tak\w* off)\b[^.;]{0,30}\bfrom (?:the )?(?:list of )?[^.;]{0,20}$"
    # not put on it: 'không đưa Việt Nam vào danh sách miễn trừ', 'Vietnam left off exemption
    # list', 'did not include Vietnam in the exempted countries'
    r"|\b(?:khong|chua)\s+(?:dua|dat|ghi|liet ke|xep|cho)\b[^.;]{0,40}$"
    r"|\b(?:left|leaves?|leaving|kept|keeps?)\s+(?:[\w-]+\s+){0,3}?off\s+(?:the\s+|its\s+|an?\s+)?$"
    r"|\bnot\s+(?:put|place|placed|list|listed|include|included|add|added)\b[^.;]{0,40}$"
)
# Asking for Vietnam's exclusion ('đề nghị loại trừ Việt Nam') is not an exclusion.
_REQUESTED_RE = re.compile(
    r"\b(?:de nghi|yeu cau|kien nghi|xin|van dong|xem xet|can nhac|request\w*|ask\w*|seek\w*"
    r"|urg\w*|call\w* for|consider\w*)(?: \w+){0,5}\s*$")
# The rule an exclusion follows, not an exclusion: 'the threshold for developing-country
# exclusion', 'ngưỡng loại trừ 3%'.
_EXCLUSION_RULE_RE = re.compile(r"\b(?:nguong|threshold|dieu kien|criteria|criterion)"
                                r"(?: [\w-]+){0,3}\s*$")
_SENTENCE_END_RE = re.compile(r"[.;!?](?:\s|$)")
_NEGATOR_RE = re.compile(r"\b(?:khong|chua|not|no|never)\b")


def is_global_safeguard(measures: list[str], origins: list[str], text: str) -> bool:
    """A safeguard with no named origin (or one that says it covers all origins)."""
    if "SG" not in measures:
        return False
    return not [o for o in origins if o != "VN"] or bool(_ALL_ORIGINS_RE.search(fold(text)))


def _denied_after_vietnam(sentence: str, at: int) -> bool:
    """A negation between Vietnam's name and position `at` of a folded sentence: 'Việt Nam không
    nằm trong danh sách các nước được miễn trừ' denies the exclusion."""
    names = list(_VN_RE.finditer(sentence, 0, at))
    return bool(names) and bool(_NEGATOR_RE.search(sentence, names[-1].end(), at))


# An exception to the exemption: 'không áp dụng với các nước đang phát triển ..., ngoại trừ Trung
# Quốc, Việt Nam', 'developing countries are exempt, but goods from China and Vietnam are not'.
_EXCEPTED_RE = re.compile(
    r"\b(?:ngoai tru|tru|except(?:ing)?|other than|excluding|save|but|nhung)\b"
    # an exemption list that does not hold Vietnam: 'danh sách miễn trừ không có Việt Nam'
    r"|\b(?:khong (?:co|gom|bao gom)|(?:does|do) not (?:include|list|name|cover))\b")


def _excepted_after(sentence: str, at: int) -> bool:
    """Vietnam's next name after position `at` follows an exception word: excepted from the
    exemption, so covered."""
    name = _VN_RE.search(sentence, at)
    return name is not None and bool(_EXCEPTED_RE.search(sentence, at, name.start()))


def vietnam_excluded(text: str) -> str | None:
    """The sentence excluding Vietnam from a safeguard (developing-country 3% rule), if any."""
    for sentence in SENTENCES_RE.split(squash(fold(text))):
        if not _VN_RE.search(sentence):
            continue
        for match in _EXCLUSION_RE.finditer(sentence):
            before = sentence[max(0, match.start() - 50):match.start()]
            if not (_NEGATED_RE.search(before) or _REQUESTED_RE.search(before)
                    or _EXCLUSION_RULE_RE.search(before)
                    or _denied_after_vietnam(sentence, match.start())
                    or _excepted_after(sentence, match.end())):
                return sentence[:160]
    return None


def vietnam_not_concerned(title: str, body: str) -> str | None:
    """The words saying Vietnam is not a party to the case ('Việt Nam không bị điều tra'), unless
    their sentence speaks of an exclusion ('danh sách miễn trừ không có Việt Nam'): then it denies
    the exclusion, and Vietnam is covered."""
    everything = f"{squash(fold(title))}. {squash(fold(body))}"
    for match in _NEGATIVE_RE.finditer(everything):
        start = max((m.end() for m in _SENTENCE_END_RE.finditer(everything, 0, match.start())),
                    default=0)
        end = _SENTENCE_END_RE.search(everything, match.end())
        if not (_EXCLUSION_RE.search(everything, start, match.start())
                or _EXCLUSION_RE.search(everything, match.end(),
                                        end.start() if end else len(everything))):
            return match.group(0)
    return None


def undenied(text: str) -> str:
    """The sentences of a text that do not say Vietnam is not concerned ('Vietnamese steel mills
    are not named in the inquiry'): where else it names Vietnam, Vietnam takes a part."""
    return " ".join(s for s in SENTENCES_RE.split(text)
                    if not vietnam_not_concerned(s, ""))


def vietnam_in_news(title: str, body: str, listed: bool = False) -> tuple[str, str] | None:
    """Vietnam's role from news wording: (role, reason), or None when the wording says nothing.

    `listed`: the notice lists its origins and Vietnam is not among them, so only strong wording
    ('của Việt Nam', 'Việt Nam bị ...') makes Vietnam a subject."""
    folded_title = squash(fold(title))
    text = " ".join(s for s in SENTENCES_RE.split(squash(fold(body)))
                    if not (_DIVERSION_RE.search(s) and _VN_RE.search(s)))
    everything = f"{folded_title} {text}"
    if not (_VN_RE.search(everything) or _WEAK_SUBJECT_RE.search(everything)):
        return None
    if _CIRCUMVENTION_RE.search(everything):
        return "circumvention", "the goods are said to be routed through or finished in Vietnam"
    negative = vietnam_not_concerned(title, body)
    if negative:
        return "none", f"the notice says Vietnam is not concerned ('{negative}')"
    subject = _SUBJECT_RE.search(everything) or (
        None if listed else _WEAK_SUBJECT_RE.search(everything))
    if subject:
        return "subject", f"Vietnam's goods are named ('{subject.group(0)}')"
    if _VN_RE.search(folded_title) and not listed:
        return "subject", "the title names Vietnam as the goods' country"
    return None
