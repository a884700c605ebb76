"""`analyse(notice, sectors)`: compose the rules into one explainable Analysis.

Order follows the evidence: case numbers, trade remedy or not, market, measures, proceeding, stage,
origins and Vietnam's role, products (HS, sectors), deadlines, stated rates, severity. Each step
appends a reason.
"""

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from config.sectors import Sector
from rules import case_numbers as cn
from rules import classify, countries, languages, markets, news, news_vietnam, stages
from rules.dates import from_epoch_ms
from rules.deadlines import find_deadlines
from rules.event_dates import event_date, labelled_date
from rules.hs_codes import extract_hs_codes
from rules.notice import Analysis, Notice
from rules.notice_sectors import inferred_product, notice_sectors, product_phrases
from rules.rates import find_rates
from rules.sectors import SectorIndex, index_for
from rules.severity import assess
from rules.text import fold, squash

_MARKET_RE = re.compile(r"^(?:[A-Z]{2}|EU)$")
_CIRCUMVENTION_CONTEXT_RE = re.compile(
    r"circumvent|completed in|assembled in|finished in|further processed in|processed in"
    r"|third countr|certif(?:y|ication)|with respect to|exports? from|transship|lan tranh"
    # CBP's evasion cases (EAPA): goods 'trung chuyển qua Việt Nam' to evade another's duty
    r"|\beapa\b|\bevasion\b|trung chuyen|chuyen tai|tron thue"
    # 'ghế gỗ lắp ráp tại Việt Nam từ linh kiện Trung Quốc'
    r"|(?:lap rap|hoan thien|gia cong|che bien) tai",
    re.IGNORECASE,
)
_NEWS_LEAD = 600
_BRUSSELS = ZoneInfo("Europe/Brussels")
# A document (regulation, report, gazette) names its subject origins on its title page or in its
# preamble; past that, 'imports from Vietnam' is more often a non-subject source in the analysis.
_DOCUMENT_OPENING = 2_000
# Its measures are named on the cover, contents, glossary and summary; the analysis further on
# discusses other cases and other instruments (another market's safeguard on steel).
_DOCUMENT_SUMMARY = 20_000
_ITC_PHASE_RE = re.compile(r"\((?:[a-z]+ )?review\)|\((preliminary|final)\)", re.IGNORECASE)


def _as_text(value: Any) -> str:
    """A raw FR field as text: lists are joined (docket_ids), dicts give their name/slug."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return " ".join(str(value.get(k) or "") for k in ("name", "slug", "raw_name"))
    if isinstance(value, list | tuple):
        return ", ".join(_as_text(v) for v in value)
    return str(value)


def _body(notice: Notice) -> str:
    """The notice text, or the source's abstract/dates when the text is empty."""
    if notice.text.strip():
        return squash(notice.text)
    return squash(" ".join(_as_text(notice.raw.get(k)) for k in ("abstract", "dates", "action")))


def _opening(body: str) -> str:
    """The part of the text that speaks for the whole notice: all of an abstract, the title page
    and preamble of a long document, whose analysis further on cites other cases (their case
    numbers, their proceedings) and names every source of imports (Vietnam among them)."""
    return body[:_DOCUMENT_OPENING]


_AU_CVD_RE = re.compile(r"\bcountervail|\bsubsidi[sz]ation\b|\bsubsid(?:y|ies)\b", re.IGNORECASE)


def _implied_measures(notice: Notice, body: str, numbers: list[str], market: str | None
                      ) -> tuple[list[str], str]:
    """The measure when no wording or case-number prefix names it.

    EU (TRON): the article of the basic regulation the case is opened under ('articleOfToc' of
    the list entry, or of the details in raw['case']): 11(2) is an anti-dumping expiry review, 18
    an anti-subsidy one. Australia: the ADC's notices name the measure only in some titles, and
    its cases are anti-dumping ones unless countervailing/subsidy is named (a dumping-only
    inquiry is by far the most common; a subsidy inquiry always says so), so an ADN or Case
    number with no other word is AD."""
    if market == "EU":
        case = notice.raw.get("case")
        article = notice.raw.get("articleOfToc") or (
            case.get("articleOfToc") if isinstance(case, Mapping) else None)
        measure = cn.eu_article_measure(_as_text(article))
        if measure:
            return [measure], (f"measure {measure} from the basic regulation's article "
                               f"{_as_text(article)} the case is opened under")
    if market == "AU" and any(n.startswith(("ADN ", "Case ")) for n in numbers):
        if _AU_CVD_RE.search(f"{notice.title} {body[:_DOCUMENT_SUMMARY]}"):
            return ["AD", "CVD"], "an ADC notice naming subsidisation: AD and CVD"
        return ["AD"], ("an ADC notice that names no measure: Australian cases are anti-dumping "
                        "unless countervailing/subsidy is named")
    return [], ""


def _case_list_entry(notice: Notice) -> bool:
    """A TRON case-list entry: it carries the case's type and initiation date, and the spider
    dates it at that initiation, so it announces the case's opening (a later document of the
    case comes from the case details, with its own date and raw['case'])."""
    init = notice.raw.get("initDate")
    if not notice.raw.get("caseType") or not isinstance(init, int | float):
        return False
    if notice.published is None:
        return True
    return from_epoch_ms(init, _BRUSSELS) == notice.published


def _vietnam_role(
    notice: Notice, body: str, origins: list[str], case_origins: list[str], proceeding: str,
    *, market: str | None, is_news: bool, listed: bool,
) -> tuple[str, str]:
    """Vietnam's role: subject, circumvention target or none, with the reason."""
    if market == "VN":
        return "none", ("Vietnam is the investigating market (its own case on imports): "
                        "no export warning")
    circumvention = proceeding == "circumvention" or _CIRCUMVENTION_CONTEXT_RE.search(
        fold(notice.title))
    if is_news and circumvention and countries.mentions_vietnam(
            news_vietnam.undenied(f"{notice.title}. {body}")):
        return "circumvention", ("Vietnam is named in a circumvention proceeding (goods routed "
                                 "through or finished in Vietnam under another origin's order)")
    extended = news_vietnam.duty_extended_to_vietnam(notice.title, body) if is_news else None
    if extended:
        return "circumvention", (f"another origin's duty is extended to goods from or through "
                                 f"Vietnam ('{extended}')")
    if proceeding == "circumvention" and countries.VIETNAM in countries.title_routes(
            notice.title) and countries.VIETNAM not in case_origins:
        return "circumvention", ("the goods are consigned from or finished in Vietnam under "
                                 "another origin's order")
    if countries.VIETNAM in origins:
        denied = news_vietnam.vietnam_not_concerned(notice.title, body) if is_news else None
        if denied and countries.VIETNAM not in countries.origins_after_from(notice.title):
            return "none", (f"the news says Vietnam is not concerned ('{denied}'), though its "
                            "lead names Vietnam after 'từ'/'from'")
        return "subject", "Vietnam is a named origin of the goods"
    if countries.VIETNAM in case_origins:
        return "subject", "a Commerce case number with country code 552 (Vietnam)"
    if countries.VIETNAM in countries.title_routes(notice.title):
        return "circumvention", ("the title names Vietnam as a third country "
                                 "('With Respect to' / 'Exports From')")
    if is_news:
        found = news_vietnam.vietnam_in_news(notice.title, body, listed=listed)
        if found:
            return found
    everything = f"{notice.title} {body if is_news else _opening(body)}"
    if countries.mentions_vietnam(everything):
        if proceeding in ("circumvention", "scope") or _CIRCUMVENTION_CONTEXT_RE.search(everything):
            return "circumvention", ("Vietnam is named as a third country in a circumvention/scope "
                                     "proceeding on another origin's order")
        if countries.names_vietnamese_firm(everything):
            return "circumvention", ("a Vietnamese firm is a party to a proceeding on another "
                                     "origin's order (third-country exposure)")
        return "none", "Vietnam is mentioned, but not as an origin or circumvention target"
    return "none", "Vietnam is not named"


def _safeguard_role(
    role: str, why: str, measures: list[str], origins: list[str], text: str, market: str | None
) -> tuple[str, str, bool]:
    """A global safeguard covers Vietnam's exports unless the notice excludes Vietnam.

    Returns (role, reason, global safeguard?)."""
    if market == "VN" or not news_vietnam.is_global_safeguard(measures, origins, text):
        return role, why, False
    excluded = news_vietnam.vietnam_excluded(text)
    if excluded:
        return "none", f"global safeguard: Vietnam is excluded ('{excluded}')", True
    if role == "circumvention":
        return role, why, True
    return "subject", "global safeguard: covers all origins including Vietnam", True


_SENTENCE_RE = re.compile(r"(?<=[.;!?])\s+")


def _remedy_sentences(lead: str) -> str:
    """The sentences of a news lead that speak of the remedy or a step of it ('ITC bỏ phiếu khẳng
    định ... hàng nhập khẩu từ ...'): another sentence's 'xuất khẩu thép của Việt Nam sang EU' is
    trade around the case, not its origins (the whole lead when no sentence has either)."""
    kept = [s for s in _SENTENCE_RE.split(lead)
            if languages.remedy_wording(s) or languages.earliest_stage(s, weak=False)]
    return " ".join(kept) if kept else lead


def _origins(notice: Notice, body: str, market: str | None, is_news: bool
             ) -> tuple[list[str], str, bool]:
    """Origins from the title's 'From ...' lists (not 'Exports From'), else from the text; a
    news title's other countries ('thép Trung Quốc') when it has no list. The investigating
    market is never an origin of its own case. The flag says the origins come from a list:
    countries a headline only names leave no one out."""
    def own(codes: list[str]) -> list[str]:
        return [c for c in codes if c != market]

    if is_news:  # a headline abbreviates ('từ Việt Nam'); the lead lists every origin
        lead = _remedy_sentences(body[:_NEWS_LEAD])
        found = own(countries.origins_after_from(notice.title))
        found += [c for c in own(countries.origins_after_from(lead)) if c not in found]
        # the ADC's '<goods> exported from X, Y and Z'
        found += [c for c in own(countries.every_exported_from(lead)) if c not in found]
        if found:
            return found, f"origins listed in the title and lead: {', '.join(found)}", True
        found = own(countries.countries_mentioned(f"{notice.title} {lead}"))
        actors = countries.acting_countries(f"{notice.title}. {lead}")
        found = [c for c in found if c != countries.VIETNAM and c not in actors]
        if found:
            return found, f"origins named in the title and lead: {', '.join(found)}", False
        return [], "no origin named in title or lead", False
    found = own(countries.origins_after_from(notice.title))
    if found:
        return found, f"origins from the title: {', '.join(found)}", True
    found = own(countries.exported_from_origins(notice.title))
    if found:
        return found, (f"origins from the title's 'exported from' list (its only origin list): "
                       f"{', '.join(found)}"), True
    if len(body) > _DOCUMENT_OPENING:
        found, why = _document_origins(body, own)
        return found, why, bool(found)
    found = own(countries.origins_after_from(body))
    if found:
        return found, f"origins from the text: {', '.join(found)}", True
    return [], "no origin named in title or text", False


def _document_origins(body: str, own: Callable[[list[str]], list[str]]
                      ) -> tuple[list[str], str]:
    """Origins of a long document from its formal places only, so that a report's 'imports from
    Vietnam (not subject to measures)' does not make Vietnam an origin: a gazette schedule's
    country column, then the opening's 'from'/'originating in' lists, then the first
    'originating in' list of the text."""
    steps: tuple[tuple[str, Callable[[str], list[str]], str], ...] = (
        ("origins from the schedule's country column", countries.schedule_origins, body),
        ("origins from the document's opening", countries.origins_after_from,
         body[:_DOCUMENT_OPENING]),
        ("origins from the first 'originating in' list", countries.first_formal_origins, body),
    )
    for label, find, text in steps:
        found = own(find(text))
        if found:
            return found, f"{label}: {', '.join(found)}"
    return [], "no origin named in the title, schedule or opening of the document"


def analyse(
    notice_in: Notice | Mapping[str, Any] | Any, sectors: Sequence[Sector] | SectorIndex
) -> Analysis:
    """Analyse one notice (dict, dataclass or Notice) against the sector list."""
    notice = Notice.from_any(notice_in)
    body = _body(notice)
    raw = notice.raw
    # FR documents call them docket_ids, the public-inspection desk docket_numbers.
    dockets = " ".join(_as_text(raw.get(k)) for k in ("docket_ids", "docket_id", "docket_numbers"))
    action = _as_text(raw.get("action"))
    is_news = news.is_news(notice.market)
    if is_news:
        finding = markets.detect_market(notice.title, body)
        market = finding.market if finding else None
    else:
        market = notice.market
    # News keeps its whole text: its own rules read the headline and lead first.
    numbers = cn.parse_case_numbers(
        [dockets, notice.title, body if is_news else _opening(body)], market=market)
    uk = classify.is_uk(market, f"{notice.title} {_opening(body)}")
    if is_news:
        verdict = news.decide(notice.title, body, numbers)
    else:
        verdict = classify.decide_trade_remedy(notice.title, f"{body} {action}", numbers, uk=uk)
    result = Analysis(id=notice.id, reasons=list(verdict.reasons))
    if not verdict.trade_remedy:
        return result
    result.trade_remedy = True
    result.case_numbers = numbers
    if is_news:
        result.market = market
        result.reasons.append(finding.reason if finding else (
            f"market unknown: the publisher ({notice.market or 'no market'}) reports other "
            "authorities' cases and the text names no investigating authority"))
    elif notice.market and _MARKET_RE.match(notice.market):
        result.market = notice.market
        result.reasons.append(
            f"market {notice.market}: the publisher's authority runs the proceeding")
    else:
        result.reasons.append(
            f"market unknown: publisher market {notice.market!r} is not a national one")

    if is_news:  # a headline abbreviates ('chống bán phá giá'); the lead names every measure
        result.measures = news.detect_measures(notice.title, body[:_NEWS_LEAD], numbers, uk=uk)
    else:
        result.measures = classify.detect_measures(notice.title, body[:_DOCUMENT_SUMMARY],
                                                   numbers, uk=uk)
    if not result.measures:
        result.measures, why = _implied_measures(notice, body, numbers, market)
        if why:
            result.reasons.append(why)
    result.reasons.append(f"measures: {', '.join(result.measures) or 'not stated'}")
    if is_news:
        proceeding, why = news.detect_proceeding(notice.title, body)
    else:
        proceeding, why = classify.detect_proceeding(notice.title, action, _opening(body))
    if proceeding == "other":
        phase = _ITC_PHASE_RE.search(dockets)
        if phase:
            proceeding = "investigation" if phase.group(1) else "expiry_review"
            why = f"ITC docket {phase.group(0)}"
    result.proceeding = proceeding
    result.reasons.append(f"proceeding {proceeding}" + (f" ('{why}')" if why else ""))
    if is_news:
        result.stage, why = news.detect_stage(notice.title, body)
    else:
        result.stage, why = stages.detect_stage(notice.title, action, proceeding)
        uk_stage = stages.uk_status_stage(notice.title, notice.text) if uk else None
        if uk_stage:
            result.stage, why = uk_stage
        elif result.stage == "other" and not why and not stages.names_a_determination(
                notice.title):  # a gazette title ('CIRCULAR Nº 12'): the lead
            lead_stage = languages.earliest_stage(body[:_NEWS_LEAD])
            if lead_stage:
                result.stage, why = lead_stage.name, f"{lead_stage.phrase}, in the text lead"
    if not is_news and _case_list_entry(notice):
        result.stage, why = "initiation", ("a case-list entry (TRON), dated at the case's "
                                           "initiation (initDate)")
    if proceeding == "court_decision":
        result.stage, why = "court_decision", "court decision"
    settled = stages.within_proceeding(proceeding, result.stage)
    if settled:
        result.stage, why = settled[0], f"{settled[1]}: '{why}'"
    if is_news and proceeding == "expiry_review" and result.stage == "results":
        outcome = languages.expiry_outcome(f"{notice.title}. {body[:_NEWS_LEAD]}")
        if outcome:  # an expiry review ends in the measure's continuation or revocation
            result.stage, why = outcome.name, f"the expiry review's outcome: '{outcome.phrase}'"
    result.reasons.append(f"stage {result.stage}" + (f" ('{why}')" if why else ""))
    result.new_case = stages.is_new_case(proceeding, result.stage, notice.title)
    if result.new_case:
        result.reasons.append("new case: a petition or initiation opens an investigation/inquiry")

    origins, why, listed = _origins(notice, body, market, is_news)
    result.reasons.append(why)
    case_origins = [o for o in (cn.origin_of(n) for n in numbers) if o]
    role, why = _vietnam_role(notice, body, origins, case_origins, proceeding,
                              market=market, is_news=is_news, listed=listed)
    role, why, global_sg = _safeguard_role(role, why, result.measures, origins,
                                           f"{notice.title}. {body}", market)
    result.vietnam = role
    result.reasons.append(why)
    found = set(origins) | set(case_origins)
    if proceeding in ("circumvention", "scope"):
        # the routes: 'completed in Cambodia, Malaysia, Thailand, or Vietnam' (title or text)
        found |= set(countries.title_routes(notice.title))
        found |= set(countries.third_countries(body[:_NEWS_LEAD] if is_news else _opening(body)))
    if result.vietnam == "circumvention" or (result.vietnam == "subject" and not global_sg):
        found.add(countries.VIETNAM)
    found.discard(market or "")
    result.countries = sorted(found)

    result.hs_codes = extract_hs_codes(f"{notice.title} {body}")
    index = index_for(sectors)
    inferred = None if result.hs_codes else inferred_product(
        index, product_phrases(notice, body[:_NEWS_LEAD], is_news))
    if inferred is not None:
        result.hs_inferred = [inferred.code]
    result.sectors, why = notice_sectors(
        index, notice, body, _as_text(notice.raw.get("abstract")) or body, result.hs_codes,
        is_news, inferred)
    result.reasons.append(why)
    event, said = (event_date(body, notice.published, result.stage) if is_news
                   else labelled_date(body, notice.published))
    if event is not None:
        result.event_date = event
        result.reasons.append(f"event date {event.isoformat()} stated in the text ('{said}')")
    # the FR API's DATES field states the notice's deadlines when its abstract does not
    dates = _as_text(notice.raw.get("dates"))
    stated = f"{body} {dates}" if dates and dates not in body else body
    result.deadlines = find_deadlines(stated, notice.published, event)
    if result.deadlines:
        result.reasons.append("deadlines: " + ", ".join(
            f"{d.kind} {d.date.isoformat()}" for d in result.deadlines))
    # The rates read the text with its line breaks: a table's rows are lines.
    result.rates = find_rates(notice.title, notice.text if notice.text.strip() else body,
                              market=market, measures=result.measures,
                              origins=sorted(set(origins) | set(case_origins)))
    if result.rates:
        result.reasons.append(f"rates stated: {len(result.rates)} (" + ", ".join(
            dict.fromkeys(r.kind for r in result.rates)) + ")")
    result.severity, why = assess(
        trade_remedy=True, vietnam=result.vietnam, proceeding=proceeding, stage=result.stage,
        new_case=result.new_case,
        measures=result.measures, sectors=result.sectors, market=result.market,
        deadlines=result.deadlines, published=notice.published, global_safeguard=global_sg,
    )
    result.reasons.append(why)
    return result
