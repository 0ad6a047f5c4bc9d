"""The shape of an uploaded text, measured in one linear pass before it is parsed, and
the limits a legal document stays far inside.

The parser's cost grows with some shapes faster than with size (a table of 20,000
rows, a list nested 5,000 levels deep, 49,000 headings, a 4 MB line), and a parse
that runs into the time limit answers differently from run to run. So the upload
boundary refuses, at once and always the same way, a text whose shape no legal
document has, with a message that says which limit it passes. The limits are about
ten times what the development corpora's largest documents reach (see ``Limits``),
so they describe how legal documents are written, not one file. ``bench/bench_upload_shapes.py``
prints what each hostile shape costs the parser and what the check answers.

Pure text code: imports nothing from Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# One pass over lines; HTML structure by its tags (regex scan, no parse).
_MD_HEADING = re.compile(r"^ {0,3}#{1,6}(?:\s|$)")
_MD_LIST = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
_MD_QUOTE = re.compile(r"^ {0,3}((?:>\s?)+)")
_TAG = re.compile(r"<(/?)(h[1-6]|tr|td|th|ul|ol|blockquote|table|div|section|dl)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    # The largest values in the 707 documents of the development corpora (seeds, corpus,
    # corpus-wide) are in the comments: the limits leave about ten times that room.
    longest_line: int = 500_000  # characters; largest 49,576 (a minified page is one long line)
    table_rows: int = 2_000  # all tables together; largest 145
    table_columns: int = 100  # cells in one row; largest 7
    headings: int = 2_000  # largest 133
    nesting: int = 100  # list, quote and block levels; largest 5 (web pages nest divs deeper)


@dataclass
class Shape:
    lines: int = 0
    longest_line: int = 0
    table_rows: int = 0
    table_columns: int = 0
    headings: int = 0
    nesting: int = 0


def _tabs(indent: str) -> int:
    return len(indent.expandtabs(4))


def measure(text: str) -> Shape:
    """The shape of ``text`` (Markdown, plain text or HTML alike), in linear time."""
    shape = Shape()
    indents: list[int] = []  # indentation of the open list levels
    for line in text.splitlines():
        shape.lines += 1
        if len(line) > shape.longest_line:
            shape.longest_line = len(line)
        stripped = line.lstrip()
        if stripped.startswith("|"):
            shape.table_rows += 1
            shape.table_columns = max(shape.table_columns, stripped.count("|") - 1)
        elif _MD_HEADING.match(line):
            shape.headings += 1
        item = _MD_LIST.match(line)
        if item:
            width = _tabs(item.group(1))
            while indents and indents[-1] > width:
                indents.pop()
            if not indents or indents[-1] < width:
                indents.append(width)
            shape.nesting = max(shape.nesting, len(indents))
        elif stripped and not line[:1].isspace():
            indents.clear()
        quote = _MD_QUOTE.match(line)
        if quote:
            shape.nesting = max(shape.nesting, quote.group(1).count(">"))
    depth = 0
    cells = 0
    for match in _TAG.finditer(text):
        closing, tag = match.group(1), match.group(2).lower()
        if tag in ("td", "th"):
            if not closing:
                cells += 1
                shape.table_columns = max(shape.table_columns, cells)
        elif tag == "tr":
            if not closing:
                shape.table_rows += 1
            cells = 0
        elif tag[0] == "h" and tag[1:].isdigit():
            if not closing:
                shape.headings += 1
        elif closing:
            depth = max(0, depth - 1)
        else:
            depth += 1
            shape.nesting = max(shape.nesting, depth)
    return shape


_PROBLEMS = [
    ("longest_line", "a line of {value:,} characters; the portal reads lines of at most {limit:,}"),
    ("table_rows", "tables with {value:,} rows in all; the portal reads at most {limit:,}"),
    ("table_columns", "a table row of {value:,} cells; the portal reads at most {limit:,}"),
    ("headings", "{value:,} headings; the portal reads at most {limit:,}"),
    ("nesting", "lists, quotes or blocks nested {value:,} levels deep; the portal reads at most {limit:,}"),
]


def problem(text: str, limits: Limits = Limits()) -> str:
    """"" when ``text`` is within ``limits``, else why not, for the person uploading."""
    shape = measure(text)
    for name, template in _PROBLEMS:
        value, limit = getattr(shape, name), getattr(limits, name)
        if value > limit:
            what = template.format(value=value, limit=limit)
            return (f"This document is too complex to import: it has {what}. Check that it is the "
                    "document's text (not a data export or a generated page); if it is, contact the "
                    "portal's administrators, who can import it from the command line.")
    return ""
