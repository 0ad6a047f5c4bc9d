"""manage.py import_ota on a small Open Terms Archive repository made here from real
texts (tests/ota_sample, ODC-By: see its README): commit kinds, refused captures,
checks, provenance, incremental runs and resuming after an interruption."""

from __future__ import annotations

import os
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from documents.archive import captures, commits, git, importing
from documents.models import (
    Document,
    DocumentVersion,
    IndexRepairMark,
    RefusedCapture,
    TrackedRepository,
    VersionCheck,
)

SAMPLE = Path(__file__).parent / "ota_sample"
USA = "USA.gov/Privacy Policy.md"
TILDES = "Tildes/Community Guidelines.md"
SNAPSHOT = "https://github.com/OpenTermsArchive/contrib-snapshots/commit/"

# (date, subject, path, text file or "" for an empty capture), in commit order.
HISTORY = [
    ("2020-12-08T10:00:00Z", "Start tracking USA.gov Privacy Policy", USA, "usagov-privacy-2020-12-08-start.md"),
    ("2020-12-18T10:00:00Z", "Refilter USA.gov Privacy Policy", USA, "usagov-privacy-2020-12-18-refilter.md"),
    ("2021-07-20T10:00:00Z", "Update USA.gov Privacy Policy", USA, "usagov-privacy-2021-07-20-update.md"),
    ("2021-08-01T10:00:00Z", "Record new changes of USA.gov Privacy Policy", USA, "airbnb-privacy-login-wall.md"),
    ("2021-08-02T10:00:00Z", "Record new changes of USA.gov Privacy Policy", USA, "usagov-privacy-2021-07-20-update.md"),
    ("2021-08-03T10:00:00Z", "Record new changes of USA.gov Privacy Policy", USA, "rakuten-privacy-fr.md"),
    ("2021-08-04T10:00:00Z", "Record new changes of USA.gov Privacy Policy", USA, ""),
    ("2023-08-24T10:00:00Z", "First record of Tildes Community Guidelines", TILDES, "tildes-guidelines-2023-08-24.md"),
]


def _git(repo: Path, *args: str, env: dict | None = None) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}).stdout.strip()


def make_repository(root: Path, history=HISTORY) -> tuple[Path, list[str]]:
    """A versions repository as OTA writes it: one file per document, one commit per text."""
    repo = root / "sample-versions"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    shas = []
    for n, (date, subject, path, source) in enumerate(history):
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((SAMPLE / source).read_bytes() if source else b"")
        # The same text committed twice would be an empty commit: OTA never writes one,
        # but an archive's history can bring the same text back later (A, B, A).
        _git(repo, "add", "-A")
        body = f"This version was recorded after extracting from snapshot {SNAPSHOT}{n:040x}\n\nX-engine-version: 15.1.0"
        env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_NAME": "OTA-Bot",
               "GIT_AUTHOR_EMAIL": "bot@example.org", "GIT_COMMITTER_NAME": "OTA-Bot",
               "GIT_COMMITTER_EMAIL": "bot@example.org"}
        _git(repo, "commit", "-q", "--allow-empty", "-m", f"{subject}\n\n{body}", env=env)
        shas.append(_git(repo, "rev-parse", "HEAD"))
    return repo, shas


def run_import(source, *args) -> str:
    out = StringIO()
    call_command("import_ota", str(source), *args, stdout=out)
    return out.getvalue()


# --- pure parts ---------------------------------------------------------------------------


def test_commit_kinds_by_subject():
    assert commits.commit_kind("First record of Tildes Community Guidelines") == commits.VERSION
    assert commits.commit_kind("Start tracking USA.gov Privacy Policy") == commits.VERSION
    assert commits.commit_kind("Record new changes of VR Privacy Policy") == commits.VERSION
    assert commits.commit_kind("Update Allstate Privacy Policy") == commits.VERSION
    assert commits.commit_kind("Apply technical or declaration upgrade on Tildes Community Guidelines") == \
        commits.CORRECTION
    assert commits.commit_kind("Refilter USA.gov Privacy Policy") == commits.CORRECTION
    assert commits.commit_kind("Merge branch 'main'") is None
    assert commits.commit_kind("Updated README") is None


def test_snapshot_link_and_document_of_a_path():
    body = "This version was recorded after extracting from snapshot https://github.com/o/s/commit/abc123\n\nX-engine-version: 1"
    assert commits.snapshot_url(body) == "https://github.com/o/s/commit/abc123"
    several = ("This version was recorded after extracting from and assembling the following snapshots from "
               "2 source documents:\n- https://github.com/o/s/commit/aaa\n- https://github.com/o/s/commit/bbb")
    assert commits.snapshot_url(several) == "https://github.com/o/s/commit/aaa"
    assert commits.snapshot_url("This version was recorded after filtering snapshot d71f574caadd") == ""
    assert commits.snapshot_url("recorded from snapshot mongo://contrib/snapshots/67e1a1") == ""
    assert commits.document_of("USA.gov/Privacy Policy.md") == ("USA.gov", "Privacy Policy")
    assert commits.document_of("README.md") is None
    assert commits.document_of("a/b/c.md") is None
    assert commits.document_of("Service/terms.png") is None


def test_capture_refusals_by_general_signals():
    policy = (SAMPLE / "usagov-privacy-2021-07-20-update.md").read_text()
    english = captures.profile(policy)
    assert english.language == "en" and english.words > 600
    login, _ = captures.refusal((SAMPLE / "airbnb-privacy-login-wall.md").read_text(), english)
    assert login.reason == captures.LOGIN_WALL
    french, profile = captures.refusal((SAMPLE / "rakuten-privacy-fr.md").read_text(), english)
    assert french.reason == captures.LANGUAGE and profile.language == "fr"
    assert french.detail == "written in fr; the document is in en"
    empty, _ = captures.refusal("Loading…", english)
    assert empty.reason == captures.NEAR_EMPTY
    error, _ = captures.refusal("404 Not Found. The page you requested could not be found. " * 6, english)
    assert error.reason == captures.ERROR_PAGE
    # A shorter policy is not refused for being shorter unless it is a fraction of it...
    assert captures.refusal(policy, captures.Profile(words=english.words * 2, language="en"))[0] is None
    truncated, _ = captures.refusal(" ".join(policy.split()[:120]), captures.Profile(words=5000, language="en"))
    assert truncated.reason == captures.NEAR_EMPTY
    # ...and a re-extraction (correction) that drops the page's furniture is not refused.
    start = captures.profile((SAMPLE / "usagov-privacy-2020-12-08-start.md").read_text())
    refilter = (SAMPLE / "usagov-privacy-2020-12-18-refilter.md").read_text()
    assert captures.refusal(refilter, start)[0] is not None
    assert captures.refusal(refilter, start, correction=True)[0] is None
    # A long policy that speaks of passwords and sign-in is still a policy.
    assert captures.refusal(policy + "\nSign in with your password. Forgot your password? Log in.", english)[0] is None


# --- the command -------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_ota_kinds_checks_refusals_and_provenance(tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    repo, shas = make_repository(tmp_path)
    out = run_import(repo)
    assert "8 commits imported" in out
    assert "3 versions, 1 corrections, 1 checks (unchanged), 3 refused, 0 failed" in out

    usa = Document.objects.get(publisher__name="USA.gov", title="Privacy Policy")
    versions = list(usa.versions.order_by("recorded_date"))
    assert [(v.kind, v.source_commit, str(v.recorded_date)) for v in versions] == [
        ("version", shas[0], "2020-12-08"), ("correction", shas[1], "2020-12-18"), ("version", shas[2], "2021-07-20")]
    assert versions[1].snapshot_url == f"{SNAPSHOT}{1:040x}"
    assert {v.origin.name for v in versions} == {"sample-versions"}
    assert versions[2].source_text == (SAMPLE / "usagov-privacy-2021-07-20-update.md").read_text()

    check = VersionCheck.objects.get()
    assert (check.version_id, str(check.recorded_date), check.source_commit) == (versions[2].pk, "2021-08-02", shas[4])
    refused = list(RefusedCapture.objects.order_by("recorded_date").values_list("commit", "path", "reason"))
    assert refused == [(shas[3], USA, "login_wall"), (shas[5], USA, "language"), (shas[6], USA, "near_empty")]
    # The refused texts were never published: the document is still the 2021-07-20 text.
    usa.refresh_from_db()
    assert usa.current_version_id == versions[2].pk

    repository = TrackedRepository.objects.get()
    assert (repository.last_commit, repository.path) == (shas[-1], str(repo.resolve()))
    assert Document.objects.filter(title="Community Guidelines", versions__kind="version").count() == 1


@pytest.mark.django_db
def test_a_correction_alerts_nobody_and_is_no_change_unless_asked(tmp_path, settings, client):
    from documents.alerts import selectors as alert_selectors
    from documents.alerts.models import ChangeSet

    settings.DATA_DIR = tmp_path / "data"
    repo, _ = make_repository(tmp_path)
    run_import(repo, "--until", "HEAD~5")  # start, refilter (a correction), update
    usa = Document.objects.get(title="Privacy Policy")
    correction = usa.versions.get(kind="correction")
    assert set(ChangeSet.objects.values_list("version__kind", flat=True)) == {"version"}
    assert not ChangeSet.objects.filter(version=correction).exists()
    listed, total = alert_selectors.recent_changes()
    assert correction.pk not in [item.version.pk for item in listed] and total == 2
    listed, total = alert_selectors.recent_changes(corrections=True)
    assert correction.pk in [item.version.pk for item in listed] and total == 3
    assert client.get("/api/changes/").json()["count"] == 2
    assert client.get("/api/changes/?corrections=1").json()["count"] == 3


@pytest.mark.django_db
def test_second_run_imports_only_new_commits(tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    repo, shas = make_repository(tmp_path)
    out = run_import(repo, "--until", shas[2])
    assert "3 commits imported" in out
    assert TrackedRepository.objects.get().last_commit == shas[2]
    out = run_import(repo)
    assert "5 commits imported" in out and "1 versions, 0 corrections, 1 checks" in out
    assert "up to date" in run_import(repo)
    assert DocumentVersion.objects.count() == 4
    assert VersionCheck.objects.count() == 1 and RefusedCapture.objects.count() == 3


@pytest.mark.django_db
def test_a_bundle_is_cloned_and_pull_brings_new_commits(tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    repo, shas = make_repository(tmp_path)
    bundle = tmp_path / "sample.bundle"
    # A bundle of the first three commits (as an archive is shared: its branch and HEAD)...
    _git(repo, "update-ref", "refs/heads/main", shas[2])
    _git(repo, "bundle", "create", str(bundle), "HEAD", "main")
    run_import(bundle, "--name", "sample")
    repository = TrackedRepository.objects.get()
    assert Path(repository.path) == settings.DATA_DIR / "archives" / "sample"
    assert repository.last_commit == shas[2]
    # ...then one of all of them in its place: --pull fetches what is new.
    _git(repo, "update-ref", "refs/heads/main", shas[-1])
    _git(repo, "bundle", "create", str(bundle), "HEAD", "main")
    out = run_import(bundle, "--name", "sample", "--pull")
    assert "5 commits imported" in out
    assert TrackedRepository.objects.get().last_commit == shas[-1]


def test_not_a_repository_is_a_clear_error(tmp_path, settings, db):
    settings.DATA_DIR = tmp_path / "data"
    (tmp_path / "plain").mkdir()
    (tmp_path / "notes.txt").write_text("hello")
    for source in (tmp_path / "plain", tmp_path / "notes.txt", tmp_path / "missing"):
        with pytest.raises(CommandError):
            run_import(source)
    assert not TrackedRepository.objects.exists()


@pytest.mark.django_db
def test_interrupted_run_resumes_with_nothing_half_saved_or_doubled(tmp_path, settings, monkeypatch):
    settings.DATA_DIR = tmp_path / "data"
    repo, shas = make_repository(tmp_path)
    real = importing._text_import
    seen = []

    def dies_on_the_fifth_commit(run, commit, change, kind):
        seen.append(commit.sha)
        real(run, commit, change, kind)
        if len(seen) == 5:
            raise KeyboardInterrupt  # a BaseException, like a kill: nothing catches it
    monkeypatch.setattr(importing, "_text_import", dies_on_the_fifth_commit)
    with pytest.raises(KeyboardInterrupt):
        run_import(repo, "--batch", "2")
    # Two batches of two commits were committed; the fifth commit's batch was not.
    assert TrackedRepository.objects.get().last_commit == shas[3]
    assert DocumentVersion.objects.count() == 3 and RefusedCapture.objects.count() == 1
    assert not VersionCheck.objects.exists()
    assert IndexRepairMark.objects.exists()

    monkeypatch.setattr(importing, "_text_import", real)
    out = run_import(repo, "--batch", "2")
    assert "search index repaired" in out
    assert "4 commits imported" in out
    assert TrackedRepository.objects.get().last_commit == shas[-1]
    assert DocumentVersion.objects.count() == 4
    assert VersionCheck.objects.count() == 1 and RefusedCapture.objects.count() == 3
    assert not IndexRepairMark.objects.exists()


def test_git_reader_lists_commits_in_order_with_their_files(tmp_path):
    repo, shas = make_repository(tmp_path)
    read = list(git.commits(repo))
    assert [c.sha for c in read] == shas
    assert read[0].changes[0].status == "A" and read[0].changes[0].path == USA
    assert read[1].subject == "Refilter USA.gov Privacy Policy"
    assert str(read[1].date) == "2020-12-18 10:00:00+00:00"
    assert [c.sha for c in git.commits(repo, after=shas[5])] == shas[6:]
    with git.Blobs(repo) as blobs:
        assert blobs.read(read[2].changes[0].blob) == (SAMPLE / "usagov-privacy-2021-07-20-update.md").read_bytes()


@pytest.mark.django_db
def test_collection_page_and_api_list_the_archive_and_its_refusals(tmp_path, settings, client):
    settings.DATA_DIR = tmp_path / "data"
    assert "No archive is tracked yet" in client.get("/collection/").content.decode()
    repo, shas = make_repository(tmp_path)
    run_import(repo)
    page = client.get("/collection/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "sample-versions" in html and shas[-1][:12] in html
    assert "Log-in wall" in html and "Another language" in html and "written in fr; the document is in en" in html
    data = client.get("/api/collection/").json()
    assert data["repositories"] == [{
        "name": "sample-versions", "url": str(repo.resolve()), "last_commit": shas[-1],
        "last_commit_date": "2023-08-24T10:00:00+00:00",
        "last_imported_at": data["repositories"][0]["last_imported_at"],
        "versions": 3, "corrections": 1, "checks": 1, "refused": 3,
    }]
    assert [(r["reason"], r["commit"]) for r in data["refused"]["results"]] == [
        ("near_empty", shas[6]), ("language", shas[5]), ("login_wall", shas[3])]
    assert data["refused"]["results"][0]["snapshot_url"] == f"{SNAPSHOT}{6:040x}"
    assert client.get("/api/collection/?page=x").status_code == 400
    assert client.get("/collection/?page=0").status_code == 400


@pytest.mark.django_db
def test_version_page_labels_a_correction_and_shows_provenance(tmp_path, settings, client):
    settings.DATA_DIR = tmp_path / "data"
    repo, shas = make_repository(tmp_path)
    run_import(repo, "--until", shas[2])
    usa = Document.objects.get(title="Privacy Policy")
    correction = usa.versions.get(kind="correction")
    html = client.get(correction.get_absolute_url()).content.decode()
    assert "extraction correction" in html
    assert shas[1][:12] in html and f'href="{SNAPSHOT}{1:040x}"' in html and "sample-versions" in html
    version = usa.versions.get(source_commit=shas[2])
    html = client.get(version.get_absolute_url()).content.decode()
    assert "extraction correction" not in html and shas[2][:12] in html
    assert html.count('class="badge correction"') == 1  # the correction, in the timeline


def test_progress_bar_shows_rate_and_time_left():
    from documents.management.commands.import_ota import _bar

    progress = importing.Progress(done=300, total=1200, last_commit="a" * 40, counts=importing.Counts(),
                                  cpu_seconds=1.0)
    assert _bar(progress, 60.0, width=10).strip() == "[##--------] 300/1200 commits 5.0/s ETA 3:00"
