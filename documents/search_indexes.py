"""One search entry per ClauseSpan: each distinct text of a clause lineage, once.

This class is the contract between the portal and every search engine haystack can
drive (Whoosh by default, Elasticsearch/Solr/OpenSearch in a cluster): the same fields
are written by the same update path whatever the engine.

* ``text`` (the document field: number, heading and plain text of the clause, stored:
  snippets and "similar clauses" are made from it) and ``heading`` (boosted) are the
  stemmed text plain words are looked up in; ``surface`` is the same text as written
  (lowercased, unstemmed, with positions): exact phrases and ``term*`` prefixes are
  looked up there. ``section`` is the clause's full number ("4.2(a)"), for titles.
* ``publisher``, ``kind`` and ``document`` are keywords: exact filters and facets
  (haystack adds ``publisher_exact`` etc. for faceting).
* ``valid_from`` / ``valid_to`` are the span's dates; ``valid_until`` repeats
  ``valid_to`` with a far-future date for an open span, because "is null" cannot be
  expressed portably: "as of d" is ``valid_from <= d < valid_until``; ``current``
  is ``valid_to is null``.
* Which versions hold a span's text is not in the index: it is derived from the
  timeline at query time (``selectors.search_hits_versions``), so a version that
  carries a clause over unchanged rewrites no entry.
* The stored-only fields (``fields.StoredField``, ``StoredDateField``: ``valid_to`` is
  shown, never filtered on) are not searchable, so a results page can be drawn
  from the index alone, without a database query per hit.
* ``fingerprint`` hashes everything that is written, so ``search_sync`` can tell a
  stale entry from a good one without comparing field by field.
"""

import datetime as dt
import hashlib

from haystack import indexes

from documents.models import ClauseSpan
from documents.search import fields
from documents.search.results import section_path

OPEN_END = dt.date(9999, 12, 31)


class ClauseSpanIndex(indexes.SearchIndex, indexes.Indexable):
    text = fields.StemmedTextField(document=True)
    surface = fields.SurfaceTextField()
    heading = fields.HeadingField(model_attr="first_clause__heading", boost=2.0)
    # Edge n-grams of the heading, for haystack's autocomplete (the search box's list).
    heading_auto = indexes.EdgeNgramField(model_attr="first_clause__heading", stored=False)
    number = fields.StoredField(model_attr="first_clause__number")
    section = fields.StoredField()
    publisher = fields.KeywordField(model_attr="document__publisher__slug", faceted=True)
    publisher_name = fields.StoredField(model_attr="document__publisher__name")
    kind = fields.KeywordField(model_attr="document__kind", faceted=True)
    document = fields.KeywordField(model_attr="document__slug", faceted=True)
    document_title = fields.StoredField(model_attr="document__title")
    lineage = fields.StoredField(model_attr="lineage__key")
    anchor = fields.StoredField(model_attr="last_clause__anchor")
    valid_from = fields.DateField(model_attr="valid_from", sortable=True)  # "newest"/"oldest" sorts
    valid_to = fields.StoredDateField(model_attr="valid_to", null=True)  # shown; filters use the two others
    valid_until = fields.DateField()
    current = indexes.BooleanField()
    fingerprint = fields.StoredField()

    def get_model(self):
        return ClauseSpan

    def get_updated_field(self):
        # A rebuild catches up with the spans saved while it ran (see search.backend).
        return "updated_at"

    def index_queryset(self, using=None):
        return self.get_model().objects.select_related(
            "first_clause__parent__parent", "first_clause__content", "last_clause", "lineage", "document__publisher"
        )

    def prepare_text(self, obj):
        # What haystack's ``use_template`` would render from a text template, without a
        # template render per clause (~10% of bulk indexing time).
        clause = obj.first_clause
        return f"{clause.number} {clause.heading}\n{clause.text}"

    def prepare_surface(self, obj):
        return self.prepare_text(obj)

    def prepare_section(self, obj):
        clause = obj.first_clause
        if clause.number and getattr(clause, "citation", ""):
            return clause.citation  # the full path the importer read: "D.8", "Schedule 2, 3.1"
        numbers = []
        while clause is not None and len(numbers) < 8:
            numbers.append(clause.number)
            if not (clause.number or "").strip().startswith("("):
                break
            clause = clause.parent
        return section_path(numbers)

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
