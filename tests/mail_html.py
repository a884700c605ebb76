"""Reading a rendered mail back as a mail program does: its subject and parts, and what css-inline
leaves of its stylesheet (only at-rules, the phone layout, may stay in a <style> element; every
other rule must have gone into style attributes)."""

import email
import email.policy
import re
from email.message import EmailMessage

_STYLE_RE = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL)


def _without_media(css: str) -> str:
    """`css` with its @media blocks (one level of nested rules) taken out."""
    out, depth, i = [], 0, 0
    while i < len(css):
        if depth == 0 and css.startswith("@media", i):
            depth = -1  # inside the block's prelude until its first brace
        char = css[i]
        if depth == -1 and char == "{":
            depth = 1
        elif depth > 0 and char == "{":
            depth += 1
        elif depth > 0 and char == "}":
            depth -= 1
        elif depth == 0:
            out.append(char)
        i += 1
    return "".join(out).strip()


def rules_left_in_style(html: str) -> str:
    """The CSS of the <style> elements that is not inside an @media block."""
    return "".join(_without_media(css) for css in _STYLE_RE.findall(html))


def mail_parts(message: EmailMessage) -> tuple[str, str, str]:
    """Subject, text part (whitespace collapsed, so wrapped lines read as one) and HTML part."""
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    text = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    assert text is not None and html is not None
    return str(parsed["Subject"]), " ".join(text.get_content().split()), html.get_content()
