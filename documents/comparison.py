"""Resolves two clause lists into display rows: the aligner pairs them, the differ marks
the words. Used by the compare page, its JSON, clause banners and upload previews.

Works on saved clauses and on parsed, not-yet-saved ones alike (the aligner only reads
``number``, ``heading`` and ``text``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape
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
    old_title_html: SafeString = field(default=mark_safe(""))
    new_title_html: SafeString = field(default=mark_safe(""))

    @property
    def is_change(self) -> bool:
        return self.status != "unchanged"


@dataclass(frozen=True)
class Comparison:
    rows: list[CompareRow]
    summary: dict[str, int]
    cross_document: bool


def _title(clause) -> str:
    if clause is None:
        return ""
    return " ".join(p for p in (clause.number, clause.heading) if p)


def _pair_html(old: str | None, new: str | None) -> tuple[str, str]:
    """Both sides as HTML: word-marked where they differ, plainly escaped otherwise."""
    if old is not None and new is not None and old != new:
        return diff.render_diff_html(old, new)
    return (escape(old) if old is not None else "", escape(new) if new is not None else "")


def compare_clauses(old: list, new: list, *, cross_document: bool = False) -> Comparison:
    rows = []
    aligned = align.align(old, new, cross_document=cross_document)
    for row in aligned:
        a = old[row.old_index] if row.old_index is not None else None
        b = new[row.new_index] if row.new_index is not None else None
        old_html, new_html = _pair_html(a.text if a else None, b.text if b else None)
        old_title, new_title = _pair_html(_title(a) if a else None, _title(b) if b else None)
        rows.append(
            CompareRow(
                status=row.status, old=a, new=b, similarity=row.similarity,
                changed=row.changed, moved=row.moved, renumbered=row.renumbered,
                # Safe: every piece of document text above went through escape().
                old_html=mark_safe(old_html), new_html=mark_safe(new_html),  # noqa: S308
                old_title_html=mark_safe(old_title), new_title_html=mark_safe(new_title),  # noqa: S308
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
