"""Shared fixtures. Every test gets its own empty Whoosh index in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPUS = Path(__file__).resolve().parent / "corpus"


def pytest_configure(config):
    """The page cache is on disk (diskcache in PORTAL_DATA_DIR/cache): each test run gets
    a folder of its own, so two runs at once (or a run beside ``make run``) never read
    each other's pages. Set before anything opens the cache."""
    import tempfile

    from django.conf import settings

    default = settings.CACHES.get("default", {})
    if default.get("BACKEND") == "diskcache.DjangoCache":
        default["LOCATION"] = config._portal_cache_dir = tempfile.mkdtemp(prefix="portal-test-cache-")


def pytest_unconfigure(config):
    import shutil

    folder = getattr(config, "_portal_cache_dir", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _flush_past_immutability():
    """Transactional tests end with a flush, which on SQLite DELETEs every row: the
    immutability triggers would refuse it for published versions. The flush alone runs
    under the override row (documents.immutability.flush_sql), and so does PostgreSQL's TRUNCATE."""
    from django.db.backends.sqlite3.base import DatabaseOperations  # base first: operations alone is a circular import

    from documents import immutability

    classes = [DatabaseOperations]
    try:  # PostgreSQL's TRUNCATE is refused too once anything is published
        from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations

        classes.append(PostgresOperations)
    except ImportError:
        pass
    originals = {cls: cls.sql_flush for cls in classes}

    def wrapped(original):
        def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
            sql = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
            return immutability.flush_sql(self.connection.vendor, sql)
        return sql_flush

    for cls, original in originals.items():
        cls.sql_flush = wrapped(original)
    yield
    for cls, original in originals.items():
        cls.sql_flush = original


@pytest.fixture(scope="session", autouse=True)
def _publish_groups_survive_flushes():
    """The flush that ends a transactional test empties every table; permissions come
    back through post_migrate, which the flush sends, but the Publishers and Reviewers
    groups of data migration 0006 would not: a later test that signs in a publisher
    would find no group. They are made again on the same signal."""
    from django.db.models.signals import post_migrate

    from tests import factories

    def receiver(sender, **kwargs):
        if sender.label == "documents":
            factories.publish_groups()

    post_migrate.connect(receiver, weak=False, dispatch_uid="tests-publish-groups")
    yield
    post_migrate.disconnect(dispatch_uid="tests-publish-groups")


@pytest.fixture(autouse=True)
def _isolated_search_index(settings, tmp_path):
    """Point haystack at a fresh Whoosh folder for each test, and reset its connections."""
    from haystack import connections

    # A module's corpus is imported once, with its own index, while each test gets a
    # fresh index: the engine's refusal to use an empty index over a populated database
    # (issue #25) would see every such test as a damaged index. It is on where a test
    # asks for it (the ``refuse_empty_index`` fixture).
    settings.HAYSTACK_CONNECTIONS = {
        "default": {"ENGINE": "documents.search.backend.PortalWhooshEngine", "PATH": str(tmp_path / "whoosh"),
                    "REFUSE_EMPTY_OVER_DATA": False}
    }
    settings.HAYSTACK_SILENTLY_FAIL = False
    connections.connections_info = settings.HAYSTACK_CONNECTIONS
    connections.reload("default")
    yield
    connections.reload("default")


@pytest.fixture
def refuse_empty_index(settings, _isolated_search_index):
    """The engine as configured outside the tests: a missing or empty index over a
    populated database is SearchIndexMissing."""
    from haystack import connections

    settings.HAYSTACK_CONNECTIONS = {"default": {**settings.HAYSTACK_CONNECTIONS["default"],
                                                 "REFUSE_EMPTY_OVER_DATA": True}}
    connections.connections_info = settings.HAYSTACK_CONNECTIONS
    connections.reload("default")


@pytest.fixture(autouse=True)
def _isolated_pdf_store(settings, tmp_path):
    """Each test keeps its PDFs in a folder of its own and, unless it tests the
    "preparing" page, waits for the background worker instead of seeing that page."""
    settings.PORTAL_PDF_DIR = str(tmp_path / "pdf")
    settings.PORTAL_PDF_WAIT = 120


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture
def two_versions(db):
    """A document with two versions: v2 inserts a section and amends another."""
    from tests import factories

    doc = factories.document()
    v1 = factories.publish(doc, factories.POLICY_V1).version
    v2 = factories.publish(doc, factories.POLICY_V2).version
    doc.refresh_from_db()
    return doc, v1, v2
