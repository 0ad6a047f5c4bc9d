"""Markdown -> safe HTML. Rendered first, then sanitized: raw HTML in a document is
never trusted, whatever the markdown extension that let it through."""

from __future__ import annotations

import threading
from collections.abc import Callable

import markdown as md
import nh3

_ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "u", "s", "del", "ins", "mark", "sub", "sup",
    "ul", "ol", "li", "blockquote", "code", "pre", "a", "abbr",
    "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align", "colspan", "rowspan"}, "td": {"align", "colspan", "rowspan"}, "abbr": {"title"}}
# No javascript:, data: or vbscript: URLs; relative links and anchors are fine.
_URL_SCHEMES = {"http", "https", "mailto"}


# Links from a defined term's uses to its definition carry class="term" (styled, and
# found by the print stylesheet); no other class survives.
_ALLOWED_CLASSES = {"a": {"term"}}


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        allowed_classes=_ALLOWED_CLASSES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


# One Markdown converter per thread, reset between texts: building one (its parsers and
# inline patterns) cost as much as converting a clause, and a page converts hundreds.
# A converter keeps state while it converts, so threads do not share one.
_converters = threading.local()


def _converter() -> md.Markdown:
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = md.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    return converter


def render_markdown(text: str, postprocess: Callable[[str], str] | None = None) -> str:
    """Render clause markdown to sanitized HTML (safe to mark_safe).

    ``postprocess`` (e.g. linking defined terms) sees the rendered HTML before the
    sanitizer does, so whatever it adds is checked like everything else."""
    html = _converter().reset().convert(text)
    if postprocess is not None:
        html = postprocess(html)
    return sanitize_html(html)
