"""News items about trade remedies, from publishers that are not the investigating authority.

TRAV (market "VN") and WTO news report cases in headline style: "Hoa Kỳ khởi xướng điều tra chống
bán phá giá đối với sản phẩm tôm nhập khẩu từ Việt Nam". Such an item is a case when its TITLE
names a remedy (or a remedy step whose lead paragraph names the remedy): a market report that
mentions a duty in passing ("Xuất khẩu thủy sản 10 tháng đạt ...") or a workshop on trade
remedies ("Hội thảo phổ biến ...") is not. The stage is the earliest stage phrase of the title
(the main verb leads a Vietnamese headline). Vietnam is often implicit in TRAV news ("hàng hóa
xuất khẩu của Việt Nam", "thép Việt Nam bị ..."): rules/news_vietnam.py reads its role.
"""

import re

from rules import classify, languages, stages
from rules.classify import Verdict
from rules.news_lead import (
    BARE_TRIBUNAL_RE,
    SENTENCES_RE,
    TRIBUNAL_RE,
    case_in_lead,
    court_in,
    first_step,
    opens_with_step,
)
from rules.text import fold, squash

# A publisher whose market is one of these reports other authorities' cases (or, for VN, both).
NEWS_MARKETS = frozenset({"VN", "WTO", "GTA", "INT", "WORLD"})
_NATIONAL_RE = re.compile(r"^(?:[A-Z]{2}|EU)$")
LEAD_CHARS = 400
# A duty on another origin's goods extended to goods shipped from or through a country ('extends
# the duty on footwear from China to shoes routed via Vietnam', 'mở rộng thuế ... sang hàng gửi từ
# Việt Nam'): the order that ends a circumvention inquiry.
EXTENDED_TO = (r"\b(?:extend(?:s|ed|ing)?|mo rong)\b[^.;]{0,60}?\b(?:dut(?:y|ies)|thue"
               r"|bien phap|measures?)\b[^.;]{0,100}?\b(?:to|sang)\s+(?:[a-z-]+\s+){0,4}?")
_EXTENDED_TO_RE = re.compile(
    EXTENDED_TO + r"(?:imports?|imported|shipments?|goods|products?|hang|routed|consigned"
    r"|shipped|sent|exported|exports|xuat khau|gui|via|qua)\b")

# Vietnam's own trade-remedy bodies: their NAMES contain 'phòng vệ thương mại' but say nothing
# about a case ('Cục Phòng vệ thương mại làm việc với ...').
_OWN_BODIES_RE = re.compile(
    r"\b(?:cuc|co quan|vu|hoi dong) phong ve thuong mai\b(?! (?:cua )?(?:an do|anh|vuong quoc anh"
    r"|indonesia|uc|australia|han quoc))|\btrade remedies authority of viet\s?nam\b|\btrav\b"
)
# Authorities named after the measures they administer ('Ủy ban Chống bán phá giá Úc', 'Tổng vụ
# Chống bán phá giá và chống trợ cấp', 'Anti-Dumping Commission'): their name says nothing of
# the measure of the case reported.
_AUTHORITY_NAME_RE = re.compile(
    r"\b(?:uy ban|tong vu|cuc|co quan|hoi dong|commission|directorate|bureau|authority)"
    r"(?: dieu tra| xem xet| ve)? (?:chong )?(?:ban pha gia|anti-?dumping)(?: va (?:chong )?tro cap"
    r"| and (?:anti-?subsidy|countervailing))?\b"
    # Thailand's 'Anti-Dumping and Countervailing Committee'
    r"|\banti-?dumping and (?:countervailing|anti-?subsidy)(?: duties?)? (?:committee|board)\b"
    # Australia's 'Anti-Dumping Commission', 'Anti-Dumping Review Panel'
    r"|\banti-?dumping (?:commission|review panel)(?:'s)?\b"
    # Thailand's 'Committee on Dumping and Subsidy'
    r"|\b(?:committee|board) on (?:anti-?)?dumping and (?:subsidy|subsidies|countervailing)\b")


def without_authority_names(folded: str) -> str:
    """Folded text with the names of measure-named authorities blanked out."""
    return _AUTHORITY_NAME_RE.sub(" ", folded)


# A remedy named to say what the news is not, or is like: 'không thể kháng như vụ chống bán phá
# giá', 'không phải biện pháp chống bán phá giá', 'is not an antidumping ... proceeding'.
_COMPARED_REMEDY_RE = re.compile(
    r"\b(?:nhu|khac voi|khong phai(?: la)?|unlike|not an?|rather than|separate from)\s+"
    r"(?:(?:mot|cac|vu|vu viec|bien phap|thue|an?|the)\s+){0,2}"
    r"(?:chong ban pha gia|chong tro cap|anti-?dumping|countervailing)\b")


# 'Bán phá giá' without 'chống' or a duty: dumping in the everyday sense ('các hãng xe điện bán
# phá giá để giành thị phần') unless the goods cross a border or a case is named around it.
_PRICE_WAR_RE = re.compile(r"(?<!chong )\bban pha gia\b")
_CROSS_BORDER_RE = re.compile(
    r"\b(?:(?:hang )?nhap khau (?:tu|vao|cua)|xuat khau (?:sang|vao|cua|tu)|chong ban pha gia"
    r"|(?:ap|chiu|muc) thue|thue (?:chong|nhap khau|tu ve)|dieu tra|(?:bi|don|khoi|vu) kien"
    r"|bien do|xuat xu|tu (?:viet nam|trung quoc|[a-z]+ (?:ky|quoc|do))"
    r"|imports? (?:from|of|into)|exports? (?:to|from|of))\b")
# 'Chưa có cơ quan nào mở điều tra': an investigation denied is no case.
_DENIED_CASE_RE = re.compile(r"\b(?:chua|khong|no|not)\b[^.;]{0,40}?\b(?:dieu tra|kien"
                             r"|investigat\w*)\b")
# 'Tự vệ' is also self-protection ('biện pháp tự vệ trước tấn công mã độc'): a safeguard is on
# imports, so the title or lead names imports, a duty, an investigation or goods.
_SELF_DEFENCE_RE = re.compile(r"\btu ve\b")
_SAFEGUARD_CONTEXT_RE = re.compile(
    r"(?<!xuat )\bnhap khau\b|\bhang nhap\b|\bthue\b|\bdieu tra\b|\bwto\b|\bdoi voi\b"
    r"|\bsan pham\b|\bmat hang\b|\bimports?\b|\bimported\b|\bduty\b|\bduties\b")
# 'Trợ cấp' without 'chống' is also a social or farm allowance ('tăng mức trợ cấp xã hội'): a
# subsidy countervailed is on traded goods, so the title or lead names trade, a duty or a case.
_BARE_SUBSIDY_RE = re.compile(r"(?<!chong )\btro cap\b")
_SUBSIDY_CONTEXT_RE = re.compile(
    r"\b(?:nhap khau|xuat khau|hang nhap|thue (?:chong|nhap khau)|chong ban pha gia|dieu tra"
    r"|wto|imports?|imported|exports?|dut(?:y|ies)|countervail\w*|investigat\w*)\b")


def _everyday_sense(named: list[str] | languages.Found | None, folded_title: str, lead: str
                    ) -> str | None:
    """Why a measure named only by an everyday word ('tự vệ', 'trợ cấp') with no trade around it
    is no remedy, else None."""
    around = f"{folded_title} {lead}"
    if (named == ["SG"] and _SELF_DEFENCE_RE.search(folded_title)
            and not _SAFEGUARD_CONTEXT_RE.search(around)):
        return ("'tự vệ' with no import, duty, goods or investigation around it is "
                "self-protection, not a safeguard")
    if (named == ["CVD"] and _BARE_SUBSIDY_RE.search(folded_title)
            and "chong tro cap" not in folded_title and not _SUBSIDY_CONTEXT_RE.search(around)):
        return ("'trợ cấp' with no trade, duty or investigation around it is an allowance, not a "
                "subsidy a duty offsets")
    return None


# A count of cases ('31 vụ phòng vệ thương mại mới') is a statistic, not a case.
_CASE_COUNT_RE = re.compile(r"\b\d+ (?:vu|cases|investigations)\b")
_UNTYPED_REVIEW_RE = re.compile(r"\b(?:ra soat|review|revision|revisao|examen|reexamen)\b")


# An investigation or duty a headline only fears ('sản phẩm có nguy cơ bị điều tra', 'could face
# a dumping probe'): no step of a case (the lead may report one). A feared lawsuit ('có thể bị
# kiện') is the press's word for a petition filed.
_FEARED_STEP_RE = re.compile(
    r"\b(?:nguy co|co the|co kha nang|at risk of|could face|may face|risk)(?: \w+){0,2}?"
    r" (?:bi |being )?(?:dieu tra|ap thue|investigat\w*|probes?)\b")


# A headline that says an investigation will not be opened ('US will not self-initiate anti-dumping
# probe', 'chưa khởi xướng điều tra'): no case, unless it names a petition, whose refusal ends one.
_NOT_OPENED_RE = re.compile(
    r"\b(?:will not|won't|not to|declines to|decides against|refuses to|khong|chua|se khong)\s+"
    r"(?:self-?)?(?:initiat\w*|launch\w*|open(?:s|ing)?|khoi xuong|mo dieu tra|tu khoi xuong)\b")


def is_news(market: str | None) -> bool:
    """True when the publisher is not the authority: the market must be read from the text."""
    return market is None or market in NEWS_MARKETS or not _NATIONAL_RE.match(market)


def decide(title: str, body: str, case_numbers: list[str]) -> Verdict:
    """A case or not, headline first: an event or a market report is not a case."""
    # the UK TRA's 'safeguarding investigation' is trade wording in news naming the TRA
    uk = classify.is_uk(None, f"{title} {body[:LEAD_CHARS]}")
    if case_numbers:
        return classify.decide_trade_remedy(title, body, case_numbers, uk=uk)
    as_written = squash(fold(title))
    folded_title = _COMPARED_REMEDY_RE.sub(" ", without_authority_names(
        _OWN_BODIES_RE.sub(" ", as_written)))
    lead = _COMPARED_REMEDY_RE.sub(" ", _OWN_BODIES_RE.sub(" ", squash(fold(body))[:LEAD_CHARS]))
    not_opened = _NOT_OPENED_RE.search(folded_title)
    asked = languages.stage_phrase("petition", folded_title)
    if not_opened and not asked:
        return Verdict(False, (f"not a trade remedy case: the title says none is opened "
                               f"('{not_opened.group(0)}')",))
    found_event = languages.event(folded_title)
    if found_event:
        return Verdict(False, (f"not a trade remedy case: the title reports an event "
                               f"('{found_event.phrase}'), not a proceeding",))
    if classify.goods_from_origins_title(folded_title):
        return Verdict(True, ("the title is '<goods> From <origins>', the form of a US AD/CVD "
                              "case's notices",))
    if _PRICE_WAR_RE.search(folded_title) and not _CROSS_BORDER_RE.search(
            _DENIED_CASE_RE.sub(" ", f"{folded_title} {lead}")):
        return Verdict(False, ("not a trade remedy: 'bán phá giá' with no import, export or "
                               "case around it is a price war on a home market",))
    in_title = classify.decide_trade_remedy(folded_title, "", [], uk=uk)
    named = (classify.detect_measures(folded_title, "", [], uk=uk)
             or languages.circumvention(folded_title))
    everyday = _everyday_sense(named, folded_title, lead)
    if everyday:
        return Verdict(False, (f"not a trade remedy: {everyday}",))
    strong_step = languages.earliest_stage(folded_title, weak=False)
    if in_title.trade_remedy and (named or strong_step):
        return Verdict(True, tuple(f"{r} in the title" for r in in_title.reasons))
    in_lead = classify.decide_trade_remedy(lead, "", [], uk=uk)
    term = languages.case_term(folded_title)
    if term and in_lead.trade_remedy:
        return Verdict(True, (f"the title names what only a case has ('{term.phrase}') and the "
                              f"lead names the case: {in_lead.reasons[0]}",))
    if in_title.trade_remedy and not opens_with_step(lead):
        return Verdict(False, ("not a trade remedy case: the title speaks of trade remedies in "
                               "general and reports no measure or step of a case",))
    refused = classify.lookalike(folded_title)
    if refused:
        return Verdict(False, (f"not a trade remedy: {refused}",))
    other = languages.lookalike(folded_title)
    if other:
        return Verdict(False, (f"not a trade remedy: '{other.phrase}' is another kind of tariff "
                               "or trade rule",))
    # a court's ruling ('General Court annuls ...', 'Tòa CIT giữ nguyên ...') is a step of the case
    unfeared = _FEARED_STEP_RE.sub(" ", folded_title)
    step = languages.earliest_stage(unfeared) or court_in(unfeared)
    if step and step.name != "other" and in_lead.trade_remedy:
        return Verdict(True, (f"the title reports a remedy step ('{step.phrase}') and the lead "
                              f"says which: {in_lead.reasons[0]}",))
    if step and in_lead.trade_remedy and case_in_lead(lead):
        # a procedural step ('gia hạn thời hạn', 'tham vấn công khai') of a case the lead names
        return Verdict(True, (f"the title reports a procedural step ('{step.phrase}') of a case "
                              f"the lead names: {in_lead.reasons[0]}",))
    stats, count = languages.statistics(folded_title), _CASE_COUNT_RE.search(as_written)
    said = stats.phrase if stats and not opens_with_step(lead) else (
        count.group(0) if count else None)
    if said:
        return Verdict(False, (f"not a trade remedy case: trade or market news ('{said}'); "
                               "remedies are at most mentioned in passing",))
    extended = _EXTENDED_TO_RE.search(lead)
    if extended and in_lead.trade_remedy:
        # 'Quạt bàn lắp ráp tại Việt Nam gặp khó ở Brazil': the lead extends a duty to new goods
        return Verdict(True, (f"the lead extends a duty to other goods ('{extended.group(0)}'): "
                              f"{in_lead.reasons[0]}",))
    lead_step = languages.earliest_stage(lead, weak=False)
    if lead_step and lead_step.name != "other" and in_lead.trade_remedy:
        # a headline that says less than its story ('Doanh nghiệp tôm được thuế suất 0%',
        # 'ITC bỏ phiếu phủ định, vụ kiện ... khép lại'): the lead reports the step and the remedy
        return Verdict(True, (f"the lead reports a remedy step ('{lead_step.phrase}'): "
                              f"{in_lead.reasons[0]}",))
    first = first_step(lead)
    if first and in_lead.trade_remedy:
        # 'Commerce sets verification of Vietnamese rebar producers': a procedural step or a
        # panel's ruling the lead's first sentence reports of the case it names
        return Verdict(True, (f"the lead's first sentence reports a step ('{first.phrase}') of the "
                              f"case it names: {in_lead.reasons[0]}",))
    return Verdict(False, ("not a trade remedy case: the title names no anti-dumping, "
                           "countervailing, safeguard or circumvention step",))


# A lead sentence about another case on the same goods ('the parallel anti-dumping investigation
# continues', 'on top of existing anti-dumping measures', a step expected later): its measure is
# not this news's.
_OTHER_CASE_RE = re.compile(
    r"\b(?:song song|van (?:dang )?tiep tuc|on top of|in addition to|parallel|separately"
    r"|still under way|remains? under way|continues"
    # the other measure's step still to come: 'Kết luận sơ bộ chống bán phá giá dự kiến ...'
    r"|du kien|(?:is|are) expected)\b")


def detect_measures(title: str, lead: str, case_numbers: list[str], *, uk: bool = False
                    ) -> list[str]:
    """The measures of a news item: its title and lead name every one (a headline abbreviates
    'chống bán phá giá'), except those of the lead's sentences about another case."""
    def measures(text: str) -> list[str]:
        return classify.detect_measures(without_authority_names(fold(text)), "", case_numbers,
                                        uk=uk)

    sentences = SENTENCES_RE.split(lead)
    own = [s for s in sentences if not _OTHER_CASE_RE.search(fold(s))]
    if len(own) < len(sentences):
        found = measures(" ".join([f"{title}.", *own]))
        if found:
            return found
    return measures(f"{title}. {lead}")


# A recourse still open ('the producer can challenge the ruling in court', 'có thể khởi kiện ra
# tòa'): the court is named, but has not ruled.
_RECOURSE_RE = re.compile(
    r"\b(?:can|may|could|might|will be able to|(?:is|are) entitled to|ha(?:s|ve) the right to"
    r"|co the|co quyen|duoc quyen)\s+(?:[\w-]+\s+){0,6}?(?:challenge|appeal|contest|bring|seek"
    r"|file|take|khang cao|khoi kien|kien)\b[^.;]*")


def detect_proceeding(title: str, body: str) -> tuple[str, str]:
    """Proceeding from the title, then the lead paragraph (multilingual and English wording).

    A headline may say only 'rà soát' (review): the lead then says which review. A court named as
    a recourse still open is none."""
    lead = _RECOURSE_RE.sub(" ", fold(squash(body)[:LEAD_CHARS]))
    folded_title = TRIBUNAL_RE.sub(" ", fold(title))
    if TRIBUNAL_RE.search(lead):  # the lead says which tribunal the headline's 'Tribunal' is
        folded_title = BARE_TRIBUNAL_RE.sub(" ", folded_title)
    lead = TRIBUNAL_RE.sub(" ", lead)
    court = court_in(folded_title)
    if court:  # 'Tòa CIT giữ nguyên kết quả rà soát ...': the court's ruling is the news
        return "court_decision", court.phrase
    name, why = classify.detect_proceeding(folded_title, "", "")
    if name in ("investigation", "other") and _UNTYPED_REVIEW_RE.search(fold(title)):
        typed, typed_why = classify.detect_proceeding(lead, "", "")
        if typed not in ("investigation", "other"):
            return typed, typed_why
        return "other", "a review whose kind the notice does not say"
    if name != "other":
        return name, why
    name, why = classify.detect_proceeding(lead, "", "")
    if name != "other":
        return name, why
    return "investigation", "no review, circumvention or court wording: an investigation step"


# A duty the headline only fears ('đứng trước nguy cơ bị áp thuế'), asks not to be imposed
# ('đề nghị ... cân nhắc không áp thuế') or says was not imposed ('không bị Úc áp thuế'): the lead
# says which step was taken. A feared lawsuit ('có thể bị kiện') reports a petition, and asking
# FOR an investigation ('hồ sơ đề nghị điều tra') is one: steps of their own.
_HEDGED_STEP_RE = re.compile(
    r"\b(?:(?:nguy co|co the|co kha nang|de doa)(?: \w+){0,3}? (?:bi )?"
    r"|(?:de nghi|kien nghi|yeu cau|can nhac|xem xet)(?: \w+){0,3}? khong |khong bi(?: \w+){0,2}? )"
    r"(?:ap thue|ap dung)\b")


# The investigation named as a noun in a lead ('trong vụ điều tra ...', 'the period of
# investigation', 'cơ quan điều tra') is the case the news is about, not its opening.
_CASE_NOUN_RE = re.compile(r"\b(?:vu|cuoc|thoi ky|giai doan|co quan|the|this|its|period of)\s+"
                           r"(?:(?:anti-?dumping|countervailing(?: duty)?|anti-?subsidy"
                           r"|safeguard)\s+)?(?:dieu tra|investigation|probe|inquiry)\b"
                           r"|\binvestigating authorit(?:y|ies)\b")


# A headline that reports a party's protest or request ('Bộ Công Thương phản đối mức thuế sơ bộ',
# 'Đề nghị Philippines loại trừ ...', 'Vietnam urges ...') reports no step of the case; asking for
# an investigation or a duty ('đề nghị điều tra') is a petition, a step of its own.
_REACTION_RE = re.compile(
    r"^(?:[\w-]+\s+){0,4}?(?:phan doi|de nghi|kien nghi|objects? to|protests?|urges?|calls? on)\s+"
    r"(?!(?:\w+\s+){0,2}(?:dieu tra|ap thue|ap dung|khoi xuong|ra soat|investigat\w*|dut(?:y|ies)"
    r"|probe|relief)\b)")


def detect_stage(title: str, body: str) -> tuple[str, str]:
    """The earliest stage phrase of the title, then of the lead paragraph; a weak word of the
    title ('Ấn Độ điều tra ...') only when the lead names no stage either. A step the headline
    only fears or asks for is not its stage, and then neither is a weak word."""
    folded = squash(fold(title))
    reaction = _REACTION_RE.match(folded)
    if reaction:
        return "other", f"the headline reports a protest or request ('{reaction.group(0).strip()}')"
    title = _HEDGED_STEP_RE.sub(" ", folded)
    lead = squash(body)[:LEAD_CHARS]
    extended = _EXTENDED_TO_RE.search(title) or _EXTENDED_TO_RE.search(fold(lead))
    if extended:
        return "order", extended.group(0)
    for text in (title, lead):
        found = languages.earliest_stage(text, weak=False)
        if found and found.name == "order" and text is title:
            # 'Thổ Nhĩ Kỳ áp thuế với sợi Việt Nam' over 'áp thuế ... tạm thời': the lead says
            # which duty the headline's is
            in_lead = languages.earliest_stage(lead, weak=False)
            if in_lead and in_lead.name == "preliminary":
                return in_lead.name, in_lead.phrase
        if found:
            return found.name, found.phrase
        name, why = stages.detect_stage(text, "", "")
        if name != "other":
            return name, why
    if title != folded:
        return "other", "a step the headline only fears or asks for"
    for text in (title, _CASE_NOUN_RE.sub(" ", fold(lead))):
        found = languages.earliest_stage(text)
        if found:
            return found.name, found.phrase
    return "other", ""
