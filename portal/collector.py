"""Pausing Python's cyclic garbage collector around bounded bulk work.

A publish, an import batch or a Whoosh commit makes hundreds of thousands of
short-lived objects (parsed clauses, aligner rows, query rows, postings). Reference
counting frees them as they go; the cyclic collector, triggered by their sheer number,
would instead walk the whole heap again and again: about a quarter of the CPU of a
publish that aligns a 2,000-clause document. So the work runs with the collector
paused, and one collection afterwards picks up any cycle.

Process-wide, as the collector is: concurrent users (threads) nest, and the collector
comes back when the last one leaves, and only if it was on before the first.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused():
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            resume = _depth == 0 and _was_enabled
            if resume:
                gc.enable()
        if resume:
            # Only the young generations: what the work left behind is young, and a
            # full pass over a server's heap is the cost this module avoids.
            gc.collect(1)
