"""import_documents on the seeds and on an Open Terms Archive style folder."""

import datetime as dt
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from documents.models import Document, DocumentVersion

pytestmark = pytest.mark.django_db


def _run(*paths):
    out, err = StringIO(), StringIO()
    call_command("import_documents", *map(str, paths), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_seeds_then_again_is_unchanged(seeds_dir):
    out, _ = _run(seeds_dir)
    assert "Summary: 4 documents, 4 versions created, 0 unchanged, 0 failed." in out
    assert "[1/4]" in out
    dates = dict(Document.objects.values_list("slug", "current_version__effective_date"))
    assert dates["zendesk-cookie-policy"] == dt.date(2022, 1, 31)
    assert dates["zendesk-privacy-policy"] == dt.date(2015, 10, 1)
    assert dates["clickdesk-api-terms"] == dt.date(2018, 5, 24)
    out, _ = _run(seeds_dir)
    assert "Summary: 4 documents, 0 versions created, 4 unchanged, 0 failed." in out
    assert DocumentVersion.objects.count() == 4


def test_import_dated_folder_layout(tmp_path, corpus_dir):
    target = tmp_path / "netflix" / "terms-of-service"
    target.mkdir(parents=True)
    for name in ("2020-12-08.md", "2021-03-03.md"):
        shutil.copy(corpus_dir / "netflix" / "terms-of-service" / name, target / name)
    out, _ = _run(tmp_path)
    assert "2 versions created" in out
    doc = Document.objects.get(slug="netflix-terms-of-service")
    assert doc.kind == "terms"
    assert [v.label for v in doc.versions.timeline()] == ["2020-12-08", "2021-03-03"]


def test_failed_file_is_reported_and_others_go_on(tmp_path, corpus_dir):
    good = tmp_path / "acme" / "privacy-policy"
    good.mkdir(parents=True)
    shutil.copy(corpus_dir / "netflix" / "privacy-policy" / "2020-12-08.md", good / "2020-12-08.md")
    (good / "2021-01-01.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00binary")
    out, err = _run(tmp_path)
    assert "1 versions created, 0 unchanged, 1 failed" in out
    assert "2021-01-01.md" in err and "NUL" in err
    assert DocumentVersion.objects.count() == 1


def test_unknown_path_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        _run(tmp_path / "missing")


def test_unexpected_error_in_one_file_is_reported_and_rolled_back(tmp_path, corpus_dir, monkeypatch):
    from documents import services

    folder = tmp_path / "acme" / "terms-of-service"
    folder.mkdir(parents=True)
    (folder / "2020-01-01.md").write_text("# Terms\n\n## 1. One\n\nFirst text.\n")
    (folder / "2021-01-01.md").write_text("# Terms\n\n## 1. One\n\nSecond text.\n")
    real = services._clauses_create

    def flaky(version, parsed, previous):
        real(version, parsed, previous)
        if version.label == "2020-01-01":
            raise KeyError("boom")

    monkeypatch.setattr(services, "_clauses_create", flaky)
    out, err = _run(tmp_path)
    assert "1 versions created, 0 unchanged, 1 failed" in out
    assert "unexpected error: KeyError" in err
    assert [v.label for v in DocumentVersion.objects.all()] == ["2021-01-01"]
