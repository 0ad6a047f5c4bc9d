"""Index maintenance: atomic rebuilds, repair after interruptions, the shared searcher."""

from __future__ import annotations

import datetime as dt
import os
import threading
from io import StringIO

import pytest
from django.core.management import call_command

from documents import indexing
from documents.search import SearchParams
from documents.search.backend import REBUILD_PREFIX, SearchIndexBusy
from documents.search.service import search
from tests.test_search import ACME_V1, ACME_V2, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def many():
    """Enough clauses that a rebuild takes a while (and overlaps searches)."""
    publish("Acme", "Privacy Policy", "privacy", ACME_V1, dt.date(2023, 1, 1))
    publish("Acme", "Privacy Policy", "privacy", ACME_V2, dt.date(2024, 1, 1))
    sections = [(f"Rule {n}", f"Cookie rule number {n} applies to widgets and gadgets {n}.") for n in range(300)]
    publish("Bulk", "Terms", "terms", sections, dt.date(2023, 3, 1))


def total(q, **kw) -> int:
    return search(SearchParams(q=q, **kw)).total


def test_searches_keep_answering_during_a_rebuild(many):
    expected = total("cookie")
    assert expected > 300
    answers, stop = [], threading.Event()

    def searching():
        while not stop.is_set():
            answers.append(total("cookie"))

    worker = threading.Thread(target=searching)
    worker.start()
    try:
        for _ in range(3):
            assert indexing.rebuild() > 300
    finally:
        stop.set()
        worker.join(30)
    assert len(answers) >= 3
    assert set(answers) == {expected}  # never empty, never half-built
    assert not [n for n in os.listdir(indexing.backend().path) if n.startswith(REBUILD_PREFIX)]


def test_a_failed_rebuild_leaves_the_live_index(many):
    engine, index = indexing.backend(), indexing._index()
    before = total("cookie")

    def batches():
        yield list(index.index_queryset()[:10])
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        engine.rebuild(index, batches())
    assert total("cookie") == before
    assert not [n for n in os.listdir(engine.path) if n.startswith(REBUILD_PREFIX)]


def test_what_is_published_during_a_rebuild_is_caught_up(many):
    engine, index = indexing.backend(), indexing._index()

    def batches():
        yield list(index.index_queryset().order_by("pk")[:50])
        # A publish lands in the live index while the new one is being written.
        publish("Late", "Policy", "privacy", [("Novelty", "Zygomorphic flowers are new here.")], dt.date(2024, 5, 1))
        yield list(index.index_queryset().order_by("pk")[50:])

    engine.rebuild(index, batches())
    assert total("zygomorphic") == 1
    report = indexing.compare()
    assert not report.drift, report.summary()


def test_repair_removes_what_a_killed_rebuild_left_and_orphans(many):
    engine = indexing.backend()
    leftover = os.path.join(engine.path, f"{REBUILD_PREFIX}999-1")
    os.makedirs(leftover)
    with open(os.path.join(leftover, "MAIN_x.seg"), "w") as fh:
        fh.write("half written")
    # A killed import: the index committed an entry, the database rolled back.
    span = indexing._index().index_queryset().first()
    doc = dict(indexing._index().full_prepare(span))
    doc.pop("boost", None)
    doc.update({"id": "documents.clausespan.999999", "django_id": "999999"})
    writer = engine._writer()
    try:
        writer.add_document(**{k: engine._from_python(v) for k, v in doc.items()})
        writer.commit()
    finally:
        from documents.search import backend as backend_module

        backend_module._PROCESS_WRITE_LOCK.release()
    assert 999999 in indexing.compare().orphaned
    out = StringIO()
    call_command("search_sync", "--repair", stdout=out)
    assert "interrupted rebuild" in out.getvalue()
    assert not os.path.exists(leftover)
    assert not indexing.compare().drift


def test_one_searcher_shared_by_threads_and_refreshed_incrementally(many):
    engine = indexing.backend()
    seen, results = [], []

    def worker():
        from documents import indexing as ix

        seen.append(ix.backend().searcher())  # haystack gives each thread its own backend
        results.append(total("widgets"))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(s) for s in seen}) == 1 and len(set(results)) == 1
    before = engine.searcher()
    old_leaves = {id(r) for r, _ in before.reader().leaf_readers()}
    publish("Acme", "Privacy Policy", "privacy", ACME_V2 + [("Fresh", "Brand new words.")], dt.date(2025, 1, 1))
    after = engine.searcher()
    assert after is not before
    new_leaves = {id(r) for r, _ in after.reader().leaf_readers()}
    assert old_leaves & new_leaves  # the unchanged segments were not reopened
    assert total("brand") == 1


def test_ram_storage_lock_is_bounded(settings):
    from haystack import connections

    settings.HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "documents.search.backend.PortalWhooshEngine",
                                                 "STORAGE": "ram", "WRITE_TIMEOUT": 0.3}}
    connections.connections_info = settings.HAYSTACK_CONNECTIONS
    connections.reload("default")
    engine = indexing.backend()
    engine.setup()
    lock = engine.index.lock("WRITELOCK")
    assert lock.acquire(False)
    try:
        with pytest.raises(SearchIndexBusy):
            engine.apply(None, (), ["documents.clausespan.1"])
    finally:
        lock.release()


def test_threads_sharing_the_searcher_read_correctly(many, settings):
    """Many threads through one searcher: Whoosh's segment files kept one read position
    per file (block headers of long postings lists), so concurrent phrase searches read
    each other's blocks ("Block tag error", UnpicklingError). Each thread now has its
    own cursor (documents.search.whoosh_threads)."""
    settings.SEARCH_COSTLY_CONCURRENCY = 16
    settings.SEARCH_TIME_BUDGET = 60
    queries = ['"cookie rule number"', '"widgets and gadgets"', "widget* cookie", "rule -gadgets"]
    expected = {q: total(q, versions="all") for q in queries}
    assert all(expected.values()) or expected
    failures = []

    def worker(seed):
        for n in range(25):
            q = queries[(seed + n) % len(queries)]
            try:
                got = total(q, versions="all")
            except Exception as exc:  # noqa: BLE001 - any failure is the bug
                got = repr(exc)
            if got != expected[q]:
                failures.append((q, got))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not failures, failures[:3]


def test_refreshed_sets_read_only_new_segments_and_apply_new_deletions(many, monkeypatch):
    """After a publish the filter and facet sets are rebuilt from the per-segment sets:
    only the new segments' postings are read, and the deletions the publish made in
    old segments (the closed spans' entries) are applied; a segment with new deletions
    keeps its open terms index."""
    from documents.search import whoosh_path

    engine = indexing.backend()
    whoosh_path.docsets(engine.searcher()).warm()
    old_readers = {r.segment().segment_id(): r for r, _ in engine.searcher().reader().leaf_readers()}
    old = set(old_readers)
    read = []
    real = whoosh_path._leaf_ids
    monkeypatch.setattr(whoosh_path, "_leaf_ids", lambda reader, *a: read.append(reader.segment().segment_id())
                        or real(reader, *a))
    # Clause 2 changes again: its open span is closed, so its entry in an old segment is replaced.
    changed = [("Cookies", "We use cookies to remember your settings."),
               ("Processing", "Your personal data is processed with care."),
               ("Sharing", "We never sell personal data to advertisers."),
               ("Contact", "Write to us about anything in this policy.")]
    publish("Acme", "Privacy Policy", "privacy", changed, dt.date(2025, 1, 1))
    searcher = engine.searcher()
    assert searcher.reader().has_deletions()
    sets = whoosh_path.docsets(searcher)
    sets.warm()
    new = {r.segment().segment_id() for r, _ in searcher.reader().leaf_readers()}
    assert read and set(read) <= new - old
    deleted_in = [r for r, _ in searcher.reader().leaf_readers()
                  if r.segment().segment_id() in old_readers and r.segment().deleted_count()
                  != old_readers[r.segment().segment_id()].segment().deleted_count()]
    assert deleted_in and all(r._terms is old_readers[r.segment().segment_id()]._terms for r in deleted_in)
    monkeypatch.setattr(whoosh_path, "_leaf_ids", real)
    whoosh_path._SEGMENT_SETS.clear()
    fresh = whoosh_path.DocSets(searcher)
    assert sets.version_docs(SearchParams()) == fresh.version_docs(SearchParams())
    assert all(sets.facet_values(name) == fresh.facet_values(name) for name in ("publisher", "kind", "document"))
    assert total("care") == 1 and total("lawfully", versions="all") == 2 and total("lawfully") == 0


def test_opening_a_new_generation_is_not_charged_to_the_search_budget(many, settings, monkeypatch):
    """The first search after a publish or a rebuild opens the new generation and its
    filter and facet sets; on a busy server that can take longer than a query's whole
    budget, which used to answer "stopped, 0 results" to a query that has hits."""
    import time as clock

    from documents.search import whoosh_path

    real = whoosh_path.DocSets.__init__

    def slow_sets(self, searcher):
        clock.sleep(0.3)
        real(self, searcher)

    monkeypatch.setattr(whoosh_path.DocSets, "__init__", slow_sets)
    settings.SEARCH_TIME_BUDGET = 0.1
    outcome = search(SearchParams(q="widgets"))
    assert outcome.total == 300 and not outcome.message


def test_an_index_written_with_an_older_schema_keeps_working_until_repair_rebuilds_it(monkeypatch):
    """Date terms written with other tiers (an older portal's schema): the old index is
    still searched and written with the schema it was written with, and the repair
    that ``make run`` does rebuilds it with the new one."""
    from haystack import connections

    from documents.search import backend as search_backend

    monkeypatch.setattr(search_backend, "DATE_SHIFT_STEP", 8)  # Whoosh's own DATETIME tiers
    connections.reload("default")
    publish("Acme", "Privacy Policy", "privacy", ACME_V1, dt.date(2023, 1, 1))
    monkeypatch.setattr(search_backend, "DATE_SHIFT_STEP", 16)
    connections.reload("default")

    assert not indexing.backend().schema_matches_disk()
    assert indexing.backend().index.schema["valid_from"].shift_step == 8  # writes keep the old encoding
    publish("Acme", "Privacy Policy", "privacy", ACME_V2, dt.date(2024, 1, 1))
    assert total("honestly", versions="asof", as_of=dt.date(2023, 6, 1)) == 1
    assert total("transparently", versions="asof", as_of=dt.date(2023, 6, 1)) == 0
    assert total("transparently", versions="asof", as_of=dt.date(2024, 6, 1)) == 1
    assert indexing.compare().rebuild_needed

    call_command("search_sync", "--repair", stdout=StringIO())
    connections.reload("default")
    assert indexing.backend().schema_matches_disk()
    assert indexing.backend().index.schema["valid_from"].shift_step == 16
    assert not indexing.compare().drift
    assert total("honestly", versions="asof", as_of=dt.date(2023, 6, 1)) == 1
    assert total("transparently", versions="asof", as_of=dt.date(2023, 6, 1)) == 0
    assert total("transparently", versions="asof", as_of=dt.date(2024, 6, 1)) == 1
