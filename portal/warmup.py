"""What a gunicorn worker does once before it takes requests (``post_worker_init``),
so that no reader's request pays for the process being new.

A new process has imported Django and the URLconf but has not yet compiled a template
(Django's cached loader compiles each on first use), opened the database, or opened
the search index and built its filter and facet sets. Each of those is done here, and
timed, so the log says what a first request would otherwise have paid. Nothing here
is specific to a page or a document: every project template is compiled, whatever
pages exist.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

TEMPLATE_SUFFIXES = {".html", ".txt", ".xml"}


@contextmanager
def _timed(steps: dict[str, float], name: str):
    started = time.perf_counter()
    try:
        yield
    except Exception:  # noqa: BLE001 - a step that fails (a locked index) must not keep the worker down
        log.exception("warm-up step %s failed", name)
    finally:
        steps[name] = time.perf_counter() - started


def templates_compile() -> int:
    """Compile (and so cache, in the cached loader) every template under the project's
    template folders: the pages' templates and everything they include or extend."""
    from django.template import engines

    n = 0
    for engine in engines.all():
        for folder in getattr(engine, "dirs", ()) or ():
            folder = Path(folder)
            for path in sorted(folder.rglob("*")):
                if path.suffix in TEMPLATE_SUFFIXES and path.is_file():
                    engine.get_template(path.relative_to(folder).as_posix())
                    n += 1
    return n


def database_open() -> None:
    """Open this thread's connection and read the catalogue (ids and names of every
    document) once: the SQLite pages every list starts from are then in memory."""
    from django.db import connection

    from documents import selectors

    connection.ensure_connection()
    selectors.catalogue()


def warm() -> dict[str, float]:
    """Every step, timed (seconds). The main thread's database connection is closed at
    the end: the worker's threads open their own."""
    from django.db import connection
    from django.urls import get_resolver

    steps: dict[str, float] = {}
    with _timed(steps, "urls"):
        get_resolver().reverse_dict  # noqa: B018 - builds the reverse lookups every page uses
    with _timed(steps, "templates"):
        templates_compile()
    with _timed(steps, "database"):
        database_open()
    with _timed(steps, "search"):
        from documents.search.service import warm as search_warm

        search_warm()
    connection.close()
    return steps
