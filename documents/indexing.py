"""Keeps the search index in step with the spans.

``spans_update`` is called inside the publish transaction, so an index failure rolls
the publish back. With the portal's Whoosh engine a publish is one batch: one writer,
one commit, bounded lock waits (see ``documents.search.backend``). Other haystack
engines get the same documents through haystack's ``update``/``remove``.

The reverse case (the index committed but the database transaction then failed) leaves
entries for spans that do not exist; ``manage.py search_sync`` reports such drift and
``--repair`` fixes it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field

from haystack import connections


def _index():
    from documents.models import ClauseSpan

    return connections["default"].get_unified_index().get_index(ClauseSpan)


def backend():
    return connections["default"].get_backend()


def identifier(span_id) -> str:
    return f"documents.clausespan.{span_id}"


class IndexBatch:
    """Index writes gathered over many publishes and written with one writer and one
    commit (``indexing.batch()``): a bulk import commits once per batch of versions
    instead of once per version.

    Only span ids are kept. At ``flush`` each id is written as the database holds it
    then: a span created and closed inside the batch is written once, in its final
    state, and an id whose publish was rolled back (a failed file) is written as it
    is, or removed if it does not exist. The index therefore ends in step with the
    database whatever happened to the publishes in between.
    """

    def __init__(self):
        self.ids: set[int] = set()
        self.written = 0
        self.removed = 0
        self.commits = 0
        self.cpu_seconds = 0.0  # spent in flush: reading the spans, preparing, writing

    def add(self, changed_ids, removed_ids) -> None:
        self.ids.update(changed_ids)
        self.ids.update(removed_ids)

    def flush(self) -> None:
        if not self.ids:
            return
        from documents.models import ClauseSpan

        started = time.process_time()
        ids = sorted(self.ids)
        self.ids = set()
        present = set()
        for start in range(0, len(ids), 5000):
            present.update(ClauseSpan.objects.filter(pk__in=ids[start: start + 5000]).order_by()
                           .values_list("pk", flat=True))
        gone = [pk for pk in ids if pk not in present]
        written = _write(sorted(present), gone)
        self.written += written
        self.removed += len(gone)
        self.commits += 1
        self.cpu_seconds += time.process_time() - started


_local = threading.local()


@contextlib.contextmanager
def batch():
    """Gather the index writes of the publishes inside into one write at the end.

    The caller holds the database transaction around it, so an index failure rolls
    the whole batch back, as it rolls back a single publish.
    """
    outer = getattr(_local, "batch", None)
    if outer is not None:  # nested: the outer batch writes
        yield outer
        return
    pending = _local.batch = IndexBatch()
    try:
        yield pending
        pending.flush()
    finally:
        _local.batch = None


# Entries written since the process started (by publish, batch or repair): how the
# benchmarks and tests tell that a publish writes O(changed) entries.
WRITES = {"entries": 0, "removals": 0, "commits": 0}


def spans_update(changed, removed_ids) -> None:
    """Write the ``changed`` spans (ids or spans) and delete the spans with ids
    ``removed_ids``, in one write; inside ``batch()``, at the end of the batch."""
    changed_ids = [getattr(span, "pk", span) for span in changed]
    removed_ids = list(removed_ids)
    if not changed_ids and not removed_ids:
        return
    pending = getattr(_local, "batch", None)
    if pending is not None:
        pending.add(changed_ids, removed_ids)
        return
    _write(changed_ids, removed_ids)


def _write(changed_ids, removed_ids) -> int:
    removed = [identifier(pk) for pk in removed_ids]
    changed = []
    for start in range(0, len(changed_ids), 5000):
        # full_prepare follows these relations: fetch them in one query rather than
        # one lazy load per span and field.
        # Unordered: the model's ordering joins two more tables only to sort.
        changed.extend(_index().index_queryset().filter(pk__in=changed_ids[start: start + 5000]).order_by())
    if not changed and not removed:
        return 0
    WRITES["entries"] += len(changed)
    WRITES["removals"] += len(removed)
    WRITES["commits"] += 1
    engine = backend()
    if hasattr(engine, "apply"):
        engine.apply(_index(), changed, removed)
        return len(changed)
    index = _index()
    if changed:
        engine.update(index, changed)
    for ident in removed:
        engine.remove(ident)
    return len(changed)


def rebuild(*, batch_size: int = 5000) -> int:
    """Empty the index and write every span again; returns the number written."""
    return spans_rebuild_index(batch_size=batch_size)


def spans_rebuild_index(*, batch_size: int = 2000) -> int:
    """Empty the index and write every span again; returns the number written.

    With the portal's Whoosh engine this is one writer and one commit for the whole
    index; other engines get haystack's ``update`` per batch.
    """
    index = _index()
    engine = backend()
    queryset = index.index_queryset().order_by("pk")

    def batches():
        last = 0
        while True:
            batch = list(queryset.filter(pk__gt=last)[:batch_size])
            if not batch:
                return
            last = batch[-1].pk
            yield batch

    if hasattr(engine, "rebuild"):
        return engine.rebuild(index, batches())
    engine.clear()
    written = 0
    for batch in batches():
        engine.update(index, batch)
        written += len(batch)
    return written


def repair_if_interrupted() -> dict[str, int] | None:
    """If an earlier import was killed (its IndexRepairMark is still there), bring the
    index back in step with the database and drop the marks; None when there was none."""
    from documents.models import IndexRepairMark

    marks = list(IndexRepairMark.objects.values_list("pk", flat=True))
    if not marks:
        return None
    result = repair()
    IndexRepairMark.objects.filter(pk__in=marks).delete()
    return result


# --- Drift between the spans and the index (manage.py search_sync) ---------------------


@dataclass
class DriftReport:
    spans: int = 0
    entries: int = 0
    missing: set = field(default_factory=set)  # span ids with no entry
    stale: set = field(default_factory=set)  # span ids whose entry differs
    orphaned: set = field(default_factory=set)  # entry ids with no span
    rebuild_reason: str = ""

    @property
    def rebuild_needed(self) -> bool:
        return bool(self.rebuild_reason)

    @property
    def drift(self) -> bool:
        return bool(self.missing or self.stale or self.orphaned)

    def summary(self) -> str:
        state = "in step" if not self.drift and not self.rebuild_needed else "DRIFT"
        text = (
            f"Search index {state}: {self.spans} spans in the database, {self.entries} index entries; "
            f"{len(self.missing)} missing, {len(self.stale)} stale, {len(self.orphaned)} orphaned."
        )
        if self.rebuild_reason:
            text += f" The index needs a rebuild: {self.rebuild_reason}."
        return text


def _index_fingerprints() -> dict[int, list[str]]:
    """span id -> fingerprints of its index entries (more than one is itself drift)."""
    engine = backend()
    entries: dict[int, list[str]] = {}
    if hasattr(engine, "searcher"):
        reader = engine.searcher().reader()
        for fields in reader.all_stored_fields():
            if fields.get("django_ct") != "documents.clausespan":
                continue
            entries.setdefault(int(fields["django_id"]), []).append(fields.get("fingerprint") or "")
        return entries
    from haystack.query import SearchQuerySet

    from documents.models import ClauseSpan

    sqs = SearchQuerySet().models(ClauseSpan)
    total = sqs.count()
    for start in range(0, total, 1000):
        for result in sqs[start: start + 1000]:
            entries.setdefault(int(result.pk), []).append(getattr(result, "fingerprint", "") or "")
    return entries


def compare() -> DriftReport:
    from documents.search_indexes import span_fingerprint

    from documents.search.backend import SearchIndexMissing

    report = DriftReport()
    engine = backend()
    if hasattr(engine, "schema_matches_disk") and not engine.schema_matches_disk():
        report.rebuild_reason = "it was written with a different schema"
    try:
        entries = _index_fingerprints() if not report.rebuild_needed else {}
    except SearchIndexMissing:
        report.rebuild_reason = "it is missing or empty while the database is not"
        entries = {}
    report.entries = sum(len(v) for v in entries.values())
    seen: set[int] = set()
    queryset = _index().index_queryset().order_by("pk")
    for span in queryset.iterator(chunk_size=2000):
        seen.add(span.pk)
        found = entries.get(span.pk)
        if not found:
            report.missing.add(span.pk)
        elif len(found) > 1 or found[0] != span_fingerprint(span):
            report.stale.add(span.pk)
    report.spans = len(seen)
    report.orphaned = set(entries) - seen
    if report.rebuild_needed:
        report.missing = set(seen)
    return report


def repair(report: DriftReport | None = None) -> dict[str, int]:
    """Index the missing and stale spans and drop the orphans, in one batch."""
    report = report or compare()
    if report.rebuild_needed or (report.entries == 0 and report.missing):
        # An empty (or incompatible) index: build it in one pass, no existence checks.
        return {"written": rebuild(), "removed": 0}
    wanted = sorted(report.missing | report.stale)
    removed = [identifier(pk) for pk in report.orphaned]
    index = _index()
    engine = backend()
    written = 0
    for start in range(0, max(len(wanted), 1), 5000):
        objects = list(index.index_queryset().filter(pk__in=wanted[start: start + 5000]))
        if hasattr(engine, "apply"):
            engine.apply(index, objects, removed if start == 0 else ())
        else:
            if objects:
                engine.update(index, objects)
            for ident in (removed if start == 0 else ()):
                engine.remove(ident)
        written += len(objects)
    return {"written": written, "removed": len(removed)}
