"""Template tags of the search package: "similar clauses" on a clause page."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def similar_clauses(context, clause, limit=5):
    """``{% similar_clauses clause as similar %}``: how other documents word the same
    provision (``documents.search.similar``); an empty list if the index cannot say."""
    from django.core.cache import cache

    from documents import selectors
    from documents.search.similar import similar_clauses as find

    if clause is None:
        return []
    # A more-like-this search costs 100+ ms; what it finds changes only when a publish
    # changes the index, so it is kept per clause until the next publish.
    count, newest = context.get("versions_generation") or selectors.versions_generation()
    key = f"similar:{clause.pk}:{limit}:{count}:{newest}"
    found = cache.get(key)
    if found is None:
        found = find(clause, limit=int(limit))
        cache.set(key, found, timeout=3600 if found else 60)  # an empty answer may be a failing index
    return found
