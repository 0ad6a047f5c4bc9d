"""Snippets: a clause's text, escaped, with what the query matched in ``<mark>``.

The same for every engine and stable: the same request gives the same snippet (the
passages are chosen by position, never by iteration order of a set). What is marked
follows the query language exactly:

* ``stems``: stemmed words (plain words, fuzzy words expanded to the indexed stems):
  a word of the text is marked when its stem is one of them;
* ``surfaces``: words as written (prefix expansions): marked when the word, lowercased,
  is one of them;
* ``phrases``: sequences of words as written: marked where the whole sequence occurs;
* ``prefixes``: words as written starting with one of them (engines that do not say
  which words a prefix expanded to).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import lru_cache

from documents.search.folding import fold

SNIPPET_CHARS = 240
SURROUND = 60  # characters of context before the first match of a passage
PASSAGES = 2
MAX_HL_WORDS = 12  # words handed to the opened page for highlighting


@dataclass(frozen=True)
class Marks:
    stems: frozenset = frozenset()
    surfaces: frozenset = frozenset()
    phrases: tuple = ()  # tuples of lowercase words
    prefixes: tuple = ()  # surface prefixes, when the engine does not say what they matched

    def __bool__(self) -> bool:
        return bool(self.stems or self.surfaces or self.phrases or self.prefixes)


@dataclass
class Snippet:
    html: str
    words: list[str] = field(default_factory=list)  # matched forms, for the opened page


@lru_cache(maxsize=1)
def _analyzer():
    # The index's analysis (accents folded, as the search fields fold them), so a word
    # is marked when the search matched it: "numerique" marks "numérique".
    from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter

    from documents.search.folding import folding_filter

    return RegexTokenizer() | LowercaseFilter() | folding_filter() | StopFilter() | StemFilter()


def tokens(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, surface lowercased and accent-folded, stem) of every word, stop words included."""
    return [
        (t.startchar, t.endchar, fold(t.original.lower()), t.text)
        for t in _analyzer()(text, chars=True, keeporiginal=True, removestops=False, mode="index")
    ]


def stem(word: str) -> str:
    found = [t.text for t in _analyzer()(word, removestops=False)]
    return found[0] if found else fold(word.lower())


def matches(text: str, marks: Marks) -> list[tuple[int, int]]:
    """Character ranges of ``text`` that ``marks`` matches, in order, not overlapping."""
    if not marks or not text:
        return []
    toks = tokens(text)
    ranges = []
    for i, (start, end, surface, stemmed) in enumerate(toks):
        if (surface in marks.surfaces or stemmed in marks.stems
                or (marks.prefixes and surface.startswith(marks.prefixes))):
            ranges.append((start, end))
    for phrase in marks.phrases:
        n = len(phrase)
        if not n:
            continue
        for i in range(len(toks) - n + 1):
            if all(toks[i + k][2] == phrase[k] for k in range(n)):
                ranges.append((toks[i][0], toks[i + n - 1][1]))
    ranges.sort()
    merged: list[tuple[int, int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _render(text: str, lo: int, hi: int, ranges) -> str:
    out, pos = [], lo
    for start, end in ranges:
        if end <= lo or start >= hi:
            continue
        start, end = max(start, lo), min(end, hi)
        out.append(html.escape(text[pos:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        pos = end
    out.append(html.escape(text[pos:hi]))
    return "".join(out)


def _word_edge(text: str, i: int, forward: bool) -> int:
    """Move ``i`` to a space so a passage does not start or end inside a word."""
    n = len(text)
    if i <= 0 or i >= n:
        return max(0, min(i, n))
    step = 1 if forward else -1
    j = i
    while 0 < j < n and not text[j].isspace() and abs(j - i) < 20:
        j += step
    return j


def plain(text: str) -> str:
    """The start of the text, escaped: for hits matched by filters or headings only."""
    text = " ".join((text or "").split())
    if len(text) > SNIPPET_CHARS:
        text = text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return html.escape(text)


def snippet(text: str, marks: Marks) -> Snippet:
    """The whole text when short, else up to ``PASSAGES`` passages around matches;
    the plain start when nothing matched."""
    text = " ".join((text or "").split())
    ranges = matches(text, marks)
    if not ranges:
        return Snippet(plain(text))
    words = list(dict.fromkeys(text[s:e].lower() for s, e in ranges))[:MAX_HL_WORDS]
    if len(text) <= SNIPPET_CHARS:
        return Snippet(_render(text, 0, len(text), ranges), words)
    passages, covered = [], -1
    for start, _ in ranges:
        if start < covered:
            continue
        lo = _word_edge(text, start - SURROUND, forward=True)
        hi = _word_edge(text, lo + SNIPPET_CHARS // PASSAGES + SURROUND, forward=False)
        hi = max(hi, min(len(text), start + 1))
        passages.append((lo, hi))
        covered = hi
        if len(passages) == PASSAGES:
            break
    parts = []
    for lo, hi in passages:
        part = _render(text, lo, hi, ranges).strip()
        parts.append(("… " if lo > 0 else "") + part + (" …" if hi < len(text) else ""))
    return Snippet(" ".join(parts).replace("… …", "…"), words)
