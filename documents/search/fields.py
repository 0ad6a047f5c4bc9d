"""Index fields that say what they are for, so an engine can store them well.

haystack's ``CharField`` says nothing about *how* a text is searched. These subclasses
add a ``search_role`` that the portal's Whoosh engine maps to a Whoosh field
(``documents.search.backend``); any other engine sees plain haystack fields and
indexes them its own way (Xapian, for instance, keeps stemmed and unstemmed terms
of every text). Fields without a role get haystack's stock mapping, so third-party
indexes and haystack's own test suite behave as on the stock engine.

Roles:
    ``keyword``   an exact value (slug, kind): filterable, facetable, sortable
    ``stored``    kept for display only, not searchable
    ``stemmed``   words, stemmed, without positions (plain words; phrases go to ``surface``)
    ``heading``   words, stemmed, with positions (small, boosted)
    ``surface``   words as written (lowercased), with positions: exact phrases, prefixes
    ``date``      a date for range filters ("as of"), sortable only when asked
                  (``sortable=True``): the sort column is written for every entry
"""

from __future__ import annotations

from haystack import indexes


class _Role:
    search_role = ""


class KeywordFacetField(_Role, indexes.FacetCharField):
    search_role = "keyword"


class KeywordField(_Role, indexes.CharField):
    search_role = "keyword"

    def __init__(self, **kwargs):
        kwargs.setdefault("facet_class", KeywordFacetField)
        super().__init__(**kwargs)


class StoredField(_Role, indexes.CharField):
    search_role = "stored"

    def __init__(self, **kwargs):
        kwargs["indexed"] = False
        super().__init__(**kwargs)


class StoredDateField(_Role, indexes.DateField):
    """A date shown with a result but never searched by the Whoosh engine: stored only.
    Other engines index it as haystack does."""

    search_role = "stored"


class DateField(_Role, indexes.DateField):
    search_role = "date"

    def __init__(self, *, sortable: bool = False, **kwargs):
        self.sortable = sortable
        super().__init__(**kwargs)


class StemmedTextField(_Role, indexes.CharField):
    search_role = "stemmed"


class HeadingField(_Role, indexes.CharField):
    search_role = "heading"


class SurfaceTextField(_Role, indexes.CharField):
    search_role = "surface"

    def __init__(self, **kwargs):
        kwargs.setdefault("stored", False)
        super().__init__(**kwargs)
