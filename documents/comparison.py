"""Resolves two clause lists into display rows: the aligner pairs them, the differ marks
the words. Used by the compare page, its JSON, clause banners and upload previews.

Works on saved clauses and on parsed, not-yet-saved ones alike (the aligner only reads
``number``, ``heading`` and ``text``; a clause's text holds its closing words too).

Each row has a ``kind``, the one word the change list shows, from
:func:`documents.kinds.change_kind` (the function every surface uses): added, removed,
split, merged, substantive, moved, editorial, renumbered or unchanged (``only in B`` /
``only in A`` / ``related`` across two documents).

The aligner follows the words, so it knows the splits and merges: a removed clause whose
words went into other clauses carries ``went_to`` (a merge, or a split when there are
several); a paired clause part of whose words went to clauses new here carries
``split_into``; an added clause split off an old one carries ``came_from``. Each comes
with the row ids, for links within the page. A changed row shows the sentences and
bullets that changed place as moved (``diff.render_diff_html_with_moves``) and lists
each separate edit (``edits``) for the change list.

Word diffs are computed only for the rows that are rendered (``Comparison.html_rows``):
a page of a long document collapses runs of unchanged rows, and defers the rows past
``PAGE_TEXT_BUDGET``, and loads them on demand.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from documents import align, diff, kinds

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
#: At most this many separate edits of one clause are listed under it in the change list.
EDITS_LISTED = 20
#: Longer runs of renumbered-only rows are one entry of the change list.
RENUMBERED_RUN = 3

KINDS = kinds.KINDS


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

    @cached_property
    def edits(self) -> list[SafeString]:
        """Each separate edit of a changed clause with several (a short snippet each), for
        the change list to show under it; [] for a clause edited once or not at all."""
        if not self.shows_diff or self.cross_document:
            return []
        hunks = diff.edit_hunks(body(self.old), body(self.new), limit=EDITS_LISTED + 1)
        # Safe: the differ escapes every piece of document text.
        return [mark_safe(h) for h in hunks] if len(hunks) > 1 else []  # noqa: S308

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
        return ROW_MARKUP + sum(len(body(c)) + len(c.heading) for c in (self.old, self.new) if c is not None)

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
                # Sentences and bullets that changed place are shown moved, edits inside them marked.
                old_html, new_html = diff.render_diff_html_with_moves(body(a), body(b))
                old_title, new_title = diff.render_diff_html(_title(a), _title(b))
            else:
                old_html, new_html = (escape(body(a)) if a else "", escape(body(b)) if b else "")
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


def body(clause) -> str:
    """What is compared and shown of a clause: its text (the lead-in and the closing after
    its sub-items, documents.ingest)."""
    return clause.text


def _title(clause) -> str:
    if clause is None:
        return ""
    return " ".join(p for p in (clause.number, clause.heading) if p)


def compare_clauses(old: list, new: list, *, cross_document: bool = False, aligned=None) -> Comparison:
    if aligned is None:
        aligned = align.align(old, new, cross_document=cross_document)
    row_kinds = kinds.row_kinds(aligned, old, new)
    rows: list[CompareRow] = []
    for n, (row, kind) in enumerate(zip(aligned, row_kinds)):
        a = old[row.old_index] if row.old_index is not None else None
        b = new[row.new_index] if row.new_index is not None else None
        # Any difference of the texts is shown, a quote or a space included (the kind
        # says how much it matters).
        changed = row.changed or (a is not None and b is not None and kinds.clause_text(a) != kinds.clause_text(b))
        rows.append(CompareRow(
            index=n, status=row.status, old=a, new=b, similarity=row.similarity,
            changed=changed, moved=row.moved, renumbered=row.renumbered, kind=kind,
            cross_document=cross_document,
        ))
    if not cross_document:
        _splits_and_merges(rows, aligned)
    return Comparison(rows=rows, summary=align.summary(aligned), cross_document=cross_document)


def _splits_and_merges(rows: list[CompareRow], aligned: list) -> None:
    """Link the rows the aligner found a split or a merge between: where a removed
    clause's words went (``went_to``), which added clauses took part of a kept one's
    (``split_into``), and the old clause an added one came from (``came_from``)."""
    by_new = {r.new_index: rows[k] for k, r in enumerate(aligned) if r.new_index is not None}
    by_old = {r.old_index: rows[k] for k, r in enumerate(aligned) if r.old_index is not None}
    for k, r in enumerate(aligned):
        row = rows[k]
        if r.went_to:
            targets = [by_new[j] for j in r.went_to if j in by_new]
            row.went_to = [t.new for t in targets]
            row.went_to_rows = [t.row_id for t in targets]
        if r.came_from is not None and r.came_from in by_old:
            source = by_old[r.came_from]
            row.came_from = source.old
            row.came_from_row = source.row_id
            if source.new is not None:
                source.split_into.append(row.new)
                source.split_rows.append(row.row_id)


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
    key = f"align:v3:{old.pk}:{new.pk}"
    aligned = cache.get(key)
    if aligned is None or len(aligned) < max(len(old_clauses), len(new_clauses)):
        aligned = align.align(old_clauses, new_clauses, cross_document=cross)
        cache.set(key, aligned, timeout=None)
    return compare_clauses(old_clauses, new_clauses, cross_document=cross, aligned=aligned)
