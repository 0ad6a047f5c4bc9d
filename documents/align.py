"""Clause alignment: which clause of version A is which clause of version B.

Pure Python (plus rapidfuzz); no Django imports, so it runs on ``ParsedClause``
objects from :mod:`documents.ingest` and on Django model instances alike: a clause
is anything with ``number``, ``heading`` and ``text`` attributes (missing or None
attributes read as ""). A clause's ``text`` holds all of its own words, the lead-in and
the closing after its sub-items (documents.ingest), so the closing is read with it.

Public API
----------
``align(old, new, *, cross_document=False, threshold=None) -> list[AlignedRow]``
    Rows in display order (see :func:`align`).
``summary(rows) -> dict[str, int]``
    Counts for a banner ("3 changed, 1 added, ...").
``AlignedRow``
    One frozen row: ``old_index``, ``new_index``, ``status``, ``similarity``,
    ``changed``, ``moved``, ``renumbered``, and the split / merge links ``came_from``
    (an added clause split off that old clause) and ``went_to`` (the new clauses a
    removed clause's words went to).

How versions are aligned (``cross_document=False``)
---------------------------------------------------
Which old provision became which new one is decided by where its words went, as
document comparison tools do, not by scoring clauses against each other.

0. Verbatim runs. Clauses identical to the letter (number, heading, text) in
   runs of three or more in the same order are paired first, by one longest common
   subsequence over hashed clauses; nothing else looks at them again, so a one-word fix
   to a 2,000-clause document is aligned in milliseconds.
1. Exact pass. Texts are normalised (NFKC, zero-width characters dropped, case folded,
   punctuation dropped, whitespace collapsed; the printed number is never part of the
   key). Clauses with the same heading+text key pair first, then clauses with the same
   text key whatever their heading, so an unchanged text always pairs with its twin
   wherever it moved (permalink lineage relies on this). Duplicates pair in order within
   the stretches between unique pairs.
2. Word flow (:mod:`documents.wordflow`), for what is left: a token alignment of the
   remaining clauses' words (heading and text, lead-in and closing) - unique three-word anchors
   first, grown both ways, then LCS runs between the blocks that keep their order - so
   each old clause's words are followed to the new clauses they landed in. Words the
   rest of the document repeats weigh little, and phrases it holds elsewhere are no
   anchors. From the shares:

   - a pair is two clauses one of which is mostly the other (``PAIR_SHARE`` of one
     side's words, ``PAIR_MIN_SHARE`` of the other's), or that keep a third of their
     words each, or that stand between the same paired neighbours and keep some; taken
     greedily, the clauses sharing most words first, a clause that keeps its heading
     before one that only keeps words, each clause at most once. Two clauses sharing
     only the formulas a document repeats (no distinctive word) never pair;
   - a heading found once in each version names the same provision however much its
     words changed;
   - an added clause mostly made of one old clause's words was split off it
     (``came_from``); a removed clause whose words are in other clauses was merged
     into them (one) or split (several) (``went_to``). A removed provision whose words
     are nowhere stays removed, whatever moved around it.
3. Short clauses (list items, titles: too few words to follow) pair with a similar one
   between the same paired neighbours (word ratio blended with the heading).
4. ``moved`` = the pair lies outside the longest increasing subsequence of all pairs;
   ``renumbered`` = the normalised printed numbers differ ("10"->"9", "(h)"->"(g)"; case
   is kept); ``changed`` = the whitespace/typography-normalised heading or text differs.

Status precedence (one label per row, flags carry the rest)::

    added | removed  >  changed  >  moved  >  renumbered  >  unchanged

The kind of change a reader is told (editorial, substantive, split, merged...) is
:func:`documents.kinds.change_kind` of a row, which every surface uses.

Cross-document mode (``cross_document=True``) pairs clauses of two different
documents (e.g. two publishers' API terms) about the same subject: TF-IDF cosine
over lightly stemmed words of heading+text (headings count double, words that
occur in only one of the documents - publisher names - are damped), a lower
threshold, greedy mutual best. ``moved`` and ``renumbered`` are always False there
(numbering and order of two different documents say nothing), and paired rows are
"changed" unless their texts are identical ("unchanged").

Caveats: similarity is lexical, not semantic - a clause rewritten in different
words (under a new heading) comes out as removed + added.
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from documents import wordflow

__all__ = [
    "ADDED",
    "CHANGED",
    "MOVED",
    "REMOVED",
    "RENUMBERED",
    "UNCHANGED",
    "STATUS_PRECEDENCE",
    "AlignedRow",
    "align",
    "normalize_number",
    "summary",
]

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"
MOVED = "moved"
RENUMBERED = "renumbered"
UNCHANGED = "unchanged"
#: Most important first; ``status`` is the first that applies.
STATUS_PRECEDENCE = (ADDED, REMOVED, CHANGED, MOVED, RENUMBERED, UNCHANGED)

#: Minimum blended score for two versions of the same document.
VERSION_THRESHOLD = 0.5
#: Minimum TF-IDF cosine for two different documents.
CROSS_DOCUMENT_THRESHOLD = 0.3

# Bounded all-pairs scoring: a gap between two exact anchors is scored in full
# only if it has at most this many old x new pairs (rapidfuzz, ~0.1-1 us a pair).
_BLOCK_BUDGET = 40_000
_HEADING_CANDIDATES_CAP = 25
# Half-width of the positional band scored in gaps too big to score in full.
_BAND = 3


@dataclass(frozen=True)
class AlignedRow:
    """One line of a comparison.

    ``old_index`` / ``new_index`` index the input sequences (None for an added /
    removed clause). ``similarity`` is 0..1 (1.0 for identical text, 0.0 for
    unpaired rows). ``status`` is the single most important label (see
    ``STATUS_PRECEDENCE``); the boolean flags say everything that applies, so a
    pair can be both ``changed`` and ``renumbered``.
    """

    old_index: int | None
    new_index: int | None
    status: str
    similarity: float
    changed: bool = False
    moved: bool = False
    renumbered: bool = False
    #: An added clause made of part of an old clause's words (a split): that old index.
    came_from: int | None = None
    #: A removed clause whose words went into other clauses: their new indexes (one: a
    #: merge into it; several: a split).
    went_to: tuple[int, ...] = ()

    @property
    def paired(self) -> bool:
        return self.old_index is not None and self.new_index is not None


# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------

# Zero-width and soft-hyphen characters appear in captured pages (wix, wise) and
# must not make identical clauses differ; typography that OTA extraction flips
# between captures (curly quotes, dashes) is not a change in the terms either.
_FOLD = {ch: "" for ch in "\u200b\u200c\u200d\u2060\ufeff\u00ad"}
_FOLD.update({ch: "'" for ch in "\u2018\u2019\u201a\u201b"})
_FOLD.update({ch: '"' for ch in "\u201c\u201d\u201e\u201f"})
_FOLD.update({ch: "-" for ch in "\u2013\u2014\u2212\u2010\u2011"})
# A regex finds the (rare) characters to fold much faster than str.translate
# with a dict table walks every character.
_FOLD_RE = re.compile("[" + "".join(_FOLD) + "]")
_WORD_RE = re.compile(r"\w+")
_NUMBER_STRIP = "()[]{}.:;,- \t"


def _clean(s: Any) -> str:
    """Whitespace/typography-normalised text: what 'unchanged' compares."""
    if not s:
        return ""
    s = str(s)
    if not s.isascii():
        s = _FOLD_RE.sub(lambda m: _FOLD[m.group()], unicodedata.normalize("NFKC", s))
    return " ".join(s.split())


def normalize_number(number: Any) -> str:
    """Printed clause number without decoration: "(h)"->"h", "10."->"10", "3.4"->"3.4".

    Case is kept on purpose: "(a)"->"(A)" is a change of marker that the corpus
    notes count as renumbering.
    """
    s = _clean(number)
    # "**12.5**" style leftovers and surrounding brackets/dots are decoration.
    s = s.replace("*", "").replace("\\", "").strip(_NUMBER_STRIP)
    return s


def _strip_leading_number(text: str, number: str) -> str:
    """Drop the printed number if a parser left it at the start of the text.

    Numbers are never part of the exact-match key, so "10. Foo" and "9. Foo" are
    the same text.
    """
    if not number or not text.startswith(number):
        return text
    rest = text[len(number):]
    if not rest:
        return text
    # "C" must not eat the C of "Characteristics", nor "A" the article "A licence":
    # a letter marker only counts when punctuation follows it.
    if rest[0] in ".):" or (rest[0].isspace() and (number[0] in "([" or any(ch.isdigit() for ch in number))):
        return rest.lstrip(" .):")
    return text


def _heading_key(heading: str) -> str:
    hwords = _WORD_RE.findall(heading.casefold())
    # A printed number inside the heading ("1 Scope", "2.Applicable scope") is
    # numbering, not the heading: one capture puts it there, the next beside it.
    while hwords and hwords[0].isdigit():
        hwords.pop(0)
    return " ".join(hwords)


class _Clause:
    """Prepared view of one input clause (slots: this runs 10k times per align)."""

    __slots__ = ("idx", "number", "heading", "text", "hkey", "tkey", "words", "codes", "hcodes")

    @property
    def flow_words(self) -> list[str]:
        """Every word of the clause, heading first: what the word flow follows."""
        return (self.hkey.split() if self.hkey else []) + self.words

    def __init__(self, idx: int, obj: Any, *, with_text: bool = True):
        self.idx = idx
        raw_number = getattr(obj, "number", "") or ""
        raw_heading = getattr(obj, "heading", "") or ""
        if not with_text:
            # Anchored to its verbatim twin (see _verbatim_runs): it is compared with
            # nothing else, and preparing texts is most of the cost of aligning two
            # near-identical versions. Raw number and heading equal the twin's; the
            # heading key is worked out only if a fuzzy pass counts headings.
            self.number, self.heading, self.hkey = raw_number, raw_heading, None
            self.text, self.words, self.tkey = "", [], ""
            self.codes = self.hcodes = ""
            return
        self.number = normalize_number(raw_number)
        self.heading = _clean(raw_heading)
        self.hkey = _heading_key(self.heading)
        text = _clean(getattr(obj, "text", "") or "")
        self.text = _strip_leading_number(text, _clean(raw_number))
        self.words = _WORD_RE.findall(self.text.casefold())
        self.tkey = " ".join(self.words)
        self.codes = ""  # word-coded text, filled only for fuzzy candidates
        self.hcodes = ""  # same for the heading


def _prepare(clauses: Iterable[Any], anchored: set[int] = frozenset()) -> list[_Clause]:
    return [_Clause(i, c, with_text=i not in anchored) for i, c in enumerate(clauses)]


def _raw(c: Any) -> tuple:
    return (getattr(c, "number", "") or "", getattr(c, "heading", "") or "", getattr(c, "text", "") or "")


#: Verbatim runs at least this long are paired before anything else is looked at.
_ANCHOR_RUN = 3


def _verbatim_runs(old: Sequence[Any], new: Sequence[Any]) -> list[tuple[int, int]]:
    """Pairs of clauses identical to the letter (number, heading and text) that lie in
    runs of at least ``_ANCHOR_RUN`` in the same order on both sides.

    One longest common subsequence over hashed clauses (bit-parallel, so about n * m / 64
    steps) settles most of two versions that differ in a few clauses: the rest of the
    aligner then prepares and scores only what is left, so a one-word fix to a
    2,000-clause document costs little more than hashing it. Short runs are left to the
    full passes, where a lone repeated "(a)" or boilerplate line pairs by context.
    """
    raw_a = [_raw(c) for c in old]
    raw_b = [_raw(c) for c in new]
    if raw_a == raw_b:
        return [(i, i) for i in range(len(raw_a))]
    pairs: list[tuple[int, int]] = []
    for block in Indel.opcodes(raw_a, raw_b).as_matching_blocks():
        if block.size >= _ANCHOR_RUN:
            pairs.extend((block.a + t, block.b + t) for t in range(block.size))
    return pairs


# --------------------------------------------------------------------------
# Exact pass
# --------------------------------------------------------------------------


def _ordered_assignment(olds: list[int], news: list[int], na: int, nb: int) -> list[tuple[int, int]]:
    """Pair occurrences of one duplicated text, preserving order.

    Equal counts pair strictly in order. Otherwise choose the order-preserving
    matching of min(m, n) pairs that minimises the distance in relative position
    (small DP), so a boilerplate line deleted from section 3 but kept in section 7
    does not pair 3 with 7.
    """
    m, n = len(olds), len(news)
    if m == n or m * n > 10_000:
        return list(zip(olds, news))
    if m > n:
        swapped = _ordered_assignment(news, olds, nb, na)
        return [(i, j) for j, i in swapped]
    # m < n: pick m of the n news, increasing; dp[k][t] = best cost pairing the
    # first k olds within the first t news.
    ra = [i / max(na, 1) for i in olds]
    rb = [j / max(nb, 1) for j in news]
    inf = float("inf")
    dp = [[inf] * (n + 1) for _ in range(m + 1)]
    take = [[False] * (n + 1) for _ in range(m + 1)]
    for t in range(n + 1):
        dp[0][t] = 0.0
    for k in range(1, m + 1):
        for t in range(k, n + 1):
            skip = dp[k][t - 1]
            use = dp[k - 1][t - 1] + abs(ra[k - 1] - rb[t - 1])
            if use <= skip:
                dp[k][t], take[k][t] = use, True
            else:
                dp[k][t] = skip
    pairs = []
    k, t = m, n
    while k > 0:
        if take[k][t]:
            pairs.append((olds[k - 1], news[t - 1]))
            k -= 1
        t -= 1
    pairs.reverse()
    return pairs


def _exact_pairs(
    a: list[_Clause],
    b: list[_Clause],
    free_a: set[int],
    free_b: set[int],
    keyfn,
    prior: list[tuple[int, int]],
) -> list[tuple[int, int]]:
    """Pair clauses whose keys are equal.

    Keys found once on each side pair directly. Repeated keys (boilerplate items,
    pages captured twice, a list copied into a new section) are paired in order
    *within each gap* between the unique pairs, by a longest common subsequence
    of the keys, so that a whole copy of a list pairs with the copy at the same
    place rather than item by item with whichever copy is nearest. What is left
    (a repeated clause that moved elsewhere) pairs per key in order.
    """
    by_key_a: dict[str, list[int]] = defaultdict(list)
    for c in a:
        if c.idx in free_a:
            k = keyfn(c)
            if k is not None:
                by_key_a[k].append(c.idx)
    by_key_b: dict[str, list[int]] = defaultdict(list)
    for c in b:
        if c.idx in free_b:
            k = keyfn(c)
            if k is not None and k in by_key_a:
                by_key_b[k].append(c.idx)
    pairs: list[tuple[int, int]] = []
    dup_keys = []
    for k, news in by_key_b.items():
        olds = by_key_a[k]
        if len(olds) == 1 and len(news) == 1:
            pairs.append((olds[0], news[0]))
        else:
            dup_keys.append(k)
    if dup_keys:
        anchors = sorted(_lis_pairs(prior + pairs))
        anchor_a = [i for i, _ in anchors]
        anchor_b = [j for _, j in anchors]
        key_a = {i: k for k in dup_keys for i in by_key_a[k]}
        key_b = {j: k for k in dup_keys for j in by_key_b[k]}
        gaps_a: dict[int, list[int]] = defaultdict(list)
        for i in sorted(key_a):
            gaps_a[bisect_left(anchor_a, i)].append(i)
        gaps_b: dict[int, list[int]] = defaultdict(list)
        for j in sorted(key_b):
            gaps_b[bisect_left(anchor_b, j)].append(j)
        used_a: set[int] = set()
        used_b: set[int] = set()
        for g, olds in gaps_a.items():
            news = gaps_b.get(g)
            if not news:
                continue
            for op in Indel.opcodes([key_a[i] for i in olds], [key_b[j] for j in news]):
                if op.tag == "equal":
                    for t in range(op.src_end - op.src_start):
                        i, j = olds[op.src_start + t], news[op.dest_start + t]
                        pairs.append((i, j))
                        used_a.add(i)
                        used_b.add(j)
        for k in dup_keys:
            olds = [i for i in by_key_a[k] if i not in used_a]
            news = [j for j in by_key_b[k] if j not in used_b]
            if olds and news:
                pairs.extend(_ordered_assignment(olds, news, len(a), len(b)))
    for i, j in pairs:
        free_a.discard(i)
        free_b.discard(j)
    return pairs


def _key_full(c: _Clause):
    # Heading + text; clauses with neither (empty list items) never pair exactly.
    if not c.tkey and not c.hkey:
        return None
    return c.hkey + "\x00" + c.tkey


def _key_text(c: _Clause):
    return c.tkey or None


# --------------------------------------------------------------------------
# Longest increasing subsequence (moved detection, anchors)
# --------------------------------------------------------------------------


def _lis_pairs(pairs: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
    """Pairs on a longest chain increasing in both old and new index (O(n log n))."""
    if not pairs:
        return set()
    seq = sorted(pairs)
    tails: list[int] = []  # new index ending the best chain of each length
    tails_at: list[int] = []  # position in seq of that tail
    prev = [-1] * len(seq)
    for pos, (_, j) in enumerate(seq):
        k = bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tails_at.append(pos)
        else:
            tails[k] = j
            tails_at[k] = pos
        prev[pos] = tails_at[k - 1] if k > 0 else -1
    out = set()
    pos = tails_at[-1]
    while pos != -1:
        out.add(seq[pos])
        pos = prev[pos]
    return out


# --------------------------------------------------------------------------
# Fuzzy pass (versions of one document)
# --------------------------------------------------------------------------


def _encode_words(clauses: Iterable[_Clause], vocab: dict[str, str]) -> None:
    """Word-level strings: each distinct word becomes one character.

    rapidfuzz then computes a *word*-level Indel ratio at full C speed (and
    process.extract works on them). Word level matters: character ratios of unrelated English
    paragraphs sit around 0.4-0.5, too close to any sensible threshold.
    """
    def code(w: str) -> str:
        ch = vocab.get(w)
        if ch is None:
            n = len(vocab) + 0x100  # skip control/latin-1 range
            if n >= 0xD800:  # skip surrogates
                n += 0x800
            ch = vocab[w] = chr(n % 0x110000)
        return ch

    get = vocab.get
    for c in clauses:
        c.codes = "".join([get(w) or code(w) for w in c.words])
        c.hcodes = "".join([get(w) or code(w) for w in c.hkey.split()])


_CONTAINMENT_MIN_WORDS = 8
_CONTAINMENT_MAX_SIZE_RATIO = 4.0
_CONTAINMENT_MIN_SHARE = 0.8
_CONTAINMENT_WEIGHT = 0.75


def _with_containment(ratio: float, la: int, lb: int) -> float:
    """Word ratio, lifted when the shorter text really is inside the longer one.

    A list item cut from 30 words to its first 10 ("is obscene ... dignity
    (including for example ...)" -> "is obscene ... dignity;") has a ratio of only
    0.5 though every word of the new text was there. The common subsequence is
    recovered from the ratio itself (ratio = 2*lcs / (la+lb)). The lift needs all
    three: the shorter text is of a real size (a few generic words are inside too
    many clauses), at least 80 % of it is found in order in the longer one, and the
    longer one is at most four times as long: a short clause "contained" in a
    giant flat capture says nothing about being the same provision, and lifting
    it is what carried keys on to unrelated texts.
    """
    short, long_ = min(la, lb), max(la, lb)
    if short < _CONTAINMENT_MIN_WORDS or long_ > _CONTAINMENT_MAX_SIZE_RATIO * short:
        return ratio
    share = ratio * (la + lb) / 2.0 / short
    if share < _CONTAINMENT_MIN_SHARE:
        return ratio
    return max(ratio, _CONTAINMENT_WEIGHT * share)


#: Score of two clauses with the same heading, found once in each version, whatever
#: their texts: above the threshold, below any pair that also keeps its words.
_UNIQUE_HEADING_FLOOR = 0.7


def _blend(ts: float | None, hs: float | None, a: _Clause, b: _Clause) -> float:
    """Blend word-level text similarity with heading similarity (both 0..1)."""
    if not a.tkey and not b.tkey:
        return hs or 0.0  # heading-only clauses (section titles)
    if not a.tkey or not b.tkey:
        # a bare section title that gained (or lost) an intro paragraph
        return 0.6 * hs if hs is not None else 0.0
    if hs is None:
        return ts
    return 0.7 * ts + 0.3 * hs


def _heading_sim(a: _Clause, b: _Clause) -> float | None:
    if not a.hkey or not b.hkey:
        return None
    if a.hkey == b.hkey:
        return 1.0
    return fuzz.ratio(a.hkey, b.hkey) / 100.0


def _anchored_hkey(c: _Clause) -> str:
    """Heading key of any clause, worked out on demand for an anchored one."""
    if c.hkey is None:
        c.hkey = _heading_key(_clean(c.heading))
    return c.hkey


def _fuzzy_pairs(
    a: list[_Clause],
    b: list[_Clause],
    free_a: set[int],
    free_b: set[int],
    anchors: list[tuple[int, int]],
    threshold: float,
) -> list[tuple[int, int, float]]:
    """Candidates scored by word ratio and heading, within the gaps between ``anchors``
    and by identical headings (what lies elsewhere the word flow follows)."""
    if not free_a or not free_b:
        return []
    ua = [a[i] for i in sorted(free_a)]
    ub = [b[j] for j in sorted(free_b)]
    vocab: dict[str, str] = {}
    _encode_words(ua, vocab)
    _encode_words(ub, vocab)

    scores: dict[tuple[int, int], float] = {}
    # Text ratio (0..100) below which a pair is not worth scoring: the lowest
    # that could reach the threshold with a perfect heading (see _blend), but
    # at most 10, because containment can lift a low ratio when one text is
    # much longer than the other (see _with_containment).
    # Containment (see _with_containment) only lifts ratios above
    # 2 * 0.8 / (1 + 4) = 0.32, and a unique identical heading finds its pair
    # through the heading index below, so the cut can stay at 28.
    cut = min(28.0, max(0.0, (threshold - 0.3) / 0.7 * 100.0 - 0.5))
    # Headings found once in each version: an identical one is strong evidence of
    # the same provision even when its text was rewritten.
    # (Counted on first use: most alignments of near-identical versions never ask.)
    head_counts: list[Counter[str]] = []

    def unique_heading(ca: _Clause, cb: _Clause) -> bool:
        if not head_counts:
            head_counts.append(Counter(k for k in map(_anchored_hkey, a) if k))
            head_counts.append(Counter(k for k in map(_anchored_hkey, b) if k))
        return head_counts[0][ca.hkey] == 1 and head_counts[1][cb.hkey] == 1

    def score(ca: _Clause, cb: _Clause, ts: float | None = None) -> None:
        key = (ca.idx, cb.idx)
        if key in scores:
            return
        if ts is None and ca.codes and cb.codes:
            ts = fuzz.ratio(ca.codes, cb.codes) / 100.0
        if ts is not None:
            ts = _with_containment(ts, len(ca.codes), len(cb.codes))
        s = _blend(ts, _heading_sim(ca, cb), ca, cb)
        if ca.hkey and ca.hkey == cb.hkey and unique_heading(ca, cb):
            s = max(s, _UNIQUE_HEADING_FLOOR + (1.0 - _UNIQUE_HEADING_FLOOR) * (ts or 0.0))
        scores[key] = s

    # 1. Gaps between consecutive anchors: an edited clause usually stays
    #    between the same unchanged neighbours.
    gaps_a: dict[int, list[_Clause]] = defaultdict(list)
    gaps_b: dict[int, list[_Clause]] = defaultdict(list)
    anchor_a = [i for i, _ in anchors]
    anchor_b = [j for _, j in anchors]
    gap_of_a: dict[int, int] = {}
    gap_of_b: dict[int, int] = {}
    for c in ua:
        g = gap_of_a[c.idx] = bisect_left(anchor_a, c.idx)
        gaps_a[g].append(c)
    for c in ub:
        g = gap_of_b[c.idx] = bisect_left(anchor_b, c.idx)
        gaps_b[g].append(c)
    for g, ga in gaps_a.items():
        gb = gaps_b.get(g)
        if not gb:
            continue
        if len(ga) * len(gb) <= _BLOCK_BUDGET:
            # The whole block, one process.extract per old clause (cdist
            # would need numpy, which is not installed); rapidfuzz skips
            # pairs early once they can't reach ``cut``.
            tb = [c.codes for c in gb]
            some_title_only = any(not c.codes for c in gb)
            for ca in ga:
                if ca.codes:
                    for _, ts, y in process.extract(
                        ca.codes, tb, scorer=fuzz.ratio, limit=None, score_cutoff=cut
                    ):
                        if gb[y].codes:
                            score(ca, gb[y], ts / 100.0)
                if ca.hkey and (not ca.codes or some_title_only):
                    for cb in gb:  # title-only clauses: heading is all we have
                        if cb.hkey and not (ca.codes and cb.codes):
                            score(ca, cb)
        else:
            # Too big to score in full (a rewrite, or no anchors at all): score
            # a band around the proportional position; the indexes below find
            # the rest.
            ratio = len(gb) / len(ga)
            for x, ca in enumerate(ga):
                mid = int(x * ratio)
                for cb in gb[max(0, mid - _BAND) : mid + _BAND + 1]:
                    score(ca, cb)

    # 2. Identical headings anywhere (sections that moved, titles kept).
    head_b: dict[str, list[_Clause]] = defaultdict(list)
    for c in ub:
        if c.hkey:
            head_b[c.hkey].append(c)
    for ca in ua:
        if ca.hkey:
            for cb in head_b.get(ca.hkey, ())[:_HEADING_CANDIDATES_CAP]:
                score(ca, cb)

    # Greedy by score = iterated mutual best. Same gap is a small bonus in the
    # *ordering* only; numbers and position break ties; the threshold applies to
    # the raw score.
    na, nb = max(len(a), 1), max(len(b), 1)
    ranked = []
    for (i, j), s in scores.items():
        if s < threshold:
            continue
        bonus = 0.03 if gap_of_a.get(i, -1) == gap_of_b.get(j, -2) else 0.0
        same_num = a[i].number == b[j].number and a[i].number != ""
        ranked.append((-(s + bonus), not same_num, abs(i / na - j / nb), i, j, s))
    ranked.sort()
    return _take_best_first((i, j, s) for *_, i, j, s in ranked)


def _take_best_first(ranked) -> list[tuple[int, int, float]]:
    """Accept (i, j, score) candidates in the given (best-first) order, each side at most
    once: iterated mutual best."""
    taken_a: set[int] = set()
    taken_b: set[int] = set()
    out = []
    for i, j, s in ranked:
        if i in taken_a or j in taken_b:
            continue
        taken_a.add(i)
        taken_b.add(j)
        out.append((i, j, s))
    return out


def _empty_pairs(
    a: list[_Clause], b: list[_Clause], free_a: set[int], free_b: set[int], pairs: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Pair clauses with neither heading nor text (a bare "(a)" whose words are in
    its children, an empty capture) in order *within the same gap* between
    aligned pairs, so they don't show up as noise pairs of added + removed, and
    can't cross anything.
    """
    ea = [i for i in sorted(free_a) if not a[i].tkey and not a[i].hkey]
    eb = [j for j in sorted(free_b) if not b[j].tkey and not b[j].hkey]
    if not ea or not eb:
        return []
    anchors = sorted(_lis_pairs(pairs))
    anchor_a = [i for i, _ in anchors]
    anchor_b = [j for _, j in anchors]
    gaps_b: dict[int, list[int]] = defaultdict(list)
    for j in eb:
        gaps_b[bisect_left(anchor_b, j)].append(j)
    gaps_a: dict[int, list[int]] = defaultdict(list)
    for i in ea:
        gaps_a[bisect_left(anchor_a, i)].append(i)
    out = []
    for g, olds in gaps_a.items():
        news = gaps_b.get(g)
        if news:
            out.extend(_ordered_assignment(olds, news, len(a), len(b)))
    for i, j in out:
        free_a.discard(i)
        free_b.discard(j)
    return out


# --------------------------------------------------------------------------
# Word-flow pass (versions of one document)
# --------------------------------------------------------------------------

#: A pair needs one side to be mostly the other: at least this share of the old
#: clause's (rarity-weighted) words went to the new one, or of the new one's came
#: from the old one ...
PAIR_SHARE = 0.5
#: ... and the other side at least this share (a three-word line found inside a long
#: clause is a part of it, not the same provision).
PAIR_MIN_SHARE = 0.1
#: Or both sides at least this share (a provision reworded, keeping a third of its
#: words on each side).
PAIR_BOTH_SHARE = 0.3
#: Or, for two clauses between the same paired neighbours, both sides this share and
#: this many content words.
PAIR_IN_PLACE_SHARE = 0.15
PAIR_IN_PLACE_WORDS = 5
#: ... and at least this many content words matched (fewer: left to the short-clause pass).
PAIR_MIN_WORDS = 3
#: An added clause is a part split off an old clause when at least this share of its
#: words came from it; a removed clause went to the new clauses holding at least
#: ``PART_SHARE`` of its words, when together they hold ``PARTS_TOTAL``.
PART_SHARE = 0.5
PARTS_TOTAL = 0.5
#: Clauses with fewer content words than this are too short to follow by their words
#: alone (a list item "(a) the Services;"); the short-clause pass pairs them in place.
FOLLOW_MIN_WORDS = 8


#: Below this many clauses left on either side, the words of the rest of the document are
#: not read for rarity: a one-word fix pairs its one clause without them, and reading
#: thousands of unchanged clauses would be most of its cost.
BACKGROUND_MIN_FREE = 3


def _background(old: Sequence[Any], exact: list[tuple[int, int]], free_a: set[int], free_b: set[int]) -> list[str]:
    """The words of the clauses already paired as identical (old side: the same words
    are in the new version), for the word flow to tell a formula the document repeats
    from a phrase of one provision."""
    if min(len(free_a), len(free_b)) < BACKGROUND_MIN_FREE or not exact:
        return []
    joined = "\n".join(" ".join(_raw(old[i])[1:]) for i, _ in exact)
    return _WORD_RE.findall(_clean(joined).casefold())


def _flow_pairs(
    a: list[_Clause], b: list[_Clause], free_a: set[int], free_b: set[int], anchors: list[tuple[int, int]],
    background: list[str] = (),
) -> tuple[list[tuple[int, int, float]], dict[int, int], dict[int, tuple[int, ...]], wordflow.WordFlow]:
    """Pairs that follow the words, and the splits and merges around them.

    Returns (pairs (i, j, similarity), {added new index: old index it came from},
    {removed old index: new indexes its words went to}, the flow). Pairs are taken
    greedily by matched word mass: the two clauses sharing most words pair first, each
    clause at most once, when one of them is mostly the other (``PAIR_SHARE``).
    """
    flow = wordflow.word_flow(
        [(i, a[i].flow_words) for i in sorted(free_a)], [(j, b[j].flow_words) for j in sorted(free_b)], background
    )
    anchor_a = [i for i, _ in anchors]
    anchor_b = [j for _, j in anchors]
    ranked = []
    for (i, j), m in flow.shared.items():
        # A heading names the provision: when a provision's words are spread over
        # several clauses, the part that keeps its heading continues it.
        same_heading = bool(a[i].hkey) and a[i].hkey == b[j].hkey
        if flow.count[(i, j)] < (1 if same_heading else PAIR_MIN_WORDS):
            continue
        # Words the whole document repeats (a formula each section has) are no evidence
        # on their own that two clauses are one provision.
        if not same_heading and not flow.distinctive.get((i, j)):
            continue
        so, sn = flow.share_old(i, j), flow.share_new(i, j)
        lo, hi = min(so, sn), max(so, sn)
        if (
            (hi >= PAIR_SHARE and (same_heading or lo >= PAIR_MIN_SHARE))
            or lo >= PAIR_BOTH_SHARE
            # Between the same paired neighbours, a rewrite keeping less is still the
            # provision that stood there.
            or (lo >= PAIR_IN_PLACE_SHARE and flow.count[(i, j)] >= PAIR_IN_PLACE_WORDS
                and bisect_left(anchor_a, i) == bisect_left(anchor_b, j))
        ):
            # Words first; a similar heading (the part of a split section that keeps
            # its title) counts up to as much again.
            hs = _heading_sim(a[i], b[j]) or 0.0
            ranked.append((0 if same_heading else 2, -m * (1.0 + hs), i, j))
    # A heading found once in each version names the same provision however much its
    # words were rewritten (after the pairs that keep the heading and words, before
    # those that keep words only: the part of a split section that keeps its title
    # continues it).
    qualified = {(i, j) for _, _, i, j in ranked}
    heads_b: dict[str, list[int]] = defaultdict(list)
    for j in free_b:
        if b[j].hkey:
            heads_b[b[j].hkey].append(j)
    counts: list[Counter[str]] = []
    for i in sorted(free_a):
        for j in heads_b.get(a[i].hkey, ()) if a[i].hkey else ():
            if (i, j) in qualified:
                continue
            if not counts:
                counts = [Counter(k for k in map(_anchored_hkey, a) if k), Counter(k for k in map(_anchored_hkey, b) if k)]
            if counts[0][a[i].hkey] == 1 and counts[1][a[i].hkey] == 1:
                ranked.append((1, -flow.shared.get((i, j), 0.0), i, j))
    ranked.sort()
    pairs = []
    for i, j, _ in _take_best_first((i, j, 0.0) for _, _, i, j in ranked):
        pairs.append((i, j, _word_similarity(a[i], b[j])))
    paired_a = {i for i, _, _ in pairs}
    paired_b = {j for _, j, _ in pairs}
    came_from: dict[int, int] = {}
    went_to: dict[int, tuple[int, ...]] = {}
    # Removed clauses whose words are (mostly) in other clauses: merged or split.
    for i in free_a - paired_a:
        # A bare title's few words found in a body say nothing of where it went.
        if flow.words_old.get(i, 0) < PAIR_MIN_WORDS or not a[i].words:
            continue
        dests = [(j, s) for j, s in flow.destinations(i) if s >= PART_SHARE / 3 and flow.distinctive.get((i, j))]
        if dests and sum(s for _, s in dests) >= PARTS_TOTAL:
            went_to[i] = tuple(sorted(j for j, _ in dests))
    # Added clauses mostly made of one old clause's words: split off it.
    sources: dict[int, tuple[float, int]] = {}
    for (i, j), m in flow.shared.items():
        if j in paired_b or flow.words_new.get(j, 0) < PAIR_MIN_WORDS or not flow.distinctive.get((i, j)):
            continue
        sn = flow.share_new(i, j)
        if sn >= PART_SHARE and (i in paired_a or i in went_to) and sn > sources.get(j, (0.0, -1))[0]:
            sources[j] = (sn, i)
    came_from = {j: i for j, (_, i) in sources.items()}
    return pairs, came_from, went_to, flow


def _word_similarity(ca: _Clause, cb: _Clause) -> float:
    """Share of words kept, in order (heading words included)."""
    wa, wb = ca.flow_words, cb.flow_words
    if not wa and not wb:
        return 1.0
    return Indel.normalized_similarity(wa, wb)


def _short_pairs(
    a: list[_Clause], b: list[_Clause], free_a: set[int], free_b: set[int], anchors: list[tuple[int, int]],
    flow: wordflow.WordFlow, threshold: float,
) -> list[tuple[int, int, float]]:
    """What words alone cannot follow: short clauses (list items, titles) paired with a
    similar one between the same paired neighbours, and a clause rewritten under a
    heading found once in each version."""
    got = _fuzzy_pairs(a, b, set(free_a), set(free_b), anchors, threshold)
    if not got:
        return []
    anchor_a = [i for i, _ in anchors]
    anchor_b = [j for _, j in anchors]
    heads_a = Counter(k for k in map(_anchored_hkey, a) if k)
    heads_b = Counter(k for k in map(_anchored_hkey, b) if k)
    out = []
    for i, j, s in got:
        ca, cb = a[i], b[j]
        same_heading = bool(ca.hkey) and ca.hkey == cb.hkey and heads_a[ca.hkey] == 1 and heads_b[cb.hkey] == 1
        short = min(flow.words_old.get(i, 0), flow.words_new.get(j, 0)) < FOLLOW_MIN_WORDS
        in_place = bisect_left(anchor_a, i) == bisect_left(anchor_b, j)
        if same_heading or (short and in_place):
            out.append((i, j, s))
    for i, j, _ in out:
        free_a.discard(i)
        free_b.discard(j)
    return out


# --------------------------------------------------------------------------
# Cross-document pass
# --------------------------------------------------------------------------

# The same stop words as the word flow: one list of what carries no evidence.
_STOP = wordflow.STOP
_SUFFIXES = ("ational", "ations", "ation", "ments", "ment", "ings", "ing", "ities", "ity",
             "ies", "ers", "er", "ed", "es", "s")


def _stem(w: str) -> str:
    """Crude suffix stripping: enough for "limitations"/"limits", "terminate"/"termination"."""
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            w = w[: -len(suf)]
            break
    if len(w) > 5 and w.endswith("e"):
        w = w[:-1]
    return w


def _terms(c: _Clause) -> Counter[str]:
    tf: Counter[str] = Counter()
    for w in c.words:
        if w not in _STOP and len(w) > 1 and not w.isdigit():
            tf[_stem(w)] += 1
    for w in c.hkey.split():
        if w not in _STOP and len(w) > 1 and not w.isdigit():
            tf[_stem(w)] += 2  # headings say what a clause is about
    return tf


_CROSS_MIN_TERMS = 8


def _cross_pairs(
    a: list[_Clause], b: list[_Clause], free_a: set[int], free_b: set[int], threshold: float
) -> list[tuple[int, int, float]]:
    ua = [a[i] for i in sorted(free_a)]
    ub = [b[j] for j in sorted(free_b)]
    tfa = [_terms(c) for c in ua]
    tfb = [_terms(c) for c in ub]
    df_a: Counter[str] = Counter()
    df_b: Counter[str] = Counter()
    for t in tfa:
        df_a.update(t.keys())
    for t in tfb:
        df_b.update(t.keys())
    n = len(ua) + len(ub)

    def vectors(tfs, own_df, other_df):
        out = []
        for tf in tfs:
            v = {}
            for t, cnt in tf.items():
                df = own_df[t] + other_df[t]
                w = (1.0 + math.log(cnt)) * (math.log((n + 1) / (df + 1)) + 1.0)
                if not other_df[t]:
                    w *= 0.3  # words only one document uses (its own name) can't match
                v[t] = w
            norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
            out.append({t: w / norm for t, w in v.items()})
        return out

    va = vectors(tfa, df_a, df_b)
    vb = vectors(tfb, df_b, df_a)
    post: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for y, v in enumerate(vb):
        for t, w in v.items():
            post[t].append((y, w))
    # Small documents: exact cosine. Big ones: words found in many clauses add
    # little to a cosine but most of the cost (every pair), so they are left out
    # of the accumulation (still in the norms: scores only get lower).
    df_cap = len(vb) if len(va) * len(vb) <= 250_000 else max(50, len(vb) // 20)
    ranked = []
    for x, v in enumerate(va):
        acc: dict[int, float] = defaultdict(float)
        for t, w in v.items():
            plist = post.get(t, ())
            if len(plist) > df_cap:
                continue
            for y, w2 in plist:
                acc[y] += w * w2
        for y, s in acc.items():
            # A few shared words between two short clauses (a title, a line of
            # page furniture) make a high cosine on little evidence: damp it.
            s *= min(1.0, math.sqrt(min(len(v), len(vb[y])) / _CROSS_MIN_TERMS))
            if s >= threshold:
                ranked.append((-s, ua[x].idx, ub[y].idx, min(s, 1.0)))
    ranked.sort()
    return _take_best_first((i, j, s) for _, i, j, s in ranked)


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def _text_similarity(ca: _Clause, cb: _Clause) -> float:
    """Similarity reported for an exact-key pair: 1.0 unless punctuation/case differ."""
    if ca.text == cb.text and ca.heading == cb.heading:
        return 1.0
    ts = fuzz.ratio(ca.text, cb.text) / 100.0 if (ca.text or cb.text) else 1.0
    if ca.heading != cb.heading and ca.hkey and cb.hkey:
        return 0.7 * ts + 0.3 * fuzz.ratio(ca.heading, cb.heading) / 100.0
    return ts


def align(
    old: Sequence[Any],
    new: Sequence[Any],
    *,
    cross_document: bool = False,
    threshold: float | None = None,
) -> list[AlignedRow]:
    """Align the clauses of ``old`` with those of ``new``.

    Returns rows in display order: the order of ``new``, with each removed old
    clause placed right after the row of its nearest preceding old clause that is
    paired and not moved (or at the top if there is none); a run of removed
    clauses keeps its old order.

    ``threshold`` overrides the minimum pairing score (default
    ``VERSION_THRESHOLD`` or ``CROSS_DOCUMENT_THRESHOLD``). See the module
    docstring for the method, status precedence and caveats.
    """
    verbatim = [] if cross_document else _verbatim_runs(old, new)
    a = _prepare(old, {i for i, _ in verbatim})
    b = _prepare(new, {j for _, j in verbatim})
    free_a = set(range(len(a))) - {i for i, _ in verbatim}
    free_b = set(range(len(b))) - {j for _, j in verbatim}

    # Exact pass: heading+text first, so that a repeated paragraph under two
    # different headings pairs with the right one; then text alone.
    exact = list(verbatim)
    exact += _exact_pairs(a, b, free_a, free_b, _key_full, exact)
    exact += _exact_pairs(a, b, free_a, free_b, _key_text, exact)
    came_from: dict[int, int] = {}
    went_to: dict[int, tuple[int, ...]] = {}
    if cross_document:
        fuzzy = _cross_pairs(a, b, free_a, free_b, CROSS_DOCUMENT_THRESHOLD if threshold is None else threshold)
    elif free_a and free_b:
        fuzzy, came_from, went_to, flow = _flow_pairs(
            a, b, free_a, free_b, sorted(_lis_pairs(exact)), _background(old, exact, free_a, free_b)
        )
        for i, j, _ in fuzzy:
            free_a.discard(i)
            free_b.discard(j)
        if free_a and free_b:
            anchors = sorted(_lis_pairs(exact + [(i, j) for i, j, _ in fuzzy]))
            short = _short_pairs(
                a, b, free_a, free_b, anchors, flow, VERSION_THRESHOLD if threshold is None else threshold
            )
            fuzzy += short
            # A short clause paired in place is no part of a split or merge.
            for i, j, _ in short:
                went_to.pop(i, None)
                came_from.pop(j, None)
            paired_old = {i for i, _, _ in fuzzy}
            came_from = {j: i for j, i in came_from.items() if i in paired_old or i in went_to}
        for i in went_to:
            free_a.discard(i)
        for j in came_from:
            free_b.discard(j)
    else:
        fuzzy = []

    if not cross_document:
        exact += _empty_pairs(a, b, free_a, free_b, exact + [(i, j) for i, j, _ in fuzzy])

    pair_sim: dict[tuple[int, int], float] = dict.fromkeys(verbatim, 1.0)
    for i, j in exact[len(verbatim):]:
        pair_sim[(i, j)] = _text_similarity(a[i], b[j])
    for i, j, s in fuzzy:
        pair_sim[(i, j)] = s
    in_order = _lis_pairs(list(pair_sim)) if not cross_document else set(pair_sim)

    old_to_new = {i: j for i, j in pair_sim}
    rows_by_new: dict[int, AlignedRow] = {}
    for (i, j), sim in pair_sim.items():
        ca, cb = a[i], b[j]
        changed = ca.text != cb.text or ca.heading != cb.heading
        moved = (i, j) not in in_order
        renumbered = (not cross_document) and ca.number != cb.number
        if changed:
            status = CHANGED
            sim = min(sim, 0.999)  # a changed pair never reads as 100 %
        elif moved:
            status = MOVED
        elif renumbered:
            status = RENUMBERED
        else:
            status = UNCHANGED
            sim = 1.0
        rows_by_new[j] = AlignedRow(i, j, status, round(sim, 4), changed, moved, renumbered)

    # Display order: new order, removed clauses after their old predecessor.
    keyed: list[tuple[tuple[int, int, int], AlignedRow]] = []
    for j in range(len(b)):
        row = rows_by_new.get(j) or AlignedRow(None, j, ADDED, 0.0, came_from=came_from.get(j))
        keyed.append(((j, 0, 0), row))
    anchor_new = -1
    for i in range(len(a)):
        j = old_to_new.get(i)
        if j is not None:
            if (i, j) in in_order:
                anchor_new = j
            continue
        keyed.append(((anchor_new, 1, i), AlignedRow(i, None, REMOVED, 0.0, went_to=went_to.get(i, ()))))
    keyed.sort(key=lambda kr: kr[0])
    return [r for _, r in keyed]


def summary(rows: Iterable[AlignedRow]) -> dict[str, int]:
    """Counts for a banner.

    ``added``, ``removed`` and ``unchanged`` count rows by status; ``changed``,
    ``moved`` and ``renumbered`` count the *flags*, so a clause that was both
    edited and renumbered counts in both (the counts need not add up to the
    number of rows, which is given as ``total``).
    """
    out = {k: 0 for k in (CHANGED, ADDED, REMOVED, MOVED, RENUMBERED, UNCHANGED)}
    total = 0
    for r in rows:
        total += 1
        if r.status in (ADDED, REMOVED, UNCHANGED):
            out[r.status] += 1
        out[CHANGED] += r.changed
        out[MOVED] += r.moved
        out[RENUMBERED] += r.renumbered
    out["total"] = total
    return out
