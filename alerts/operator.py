"""Mail to the operator when a source breaks or recovers: what failed, since when, what to check.

One message per change of a source's health (see storage.sources.judge_health), in the
operator's language, through the same templates, catalogue and transports as subscriber alerts.
"""

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from alerts.i18n import format_moment, normalize_language, translations
from alerts.render import compose


@dataclass(frozen=True)
class OperatorContext:
    alert_id: int
    kind: str  # "failing" or "recovered"
    source_id: str
    authority: str
    reason: str | None
    changed_at: datetime
    last_success_at: datetime | None
    recipient_email: str
    language: str = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class OperatorView:
    language: str
    subject: str
    failing: bool
    source_id: str
    authority: str
    reason: str | None
    changed: str
    last_success: str | None
    recipient_email: str


def operator_message_id(alert_id: int, domain: str = "trews.invalid") -> str:
    return f"<operator-{int(alert_id)}@{domain}>"


def build_operator_view(ctx: OperatorContext) -> OperatorView:
    language = normalize_language(ctx.language)
    _ = translations(language).gettext
    failing = ctx.kind == "failing"
    state = _("SOURCE FAILING") if failing else _("SOURCE RECOVERED")
    return OperatorView(
        language=language,
        subject=f"[TREWS][{state}] {ctx.source_id}: {ctx.authority}",
        failing=failing, source_id=ctx.source_id, authority=ctx.authority, reason=ctx.reason,
        changed=format_moment(ctx.changed_at, language, ctx.timezone),
        last_success=(format_moment(ctx.last_success_at, language, ctx.timezone)
                      if ctx.last_success_at else None),
        recipient_email=ctx.recipient_email,
    )


def render_operator_alert(ctx: OperatorContext, mail_from: str,
                          domain: str = "trews.invalid") -> EmailMessage:
    return compose("operator", build_operator_view(ctx), mail_from=mail_from,
                   recipient=ctx.recipient_email,
                   msgid=operator_message_id(ctx.alert_id, domain))
