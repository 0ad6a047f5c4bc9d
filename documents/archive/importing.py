"""Import an archive repository's history, commit by commit (the writes; Django).

Each commit's text becomes one of:

- a **version** (``First record``, ``Start tracking``, ``Record new changes``, ``Update``)
  or an extraction **correction** (``Apply technical or declaration upgrade``,
  ``Refilter``), published through ``services.version_publish`` like any upload, with
  its provenance (repository, commit, snapshot link); its recorded date is the
  commit's date, its effective date the one the text states;
- a **check** (``VersionCheck``) when the text is one the document already has;
- a **refusal** (``RefusedCapture``) when it is not the document (``captures``).

Commits are written in batches, each one database transaction with one index write
(as ``documents.importing`` does for folders), and the repository's ``last_commit``
moves in that same transaction: a run killed at any point leaves whole commits
behind it, and the next run starts after the last commit written. Within a batch
each commit is its own savepoint, so an unexpected failure drops that commit only.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from documents import indexing, services
from documents.archive import captures, commits, git
from documents.models import (
    Document,
    DocumentVersion,
    IndexRepairMark,
    RefusalReason,
    RefusedCapture,
    TrackedRepository,
    VersionKind,
)
from portal import collector

logger = logging.getLogger(__name__)

# Commits per transaction and index write. Most commits of an archive are checks or
# small changes: 200 commits hold about as many new versions as the folder importer's
# batches of 50, and each index commit (and its segment merges) costs the same however
# few entries it writes.
BATCH_COMMITS = 200


class ArchiveError(ValueError):
    """A repository that cannot be imported, with a message for the person running it."""


@dataclass
class Counts:
    versions: int = 0
    corrections: int = 0
    checks: int = 0
    refused: int = 0
    failed: int = 0
    skipped: int = 0  # deletions and files that are not recorded texts

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Progress:
    """A batch of commits committed (database and index) and the repository moved on."""

    done: int  # commits handled by this run so far
    total: int  # commits this run had to handle
    last_commit: str
    counts: Counts
    cpu_seconds: float
    repaired: dict | None = None


@dataclass
class _Run:
    repository: TrackedRepository
    blobs: git.Blobs
    counts: Counts = field(default_factory=Counts)
    documents: dict[str, Document] = field(default_factory=dict)  # path -> document
    # Per document: the source texts it has (sha256 -> version id) and its last
    # accepted text's profile, read from the database once per run and kept up to date.
    sources: dict[int, dict[str, int]] = field(default_factory=dict)
    profiles: dict[int, captures.Profile | None] = field(default_factory=dict)
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (commit, path, why)


def repository_for(source: str, *, name: str = "", data_dir: Path) -> TrackedRepository:
    """The tracked repository for ``source`` (a repository's path, a bundle, or a URL),
    registered on first use. A bundle or URL is cloned into ``data_dir``; a local
    repository is read where it is."""
    from django.utils.text import slugify

    path = Path(source)
    base = path.name.removesuffix(".bundle").removesuffix(".git") if source else ""
    name = slugify(name or base) or "archive"
    repository = TrackedRepository.objects.filter(name=name).first()
    if repository is not None:
        if not git.is_repository(Path(repository.path)):
            raise ArchiveError(f"{name}: its clone {repository.path} is missing; remove it or give another --name")
        return repository
    if path.is_dir():
        if not git.is_repository(path):
            raise ArchiveError(f"{source}: not a git repository")
        clone_path, url = path.resolve(), str(path.resolve())
    elif path.is_file():
        if not git.is_bundle(path):
            raise ArchiveError(f"{source}: neither a git repository nor a git bundle")
        clone_path, url = data_dir / "archives" / name, str(path.resolve())
    elif "://" in source or source.startswith("git@"):
        clone_path, url = data_dir / "archives" / name, source
    else:
        raise ArchiveError(f"{source}: no such repository, bundle or folder")
    if clone_path != path.resolve() and not git.is_repository(clone_path):
        try:
            git.clone(url, clone_path)
        except git.GitError as exc:
            raise ArchiveError(f"{source}: {exc}") from exc
    return TrackedRepository.objects.create(name=name, url=url, path=str(clone_path))


def import_repository(
    repository: TrackedRepository, *, until: str = "HEAD", batch_commits: int = BATCH_COMMITS,
) -> Iterator[Progress]:
    """Import the commits after ``repository.last_commit`` up to ``until``; yields a
    Progress after each batch is committed."""
    repo = Path(repository.path)
    try:
        target = git.resolve(repo, until)
    except git.GitError as exc:
        raise ArchiveError(f"{repository.name}: no commit {until!r} ({exc})") from exc
    after = repository.last_commit
    if after and not git.is_ancestor(repo, after, target):
        raise ArchiveError(
            f"{repository.name}: the last commit imported, {after[:12]}, is not in the history up to "
            f"{until}: the repository was rewritten, or {until} is older"
        )
    total = git.count(repo, after=after, until=target)
    started = time.process_time()
    repaired = indexing.repair_if_interrupted()
    if repaired is not None:
        yield Progress(0, total, after, Counts(), 0.0, repaired=repaired)
    if not total:
        return
    mark = IndexRepairMark.objects.create(note=f"import_ota {repository.name}")
    done = 0
    with git.Blobs(repo) as blobs:
        run = _Run(repository=repository, blobs=blobs)
        batch: list[git.Commit] = []
        for commit in git.commits(repo, after=after, until=target):
            batch.append(commit)
            if len(batch) >= batch_commits:
                _batch_write(run, batch)
                done += len(batch)
                batch = []
                yield Progress(done, total, repository.last_commit, run.counts, time.process_time() - started)
        if batch:
            _batch_write(run, batch)
            done += len(batch)
            yield Progress(done, total, repository.last_commit, run.counts, time.process_time() - started)
    mark.delete()
    # Upcoming versions whose day has come become current (published rows stay as they are).
    services.documents_current_refresh()


def _batch_write(run: _Run, batch: list[git.Commit]) -> None:
    repository = run.repository
    # The collector is paused for the batch (see portal.collector), as for folder imports.
    with collector.paused(), transaction.atomic(), indexing.batch():
        for commit in batch:
            _commit_import(run, commit)
        last = batch[-1]
        repository.last_commit = last.sha
        repository.last_commit_date = last.date
        repository.last_imported_at = timezone.now()
        repository.save(update_fields=["last_commit", "last_commit_date", "last_imported_at"])


def _commit_import(run: _Run, commit: git.Commit) -> None:
    kind = commits.commit_kind(commit.subject)
    for change in commit.changes:
        if change.status == "D" or commits.document_of(change.path) is None:
            run.counts.skipped += 1
            continue
        try:
            with transaction.atomic():
                _text_import(run, commit, change, kind)
        except Exception as exc:  # noqa: BLE001 - one bad commit must not stop an archive's import
            # Its savepoint rolled back: nothing of it is saved. Caches may name rows that
            # were rolled back with it, so they are dropped for its document.
            logger.exception("import_ota: %s %s", commit.sha[:12], change.path)
            document = run.documents.pop(change.path, None)
            if document is not None:
                run.sources.pop(document.pk, None)
                run.profiles.pop(document.pk, None)
            run.counts.failed += 1
            run.failures.append((commit.sha, change.path, f"{type(exc).__name__}: {exc}"))


def _text_import(run: _Run, commit: git.Commit, change: git.Change, kind: str | None) -> None:
    repository = run.repository
    recorded = commit.date.astimezone(dt.UTC).date()
    snapshot = commits.snapshot_url(commit.body)

    def refuse(reason: str, detail: str, document: Document | None) -> None:
        RefusedCapture.objects.create(
            repository=repository, document=document, commit=commit.sha, path=change.path[:500],
            recorded_date=recorded, reason=reason, detail=detail[:500], snapshot_url=snapshot,
        )
        run.counts.refused += 1

    try:
        text = services.decode_upload(run.blobs.read(change.blob))
    except services.PublishError as exc:
        empty = "empty" in str(exc)  # an empty capture is near-empty, a binary one unreadable
        refuse(RefusalReason.NEAR_EMPTY if empty else RefusalReason.UNREADABLE, str(exc), run.documents.get(change.path))
        return
    document = _document(run, change.path)
    sources = _sources(run, document)
    source_sha = services.text_sha256(text)
    provenance = {"origin": repository, "source_commit": commit.sha, "snapshot_url": snapshot}
    if source_sha in sources:  # the same bytes again: no need to parse them
        services.version_check_record(
            version=DocumentVersion.objects.only("pk", "document_id", "sha256").get(pk=sources[source_sha]),
            recorded_date=recorded, source_text=text, **provenance)
        run.counts.checks += 1
        return
    refused, profile = captures.refusal(text, _profile(run, document), correction=kind == commits.CORRECTION)
    if refused is not None:
        refuse(refused.reason, refused.detail, document)
        return
    name = Path(change.path).name
    try:
        parsed = services.version_parse(text, filename=name, recorded_date=recorded)
    except services.PublishError as exc:
        refuse(RefusalReason.NEAR_EMPTY, str(exc), document)
        return
    correction = kind == commits.CORRECTION
    result = services.version_publish(
        document=document, source_text=text, filename=name, recorded_date=recorded,
        change_note=commit.subject[:500], parsed=parsed,
        kind=VersionKind.CORRECTION if correction else VersionKind.VERSION, **provenance,
    )
    if not result.created:  # the same text once normalized
        services.version_check_record(version=result.version, recorded_date=recorded, source_text=text,
                                      **provenance)
        sources[source_sha] = result.version.pk
        run.counts.checks += 1
        return
    sources[source_sha] = result.version.pk
    run.profiles[document.pk] = profile
    if correction:
        run.counts.corrections += 1
    else:
        run.counts.versions += 1


def _document(run: _Run, path: str) -> Document:
    document = run.documents.get(path)
    if document is None:
        service, terms_type = commits.document_of(path)
        document = services.document_get_or_create(
            publisher_name=service, title=terms_type, kind=services.kind_guess(terms_type))
        run.documents[path] = document
    return document


def _sources(run: _Run, document: Document) -> dict[str, int]:
    sources = run.sources.get(document.pk)
    if sources is None:
        sources = run.sources[document.pk] = dict(
            DocumentVersion.objects.filter(document=document).values_list("source_sha256", "pk"))
    return sources


def _profile(run: _Run, document: Document) -> captures.Profile | None:
    if document.pk not in run.profiles:
        last = (DocumentVersion.objects.filter(document=document)
                .order_by("-recorded_date", "-published_at", "-pk").only("source_text").first())
        run.profiles[document.pk] = captures.profile(last.source_text) if last is not None else None
    return run.profiles[document.pk]
