"""Mail to the operator when a source breaks or recovers, a job keeps failing or works again, the
outbox backs up or clears, or notices are quarantined: what failed, since when, the last error,
what to check.

One message per change of state (storage.sources.judge_health, storage.job_runs,
storage.outbox_backlog, storage.quarantine), in the operator's language, through the same
templates, catalogue and transports as subscriber alerts. Each topic has its template, extending
operator_base.
"""

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from alerts.content import N_
from alerts.crawl_reasons import reason_lines
from alerts.i18n import format_moment, normalize_language, translations
from alerts.message import compose

# kind -> (template, whether it reports trouble (else a recovery), subject tag)
KINDS = {
    "failing": ("operator", True, N_("SOURCE FAILING")),
    "degraded": ("operator_degraded", True, N_("SOURCE DEGRADED")),
    "recovered": ("operator", False, N_("SOURCE RECOVERED")),
    "job_failing": ("operator_job", True, N_("JOB FAILING")),
    "job_recovered": ("operator_job", False, N_("JOB RECOVERED")),
    "outbox_backlog": ("operator_outbox", True, N_("OUTBOX BACKED UP")),
    "outbox_cleared": ("operator_outbox", False, N_("OUTBOX CLEARED")),
    "quarantined": ("operator_analysis", True, N_("NOTICES QUARANTINED")),
}


@dataclass(frozen=True)
class OperatorContext:
    """One operator alert as plain data. Source alerts carry ``source_id`` and ``authority``;
    job, outbox and quarantine alerts ``job_id``, ``since_at`` (when the trouble began) and
    ``count`` (failures in a row, mails due, or notices quarantined)."""

    alert_id: int
    kind: str  # a key of KINDS
    source_id: str | None
    authority: str | None
    reason: str | None
    changed_at: datetime
    last_success_at: datetime | None
    recipient_email: str
    language: str = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    job_id: str | None = None
    since_at: datetime | None = None
    count: int | None = None


@dataclass(frozen=True)
class OperatorView:
    language: str
    subject: str
    failing: bool
    source_id: str | None
    authority: str | None
    reason: str | None
    # A source's failure, phrase by phrase in the reader's language (alerts/crawl_reasons.py).
    reason_lines: tuple[str, ...]
    changed: str
    last_success: str | None
    recipient_email: str
    job_id: str | None = None
    since: str | None = None
    count: int | None = None


def operator_message_id(alert_id: int, domain: str = "trews.invalid") -> str:
    return f"<operator-{int(alert_id)}@{domain}>"


def build_operator_view(ctx: OperatorContext) -> OperatorView:
    language = normalize_language(ctx.language)
    _ = translations(language).gettext
    _template, failing, tag = KINDS[ctx.kind]

    def moment(when: datetime | None) -> str | None:
        return format_moment(when, language, ctx.timezone) if when else None

    authority = _(ctx.authority) if ctx.authority else ctx.authority
    about = f"{ctx.source_id}: {authority}" if ctx.source_id else ctx.job_id
    return OperatorView(
        language=language, subject=f"[TREWS][{_(tag)}] {about}",
        failing=failing, source_id=ctx.source_id, authority=authority, reason=ctx.reason,
        reason_lines=tuple(reason_lines(ctx.reason, _)),
        changed=format_moment(ctx.changed_at, language, ctx.timezone),
        last_success=moment(ctx.last_success_at), recipient_email=ctx.recipient_email,
        job_id=ctx.job_id, since=moment(ctx.since_at), count=ctx.count,
    )


def render_operator_alert(ctx: OperatorContext, mail_from: str,
                          domain: str = "trews.invalid") -> EmailMessage:
    return compose(KINDS[ctx.kind][0], build_operator_view(ctx), mail_from=mail_from,
                   recipient=ctx.recipient_email,
                   msgid=operator_message_id(ctx.alert_id, domain))
