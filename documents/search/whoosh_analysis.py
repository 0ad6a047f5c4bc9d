"""How the portal writes to Whoosh: text fields indexed without a Token per word, and
a segment writer that keeps field lengths in memory. Same postings, less Python.

Whoosh analyses a text as a chain of generators passing one ``Token`` object along
(tokenizer, lowercase, stop words, stemmer) and the field's format then counts and
encodes each word: ~20 Python calls per word, for every word of every indexed text
field. ``text`` (stemmed) and ``surface`` (as written) are the same string analysed
twice, so writing an entry paid that twice.

``FastTEXT`` is Whoosh's ``TEXT`` with the same analyzer, format and postings; only
``index`` (what a writer calls for each entry) is done in a few C-level passes when
the analyzer is a plain chain Whoosh would run the same way (``_plan``):
``RegexTokenizer`` (matches as tokens), ``LowercaseFilter``, optionally a
``CharsetFilter`` (accent folding), ``StopFilter`` and ``StemFilter``, with a ``Frequency`` or ``Positions`` format. The words of the
last text are kept, so the second field given the same text does not split it again,
and stems are memoised in a plain dict. Anything else (another analyzer, a pre-split
value, keyword options) goes through Whoosh's own path. Queries, highlighting and
``more_like_this`` use the field's analyzer unchanged: only writing is faster, and
``tests/test_search_index_fields.py`` checks that the postings are byte for byte
Whoosh's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from whoosh import formats
from whoosh.analysis import CharsetFilter, CompositeAnalyzer, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.analysis.tokenizers import default_pattern
from whoosh.fields import TEXT
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

# Whoosh's default token pattern without its capturing group, so ``findall`` returns
# whole matches (the same matches as ``finditer(...).group(0)``).
_DEFAULT_NONCAPTURING = re.compile(default_pattern.pattern.replace("(", "(?:"), default_pattern.flags)
_SEP = "\x00"  # not a word character: joins tokens for one ``lower()`` call

# The words of the last text analysed, for the next field given the same text
# (``surface`` then ``text``). One tuple, replaced whole: safe across threads.
_LAST: tuple = ("", None, [])
_STEMS: dict[Callable, dict[str, str]] = {}
_MAX_STEMS = 200_000  # distinct words remembered per stemmer before starting afresh
_ONE_POSITION: dict[int, bytes] = {}  # Positions.encode([p]) for the common single occurrence


@dataclass(frozen=True)
class _Plan:
    pattern: re.Pattern
    stops: frozenset | None  # None: no stop filter
    minsize: int
    maxsize: int | None
    stem: Callable | None
    ignore: frozenset
    positions: bool  # Positions format (else Frequency)
    charmap: dict | None = None  # CharsetFilter's translate table (None: no folding)


def _plan(field) -> _Plan | None:
    """How to index ``field`` without tokens, or None if its analysis is not a plain chain."""
    analyzer, fmt = field.analyzer, field.format
    if type(fmt) not in (formats.Frequency, formats.Positions):
        return None
    items = list(analyzer.items) if isinstance(analyzer, CompositeAnalyzer) else [analyzer]
    if len(items) < 2 or type(items[0]) is not RegexTokenizer or items[0].gaps:
        return None
    if type(items[1]) is not LowercaseFilter:
        return None
    rest = items[2:]
    charmap = None
    if rest and type(rest[0]) is CharsetFilter:
        charmap = rest.pop(0).charmap
    stops = stem = None
    minsize, maxsize, ignore = 0, None, frozenset()
    if rest and type(rest[0]) is StopFilter:
        stop = rest.pop(0)
        stops, minsize, maxsize = stop.stops, stop.min, stop.max
    if rest and type(rest[0]) is StemFilter:
        stemmer = rest.pop(0)
        stem, ignore = stemmer.stemfn, frozenset(stemmer.ignore)
    positions = type(fmt) is formats.Positions
    if rest or (positions and stops is not None):
        # (A stop filter renumbers the positions of the words after a stop word: left
        # to Whoosh, as the small heading field is.)
        return None
    pattern = items[0].expression
    if pattern.groups:
        if pattern.pattern != default_pattern.pattern or pattern.flags != default_pattern.flags:
            return None
        pattern = _DEFAULT_NONCAPTURING
    return _Plan(pattern, stops, minsize, maxsize, stem, ignore, positions, charmap)


def _lowered_words(pattern: re.Pattern, value: str) -> list[str]:
    global _LAST
    last = _LAST
    if last[1] is pattern and last[0] == value:
        return last[2]
    found = pattern.findall(value)
    # Each token lowercased, as LowercaseFilter does (lower() maps character by
    # character, so joining and splitting keeps the boundaries).
    words = _SEP.join(found).lower().split(_SEP) if found else []
    _LAST = (value, pattern, words)
    return words


def _stemmer(stem: Callable) -> Callable[[str], str]:
    cache = _STEMS.get(stem)
    if cache is None or len(cache) > _MAX_STEMS:
        cache = _STEMS[stem] = {}

    def stemmed(word: str) -> str:
        found = cache.get(word)
        if found is None:
            found = cache[word] = stem(word)
        return found

    return stemmed


def _encode_positions(fmt, poslist: list[int]) -> bytes:
    if len(poslist) != 1:
        return fmt.encode(poslist)
    pos = poslist[0]
    found = _ONE_POSITION.get(pos)
    if found is None:
        found = fmt.encode(poslist)
        if pos < 65536:
            _ONE_POSITION[pos] = found
    return found


class FastTEXT(TEXT):
    """Whoosh's TEXT, indexed without a Token per word (see the module docstring)."""

    signature_name = "TEXT"  # the same postings: an index written with TEXT needs no rebuild

    def _fast_plan(self):
        plan = self.__dict__.get("_plan", False)
        if plan is False:
            plan = self.__dict__["_plan"] = _plan(self)
        return plan

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_plan", None)  # rebuilt on first use; compiled patterns stay out of the TOC
        return state

    def index(self, value, **kwargs):
        plan = self._fast_plan()
        if plan is None or not isinstance(value, str) or (kwargs and kwargs != {"mode": "index"}):
            yield from super().index(value, **kwargs)
            return
        words = _lowered_words(plan.pattern, value)
        if plan.charmap is not None:
            # CharsetFilter translates each token's text (an emptied one stays a token).
            charmap = plan.charmap
            words = [w.translate(charmap) for w in words]
        if plan.stops is not None:
            stops, minsize, maxsize = plan.stops, plan.minsize, plan.maxsize
            words = [w for w in words if len(w) >= minsize and (maxsize is None or len(w) <= maxsize)
                     and w not in stops]
        if plan.stem is not None:
            stem, ignore = _stemmer(plan.stem), plan.ignore
            words = [w if w in ignore else stem(w) for w in words]
        boost = self.format.field_boost
        if plan.positions:
            # Every token the tokenizer made has a position (no stop filter here).
            poses: dict[str, list[int]] = {}
            for pos, word in enumerate(words):
                found = poses.get(word)
                if found is None:
                    poses[word] = [pos]
                else:
                    found.append(pos)
            fmt = self.format
            for word, poslist in poses.items():
                n = len(poslist)
                yield word.encode("utf-8"), n, float(n) * boost, _encode_positions(fmt, poslist)
        else:
            freqs: dict[str, int] = {}
            for word in words:
                freqs[word] = freqs.get(word, 0) + 1
            for word, n in freqs.items():
                yield word.encode("utf-8"), n, float(n) * boost, pack_uint(n)



# --- The segment writer ----------------------------------------------------------------


class _SegmentLengths:
    """The field lengths of the segment being written, kept in memory as they are added.

    When a writer commits, Whoosh sorts the postings and, for every posting, reads the
    document's field length back from the length column it has just written (a seek
    and a read per posting: ~20% of writing an entry). These are the same values
    (quantised to a byte, as the column holds them), from a dict.
    """

    def __init__(self):
        self.by_field: dict[str, dict[int, int]] = {}

    def record(self, fieldname: str, docnum: int, length: int) -> None:
        if length:
            lengths = self.by_field.get(fieldname)
            if lengths is None:
                lengths = self.by_field[fieldname] = {}
            lengths[docnum] = byte_to_length(length_to_byte(length))

    def doc_field_length(self, docnum, fieldname, default=0):
        lengths = self.by_field.get(fieldname)
        return lengths.get(docnum) if lengths is not None else None


class _GroupedPostings:
    """The postings of the segment being written, grouped by field and term as they
    are added, in place of Whoosh's pool of one tuple per posting sorted at commit.
    Within a term the documents arrive in increasing order (new documents, then the
    documents of merged segments, each numbered after the last), so nothing is sorted
    but the fields and terms. ``estimate`` (bytes, roughly) lets the writer hand
    everything to Whoosh's pool (which spills to disk) past its memory limit.
    """

    __slots__ = ("fields", "count", "ordered", "_fieldname", "_terms")

    POSTING_BYTES = 200  # what one posting costs in memory here, roughly (Whoosh: ~150 + texts)

    def __init__(self):
        self.fields: dict[str, dict[bytes, tuple[list, list, list]]] = {}
        self.count = 0
        self.ordered = True
        self._fieldname, self._terms = None, None  # a document's postings come field by field

    @property
    def estimate(self) -> int:
        return self.count * self.POSTING_BYTES

    def add(self, item):
        fieldname, tbytes, docnum, weight, vbytes = item
        if fieldname == self._fieldname:
            terms = self._terms
        else:
            terms = self.fields.get(fieldname)
            if terms is None:
                terms = self.fields[fieldname] = {}
            self._fieldname, self._terms = fieldname, terms
        self.count += 1
        postings = terms.get(tbytes)
        if postings is None:
            terms[tbytes] = ([docnum], [weight], [vbytes])
            return
        docnums = postings[0]
        if docnum <= docnums[-1]:
            self.ordered = False
        docnums.append(docnum)
        postings[1].append(weight)
        postings[2].append(vbytes)

    def items(self):
        """Whoosh's pool items, for handing over to it."""
        for fieldname, terms in self.fields.items():
            for tbytes, (docnums, weights, values) in terms.items():
                for docnum, weight, vbytes in zip(docnums, weights, values):
                    yield fieldname, tbytes, docnum, weight, vbytes


def _write_term_blocks(postwriter, docnums, weights, values, lengths) -> None:
    """What ``add_posting`` does for each posting of one term, a block at a time."""
    limit = postwriter._blocklimit
    for start in range(0, len(docnums), limit):
        if start:
            postwriter._write_block()
        ids = docnums[start:start + limit]
        block_weights = weights[start:start + limit]
        postwriter._ids.extend(ids)
        postwriter._weights.extend(block_weights)
        heaviest = max(block_weights)
        if heaviest > postwriter._maxweight:
            postwriter._maxweight = heaviest
        present = [v for v in values[start:start + limit] if v]
        if present:
            postwriter._values.extend(present)
        if lengths is not None:
            known = [n for n in map(lengths.get, ids) if n]
            if known:
                shortest, longest = min(known), max(known)
                if postwriter._minlength is None or shortest < postwriter._minlength:
                    postwriter._minlength = shortest
                if longest > postwriter._maxlength:
                    postwriter._maxlength = longest


class PortalSegmentWriter(SegmentWriter):
    """Whoosh's SegmentWriter with the same segment written by less Python: field
    lengths kept in memory (``_SegmentLengths``), postings grouped by term as they are
    added (``_GroupedPostings``) and written a block at a time at commit. Past the
    writer's memory limit (a rebuild's single writer) it hands the postings to
    Whoosh's own pool, which spills sorted runs to disk, and writes as Whoosh does."""

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        self.portal_index = ix  # the index it writes to (Whoosh's writer does not keep it)
        self._stock_pool = self.pool
        self._limit = self._stock_pool.limit
        if self.codec.length_stats and type(self.fieldwriter).__name__ == "W3FieldWriter" and not any(
                self.schema[name].separate_spelling() for name in self.schema.names()):
            self.pool = _GroupedPostings()
        lengths = self._portal_lengths = _SegmentLengths()
        perdoc = self.perdocwriter
        add_field, record = perdoc.add_field, lengths.record

        def add_field_recorded(fieldname, fieldobj, value, length):
            add_field(fieldname, fieldobj, value, length)
            if length:
                record(fieldname, perdoc._docnum, length)

        # Every length goes through here: new documents and documents of merged segments.
        perdoc.add_field = add_field_recorded

    def add_document(self, **fields):
        super().add_document(**fields)
        if self.pool is not self._stock_pool and self.pool.estimate > self._limit:
            self._to_stock_pool()

    def _to_stock_pool(self):
        grouped, self.pool = self.pool, self._stock_pool
        add = self.pool.add
        for item in grouped.items():
            add(item)

    def _flush_segment(self):
        if not self.codec.length_stats or type(self.perdocwriter).__name__ != "W3PerDocWriter":
            return super()._flush_segment()
        self.perdocwriter.close()
        grouped = self.pool
        if grouped is self._stock_pool or not grouped.ordered:
            if grouped is not self._stock_pool:
                self._to_stock_pool()
            self.fieldwriter.add_postings(self.schema, self._portal_lengths, self.pool.iter_postings())
        else:
            self._write_grouped(grouped)
        self.fieldwriter.close()

    def _write_grouped(self, grouped: _GroupedPostings) -> None:
        fieldwriter, schema = self.fieldwriter, self.schema
        by_field = self._portal_lengths.by_field
        for fieldname in sorted(grouped.fields):
            terms = grouped.fields[fieldname]
            fieldwriter.start_field(fieldname, schema[fieldname])
            lengths = by_field.get(fieldname)
            for btext in sorted(terms):
                docnums, weights, values = terms[btext]
                fieldwriter.start_term(btext)
                _write_term_blocks(fieldwriter._postwriter, docnums, weights, values, lengths)
                fieldwriter.finish_term()
            fieldwriter.finish_field()

    def _merge_segments(self, mergetype, optimize, merge):
        if mergetype is None and self.mergetype is None and not (optimize or self.optimize) and (
                merge if merge is not None else self.merge):
            mergetype = merge_when_many
        return super()._merge_segments(mergetype, optimize, merge)

    def _close_segment(self):
        self.pool = self._stock_pool  # its clean-up removes any runs it spilled
        super()._close_segment()


# Segments an index may have before a commit merges its small ones.
MERGE_AT_SEGMENTS = 8


def merge_when_many(writer, segments):
    """Whoosh's MERGE_SMALL once the index has ``MERGE_AT_SEGMENTS`` segments, else no
    merge. MERGE_SMALL alone merges on most small commits (a publish writes one small
    segment): a quarter of a publish's index write, and a merged segment is new to
    every searcher's per-segment caches. Merging every few commits does the same work
    less often; searches read a few more (small) segments meanwhile."""
    from whoosh.writing import MERGE_SMALL

    if len(segments) + 1 < MERGE_AT_SEGMENTS:
        return segments
    return MERGE_SMALL(writer, segments)


def segment_writer(index, **kwargs) -> PortalSegmentWriter:
    """A writer on ``index`` (a Whoosh FileIndex), as ``index.writer(**kwargs)``."""
    return PortalSegmentWriter(index, **kwargs)
