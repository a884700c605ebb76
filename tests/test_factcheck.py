"""The fact-check set (issue 18): real and documented notices, each with the facts a reader finds
in it, checked against the analysis and against the alert a subscriber receives, in Vietnamese
and in English.

The expectations in tests/fixtures/factcheck/factcheck.jsonl were written by reading each notice
(see PROVENANCE.md there), never by running the rules. Each item is rendered as it is on the day
it arrives: detected at 09:00 in Hanoi on its publication date, with the cases that concern
Vietnam and their next expected step from the statutory clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from alerts import content
from alerts.i18n import format_day, translations
from alerts.render import AlertContext, CaseContext, render_alert
from config import load_sectors
from rules.analyse import analyse
from rules.cases import case_steps
from tests.mail_html import mail_parts

FACTCHECK = Path(__file__).resolve().parent / "fixtures" / "factcheck" / "factcheck.jsonl"
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
MAIL_FROM = "TREWS <canhbao@trews.invalid>"
LANGUAGES = ("vi", "en")
SECTORS = load_sectors()
SECTOR_NAMES = {s.id: {"en": s.name.en, "vi": s.name.vi} for s in SECTORS}
# Markets whose procedure TREWS models (rules/data/procedures.yaml); any other is "not_modelled".
MODELLED = frozenset({"US", "EU", "GB", "CA", "AU", "IN"})
ADVICE_KINDS = frozenset({"participate", "budget_provisional", "final_pending", "measure_in_force",
                          "review", "sunset", "ended", "diversion_watch", "safeguard",
                          "not_modelled"})
DEADLINE_KINDS = frozenset({"register", "questionnaire", "comments", "case_briefs",
                            "hearing_request", "notice_of_intent", "other"})
STAGES = frozenset({"petition", "initiation", "preliminary", "final", "order", "continuation",
                    "revocation", "termination", "rescission", "results", "court_decision",
                    "other"})


@dataclass(frozen=True)
class Words:
    """What the advice paragraph ('What this means for you') must and must not say."""

    any_of: tuple[str, ...] = ()  # at least one of these
    all_of: tuple[str, ...] = ()  # every one of these
    none_of: tuple[str, ...] = ()  # none of these


# What each kind of advice means, in the words of each language. "Not modelled" in a market that
# is modelled, another market's rule (the US anniversary month) or a call to take part in another
# country's case are the errors these catch.
_NOT_MODELLED = {"vi": "TREWS chưa mô hình hóa", "en": "TREWS does not model"}
_NOT_NAMED = {"vi": "không bị nêu tên trong vụ việc", "en": "Vietnam is not named in this case"}
_ANNIVERSARY = {"vi": "tháng kỷ niệm", "en": "anniversary"}
ADVICE: dict[str, dict[str, Words]] = {
    "participate": {
        "vi": Words(any_of=("bảng câu hỏi", "đăng ký tham gia", "yêu cầu cung cấp thông tin",
                            "lượng và trị giá", "tham gia")),
        "en": Words(any_of=("questionnaire", "Register interest", "Make yourself known",
                            "request for information", "quantities and values", "take part")),
    },
    "budget_provisional": {
        "vi": Words(any_of=("ký quỹ", "tạm thời", "bảo đảm")),
        "en": Words(any_of=("cash deposit", "provisional", "securit")),
    },
    "final_pending": {
        "vi": Words(any_of=("kết luận cuối cùng", "khuyến nghị cuối cùng"),
                    none_of=("bảng câu hỏi",)),
        "en": Words(any_of=("final determination", "final findings", "final recommendation",
                            "final injury"), none_of=("questionnaire",)),
    },
    "measure_in_force": {
        "vi": Words(any_of=("có hiệu lực", "đã áp", "được áp dụng", "quyết định áp dụng"),
                    none_of=("bảng câu hỏi",)),
        "en": Words(any_of=("in force", "imposed", "apply", "applies"),
                    none_of=("questionnaire",)),
    },
    "review": {
        "vi": Words(any_of=("rà soát",)),
        "en": Words(any_of=("review",)),
    },
    "sunset": {
        "vi": Words(any_of=("năm năm", "tiếp tục")),
        "en": Words(any_of=("five years", "five more years", "continue")),
    },
    "ended": {
        "vi": Words(any_of=("chấm dứt", "hủy"), none_of=("bảng câu hỏi",)),
        "en": Words(any_of=("ends", "revoked", "cancelled", "terminated", "no longer"),
                    none_of=("questionnaire",)),
    },
    "diversion_watch": {
        "vi": Words(all_of=("xuất xứ Việt Nam",),
                    none_of=("bảng câu hỏi", "đăng ký tham gia", "bên liên quan")),
        "en": Words(all_of=("proof of Vietnamese origin",),
                    none_of=("questionnaire", "Questionnaire", "register", "Register",
                             "make yourself known", "Make yourself known", "interested part",
                             "take part")),
    },
    "safeguard": {
        "vi": Words(any_of=("tự vệ",),
                    none_of=("mức thuế riêng", "ký quỹ", "mức thuế của doanh nghiệp",
                             "toàn quốc Việt Nam")),
        "en": Words(any_of=("safeguard",),
                    none_of=("your firm's rate", "separate rate", "cash deposit",
                             "Vietnam-wide")),
    },
    "not_modelled": {
        "vi": Words(all_of=(_NOT_MODELLED["vi"],),
                    none_of=("DOC", "Ủy ban châu Âu", "ADC", "CBSA", "DGTR", "TRA đã")),
        "en": Words(all_of=(_NOT_MODELLED["en"],),
                    none_of=("Commerce", "European Commission", "Anti-Dumping Commission",
                             "Canada Border", "Directorate General",
                             "Trade Remedies Authority has")),
    },
}


def load_items() -> list[dict[str, Any]]:
    """The fact-check items; a first line starting with '#' describes the file."""
    lines = FACTCHECK.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]


ITEMS = load_items()


def test_the_set_is_well_formed() -> None:
    """At least 30 items, unique ids, expectations in the vocabularies they are written in."""
    assert len(ITEMS) >= 30
    assert len({item["id"] for item in ITEMS}) == len(ITEMS)
    for item in ITEMS:
        want = item["expected"]
        assert set(item["input"]) >= {"id", "market", "source", "title", "text", "published",
                                      "url"}, item["id"]
        assert want["vietnam"] in ("subject", "circumvention", "none"), item["id"]
        assert want["stage"] in STAGES, item["id"]
        assert want["advice_kind"] in ADVICE_KINDS, item["id"]
        assert all(d["kind"] in DEADLINE_KINDS for d in want["deadlines"]), item["id"]
        assert isinstance(want["correction"], bool) and item["note"], item["id"]
        # a market TREWS does not model is advised as such, whatever the step
        if want["market"] not in MODELLED and want["advice_kind"] not in (
                "diversion_watch", "safeguard"):
            assert want["advice_kind"] == "not_modelled", item["id"]


@cache
def analysed(item_id: str) -> dict[str, Any]:
    item = next(i for i in ITEMS if i["id"] == item_id)
    return analyse(item["input"], SECTORS).to_dict()


def published_of(item: dict[str, Any]) -> date:
    return date.fromisoformat(item["input"]["published"])


def alert_context(item: dict[str, Any], analysis: dict[str, Any], language: str) -> AlertContext:
    """The alert as the service renders it on the day the notice arrives (09:00 in Hanoi), with
    the Vietnam cases it moves and what the statutory clock expects next in each."""
    notice = item["input"]
    published = published_of(item)
    cases = tuple(
        CaseContext(step.key.numbers,
                    step.next.step if step.next else None,
                    step.next.due if step.next else None,
                    step.next.basis if step.next else None)
        for step in case_steps(analysis, notice["title"], published)
        if step.key.vietnam != "none")
    return AlertContext(
        delivery_id=1, recipient_email="doanhnghiep@example.vn", recipient_name=None,
        language=language, timezone="Asia/Ho_Chi_Minh", notice_title=notice["title"],
        notice_url=notice["url"] or "", notice_published=published,
        source_name=notice["source"], analysis=analysis,
        # a subscriber of the notice's sectors (the service passes the reader's own sectors)
        sector_names={s: SECTOR_NAMES[s] for s in analysis.get("sectors") or []},
        match_reasons=[], detected_at=datetime.combine(published, time(9, 0), HANOI),
        cases=cases, recipient_kind="exporter")


def section(text: str, heading: str, ends: Iterable[str]) -> str:
    """The text from `heading` to the first of the `ends` headings after it ('' without it)."""
    start = text.find(heading)
    if start < 0:
        return ""
    body = text[start + len(heading):]
    stops = [i for i in (body.find(end) for end in ends) if i >= 0]
    return body[:min(stops)] if stops else body


def effective_event(value: str | None, published: date) -> date:
    """The date a step is dated at: the one the text states, else the notice's publication
    (rules/cases.py dates a case step the same way); a stated date equal to the publication is
    the same fact as none."""
    return date.fromisoformat(value) if value else published


def analysis_problems(item: dict[str, Any], analysis: dict[str, Any]) -> list[str]:
    want = item["expected"]
    published = published_of(item)
    problems = []
    for field in ("vietnam", "market", "stage"):
        if analysis.get(field) != want[field]:
            problems.append(f"{field}: notice says {want[field]!r}, TREWS says "
                            f"{analysis.get(field)!r}")
    stated, got = (effective_event(want["event_date"], published),
                   effective_event(analysis.get("event_date"), published))
    if stated != got:
        problems.append(f"event date: notice states {stated}, TREWS dates the step {got}")
    expected_dates: dict[str, set[str]] = {}
    for deadline in want["deadlines"]:
        expected_dates.setdefault(deadline["date"], set()).add(deadline["kind"])
    found_dates: dict[str, set[str]] = {}
    for deadline in analysis.get("deadlines") or []:
        found_dates.setdefault(str(deadline["date"]), set()).add(str(deadline["kind"]))
    if set(expected_dates) != set(found_dates):
        problems.append(f"deadlines: notice states {sorted(expected_dates)}, TREWS found "
                        f"{sorted(found_dates)}")
    for day, kinds in found_dates.items():
        if day in expected_dates and not kinds <= expected_dates[day]:
            problems.append(f"deadline {day}: notice asks for {sorted(expected_dates[day])}, "
                            f"TREWS says {sorted(kinds)}")
    stated_rates = set(want.get("rates") or [])
    found_rates = {float(rate["value"]) for rate in analysis.get("rates") or []}
    missing = sorted(r for r in stated_rates if float(r) not in found_rates)
    if missing:
        problems.append(f"rates stated but not found: {missing} (found {sorted(found_rates)})")
    return problems


def mail_problems(item: dict[str, Any], analysis: dict[str, Any], language: str) -> list[str]:
    want = item["expected"]
    published = published_of(item)
    _ = translations(language).gettext
    subject, text, html = mail_parts(render_alert(alert_context(item, analysis, language),
                                                  MAIL_FROM))
    problems: list[str] = []

    def problem(message: str) -> None:
        problems.append(f"[{language}] {message}")

    what, deadlines_heading, why = (_("What this means for you").upper(),
                                    _("Deadlines").upper(),
                                    _("Why you received this alert").upper())
    # the subject's tag: a trade-diversion warning exactly when Vietnam is not named and the
    # measure is not a safeguard (a safeguard covers every origin)
    diversion = want["vietnam"] == "none" and want["advice_kind"] != "safeguard"
    tag = f"[TREWS][{_(content.DIVERSION_TAG)}]"
    if subject.startswith(tag) != diversion:
        problem(f"subject {'lacks' if diversion else 'has'} the diversion tag: {subject!r}")
    correction_word = _("Correction: %(stage)s").split(":")[0]
    if (correction_word in subject) != want["correction"]:
        problem(f"subject {'lacks' if want['correction'] else 'has'} "
                f"{correction_word!r}: {subject!r}")
    # every deadline the notice states, in the reader's date format (a diversion warning lists
    # none: they belong to the parties of another country's case)
    listed = section(text, deadlines_heading, (why,))
    if not diversion:
        for deadline in want["deadlines"]:
            day = format_day(date.fromisoformat(deadline["date"]), language)
            if day not in listed or day not in html:
                problem(f"deadline {day} ({deadline['kind']}) not in the mail's deadlines")
    # the date of the step: said when the text states one other than the publication, and
    # never the publication date presented as the step's date
    label = _("Date of the step (stated in the text)")
    stated = effective_event(want["event_date"], published)
    if stated != published:
        line = f"{label}: {format_day(stated, language)}"
        if line not in text:
            problem(f"missing {line!r}")
    elif label in text:
        shown = text.split(label, 1)[1][:16]
        problem(f"a step date is shown ({shown.strip()!r}) though the text states none but "
                f"the publication {format_day(published, language)}")
    # what the reader is told to do
    advice = section(text, what, (deadlines_heading, why))
    if not advice:
        problem("no advice paragraph")
    folded = advice.casefold()

    def says(word: str) -> bool:
        return word.casefold() in folded

    words = ADVICE[want["advice_kind"]][language]
    if words.any_of and not any(says(w) for w in words.any_of):
        problem(f"{want['advice_kind']} advice says none of {list(words.any_of)}: {advice!r}")
    for word in words.all_of:
        if not says(word):
            problem(f"{want['advice_kind']} advice lacks {word!r}: {advice!r}")
    forbidden = list(words.none_of)
    # a modelled market's anti-dumping, countervailing and circumvention procedure is modelled:
    # never say it is not (its safeguards are advised by the WTO default, which may say so)
    if want["market"] in MODELLED and want["advice_kind"] != "safeguard":
        forbidden.append(_NOT_MODELLED[language])
    if want["market"] != "US":  # an anniversary-month review is US law only
        forbidden.append(_ANNIVERSARY[language])
    if not diversion:
        forbidden.append(_NOT_NAMED[language])
    said = [w for w in forbidden if w in advice]  # as written: 'DOC' is not 'đọc'
    if said:
        problem(f"{want['advice_kind']} advice says {said}: {advice!r}")
    return problems


@pytest.mark.parametrize("item", ITEMS, ids=[item["id"] for item in ITEMS])
def test_fact_check(item: dict[str, Any]) -> None:
    """The analysis and the alert in both languages say what the notice says."""
    analysis = analysed(item["id"])
    assert analysis["trade_remedy"] is True, analysis["reasons"]
    problems = analysis_problems(item, analysis)
    for language in LANGUAGES:
        problems += mail_problems(item, analysis, language)
    assert not problems, "\n".join([item["note"], *problems])
