"""A search on the portal's Whoosh engine: the query tree compiled to Whoosh queries,
the total and facets counted with document sets, only the shown page scored.

Where each form of the query language looks:

* plain words: the stemmed ``text`` field (and the boosted ``heading``);
* ``"a phrase"``: the unstemmed ``surface`` field, with positions: the words as written;
* ``term*``: the words of the ``surface`` field's lexicon that start with ``term``
  (at most ``MAX_EXPANSION``, with a notice beyond), so ``liabilit*`` finds
  "liability" and "liabilities" whatever their stems;
* ``word~``: surface words one (or two) letters off;
* field filters: the keyword columns.

The total and the facet counts come from document-number sets (``DocSets``: postings
read a block at a time, filter and facet-value sets kept per index generation), and
only the shown page is scored and highlighted. Every step checks the request's
``Budget`` and stops when it is spent.
"""

from __future__ import annotations

import datetime as dt
import time
import weakref
from collections import Counter
from itertools import accumulate

from documents.search.folding import fold
from documents.search.params import FACETS, PAGE_SIZE, SearchParams
from documents.search.query import MIN_PREFIX, And, Not, Or, ParsedQuery, Term
from documents.search.results import SearchOutcome, facet_values, hit_from_fields
from documents.search.snippets import Marks, Snippet, snippet

MAX_EXPANSION = 256  # surface words a prefix or fuzzy term may expand to
MAX_TOTAL_EXPANSION = 1024  # ... and all of a query's prefix and fuzzy terms together
MAX_EXPANDING_TERMS = 8  # prefix and fuzzy terms per query; later ones are plain words
MAX_PHRASE_WORDS = 12
SUGGEST_MIN, SUGGEST_MAX = 3, 20  # letters of a word worth a "did you mean"
SUGGEST_WORDS = 4


class BudgetExceeded(Exception):
    pass


def surface_words(searcher) -> list[str]:
    """Every surface word of the index, from the per-segment cache: after a publish only
    the new (small) segment is read. For "did you mean"."""
    sets = docsets(searcher)
    if sets._words is None:
        words: set[str] = set()
        for reader, _ in sets.leaves:
            cache = _segment_cache(reader)
            cached = cache.get(("words", "surface"))
            if cached is None:
                cached = cache[("words", "surface")] = (
                    [b.decode("utf-8") if isinstance(b, bytes) else b for b in reader.lexicon("surface")]
                    if "surface" in reader.indexed_field_names() else [])
            words.update(cached)
        sets._words = sorted(words)
    return sets._words


def close_words(reader, word: str, distance: int, *, prefixlength: int, limit: int, budget,
                candidates=None) -> list[str]:
    """Surface words at most ``distance`` edits from ``word`` that share its first
    ``prefixlength`` letters (as Whoosh's ``FuzzyTerm``), nearest and most frequent
    first: rapidfuzz's C edit distance over those words, instead of Whoosh's
    pure-Python automaton and Damerau-Levenshtein (~0.5 s for one long word)."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    if candidates is None:
        candidates = []
        for n, btext in enumerate(reader.expand_prefix("surface", word[:prefixlength]), 1):
            text = btext.decode("utf-8") if isinstance(btext, bytes) else btext
            if abs(len(text) - len(word)) <= distance:
                candidates.append(text)
            if not n & 511:
                budget.check()
    found = process.extract(word, candidates, scorer=Levenshtein.distance, score_cutoff=distance, limit=None)
    if len(found) > limit:
        found = sorted(found, key=lambda m: (m[1], m[0]))[:limit]
    return [match for match, _, _ in found]


class _Compiler:
    """The query tree -> a Whoosh query, plus what to mark in snippets."""

    def __init__(self, searcher, notices, budget):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.schema = searcher.schema
        self.notices = notices
        self.budget = budget
        self.stems: set = set()
        self.surfaces: set = set()
        self.phrases: list = []
        self.capped = False
        self.expanded = 0  # words all prefix and fuzzy terms expanded to, so far
        self.expanding_terms = 0

    def marks(self) -> Marks:
        return Marks(frozenset(self.stems), frozenset(self.surfaces), tuple(self.phrases))

    def analyze(self, fieldname: str, text: str) -> list[str]:
        return [t.text for t in self.schema[fieldname].analyzer(text, mode="query")]

    def compile(self, node, negated=False):
        from whoosh import query as wq

        if node is None:
            return None
        if isinstance(node, And):
            positives = [self.compile(c, negated) for c in node.children if not isinstance(c, Not)]
            negatives = [self.compile(c.child, not negated) for c in node.children if isinstance(c, Not)]
            positives = [p for p in positives if p is not None]
            negatives = [n for n in negatives if n is not None]
            if not positives and not negatives:
                return None
            base = wq.Every() if not positives else (positives[0] if len(positives) == 1 else wq.And(positives))
            if negatives:
                mask = negatives[0] if len(negatives) == 1 else wq.Or(negatives)
                return wq.AndNot(base, mask)
            return base
        if isinstance(node, Or):
            parts = [p for p in (self.compile(c, negated) for c in node.children) if p is not None]
            if not parts:
                return None
            return parts[0] if len(parts) == 1 else wq.Or(parts)
        if isinstance(node, Not):
            inner = self.compile(node.child, not negated)
            return None if inner is None else wq.AndNot(wq.Every(), inner)
        return self.term(node, negated)

    def _limit(self) -> int:
        return max(0, min(MAX_EXPANSION, MAX_TOTAL_EXPANSION - self.expanded))

    def _expand(self, words) -> list[str]:
        words = list(words)
        limit = self._limit()
        if len(words) > limit and not self.capped:
            self.capped = True
            self.notices.append(
                f"A prefix or fuzzy word matched more different words than one search looks at "
                f"({MAX_EXPANSION} per word, {MAX_TOTAL_EXPANSION} in all); only the first were "
                "searched. Type more letters to narrow it."
            )
        words = words[:limit]
        self.expanded += len(words)
        return words

    def prefix_words(self, prefix: str) -> list[str]:
        out, limit = [], self._limit()
        for btext in self.reader.expand_prefix("surface", prefix):
            out.append(btext.decode("utf-8") if isinstance(btext, bytes) else btext)
            if len(out) > limit:
                break
        self.budget.check()
        return self._expand(out)

    def fuzzy_words(self, word: str, distance: int) -> list[str]:
        found = close_words(self.reader, word, distance, prefixlength=1, limit=self._limit() + 1,
                            budget=self.budget)
        return self._expand(sorted(found))

    def term(self, term: Term, negated: bool):
        from whoosh import query as wq

        if term.field in ("publisher", "kind", "document"):
            return wq.Term(term.field, term.text)
        heading_only = term.field == "heading"
        mark = not negated
        if term.kind in ("prefix", "fuzzy"):
            self.expanding_terms += 1
            if self.expanding_terms > MAX_EXPANDING_TERMS:
                if self.expanding_terms == MAX_EXPANDING_TERMS + 1:
                    self.notices.append(f"Only the first {MAX_EXPANDING_TERMS} prefix (*) and fuzzy (~) words "
                                        "were expanded; the others were searched as plain words.")
                term = Term(text=term.text, field=term.field)
                return self.term(term, negated)
        if term.kind in ("prefix", "fuzzy"):
            text = fold(term.text.lower())  # the surface field's words are accent-folded
            if term.kind == "prefix":
                words = self.prefix_words(text) if len(text) >= MIN_PREFIX else []
            else:
                words = self.fuzzy_words(text, term.distance)
            if not words:
                return wq.NullQuery
            if mark:
                self.surfaces.update(words)
            if heading_only:
                stems = sorted({s for w in words for s in self.analyze("heading", w)})
                return wq.Or([wq.Term("heading", s) for s in stems]) if stems else wq.NullQuery
            return wq.Or([wq.Term("surface", w) for w in words])
        if term.kind == "phrase":
            words = self.analyze("surface", term.text)
            if not words:
                return None
            if len(words) > MAX_PHRASE_WORDS:
                self.notices.append(f"Only the first {MAX_PHRASE_WORDS} words of a phrase were used.")
                words = words[:MAX_PHRASE_WORDS]
            if mark:
                self.phrases.append(tuple(words))
            exact = wq.Phrase("surface", words) if len(words) > 1 else wq.Term("surface", words[0])
            if heading_only:
                stems = self.analyze("heading", term.text)
                if not stems:
                    return exact
                in_heading = wq.Phrase("heading", stems) if len(stems) > 1 else wq.Term("heading", stems[0])
                return wq.And([in_heading, exact])
            return exact
        stems = self.analyze("text", term.text)
        if not stems:
            return None
        if mark:
            self.stems.update(stems)
        fields = ["heading"] if heading_only else ["text", "heading"]
        if len(stems) == 1:
            parts = [wq.Term(f, stems[0]) for f in fields]
        else:  # a word the analyzer splits ("e-mail"): all of its parts
            parts = [wq.And([wq.Term(f, s) for s in stems]) for f in fields]
        return parts[0] if len(parts) == 1 else wq.Or(parts)


def _docs_matcher(ids: list):
    """A Whoosh matcher over a sorted list of one segment's document numbers, scoring
    nothing: intersected with a query's matcher, the query is scored on those documents
    only, and the postings between them are skipped a block at a time (``skip_to``)."""
    from bisect import bisect_left

    from whoosh.matching import mcore

    class DocsMatcher(mcore.Matcher):
        def __init__(self, ids, i=0):
            self._ids, self._i = ids, i

        def is_active(self):
            return self._i < len(self._ids)

        def id(self):
            return self._ids[self._i]

        def next(self):
            if self._i >= len(self._ids):
                raise mcore.ReadTooFar
            self._i += 1
            return False

        def skip_to(self, docnum):
            if self._i >= len(self._ids):
                raise mcore.ReadTooFar
            self._i = bisect_left(self._ids, docnum, self._i)
            return False

        def all_ids(self):
            return iter(self._ids[self._i:])

        def copy(self):
            return DocsMatcher(self._ids, self._i)

        def reset(self):
            self._i = 0

        def replace(self, minquality=0):
            return self if self.is_active() else mcore.NullMatcher()

        def supports_block_quality(self):
            return False

        def max_quality(self):  # it adds nothing to a score
            return 0.0

        def block_quality(self):
            return 0.0

        def weight(self):
            return 0.0

        def score(self):
            return 0.0

        def term(self):
            return None

        def spans(self):
            return []

    return DocsMatcher(ids)


class _Posting:
    """The two things a Whoosh scorer reads of a matcher."""

    __slots__ = ("docnum", "w")

    def id(self):
        return self.docnum

    def weight(self):
        return self.w


def _field_lengths(reader, fieldname: str):
    """A segment's field lengths, all its documents, as Whoosh stores them (one byte
    each): kept per segment, so a scoring pass looks a length up instead of asking the
    column reader per document. None when the segment has no such column."""
    cache = _segment_cache(reader)
    key = ("lengths", fieldname)
    if key not in cache:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        perdoc = getattr(reader, "_perdoc", None)
        column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN) if perdoc is not None else None
        cache[key] = bytes(column.load()) if column is not None else None
    return cache[key]


def _byte_lengths() -> list:
    from whoosh.util.numeric import byte_to_length

    return [byte_to_length(b) if b else None for b in range(256)]


_BYTE_LENGTHS: list = []


def _scorable_terms(q, out: list) -> bool:
    """Collect the (field, text, boost) of every scoring word of ``q`` into ``out``;
    False when ``q`` holds anything else (a phrase, a range, a coordination bonus)."""
    from whoosh import query as wq

    if type(q) is wq.Term:
        out.append((q.fieldname, q.text, q.boost))
        return True
    if type(q) is wq.AndNot:
        return q.boost == 1.0 and _scorable_terms(q.a, out)
    if type(q) in (wq.And, wq.Or) and q.boost == 1.0 and not getattr(q, "minmatch", 0) and not getattr(q, "scale", None):
        return all(_scorable_terms(child, out) for child in q.subqueries)
    return False


def score_known(searcher, q, only: list[int], limit: int, budget,
                postings: dict | None = None) -> list[tuple[int, float]] | None:
    """The top ``limit`` of ``only`` (sorted top-level numbers of documents known to
    match ``q``) as (document, score), best first, ties by document number: what
    Whoosh's TopCollector gives for ``q`` restricted to them, computed without its
    matchers. A word's score on a document does not depend on the query around it
    (And and Or add their matching children's scores, AndNot keeps its positive
    side's), so each scoring word's postings are read a block at a time, skipping the
    blocks that hold none of ``only``, and scored by Whoosh's own scorer. None when
    ``q`` is not made of plain words (the caller lets Whoosh score it).
    """
    import heapq
    from bisect import bisect_left

    from whoosh.codec.whoosh3 import W3LeafMatcher
    from whoosh.matching.wrappers import FilterMatcher
    from whoosh.reading import TermNotFound

    from whoosh.scoring import WeightLengthScorer

    terms: list = []
    if not _scorable_terms(q, terms) or not terms:
        return None
    if not _BYTE_LENGTHS:
        _BYTE_LENGTHS.extend(_byte_lengths())
    byte_length = _BYTE_LENGTHS
    scores: dict[int, float] = {}
    posting = _Posting()
    for leaf, (sub, offset) in enumerate(searcher.leaf_searchers()):
        lo, hi = bisect_left(only, offset), bisect_left(only, offset + sub.doc_count_all())
        if lo == hi:
            continue
        local = [d - offset for d in only[lo:hi]]
        wanted = set(local)
        reader = sub.reader()
        for fieldname, text, boost in terms:
            if fieldname not in sub.schema:
                continue
            try:
                btext = sub.schema[fieldname].to_bytes(text)
            except ValueError:
                continue
            if (fieldname, btext) not in reader:
                continue
            scorer = sub.weighting.scorer(sub, fieldname, btext)
            # A weight-and-length scorer (BM25F) is fed the length from the segment's
            # lengths, exactly as its own ``score`` reads it; any other scorer is asked.
            lengths = None
            if isinstance(scorer, WeightLengthScorer) and type(scorer).score is WeightLengthScorer.score:
                lengths = _field_lengths(reader, fieldname)
            kept = (postings or {}).get((fieldname, text))
            if kept is not None and len(kept) > leaf:
                # Read already by the count (``DocSets.postings``): every posting, no decoding.
                for docnum, weight in zip(*kept[leaf]):
                    if docnum in wanted:
                        key = offset + docnum
                        if lengths is not None:
                            score = scorer._score(weight, byte_length[lengths[docnum]])
                        else:
                            posting.docnum, posting.w = docnum, weight
                            score = scorer.score(posting)
                        scores[key] = scores.get(key, 0.0) + score * boost
                continue
            try:
                matcher = reader.postings(fieldname, btext)
            except TermNotFound:
                continue
            if isinstance(matcher, FilterMatcher):  # deletions: ``only`` holds live documents
                matcher = matcher.child
            if not isinstance(matcher, W3LeafMatcher):
                return None
            position = 0  # in ``local``: the next wanted document
            while matcher.is_active() and position < len(local):
                budget.check()
                if matcher.block_max_id() < local[position]:
                    matcher._next_block()
                    continue
                matcher._read_ids()
                matcher._read_weights()
                for docnum, weight in zip(matcher._ids, matcher._weights):
                    if docnum in wanted:
                        key = offset + docnum
                        if lengths is not None:
                            score = scorer._score(weight, byte_length[lengths[docnum]])
                        else:
                            posting.docnum, posting.w = docnum, weight
                            score = scorer.score(posting)
                        scores[key] = scores.get(key, 0.0) + score * boost
                position = bisect_left(local, matcher.block_max_id() + 1, position)
                matcher._next_block()
    best = heapq.nsmallest(limit, ((-score, d) for d, score in scores.items()))
    return [(d, -negative) for negative, d in best]


def _deadline_collector(child, budget, allow=None, record=None, only=None):
    from whoosh import collectors

    class DeadlineCollector(collectors.WrappingCollector):
        """Stops collecting when the budget is spent (checked every 256 matches).

        Whoosh's TimeLimitCollector starts a timer thread per search (and by default
        a SIGALRM, which fails outside the main thread); a clock check is cheaper.
        With ``allow`` (a set of top-level document numbers), only those are collected;
        with ``record`` (a set), every match's top-level number is added to it.
        """

        def set_subsearcher(self, subsearcher, offset):
            super().set_subsearcher(subsearcher, offset)
            if only is not None:
                # ``only``: the sorted top-level numbers of the documents to score, the
                # exact matches under the filters; this segment's share, made local.
                from bisect import bisect_left

                from whoosh.matching import IntersectionMatcher

                end = offset + subsearcher.doc_count_all()
                local = [d - offset for d in only[bisect_left(only, offset):bisect_left(only, end)]]
                self.child.matcher = IntersectionMatcher(_docs_matcher(local), self.child.matcher)

        def collect_matches(self):
            child, n = self.child, 0
            offset = self.offset
            for sub_docnum in child.matches():
                n += 1
                if not n & 255 and budget.spent():
                    raise collectors.TimeLimit
                if record is not None:
                    record.add(offset + sub_docnum)
                if allow is None or offset + sub_docnum in allow:
                    child.collect(sub_docnum)

    return DeadlineCollector(child)


# What a segment's postings say never changes (its files are written once; only its
# deletions grow, and they are applied per searcher): the filter and facet sets, and
# the words, of each segment are kept here by segment id, so a searcher refreshed after
# a publish reads the postings of the new segments only.
_SEGMENT_SETS: dict[str, dict] = {}


def _segment(reader):
    return reader.segment() if hasattr(reader, "segment") else None


def _segment_cache(reader) -> dict:
    """The cache of one leaf reader's segment (a throw-away dict if it has none)."""
    segment = _segment(reader)
    if segment is None:
        return {}
    return _SEGMENT_SETS.setdefault(segment.segment_id(), {})


def _forget_other_segments(leaves) -> None:
    """Drop the cached sets of segments the newest searcher no longer has (merged
    away): searchers still using them computed their own sets already."""
    keep = {segment.segment_id() for segment in (_segment(reader) for reader, _ in leaves) if segment}
    for key in [k for k in list(_SEGMENT_SETS) if k not in keep]:  # list(): other threads add
        _SEGMENT_SETS.pop(key, None)


def _leaf_ids(reader, fieldname: str, text, weights: list | None = None) -> list:
    """The leaf's document numbers for a term, deleted ones included; with
    ``weights``, the term's weight in each of them is appended to it (the same blocks,
    read once for the count and the scoring)."""
    from whoosh.codec.whoosh3 import W3LeafMatcher
    from whoosh.matching.wrappers import FilterMatcher
    from whoosh.reading import TermNotFound

    try:
        matcher = reader.postings(fieldname, text)
    except TermNotFound:
        return []
    if isinstance(matcher, FilterMatcher):  # deletions: applied by the caller
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        if weights is None:
            return list(matcher.all_ids())
        ids = []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return ids
    ids: list = []
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        # The block's numbers as stored: deltas unless they fit in bytes. itertools'
        # accumulate is Whoosh's ``delta_decode`` in C (a third of a count's time).
        stored = matcher._data[0]
        ids.extend(stored if matcher._byteids else accumulate(stored))
        if weights is not None:
            matcher._read_weights()
            weights.extend(matcher._weights)
        matcher._next_block()
    return ids


def _shifted(ids: frozenset, offset: int) -> frozenset:
    return ids if not offset else frozenset(map(offset.__add__, ids))


class DocSets:
    """Document-number sets for one searcher (one index generation), for counting.

    The total and the facet counts need *which* documents match, not how well: they
    are computed here with Python set algebra over postings read block by block,
    instead of scoring every match and reading a column value per match and facet
    (Whoosh's ``groupedby``, ~85% of a query's time). The sets of the filters
    (``current``, an as-of date, each facet value) depend only on the index, so they
    are kept for the searcher's lifetime, built from per-segment sets that outlive it
    (``_SEGMENT_SETS``); the sets of the words a user typed are not kept.
    """

    MAX_ASOF = 32  # as-of dates remembered per generation

    def __init__(self, searcher):
        reader = searcher.reader()
        self._searcher = weakref.ref(searcher)
        self.reader = reader
        self.leaves = [(s.reader(), offset) for s, offset in searcher.leaf_searchers()]
        self.size = reader.doc_count_all()
        deleted: set = set()
        if reader.has_deletions():
            for leaf, offset in self.leaves:
                segment = _segment(leaf)
                local = segment.deleted_docs() if segment is not None else (
                    d for d in range(leaf.doc_count_all()) if leaf.is_deleted(d))
                deleted.update(offset + d for d in local)
        self.deleted = frozenset(deleted)
        self._live = None
        self._words = None
        self._filters: dict = {}
        self._facets: dict[str, dict[str, frozenset]] = {}
        self._facet_of: dict[str, dict[int, str]] = {}

    def facet_of(self, name: str) -> dict[int, str]:
        """Each live document's value of a facet (the inverse of ``facet_values``; the
        facet fields hold one value per entry)."""
        if name not in self._facet_of:
            self._facet_of[name] = {doc: value for value, docs in self.facet_values(name).items() for doc in docs}
        return self._facet_of[name]

    @property
    def live(self) -> frozenset:
        if self._live is None:
            self._live = frozenset(range(self.size)) - self.deleted
        return self._live

    def postings(self, fieldname: str, text, budget=None, memo: dict | None = None) -> set:
        """A word's live and deleted documents; with ``memo``, each leaf's (numbers,
        weights) are kept in it under (field, word), for ``score_known``."""
        out: set = set()
        kept = memo.setdefault((fieldname, text), []) if memo is not None else None
        for reader, offset in self.leaves:
            weights = [] if kept is not None else None
            ids = _leaf_ids(reader, fieldname, text, weights)
            if kept is not None:
                kept.append((ids, weights))
            out.update(ids if not offset else map(offset.__add__, ids))
            if budget is not None:
                budget.check()
        return out

    def term_docs(self, fieldname: str, text) -> frozenset:
        """A filter term's live documents, from the per-segment sets."""
        parts = []
        for reader, offset in self.leaves:
            cache = _segment_cache(reader)
            local = cache.get(("term", fieldname, text))
            if local is None:
                local = cache[("term", fieldname, text)] = frozenset(_leaf_ids(reader, fieldname, text))
            parts.append(_shifted(local, offset))
        found = frozenset().union(*parts) if len(parts) != 1 else parts[0]
        return found - self.deleted if self.deleted else found

    def countable(self, q) -> bool:
        """True when ``docs(q)`` needs no positions (no phrase): pure set algebra."""
        from whoosh import query as wq

        if isinstance(q, (wq.Term, wq.Every)) or q is wq.NullQuery:
            return True
        if isinstance(q, (wq.And, wq.Or)):
            return all(self.countable(c) for c in q.subqueries)
        if isinstance(q, wq.AndNot):
            return self.countable(q.a) and self.countable(q.b)
        return False

    def docs(self, q, budget=None, memo: dict | None = None) -> set:
        found = self._docs(q, budget, memo)
        return found - self.deleted if self.deleted else found

    def _docs(self, q, budget, memo=None) -> set:
        from whoosh import query as wq

        if q is wq.NullQuery:
            return set()
        if isinstance(q, wq.Term):
            return self.postings(q.fieldname, q.text, budget, memo)
        if isinstance(q, wq.Every):
            return set(self.live)
        if isinstance(q, wq.AndNot):  # the words left out do not score: no memo for them
            return self._docs(q.a, budget, memo) - self._docs(q.b, budget)
        if isinstance(q, wq.And):
            parts = sorted((self._docs(c, budget, memo) for c in q.subqueries), key=len)
            found = parts[0]
            for part in parts[1:]:
                if not found:
                    break
                found &= part
            return found
        if isinstance(q, wq.Or):
            found: set = set()
            for child in q.subqueries:
                found |= self._docs(child, budget, memo)
            return found
        return set(self._searcher().docs_for_query(q))

    def version_docs(self, params: SearchParams) -> frozenset | None:
        from whoosh import query as wq

        if params.versions == "current":
            key = "current"
        elif params.versions == "asof" and params.as_of:
            key = params.as_of
        else:
            return None
        if key not in self._filters:
            if len(self._filters) > self.MAX_ASOF:
                self._filters = {k: v for k, v in self._filters.items() if k == "current"}
            q = version_filter(params)
            if isinstance(q, wq.Term):
                self._filters[key] = self.term_docs(q.fieldname, q.text)
            else:
                self._filters[key] = frozenset(self.docs(q))
        return self._filters[key]

    def facet_values(self, name: str) -> dict[str, frozenset]:
        """Each value of a facet -> its live documents, from the per-segment sets."""
        if name not in self._facets:
            fieldname = f"{name}_exact"
            parts: dict[str, list] = {}
            for reader, offset in self.leaves:
                cache = _segment_cache(reader)
                local = cache.get(("facet", fieldname))
                if local is None:
                    local = {}
                    if fieldname in reader.indexed_field_names():
                        from_bytes = reader.schema[fieldname].from_bytes
                        for btext in reader.lexicon(fieldname):
                            ids = _leaf_ids(reader, fieldname, btext)
                            if ids:
                                local[from_bytes(btext)] = frozenset(ids)
                    cache[("facet", fieldname)] = local
                for value, ids in local.items():
                    parts.setdefault(value, []).append(_shifted(ids, offset))
            values: dict[str, frozenset] = {}
            for value, found in parts.items():
                docs = frozenset().union(*found) if len(found) != 1 else found[0]
                if self.deleted:
                    docs = docs - self.deleted
                if docs:
                    values[value] = docs
            self._facets[name] = values
        return self._facets[name]

    def warm(self) -> None:
        """Compute the filter and facet sets the first search would need."""
        self.version_docs(SearchParams())
        for name in FACETS:
            self.facet_of(name)
        for reader, _ in self.leaves:
            for fieldname in reader.schema.scorable_names():
                _field_lengths(reader, fieldname)


_DOCSETS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def docsets(searcher) -> DocSets:
    """The ``DocSets`` of this searcher (shared by the threads using it)."""
    sets = _DOCSETS.get(searcher)
    if sets is None:
        sets = _DOCSETS.setdefault(searcher, DocSets(searcher))
        if getattr(searcher, "_portal_generation", None) is not None:  # the shared, newest searcher
            _forget_other_segments(sets.leaves)
    return sets


def version_filter(params: SearchParams):
    from whoosh import query as wq

    if params.versions == "current":
        return wq.Term("current", True)
    if params.versions == "asof" and params.as_of:
        day = dt.datetime(params.as_of.year, params.as_of.month, params.as_of.day)
        return wq.And([wq.DateRange("valid_from", None, day),
                       wq.DateRange("valid_until", day, None, startexcl=True)])
    return None


def _facet_counts(sets: DocSets, matched: set, params: SearchParams, chosen: dict) -> dict:
    """Disjunctive facet counts over ``matched``: each facet is counted with every
    *other* active filter applied but not its own, so the other values stay listed
    with the results each would give; the chosen value stays listed (and removable)."""
    raw: dict[str, list[tuple[str, int]]] = {}
    for name in FACETS:
        base = matched
        for other, docs in sorted(chosen.items(), key=lambda kv: len(kv[1])):
            if other != name:
                base = base & docs
        counts = []
        if base:
            values = sets.facet_values(name)
            # One intersection per value costs about the smaller of the two sets each; a
            # look-up per matched document costs the matches once. Over an archive a
            # common word is in hundreds of documents (values): the look-ups win.
            if len(base) < sum(min(len(base), len(docs)) for docs in values.values()):
                counts = [kv for kv in Counter(map(sets.facet_of(name).get, base)).items() if kv[0] is not None]
            else:
                for value, docs in values.items():
                    n = len(base & docs) if len(docs) < len(base) else len(docs & base)
                    if n:
                        counts.append((value, n))
        active = getattr(params, name)
        if active and not any(v == active for v, _ in counts):
            counts.append((active, 0))
        raw[name] = sorted(counts, key=lambda kv: (-kv[1], kv[0]))
    return raw


def _intersect(sets):
    found = None
    for docs in sorted(sets, key=len):
        found = docs if found is None else found & docs
    return found


def run(backend, query: ParsedQuery, params: SearchParams, outcome: SearchOutcome, budget, *,
        page_size: int = PAGE_SIZE, snippets: bool = True) -> None:
    """Fill ``outcome`` for ``query``: total, facets, the page's hits, a suggestion."""
    from whoosh import collectors, query as wq, sorting

    outcome.engine = "whoosh"
    opened = time.monotonic()
    searcher = backend.searcher()
    sets = docsets(searcher)
    sets.warm()
    # Opening a new index generation (after a publish or a rebuild) and its filter and
    # facet sets is the server's cost, whatever was typed: not charged to the budget.
    budget.extend(time.monotonic() - opened)
    compiler = _Compiler(searcher, outcome.notices, budget)
    userq = compiler.compile(query.tree)
    if userq is None:
        if not params.filtered:
            outcome.message = "Only very common words were given (such as “the”); add a more specific word."
            return
        userq = wq.Every()

    versions = sets.version_docs(params)
    chosen = {name: sets.facet_values(name).get(getattr(params, name), frozenset())
              for name in FACETS if getattr(params, name)}
    start = (params.page - 1) * page_size
    sortedby = None
    if params.sort != "relevance":
        sortedby = sorting.FieldFacet("valid_from", reverse=params.sort == "newest")

    def scored_pass(allow, record=None, only=None):
        if sortedby is not None:
            collector = collectors.SortingCollector(sortedby, limit=start + page_size)
        elif record is None:  # Whoosh may skip (and prune) what cannot reach the page
            collector = collectors.TopCollector(limit=start + page_size)
        else:  # every match must be seen: no block skipping, no matcher pruning
            collector = collectors.TopCollector(limit=start + page_size, usequality=False, replace=0)
        try:
            searcher.search_with_collector(userq, _deadline_collector(collector, budget, allow, record, only))
        except collectors.TimeLimit:
            budget.stopped = True
        return collector.results()

    page = None
    if sets.countable(userq):
        memo: dict = {}  # each word's postings with their weights, read once for count and score
        matched = sets.docs(userq, budget, memo)
    else:
        matched = set()
        filters = _intersect([d for d in (versions, *chosen.values()) if d is not None])
        page = scored_pass(filters, matched)
    if versions is not None:
        matched &= versions
    outcome.facets = facet_values(params, _facet_counts(sets, matched, params, chosen))
    results = _intersect([matched, *chosen.values()])
    outcome.total = len(results)

    if not outcome.total:
        if not budget.stopped:
            outcome.suggestion = suggest(searcher, query, budget)
        return
    if start >= outcome.total:
        outcome.past_end = True
        outcome.message = f"There is no page {params.page}; the results end at page {outcome.num_pages}."
        return
    if isinstance(userq, wq.Every):
        docnums = sorted(results)
        if sortedby is not None:
            column = searcher.reader().column_reader("valid_from")
            docnums.sort(key=column.__getitem__, reverse=params.sort == "newest")
        shown = [(searcher.stored_fields(d), 1.0) for d in docnums[start:start + page_size]]
    else:
        known = None
        if page is None and sortedby is None:
            # The matches are known (``results``): only they are scored, not every
            # posting of the words (most of an archive's entries are past versions).
            known = score_known(searcher, userq, sorted(results), start + page_size, budget, memo)
        if known is not None:
            shown = [(searcher.stored_fields(d), score) for d, score in known[start:start + page_size]]
        else:
            if page is None:
                page = scored_pass(results, only=sorted(results))
            shown = [(hit.fields(), hit.score) for hit in page[start:start + page_size]]
    marks = compiler.marks() if snippets else Marks()
    for fields, score in shown:
        body = (fields.get("text") or "").partition("\n")[2]
        made = snippet(body, marks) if snippets else Snippet("")
        outcome.hits.append(hit_from_fields(fields, score, made, params))


def suggest(searcher, query: ParsedQuery, budget) -> str:
    """A corrected query when some of its plain words are in no clause, else "".

    Only plausible words are corrected (``SUGGEST_MIN``-``SUGGEST_MAX`` letters, letters
    only, at most ``SUGGEST_WORDS`` of them): the cost grows with the word, and a
    500-letter string has no useful correction. Corrections are surface words (words as
    written: "cookies", not the stem "cooki") within one (short words) or two edits,
    found by rapidfuzz in C over the index's words (cached per segment).
    """
    from documents.search.query import replace_terms

    words = [t for t in query.terms(kinds=("word", "fuzzy")) if t.field in (None, "heading")]
    reader = searcher.reader()
    replacements: dict[Term, Term] = {}
    for term in words[:SUGGEST_WORDS]:
        word = fold(term.text.lower())
        if not (SUGGEST_MIN <= len(word) <= SUGGEST_MAX and word.isalpha()):
            continue
        if reader.doc_frequency("surface", word):
            continue
        if budget.spent():
            break
        distance = 2 if len(word) > 4 else 1
        try:
            close = close_words(reader, word, distance, prefixlength=0, limit=50, budget=budget,
                                candidates=surface_words(searcher))
        except BudgetExceeded:
            break
        close = [c for c in close if c != word]
        if close:
            # Nearest first, then the word in the most clauses.
            from rapidfuzz.distance import Levenshtein

            best = min(close, key=lambda c: (Levenshtein.distance(c, word), -reader.doc_frequency("surface", c), c))
            replacements[term] = Term(text=best, field=term.field)
    if not replacements:
        return ""
    return str(replace_terms(query.tree, replacements))
