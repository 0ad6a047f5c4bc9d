"""Template tags of the search package: "similar clauses" on a clause page."""

from django import template

register = template.Library()


@register.simple_tag
def similar_clauses(clause, limit=5):
    """``{% similar_clauses clause as similar %}``: how other documents word the same
    provision (``documents.search.similar``); an empty list if the index cannot say."""
    from documents.search.similar import similar_clauses as find

    if clause is None:
        return []
    return find(clause, limit=int(limit))
