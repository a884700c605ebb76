"""What css-inline leaves of a mail's stylesheet: only at-rules (the phone layout) may stay in a
<style> element, every other rule must have gone into style attributes."""

import re

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
