"""The search page, its JSON twin, the export of all hits, and the search-box suggestions.

All take the parameters of ``documents.search.params``. Whatever is typed in ``q``
gives a page of results or a message, never an error; an invalid *parameter* (a date
that is not a date, page 0) is a 400 with a message. An index that stays locked or
unreachable, or too many costly searches at once, is a 503 with a message (and
``Retry-After``), not a 500.
"""

from __future__ import annotations

import logging
import time

from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from haystack.exceptions import SearchBackendError

from documents.models import DocumentKind
from documents.search import export, service
from documents.search.backend import SearchIndexMissing
from documents.search.query import MAX_FUZZY_CHARS, MIN_PREFIX
from documents.search.params import SearchInputError, SearchParams, params_from_request

log = logging.getLogger(__name__)

UNAVAILABLE = "Search is unavailable for a moment; please try again shortly."
MISSING = ("Search is unavailable: its index is being rebuilt. The documents themselves can still be read; "
           "please try searching again later.")
SUGGEST_CHARS = 40
SUGGEST_MAX = 8


def _run(request, **options):
    """(params, outcome, error message, status)."""
    try:
        params = params_from_request(request.GET)
    except SearchInputError as exc:
        return SearchParams(q=str(request.GET.get("q", ""))[:500]), None, str(exc), 400
    started, cpu = time.perf_counter(), time.thread_time()
    try:
        outcome = service.search(params, **options)
        # The search's own cost, in the Server-Timing header: wall time and this
        # thread's CPU time (which other load on the machine does not inflate).
        request.search_timing = (time.perf_counter() - started, time.thread_time() - cpu)
    except SearchIndexMissing:
        log.exception("search index missing")
        return params, None, MISSING, 503
    except (SearchBackendError, OSError):
        log.exception("search failed for %r", params)
        return params, None, UNAVAILABLE, 503
    if outcome.busy:
        return params, outcome, outcome.message, 503
    return params, outcome, "", 200


def _retry(response, status, request=None):
    if status == 503:
        response["Retry-After"] = "2"
    timing = getattr(request, "search_timing", None)
    if timing:
        response["Server-Timing"] = f"search;dur={timing[0] * 1000:.1f}, search-cpu;dur={timing[1] * 1000:.1f}"
    return response


@require_GET
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
        "min_prefix": MIN_PREFIX,
        "max_fuzzy_chars": MAX_FUZZY_CHARS,
        "csv_querystring": params.querystring(page=1, format="csv"),
        "json_querystring": params.querystring(page=1, format="json"),
        "last_page_querystring": params.querystring(page=outcome.num_pages) if outcome else "",
    }
    return _retry(render(request, "search/search.html", context, status=status), status, request)


@require_GET
def api_search(request):
    params, outcome, error, status = _run(request)
    if outcome is None or status != 200:
        return _retry(JsonResponse({"error": error}, status=status), status)
    if not outcome.searched and outcome.query.empty:
        message = outcome.message or "Give a query in the q parameter (or a publisher, kind or document filter)."
        return JsonResponse({"error": message, "notices": outcome.notices}, status=400)
    return _retry(JsonResponse(outcome.as_json()), status, request)


@require_GET
def search_export(request):
    """Every hit (up to ``EXPORT_MAX``) as ``format=csv`` (default) or ``format=json``."""
    fmt = str(request.GET.get("format", "csv"))[:8]
    if fmt not in ("csv", "json"):
        return JsonResponse({"error": "format must be csv or json."}, status=400)
    data = request.GET.copy()
    data["page"] = "1"
    request.GET = data
    params, outcome, error, status = _run(request, page_size=export.EXPORT_MAX, snippets=False,
                                          budget=service.SearchBudget(service.EXPORT_BUDGET))
    if outcome is None or status != 200:
        return _retry(JsonResponse({"error": error}, status=status), status)
    if not outcome.searched:
        return JsonResponse({"error": outcome.message or "Give a query to export."}, status=400)
    truncated = outcome.total > len(outcome.hits)
    absolute = request.build_absolute_uri
    if fmt == "json":
        response = StreamingHttpResponse(export.json_chunks(outcome, absolute, truncated),
                                         content_type="application/json")
    else:
        response = StreamingHttpResponse(export.csv_chunks(outcome, absolute, truncated),
                                         content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="search-results.{fmt}"'
    return response


@require_GET
def search_suggest(request):
    """Headings of current clauses that start like what is typed (haystack's
    ``autocomplete`` on an edge n-gram field), for the search box's list."""
    from haystack.query import SearchQuerySet

    from documents.models import ClauseSpan

    typed = " ".join(str(request.GET.get("q", ""))[:SUGGEST_CHARS].split())
    words = [w for w in typed.split() if any(ch.isalnum() for ch in w)]
    if not words or len(typed) < 2:
        return JsonResponse({"suggestions": []})
    try:
        results = SearchQuerySet().models(ClauseSpan).filter(current=True).autocomplete(
            heading_auto=" ".join(words[-3:]))[:40]
        seen, out = set(), []
        for result in results:
            heading = " ".join((getattr(result, "heading", "") or "").split())
            if heading and heading.lower() not in seen:
                seen.add(heading.lower())
                out.append(heading)
            if len(out) >= SUGGEST_MAX:
                break
    except (SearchBackendError, OSError):
        log.exception("suggestions failed for %r", typed)
        return JsonResponse({"suggestions": []}, status=503)
    return JsonResponse({"suggestions": out})
