"""Plain data that the ingest pipeline returns. No Django here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ParsedClause:
    """One clause as split from a document.

    ``number`` is the number as the document prints it ("6.4", "(a)", "IV"), or ""
    when it has none; ``heading`` is plain text ("" when the clause has none);
    ``body`` is markdown without the heading; ``text`` is the plain text of the body
    (what search and alignment read). ``parent`` is the index of the enclosing clause
    in the same list, or None. ``anchor`` is unique within the document.

    Reading order, as legislative markup has it (Akoma Ntoso's intro / wrapUp): the
    clause's ``body`` is its lead-in (the words before its sub-clauses), then come its
    sub-clauses, then ``closing`` (markdown, the words after them: "We may terminate …"
    after a list of prohibitions). ``text`` is the plain text of both, in that order
    less the sub-clauses, so search and alignment read all of the clause's own words.
    ``citation`` is the full path as the document writes it ("D.8", "1.7(g)",
    "Schedule 2, 3.1"), unique within the document; an item without number or heading
    is named by its path and first words.
    """

    number: str
    heading: str
    body: str
    text: str
    depth: int
    parent: int | None
    anchor: str
    citation: str = ""
    closing: str = ""


@dataclass(frozen=True)
class ParsedDocument:
    title: str
    source_format: str  # "text", "markdown" or "html"
    normalized_text: str  # the cleaned document as markdown
    effective_date: dt.date | None
    clauses: list[ParsedClause] = field(default_factory=list)
    # The title the document gives itself ("Cloudflare Self-Serve Subscription
    # Agreement"), "" when it names no instrument; ``title`` is the page's first heading.
    official_title: str = ""


def reading_sequence(parents: list[int | None]) -> list[tuple[str, int]]:
    """The order a reader meets a clause list: ("open", i) shows clause i's number,
    heading and lead-in; ("close", i) its closing, after the last of its sub-clauses.

    ``parents`` are the clauses' parent indices, in list (document) order.
    """
    out: list[tuple[str, int]] = []
    stack: list[int] = []
    for i, parent in enumerate(parents):
        while stack and stack[-1] != parent:
            out.append(("close", stack.pop()))
        out.append(("open", i))
        stack.append(i)
    while stack:
        out.append(("close", stack.pop()))
    return out
