"""Resolves two clause lists into display rows: the aligner pairs them, the differ marks
the words. Used by the compare page, its JSON, clause banners and upload previews.

Works on saved clauses and on parsed, not-yet-saved ones alike (the aligner only reads
``number``, ``heading`` and ``text``).

Each row has a ``kind``, the one word the change list shows:

- ``substantive`` / ``editorial``: a paired clause whose words changed, or only its
  punctuation, quotes, dashes, spacing or case (``diff.change_kind``);
- ``added`` / ``removed`` (``only in B`` / ``only in A`` across two documents);
- ``moved`` / ``renumbered``: the same text at another place or under another number;
- ``unchanged``.

A removed clause whose words went into other clauses carries ``went_to`` (a merge, or
a split when there are several), and an added one built from an old clause's words
carries ``came_from``. Word diffs are computed only for the rows that are rendered
(``Comparison.html_rows``): a page of a long document collapses runs of unchanged
rows and loads them on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from documents import align, diff

#: Across two documents, paired clauses below this similarity are shown side by side
#: without a word diff: marking words between unrelated texts only misleads.
CROSS_DOCUMENT_DIFF_FLOOR = 0.6
#: Runs of more unchanged rows than this are collapsed (context rows stay around them).
COLLAPSE_RUN = 4
CONTEXT_ROWS = 1

KINDS = ("substantive", "editorial", "added", "removed", "moved", "renumbered", "unchanged")


@dataclass
class CompareRow:
    index: int  # position in Comparison.rows; the page's row id is row-<index + 1>
    status: str
    old: Any | None
    new: Any | None
    similarity: float
    changed: bool
    moved: bool
    renumbered: bool
    kind: str
    cross_document: bool = False
    went_to: list = field(default_factory=list)  # new clauses holding a removed clause's words
    came_from: Any | None = None  # the old clause an added clause was split from
    _html: tuple | None = None
    collapsed = False

    @property
    def is_change(self) -> bool:
        return self.status != "unchanged"

    @property
    def row_id(self) -> str:
        return f"row-{self.index + 1}"

    @property
    def label(self) -> str:
        """What the change list and the tag say."""
        if self.cross_document:
            return {"added": "only in B", "removed": "only in A", "substantive": "related",
                    "editorial": "same words"}.get(self.kind, self.kind)
        return self.kind

    @property
    def shows_diff(self) -> bool:
        if not (self.old is not None and self.new is not None and self.changed):
            return False
        return not self.cross_document or self.similarity >= CROSS_DOCUMENT_DIFF_FLOOR

    def _render(self) -> tuple:
        if self._html is None:
            a, b = self.old, self.new
            if self.shows_diff:
                old_html, new_html = diff.render_diff_html(a.text, b.text)
                old_title, new_title = diff.render_diff_html(_title(a), _title(b))
            else:
                old_html, new_html = (escape(a.text) if a else "", escape(b.text) if b else "")
                old_title, new_title = (escape(_title(a)) if a else "", escape(_title(b)) if b else "")
            # Safe: every piece of document text went through escape() (diff escapes too).
            self._html = tuple(mark_safe(h) for h in (old_html, new_html, old_title, new_title))  # noqa: S308
        return self._html

    @property
    def old_html(self) -> SafeString:
        return self._render()[0]

    @property
    def new_html(self) -> SafeString:
        return self._render()[1]

    @property
    def old_title_html(self) -> SafeString:
        return self._render()[2]

    @property
    def new_title_html(self) -> SafeString:
        return self._render()[3]


@dataclass(frozen=True)
class CollapsedRun:
    """A run of unchanged rows the page does not send (loaded on demand)."""

    start: int  # index of the first hidden row
    stop: int  # one past the last

    @property
    def count(self) -> int:
        return self.stop - self.start

    collapsed = True


@dataclass
class Comparison:
    rows: list[CompareRow]
    summary: dict[str, int]
    cross_document: bool

    @cached_property
    def counts(self) -> dict[str, int]:
        """Rows per kind, every kind present (zeros included)."""
        out = {k: 0 for k in KINDS}
        for r in self.rows:
            out[r.kind] += 1
        return out

    @cached_property
    def changes(self) -> list[CompareRow]:
        return [r for r in self.rows if r.kind != "unchanged"]

    def html_rows(self, *, collapse: bool = True) -> list:
        """The rows to render, with long unchanged runs replaced by a CollapsedRun."""
        if not collapse:
            return list(self.rows)
        out: list = []
        run: list[CompareRow] = []

        def flush():
            if len(run) > COLLAPSE_RUN:
                out.extend(run[:CONTEXT_ROWS])
                out.append(CollapsedRun(run[CONTEXT_ROWS].index, run[-CONTEXT_ROWS].index))
                out.extend(run[-CONTEXT_ROWS:])
            else:
                out.extend(run)
            run.clear()

        for r in self.rows:
            if r.kind == "unchanged":
                run.append(r)
            else:
                flush()
                out.append(r)
        flush()
        return out


def _title(clause) -> str:
    if clause is None:
        return ""
    return " ".join(p for p in (clause.number, clause.heading) if p)


def _kind(row: align.AlignedRow, a, b) -> str:
    if row.status in (align.ADDED, align.REMOVED):
        return row.status
    if row.changed:
        kind = diff.change_kind(f"{_title(a)}\n{a.text}", f"{_title(b)}\n{b.text}")
        return kind if kind != "unchanged" else "editorial"  # whitespace only
    if row.moved:
        return "moved"
    if row.renumbered:
        return "renumbered"
    return "unchanged"


def compare_clauses(old: list, new: list, *, cross_document: bool = False, aligned=None) -> Comparison:
    if aligned is None:
        aligned = align.align(old, new, cross_document=cross_document)
    rows: list[CompareRow] = []
    for n, row in enumerate(aligned):
        a = old[row.old_index] if row.old_index is not None else None
        b = new[row.new_index] if row.new_index is not None else None
        kind = _kind(row, a, b)
        rows.append(CompareRow(
            index=n, status=row.status, old=a, new=b, similarity=row.similarity,
            changed=row.changed, moved=row.moved, renumbered=row.renumbered, kind=kind,
            cross_document=cross_document,
        ))
    if not cross_document:
        _splits_and_merges(rows, new)
    return Comparison(rows=rows, summary=align.summary(aligned), cross_document=cross_document)


def _splits_and_merges(rows: list[CompareRow], new: list) -> None:
    """Say where a removed clause's words went, and which added clause they made."""
    removed = [r for r in rows if r.kind == "removed"]
    if not removed:
        return
    by_new = {id(r.new): r for r in rows if r.new is not None}
    removed = removed[:300]  # bounded: a rewrite that drops hundreds of clauses is a rewrite
    for r, found in zip(removed, align.destinations_many([r.old for r in removed], new)):
        r.went_to = [new[j] for j, _ in found]
        for j, _ in found:
            target = by_new.get(id(new[j]))
            if target is not None and target.kind == "added" and target.came_from is None:
                target.came_from = r.old


def compare_versions(old, new) -> Comparison:
    """Compare two saved versions; two different documents are aligned by subject."""
    from django.core.cache import cache

    from documents import selectors

    old_clauses = selectors.version_clauses(old)
    new_clauses = selectors.version_clauses(new)
    cross = old.document_id != new.document_id
    # Published versions never change, so their alignment can be kept for good: the
    # rows loaded on demand and the JSON pages reuse it.
    key = f"align:v2:{old.pk}:{new.pk}"
    aligned = cache.get(key)
    if aligned is None or len(aligned) < max(len(old_clauses), len(new_clauses)):
        aligned = align.align(old_clauses, new_clauses, cross_document=cross)
        cache.set(key, aligned, timeout=None)
    return compare_clauses(old_clauses, new_clauses, cross_document=cross, aligned=aligned)
