"""``search(params)``: one search, on the best path for the engine, at a bounded cost.

Cost bounds, so that no input makes one request expensive for everyone else:

* the query language caps length, terms, nesting and fuzzy word length (``query``);
* prefix and fuzzy words expand to at most ``MAX_EXPANSION`` surface words, and "did
  you mean" only corrects plausible words (``whoosh_path``);
* every search has a time budget (``SEARCH_TIME_BUDGET`` seconds, default 0.5) that
  the set algebra, the scoring pass and the corrector check as they go: when it is
  spent the work stops and the page says so;
* *costly* searches (prefix, fuzzy, phrase, many terms, deep pages, queries the
  parser had to cut) run at most ``SEARCH_COSTLY_CONCURRENCY`` at a time in the whole
  server, all worker processes together (default 1); another one waits
  at most ``COSTLY_WAIT`` seconds for the slot, then is answered "busy" (a 503 with
  Retry-After) and frees its server thread. Plain searches never wait for them, so
  clients sending costly queries in a loop take one costly search's share of the CPU,
  and never all of the server's threads.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time

from django.conf import settings

from documents.search import filters
from documents.search.params import PAGE_SIZE, SearchParams
from documents.search.query import ParsedQuery, parse_query
from documents.search.results import SearchOutcome
from documents.search.whoosh_path import BudgetExceeded

COSTLY_TERMS = 8
COSTLY_WAIT = 0.05  # seconds a costly search waits for the slot
COSTLY_CHARS = 200  # a longer query is costly
COSTLY_PAGE = 20  # a deeper page is costly (it scores page x 20 hits)
EXPORT_BUDGET = 10.0  # seconds: an export scores up to EXPORT_MAX hits


def _setting(name, default):
    return getattr(settings, name, default)


class SearchBudget:
    """The time one search may take; ``check()`` raises BudgetExceeded once spent."""

    def __init__(self, seconds: float | None = None):
        self.seconds = float(seconds if seconds is not None else _setting("SEARCH_TIME_BUDGET", 0.5))
        self.deadline = time.monotonic() + self.seconds
        self.stopped = False

    def extend(self, seconds: float) -> None:
        """Give back ``seconds`` the server spent on work no input chose."""
        self.deadline += seconds

    def spent(self) -> bool:
        return time.monotonic() > self.deadline

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            self.stopped = True
            raise BudgetExceeded


class _CostlySlot:
    """One of ``SEARCH_COSTLY_CONCURRENCY`` slots for costly searches, shared by every
    thread *and process* of the server (``flock`` on small files in the data folder):
    gunicorn's workers are processes, so a per-process limit would still let every
    worker spend a whole core on costly searches at once."""

    def __init__(self, slots: int, folder: str):
        self.paths = [os.path.join(folder, f"search-costly-{n}.lock") for n in range(max(1, slots))]
        self.fd = None

    def acquire(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            for path in self.paths:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    os.close(fd)
                    continue
                self.fd = fd
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def _costly_slot() -> _CostlySlot:
    folder = str(_setting("SEARCH_LOCK_DIR", "") or _setting("DATA_DIR", "") or tempfile.gettempdir())
    return _CostlySlot(int(_setting("SEARCH_COSTLY_CONCURRENCY", 1)), folder)


def is_costly(query: ParsedQuery, params: SearchParams | None = None) -> bool:
    """Costly: prefix, fuzzy or phrase terms, many terms, a deep page, or a query the
    parser had to cut or clean (what people type is short and clean; what a script
    probing the server sends is not)."""
    terms = query.terms(kinds=("word", "phrase", "prefix", "fuzzy"))
    if len(terms) > COSTLY_TERMS or query.notices or len(query.raw) > COSTLY_CHARS:
        return True
    if params is not None and params.page > COSTLY_PAGE:
        return True
    return any(t.kind in ("prefix", "fuzzy", "phrase") for t in terms)


def search(params: SearchParams, *, fast: bool | None = None, budget: SearchBudget | None = None,
           page_size: int | None = None, snippets: bool = True) -> SearchOutcome:
    """Run a search. Never raises for anything the user typed in ``q``. ``page_size``
    and ``snippets=False`` are for the export (every hit, no snippets)."""
    query = parse_query(params.q)
    notices = list(query.notices)
    if not query.empty or params.filtered:
        # Filter values as people type them (names, any case or accents): see filters.
        query, params = filters.resolve(query, params, notices)
    outcome = SearchOutcome(params=params, query=query, notices=notices)
    if query.empty and not params.filtered:
        if params.q.strip():
            outcome.message = "There was nothing to search for in that query. Type some words; see the examples below."
        return outcome
    from documents import indexing
    from documents.search import generic_path, whoosh_path

    budget = budget or SearchBudget()
    backend = indexing.backend()
    use_fast = hasattr(backend, "searcher") if fast is None else fast
    slot = _costly_slot() if is_costly(query, params) else None
    if slot is not None and not slot.acquire(timeout=COSTLY_WAIT):
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
    # Which versions hold each hit's text is derived from the timeline, not indexed.
    from documents.selectors import search_hits_versions

    search_hits_versions(outcome.hits, params)
    outcome.searched = True
    if outcome.total == 0 and not outcome.message:
        scope = {"current": "in current versions", "all": "in any version"}.get(
            params.versions, f"in force on {params.as_of:%-d %B %Y}" if params.as_of else "")
        outcome.message = f"No clause matches this search {scope}.".replace(" .", ".")
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
