"""Pure text -> structure: format detection, cleaning, clause splitting.

The public entry point is :func:`parse_document`::

    parse_document(raw, filename="terms.md") -> ParsedDocument

Pipeline: detect the format (HTML is converted to markdown), normalise unicode,
strip web-page clutter, repair broken emphasis, rebuild flattened outlines, drop the
second copy of a page captured twice, split into a clause tree, and give each clause
a unique anchor. Cross-references are found separately with
:func:`find_cross_references`.
"""

from __future__ import annotations

import datetime as dt
import re

from .anchors import base_anchor, dedupe, number_token, slugify
from .citations import with_citations
from .clean import clean_lines, normalize_unicode
from .dates import find_effective_date, revision_history_date
from .flattened import reconstruct
from .formats import detect_format, html_to_markdown
from .model import ParsedClause, ParsedDocument
from .numbering import is_prefix
from .plain import to_plain
from .references import CrossReference, find_cross_references
from .repeats import drop_repeated_copy
from .split import split_blocks
from .tables import split_tables
from .titles import find_official_title

__all__ = [
    "CrossReference",
    "ParsedClause",
    "ParsedDocument",
    "find_cross_references",
    "parse_document",
]


def parse_document(
    raw: str, *, filename: str = "", format_hint: str | None = None, recorded_date: dt.date | None = None
) -> ParsedDocument:
    """Parse a legal document (text, markdown or HTML) into clauses.

    ``recorded_date``, the day the text was recorded, settles date statements that read
    two ways (09/05/2021): the text cannot state a date after it was recorded in a
    format that also reads as one before.
    """
    source_format = detect_format(raw, filename, format_hint)
    text = html_to_markdown(raw) if source_format == "html" else raw
    text = normalize_unicode(text)
    lines = clean_lines(text)
    lines = reconstruct(lines)
    lines = drop_repeated_copy(lines)  # a page captured twice
    normalized = "\n".join(lines).strip("\n") + "\n"
    # The date statement may sit in a line the clutter filter removed (a "Last updated"
    # bullet next to the navigation), so fall back to the uncleaned text.
    effective = find_effective_date(normalized, not_after=recorded_date) or find_effective_date(
        text, not_after=recorded_date
    )
    # A revision history's latest entry is when this text last changed: later than a
    # statement of the original date ("shall take effect on June 1, 2008").
    revised = revision_history_date(normalized, not_after=recorded_date)
    if revised is not None and (effective is None or revised > effective):
        effective = revised

    result = split_blocks(lines)
    clauses: list[ParsedClause] = []
    used: set[str] = set()
    offset = 0
    if not result.nodes and len(paragraphs := _paragraphs(result.preamble)) > 1:
        # No headings at all: a run of paragraphs (an extract of a longer agreement, a
        # short notice). Each paragraph becomes a clause so it can still be cited and
        # compared on its own; they are numbered by position, as ¶1, ¶2 ...
        for n, body in enumerate(paragraphs, 1):
            used.add(f"p{n}")
            clauses.append(
                ParsedClause(number="", heading="", body=body, text=to_plain(body), depth=0, parent=None,
                             anchor=f"p{n}")
            )
    elif result.preamble.strip():
        used.add("preamble")
        clauses.append(
            ParsedClause(
                number="", heading="", body=result.preamble.strip(), text=to_plain(result.preamble),
                depth=0, parent=None, anchor="preamble",
            )
        )
        offset = 1
    depths: list[int] = []
    anchors: list[str] = []
    for node in result.nodes:
        parent = node.parent
        depth = depths[parent] + 1 if parent is not None else 0
        parent_node = result.nodes[parent] if parent is not None else None
        # Decimal numbers are complete ids when multi-level ("4.2"), at the top, or on a
        # heading under an unnumbered heading; list items restarting at "1." inside a
        # clause are relative to it ("s3-1").
        absolute = parent is None or bool(
            node.enum
            and (
                (node.enum.is_dec and len(node.enum.tokens) > 1)
                or (node.source == "H" and parent_node.enum is None)
                or (node.enum.is_dec and node.source == "H" and parent_node.source == "H" and parent_node.enum.is_dec)
            )
        )
        if node.source == "T" and parent_node is not None and parent_node.number and slugify(node.heading):
            # A lead-in sub-clause of a numbered clause: "s2-restrictions".
            base = f"{anchors[parent]}-{slugify(node.heading)}"
        else:
            base = base_anchor(node.number, node.heading, parent_anchor=anchors[parent] if parent is not None else None,
                               absolute=absolute)
        if node.number and parent is not None and absolute:
            # A number that restarts inside a part ("1." under "Appendix 2") is read
            # relative to it rather than as a repeat of the main text's "1"; so are the
            # sub-clauses ("2.1") of a clause whose own anchor had to be relative.
            tokens = number_token(node.number)
            extends = bool(
                parent_node.enum and node.enum and parent_node.enum.is_dec and node.enum.is_dec
                and is_prefix(parent_node.enum.tokens, node.enum.tokens)
            )
            if extends:
                tokens = "-".join(node.enum.tokens[len(parent_node.enum.tokens):])
            relative = f"{anchors[parent]}-{tokens}"
            parent_relative = not anchors[parent].startswith("s" + number_token(parent_node.number))
            if (base in used or (extends and parent_relative)) and relative not in used:
                base = relative
        anchor = dedupe(base, used)
        depths.append(depth)
        anchors.append(anchor)
        body = "\n\n".join(part.strip("\n") for part in node.body if part.strip()).strip()
        closing = "\n\n".join(part.strip("\n") for part in node.closing if part.strip()).strip()
        clauses.append(
            ParsedClause(
                number=node.number,
                heading=node.heading,
                body=body,
                text=to_plain(f"{body}\n\n{closing}" if closing else body),
                depth=depth,
                parent=(parent + offset) if parent is not None else None,
                anchor=anchor,
                # The numbering word the document prints ("Article 7", "Part II") is part
                # of how it is cited; with_citations builds the full path from it.
                citation=f"{node.enum.word} {node.number}" if node.enum and node.enum.word else "",
                closing=closing,
            )
        )
    clauses = split_tables(clauses, used)  # a large table: one clause per row
    clauses = with_citations(clauses)
    return ParsedDocument(
        title=result.title,
        source_format=source_format,
        normalized_text=normalized,
        effective_date=effective,
        clauses=clauses,
        official_title=find_official_title(lines),
    )


_CONTINUATION = re.compile(r"^\s*(?:[-*+•]\s|\d+[.)]\s|\|)")


def _paragraphs(markdown: str) -> list[str]:
    """Blank-line separated paragraphs; a list or table stays with the paragraph before it."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        block = block.strip("\n")
        if not block.strip():
            continue
        if out and _CONTINUATION.match(block):
            out[-1] += "\n\n" + block
        else:
            out.append(block)
    return out
