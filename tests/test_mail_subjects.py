"""Every kind of mail decodes to the subject it was given: alerts (a diversion warning too),
reminders, confirmations and operator mails, with long Vietnamese subjects, sent as a mail
server without SMTPUTF8 receives them (encoded words)."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, date, datetime
from email.message import EmailMessage

import pytest

from alerts import AlertContext, render_alert
from alerts.mailpolicy import smtp_bytes
from alerts.operator import OperatorContext, build_operator_view, render_operator_alert
from alerts.optin import ConfirmationContext, build_confirmation_view, render_confirmation
from alerts.reminders import ReminderContext, build_reminder_view, render_reminder
from alerts.render import build_view

MAIL_FROM = "TREWS <canhbao@trews.invalid>"
LONG_TITLE = ("Certain Corrosion-Resistant Steel Products and Cold-Rolled Flat Steel From the "
              "Socialist Republic of Vietnam: Final Results of Antidumping Duty Administrative "
              "Review and Final Determination of No Shipments; 2024–2025")


def received_subject(message: EmailMessage) -> str:
    parsed = email.message_from_bytes(smtp_bytes(message, utf8=False),
                                      policy=email.policy.default)
    return str(parsed["Subject"])


def alert(vietnam: str, language: str) -> AlertContext:
    return AlertContext(
        delivery_id=1, recipient_email="lan@example.vn", recipient_name=None, language=language,
        timezone="Asia/Ho_Chi_Minh", notice_title=LONG_TITLE, notice_url="https://example.org/",
        notice_published=date(2026, 12, 1), source_name="Federal Register",
        analysis={"trade_remedy": True, "market": "US", "vietnam": vietnam,
                  "measures": ["AD", "CVD"], "proceeding": "administrative_review",
                  "stage": "results", "severity": "high",
                  "deadlines": [{"kind": "case_briefs", "date": "2026-12-30"}]},
        sector_names={"steel": {"en": "iron and steel", "vi": "sắt thép"}}, match_reasons=[],
        detected_at=datetime(2026, 12, 1, 2, 0, tzinfo=UTC))


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("vietnam", ["subject", "none"])
def test_alert_subjects_decode_as_written(vietnam: str, language: str) -> None:
    ctx = alert(vietnam, language)
    subject = build_view(ctx).subject
    assert len(subject) >= 80
    assert received_subject(render_alert(ctx, MAIL_FROM)) == subject


@pytest.mark.parametrize("language", ["vi", "en"])
def test_reminder_subjects_decode_as_written(language: str) -> None:
    ctx = ReminderContext(
        delivery_id=2, recipient_email="lan@example.vn", recipient_name="Nguyễn Thị Lan",
        recipient_kind="association", language=language, timezone="Asia/Ho_Chi_Minh",
        case_id=5, market="US", origin="VN", measure="AD",
        product="corrosion-resistant steel product and cold-rolled flat steel",
        deadline_on=date(2026, 12, 30), deadline_kind="substantive_response",
        notice_title=LONG_TITLE, notice_url="https://example.org/", today=date(2026, 12, 23))
    subject = build_reminder_view(ctx).subject
    assert len(subject) >= 80
    assert received_subject(render_reminder(ctx, MAIL_FROM)) == subject


@pytest.mark.parametrize("language", ["vi", "en"])
def test_confirmation_and_operator_subjects_decode_as_written(language: str) -> None:
    confirmation = ConfirmationContext(
        delivery_id=3, recipient_email="lan@example.vn", recipient_name=None, language=language,
        confirm_url="https://trews.example.vn/confirm/x", sectors=("sắt thép",),
        frequency="immediate")
    assert received_subject(render_confirmation(confirmation, MAIL_FROM)) == (
        build_confirmation_view(confirmation).subject)
    operator = OperatorContext(
        alert_id=4, kind="failing", source_id="vn_trav_warnings",
        authority="Cục Phòng vệ thương mại (Bộ Công Thương) – Cảnh báo sớm các vụ việc",
        reason="1 HTTP error(s)", changed_at=datetime(2026, 12, 1, tzinfo=UTC),
        last_success_at=None, recipient_email="ops@example.vn", language=language)
    subject = build_operator_view(operator).subject
    assert len(subject) >= 80
    assert received_subject(render_operator_alert(operator, MAIL_FROM)) == subject
