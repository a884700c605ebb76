"""What an alert tells the reader to do follows what the notice is to them: a trade-diversion
warning is its own kind (tag, advice), steps and deadlines already past are said to be past, the
salutation follows the subscriber's kind, and a measure is named as its market names it."""

import dataclasses
import email
import email.policy
from datetime import UTC, date, datetime
from email.message import EmailMessage
from typing import Any

import pytest
from icalendar import Calendar

from alerts import AlertContext, render_alert
from alerts.render import CaseContext, build_view
from tests.mail_html import mail_parts as parts

MAIL_FROM = "TREWS <canhbao@trews.invalid>"
DETECTED = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)  # 09:00 in Hanoi


def context(analysis: dict[str, Any], **changes: Any) -> AlertContext:
    """An alert on a synthetic notice (the facts under test are the analysis')."""
    base = AlertContext(
        delivery_id=1, recipient_email="bo@example.vn", recipient_name=None, language="vi",
        timezone="Asia/Ho_Chi_Minh", notice_title="Aluminium extrusions originating in China",
        notice_url="https://example.org/notice", notice_published=date(2026, 12, 5),
        source_name="synthetic", analysis={"trade_remedy": True, "severity": "medium",
                                           "countries": ["CN"], **analysis},
        sector_names={"metals": {"en": "metals", "vi": "kim loại"}}, match_reasons=[],
        detected_at=DETECTED)
    return dataclasses.replace(base, **changes)


DIVERSION = {"market": "EU", "vietnam": "none", "measures": ["AD"], "proceeding": "investigation",
             "stage": "initiation", "deadlines": [{"kind": "register", "date": "2026-12-20"}]}


@pytest.mark.parametrize(("language", "tag", "forbidden"), [
    ("vi", "[TREWS][NGUY CƠ CHUYỂN HƯỚNG THƯƠNG MẠI]",
     ("bảng câu hỏi", "đăng ký tham gia", "bên liên quan")),
    ("en", "[TREWS][DIVERSION RISK]", ("questionnaire", "Make yourself known", "interested part")),
])
def test_a_diversion_warning_is_its_own_kind_and_never_advises_taking_part(
        language: str, tag: str, forbidden: tuple[str, ...]) -> None:
    subject, text, html = parts(render_alert(context(DIVERSION, language=language), MAIL_FROM))
    assert subject.startswith(tag)
    for body in (text, html):
        assert not [word for word in forbidden if word in body]
    assert ("xuất xứ Việt Nam" if language == "vi" else "proof of Vietnamese origin") in text
    assert 'class="badge diversion"' in html or "badge diversion" in html


def test_a_case_that_names_vietnam_gets_the_markets_own_advice() -> None:
    analysis = DIVERSION | {"vietnam": "subject", "countries": ["CN", "VN"]}
    subject, text, _html = parts(render_alert(context(analysis), MAIL_FROM))
    assert subject.startswith("[TREWS][TRUNG BÌNH]")
    assert "Công báo EU" in text and "chọn mẫu" in text  # the EU's procedure, in Vietnamese


def test_the_nearest_deadline_still_ahead_is_in_the_subject_and_the_first_lines() -> None:
    analysis = DIVERSION | {"vietnam": "subject", "deadlines": [
        {"kind": "register", "date": "2026-12-01"},  # passed at detection
        {"kind": "questionnaire", "date": "2026-12-21"},
        {"kind": "comments", "date": "2027-01-10"}]}
    subject, text, _html = parts(render_alert(context(analysis), MAIL_FROM))
    assert subject.endswith("– hạn chót 21/12/2026")
    assert "Thời hạn gần nhất: 21/12/2026 (còn 15 ngày)" in text.split("Thị trường:")[0]


def test_deadlines_all_past_are_said_to_be_past_and_change_the_advice() -> None:
    analysis = DIVERSION | {"vietnam": "subject", "deadlines": [
        {"kind": "register", "date": "2026-11-20"}]}
    for language, passed, note in (
            ("vi", "đã qua", "Các thời hạn nêu trong thông báo đã qua"),
            ("en", "passed", "The deadlines this notice states have passed")):
        subject, text, _html = parts(render_alert(context(analysis, language=language),
                                                  MAIL_FROM))
        assert "hạn chót" not in subject and "deadline" not in subject
        assert f"20/11/2026 ({passed})" in text or f"20 Nov 2026 ({passed})" in text
        assert note in text


def test_a_next_step_whose_date_has_passed_is_not_shown_as_upcoming() -> None:
    analysis = {"market": "US", "vietnam": "subject", "measures": ["AD"],
                "proceeding": "investigation", "stage": "initiation"}
    late = CaseContext(("A-552-900",), "preliminary", date(2026, 10, 12),
                       "Commerce's AD preliminary determination is due 140 days after initiation "
                       "(extendable to 190)")
    view = build_view(context(analysis, cases=(late,)))
    assert view.cases[0].next == ("Kết luận sơ bộ dự kiến trước ngày 12/10/2026; chưa ghi nhận "
                                  "thông báo nào về bước này")
    ahead = dataclasses.replace(late, next_due=date(2027, 1, 12))
    assert build_view(context(analysis, cases=(ahead,))).cases[0].next == (
        "Kết luận sơ bộ trước ngày 12/01/2027")


def test_a_case_without_numbers_is_linked_by_its_page_not_by_a_dash() -> None:
    analysis = {"market": "AU", "vietnam": "subject", "measures": ["AD"],
                "proceeding": "investigation", "stage": "initiation"}
    view = build_view(context(analysis, cases=(CaseContext((), case_id=7),),
                              site_url="https://trews.example.vn"))
    assert view.cases[0].numbers == "trang vụ việc"
    assert view.cases[0].page == "https://trews.example.vn/cases/7?lang=vi"


@pytest.mark.parametrize(("kind", "greeting"), [
    ("exporter", "Kính gửi Quý doanh nghiệp,"),
    ("association", "Kính gửi Quý Hiệp hội,"),
    ("ministry", "Kính gửi Quý cơ quan,"),
])
def test_the_salutation_follows_the_subscribers_kind(kind: str, greeting: str) -> None:
    _subject, text, html = parts(render_alert(context(DIVERSION, recipient_kind=kind),
                                              MAIL_FROM))
    assert text.startswith(greeting) and greeting in html
    assert "bạn" not in text.split()


def test_a_measure_in_force_is_named_as_its_market_names_it() -> None:
    order = {"vietnam": "subject", "measures": ["AD"], "proceeding": "investigation",
             "stage": "order"}
    eu = build_view(context(order | {"market": "EU"}))
    assert eu.stage == "Biện pháp chính thức" and "Lệnh áp thuế" not in eu.subject
    assert eu.role == "Việt Nam là nước bị áp dụng biện pháp"
    assert "tháng kỷ niệm" not in eu.stage_advice and "rà soát giữa kỳ" in eu.stage_advice
    us = build_view(context(order | {"market": "US"}))
    assert us.stage == "Lệnh áp thuế" and "tháng kỷ niệm" in us.stage_advice


def test_a_correction_says_so_and_keeps_the_clock_of_the_notice_it_corrects() -> None:
    analysis = {"market": "US", "vietnam": "subject", "measures": ["AD"],
                "proceeding": "expiry_review", "stage": "continuation"}
    title = "Steel Nails From Vietnam: Continuation of Antidumping Duty Order; Correction"
    for language, label, note in (
            ("vi", "Đính chính: Rà soát cuối kỳ", "Thông báo này đính chính một thông báo trước"),
            ("en", "Correction: Sunset (expiry) review", "This notice corrects an earlier one")):
        subject, text, _html = parts(render_alert(
            context(analysis, notice_title=title, language=language), MAIL_FROM))
        assert label in subject and note in text


def test_the_date_the_text_states_for_the_step_is_shown_and_anchors_the_deadlines() -> None:
    """A news item published days after the initiation: its relative deadlines count from the
    initiation, and the alert says which date that is."""
    analysis = {"market": "AU", "vietnam": "subject", "measures": ["AD"],
                "proceeding": "investigation", "stage": "initiation",
                "event_date": "2026-11-11", "deadlines": [{"kind": "questionnaire",
                                                           "date": "2026-12-18"}]}
    _subject, text, html = parts(render_alert(context(analysis), MAIL_FROM))
    for body in (text, " ".join(html.split())):
        assert "Ngày diễn ra bước này (theo nội dung thông báo): 11/11/2026" in body or (
            "11/11/2026</td>" in body)
        assert "được tính từ ngày 11/11/2026" in body


def test_an_alert_with_deadlines_ahead_carries_them_as_a_calendar_and_a_follow_link() -> None:
    analysis = DIVERSION | {"vietnam": "subject", "deadlines": [
        {"kind": "register", "date": "2026-11-20"},  # passed: not in the calendar
        {"kind": "questionnaire", "date": "2026-12-21"}]}
    ctx = context(analysis, cases=(CaseContext(("AD608",), case_id=3),), notice_id=9,
                  follow_url="https://trews.example.vn/follow/t0ken")
    message = render_alert(ctx, MAIL_FROM)
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    (attachment,) = list(parsed.iter_attachments())
    assert attachment.get_filename() == "trews-deadlines.ics"
    (event,) = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert event.decoded("dtstart") == date(2026, 12, 21)
    assert "Trả lời bảng câu hỏi" in str(event.get("summary"))
    _subject, text, html = parts(message)
    assert "https://trews.example.vn/follow/t0ken" in text and "follow/t0ken" in html
    # a diversion warning has no deadline of its own to put in a calendar, nor a case to follow
    diversion = render_alert(dataclasses.replace(ctx, analysis=ctx.analysis | {
        "vietnam": "none"}), MAIL_FROM)
    assert diversion.get_content_type() == "multipart/alternative"
    assert "follow/t0ken" not in parts(diversion)[1]


def test_the_rates_the_notice_states_for_vietnam_are_in_the_alert() -> None:
    analysis = DIVERSION | {"vietnam": "subject", "deadlines": [], "rates": [
        {"value": 25.76, "unit": "percent", "kind": "dumping_margin",
         "company": "An Phat Holdings", "origin": "VN"},
        {"value": 1234.5, "unit": "USD/t", "kind": "duty", "company": "country-wide",
         "origin": "VN"},
        {"value": 99.0, "unit": "percent", "kind": "duty", "company": None, "origin": "CN"}]}
    _subject, text, html = parts(render_alert(context(analysis), MAIL_FROM))
    assert "An Phat Holdings: Biên độ bán phá giá 25,76%" in text
    assert "USD 1.234,5/t" in text and "USD 1.234,5/t" in html
    assert "99%" not in text  # China's rate is not the reader's


def test_a_product_named_in_english_is_said_in_the_nomenclatures_vietnamese() -> None:
    analysis = DIVERSION | {"vietnam": "subject", "hs_codes": [], "hs_inferred": ["760421"]}
    _subject, text, _html = parts(render_alert(context(analysis), MAIL_FROM))
    assert "Sản phẩm (theo Danh mục HS): HS 7604 – Nhôm ở dạng thanh, que và hình" in text
    _subject, text, _html = parts(render_alert(context(analysis, language="en"), MAIL_FROM))
    assert "HS 7604 – Aluminium; bars, rods and profiles" in text


def test_a_safeguard_extended_is_not_called_a_sunset_review() -> None:
    extended = {"market": "TR", "vietnam": "subject", "measures": ["SG"],
                "proceeding": "expiry_review", "stage": "continuation"}
    view = build_view(context(extended))
    assert view.stage.startswith("Rà soát gia hạn biện pháp tự vệ")
    assert "cuối kỳ" not in view.stage and "tự vệ" in view.stage_advice
