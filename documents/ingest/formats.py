"""Input formats: detect text / markdown / HTML, and turn HTML into markdown-ish text.

HTML conversion uses only :mod:`html.parser`. Page furniture that never holds the
terms themselves (script, style, nav, header, footer, form, ...) is dropped while
parsing, so it cannot leak into clauses.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_HINTS = {
    "html": "html", "htm": "html", "xhtml": "html",
    "md": "markdown", "markdown": "markdown", "mdown": "markdown",
    "txt": "text", "text": "text", "plain": "text",
}

# Block-level tags only: markdown captures legitimately contain <br> inside table cells.
_HTML_TAG_RE = re.compile(r"<(?:p|div|h[1-6]|li|ul|ol|table|tr|td|section|article|body|main)\b[^>]*>", re.I)
_MD_SIGNALS = [
    re.compile(r"^#{1,6}\s+\S", re.M),  # ATX heading
    re.compile(r"^\S.*\n(?:=+|-{3,})[ \t]*$", re.M),  # setext heading
    re.compile(r"\*\*[^*\n]+\*\*"),  # bold
    re.compile(r"\[[^\[\]\n]+\]\([^)\s]+\)"),  # inline link ("[" excluded: linear on runs of "[")
    re.compile(r"^ {0,3}[*+-] {1,4}\S", re.M),  # bullet list
    re.compile(r"^\|.*\|\s*$", re.M),  # table row
    re.compile(r"^\d+\\\.", re.M),  # escaped ordered number "1\."
]


def detect_format(raw: str, filename: str = "", format_hint: str | None = None) -> str:
    """Return "html", "markdown" or "text".

    An explicit hint wins, then the file extension, then the content: HTML if it is
    tag-dense, markdown if at least two distinct markdown constructs occur.
    """
    if format_hint:
        fmt = _HINTS.get(format_hint.lower().lstrip("."))
        if fmt:
            return fmt
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext in ("html", "htm", "xhtml"):
        return "html"
    head = raw[:20000]
    stripped = head.lstrip().lower()
    if stripped.startswith(("<!doctype html", "<html", "<?xml")):
        return "html"
    if ext in ("md", "markdown"):
        return "markdown"
    if len(_HTML_TAG_RE.findall(head)) >= 8 and head.count("<") > len(head) / 400:
        return "html"
    signals = sum(1 for rx in _MD_SIGNALS if rx.search(head))
    return "markdown" if signals >= 2 else "text"


# Elements whose whole subtree is page furniture or code, never terms text.
_DROP = {"script", "style", "nav", "header", "footer", "form", "noscript", "template",
         "svg", "button", "select", "iframe", "aside", "dialog", "canvas", "object"}
_BLOCK = {"p", "div", "section", "article", "main", "blockquote", "address", "figure",
          "figcaption", "dl", "dt", "dd", "pre", "center", "fieldset", "details", "summary"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "wbr", "source", "col", "area", "base"}


class _MarkdownWriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.drop_depth = 0
        self.stack: list[str] = []
        self.lists: list[list] = []  # [tag, counter]
        self.href: list[str | None] = []
        self.link_text_start: list[int] = []
        self.table: list[list[str]] | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.heading_level = 0

    # -- helpers -------------------------------------------------------------
    def _emit(self, s: str) -> None:
        if self.cell is not None:
            self.cell.append(s)
        else:
            self.out.append(s)

    def _block_break(self) -> None:
        if self.cell is not None:
            self.cell.append(" ")
            return
        self.out.append("\n\n")

    # -- parser callbacks ----------------------------------------------------
    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        if self.drop_depth:
            if tag not in _VOID:
                self.drop_depth += 1
            return
        attrs_d = dict(attrs)
        hidden = attrs_d.get("aria-hidden") == "true" or "display:none" in (attrs_d.get("style") or "").replace(" ", "")
        role = (attrs_d.get("role") or "").lower()
        if tag in _DROP or hidden or role in ("navigation", "banner", "contentinfo", "search"):
            if tag not in _VOID:
                self.drop_depth = 1
            return
        if tag in _VOID:
            if tag == "br":
                self._emit("<br>" if self.cell is not None else "  \n")
            elif tag == "hr":
                self._block_break()
                self._emit("* * *")
                self._block_break()
            return
        self.stack.append(tag)
        if re.fullmatch(r"h[1-6]", tag):
            self._block_break()
            self.heading_level = int(tag[1])
            self._emit("#" * self.heading_level + " ")
        elif tag in _BLOCK:
            self._block_break()
        elif tag in ("ul", "ol"):
            self.lists.append([tag, 0])
            if len(self.lists) == 1:
                self._block_break()
        elif tag == "li":
            indent = "    " * max(0, len(self.lists) - 1)
            if self.lists and self.lists[-1][0] == "ol":
                self.lists[-1][1] += 1
                marker = f"{self.lists[-1][1]}. "
            else:
                marker = "* "
            self._emit("\n" + indent + marker)
        elif tag in ("strong", "b"):
            self._emit("**")
        elif tag in ("em", "i"):
            self._emit("_")
        elif tag == "a":
            self.href.append(attrs_d.get("href"))
            self._emit("[")
        elif tag == "table":
            self._block_break()
            self.table = []
        elif tag == "tr" and self.table is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        tag = tag.lower()
        if self.drop_depth:
            if tag not in _VOID:
                self.drop_depth -= 1
            return
        if tag in _VOID:
            return
        # Close up to the matching tag (tolerates unclosed <p>, <li> ...).
        if tag not in self.stack:
            return
        while self.stack:
            t = self.stack.pop()
            self._close(t)
            if t == tag:
                break

    def _close(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self.heading_level = 0
            self._block_break()
        elif tag in _BLOCK:
            self._block_break()
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            if not self.lists:
                self._block_break()
        elif tag in ("strong", "b"):
            self._emit("**")
        elif tag in ("em", "i"):
            self._emit("_")
        elif tag == "a":
            href = self.href.pop() if self.href else None
            if href and not href.startswith(("javascript:", "#")):
                self._emit(f"]({href})")
            else:
                self._emit("]()")
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            text = re.sub(r"\s+", " ", "".join(self.cell)).strip().replace("|", "\\|")
            self.row.append(text)
            self.cell = None
        elif tag == "tr" and self.row is not None and self.table is not None:
            self.table.append(self.row)
            self.row = None
        elif tag == "table" and self.table is not None:
            rows, self.table = self.table, None
            if rows:
                width = max(len(r) for r in rows)
                rows = [r + [""] * (width - len(r)) for r in rows]
                lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
                lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
                self.out.append("\n\n" + "\n".join(lines) + "\n\n")

    def handle_data(self, data):
        if self.drop_depth:
            return
        if "pre" in self.stack:
            self._emit(data)
            return
        text = re.sub(r"\s+", " ", data)
        self._emit(text)

    def result(self) -> str:
        while self.stack:
            self._close(self.stack.pop())
        text = "".join(self.out)
        text = re.sub(r"\[\s*\]\(\)", "", text)  # empty anchors
        text = re.sub(r"\[([^\]]*)\]\(\)", r"\1", text)  # links without target: keep text
        text = re.sub(r"\*\*\s*\*\*|__(?=\s)", "", text)
        text = re.sub(r"[ \t]+\n", lambda m: "  \n" if m.group(0).startswith("  ") else "\n", text)
        # Inline whitespace from the source indentation is noise, except list nesting.
        text = "\n".join(
            line if re.match(r"\s*(?:[*]|\d+\.) ", line) else line.lstrip()
            for line in text.split("\n")
        )
        text = re.sub(r"\n{3,}", "\n\n", text)
        return text.strip() + "\n"


def html_to_markdown(raw: str) -> str:
    """HTML -> markdown-ish text: headings, paragraphs, lists, emphasis, links, tables."""
    writer = _MarkdownWriter()
    writer.feed(raw)
    writer.close()
    out = writer.result()
    # Lines that are only spaces after a list item break become blank.
    out = "\n".join(line.rstrip() if not line.endswith("  ") else line for line in out.split("\n"))
    return html.unescape(out) if "&" in out else out
