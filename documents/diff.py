"""Word-level differences inside one clause pair, and their HTML rendering.

Pure Python (plus rapidfuzz); no Django imports.

``word_diff(old, new) -> list[tuple[op, text]]``
    op is "equal", "delete" or "insert". Tokens are runs of word characters,
    runs of whitespace, and single punctuation characters, so "fees," -> "fees."
    marks only the comma. Adjacent ops are merged; inside a changed stretch all
    deleted text comes before all inserted text. Concatenating the equal+delete
    parts gives ``old`` back exactly, equal+insert gives ``new``.
``render_diff_html(old, new) -> (old_html, new_html)``
    Two columns: old with ``<del>`` marks, new with ``<ins>`` marks.
``render_inline_diff_html(old, new) -> str``
    One column with both ``<del>`` and ``<ins>`` (banners, e-mails).

Security: EVERY piece of document text is passed through ``html.escape`` (quotes
included) before it is wrapped in a tag; the only markup in the output is the
``<del>``/``<ins>`` tags added here. Callers mark the result safe exactly once
and must not escape it again. Newlines are kept as they are (render inside an
element with ``white-space: pre-wrap`` to show them).

Caveat: the diff is lexical (longest common subsequence of tokens), not a
judgement on meaning. Short common words and spaces between two changed words are
folded into the change so the output reads as phrases, not confetti.
"""

from __future__ import annotations

import html
import re
from typing import Literal

from rapidfuzz.distance import Indel

__all__ = [
    "word_diff", "render_diff_html", "render_inline_diff_html", "render_changes_only_html", "tokenize", "change_kind",
]

Op = Literal["equal", "insert", "delete"]
EQUAL: Op = "equal"
INSERT: Op = "insert"
DELETE: Op = "delete"

_TOKEN_RE = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
# An LCS over n x m tokens keeps an n*m/64-word bit matrix; above this product we
# first diff sentences and only run the token diff inside changed sentence runs.
_MAX_TOKEN_PRODUCT = 25_000_000
_SENTENCE_RE = re.compile(r"[^.!?;:\n]*(?:[.!?;:]+|\n+|$)\s*")


def tokenize(text: str) -> list[str]:
    """Words, whitespace runs and single punctuation marks; "".join() gives text back."""
    return _TOKEN_RE.findall(text)


def _lcs_ops(a: list[str], b: list[str]) -> list[tuple[Op, int, int, int, int]]:
    """Opcodes (tag, a0, a1, b0, b1) of a longest-common-subsequence alignment."""
    return [(op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end) for op in Indel.opcodes(a, b)]


def _raw_diff(a: list[str], b: list[str]) -> list[tuple[Op, list[str]]]:
    """Token diff as a flat list of (op, tokens) pieces, not yet merged."""
    if not a and not b:
        return []
    if len(a) * len(b) <= _MAX_TOKEN_PRODUCT:
        out: list[tuple[Op, list[str]]] = []
        for tag, a0, a1, b0, b1 in _lcs_ops(a, b):
            if tag == "equal":
                out.append((EQUAL, a[a0:a1]))
            else:
                if a1 > a0:
                    out.append((DELETE, a[a0:a1]))
                if b1 > b0:
                    out.append((INSERT, b[b0:b1]))
        return out
    # Very long texts: sentence-level LCS first, then tokens inside changed runs.
    sa = [s for s in _SENTENCE_RE.findall("".join(a)) if s]
    sb = [s for s in _SENTENCE_RE.findall("".join(b)) if s]
    out = []
    for tag, a0, a1, b0, b1 in _lcs_ops(sa, sb):
        if tag == "equal":
            out.append((EQUAL, tokenize("".join(sa[a0:a1]))))
            continue
        ta = tokenize("".join(sa[a0:a1]))
        tb = tokenize("".join(sb[b0:b1]))
        if ta and tb and len(ta) * len(tb) <= _MAX_TOKEN_PRODUCT:
            out.extend(_raw_diff(ta, tb))
        else:
            if ta:
                out.append((DELETE, ta))
            if tb:
                out.append((INSERT, tb))
    return out


def _boundary(x: str | None, y: str | None) -> int:
    """How natural a cut between tokens x and y is (higher is better)."""
    if x is None or y is None:
        return 6  # edge of the text
    if "\n" in x or "\n" in y:
        return 4
    if x.isspace() or y.isspace():
        return 2
    if not x[-1].isalnum() or not y[0].isalnum():
        return 1
    return 0


def _slide_edits(pieces: list[tuple[Op, list[str]]]) -> list[tuple[Op, list[str]]]:
    """Slide a pure insertion/deletion between two equal runs to the most natural
    token boundary (cf. diff-match-patch's semantic lossless cleanup).

    An LCS may legally place "</script><img ...>" inserted after "</script>" as
    "</script" + "><img ...>" + ">"; sliding by one token gives the readable cut.
    Ties keep the LCS placement.
    """
    out = [(op, list(toks)) for op, toks in pieces]
    for k in range(1, len(out) - 1):
        op0, op, op2 = out[k - 1][0], out[k][0], out[k + 1][0]
        if op0 != EQUAL or op2 != EQUAL or op == EQUAL or not out[k][1]:
            continue
        # Every position the edit can slide to keeps both texts intact; score
        # each and keep the best.
        left, edit, right = out[k - 1][1], out[k][1], out[k + 1][1]
        seq = left + edit + right
        n_left, n_edit = len(left), len(edit)
        # Don't empty an equal run that separates this edit from another one
        # (that would glue two edits); the text edges are fine.
        min_lo = 0 if k - 1 == 0 else 1
        max_end = len(seq) if k + 1 == len(out) - 1 else len(seq) - 1
        lo = n_left
        while lo > min_lo and seq[lo - 1] == seq[lo - 1 + n_edit]:
            lo -= 1
        hi = n_left
        while hi + n_edit < max_end and seq[hi] == seq[hi + n_edit]:
            hi += 1
        if lo == hi:
            continue

        def quality(p: int) -> int:
            before = seq[p - 1] if p > 0 else None
            after = seq[p + n_edit] if p + n_edit < len(seq) else None
            return _boundary(before, seq[p]) + _boundary(seq[p + n_edit - 1], after)

        best = max(range(lo, hi + 1), key=lambda p: (quality(p), p == n_left))
        if best != n_left:
            out[k - 1] = (EQUAL, seq[:best])
            out[k] = (op, seq[best : best + n_edit])
            out[k + 1] = (EQUAL, seq[best + n_edit :])
    return out


def _is_glue(text: str) -> bool:
    """Equal text too insignificant to split a change in two (spaces, a comma...)."""
    return len(text) <= 2 and not any(ch.isalnum() for ch in text) or text.isspace()


def _merge(token_pieces: list[tuple[Op, list[str]]]) -> list[tuple[Op, str]]:
    """Group into equal / changed stretches; deletes before inserts; drop empties.

    An equal piece that is only glue (whitespace, one punctuation mark) between
    two changes is folded into both sides of the change, so "[-a b-][+c d+]"
    reads as one phrase instead of "[-a-][+c+] [-b-][+d+]".
    """
    pieces = [(op, "".join(toks)) for op, toks in _slide_edits(token_pieces) if toks]
    # Fold glue between changes.
    folded: list[tuple[Op, str]] = []
    n = len(pieces)
    for k, (op, text) in enumerate(pieces):
        if (
            op == EQUAL
            and 0 < k < n - 1
            and pieces[k - 1][0] != EQUAL
            and pieces[k + 1][0] != EQUAL
            and _is_glue(text)
        ):
            folded.append((DELETE, text))
            folded.append((INSERT, text))
        else:
            folded.append((op, text))
    out: list[tuple[Op, str]] = []
    dels: list[str] = []
    ins: list[str] = []

    def flush():
        if dels:
            out.append((DELETE, "".join(dels)))
            dels.clear()
        if ins:
            out.append((INSERT, "".join(ins)))
            ins.clear()

    for op, text in folded:
        if op == EQUAL:
            flush()
            if out and out[-1][0] == EQUAL:
                out[-1] = (EQUAL, out[-1][1] + text)
            else:
                out.append((EQUAL, text))
        elif op == DELETE:
            dels.append(text)
        else:
            ins.append(text)
    flush()
    return out


def word_diff(old: str, new: str) -> list[tuple[Op, str]]:
    """Word-level diff of two texts as merged (op, text) pieces.

    >>> word_diff("The cat sat.", "The dog sat.")
    [('equal', 'The '), ('delete', 'cat'), ('insert', 'dog'), ('equal', ' sat.')]
    """
    old = old or ""
    new = new or ""
    if old == new:
        return [(EQUAL, old)] if old else []
    return _merge(_raw_diff(tokenize(old), tokenize(new)))


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def render_diff_html(old: str, new: str) -> tuple[str, str]:
    """(old_html, new_html): escaped text with ``<del>`` marks in the old column and
    ``<ins>`` marks in the new one.

    >>> render_diff_html('a <b> "c"', 'a <i> "c"')
    ('a &lt;<del>b</del>&gt; &quot;c&quot;', 'a &lt;<ins>i</ins>&gt; &quot;c&quot;')
    """
    old_parts: list[str] = []
    new_parts: list[str] = []
    for op, text in word_diff(old, new):
        esc = _esc(text)
        if op == EQUAL:
            old_parts.append(esc)
            new_parts.append(esc)
        elif op == DELETE:
            old_parts.append(f"<del>{esc}</del>")
        else:
            new_parts.append(f"<ins>{esc}</ins>")
    return "".join(old_parts), "".join(new_parts)


def render_inline_diff_html(old: str, new: str) -> str:
    """One escaped column: unchanged text, ``<del>`` old words then ``<ins>`` new words.

    >>> render_inline_diff_html("pay in 30 days", "pay in 14 days")
    'pay in <del>30</del><ins>14</ins> days'
    """
    parts = []
    for op, text in word_diff(old, new):
        esc = _esc(text)
        if op == EQUAL:
            parts.append(esc)
        elif op == DELETE:
            parts.append(f"<del>{esc}</del>")
        else:
            parts.append(f"<ins>{esc}</ins>")
    return "".join(parts)


def render_changes_only_html(old: str, new: str, *, context: int = 6) -> str:
    """Like :func:`render_inline_diff_html`, but an unchanged stretch keeps only
    ``context`` words next to each change, the rest shown as "…".

    A banner about one changed comma must not repeat the whole clause.

    >>> render_changes_only_html("a b c d e f g h i j k l m n o p", "a b c d e f g h i j k l m n o q", context=2)
    '… n o <del>p</del><ins>q</ins>'
    """
    pieces = word_diff(old, new)
    parts = []
    for k, (op, text) in enumerate(pieces):
        if op == DELETE:
            parts.append(f"<del>{_esc(text)}</del>")
            continue
        if op == INSERT:
            parts.append(f"<ins>{_esc(text)}</ins>")
            continue
        toks = tokenize(text)
        words = [i for i, t in enumerate(toks) if not t.isspace()]
        after_change, before_change = k > 0, k < len(pieces) - 1
        room = context * (after_change + before_change)
        if len(words) <= room + 1:
            parts.append(_esc(text))
            continue
        head = "".join(toks[: words[context - 1] + 1]) if after_change and context else ""
        tail = "".join(toks[words[-context]:]) if before_change and context else ""
        # tail keeps its own whitespace up to the change that follows it.
        parts.append(" ".join(p for p in (_esc(head), "…", _esc(tail)) if p))
    return "".join(parts)


# --- Kinds of change -------------------------------------------------------------
# Editorial: the same words in the same order, differing only in punctuation, quote
# and dash styles, spacing or case. Anything else changes words and is substantive.
ChangeKind = Literal["unchanged", "editorial", "substantive"]
UNCHANGED: ChangeKind = "unchanged"
EDITORIAL: ChangeKind = "editorial"
SUBSTANTIVE: ChangeKind = "substantive"

_WORD_RE = re.compile(r"\w+", re.UNICODE)


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD_RE.findall(text)]


def change_kind(old: str, new: str) -> ChangeKind:
    """Whether ``old`` -> ``new`` is no change, an editorial one or a substantive one."""
    if old == new:
        return UNCHANGED
    return EDITORIAL if _words(old) == _words(new) else SUBSTANTIVE
