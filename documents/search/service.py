"""``search(params)``: one search, on the best path for the engine, at a bounded cost.

Cost bounds, so that no input makes one request expensive for everyone else:

* the query language caps length, terms, nesting and fuzzy word length (``query``);
* prefix and fuzzy words expand to at most ``MAX_EXPANSION`` surface words, and "did
  you mean" only corrects plausible words (``whoosh_path``);
* every search has a time budget (``SEARCH_TIME_BUDGET`` seconds, default 1.0) that
  the set algebra, the scoring pass and the corrector check as they go: when it is
  spent the work stops and the page says so;
* *costly* searches (prefix, fuzzy, phrase or many terms) run at most
  ``SEARCH_COSTLY_CONCURRENCY`` at a time per process (default 1); the others wait
  up to the budget for a slot, then are answered "busy" (a 503 with Retry-After).
  Plain searches never wait for them, so a client sending costly queries in a loop
  slows the others by one costly search's share of the CPU, not by all of them.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings

from documents.models import DocumentKind
from documents.search.params import PAGE_SIZE, SearchParams
from documents.search.query import ParsedQuery, parse_query
from documents.search.results import SearchOutcome
from documents.search.whoosh_path import BudgetExceeded

COSTLY_TERMS = 8
EXPORT_BUDGET = 10.0  # seconds: an export scores up to EXPORT_MAX hits


def _setting(name, default):
    return getattr(settings, name, default)


class SearchBudget:
    """The time one search may take; ``check()`` raises BudgetExceeded once spent."""

    def __init__(self, seconds: float | None = None):
        self.seconds = float(seconds if seconds is not None else _setting("SEARCH_TIME_BUDGET", 1.0))
        self.deadline = time.monotonic() + self.seconds
        self.stopped = False

    def spent(self) -> bool:
        return time.monotonic() > self.deadline

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            self.stopped = True
            raise BudgetExceeded


_COSTLY_LOCK = threading.Lock()
_COSTLY: threading.BoundedSemaphore | None = None


def _costly_slots() -> threading.BoundedSemaphore:
    global _COSTLY
    if _COSTLY is None:
        with _COSTLY_LOCK:
            if _COSTLY is None:
                _COSTLY = threading.BoundedSemaphore(int(_setting("SEARCH_COSTLY_CONCURRENCY", 1)))
    return _COSTLY


def is_costly(query: ParsedQuery) -> bool:
    terms = query.terms(kinds=("word", "phrase", "prefix", "fuzzy"))
    if len(terms) > COSTLY_TERMS:
        return True
    return any(t.kind in ("prefix", "fuzzy", "phrase") for t in terms)


def search(params: SearchParams, *, fast: bool | None = None, budget: SearchBudget | None = None,
           page_size: int | None = None, snippets: bool = True) -> SearchOutcome:
    """Run a search. Never raises for anything the user typed in ``q``. ``page_size``
    and ``snippets=False`` are for the export (every hit, no snippets)."""
    query = parse_query(params.q, kinds=DocumentKind.values)
    outcome = SearchOutcome(params=params, query=query, notices=list(query.notices))
    if query.empty and not params.filtered:
        if params.q.strip():
            outcome.message = "There was nothing to search for in that query. Type some words; see the examples below."
        return outcome
    if params.kind and params.kind not in DocumentKind.values:
        outcome.notices.append(f"Unknown kind “{params.kind}”.")
    from documents import indexing
    from documents.search import generic_path, whoosh_path

    budget = budget or SearchBudget()
    backend = indexing.backend()
    use_fast = hasattr(backend, "searcher") if fast is None else fast
    slot = _costly_slots() if is_costly(query) else None
    if slot is not None and not slot.acquire(timeout=budget.seconds):
        outcome.busy = True
        outcome.message = "Search is busy with other complex searches; please try again in a moment."
        return outcome
    try:
        size = page_size or PAGE_SIZE
        if use_fast:
            whoosh_path.run(backend, query, params, outcome, budget, page_size=size, snippets=snippets)
        else:
            generic_path.run(query, params, outcome, budget, page_size=size, snippets=snippets)
    except BudgetExceeded:
        outcome.hits, outcome.total, outcome.facets = [], 0, {}
        outcome.message = (f"This search needed more than {budget.seconds:g} s and was stopped; "
                           "make it more specific (more letters before a *, fewer alternatives).")
    finally:
        if slot is not None:
            slot.release()
    if budget.stopped and outcome.total:
        outcome.notices.append("The search took too long and was stopped; the results may be incomplete.")
    outcome.searched = True
    if outcome.total == 0 and not outcome.message:
        outcome.message = "No clause matches this search."
    return outcome


def warm() -> float:
    """Open the shared searcher and compute the filter and facet sets a first search
    needs (gunicorn calls this in each worker at start-up). Returns the seconds taken."""
    from documents import indexing
    from documents.search.whoosh_path import docsets

    started = time.perf_counter()
    backend = indexing.backend()
    if hasattr(backend, "warm"):
        backend.warm()
        docsets(backend.searcher()).warm()
    return time.perf_counter() - started
