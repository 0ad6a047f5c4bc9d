"""Large tables -> one clause per row.

A cookie list, a table of processing purposes or of sub-processors is a run of
entries that a reader cites one at a time ("the `_ga` cookie", "the purpose
'fraud prevention'") and that search should find one at a time. Held in a single
clause, such a table is often most of the document. So a large table becomes one
clause per row, under the clause that held it; each row clause is a one-row table
under the table's own header row, so a row read alone (a permalink, a search hit)
still shows which column is which. A small table (a fee schedule, a two-line
contact table) is read and cited as a whole and stays in its clause.

Large means both:

* at least ``MIN_ROWS`` data rows: a table of one row is a layout box, not a list
  of entries (and has nothing to split);
* at least ``MIN_CHARS`` characters of text, about 250 words: less is shorter than
  many single clauses, read at a glance and cited whole. The threshold is absolute,
  not a share of the document, so the same table is split the same way in every
  version of a document whatever the rest of it does (a share would flip as the
  document grows and shrinks, and re-key every row).

Each row clause is named by its first cell (the row's own label: the cookie name,
the category of data), shortened when long; its anchor is that name's slug under
the parent's anchor ("cookies-ga"), so a row inserted or removed elsewhere in the
table leaves the other rows' anchors alone. Text of the clause after the table
becomes an unheaded continuation clause ("cookies-text"), so reading order is kept.

Pure: takes and returns :class:`ParsedClause` lists, nothing from Django.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .anchors import dedupe, slugify
from .model import ParsedClause
from .plain import strip_inline, to_plain, words

MIN_ROWS = 2
MIN_CHARS = 1500
_HEADING_WORDS = 12  # a first cell longer than this is shortened to name the row
_MAX_ANCHOR = 110  # the anchor column holds 120; room for a "-NN" de-duplication suffix

_DELIMITER_CELL_RE = re.compile(r"^\s*:?-{1,}:?\s*$")
_BR_RE = re.compile(r"<br\s*/?>", re.I)
_PAIRED_EMPH_RE = re.compile(r"(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1")
_LEAD_MARKS_RE = re.compile(r"^(?:#{1,6}\s+|[*+\-•]\s+)+")


def _is_table_line(line: str) -> bool:
    return line.lstrip(" ").startswith("|") and len(line) - len(line.lstrip(" ")) <= 3


def _cells(line: str) -> list[str]:
    """The cells of a table row; pipes escaped as ``\\|`` stay inside their cell."""
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", s)]


def _is_delimiter(line: str) -> bool:
    cells = _cells(line)
    return bool(cells) and all(_DELIMITER_CELL_RE.match(c) for c in cells)


def _plain_name(piece: str) -> str:
    first = _LEAD_MARKS_RE.sub("", piece.strip())
    # Emphasis goes in pairs ("**Debugging**"); an escaped or unpaired mark is the
    # name's own character ("\\_ga", "_ga" are the cookie "_ga").
    first = _PAIRED_EMPH_RE.sub(r"\2", first.replace("\\_", "\x00").replace("\\*", "\x01"))
    first = _PAIRED_EMPH_RE.sub(r"\2", first).replace("_", "\x00").replace("*", "\x01")
    return " ".join(strip_inline(first).split()).replace("\x00", "_").replace("\x01", "*").strip(" :;,")


def _row_name(cells: list[str], header: list[str]) -> str:
    """A row's own label: the first line of its first non-empty cell, as plain text.

    A table laid out for phones repeats its column's label in every cell
    ("Name<br><br>cookieConsent"): the label is not the row's name, the line after it is.
    """
    labels = [_plain_name(h).casefold() for h in header]
    for k, cell in enumerate(cells):
        pieces = [p for p in (_plain_name(x) for x in _BR_RE.split(cell)) if words(p)]
        if pieces and k < len(labels) and pieces[0].casefold() == labels[k]:
            pieces = pieces[1:]
        if pieces:
            name = pieces[0]
            ws = name.split()
            return name if len(words(name)) <= _HEADING_WORDS else " ".join(ws[:10]) + " …"
    return ""


def _large(rows: list[str]) -> bool:
    return len(rows) >= MIN_ROWS and len(to_plain("\n".join(rows))) >= MIN_CHARS


def _segments(body: str) -> list[tuple[str, object]] | None:
    """The body cut at its large tables: ("text", markdown) and ("table", (header
    lines, row lines)) in order, or None when it holds no large table."""
    lines = body.split("\n")
    out: list[tuple[str, object]] = []
    text: list[str] = []
    found = False
    i = 0
    while i < len(lines):
        if not _is_table_line(lines[i]):
            text.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and _is_table_line(lines[j]):
            j += 1
        table = lines[i:j]
        split = None
        if len(table) >= 3 and _is_delimiter(table[1]):
            header, rows = table[:2], table[2:]
            if not any(_cells(header[0])) and rows:
                # An empty header row (an HTML table without <th>): the first row is the
                # header a reader sees.
                header, rows = [rows[0], header[1]], rows[1:]
            if _large(rows):
                split = (header, rows)
        if split is None:
            text.extend(table)
        else:
            found = True
            out.append(("text", "\n".join(text).strip("\n")))
            text = []
            out.append(("table", split))
        i = j
    out.append(("text", "\n".join(text).strip("\n")))
    return out if found else None


def split_tables(clauses: list[ParsedClause], used: set[str]) -> list[ParsedClause]:
    """``clauses`` with each large table made a run of row clauses (see the module).

    ``used`` holds the anchors already given; new anchors are added to it.
    """
    if not any("|" in c.body for c in clauses):
        return clauses
    out: list[ParsedClause] = []
    new_index: list[int] = []  # old clause index -> its index in ``out``
    for clause in clauses:
        parent = new_index[clause.parent] if clause.parent is not None else None
        segments = _segments(clause.body) if "|" in clause.body else None
        new_index.append(len(out))
        if segments is None:
            out.append(replace(clause, parent=parent))
            continue
        here = len(out)
        first = segments[0][1]
        own = "\n\n".join(p for p in (first, clause.closing) if p.strip())
        out.append(replace(clause, body=first, text=to_plain(own), parent=parent))
        for kind, value in segments[1:]:
            if kind == "text":
                if value.strip():
                    out.append(_clause(clause, here, "", value, dedupe(_cap(f"{clause.anchor}-text"), used)))
                continue
            header, rows = value
            for row in rows:
                name = _row_name(_cells(row), _cells(header[0]))
                slug = slugify(name.rstrip(" …"), max_len=40) or "row"
                body = "\n".join([*header, row])
                out.append(_clause(clause, here, name, body, dedupe(_cap(f"{clause.anchor}-{slug}"), used)))
    return out


def _cap(anchor: str) -> str:
    return anchor if len(anchor) <= _MAX_ANCHOR else anchor[:_MAX_ANCHOR].rstrip("-")


def _clause(owner: ParsedClause, parent: int, heading: str, body: str, anchor: str) -> ParsedClause:
    return ParsedClause(
        number="", heading=heading, body=body, text=to_plain(body), depth=owner.depth + 1, parent=parent,
        anchor=anchor,
    )
