"""One search entry per ClauseSpan: each distinct text of a clause lineage, once."""

from haystack import indexes

from documents.models import ClauseSpan


class ClauseSpanIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True, use_template=True)
    heading = indexes.CharField(model_attr="first_clause__heading", boost=2.0)
    number = indexes.CharField(model_attr="first_clause__number")
    publisher = indexes.CharField(model_attr="document__publisher__slug", faceted=True)
    kind = indexes.CharField(model_attr="document__kind", faceted=True)
    document = indexes.CharField(model_attr="document__slug", faceted=True)
    valid_from = indexes.DateField(model_attr="valid_from")
    valid_to = indexes.DateField(model_attr="valid_to", null=True)

    def get_model(self):
        return ClauseSpan

    def index_queryset(self, using=None):
        return self.get_model().objects.select_related(
            "first_clause", "document__publisher"
        )
