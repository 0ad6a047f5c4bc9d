"""Issue #25, item 9: a read-only search index can still be checked (``search_sync``),
an import onto one ends with a message rather than a traceback, and a write that fails
on a full disk leaves no empty segment files behind."""

from __future__ import annotations

import errno
import io
import os

import pytest
from django.core.management import CommandError, call_command

from documents import indexing
from tests import factories
from tests.test_faults import _read_only_file_system

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(settings, tmp_path):
    doc = factories.document()
    factories.publish(doc, factories.POLICY_V1)
    return doc, tmp_path / "whoosh"


def _not_writable(index, monkeypatch):
    """As on a read-only mount: every write below ``index`` fails with EROFS, and
    ``os.access(..., W_OK)`` says so (haystack asks it before opening an index)."""
    writable_again = _read_only_file_system(index, monkeypatch)
    inside, access = str(index.resolve()), os.access
    monkeypatch.setattr(os, "access", lambda path, mode, *a, **k: False if (
        mode & os.W_OK and os.path.realpath(os.fsdecode(path)).startswith(inside)) else access(path, mode, *a, **k))
    return writable_again


def test_search_sync_checks_a_read_only_index(indexed, monkeypatch):
    doc, index = indexed
    from haystack import connections

    connections.reload("default")  # a new process: nothing opened yet
    writable_again = _not_writable(index, monkeypatch)
    out = io.StringIO()
    try:
        call_command("search_sync", stdout=out)
    finally:
        writable_again()
    assert "Search index in step" in out.getvalue()


def test_search_sync_repair_on_a_read_only_index_says_so(indexed, monkeypatch):
    doc, index = indexed
    from documents.models import ClauseSpan

    ClauseSpan.objects.filter(pk=ClauseSpan.objects.first().pk).update(text_sha="drifted")
    writable_again = _not_writable(index, monkeypatch)
    try:
        with pytest.raises(CommandError, match="cannot be written|could not be used"):
            call_command("search_sync", "--repair", stdout=io.StringIO())
    finally:
        writable_again()


def test_import_onto_a_read_only_index_ends_with_a_message(indexed, monkeypatch, tmp_path):
    doc, index = indexed
    folder = tmp_path / "import" / "Other Corp" / "Terms of Service"
    folder.mkdir(parents=True)
    (folder / "2024-02-01.md").write_text(factories.POLICY_V2, encoding="utf-8")
    writable_again = _not_writable(index, monkeypatch)
    try:
        with pytest.raises(CommandError, match="search index"):
            call_command("import_documents", str(tmp_path / "import"), stdout=io.StringIO(), stderr=io.StringIO())
    finally:
        writable_again()
    assert doc.versions.count() == 1
    from documents.models import Document

    assert not Document.objects.filter(title="Terms of Service").exists()


def test_a_write_that_fails_on_a_full_disk_leaves_no_empty_segments(indexed, monkeypatch):
    doc, index = indexed
    before = {p.name for p in index.iterdir()}

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    # Every write of a file below the index fails, as on a full disk; creating files works.
    from whoosh.filedb import structfile

    monkeypatch.setattr(structfile.StructFile, "write", full)
    monkeypatch.setattr(os, "write", full)
    with pytest.raises(Exception):
        factories.publish(doc, factories.POLICY_V2)
    monkeypatch.undo()
    after = {p.name for p in index.iterdir()}
    empty = [p.name for p in index.iterdir() if p.is_file() and p.stat().st_size == 0 and p.name not in before]
    assert empty == [], empty
    assert {n for n in after - before if not n.endswith(".lock") and not n.startswith(".")} == set()
    assert doc.versions.count() == 1
