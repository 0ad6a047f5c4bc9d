"""Turns clauses into what templates show: sanitized HTML, heading levels, links.

Rendering markdown is the costly part of a document page, and a published version never
changes, so each version's rendering is cached under its primary key.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from documents.crossrefs import ClauseIndex, Target, link_references
from documents.ingest.definitions import Definition, find_definitions, link_terms, terms_pattern
from documents.clause_names import clause_label, clause_title
from documents.ingest.model import reading_sequence
from documents.ingest.references import find_cross_references
from documents.models import Clause, DocumentVersion
from documents.rendering import render_markdown


@dataclass(frozen=True)
class Closing:
    """A clause's closing words, shown after its last sub-clause (see ParsedClause)."""

    clause: Clause
    html: SafeString


@dataclass(frozen=True)
class ClauseView:
    clause: Clause
    html: SafeString
    heading_level: int  # h2 for top-level clauses, down to h6, never skipping a level
    # Closings of this clause and of the clauses it ends, innermost first: they follow it.
    closings: tuple[Closing, ...] = ()

    @property
    def title(self) -> str:
        """For the table of contents: the full citation and heading ("1.8(i) use the
        service …"); an untitled item is named by its first words."""
        return clause_title(self.clause)

    @property
    def label(self) -> str:
        return clause_label(self.clause)


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    definition: str
    anchor: str
    clause_label: str


def version_definitions(version: DocumentVersion, clauses: list[Clause]) -> list[Definition]:
    """The terms the version defines (cached: a published version never changes)."""
    key = f"definitions:{version.pk}"
    found = cache.get(key)
    if found is None:
        found = find_definitions([(c.anchor, c.text) for c in clauses])
        cache.set(key, found, timeout=None)
    return found


def version_glossary(version: DocumentVersion, clauses: list[Clause]) -> list[GlossaryEntry]:
    by_anchor = {c.anchor: c for c in clauses}
    return sorted(
        (
            GlossaryEntry(term=d.term, definition=d.text, anchor=d.anchor,
                          clause_label=clause_label(by_anchor[d.anchor]) if d.anchor in by_anchor else d.anchor)
            for d in version_definitions(version, clauses)
        ),
        key=lambda e: e.term.casefold(),
    )


def _term_linker(definitions: list[Definition], base_url: str):
    """For the clause at a position: a function adding links to the terms it may use."""
    pattern = terms_pattern(d.term for d in definitions)

    def for_position(position: int):
        links = {d.term: (f"{base_url}#{d.anchor}", d.text) for d in definitions if d.applies_to(position)}
        return partial(link_terms, links=links, pattern=pattern) if links else None

    return for_position


def _clause_index(clauses: list[Clause]) -> ClauseIndex:
    return ClauseIndex([Target(number=c.number, heading=c.heading, anchor=c.anchor) for c in clauses])


def _render(clause: Clause, index: ClauseIndex, base_url: str = "", terms=None, markdown: str | None = None) -> str:
    """Markdown (the clause's body, or ``markdown``: its closing) with its cross-references
    linked, rendered, defined terms linked, then sanitized."""
    body = clause.body if markdown is None else markdown
    references = find_cross_references(body)
    if references:
        body = link_references(body, references, index, base_url=base_url)
    return render_markdown(body, postprocess=terms)


def clause_html(clause: Clause) -> SafeString:
    """One clause on a page of its own: references and terms link into its version's page."""
    key = f"clause-html2:{clause.pk}"  # body and closing
    html = cache.get(key)
    if html is None:
        version = clause.version
        siblings = list(version.clauses.only("number", "heading", "anchor", "text", "position").order_by("position"))
        base_url = version.get_absolute_url()
        linker = _term_linker(version_definitions(version, siblings), base_url)
        position = next((i for i, c in enumerate(siblings) if c.pk == clause.pk), -1)
        index = _clause_index(siblings)
        html = _render(clause, index, base_url=base_url, terms=linker(position))
        if closing := getattr(clause, "closing", ""):
            # The words after its sub-clauses, after them as on the version page.
            html += ('<div class="clause-closing">'
                     + _render(clause, index, base_url=base_url, terms=linker(position), markdown=closing) + "</div>")
        cache.set(key, html, timeout=None)
    return mark_safe(html)  # noqa: S308 - sanitized by nh3 in render_markdown


def heading_levels(depths: list[int | None]) -> list[int]:
    """h2 for top-level clauses and one level deeper per nesting level, but never more
    than one below the enclosing heading (a sub-clause of an untitled clause would skip
    one); siblings share a level. ``None`` stands for a clause shown without a heading:
    it takes no level of its own."""
    levels: list[int] = []
    stack: list[tuple[int, int]] = []  # (depth, level) of the headings enclosing the next one
    for depth in depths:
        if depth is None:
            levels.append(min((stack[-1][1] + 1) if stack else 2, 6))
            continue
        while stack and stack[-1][0] >= depth:
            stack.pop()
        level = min((stack[-1][1] + 1) if stack else 2, 6)
        stack.append((depth, level))
        levels.append(level)
    return levels


def clauses_for_display(version: DocumentVersion, clauses: list[Clause]) -> list[ClauseView]:
    key = f"version-html2:{version.pk}"  # (body, closing) pairs
    rendered = cache.get(key)
    if rendered is None or len(rendered) != len(clauses):
        index = _clause_index(clauses)
        linker = _term_linker(version_definitions(version, clauses), "")
        rendered = [
            (_render(c, index, terms=linker(i)),
             _render(c, index, terms=linker(i), markdown=closing) if (closing := getattr(c, "closing", "")) else "")
            for i, c in enumerate(clauses)
        ]
        cache.set(key, rendered, timeout=None)
    levels = heading_levels([c.depth if (c.heading or c.number) else None for c in clauses])
    # A closing follows the clause's last sub-clause: after clause i come the closings
    # of the clauses that end there (reading_sequence gives the order).
    position = {c.pk: i for i, c in enumerate(clauses)}
    parents = [position.get(c.parent_id) for c in clauses]
    after: dict[int, list[Closing]] = {}
    last_open = -1
    for what, i in reading_sequence(parents):
        if what == "open":
            last_open = i
        elif rendered[i][1]:
            after.setdefault(last_open, []).append(Closing(clauses[i], mark_safe(rendered[i][1])))  # noqa: S308
    return [
        ClauseView(clause=c, html=mark_safe(html), heading_level=level, closings=tuple(after.get(i, ())))  # noqa: S308
        for i, (c, (html, _closing), level) in enumerate(zip(clauses, rendered, levels))
    ]


def description(clause: Clause, limit: int = 200) -> str:
    """The start of a clause's text, for link previews in ticket tools."""
    text = " ".join(clause.text.split())
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return text
