"""Where the words went: a token alignment of two versions' clauses.

Pure Python (plus rapidfuzz); no Django imports.

Document comparison tools decide which old paragraph became which new one by following
its words, not by scoring paragraphs against each other. This module does that for the
clauses the aligner could not settle by hash (:mod:`documents.align` pairs identical
clauses first and hands the rest here):

1. The words of the old clauses, in order, make one stream; the new clauses another.
   Each word knows the clause it belongs to (heading, body and closing are all the
   clause's words; the printed number is not).
2. Unique anchors first (as patience diff does): a run of ``SHINGLE`` words found
   exactly once in each stream is the same passage, wherever it moved. Each anchor is
   grown word by word on both sides while the words agree, so a moved paragraph is one
   block.
3. Local matching next: between consecutive blocks that keep their order, the words
   not yet matched are aligned by a longest common subsequence, and runs of at least
   ``MIN_RUN`` equal words are kept (a lone "the" in common says nothing).
4. Every matched word links an old clause to a new one. ``WordFlow.shared[(i, j)]`` is
   how much of old clause ``i`` landed in new clause ``j``, counted in content words
   (not "the", "of", "and") weighted by rarity: a word found in many clauses of the
   two versions (a formula every section repeats) counts for little.

From those shares :func:`documents.align.align` decides pairs, splits and merges.

Cost: linear in the words of the clauses passed in (hashing shingles), plus
bit-parallel LCS inside the gaps (n * m / 64 steps, bounded by ``_GAP_BUDGET``).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Sequence

from rapidfuzz.distance import Indel

#: Words in a unique anchor. Three is the shortest run that is rarely unique by chance
#: in a legal text while still surviving a one-word edit every few words.
SHINGLE = 3
#: Equal runs shorter than this found by the local LCS are ignored: unrelated sentences
#: share "of the" and "and" in order.
MIN_RUN = 3
#: A word in at most this many clauses (both versions counted) tells one provision from
#: another; one in more is a formula's (a service name is in a few clauses, "process
#: content you submit" in every section of a per-service document).
DISTINCTIVE_MAX = 12
#: Largest gap (old words x new words) aligned by LCS; bigger ones are left to anchors.
_GAP_BUDGET = 40_000_000

STOP = frozenset(
    """a about above after again all also an and any are as at be been before being
    below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers him his how i if in into is it
    its itself just may me might more most must my no nor not now of off on once only
    or other our ours out over own same shall she should so some such than that the
    their them then there these they this those through to too under until up upon
    us very was we were what when where which while who whom why will with within
    without would you your yours herein hereof thereof""".split()
)


@dataclass
class WordFlow:
    """Matched word mass between old clause ``i`` and new clause ``j``.

    ``shared[(i, j)]``: weighted content words of old ``i`` matched into new ``j``.
    ``mass_old[i]`` / ``mass_new[j]``: each clause's own weighted content words, so
    ``shared / mass_old`` is the share of old ``i`` that went to ``j`` and
    ``shared / mass_new`` the share of new ``j`` that came from ``i``.
    ``count[(i, j)]``: the same unweighted; ``distinctive[(i, j)]``: how many of them
    are words few clauses hold (``DISTINCTIVE_MAX``) or belong to a phrase found once in
    the whole document: a pair without any shares only the formulas the document repeats.
    ``words_old[i]`` / ``words_new[j]``: content words, unweighted (a clause of two
    words is too small to be called split or merged).
    """

    shared: dict[tuple[int, int], float] = field(default_factory=dict)
    count: dict[tuple[int, int], int] = field(default_factory=dict)
    distinctive: dict[tuple[int, int], int] = field(default_factory=dict)
    mass_old: dict[int, float] = field(default_factory=dict)
    mass_new: dict[int, float] = field(default_factory=dict)
    words_old: dict[int, int] = field(default_factory=dict)
    words_new: dict[int, int] = field(default_factory=dict)

    def share_old(self, i: int, j: int) -> float:
        m = self.mass_old.get(i, 0.0)
        return self.shared.get((i, j), 0.0) / m if m else 0.0

    def share_new(self, i: int, j: int) -> float:
        m = self.mass_new.get(j, 0.0)
        return self.shared.get((i, j), 0.0) / m if m else 0.0

    def destinations(self, i: int) -> list[tuple[int, float]]:
        """New clauses old ``i``'s words went to, largest share first."""
        out = [(j, s / self.mass_old[i]) for (x, j), s in self.shared.items() if x == i and self.mass_old.get(i)]
        return sorted(out, key=lambda t: (-t[1], t[0]))


def _stream(clauses: Sequence[tuple[int, list[str]]], vocab: dict[str, int]):
    """(word ids, owner clause of each word) over the clauses in order."""
    ids: list[int] = []
    owner: list[int] = []
    get = vocab.setdefault
    for idx, words in clauses:
        ids += [get(w, len(vocab)) for w in words]
        owner += [idx] * len(words)
    return ids, owner


def _unique_shingles(ids: list[int]) -> dict[tuple, int]:
    """The position of each run of ``SHINGLE`` word ids found once (counted in C)."""
    runs = list(zip(*(ids[k:] for k in range(SHINGLE))))
    counts = Counter(runs)
    last = dict(zip(runs, range(len(runs))))  # (a later run overwrites: built in C)
    return {sh: p for sh, p in last.items() if counts[sh] == 1}


def _grow(a: list[int], b: list[int], match_a: list[int], match_b: list[int], pa: int, pb: int, size: int) -> None:
    """Mark a[pa:pa+size] == b[pb:pb+size] matched, then extend both ways while free words agree."""
    for t in range(size):
        if match_a[pa + t] < 0 and match_b[pb + t] < 0:
            match_a[pa + t] = pb + t
            match_b[pb + t] = pa + t
    x, y = pa - 1, pb - 1
    while x >= 0 and y >= 0 and a[x] == b[y] and match_a[x] < 0 and match_b[y] < 0:
        match_a[x], match_b[y] = y, x
        x, y = x - 1, y - 1
    x, y = pa + size, pb + size
    while x < len(a) and y < len(b) and a[x] == b[y] and match_a[x] < 0 and match_b[y] < 0:
        match_a[x], match_b[y] = y, x
        x, y = x + 1, y + 1


def _blocks(match_a: list[int]) -> list[tuple[int, int, int]]:
    """Matched runs (a start, b start, size) in old order."""
    out = []
    p, n = 0, len(match_a)
    while p < n:
        q = match_a[p]
        if q < 0:
            p += 1
            continue
        start, size = p, 1
        while p + size < n and match_a[p + size] == q + size:
            size += 1
        out.append((start, q, size))
        p = start + size
    return out


def _chain(blocks: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Blocks on a longest chain increasing on both sides (weighted by size, O(n log n)
    approximated by the longest increasing subsequence of b starts)."""
    if not blocks:
        return []
    tails: list[int] = []
    tails_at: list[int] = []
    prev = [-1] * len(blocks)
    for pos, (_, pb, _) in enumerate(blocks):
        k = bisect_left(tails, pb)
        if k == len(tails):
            tails.append(pb)
            tails_at.append(pos)
        else:
            tails[k] = pb
            tails_at[k] = pos
        prev[pos] = tails_at[k - 1] if k > 0 else -1
    out = []
    pos = tails_at[-1]
    while pos != -1:
        out.append(blocks[pos])
        pos = prev[pos]
    out.reverse()
    return out


def _local(a, b, match_a, match_b) -> None:
    """Between consecutive in-order blocks, LCS of the words still free; keep runs of
    at least ``MIN_RUN``."""
    chain = _chain(_blocks(match_a))
    bounds = [(0, 0)]
    for pa, pb, size in chain:
        bounds.append((pa, pb))
        bounds.append((pa + size, pb + size))
    bounds.append((len(a), len(b)))
    for k in range(0, len(bounds), 2):
        a0, b0 = bounds[k]
        a1, b1 = bounds[k + 1]
        xs = [p for p in range(a0, a1) if match_a[p] < 0]
        ys = [q for q in range(b0, b1) if match_b[q] < 0]
        if len(xs) < MIN_RUN or len(ys) < MIN_RUN or len(xs) * len(ys) > _GAP_BUDGET:
            continue
        for op in Indel.opcodes([a[p] for p in xs], [b[q] for q in ys]):
            if op.tag != "equal" or op.src_end - op.src_start < MIN_RUN:
                continue
            for t in range(op.src_end - op.src_start):
                p, q = xs[op.src_start + t], ys[op.dest_start + t]
                match_a[p], match_b[q] = q, p


def word_flow(
    old: Sequence[tuple[int, list[str]]], new: Sequence[tuple[int, list[str]]], background: Sequence[str] = ()
) -> WordFlow:
    """Align the words of ``old`` clauses with those of ``new`` ones.

    ``old`` / ``new``: (clause index, its words casefolded) in document order.
    ``background``: the words of the rest of the document, the same in both versions
    (the clauses paired by hash): a phrase found there too is no unique anchor, and a
    word found there often weighs little. Without it, rarity is judged on the clauses
    given alone.
    """
    vocab: dict[str, int] = {}
    a, owner_a = _stream(old, vocab)
    b, owner_b = _stream(new, vocab)
    match_a = [-1] * len(a)
    match_b = [-1] * len(b)
    unique_a = [False] * len(a)  # matched as part of a phrase found once in the document
    bg_ids: list[int] = []
    if background:
        get = vocab.setdefault
        bg_ids = [get(w, len(vocab)) for w in background]
    if a and b:
        sh_a = _unique_shingles(a)
        sh_b = _unique_shingles(b)
        common = set(zip(*(bg_ids[k:] for k in range(SHINGLE)))) if bg_ids else set()
        anchors = sorted((pa, sh_b[sh]) for sh, pa in sh_a.items() if sh in sh_b and sh not in common)
        for pa, pb in anchors:
            if match_a[pa] < 0 and match_b[pb] < 0:
                _grow(a, b, match_a, match_b, pa, pb, SHINGLE)
            # (grown into from a neighbouring anchor, it is matched the same way)
            for t in range(SHINGLE):
                if match_a[pa + t] == pb + t:
                    unique_a[pa + t] = True
        _local(a, b, match_a, match_b)

    # Rarity: in how many clauses (both versions) a word occurs. A word in one clause of
    # each version weighs 1; one in every clause of a long document next to nothing.
    stop_ids = {vocab[w] for w in STOP if w in vocab}
    clauses_with: dict[int, int] = defaultdict(int)
    for _, words in list(old) + list(new):
        for w in {vocab[w] for w in words}:
            clauses_with[w] += 1
    if bg_ids:
        # Occurrences in the rest of the document, once per version (a rough count of
        # the clauses holding the word: enough to tell a formula from a name).
        for w, n in Counter(bg_ids).items():
            if w in clauses_with:
                clauses_with[w] += 2 * n

    def weight(w: int) -> float:
        if w in stop_ids:
            return 0.0
        return 1.0 / math.sqrt(max(1, clauses_with[w] - 1))

    weights = {w: weight(w) for w in clauses_with}
    distinctive = {w for w, n in clauses_with.items() if n <= DISTINCTIVE_MAX and w not in stop_ids}
    flow = WordFlow()
    for idx, words in old:
        flow.mass_old[idx] = 0.0
        flow.words_old[idx] = 0
    for idx, words in new:
        flow.mass_new[idx] = 0.0
        flow.words_new[idx] = 0
    for p, w in enumerate(a):
        x = weights[w]
        if not x:
            continue
        i = owner_a[p]
        flow.mass_old[i] += x
        flow.words_old[i] += 1
        q = match_a[p]
        if q >= 0:
            key = (i, owner_b[q])
            flow.shared[key] = flow.shared.get(key, 0.0) + x
            flow.count[key] = flow.count.get(key, 0) + 1
            if w in distinctive or unique_a[p]:
                flow.distinctive[key] = flow.distinctive.get(key, 0) + 1
    for q, w in enumerate(b):
        x = weights[w]
        if x:
            j = owner_b[q]
            flow.mass_new[j] += x
            flow.words_new[j] += 1
    return flow
