""""Similar clauses in other documents": how other publishers word the same provision.

haystack's ``more_like_this`` on the clause's span (the Whoosh engine picks the
span's most characteristic words from its stored text), narrowed to current versions
of *other* documents. Any failure of the index leaves the block out rather than the
clause page broken.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)
SIMILAR_MAX = 5


def similar_clauses(clause, limit: int = SIMILAR_MAX) -> list[dict]:
    from haystack.exceptions import SearchBackendError
    from haystack.query import SearchQuerySet

    from documents.models import ClauseSpan
    from documents.search.results import clause_text, clause_title

    span = ClauseSpan.objects.filter(lineage_id=clause.lineage_id, first_clause__version__effective_date__lte=(
        clause.version.effective_date)).order_by("-valid_from").only("pk").first()
    if span is None:
        return []
    from haystack.inputs import Exact

    slug = clause.version.document.slug
    try:
        found = []
        others = SearchQuerySet().models(ClauseSpan).filter(current=True).exclude(document_exact=Exact(slug))
        for result in others.more_like_this(span)[: limit * 4]:
            if getattr(result, "document", "") == clause.version.document.slug:
                continue
            if not getattr(result, "current", False):
                continue
            found.append(result)
            if len(found) >= limit:
                break
    except (SearchBackendError, OSError, ValueError):
        log.exception("similar clauses failed for clause %s", clause.pk)
        return []
    from django.urls import reverse

    out = []
    for result in found:
        text = clause_text(getattr(result, "text", "") or "")
        out.append({
            "title": clause_title(getattr(result, "section", "") or "", getattr(result, "heading", "") or "", text),
            "document_title": getattr(result, "document_title", ""),
            "publisher": getattr(result, "publisher_name", ""),
            "url": reverse("documents:clause_latest", args=[result.lineage]),
        })
    return out
