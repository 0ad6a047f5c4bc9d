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
a split when there are several); a paired clause that lost part of its words to clauses
new here carries ``split_into``; an added clause built from an old clause's words
carries ``came_from``. Each comes with the row ids, for links within the page. Word diffs are computed only for the rows that are rendered
(``Comparison.html_rows``): a page of a long document collapses runs of unchanged
rows, and defers the rows past ``PAGE_TEXT_BUDGET``, and loads them on demand.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
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
#: Characters of rows the page itself carries. The rows after that are sent as
#: placeholders of ``DEFERRED_CHUNK`` rows that load as the reader scrolls to them (and
#: all at once before printing), so even a megabyte document gives a light page.
PAGE_TEXT_BUDGET = 300_000
DEFERRED_CHUNK = 40
#: Rough bytes of markup around a row's text, counted against the budget too.
ROW_MARKUP = 400
#: Longer runs of renumbered-only rows are one entry of the change list.
RENUMBERED_RUN = 3

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
    went_to_rows: list = field(default_factory=list)  # and their row ids
    split_into: list = field(default_factory=list)  # added clauses part of a kept clause's words went to
    split_rows: list = field(default_factory=list)
    came_from: Any | None = None  # the old clause an added clause was split from
    came_from_row: str = ""
    _html: tuple | None = None
    collapsed = False

    @property
    def is_change(self) -> bool:
        return self.status != "unchanged"

    @property
    def went_to_links(self) -> list:
        """(row id, clause) for each clause a removed clause's words went to."""
        return list(zip(self.went_to_rows, self.went_to))

    @property
    def split_links(self) -> list:
        return list(zip(self.split_rows, self.split_into))

    @property
    def weight(self) -> int:
        """Characters the row weighs on the page: its texts and the markup around them."""
        return ROW_MARKUP + sum(len(c.text) + len(c.heading) for c in (self.old, self.new) if c is not None)

    @property
    def row_id(self) -> str:
        return f"row-{self.index + 1}"

    @property
    def label(self) -> str:
        """What the change list and the tag say."""
        if self.cross_document:
            return {"added": "only in B", "removed": "only in A", "substantive": "related",
                    "editorial": "same words", "unchanged": "identical"}.get(self.kind, self.kind)
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
class RenumberedRun:
    """Consecutive rows of the change list that were only renumbered."""

    first: CompareRow
    last: CompareRow
    count: int
    kind = "renumbered"
    grouped = True


@dataclass(frozen=True)
class CollapsedRun:
    """Rows the page does not send (loaded on demand): a run of unchanged rows, or
    (``deferred``) a chunk of the rows past the page's text budget."""

    start: int  # index of the first hidden row
    stop: int  # one past the last
    deferred: bool = False

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

    def change_list(self) -> list:
        """The changes in order, with each run of more than ``RENUMBERED_RUN`` rows that
        were only renumbered (the side effect of a clause inserted above them) as one
        RenumberedRun: a cascade through a long document is one entry, not thousands."""
        out: list = []
        run: list[CompareRow] = []

        def flush():
            out.extend(run if len(run) <= RENUMBERED_RUN else [RenumberedRun(run[0], run[-1], len(run))])
            run.clear()

        for r in self.changes:
            if r.kind == "renumbered" and (not run or run[-1].index == r.index - 1):
                run.append(r)
                continue
            flush()
            if r.kind == "renumbered":
                run.append(r)
            else:
                out.append(r)
        flush()
        return out

    def html_rows(self, *, collapse: bool = True, budget: int | None = None) -> list:
        """The rows to render, with long unchanged runs replaced by a CollapsedRun, and
        what comes after ``budget`` (default ``PAGE_TEXT_BUDGET``) characters of text by
        deferred ones."""
        if not collapse:
            return list(self.rows)
        budget = PAGE_TEXT_BUDGET if budget is None else budget
        out = self._collapsed_runs()
        sent = 0
        for k, item in enumerate(out):
            if not item.collapsed:
                sent += item.weight
            if sent > budget and k + 1 < len(out):
                nxt = out[k + 1]
                start, stop = (nxt.start if nxt.collapsed else nxt.index), len(self.rows)
                return out[: k + 1] + [
                    CollapsedRun(at, min(at + DEFERRED_CHUNK, stop), deferred=True)
                    for at in range(start, stop, DEFERRED_CHUNK)
                ]
        return out

    def _collapsed_runs(self) -> list:
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


#: At most this many clauses are traced (a rewrite that drops hundreds is a rewrite).
_TRACE_LIMIT = 300
#: A paired clause this close to its new text was edited, not split.
_SPLIT_MAX_SIMILARITY = 0.95
#: ... and a split clause keeps at most this share of its text.
_SPLIT_MAX_KEPT = 0.85


def _splits_and_merges(rows: list[CompareRow], new: list) -> None:
    """Say where a removed clause's words went, and which added clause they made.

    Removed: its words found in one other clause (merged into it) or several (split).
    Paired but shortened: part of its words in clauses that are new here (split off).
    """
    traced = [r for r in rows if r.kind == "removed"]
    # A clause split in two kept only part of its words: one that did not get shorter
    # was edited, not split (and tracing it would cost a search of every new clause).
    traced += [r for r in rows if r.old is not None and r.new is not None and r.changed
               and r.similarity < _SPLIT_MAX_SIMILARITY and len(r.new.text) <= _SPLIT_MAX_KEPT * len(r.old.text)]
    if not traced:
        return
    by_new = {id(r.new): r for r in rows if r.new is not None}
    traced = traced[:_TRACE_LIMIT]
    # Only a clause whose text changed, or a new one, can have taken words in.
    searched = [k for k, c in enumerate(new) if id(c) in by_new and (by_new[id(c)].changed or by_new[id(c)].kind == "added")]
    found_all = align.destinations_many([r.old for r in traced], new, searched=searched)
    for r, found in zip(traced, found_all):
        targets = [by_new[id(new[j])] for j, _ in found if id(new[j]) in by_new]
        if r.kind == "removed":
            r.went_to = [t.new for t in targets]
            r.went_to_rows = [t.row_id for t in targets]
            added = [t for t in targets if t.kind == "added"]
        else:
            # Its own new text is one part; the others count only if they are new here.
            added = [t for t in targets if t.kind == "added"]
            if r not in targets or not added:
                continue
            r.split_into = [t.new for t in added]
            r.split_rows = [t.row_id for t in added]
        for t in added:
            if t.came_from is None:
                t.came_from = r.old
                t.came_from_row = r.row_id


# Comparisons this process computed or loaded last, so the rows loaded on demand and the JSON pages of
# a long document do not unpickle thousands of rows from the shared cache each time.
# Each is checked against a token in that cache, so clearing it clears these too.
_RECENT: OrderedDict[str, tuple[str, Comparison]] = OrderedDict()
_RECENT_SIZE = 4


def compare_versions_cached(old, new) -> Comparison:
    """:func:`compare_versions`, kept in the shared cache and in this process."""
    from django.core.cache import cache

    from documents import pagecache

    key = f"compare-token:{old.pk}:{old.sha256}:{new.pk}:{new.sha256}"
    token = cache.get(key)
    held = _RECENT.get(key)
    if token is not None and held is not None and held[0] == token:
        return held[1]
    result = pagecache.compare_cached(old, new, compare_versions)
    if token is None:
        token = uuid.uuid4().hex
        cache.set(key, token, timeout=None)
    _RECENT[key] = (token, result)
    while len(_RECENT) > _RECENT_SIZE:  # oldest first (another thread may be trimming too)
        _RECENT.pop(next(iter(_RECENT), None), None)
    return result


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
