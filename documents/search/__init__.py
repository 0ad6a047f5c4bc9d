"""Search: the query language, the engines, the index maintenance and the pages.

    query.py         the query language (pure): any string -> a bounded tree
    params.py        the page's and API's parameters
    fields.py        index field roles (what a field is for; engines map them)
    backend.py       the portal's Whoosh engine for haystack (schema, shared searcher,
                     bounded writes, atomic rebuild)
    whoosh_path.py   a search on the portal's Whoosh engine (document sets, one page scored)
    generic_path.py  the same search through haystack's SearchQuerySet (Xapian, clusters)
    snippets.py      stable, escaped snippets with the matches marked
    results.py       hits, facets, pagination
    service.py       ``search(params)``: picks the path, keeps each request's cost bounded
    similar.py       "similar clauses in other documents" (more_like_this)
    export.py        every hit of a search as CSV or JSON, streamed
    views.py         the search page, its API, export and autocomplete

This package's ``__init__`` imports nothing, so the engine module can be loaded by
haystack without the portal's models (haystack's own test suite does that).
"""


def __getattr__(name):
    # ``from documents import search; search.search(params)`` and friends, lazily.
    if name in {"search", "SearchBudget"}:
        from documents.search import service

        return getattr(service, name)
    if name in {"SearchParams", "SearchInputError", "params_from_request"}:
        from documents.search import params

        return getattr(params, name)
    if name in {"parse_query", "ParsedQuery", "Term", "And", "Or", "Not"}:
        from documents.search import query

        return getattr(query, name)
    if name in {"clause_title", "SearchOutcome", "SearchHit"}:
        from documents.search import results

        return getattr(results, name)
    raise AttributeError(name)
