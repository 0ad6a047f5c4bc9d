"""Resolves two clause lists into display rows: the aligner pairs them, the differ marks
the words. Used by the compare page, its JSON, clause banners and upload previews.

Works on saved clauses and on parsed, not-yet-saved ones alike (the aligner only reads
``number``, ``heading`` and ``text``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from documents import align, diff


@dataclass(frozen=True)
class CompareRow:
    status: str
    old: Any | None
    new: Any | None
    similarity: float
    changed: bool
    moved: bool
    renumbered: bool
    old_html: SafeString = field(default=mark_safe(""))
    new_html: SafeString = field(default=mark_safe(""))

    @property
    def is_change(self) -> bool:
        return self.status != "unchanged"

    @property
    def old_title(self) -> str:
        return _title(self.old)

    @property
    def new_title(self) -> str:
        return _title(self.new)


@dataclass(frozen=True)
class Comparison:
    rows: list[CompareRow]
    summary: dict[str, int]
    cross_document: bool


def _title(clause) -> str:
    if clause is None:
        return ""
    return " ".join(p for p in (clause.number, clause.heading) if p)


def _escape(text: str) -> str:
    # The differ escapes every token; an unpaired side goes through the same path with
    # an empty partner so there is exactly one escaping routine.
    return diff.render_diff_html(text, text)[0]


def compare_clauses(old: list, new: list, *, cross_document: bool = False) -> Comparison:
    rows = []
    aligned = align.align(old, new, cross_document=cross_document)
    for row in aligned:
        a = old[row.old_index] if row.old_index is not None else None
        b = new[row.new_index] if row.new_index is not None else None
        if a is not None and b is not None:
            if row.changed:
                old_html, new_html = diff.render_diff_html(a.text, b.text)
            else:
                old_html = new_html = _escape(b.text)
        else:
            old_html = _escape(a.text) if a is not None else ""
            new_html = _escape(b.text) if b is not None else ""
        rows.append(
            CompareRow(
                status=row.status, old=a, new=b, similarity=row.similarity,
                changed=row.changed, moved=row.moved, renumbered=row.renumbered,
                old_html=mark_safe(old_html), new_html=mark_safe(new_html),  # noqa: S308 - escaped by diff
            )
        )
    return Comparison(rows=rows, summary=align.summary(aligned), cross_document=cross_document)


def compare_versions(old, new) -> Comparison:
    """Compare two saved versions; two different documents are aligned by subject."""
    from documents import selectors

    return compare_clauses(
        selectors.version_clauses(old),
        selectors.version_clauses(new),
        cross_document=old.document_id != new.document_id,
    )
