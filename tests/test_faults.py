"""Storage faults during publish are answers, not crashes: a 503 that says the draft is
kept, nothing published half, and the search index as it was (issue 16)."""

from __future__ import annotations

import errno
import os
import stat

import pytest
from django.db import OperationalError

from documents import indexing, services
from documents.models import Clause, ClauseLineage, DocumentVersion, VersionDraft
from tests.test_upload import V2, draft_url, md, post_upload, published, staff, staff_client  # noqa: F401

pytestmark = pytest.mark.django_db


def search_count(text: str) -> int:
    from haystack.query import SearchQuerySet

    return SearchQuerySet().filter(content=text).count()


def _state():
    return (DocumentVersion.objects.count(), Clause.objects.count(), ClauseLineage.objects.count(),
            VersionDraft.objects.count())


FAULTS = {
    "disk full": OSError(errno.ENOSPC, "No space left on device"),
    "read-only index": OSError(errno.EROFS, "Read-only file system"),
    "database locked": OperationalError("database is locked"),
    "database full": OperationalError("database or disk is full"),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_a_storage_fault_at_publish_is_a_503_and_nothing_is_saved(staff_client, published, monkeypatch, name):  # noqa: F811
    post_upload(staff_client, document=published.slug, file=md(V2))
    draft = VersionDraft.objects.get()
    before = _state()
    indexed = search_count("phone")

    def fault(changed, removed):
        raise FAULTS[name]

    monkeypatch.setattr(indexing, "spans_update", fault)
    response = staff_client.post(draft_url(draft, "publish"))
    assert response.status_code == 503
    body = response.content.decode()
    assert "draft is kept" in body and "nothing was published" in body
    assert response["Cache-Control"].startswith("private") or "private" in response["Cache-Control"]
    assert _state() == before
    assert search_count("phone") == indexed
    monkeypatch.undo()
    # Once the fault is gone, the same draft publishes.
    assert staff_client.post(draft_url(draft, "publish")).status_code == 302
    assert published.versions.count() == 2


def test_a_fault_in_the_database_write_itself_is_a_503(staff_client, published, monkeypatch):  # noqa: F811
    post_upload(staff_client, document=published.slug, file=md(V2))
    draft = VersionDraft.objects.get()

    def full(*args, **kwargs):
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(services, "_clauses_create", full)
    response = staff_client.post(draft_url(draft, "publish"))
    assert response.status_code == 503
    assert published.versions.count() == 1 and VersionDraft.objects.filter(pk=draft.pk).exists()


def _chmod_read_only(index, monkeypatch):
    """Real permissions: the folder and its files readable only. Root writes through
    them, so this way only runs as another user."""
    if os.geteuid() == 0:
        pytest.skip("root writes through read-only permissions (the read-only file system case runs instead)")
    paths = [index, *index.iterdir()]
    for path in paths:
        path.chmod(stat.S_IRUSR | stat.S_IXUSR)
    return lambda: [path.chmod(stat.S_IRWXU) for path in paths]


def _read_only_file_system(index, monkeypatch):
    """A file system mounted read-only, as the kernel answers it (EROFS) to every call
    that would write below ``index``: opening to write, creating, renaming, removing.
    Reads go on, for root too."""
    import builtins

    inside = str(index.resolve())

    def guard(name, original, writes=lambda *a, **k: True):
        def call(path, *args, **kwargs):
            if (isinstance(path, (str, bytes, os.PathLike)) and os.path.realpath(os.fsdecode(path)).startswith(inside)
                    and writes(*args, **kwargs)):
                raise OSError(errno.EROFS, "Read-only file system", os.fsdecode(path))
            return original(path, *args, **kwargs)
        monkeypatch.setattr(*name, call)

    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    guard((os, "open"), os.open, lambda flags, *a, **k: bool(flags & write_flags))
    guard((builtins, "open"), builtins.open, lambda mode="r", *a, **k: bool(set(mode) & set("wax+")))
    for name in ("mkdir", "makedirs", "remove", "unlink", "rename", "replace", "rmdir"):
        guard((os, name), getattr(os, name))
    return monkeypatch.undo


@pytest.mark.parametrize("make_read_only", [_chmod_read_only, _read_only_file_system],
                         ids=["permissions", "read-only file system"])
def test_a_read_only_index_folder_is_a_503(staff_client, published, settings, tmp_path, monkeypatch,  # noqa: F811
                                           make_read_only):
    post_upload(staff_client, document=published.slug, file=md(V2))
    draft = VersionDraft.objects.get()
    indexed = search_count("phone")
    writable_again = make_read_only(tmp_path / "whoosh", monkeypatch)
    try:
        response = staff_client.post(draft_url(draft, "publish"))
    finally:
        writable_again()
    assert response.status_code == 503
    if make_read_only is _read_only_file_system:  # EROFS, as the kernel says it
        assert "The search index cannot be written" in response.content.decode()
    assert published.versions.count() == 1 and VersionDraft.objects.filter(pk=draft.pk).exists()
    assert search_count("phone") == indexed
    # Writable again: the same draft publishes, and its words are found.
    assert staff_client.post(draft_url(draft, "publish")).status_code == 302
    assert published.versions.count() == 2 and search_count("phone") > indexed
