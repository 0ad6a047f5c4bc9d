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
    # The file date is the day the text was recorded; the text states when it took effect.
    versions = list(doc.versions.timeline())
    assert [v.label for v in versions] == ["2019-12-31", "2021-01-01"]
    assert [v.recorded_date for v in versions] == [dt.date(2020, 12, 8), dt.date(2021, 3, 3)]
    assert all(v.effective_date_stated for v in versions)


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

    def flaky(version, parsed, *neighbours):
        created = real(version, parsed, *neighbours)
        if version.label == "2020-01-01":
            raise KeyError("boom")
        return created

    monkeypatch.setattr(services, "_clauses_create", flaky)
    out, err = _run(tmp_path)
    assert "1 versions created, 0 unchanged, 1 failed" in out
    assert "unexpected error: KeyError" in err
    assert [v.label for v in DocumentVersion.objects.all()] == ["2021-01-01"]


# ---------------------------------------------------------------------------
# Names as people and folders write them
# ---------------------------------------------------------------------------

POLICY = "# Privacy Policy\n\nLast updated: May 25, 2021\n\n## 1. Data\n\nWe collect data{n}.\n\n## 2. Rights\n\nYou have rights.\n"

NAMES = [
    ("Financial Times", "Privacy Policy", "financial-times-privacy-policy"),
    ("thomsonreuters.com", "Privacy Policy", "thomsonreuters-com-privacy-policy"),
    ("Société Générale", "Conditions Générales", "societe-generale-conditions-generales"),
    ("日本語サービス", "利用規約", "ri-ben-yu-sabisu-li-yong-gui-yue"),
    ("A.B. & Co.", "Terms v2.1 (EU)", "a-b-co-terms-v2-1-eu"),
]


def test_real_folder_names_import_and_every_page_answers(client, tmp_path):
    from documents.models import Clause

    for n, (publisher, document, _) in enumerate(NAMES):
        folder = tmp_path / publisher / document
        folder.mkdir(parents=True)
        (folder / "2021-06-01.md").write_text(POLICY.format(n=n), encoding="utf-8")
    out, err = _run(tmp_path)
    assert f"{len(NAMES)} versions created, 0 unchanged, 0 failed" in out, err
    for publisher, document, slug in NAMES:
        doc = Document.objects.get(slug=slug)
        assert (doc.publisher.name, doc.title) == (publisher, document)  # shown as written
        version = doc.current_version
        assert version.effective_date == dt.date(2021, 5, 25) and version.effective_date_stated
        assert version.recorded_date == dt.date(2021, 6, 1)
        for url in (doc.get_absolute_url(), version.get_absolute_url(), f"/api/documents/{slug}/versions/current/"):
            assert client.get(url).status_code == 200, url
    for url in ("/", "/search/?q=rights", "/api/documents/", "/api/search/?q=data"):
        assert client.get(url).status_code == 200, url
    clause = Clause.objects.filter(heading="Rights").first()
    assert client.get(clause.get_permalink()).status_code == 200
    assert client.get(clause.lineage.get_absolute_url()).status_code == 200


def test_same_derived_slug_for_two_publishers_stays_unique(tmp_path):
    for publisher in ("Acme Inc", "ACME-Inc"):
        (tmp_path / publisher / "Terms").mkdir(parents=True)
    (tmp_path / "Acme Inc" / "Terms" / "2021-01-01.md").write_text(POLICY.format(n=1))
    (tmp_path / "ACME-Inc" / "Terms" / "2021-01-01.md").write_text(POLICY.format(n=2))
    out, err = _run(tmp_path)
    assert "0 failed" in out, err
    # Both folders name the same publisher once slugified: one document, two versions.
    assert Document.objects.count() == 1 and DocumentVersion.objects.count() == 2


def test_invalid_name_is_a_clear_failure_and_saves_nothing(tmp_path):
    from documents.models import Publisher

    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "a.md").write_text(POLICY.format(n=1))
    (folder / "b.md").write_text(POLICY.format(n=2))
    (folder / "manifest.json").write_text(
        '{"files": {"a.md": {"publisher": "Acme", "title": "%s"}, "b.md": {"publisher": "Acme", "title": "Terms"}}}'
        % ("T" * 301)
    )
    out, err = _run(folder)
    assert "1 versions created, 0 unchanged, 1 failed" in out
    assert "a.md" in err and "title" in err and "at most 300 characters" in err
    assert "unexpected error" not in err
    assert list(Document.objects.values_list("title", flat=True)) == ["Terms"]
    assert Publisher.objects.count() == 1


def test_failed_first_version_leaves_no_document(tmp_path, monkeypatch):
    from django.core.exceptions import ValidationError

    from documents import services

    def invalid(**kwargs):
        raise ValidationError({"label": ["Ensure this value has at most 20 characters."]})

    monkeypatch.setattr(services, "version_publish", invalid)
    folder = tmp_path / "Financial Times" / "Privacy Policy"
    folder.mkdir(parents=True)
    (folder / "2021-01-01.md").write_text(POLICY.format(n=1))
    with pytest.raises(CommandError, match="Nothing could be imported"):
        _run(tmp_path)
    from documents.models import Publisher

    assert not Document.objects.exists() and not Publisher.objects.exists()


def test_migration_repairs_bad_slugs():
    import importlib

    from django.apps import apps

    from documents.models import Publisher

    repair = importlib.import_module("documents.migrations.0003_repair_slugs").repair
    bad = Publisher.objects.create(slug="Financial Times", name="Financial Times")
    Publisher.objects.create(slug="financial-times", name="FT")
    doc = Document.objects.create(publisher=bad, slug="Financial Times-Privacy Policy", title="Privacy Policy")
    good = Document.objects.create(publisher=bad, slug="kept-as-is", title="Terms")
    repair(apps, None)
    bad.refresh_from_db()
    doc.refresh_from_db()
    good.refresh_from_db()
    assert bad.slug == "financial-times-2"
    assert doc.slug == "financial-times-2-privacy-policy"
    assert good.slug == "kept-as-is"
    bad.full_clean()
    doc.full_clean()


# ---------------------------------------------------------------------------
# Two dates: effective and recorded; upcoming versions
# ---------------------------------------------------------------------------


def test_text_without_a_date_is_placed_by_its_file_date_not_stated(tmp_path):
    folder = tmp_path / "acme" / "terms"
    folder.mkdir(parents=True)
    (folder / "2020-03-04.md").write_text("# Terms\n\n## 1. One\n\nText without a date.\n")
    _run(tmp_path)
    version = DocumentVersion.objects.get()
    assert (version.label, version.effective_date_stated, version.recorded_date) == (
        "2020-03-04", False, dt.date(2020, 3, 4)
    )


def test_future_effective_date_is_upcoming_not_current(tmp_path):
    from django.utils import timezone

    from documents import services

    today = timezone.localdate()
    ahead = today + dt.timedelta(days=30)
    folder = tmp_path / "acme" / "terms"
    folder.mkdir(parents=True)
    (folder / f"{today - dt.timedelta(days=400)}.md").write_text("# Terms\n\nEffective January 1, 2020\n\n## 1. One\n\nOld text.\n")
    (folder / f"{today}.md").write_text(f"# Terms\n\nEffective {ahead:%B} {ahead.day}, {ahead.year}\n\n## 1. One\n\nNew text.\n")
    _run(tmp_path)
    doc = Document.objects.get()
    old, new = doc.versions.timeline()
    assert new.effective_date == ahead and new.effective_date_stated
    assert doc.current_version == old  # not in force yet
    # The day it takes effect the pointer moves; the version rows stay as published.
    assert services.document_current_refresh(document=doc, today=ahead)
    doc.refresh_from_db()
    assert doc.current_version == new


def test_upcoming_version_page_says_when_it_takes_effect(client):
    from django.utils import timezone

    from tests import factories

    ahead = timezone.localdate() + dt.timedelta(days=10)
    doc = factories.document()
    old = factories.publish(doc, factories.POLICY_V1, dt.date(2020, 1, 1)).version
    new = factories.publish(doc, factories.POLICY_V2, ahead).version
    doc.refresh_from_db()
    assert doc.current_version == old
    page = client.get(new.get_absolute_url()).content.decode()
    assert "Takes effect on" in page and "upcoming" in page
    assert "Takes effect on" not in client.get(old.get_absolute_url()).content.decode()


def test_back_dated_version_shares_keys_with_the_version_after_it(tmp_path):
    """An archive may record an older text after a newer one: identical clauses still share keys."""
    folder = tmp_path / "acme" / "terms"
    folder.mkdir(parents=True)
    (folder / "2020-12-08.md").write_text(
        "# Terms\n\nLast updated: July 31, 2013\n\n## 1. Use\n\nUse it well.\n\n## 2. Fees\n\nFees are due monthly.\n")
    (folder / "2020-12-09.md").write_text(
        "# Terms\n\nLast updated: February 19, 2010\n\n## 1. Use\n\nUse it well.\n\n## 2. Fees\n\nFees are due yearly.\n")
    _run(tmp_path)
    old, new = Document.objects.get().versions.timeline()
    assert (old.label, new.label) == ("2010-02-19", "2013-07-31")
    keys = {v.label: {c.number: c.lineage.key for c in v.clauses.all()} for v in (old, new)}
    assert keys["2010-02-19"]["1"] == keys["2013-07-31"]["1"]


def test_an_identical_recapture_is_a_check_listed_in_the_api(tmp_path, corpus_dir, client):
    """The same text recorded on a later day creates no version: it is recorded once as a
    check of the version it matched, and the API's timeline lists it by its own date."""
    from documents.models import VersionCheck

    target = tmp_path / "netflix" / "terms-of-service"
    target.mkdir(parents=True)
    source = corpus_dir / "netflix" / "terms-of-service" / "2020-12-08.md"
    shutil.copy(source, target / "2020-12-08.md")
    # A recapture with other page furniture around the same text.
    (target / "2021-02-02.md").write_text(source.read_text() + "\n\nBack to top\n")
    out, _ = _run(tmp_path)
    assert "1 versions created, 1 unchanged" in out and "recorded as checked on 2021-02-02" in out
    version = DocumentVersion.objects.get()
    check = VersionCheck.objects.get()
    assert (check.version, check.recorded_date) == (version, dt.date(2021, 2, 2))
    _run(tmp_path)  # the same folder again records nothing new
    assert VersionCheck.objects.count() == 1 and DocumentVersion.objects.count() == 1
    [doc] = client.get("/api/documents/").json()["documents"]
    assert doc["versions"] == [
        {"label": version.label, "kind": "version", "effective_date": version.effective_date.isoformat(),
         "recorded_date": "2020-12-08", "source_filename": "2020-12-08.md", "source_commit": None},
        {"label": version.label, "check": True, "unchanged_since": version.label, "recorded_date": "2021-02-02",
         "date": "2021-02-02", "source_commit": None},
    ]
    # The reader sees it on the timeline: the document was looked at again and had not changed.
    page = client.get(version.document.get_absolute_url()).content.decode()
    assert 'unchanged, checked on <time datetime="2021-02-02">2 Feb 2021</time>' in page
