"""Turns clauses into what templates show: sanitized HTML, heading levels, links.

Rendering markdown is the costly part of a document page, and a published version never
changes, so each version's rendering is cached under its primary key.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from documents.crossrefs import ClauseIndex, Target, link_references
from documents.ingest.references import find_cross_references
from documents.models import Clause, DocumentVersion
from documents.rendering import render_markdown


@dataclass(frozen=True)
class ClauseView:
    clause: Clause
    html: SafeString
    heading_level: int  # h2 for top-level clauses, down to h6

    @property
    def title(self) -> str:
        """For the table of contents: an untitled item is named by its first words."""
        heading = self.clause.heading or " ".join(self.clause.text.split()[:8])
        return " ".join(p for p in (self.clause.number, heading) if p)


def _clause_index(clauses: list[Clause]) -> ClauseIndex:
    return ClauseIndex([Target(number=c.number, heading=c.heading, anchor=c.anchor) for c in clauses])


def _render(clause: Clause, index: ClauseIndex, base_url: str = "") -> str:
    """Markdown with its cross-references linked, rendered, then sanitized."""
    body = clause.body
    references = find_cross_references(body)
    if references:
        body = link_references(body, references, index, base_url=base_url)
    return render_markdown(body)


def clause_html(clause: Clause) -> SafeString:
    """One clause on a page of its own: references link into its version's page."""
    key = f"clause-html:{clause.pk}"
    html = cache.get(key)
    if html is None:
        siblings = list(clause.version.clauses.only("number", "heading", "anchor"))
        html = _render(clause, _clause_index(siblings), base_url=clause.version.get_absolute_url())
        cache.set(key, html, timeout=None)
    return mark_safe(html)  # noqa: S308 - sanitized by nh3 in render_markdown


def clauses_for_display(version: DocumentVersion, clauses: list[Clause]) -> list[ClauseView]:
    key = f"version-html:{version.pk}"
    rendered = cache.get(key)
    if rendered is None or len(rendered) != len(clauses):
        index = _clause_index(clauses)
        rendered = [_render(c, index) for c in clauses]
        cache.set(key, rendered, timeout=None)
    return [
        ClauseView(clause=c, html=mark_safe(html), heading_level=min(2 + c.depth, 6))  # noqa: S308
        for c, html in zip(clauses, rendered)
    ]


def description(clause: Clause, limit: int = 200) -> str:
    """The start of a clause's text, for link previews in ticket tools."""
    text = " ".join(clause.text.split())
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return text
