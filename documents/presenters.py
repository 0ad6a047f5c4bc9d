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
from documents.ingest.references import find_cross_references
from documents.models import Clause, DocumentVersion
from documents.rendering import render_markdown


@dataclass(frozen=True)
class ClauseView:
    clause: Clause
    html: SafeString
    heading_level: int  # h2 for top-level clauses, down to h6, never skipping a level

    @property
    def title(self) -> str:
        """For the table of contents: an untitled item is named by its first words."""
        heading = self.clause.heading or " ".join(self.clause.text.split()[:8])
        return " ".join(p for p in (self.clause.number, heading) if p)

    @property
    def label(self) -> str:
        return clause_label(self.clause)


def clause_label(clause: Clause) -> str:
    """How a link names a clause: "§ 4.2", else its heading, else its first words."""
    if clause.number:
        return f"§ {clause.number}"
    text = clause.heading or " ".join(clause.text.split()[:6]) or clause.anchor
    return f"“{text[:60]}”"


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


def _render(clause: Clause, index: ClauseIndex, base_url: str = "", terms=None) -> str:
    """Markdown with its cross-references linked, rendered, defined terms linked, then sanitized."""
    body = clause.body
    references = find_cross_references(body)
    if references:
        body = link_references(body, references, index, base_url=base_url)
    return render_markdown(body, postprocess=terms)


def clause_html(clause: Clause) -> SafeString:
    """One clause on a page of its own: references and terms link into its version's page."""
    key = f"clause-html:{clause.pk}"
    html = cache.get(key)
    if html is None:
        version = clause.version
        siblings = list(version.clauses.only("number", "heading", "anchor", "text", "position").order_by("position"))
        base_url = version.get_absolute_url()
        linker = _term_linker(version_definitions(version, siblings), base_url)
        position = next((i for i, c in enumerate(siblings) if c.pk == clause.pk), -1)
        html = _render(clause, _clause_index(siblings), base_url=base_url, terms=linker(position))
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
    key = f"version-html:{version.pk}"
    rendered = cache.get(key)
    if rendered is None or len(rendered) != len(clauses):
        index = _clause_index(clauses)
        linker = _term_linker(version_definitions(version, clauses), "")
        rendered = [_render(c, index, terms=linker(i)) for i, c in enumerate(clauses)]
        cache.set(key, rendered, timeout=None)
    levels = heading_levels([c.depth if (c.heading or c.number) else None for c in clauses])
    return [
        ClauseView(clause=c, html=mark_safe(html), heading_level=level)  # noqa: S308
        for c, html, level in zip(clauses, rendered, levels)
    ]


def description(clause: Clause, limit: int = 200) -> str:
    """The start of a clause's text, for link previews in ticket tools."""
    text = " ".join(clause.text.split())
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return text
