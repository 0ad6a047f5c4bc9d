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


# --- Moved sentences and bullets -------------------------------------------------------
# Inside one clause, a sentence or list item that changed place is shown moved (with the
# edits made to it marked inside it), not as one deleted and one inserted block that hide
# them. Segments are sentences and lines; one of fewer than ``MOVE_MIN_WORDS`` words is too
# short to tell a move from a coincidence.

MOVE_MIN_WORDS = 4
#: A deleted and an inserted segment are the same one moved when they keep this share of
#: their words in order.
MOVE_MIN_SIMILARITY = 0.6
_SEGMENT_RE = re.compile(r"[^.!?;\n]*(?:[.!?;]+(?=\s|$)|\n+|$)\s*|[^\n]+\n*")
# Private-use characters stand for moved segments while the words around them are diffed:
# one token each, found in no document text we keep apart from them (checked below).
_MARK_OLD, _MARK_NEW = 0xE000, 0xE800


def segments(text: str) -> list[str]:
    """Sentences and lines of ``text``; "".join() gives it back."""
    out = [s for s in _SEGMENT_RE.findall(text) if s]
    return out if "".join(out) == text else [text]


def moved_segments(old: str, new: str) -> list[tuple[int, int]]:
    """(old segment index, new segment index) of the sentences and lines that changed
    place between ``old`` and ``new``, edited or not.

    Segments left in the same order (a longest common subsequence of their words) are
    not moved; of the others, an old and a new one that keep ``MOVE_MIN_SIMILARITY`` of
    their words are one segment moved when they lie between different unchanged
    segments (in the same place it is an edit, which the word diff shows).
    """
    sa, sb = segments(old), segments(new)
    if len(sa) < 2 and len(sb) < 2:
        return []
    ka = [tuple(_words(s)) for s in sa]
    kb = [tuple(_words(s)) for s in sb]
    # A segment's gap: how many unchanged runs come before it (Indel gives a deletion
    # and an insertion in one place as two opcodes with no equal run between them).
    gap_a, gap_b, free_a, free_b = [0] * len(sa), [0] * len(sb), [], []
    g = 0
    for op in Indel.opcodes(ka, kb):
        if op.tag == "equal":
            g += 1
            continue
        for x in range(op.src_start, op.src_end):
            gap_a[x] = g
            if len(ka[x]) >= MOVE_MIN_WORDS:
                free_a.append(x)
        for y in range(op.dest_start, op.dest_end):
            gap_b[y] = g
            if len(kb[y]) >= MOVE_MIN_WORDS:
                free_b.append(y)
    if not free_a or not free_b:
        return []
    ranked = []
    for x in free_a:
        for y in free_b:
            if gap_a[x] == gap_b[y]:
                continue
            s = 1.0 if ka[x] == kb[y] else Indel.normalized_similarity(ka[x], kb[y], score_cutoff=MOVE_MIN_SIMILARITY)
            if s >= MOVE_MIN_SIMILARITY:
                ranked.append((-s, x, y))
    ranked.sort()
    used_a, used_b, out = set(), set(), []
    for _, x, y in ranked:
        if x not in used_a and y not in used_b:
            used_a.add(x)
            used_b.add(y)
            out.append((x, y))
    return sorted(out)


def _render_side(pieces, marks: dict[str, str], tag: str) -> str:
    """Escaped pieces of one column, the marks of moved segments put back as markup."""
    out = []
    for op, text in pieces:
        parts = re.split("([" + "".join(marks) + "])", text) if marks else [text]
        for part in parts:
            if part in marks:
                out.append(marks[part])
            elif part:
                out.append(_esc(part) if op == EQUAL else f"<{tag}>{_esc(part)}</{tag}>")
    return "".join(out)


def render_diff_html_with_moves(old: str, new: str) -> tuple[str, str]:
    """:func:`render_diff_html`, with sentences and lines that changed place shown moved:
    ``<span class="moved-away" data-move="k">`` in the old column, ``<span class="moved"
    data-move="k">`` in the new one holding its own word diff (an edit made to a moved
    bullet is marked, not hidden in a deleted and an inserted block)."""
    old, new = old or "", new or ""
    moves = moved_segments(old, new) if old != new else []
    if not moves or len(moves) > 0x7FF or any(0xE000 <= ord(ch) <= 0xEFFF for ch in old + new):
        return render_diff_html(old, new)
    sa, sb = segments(old), segments(new)
    marks_old: dict[str, str] = {}
    marks_new: dict[str, str] = {}
    for k, (x, y) in enumerate(moves):
        mo, mn = chr(_MARK_OLD + k), chr(_MARK_NEW + k)
        # The mark stands for the segment's words; its trailing space stays outside.
        body_a, body_b = sa[x].rstrip(), sb[y].rstrip()
        sa[x] = mo + sa[x][len(body_a):]
        sb[y] = mn + sb[y][len(body_b):]
        marks_old[mo] = f'<span class="moved-away" data-move="{k + 1}" title="moved">{_esc(body_a)}</span>'
        inner = render_inline_diff_html(body_a, body_b) if body_a != body_b else _esc(body_b)
        marks_new[mn] = f'<span class="moved" data-move="{k + 1}" title="moved">{inner}</span>'
    pieces = word_diff("".join(sa), "".join(sb))
    old_side = [(op, t) for op, t in pieces if op != INSERT]
    new_side = [(op, t) for op, t in pieces if op != DELETE]
    return _render_side(old_side, marks_old, "del"), _render_side(new_side, marks_new, "ins")


def edit_hunks(old: str, new: str, *, context: int = 4, limit: int = 30) -> list[str]:
    """Each separate edit of ``old`` -> ``new`` as a short escaped snippet (a few words of
    context, the deleted and inserted words marked): what a change list shows under a
    long section so that each edit can be read on its own. At most ``limit``. A sentence
    or bullet that changed place is one edit ("moved: ...", its own edits marked inside)."""
    out: list[str] = []
    moves = moved_segments(old, new) if old != new else []
    if moves:
        sa, sb = segments(old), segments(new)
        for x, y in moves:
            a, b = sa[x].strip(), sb[y].strip()
            inner = render_inline_diff_html(a, b) if a != b else _esc(b)
            out.append(f'moved: <span class="moved">{inner}</span>')
        gone_a, gone_b = {x for x, _ in moves}, {y for _, y in moves}
        old = "".join(t for k, t in enumerate(sa) if k not in gone_a)
        new = "".join(t for k, t in enumerate(sb) if k not in gone_b)
    pieces = word_diff(old, new)
    k = 0
    while k < len(pieces) and len(out) < limit:
        if pieces[k][0] == EQUAL:
            k += 1
            continue
        start = k
        while k < len(pieces) and pieces[k][0] != EQUAL:
            k += 1
        if all(not t.strip() for _, t in pieces[start:k]):
            continue  # spacing left where a moved sentence was taken out
        before = tokenize(pieces[start - 1][1]) if start > 0 else []
        after = tokenize(pieces[k][1]) if k < len(pieces) else []
        lead = "".join(_last_words(before, context))
        tail = "".join(_first_words(after, context))
        marked = "".join(f"<{'del' if op == DELETE else 'ins'}>{_esc(t)}</{'del' if op == DELETE else 'ins'}>"
                         for op, t in pieces[start:k])
        out.append(("… " if len(lead) < len("".join(before)) else "") + _esc(lead) + marked + _esc(tail)
                   + (" …" if len(tail) < len("".join(after)) else ""))
    return out


def _last_words(tokens: list[str], n: int) -> list[str]:
    words = [i for i, t in enumerate(tokens) if t.strip()]
    return tokens[words[-n]:] if len(words) > n else tokens


def _first_words(tokens: list[str], n: int) -> list[str]:
    words = [i for i, t in enumerate(tokens) if t.strip()]
    return tokens[: words[n - 1] + 1] if len(words) > n else tokens
