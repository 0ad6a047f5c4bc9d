"""xapian-haystack's engine with haystack's phrase, prefix and fuzzy semantics on the
portal's ``surface`` field (``SEARCH_BACKEND=xapian``).

xapian-haystack reads ``field=Exact("a b")`` as "the whole field is exactly a b" and
``field__startswith`` as "the field starts with", where Whoosh, Solr and Elasticsearch
read a phrase inside the field and a word starting with the prefix, and it ignores
``__fuzzy``. For fields whose ``search_role`` is ``surface`` (``documents.search.fields``)
this engine uses the other engines' reading; every other field keeps xapian-haystack's
own behaviour. It also negates a negated group as a whole (xapian-haystack applied
NOT to each member of the group), and indexes the text fields accent-folded (as the
Whoosh analyzers fold them; queries are folded by the generic path). Everything else
(indexing, scoring, facets, spelling) is xapian-haystack.
"""

from __future__ import annotations

import re

import xapian
from xapian_backend import TERM_PREFIXES, XapianEngine, XapianSearchBackend, XapianSearchQuery

from documents.search.folding import fold

MAX_EXPANSION = 256  # terms a prefix or fuzzy word expands to (as on the Whoosh path)
# Xapian refuses a term longer than 245 bytes, field prefix included, and
# xapian-haystack indexes every whitespace-separated run of a text field as a term
# (its "exact" terms): a long URL in a clause stopped a whole rebuild. Longer runs are
# cut into pieces of at most this many bytes (room left for the longest prefix).
MAX_WORD_BYTES = 200
_RUN = re.compile(r"\S{%d,}" % (MAX_WORD_BYTES // 4 + 1))  # runs that may be too long in UTF-8


def split_long_words(text: str, limit: int = MAX_WORD_BYTES) -> str:
    """``text`` with every whitespace-free run longer than ``limit`` UTF-8 bytes cut
    into pieces of at most ``limit`` bytes by spaces; other text unchanged."""

    def cut(match) -> str:
        word = match.group()
        if len(word.encode("utf-8")) <= limit:
            return word
        pieces, piece, size = [], [], 0
        for char in word:
            n = len(char.encode("utf-8"))
            if size + n > limit:
                pieces.append("".join(piece))
                piece, size = [], 0
            piece.append(char)
            size += n
        pieces.append("".join(piece))
        return " ".join(pieces)

    return _RUN.sub(cut, text)


class PortalXapianSearchQuery(XapianSearchQuery):
    def _is_surface(self, field_name) -> bool:
        if not field_name or field_name == "content":
            return False
        from haystack import connections

        fields = connections[self._using].get_unified_index().all_searchfields()
        field = next((f for f in fields.values() if f.index_fieldname == field_name), None)
        return getattr(field, "search_role", "") == "surface"

    @staticmethod
    def _prefix(field_name) -> str:
        return TERM_PREFIXES["field"] + field_name.upper()

    @staticmethod
    def _negate(query, is_not):
        return xapian.Query(xapian.Query.OP_AND_NOT, xapian.Query.MatchAll, query) if is_not else query

    def _filter_exact(self, term, field_name, field_type, is_not):
        if field_type == "text" and self._is_surface(field_name):
            words = str(term).lower().split()
            if len(words) == 1:
                query = xapian.Query(self._prefix(field_name) + words[0])
            else:
                query = self._phrase_query(words, field_name, field_type)
            return self._negate(query, is_not)
        return super()._filter_exact(term, field_name, field_type, is_not)

    def _filter_startswith(self, term, field_name, field_type, is_not):
        if field_type == "text" and self._is_surface(field_name):
            query = xapian.Query(xapian.Query.OP_WILDCARD, self._prefix(field_name) + str(term).lower(),
                                 MAX_EXPANSION, xapian.Query.WILDCARD_LIMIT_MOST_FREQUENT)
            return self._negate(query, is_not)
        return super()._filter_startswith(term, field_name, field_type, is_not)

    def _query_from_search_node(self, search_node, is_not=False):
        # xapian-haystack negates each child of a negated node but keeps its connector,
        # so NOT (a OR b) became (NOT a) OR (NOT b). Build the node, then negate it.
        query = super()._query_from_search_node(search_node, False)
        return self._negate(query, is_not)

    def _query_from_term(self, term, field_name, filter_type, is_not):
        if filter_type == "fuzzy" and self._is_surface(field_name):
            return [self._negate(self._fuzzy(str(term).lower(), field_name), is_not)]
        return super()._query_from_term(term, field_name, filter_type, is_not)

    def _fuzzy(self, word: str, field_name: str, distance: int = 2):
        """Surface words at most ``distance`` edits from ``word`` sharing its first letter
        (Xapian 1.4 has no edit-distance query): an OR of at most MAX_EXPANSION terms."""
        from rapidfuzz.distance import Levenshtein

        prefix = self._prefix(field_name)
        database = self.backend._database()
        found = []
        if word:
            for item in database.allterms(prefix + word[0]):
                candidate = item.term.decode("utf-8")[len(prefix):]
                if abs(len(candidate) - len(word)) <= distance and \
                        Levenshtein.distance(candidate, word, score_cutoff=distance) <= distance:
                    found.append(xapian.Query(prefix + candidate))
                    if len(found) >= MAX_EXPANSION:
                        break
        return xapian.Query(xapian.Query.OP_OR, found) if found else xapian.Query()


# The fields whose words are searched as text: indexed accent-folded, as the Whoosh
# analyzers fold them (documents.search.folding), so "numerique" finds "numérique".
FOLDED_FIELDS = frozenset({"text", "surface", "heading"})


class _FoldedForIndexing(dict):
    """A clause's prepared fields as xapian-haystack indexes them: the text fields read
    accent-folded. The backend stores the same dict (pickled) for display: that copy
    keeps the text as written (pickling goes through ``__reduce_ex__``, i.e. the plain
    dict's own items)."""

    def __getitem__(self, key):
        value = super().__getitem__(key)
        return fold(value) if key in FOLDED_FIELDS and isinstance(value, str) else value

    def __reduce_ex__(self, protocol):
        return dict, (dict(self.items()),)


class _IndexingView:
    """The search index as xapian-haystack should see it: prepared text values folded
    (``_FoldedForIndexing``) and with no word Xapian would refuse (``split_long_words``)."""

    def __init__(self, index):
        self._index = index

    def __getattr__(self, name):
        return getattr(self._index, name)

    def full_prepare(self, obj):
        data = self._index.full_prepare(obj)
        return _FoldedForIndexing(
            {name: split_long_words(value) if isinstance(value, str) else value for name, value in data.items()}
        )


class PortalXapianSearchBackend(XapianSearchBackend):
    def update(self, index, iterable, commit=True):
        return super().update(_IndexingView(index), iterable, commit=commit)


class PortalXapianEngine(XapianEngine):
    backend = PortalXapianSearchBackend
    query = PortalXapianSearchQuery
