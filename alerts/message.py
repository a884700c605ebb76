"""A mail from a template: the rendered text and HTML parts and the headers around them.

Every kind of mail (alerts, digests, confirmations, operator mails) goes through here, so the
stylesheet inlining, the MIME layout, List-Unsubscribe and Message-IDs are made in one place.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822_datetime
from functools import cache
from pathlib import Path
from typing import Any

import css_inline
from jinja2 import Environment, select_autoescape

from alerts.i18n import translated_environment
from alerts.mailpolicy import MAIL_POLICY, mailbox, text_part

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# Which kind of mail a message is ("alert", "diversion", "digest-weekly", "confirmation",
# "reminder", "operator-job", ...): told by a header rather than guessed from a translated
# subject, so outbox files and summaries can be named and counted by kind.
KIND_HEADER = "X-TREWS-Kind"


@cache
def jinja_environment(language: str) -> Environment:
    """The mails' environment in `language`. Autoescaping is on for ``.html.j2`` only: notice
    titles are scraped text, and the plain-text part must not show ``&amp;``."""
    return translated_environment(
        TEMPLATES_DIR, language, keep_trailing_newline=True,
        autoescape=select_autoescape(["html.j2", "html"], default_for_string=False))


def render_parts(template: str, view: Any) -> tuple[str, str]:
    """`template`.txt.j2 and `template`.html.j2 rendered on `view`; the HTML's stylesheet
    (base.html.j2) inlined into style attributes, because many mail programs ignore <style>."""
    env = jinja_environment(view.language)
    text = env.get_template(f"{template}.txt.j2").render(v=view)
    html = inline_css(env.get_template(f"{template}.html.j2").render(v=view))
    return text, html


def recipient_address(email: str, name: str | None) -> Address:
    """The To: address; a scraped or imported name never brings a newline into the header."""
    return mailbox(email, one_line(name or ""))


def compose(template: str, view: Any, *, mail_from: str, recipient: Address | str,
            msgid: str, list_id: str | None = None, unsubscribe_url: str | None = None,
            date: datetime | None = None) -> EmailMessage:
    """A message from `template` rendered on `view` (which has `language` and `subject`); its
    kind is the template's name ("digest_weekly" -> "digest-weekly")."""
    text, html = render_parts(template, view)
    return build_message(text, html, kind=template.replace("_", "-"), language=view.language,
                         subject=view.subject, mail_from=mail_from, recipient=recipient,
                         msgid=msgid, list_id=list_id, unsubscribe_url=unsubscribe_url, date=date)


def build_message(text: str, html: str, *, kind: str, language: str, subject: str,
                  mail_from: str, recipient: Address | str, msgid: str, list_id: str | None = None,
                  unsubscribe_url: str | None = None, date: datetime | None = None,
                  attachments: Sequence[Attachment] = ()) -> EmailMessage:
    """Headers (`kind` in KIND_HEADER), then a text/plain part and a text/html part (UTF-8).

    With `list_id` the mail says which list it belongs to (RFC 2919); with `unsubscribe_url` it
    carries List-Unsubscribe and the RFC 8058 one-click List-Unsubscribe-Post, so the reader's
    mail program offers an unsubscribe button.
    """
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["From"] = mail_from
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Date"] = rfc2822_datetime(date or datetime.now(UTC))
    msg["Message-ID"] = msgid
    # RFC 3834: keeps vacation responders from answering an automatic alert.
    msg["Auto-Submitted"] = "auto-generated"
    msg[KIND_HEADER] = kind
    if list_id:
        msg["List-Id"] = list_id_header(list_id)
    if unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["MIME-Version"] = "1.0"
    msg["Content-Language"] = language
    if not attachments:
        msg["Content-Type"] = f'multipart/alternative; boundary="{_BOUNDARY}"'
        msg.attach(text_part(text, "plain"))
        msg.attach(text_part(html, "html"))
        return msg
    msg["Content-Type"] = f'multipart/mixed; boundary="{_MIXED_BOUNDARY}"'
    body = EmailMessage(policy=MAIL_POLICY)
    body["Content-Type"] = f'multipart/alternative; boundary="{_BOUNDARY}"'
    body.attach(text_part(text, "plain"))
    body.attach(text_part(html, "html"))
    msg.attach(body)
    for attachment in attachments:
        msg.attach(attachment.part())
    return msg


@dataclass(frozen=True)
class Attachment:
    """A file that goes with a mail (an alert's deadlines as an .ics calendar)."""

    content: bytes
    maintype: str
    subtype: str
    filename: str
    # Content-Type parameters: a text attachment's charset ("utf-8"), a calendar's method.
    params: tuple[tuple[str, str], ...] = ()

    def part(self) -> EmailMessage:
        part = EmailMessage(policy=MAIL_POLICY)
        part.set_content(self.content, maintype=self.maintype, subtype=self.subtype,
                         filename=self.filename, disposition="attachment",
                         params=dict(self.params))
        return part


# At-rules stay in a <style> element: a @media rule cannot go into a style attribute, and the
# mail programs that keep <style> stack the facts table on a phone with it.
_INLINER = css_inline.CSSInliner(keep_style_tags=False, keep_at_rules=True,
                                 load_remote_stylesheets=False)


def inline_css(html: str) -> str:
    """The document with its <style> rules moved into style attributes (css-inline)."""
    return _INLINER.inline(html)


def mail_kind(message: EmailMessage) -> str | None:
    """The kind a message says it is (KIND_HEADER), or None for a message not made here."""
    kind = message.get(KIND_HEADER)
    return str(kind) if kind else None


def list_id_header(list_id: str) -> str:
    """RFC 2919 List-Id: "TREWS <alerts.trews.invalid>" from the setting, bracketed or not."""
    bare = list_id.strip().strip("<>").strip()
    return f"TREWS <{bare}>"


def message_id(delivery_id: int, domain: str = "trews.invalid") -> str:
    """Stable per delivery, so a resend after a crash is recognisably the same message."""
    return f"<alert-{int(delivery_id)}@{domain}>"


# One MIME boundary for the process, random so no body can contain it: a boundary made per
# message would make every message's Content-Type header unique, and costly to write out.
_BOUNDARY = f"trews-{secrets.token_hex(16)}"
_MIXED_BOUNDARY = f"trews-mixed-{secrets.token_hex(16)}"
def one_line(text: str) -> str:
    """Collapse whitespace: scraped titles carry newlines, which headers must never contain."""
    return " ".join(text.split())
