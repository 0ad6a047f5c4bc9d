"""The portal's Whoosh engine: haystack's backend, tuned for one index and one model.

Haystack stays in charge of the *schema* and the *update path* (``ClauseSpanIndex`` is
the contract, ``full_prepare`` turns a span into the same document for every engine),
so Elasticsearch/Solr/OpenSearch index exactly what Whoosh indexes. What changes here
is Whoosh-only:

Schema (``build_schema``)
    Text fields use Whoosh's ``StemmingAnalyzer`` (English Porter stemming, so
    "cookies" finds "cookie") with positions (phrases). Faceted and
    keyword fields are ``ID`` columns (exact, sortable, facet-countable), dates are
    sortable ``DATETIME``, and ``indexed=False`` fields are ``STORED`` only. No separate
    spelling field (``spelling=True`` halves indexing throughput): "did you mean" corrects
    against the stemmed terms and finds a surface word in a clause holding the stem.

Reads (``searcher``)
    Stock haystack opens fresh segment readers for every query and runs a second
    search to narrow to registered models. Here each thread keeps one searcher and
    refreshes it (``Searcher.refresh``, which reuses unchanged segments) only when
    ``index.latest_generation()`` moved. There is one indexed model, so there is no
    model narrowing. ``documents.search`` uses this searcher directly (its "fast
    path"); haystack's ``SearchQuerySet`` keeps working through the inherited
    ``search()`` for anything else.

Writes (``apply``)
    One writer per batch: removals and additions/changes go through a single
    ``SegmentWriter`` and a single commit (``rebuild`` uses one writer for the whole
    index). Entries not yet in the index are added
    with ``add_document`` (no per-document delete), existing ones are deleted by
    document number found with one searcher for the whole batch (``update_document``
    opens a searcher per call, which slows as segments accumulate). Writes are
    serialized by a process-wide lock and Whoosh's file lock, both with a bounded
    wait (``WRITE_TIMEOUT`` seconds, default 10): a held lock is retried until then
    and reported as :class:`SearchIndexBusy`, never a raw ``LockError`` and never an
    unbounded wait.
"""

from __future__ import annotations

import contextlib
import gc
import html
import os
import shutil
import threading
import time

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.exceptions import SearchBackendError, SkipDocument
from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import BOOLEAN, DATETIME, NUMERIC, STORED, TEXT, Schema
from whoosh.fields import ID as WHOOSH_ID
from whoosh.highlight import HtmlFormatter
from whoosh.qparser import FuzzyTermPlugin, QueryParser
from whoosh.util.filelock import try_for

# One lock per process guards the index writers of every backend instance (haystack
# may create several for one alias); Whoosh's file lock covers other processes.
_PROCESS_WRITE_LOCK = threading.Lock()


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while Whoosh allocates a batch's postings:
    its many small objects otherwise trigger repeated full collections (~10-15% of
    bulk indexing time). Reference counting still frees everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class SearchIndexBusy(SearchBackendError):
    """The index stayed locked by another writer for longer than the write timeout."""


class MarkFormatter(HtmlFormatter):
    """Snippets as escaped text with matches in ``<mark>``: no document HTML gets through."""

    template = "<%(tag)s>%(t)s</%(tag)s>"

    def __init__(self):
        super().__init__(tagname="mark", between=" … ")

    def _text(self, text):
        return html.escape(text, quote=True)


def analyzer() -> StemmingAnalyzer:
    return StemmingAnalyzer()


class PortalWhooshSearchBackend(WhooshSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.write_timeout = float(connection_options.get("WRITE_TIMEOUT", 10.0))
        self.write_delay = float(connection_options.get("WRITE_RETRY_DELAY", 0.05))
        self.writer_limitmb = int(connection_options.get("WRITER_LIMITMB", 128))
        self._local = threading.local()

    # --- schema ---------------------------------------------------------------

    def build_schema(self, fields):
        schema_fields = {
            ID: WHOOSH_ID(stored=True, unique=True),
            DJANGO_CT: WHOOSH_ID(stored=True),
            DJANGO_ID: WHOOSH_ID(stored=True),
        }
        content_field_name = ""
        for field in fields.values():
            name = field.index_fieldname
            if field.document:
                content_field_name = name
            if field.field_type in ("date", "datetime"):
                schema_fields[name] = DATETIME(stored=True, sortable=True)
            elif field.field_type == "boolean":
                schema_fields[name] = BOOLEAN(stored=True)
            elif field.field_type in ("integer", "float"):
                schema_fields[name] = NUMERIC(
                    stored=True, numtype=int if field.field_type == "integer" else float, sortable=True
                )
            elif getattr(field, "facet_for", None) or field.faceted:
                schema_fields[name] = WHOOSH_ID(stored=True, sortable=True)
            elif not field.indexed:
                schema_fields[name] = STORED()
            else:
                schema_fields[name] = TEXT(
                    # The content field is not stored: snippets come from the stored
                    # ``body`` field, highlighted with this field's analyzer and terms.
                    stored=not field.document,
                    analyzer=field.analyzer or analyzer(),
                    field_boost=field.boost,
                    phrase=True,
                )
        if not content_field_name:
            raise SearchBackendError("No document=True field was found in the search indexes.")
        return content_field_name, Schema(**schema_fields)

    def setup(self):
        super().setup()
        # haystack's parser is only used for its own remove/clear; keep fuzzy support.
        self.parser = QueryParser(self.content_field_name, schema=self.schema)
        self.parser.add_plugins([FuzzyTermPlugin])

    def schema_matches_disk(self) -> bool:
        """False when the folder holds an index written with another schema."""
        if not self.setup_complete:
            self.setup()
        try:
            on_disk = self.storage.open_index().schema
        except whoosh_index.EmptyIndexError:
            return True
        mine = self.schema
        if set(on_disk.names()) != set(mine.names()):
            return False
        return all(type(on_disk[name]) is type(mine[name]) for name in mine.names())

    # --- reads ----------------------------------------------------------------

    def searcher(self):
        """This thread's searcher, refreshed only when the index has a new generation."""
        if not self.setup_complete:
            self.setup()
        current = getattr(self._local, "searcher", None)
        if current is None:
            current = self.index.searcher()
        elif not current.up_to_date():
            current = current.refresh()
        self._local.searcher = current
        return current

    def _forget_searcher(self):
        searcher = getattr(self._local, "searcher", None)
        self._local.searcher = None
        if searcher is not None:
            try:
                searcher.close()
            except Exception:  # pragma: no cover - closing is best effort
                pass

    # --- writes ---------------------------------------------------------------

    def _writer(self):
        deadline = time.monotonic() + self.write_timeout
        if not _PROCESS_WRITE_LOCK.acquire(timeout=self.write_timeout):
            raise SearchIndexBusy(
                f"The search index is busy (another update has held it for over {self.write_timeout:g}s). "
                "Nothing was saved; try again in a moment."
            )
        try:
            remaining = max(0.0, deadline - time.monotonic())
            lock = self.index.lock("WRITELOCK")
            if not try_for(lock.acquire, timeout=remaining, delay=self.write_delay):
                raise SearchIndexBusy(
                    f"The search index is locked by another process (waited {self.write_timeout:g}s). "
                    "Nothing was saved; try again in a moment."
                )
            try:
                # We hold Whoosh's lock already; the writer must not take it again.
                writer = self.index.writer(_lk=False, limitmb=self.writer_limitmb)
            except BaseException:
                lock.release()
                raise
            writer.writelock = lock
            return writer
        except BaseException:
            _PROCESS_WRITE_LOCK.release()
            raise

    def _prepare(self, index, objects) -> dict[str, dict]:
        docs = {}
        for obj in objects:
            try:
                prepared = index.full_prepare(obj)
            except SkipDocument:
                continue
            prepared.pop("boost", None)
            docs[prepared[ID]] = {key: self._from_python(value) for key, value in prepared.items()}
        return docs

    def apply(self, index, objects=(), removed_ids=(), *, assume_new: bool = False) -> int:
        """Write ``objects`` (model instances) and delete ``removed_ids`` (haystack
        identifiers such as ``documents.clausespan.12``) with one writer and one commit.

        ``assume_new`` skips the existence check (the caller knows the index holds none
        of them, e.g. when building from empty). Returns the number of documents written.
        """
        if not self.setup_complete:
            self.setup()
        docs = self._prepare(index, objects) if objects else {}
        removed = [str(r) for r in removed_ids]
        if not docs and not removed:
            return 0
        writer = self._writer()
        try:
            with _gc_paused():
                if assume_new:
                    for doc in docs.values():
                        writer.add_document(**doc)
                else:
                    searcher = writer.searcher()
                    try:
                        for ident in removed:
                            for docnum in list(searcher.document_numbers(**{ID: ident})):
                                writer.delete_document(docnum)
                        for ident, doc in docs.items():
                            for docnum in list(searcher.document_numbers(**{ID: ident})):
                                writer.delete_document(docnum)
                            writer.add_document(**doc)
                    finally:
                        searcher.close()
                writer.commit()
        except BaseException:
            try:
                writer.cancel()
            finally:
                raise
        finally:
            _PROCESS_WRITE_LOCK.release()
        return len(docs)

    def rebuild(self, index, batches) -> int:
        """Empty the index and add every object of ``batches`` (an iterable of lists of
        model instances) with one writer and one commit; returns the number written.

        The writer spills to disk past ``WRITER_LIMITMB``, so memory stays bounded; the
        lock is held for the whole rebuild (a publish meanwhile waits up to the write
        timeout and then fails cleanly, rolling back).
        """
        self.delete_index()
        writer = self._writer()
        written = 0
        try:
            for batch in batches:
                docs = self._prepare(index, batch)
                with _gc_paused():
                    for doc in docs.values():
                        writer.add_document(**doc)
                written += len(docs)
            with _gc_paused():
                writer.commit()
        except BaseException:
            try:
                writer.cancel()
            finally:
                raise
        finally:
            _PROCESS_WRITE_LOCK.release()
        return written

    def update(self, index, iterable, commit=True):
        self.apply(index, list(iterable))

    def remove(self, obj_or_string, commit=True):
        from haystack.utils import get_identifier

        self.apply(None, (), [get_identifier(obj_or_string)])

    def clear(self, models=None, commit=True):
        if models is None:
            self.delete_index()
            return
        writer = self._writer()
        try:
            from haystack.utils import get_model_ct

            for model in models:
                writer.delete_by_term(DJANGO_CT, get_model_ct(model))
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        finally:
            _PROCESS_WRITE_LOCK.release()

    def delete_index(self):
        """Empty the index: a new empty index in the same folder, under the write locks."""
        if not self.setup_complete:
            self.setup()
        if not _PROCESS_WRITE_LOCK.acquire(timeout=self.write_timeout):
            raise SearchIndexBusy("The search index is busy; try again in a moment.")
        try:
            self._forget_searcher()
            if self.use_file_storage:
                lock = self.index.lock("WRITELOCK")
                if not try_for(lock.acquire, timeout=self.write_timeout, delay=self.write_delay):
                    raise SearchIndexBusy("The search index is locked by another process; try again later.")
                try:
                    for name in os.listdir(self.path):
                        if name.endswith(".lock"):
                            continue
                        target = os.path.join(self.path, name)
                        if os.path.isdir(target):
                            shutil.rmtree(target)
                        else:
                            os.remove(target)
                    self.index = self.storage.create_index(self.schema)
                finally:
                    lock.release()
            else:
                self.storage.clean()
                self.index = self.storage.create_index(self.schema)
        finally:
            _PROCESS_WRITE_LOCK.release()

    def optimize(self):
        writer = self._writer()
        try:
            writer.commit(optimize=True)
        except BaseException:
            writer.cancel()
            raise
        finally:
            _PROCESS_WRITE_LOCK.release()


class PortalWhooshEngine(WhooshEngine):
    backend = PortalWhooshSearchBackend
