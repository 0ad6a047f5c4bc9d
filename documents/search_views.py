"""The search page and its JSON twin. Both take the same GET parameters:

``q`` (the query language, see ``documents.search``), ``versions`` (current | all |
asof), ``as_of`` (YYYY-MM-DD; implies versions=asof), ``publisher``, ``kind``,
``document`` (facet filters), ``sort`` (relevance | newest | oldest) and ``page``.

Whatever is typed in ``q`` gives a page of results or a message, never an error; an
invalid *parameter* (a date that is not a date, page 0) is a 400 with a message. An
index that stays locked or unreachable is a 503 with a message, not a 500.
"""

from __future__ import annotations

import logging

from django.http import JsonResponse
from django.shortcuts import render
from haystack.exceptions import SearchBackendError

from documents import search as portal_search
from documents.models import DocumentKind

log = logging.getLogger(__name__)

UNAVAILABLE = "Search is unavailable for a moment; please try again shortly."


def _run(request):
    """(params, outcome, error message, status)."""
    try:
        params = portal_search.params_from_request(request.GET)
    except portal_search.SearchInputError as exc:
        return portal_search.SearchParams(q=str(request.GET.get("q", ""))[:500]), None, str(exc), 400
    try:
        return params, portal_search.search(params), "", 200
    except (SearchBackendError, OSError):
        log.exception("search failed for %r", params)
        return params, None, UNAVAILABLE, 503


def search(request):
    params, outcome, error, status = _run(request)
    context = {
        "params": params,
        "query": params.q,
        "outcome": outcome,
        "error": error,
        "kinds": DocumentKind.choices,
        "version_modes": [("current", "Current versions"), ("all", "All versions"), ("asof", "As of a date")],
        "sorts": [("relevance", "Relevance"), ("newest", "Newest first"), ("oldest", "Oldest first")],
        "facet_titles": {"publisher": "Publisher", "kind": "Kind", "document": "Document"},
    }
    return render(request, "search/search.html", context, status=status)


def api_search(request):
    params, outcome, error, status = _run(request)
    if outcome is None:
        return JsonResponse({"error": error}, status=status)
    if not outcome.searched and outcome.query.empty:
        message = outcome.message or "Give a query in the q parameter (or a publisher, kind or document filter)."
        return JsonResponse({"error": message, "notices": outcome.notices}, status=400)
    return JsonResponse(outcome.as_json())
