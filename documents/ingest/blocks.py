"""A small line-based markdown block scanner.

Not CommonMark: legal pages captured as markdown are sloppy (lists indented by two
spaces, NBSP indentation, enumerated paragraphs without blank lines), so the scanner
is deliberately forgiving. It yields blocks in document order; which blocks start
clauses is decided in :mod:`split`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ATX_RE = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$|^ {0,3}(#{1,6})$")
_SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_HR_RE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_TABLE_RE = re.compile(r"^\s*\|")
_BULLET_RE = re.compile(r"^(\s*)([*+\-])(\s+)(\S.*)?$")
_ORDERED_RE = re.compile(r"^(\s*)(\d{1,3})([.)])(\s+)(\S.*)?$")
# Lines starting an enumerated paragraph always start a new block, even without a
# blank line before them (plain-text captures put "(a)" items on consecutive lines).
_ENUM_START_RE = re.compile(
    r"^\s*(?:(?:\*\*|__)\s*)?(?:\d{1,3}(?:\\?\.\d{1,3})+\\?\.?\s|\d{1,3}\\[.)]\s|\([a-zA-Z0-9]{1,5}\)\s|[a-zA-Z]{1,4}\)\s|[A-Z]\.\s|[IVX]{1,5}\.\s)"
)


@dataclass
class Block:
    kind: str  # "heading", "para", "item", "table", "hr", "blank"
    lines: list[str]
    indent: int = 0
    level: int = 0  # heading level (setext "=" 1, "-" 2)
    marker: str = ""  # list marker: "*", "-", "+", "1.", "2)"
    text: str = ""  # heading text / item content (first line without marker) / para text
    content_col: int = 0  # list item: column where the content starts
    extra: dict = field(default_factory=dict)

    @property
    def ordered(self) -> bool:
        return self.kind == "item" and self.marker[:1].isdigit()


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _starts_block(line: str, prev: str | None) -> bool:
    if not line.strip():
        return True
    if _ATX_RE.match(line) or _TABLE_RE.match(line) or _HR_RE.match(line):
        return True
    if _BULLET_RE.match(line) and _BULLET_RE.match(line).group(4):
        return True
    if _ORDERED_RE.match(line) and _ORDERED_RE.match(line).group(5):
        return True
    if _ENUM_START_RE.match(line):
        return True
    # Bold-only line after a non-bold one: a heading glued to the paragraph above.
    return False


# The last lines scanned and their blocks: the pipeline scans the same lines twice (for a
# repeated copy, then to split them), and blocks are never changed once made.
_last: tuple[tuple[str, ...], list[Block]] | None = None


def scan(lines: list[str]) -> list[Block]:
    global _last
    key = tuple(lines)
    last = _last
    if last is not None and last[0] == key:
        return list(last[1])
    blocks = _scan(lines)
    _last = (key, blocks)
    return list(blocks)


def _scan(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    i, n = 0, len(lines)
    # Content columns of the list items the scanner is in, outermost first: a heading
    # inside an item ("*   What?" then "    ### **Personal data**") is indented to the
    # item's content column, which is its left margin, as in CommonMark.
    item_cols: list[int] = []
    while i < n:
        line = lines[i]
        if not line.strip():
            blocks.append(Block("blank", [line]))
            i += 1
            continue
        ind = _indent(line)
        while item_cols and ind < item_cols[-1]:
            item_cols.pop()
        margin = item_cols[-1] if item_cols else 0
        m = _ATX_RE.match(line[margin:])
        if m:
            level = len(m.group(1) or m.group(3))
            blocks.append(Block("heading", [line], ind, level=level, text=(m.group(2) or "").strip()))
            i += 1
            continue
        # Setext: one paragraph line underlined with === or --- (a "---" after a blank
        # line is a rule, handled below).
        nxt = lines[i + 1] if i + 1 < n else ""
        nxt = nxt[margin:] if margin and _indent(nxt) >= margin else nxt
        if i + 1 < n and _SETEXT_RE.match(nxt) and not _BULLET_RE.match(line) and not _TABLE_RE.match(line):
            under = lines[i + 1].strip()
            if not (under.startswith("-") and len(under) < 2):
                level = 1 if under.startswith("=") else 2
                blocks.append(Block("heading", [line, lines[i + 1]], ind, level=level, text=line.strip()))
                i += 2
                continue
        if _HR_RE.match(line):
            blocks.append(Block("hr", [line], ind))
            i += 1
            continue
        if _TABLE_RE.match(line):
            j = i
            while j < n and _TABLE_RE.match(lines[j]):
                j += 1
            blocks.append(Block("table", lines[i:j], ind, text="\n".join(lines[i:j])))
            i = j
            continue
        mb = _BULLET_RE.match(line)
        mo = _ORDERED_RE.match(line)
        if (mb and mb.group(4)) or (mo and mo.group(5)):
            if mb and mb.group(4):
                marker, content, col = mb.group(2), mb.group(4), len(mb.group(1)) + 1 + len(mb.group(3))
            else:
                marker = mo.group(2) + mo.group(3)
                content = mo.group(5)
                col = len(mo.group(1)) + len(marker) + len(mo.group(4))
            j = i + 1
            body = [line]
            while j < n and lines[j].strip() and not _starts_block(lines[j], lines[j - 1]):
                body.append(lines[j])
                j += 1
            text = " ".join([content] + [l.strip() for l in body[1:]])
            blocks.append(Block("item", body, ind, marker=marker, text=text, content_col=col))
            item_cols.append(col)
            i = j
            continue
        j = i + 1
        body = [line]
        while j < n and lines[j].strip() and not _starts_block(lines[j], lines[j - 1]):
            if j + 1 < n and _SETEXT_RE.match(lines[j + 1]) and not _HR_RE.match(lines[j + 1]) or (
                j + 1 < n and lines[j + 1].strip().startswith("=") and _SETEXT_RE.match(lines[j + 1])
            ):
                break  # next line is a setext heading's text
            body.append(lines[j])
            j += 1
        blocks.append(Block("para", body, ind, text=" ".join(l.strip() for l in body)))
        i = j
    return blocks
