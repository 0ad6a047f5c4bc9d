"""One search entry per ClauseSpan: each distinct text of a clause lineage, once.

This class is the contract between the portal and every search engine haystack can
drive (Whoosh by default, Elasticsearch/Solr/OpenSearch in a cluster): the same fields
are written by the same update path whatever the engine.

* ``text`` (the document field: number, heading and plain text of the clause) and
  ``heading`` (boosted) are the searchable, stemmed text.
* ``publisher``, ``kind`` and ``document`` are keywords: exact filters and facets
  (haystack adds ``publisher_exact`` etc. for faceting).
* ``valid_from`` / ``valid_to`` are the span's dates; ``valid_until`` repeats
  ``valid_to`` with a far-future date for an open span, because "is null" cannot be
  expressed portably: "as of d" is ``valid_from <= d < valid_until``; ``current``
  is ``valid_to is null``.
* Which versions hold a span's text is not in the index: it is derived from the
  timeline at query time (``selectors.search_hits_versions``), so a version that
  carries a clause over unchanged rewrites no entry.
* The ``indexed=False`` fields are stored only (``body`` is the clause's plain text,
  for snippets), so a results page can be drawn
  from the index alone, without a database query per hit.
* ``fingerprint`` hashes everything that is written, so ``search_sync`` can tell a
  stale entry from a good one without comparing field by field.
"""

import datetime as dt
import hashlib

from haystack import indexes

from documents.models import ClauseSpan

OPEN_END = dt.date(9999, 12, 31)


class ClauseSpanIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True)
    heading = indexes.CharField(model_attr="first_clause__heading", boost=2.0)
    number = indexes.CharField(model_attr="first_clause__number", indexed=False)
    body = indexes.CharField(model_attr="first_clause__text", indexed=False)
    publisher = indexes.CharField(model_attr="document__publisher__slug", faceted=True)
    publisher_name = indexes.CharField(model_attr="document__publisher__name", indexed=False)
    kind = indexes.CharField(model_attr="document__kind", faceted=True)
    document = indexes.CharField(model_attr="document__slug", faceted=True)
    document_title = indexes.CharField(model_attr="document__title", indexed=False)
    lineage = indexes.CharField(model_attr="lineage__key", indexed=False)
    anchor = indexes.CharField(model_attr="last_clause__anchor", indexed=False)
    valid_from = indexes.DateField(model_attr="valid_from")
    valid_to = indexes.DateField(model_attr="valid_to", null=True)
    valid_until = indexes.DateField()
    current = indexes.BooleanField()
    fingerprint = indexes.CharField(indexed=False)

    def get_model(self):
        return ClauseSpan

    def index_queryset(self, using=None):
        return self.get_model().objects.select_related(
            "first_clause", "last_clause", "lineage", "document__publisher"
        )

    def prepare_text(self, obj):
        # What haystack's ``use_template`` would render from a text template, without a
        # template render per clause (~10% of bulk indexing time).
        clause = obj.first_clause
        return f"{clause.number} {clause.heading}\n{clause.text}"

    def prepare_valid_until(self, obj):
        return obj.valid_to or OPEN_END

    def prepare_current(self, obj):
        return obj.valid_to is None

    def prepare_fingerprint(self, obj):
        return span_fingerprint(obj)


def span_fingerprint(span: ClauseSpan) -> str:
    """A hash of what the index holds for ``span``: differs when the entry is stale."""
    first, last, document = span.first_clause, span.last_clause, span.document
    parts = (
        span.text_sha, first.heading, first.number, first.text, last.anchor, span.lineage.key,
        document.slug, document.title, document.kind, document.publisher.slug,
        document.publisher.name, str(span.valid_from), str(span.valid_to),
    )
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
