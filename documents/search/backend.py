"""The portal's Whoosh engine: haystack's Whoosh backend, faithful, with these changes.

It stays a haystack backend: ``search``, ``more_like_this``, highlighting,
``autocomplete``, faceting, spelling and the management commands are haystack's own
code, and haystack 3.4.0's Whoosh test suite runs against this engine in CI
(``tests/haystack_suite``). What changes:

Schema (``build_schema``)
    haystack's stock mapping for every field, except fields that declare a
    ``search_role`` (``documents.search.fields``): the portal's own index asks for
    exact keyword columns, stored-only fields, stemmed text without positions and an
    unstemmed "surface" text with positions (exact phrases, surface prefixes).

Reads (``searcher``)
    One searcher per process and index, shared by every thread (haystack's
    connections are per thread, so it lives in this module, not on the backend; the
    segment files get per-thread read cursors, ``documents.search.whoosh_threads``), and
    refreshed after a commit by reopening only the segments that changed: Whoosh's own
    ``Searcher.refresh`` reuses nothing in 2.7.4 (it matches readers by generation
    number against segment ids) and closes readers other threads may still be using.

Writes (``apply``)
    One writer per batch (removals and additions in one commit), a process-wide lock
    and Whoosh's file lock, both with a bounded wait (``WRITE_TIMEOUT`` seconds,
    default 10): a held lock is :class:`SearchIndexBusy`, never an unbounded wait.
    The writer is ``whoosh_analysis.PortalSegmentWriter`` (the segments Whoosh's own
    writer would write, with less Python per posting; small segments merged every few
    commits) and the text fields ``FastTEXT``; the entries a write replaces are found
    with the shared searcher.

Schema changes
    ``schema_signature`` says how each field's terms are written. An index whose
    fields were written differently (an older portal) is read and written with its own
    schema until ``search_sync --repair`` (which ``make run`` runs) rebuilds it.

Atomic rebuild (``rebuild``, ``delete_index``)
    A rebuild writes a complete new index in a ``.rebuild-*`` folder beside the live
    one while searches (and publishes) keep using the live one, catches up with what
    was published meanwhile under the write lock, moves the new segment files in and
    writes one new TOC generation listing only them: Whoosh's own atomic commit
    (temporary file, rename), so a search sees the old index or the new one, never an
    empty or half-built one. A killed rebuild leaves the live index untouched; its
    folder is removed by the next rebuild or ``search_sync``. Emptying the index
    (haystack's ``clear``) is the same commit with no segments.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import os
import shutil
import threading
import time

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from haystack.constants import DJANGO_CT, ID
from haystack.exceptions import SearchBackendError, SkipDocument
from whoosh import index as whoosh_index
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import ID as WHOOSH_ID
from whoosh.fields import DATETIME, STORED, TEXT
from whoosh.filedb.filestore import FileStorage
from whoosh.highlight import HtmlFormatter
from whoosh.util.filelock import try_for

from documents.search import whoosh_threads
from documents.search.folding import folding_filter
from documents.search.whoosh_analysis import FastTEXT, segment_writer
from portal import collector

# Segment files readable from many threads through one searcher (see whoosh_threads).
whoosh_threads.install()

# One lock per process guards the index writers of every backend instance (haystack
# creates one per thread); Whoosh's file lock covers other processes.
_PROCESS_WRITE_LOCK = threading.Lock()
REBUILD_LOCK = "REBUILD"
REBUILD_PREFIX = ".rebuild-"  # Whoosh's file clean-up skips names starting with "."


class SearchIndexBusy(SearchBackendError):
    """The index stayed locked by another writer for longer than the write timeout."""


class SearchIndexMissing(SearchBackendError):
    """The index's files are gone or empty while the database holds what it indexes:
    searches answer 503 and publishes are refused until ``search_sync --repair``
    rebuilds it, instead of an empty index answering "no results" for everything."""

    def __init__(self, path: str, rows: int | None = None):
        state = f"missing or empty while the database holds {rows:,} entries to search" if rows else "missing or damaged"
        super().__init__(f"The search index at {path} is {state}; it must be rebuilt "
                         "(manage.py search_sync --repair) before search works again.")


class MarkFormatter(HtmlFormatter):
    """Snippets as escaped text with matches in ``<mark>``: no document HTML gets through."""

    template = "<%(tag)s>%(t)s</%(tag)s>"

    def __init__(self):
        super().__init__(tagname="mark", between=" … ")

    def _text(self, text):
        return html.escape(text, quote=True)


def surface_analyzer():
    """Words as written, lowercased and accent-folded (``documents.search.folding``): no
    stemming, no stop words (a phrase is exact but for accents)."""
    return RegexTokenizer() | LowercaseFilter() | folding_filter()


def stemming_analyzer():
    """Whoosh's ``StemmingAnalyzer`` with accents folded after lowercasing, so that
    "numerique" and "numérique" are one word, at indexing and at querying."""
    return RegexTokenizer() | LowercaseFilter() | folding_filter() | StopFilter() | StemFilter()


# Precision bits dropped per tier of a date's range terms. Whoosh's DATETIME uses 8
# (8 terms per date and entry); 16 halves the date postings, and a range query still
# expands to existing terms only (a few thousand distinct dates at most).
DATE_SHIFT_STEP = 16


def _role_field(field):
    """The Whoosh field for a haystack field with a ``search_role``, else None."""
    role = getattr(field, "search_role", "")
    if role == "date":
        date = DATETIME(stored=field.stored, sortable=getattr(field, "sortable", False))
        date.shift_step = DATE_SHIFT_STEP
        return date
    if role == "keyword":
        return WHOOSH_ID(stored=field.stored, sortable=True)
    if role == "stored":
        return STORED()
    if role == "stemmed":
        return FastTEXT(stored=field.stored, analyzer=field.analyzer or stemming_analyzer(), phrase=False,
                        field_boost=field.boost)
    if role == "heading":
        return TEXT(stored=field.stored, analyzer=field.analyzer or stemming_analyzer(), phrase=True,
                    field_boost=field.boost)
    if role == "surface":
        return FastTEXT(stored=field.stored, analyzer=field.analyzer or surface_analyzer(), phrase=True,
                        field_boost=field.boost)
    return None


def _field_signature(field) -> tuple:
    analyzer = getattr(field, "analyzer", None)
    steps = tuple(type(a).__name__ for a in getattr(analyzer, "items", [analyzer] if analyzer else []))
    kind = getattr(type(field), "signature_name", type(field).__name__)
    return (kind, type(field.format).__name__ if field.format else None, field.stored,
            field.scorable, type(field.column_type).__name__ if field.column_type else None,
            getattr(field, "shift_step", None), steps)


def schema_signature(schema) -> dict:
    """What decides how a schema's terms and columns are written, field by field: two
    schemas with the same signature read each other's segments."""
    return {name: _field_signature(schema[name]) for name in schema.names()}


def _conflicting(old: dict, new: dict) -> bool:
    """True when a field of both signatures is written differently in each."""
    return any(old[name] != new[name] for name in old.keys() & new.keys())


# --- One searcher per process ----------------------------------------------------------


class _Shared:
    def __init__(self):
        self.lock = threading.Lock()
        self.searcher = None
        self.generation = None


_SHARED: dict[str, _Shared] = {}
_SHARED_LOCK = threading.Lock()


def _with_deletions(reader, segment, generation):
    """``reader`` (a SegmentReader) for the same segment with newer deletions: the
    segment's files never change, so its open terms index, postings and stored fields
    are shared; only the deletions (kept on the segment object) differ. Opening the
    segment again would read its terms index anew (the slow part of a refresh after a
    publish that closed spans in a large segment). None if ``reader`` is of a kind
    this does not know."""
    import copy

    from whoosh.codec.whoosh3 import W3PerDocReader
    from whoosh.reading import SegmentReader

    if type(reader) is not SegmentReader or type(reader._perdoc) is not W3PerDocReader:
        return None
    fresh = copy.copy(reader)
    fresh._segment = segment
    fresh._gen = generation
    fresh._perdoc = copy.copy(reader._perdoc)
    fresh._perdoc._segment = segment
    return fresh


def fresh_searcher(index, old=None):
    """A searcher on the index's latest commit, reusing the segment readers of ``old``
    whose segment did not change (one with new deletions keeps its open files,
    ``_with_deletions``). ``old`` is never closed: other threads may still be reading
    from it; unused readers close when collected."""
    from whoosh.reading import EmptyReader, MultiReader, SegmentReader
    from whoosh.searching import Searcher

    toc = index._read_toc()
    reusable = {}
    if old is not None:
        for reader, _ in old.reader().leaf_readers():
            if getattr(reader, "segment", lambda: None)() is not None and not reader.is_closed:
                reusable[reader.segment().segment_id()] = reader
    readers = []
    for segment in toc.segments:
        reader = reusable.get(segment.segment_id())
        if reader is not None and reader.segment().deleted_count() != segment.deleted_count():
            reader = _with_deletions(reader, segment, toc.generation)
        if reader is None:
            reader = SegmentReader(index.storage, toc.schema, segment, generation=toc.generation)
        readers.append(reader)
    if not readers:
        reader = EmptyReader(toc.schema)
    elif len(readers) == 1:
        reader = readers[0]
    else:
        reader = MultiReader(readers, generation=toc.generation)
    searcher = Searcher(reader, fromindex=index, closereader=False)
    searcher._portal_generation = toc.generation
    return searcher


def shared_searcher(index, key: str):
    """The process's searcher for ``index`` (``key`` names its folder)."""
    entry = _SHARED.get(key)
    if entry is None:
        with _SHARED_LOCK:
            entry = _SHARED.setdefault(key, _Shared())
    current = entry.searcher
    latest = index.latest_generation()
    # The generation of the searcher read, not entry.generation: another thread may
    # replace both between two reads.
    if current is not None and current._portal_generation == latest:
        return current
    with entry.lock:  # one thread refreshes; the others wait for its result
        if entry.searcher is None or entry.generation != index.latest_generation():
            entry.searcher = fresh_searcher(index, entry.searcher)
            entry.generation = entry.searcher._portal_generation
        return entry.searcher


class _Borrowed:
    """The shared searcher lent to haystack's own ``search``/``more_like_this``,
    which close their searcher when done: closing this one does nothing."""

    def __init__(self, searcher):
        self._searcher = searcher

    def __getattr__(self, name):
        return getattr(self._searcher, name)

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class SharedIndex:
    """A Whoosh index whose ``searcher()`` is the process's shared searcher, so
    haystack's stock read paths (search, highlight, more_like_this, autocomplete)
    use it too instead of opening every segment again per query."""

    def __init__(self, index, key: str):
        self._index = index
        self._key = key

    def __getattr__(self, name):
        return getattr(self._index, name)

    def refresh(self):
        return self

    def searcher(self, **kwargs):
        try:
            if kwargs:
                return self._index.searcher(**kwargs)
            return _Borrowed(shared_searcher(self._index, self._key))
        except (whoosh_index.EmptyIndexError, FileNotFoundError):
            raise SearchIndexMissing(self._key) from None


def _raw(index):
    return index._index if isinstance(index, SharedIndex) else index


def forget_shared(key: str) -> None:
    with _SHARED_LOCK:
        _SHARED.pop(key, None)


def discard_writer(writer) -> None:
    """Cancel ``writer`` and remove the files of the segment it had started, which
    Whoosh's ``cancel`` leaves (after a full disk: empty ``.trm``/``.seg`` files that
    nothing lists). On a full disk closing the files fails too: the temporary storage
    and the lock are released anyway. A segment the table of contents already lists (a
    commit that failed after writing it) is kept."""
    try:
        writer.cancel()
    except Exception:  # noqa: BLE001 - the disk is full: still release what cancel would
        with contextlib.suppress(Exception):
            writer._tempstorage.destroy()
        if getattr(writer, "writelock", None) is not None:
            with contextlib.suppress(Exception):
                writer.writelock.release()
        writer.is_closed = True
    before = getattr(writer, "portal_files_before", None)
    if before is not None:
        remove_unlisted(writer.storage, writer.indexname, before)


def remove_unlisted(storage, indexname: str, before: set[str]) -> list[str]:
    """Delete the files that appeared in ``storage`` since ``before`` (a listing taken
    under the write lock) and that the live table of contents does not name: what a
    failed write left. Returns their names."""
    try:
        listed = {seg.segment_id() for seg in whoosh_index.FileIndex(storage, indexname=indexname)._read_toc().segments}
    except Exception:  # noqa: BLE001 - no readable TOC: keep everything rather than guess
        return []
    removed = []
    for name in set(storage.list()) - before:
        # Locks (another process may hold one), tables of contents and the folders of
        # rebuilds ("." names) are never a failed write's leftovers.
        if (name.startswith(".") or name.endswith((".toc", "LOCK")) or name == REBUILD_LOCK
                or name.split(".", 1)[0] in listed):
            continue
        with contextlib.suppress(OSError):
            path = os.path.join(getattr(storage, "folder", ""), name)
            if os.path.isdir(path):  # the writer's temporary storage ("MAIN.tmp")
                shutil.rmtree(path)
            else:
                storage.delete_file(name)
            removed.append(name)
    return removed


# --- The backend ----------------------------------------------------------------------


class PortalWhooshSearchBackend(WhooshSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.write_timeout = float(connection_options.get("WRITE_TIMEOUT", 10.0))
        self.write_delay = float(connection_options.get("WRITE_RETRY_DELAY", 0.05))
        self.writer_limitmb = int(connection_options.get("WRITER_LIMITMB", 128))
        # Refuse to create an empty index where the database holds rows (issue #25);
        # haystack's own test suite (which deletes indexes under fixtures) turns it off.
        self.refuse_empty = bool(connection_options.get("REFUSE_EMPTY_OVER_DATA", True))

    # --- schema ---------------------------------------------------------------

    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        for field in fields.values():
            replacement = _role_field(field)
            if replacement is not None:
                schema.remove(field.index_fieldname)
                schema.add(field.index_fieldname, replacement)
        return content_field_name, schema

    # --- folder ---------------------------------------------------------------

    def cleanup_rebuilds(self) -> list[str]:
        """Remove what a killed rebuild left (its ``.rebuild-*`` folder), unless a
        rebuild is running. The live index is never touched. Returns the names removed."""
        if not self.use_file_storage or not os.path.isdir(self.path):
            return []
        lock = FileStorage(self.path).lock(REBUILD_LOCK)
        if not lock.acquire(False):
            return []
        try:
            removed = [n for n in os.listdir(self.path) if n.startswith(REBUILD_PREFIX)]
            for name in removed:
                shutil.rmtree(os.path.join(self.path, name), ignore_errors=True)
            return removed
        finally:
            lock.release()

    def _database_rows(self, limit: int | None = None) -> int:
        """How many objects the database holds for this index (0 outside a configured
        Django project, e.g. before migrations)."""
        from django.db import DatabaseError
        from haystack import connections

        total = 0
        try:
            unified = connections[self.connection_alias].get_unified_index()
            for model in unified.get_indexed_models():
                queryset = unified.get_index(model).index_queryset(using=self.connection_alias)
                total += queryset.count() if limit is None else len(queryset.order_by().values_list("pk")[:limit])
        except DatabaseError:
            return 0
        return total

    def _refuse_empty_over_data(self, writing: int = 0) -> None:
        """Raise SearchIndexMissing when there is no index on disk but the database
        holds rows: creating an empty one (haystack's setup does) would answer every
        search with nothing, and every later publish would add to a partial index."""
        if not self.use_file_storage or not self.refuse_empty:
            return
        if os.path.isdir(self.path) and whoosh_index.exists_in(self.path):
            return
        rows = self._database_rows(limit=writing + 1)
        if rows > writing:
            raise SearchIndexMissing(self.path, self._database_rows())

    def setup(self, *, create: bool = False):
        """haystack's setup; but with ``create=False`` (everything but a rebuild) a
        missing index over a populated database is SearchIndexMissing, not a new
        empty index."""
        if not create:
            self._refuse_empty_over_data()
        self._haystack_setup()
        on_disk = self._disk_schema()
        if on_disk is not None and _conflicting(schema_signature(on_disk), schema_signature(self.schema)):
            # An index written by an older version of the portal, whose fields encode
            # terms differently: keep reading and writing it with the schema it was
            # written with, until ``search_sync --repair`` (run by ``make run``) rebuilds
            # it with the new one. Writing new segments with the new schema would mix
            # encodings in one field and hide the difference from the check. (Fields
            # only added or removed mix nothing: the new schema is used, as haystack does.)
            self.log.warning("The search index at %s was written with an older schema; "
                             "run `manage.py search_sync --repair` to rebuild it.", self.path)
            self.index = self.storage.open_index()
        self._share()

    def _haystack_setup(self) -> None:
        """haystack 3.4.0's ``WhooshSearchBackend.setup``, except that a folder that
        cannot be written is refused only when the index must be created there: an
        existing index on a read-only mount can still be searched and checked
        (``search_sync``); writes to it fail later, as a 503 or a command error."""
        from haystack import connections
        from haystack.backends import whoosh_backend
        from whoosh.qparser import FuzzyTermPlugin, QueryParser

        if not self.use_file_storage:
            super().setup()
            return
        new_index = False
        if not os.path.exists(self.path):
            try:
                os.makedirs(self.path)
            except Exception as exc:
                raise OSError(f"The directory of your Whoosh index '{self.path}' (cwd='{os.getcwd()}') "
                              "cannot be created for the current user/group.") from exc
            new_index = True
        exists = not new_index and whoosh_index.exists_in(self.path)
        if not exists and not os.access(self.path, os.W_OK):
            raise OSError(f"The path to your Whoosh index '{self.path}' is not writable for the current user/group.")
        self.storage = whoosh_backend.FileStorage(self.path)
        self.content_field_name, self.schema = self.build_schema(
            connections[self.connection_alias].get_unified_index().all_searchfields()
        )
        self.parser = QueryParser(self.content_field_name, schema=self.schema)
        self.parser.add_plugins([FuzzyTermPlugin])
        if exists:
            try:
                self.index = self.storage.open_index(schema=self.schema)
            except whoosh_index.EmptyIndexError:
                self.index = self.storage.create_index(self.schema)
        else:
            self.index = self.storage.create_index(self.schema)
        self.setup_complete = True

    def _share(self) -> None:
        raw = self.index._index if isinstance(self.index, SharedIndex) else self.index
        self.index = SharedIndex(raw, self._shared_key())

    def _shared_key(self) -> str:
        return os.path.abspath(self.path) if self.use_file_storage else f"ram:{id(self.storage)}"

    def schema_matches_disk(self) -> bool:
        """False when the live index was written with another schema (field types,
        postings formats, analyzers, columns or date tiers differ)."""
        if not self.setup_complete:
            try:
                self.setup()
            except SearchIndexMissing:
                return True  # nothing on disk to differ; the caller finds it missing
        on_disk = self._disk_schema()
        return on_disk is None or schema_signature(on_disk) == schema_signature(self.schema)

    def _disk_schema(self):
        try:
            return self.storage.open_index().schema
        except whoosh_index.EmptyIndexError:
            return None

    # --- reads ----------------------------------------------------------------

    def searcher(self):
        """The process's shared searcher on the live generation, fresh after a commit.
        Do not close it: other threads use it too. SearchIndexMissing when the index's
        files were removed, or it is empty while the database is not."""
        if not self.setup_complete:
            self.setup()
        try:
            searcher = shared_searcher(self.index._index, self._shared_key())
        except (whoosh_index.EmptyIndexError, FileNotFoundError):
            raise SearchIndexMissing(self.path, self._database_rows()) from None
        self._check_not_empty(searcher)
        return searcher

    def _refuse_partial_write(self, writing: int) -> None:
        """A publish into a missing or empty index while the database holds more than
        it writes would make a partial index that looks healthy: SearchIndexMissing."""
        try:
            searcher = shared_searcher(self.index._index, self._shared_key())
        except (whoosh_index.EmptyIndexError, FileNotFoundError):
            raise SearchIndexMissing(self.path, self._database_rows()) from None
        if self.refuse_empty and not searcher.doc_count_all():
            rows = self._database_rows(limit=writing + 1)
            if rows > writing:
                raise SearchIndexMissing(self.path, self._database_rows())

    def _check_not_empty(self, searcher) -> None:
        """An index with no entries over a populated database is damaged (replaced or
        emptied by hand): checked once per generation, so a search pays a database
        query only after a commit that left the index empty."""
        if not self.refuse_empty or searcher.doc_count_all():
            return
        checked = getattr(searcher, "_portal_rows", None)
        if checked is None:
            checked = searcher._portal_rows = self._database_rows(limit=1)
        if checked:
            raise SearchIndexMissing(self.path, self._database_rows())

    def warm(self) -> None:
        """Open the shared searcher and touch what the first query would read."""
        searcher = self.searcher()
        reader = searcher.reader()
        for name in reader.indexed_field_names():
            with contextlib.suppress(Exception):
                reader.field_length(name)

    # --- writes ---------------------------------------------------------------

    def _locked_writer(self, index):
        """A writer on ``index`` holding the process lock and Whoosh's lock, or
        SearchIndexBusy after the write timeout. Releases the process lock on failure."""
        deadline = time.monotonic() + self.write_timeout
        if not _PROCESS_WRITE_LOCK.acquire(timeout=self.write_timeout):
            raise SearchIndexBusy(
                f"The search index is busy (another update has held it for over {self.write_timeout:g}s). "
                "Nothing was saved; try again in a moment."
            )
        try:
            remaining = max(0.0, deadline - time.monotonic())
            lock = index.lock("WRITELOCK")
            # acquire(False): a RAM storage's lock is a thread lock, which would
            # otherwise block forever instead of being retried until the deadline.
            if not try_for(lambda: lock.acquire(False), timeout=remaining, delay=self.write_delay):
                raise SearchIndexBusy(
                    f"The search index is locked by another process (waited {self.write_timeout:g}s). "
                    "Nothing was saved; try again in a moment."
                )
            storage = _raw(index).storage
            before = set(storage.list()) if self.use_file_storage else None
            try:
                # We hold Whoosh's lock already; the writer must not take it again.
                writer = segment_writer(_raw(index), _lk=False, limitmb=self.writer_limitmb)
            except whoosh_index.EmptyIndexError:
                lock.release()
                raise SearchIndexMissing(self.path, self._database_rows()) from None
            except BaseException:
                if before is not None:  # a full disk fails the writer's first files
                    remove_unlisted(storage, _raw(index).indexname, before)
                lock.release()
                raise
            writer.writelock = lock
            writer.portal_files_before = before
            return writer
        except BaseException:
            _PROCESS_WRITE_LOCK.release()
            raise

    def _writer(self):
        if not self.setup_complete:
            self.setup()
        return self._locked_writer(self.index)

    @contextlib.contextmanager
    def _committing(self, **commit_args):
        """A writer holding both write locks, committed when the block ends and
        cancelled if it raises; the process lock is released either way."""
        writer = self._writer()
        try:
            yield writer
            with collector.paused():
                writer.commit(**commit_args)
        except BaseException:
            discard_writer(writer)
            raise
        finally:
            _PROCESS_WRITE_LOCK.release()

    @contextlib.contextmanager
    def _write_locked(self):
        """Both write locks held for a block that writes the table of contents itself
        (``_publish_segments``): the writer commits nothing and is cancelled."""
        writer = self._writer()
        try:
            yield
        finally:
            writer.cancel()
            _PROCESS_WRITE_LOCK.release()

    def _prepare(self, index, objects) -> dict[str, dict]:
        docs = {}
        for obj in objects:
            try:
                prepared = index.full_prepare(obj)
            except SkipDocument:
                self.log.debug("Indexing for object `%s` skipped", obj)
                continue
            prepared.pop("boost", None)
            docs[prepared[ID]] = {key: self._from_python(value) for key, value in prepared.items()}
        return docs

    def _lookup_searcher(self, writer):
        """(searcher, close it?) on the commit ``writer`` starts from, to find the entries
        it replaces: the process's shared searcher when it is on that commit (opening
        every segment again for each write was most of a small publish's index time),
        else the writer's own."""
        raw = _raw(self.index) if self.setup_complete else None
        if raw is not None and getattr(writer, "portal_index", None) is raw:
            shared = shared_searcher(raw, self._shared_key())
            leaves = [getattr(reader, "segment", lambda: None)() for reader, _ in shared.reader().leaf_readers()]
            ids = [segment.segment_id() for segment in leaves if segment is not None]
            if (shared._portal_generation == writer.generation - 1
                    and ids == [segment.segment_id() for segment in writer.segments]):
                return shared, False
        return writer.searcher(), True

    def _write(self, writer, docs: dict, removed=(), assume_new=False) -> None:
        with collector.paused():
            if assume_new:
                for doc in docs.values():
                    writer.add_document(**doc)
                return
            searcher, close = self._lookup_searcher(writer)
            try:
                for ident in removed:
                    for docnum in list(searcher.document_numbers(**{ID: ident})):
                        writer.delete_document(docnum)
                for ident, doc in docs.items():
                    for docnum in list(searcher.document_numbers(**{ID: ident})):
                        writer.delete_document(docnum)
                    writer.add_document(**doc)
            finally:
                if close:
                    searcher.close()

    def apply(self, index, objects=(), removed_ids=(), *, assume_new: bool = False) -> int:
        """Write ``objects`` (model instances) and delete ``removed_ids`` (haystack
        identifiers such as ``documents.clausespan.12``) with one writer and one commit.

        ``assume_new`` skips the existence check (the caller knows the index holds none
        of them, e.g. when building from empty). Returns the number of documents written.
        """
        docs = self._prepare(index, objects) if objects else {}
        removed = [str(r) for r in removed_ids]
        if not docs and not removed:
            return 0
        if not self.setup_complete:
            # No index yet is fine for the first publish of a new database (it holds
            # only what this write adds), and refused over anything more.
            self._refuse_empty_over_data(writing=len(docs))
            self.setup(create=True)
        if not assume_new:
            self._refuse_partial_write(len(docs))
        with self._committing() as writer:
            self._write(writer, docs, removed, assume_new)
        return len(docs)

    def update(self, index, iterable, commit=True):
        try:
            self.apply(index, list(iterable))
        except SearchIndexBusy:
            raise
        except Exception:
            if not self.silently_fail:
                raise
            self.log.exception("Failed to update the Whoosh index")

    def remove(self, obj_or_string, commit=True):
        from haystack.utils import get_identifier

        try:
            self.apply(None, (), [get_identifier(obj_or_string)])
        except Exception:
            if not self.silently_fail:
                raise
            self.log.exception("Failed to remove document '%s' from Whoosh", obj_or_string)

    def clear(self, models=None, commit=True):
        if models is None:
            self.delete_index()
            return
        from haystack.utils import get_model_ct

        with self._committing() as writer:
            for model in models:
                writer.delete_by_term(DJANGO_CT, get_model_ct(model))

    def delete_index(self):
        """Empty the index: one new commit with no segments (atomic: a search sees the
        old index or the empty one); a RAM index is cleaned in place."""
        if not self.setup_complete:
            self.setup()
        if not self.use_file_storage:
            if not _PROCESS_WRITE_LOCK.acquire(timeout=self.write_timeout):
                raise SearchIndexBusy("The search index is busy; try again in a moment.")
            try:
                self.storage.clean()
                self.index = self.storage.create_index(self.schema)
                self._share()
            finally:
                _PROCESS_WRITE_LOCK.release()
            return
        with self._write_locked():
            self._publish_segments([])

    def _publish_segments(self, segments) -> None:
        """Make ``segments`` (already in the folder) the whole index: a new TOC
        generation, written atomically by Whoosh (temporary file, then rename), with
        the current schema. The caller holds the write lock. Old files are removed;
        readers that have them open keep reading them until they refresh."""
        from whoosh.index import TOC, clean_files

        index = self.storage.open_index(schema=self.schema) if self._has_toc() else None
        generation = (index.latest_generation() if index is not None else -1) + 1
        TOC(self.schema, segments, generation).write(self.storage, whoosh_index._DEF_INDEX_NAME)
        clean_files(self.storage, whoosh_index._DEF_INDEX_NAME, generation, segments)
        self.index = self.storage.open_index(schema=self.schema)
        self._share()

    def _has_toc(self) -> bool:
        return whoosh_index.exists(self.storage)

    def optimize(self):
        with self._committing(optimize=True):
            pass

    # --- atomic rebuild -------------------------------------------------------

    def rebuild(self, index, batches) -> int:
        """Write every object of ``batches`` (an iterable of lists of model instances)
        into a new generation and make it live when complete; returns the number
        written. Searches and publishes use the live generation meanwhile; what was
        published during the rebuild is caught up (``index.get_updated_field()``)
        under the write lock just before the switch."""
        if not self.setup_complete:
            self.setup(create=True)
        if self.use_file_storage and not self._has_toc():
            # The live index was removed: start again from an empty one (the rebuild
            # then fills it in one switch).
            os.makedirs(self.path, exist_ok=True)
            self.index = self.storage.create_index(self.schema)
            self._share()
        if not self.use_file_storage:
            self.delete_index()
            written = 0
            for batch in batches:
                written += self.apply(index, batch, assume_new=True)
            return written
        self.cleanup_rebuilds()
        return self._rebuild_into_new(index, batches)

    def _rebuild_into_new(self, index, batches) -> int:
        root = self.storage
        rebuild_lock = root.lock(REBUILD_LOCK)
        if not try_for(lambda: rebuild_lock.acquire(False), timeout=self.write_timeout, delay=self.write_delay):
            raise SearchIndexBusy("Another rebuild of the search index is running; try again when it ends.")
        folder = os.path.join(self.path, f"{REBUILD_PREFIX}{os.getpid()}-{int(time.time() * 1000)}")
        try:
            started = _now()
            storage = FileStorage(folder).create()
            new_index = storage.create_index(self.schema)
            written = 0
            writer = segment_writer(new_index, limitmb=self.writer_limitmb)
            try:
                for batch in batches:
                    docs = self._prepare(index, batch)
                    self._write(writer, docs, assume_new=True)
                    written += len(docs)
                with collector.paused():
                    writer.commit()
            except BaseException:
                writer.cancel()
                raise
            # Hold the live index's write lock from the catch-up to the switch, so no
            # publish lands in the old index after the catch-up read the database.
            with self._write_locked():
                self._catch_up(index, new_index, started)
                segments = new_index._read_toc().segments
                names = {seg.segment_id() for seg in segments}
                for name in os.listdir(folder):
                    if name.split(".", 1)[0] in names:
                        os.replace(os.path.join(folder, name), os.path.join(self.path, name))
                self._publish_segments(segments)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            rebuild_lock.release()
        return written

    def _catch_up(self, index, new_index, started) -> None:
        """Bring ``new_index`` up to date with the database: objects changed since
        ``started`` are written again, and entries whose object is gone removed."""
        if index is None:
            return
        queryset = index.index_queryset(using=self.connection_alias)
        updated_field = index.get_updated_field()
        changed = list(queryset.filter(**{f"{updated_field}__gte": started})) if updated_field else []
        from haystack.utils import get_identifier

        model = index.get_model()
        live_ids = {get_identifier(f"{model._meta.app_label}.{model._meta.model_name}.{pk}")
                    for pk in model._default_manager.values_list("pk", flat=True)}
        with new_index.searcher() as searcher:
            ct = f"{model._meta.app_label}.{model._meta.model_name}"
            indexed = {fields[ID] for fields in searcher.reader().all_stored_fields()
                       if fields.get(DJANGO_CT) == ct}
        gone = sorted(indexed - live_ids)
        docs = self._prepare(index, changed)
        if not docs and not gone:
            return
        writer = segment_writer(new_index, limitmb=self.writer_limitmb)
        try:
            self._write(writer, docs, gone)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise


def _now():
    from django.utils import timezone

    # A little before now: a span saved in the same instant as the first batch was
    # read is written again rather than missed.
    return timezone.now() - dt.timedelta(seconds=2)


class PortalWhooshEngine(WhooshEngine):
    backend = PortalWhooshSearchBackend
