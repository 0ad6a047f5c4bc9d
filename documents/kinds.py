"""The one answer to "what kind of change is this?" for a clause between two versions.

Pure Python; no Django imports. Every surface that names a change asks
:func:`change_kind` (the compare page and its JSON, the staff preview, the clause API,
the permalink banner, the clause history, e-mails, feeds and the citation check), so a
quote-only edit is "editorial" everywhere, never "unchanged" on one page and "amended"
on another.

Kinds, one per clause pair:

- ``added`` / ``removed``: only in the new / old version;
- ``split``: an old clause whose words went to several new ones (each of them is
  ``split`` too, the part that kept its place included);
- ``merged``: an old clause whose words went into a new clause that continues another
  one (both sides are ``merged``);
- ``substantive``: the words changed (heading or text - the lead-in and the closing
  after the sub-items, documents.ingest; the printed number is
  not a word of the clause);
- ``moved``: the same words at another place in the order of the document;
- ``editorial``: the same words in the same order, differing only in punctuation,
  quote and dash styles, spacing or case;
- ``renumbered``: the same text under another printed number;
- ``unchanged``.

Precedence, when several apply: what happened to the words (split, merged,
substantive) matters most to a reader, then where the clause went (moved), then its
typography (editorial), then its number (a renumbering is usually the side effect of an
insertion above it). The other facts stay available as flags (``moved``, ``renumbered``).
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

ADDED = "added"
REMOVED = "removed"
SPLIT = "split"
MERGED = "merged"
SUBSTANTIVE = "substantive"
MOVED = "moved"
EDITORIAL = "editorial"
RENUMBERED = "renumbered"
UNCHANGED = "unchanged"
#: Every kind, most important first.
KINDS = (ADDED, REMOVED, SPLIT, MERGED, SUBSTANTIVE, MOVED, EDITORIAL, RENUMBERED, UNCHANGED)

_WORD_RE = re.compile(r"\w+", re.UNICODE)
_NUMBER_STRIP = "()[]{}.:;,- \t*\\"


def clause_text(clause: Any) -> str:
    """Heading and text of a clause (its text holds the closing too): the words a change
    is judged on."""
    parts = [getattr(clause, name, "") or "" for name in ("heading", "text")]
    return "\n".join(p for p in parts if p)


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD_RE.findall(text)]


def wording_kind(old: str, new: str) -> str:
    """``unchanged`` (identical), ``editorial`` (same words in the same order) or
    ``substantive``, for two texts."""
    if old == new:
        return UNCHANGED
    return EDITORIAL if _words(old) == _words(new) else SUBSTANTIVE


def _number(clause: Any) -> str:
    # "(a)" and "a." are the same marker; case is kept ("(a)" -> "(A)" is a renumbering).
    return " ".join(str(getattr(clause, "number", "") or "").split()).strip(_NUMBER_STRIP)


def change_kind(old: Any | None, new: Any | None, *, moved: bool = False, split: bool = False,
                merged: bool = False) -> str:
    """The kind of change from clause ``old`` to clause ``new`` (None: not there).

    Clauses are anything with ``number``, ``heading`` and ``text`` attributes. ``moved``, ``split`` and ``merged`` are what the alignment
    of the two versions says of the pair (see :func:`row_relations`).
    """
    if old is None and new is None:
        raise ValueError("a change needs at least one side")
    if split:
        return SPLIT
    if merged:
        return MERGED
    if old is None:
        return ADDED
    if new is None:
        return REMOVED
    wording = wording_kind(clause_text(old), clause_text(new))
    if wording == SUBSTANTIVE:
        return SUBSTANTIVE
    if moved:
        return MOVED
    if wording == EDITORIAL:
        return EDITORIAL
    if _number(old) != _number(new):
        return RENUMBERED
    return UNCHANGED


def row_relations(rows: Sequence[Any]) -> list[tuple[bool, bool]]:
    """(split, merged) for each aligned row (``documents.align.AlignedRow``).

    An added row that came from an old clause is part of a split, and so is the row that
    kept the rest of that old clause; a removed row whose words went to several new
    clauses is split, to one merged, and so is the row that received them.
    """
    split_old = {r.came_from for r in rows if r.old_index is None and r.came_from is not None}
    merged_new = {r.went_to[0] for r in rows if r.new_index is None and len(r.went_to) == 1}
    out = []
    for r in rows:
        if r.old_index is None:
            out.append((r.came_from is not None, False))
        elif r.new_index is None:
            out.append((len(r.went_to) > 1, len(r.went_to) == 1))
        else:
            out.append((r.old_index in split_old, r.new_index in merged_new))
    return out


def row_kinds(rows: Sequence[Any], old: Sequence[Any], new: Sequence[Any]) -> list[str]:
    """The kind of every aligned row of ``old`` -> ``new``."""
    out = []
    for r, (split, merged) in zip(rows, row_relations(rows)):
        a = old[r.old_index] if r.old_index is not None else None
        b = new[r.new_index] if r.new_index is not None else None
        out.append(change_kind(a, b, moved=r.moved, split=split, merged=merged))
    return out


def counts(kinds: Iterable[str]) -> dict[str, int]:
    """Rows per kind, every kind present."""
    out = dict.fromkeys(KINDS, 0)
    for k in kinds:
        out[k] += 1
    return out
