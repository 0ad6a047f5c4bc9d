"""Keeps the search index in step with the spans. Called inside the publish transaction,
so an index failure rolls the publish back."""

from __future__ import annotations

from haystack import connections


def _index():
    from documents.models import ClauseSpan

    return connections["default"].get_unified_index().get_index(ClauseSpan)


def spans_update(changed, removed_ids) -> None:
    index = _index()
    backend = connections["default"].get_backend()
    if changed:
        backend.update(index, list(changed))
    for pk in removed_ids:
        backend.remove(f"documents.clausespan.{pk}")
