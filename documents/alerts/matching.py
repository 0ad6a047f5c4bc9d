"""Which new or changed clauses of a version a saved search finds.

The one place the alerts call the search: through the portal's public search function,
so a saved search means exactly what it means on the search page, on any engine.
"""

from __future__ import annotations

from documents.models import DocumentVersion

# A saved search is run within one document, newest spans first; the clauses a version
# added or amended start a span on its date, so they come first and the walk stops at
# the first older span. The cap bounds a pathological query.
MAX_PAGES = 25


def saved_search_matches(*, query: str, publisher: str, kind: str, document: str,
                         version: DocumentVersion, keys: set[str]) -> set[str]:
    """The lineage keys among ``keys`` (clauses ``version`` added or amended) whose text
    in ``version`` the saved search finds."""
    from documents import search as portal_search  # the portal's public search (issue 12 may move it)

    doc = version.document
    if (publisher and publisher != doc.publisher.slug) or (kind and kind != doc.kind) or (
            document and document != doc.slug):
        return set()
    found: set[str] = set()
    for page in range(1, MAX_PAGES + 1):
        params = portal_search.SearchParams(q=query, versions="all", document=doc.slug, sort="newest", page=page)
        outcome = portal_search.search(params)
        for hit in outcome.hits:
            if hit.lineage in keys and version.label in hit.version_labels:
                found.add(hit.lineage)
        older = any(hit.valid_from and hit.valid_from < version.effective_date for hit in outcome.hits)
        if older or not outcome.has_next or found == keys:
            break
    return found
