"""Finds what to import in files and folders, and imports each file as one version.

Two layouts are understood:

* files listed in a ``manifest.json`` beside them (``{"files": {name: {publisher,
  title, kind, slug}}}``), as in ``seeds/``;
* folders laid out ``<publisher>/<document>/<YYYY-MM-DD>.md`` (Open Terms Archive's
  layout), each file a version of that document. The file's date is the day the text
  was *recorded*, not the day it took effect: the effective date is the one the text
  states, and only a text that states none is placed on the timeline by its file
  date (not marked "stated"). A ``manifest.json`` at the top, in Open Terms Archive's
  list form, names the services and document types as they are written.

Folder names are shown as written ("Financial Times", "thomsonreuters.com"); slugs
are derived from them by ``services.document_get_or_create``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from documents import services
from portal import collector

logger = logging.getLogger(__name__)

_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(md|markdown|txt|html?)$", re.I)
_TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".html", ".htm"}


class ImportSourceError(ValueError):
    pass


@dataclass(frozen=True)
class ImportItem:
    path: Path
    publisher: str
    title: str
    kind: str
    slug: str
    effective_date: dt.date | None  # given by a manifest: wins over the text's own
    recorded_date: dt.date | None = None  # an archive's file date


@dataclass(frozen=True)
class ImportOutcome:
    item: ImportItem
    status: str  # "created", "unchanged" or "failed"
    detail: str = ""


def _load_manifest(folder: Path) -> dict:
    path = folder / "manifest.json"
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImportSourceError(f"{path}: unreadable manifest ({exc})") from exc


def _titles_from_list_manifest(manifest) -> dict[tuple[str, str], tuple[str, str]]:
    """Open Terms Archive's manifest: [{service, document_type, path}, ...]."""
    titles = {}
    if isinstance(manifest, list):
        for entry in manifest:
            parts = Path(entry.get("path", "")).parts
            if len(parts) >= 2 and entry.get("service") and entry.get("document_type"):
                titles[(parts[0], parts[1])] = (entry["service"], entry["document_type"])
    return titles


def _humanize(name: str) -> str:
    """A folder name as a title: "privacy-policy" -> "Privacy Policy"; a name already
    written by a person ("Financial Times", "thomsonreuters.com") stays as it is."""
    if re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", name) and ("-" in name or "_" in name or name.isalpha()):
        return name.replace("-", " ").replace("_", " ").strip().title()
    return name.strip()


def collect(paths: list[Path]) -> list[ImportItem]:
    """Everything to import under ``paths``, oldest version first within a document."""
    items: list[ImportItem] = []
    for path in paths:
        if not path.exists():
            raise ImportSourceError(f"{path}: no such file or folder")
        if path.is_file():
            items.append(_item_for_listed_file(path))
            continue
        manifest = _load_manifest(path)
        if isinstance(manifest, dict) and manifest.get("files"):
            for name in sorted(manifest["files"]):
                items.append(_item_for_listed_file(path / name, manifest))
            continue
        titles = _titles_from_list_manifest(manifest)
        for file in sorted(path.rglob("*")):
            match = _DATED.match(file.name)
            if not file.is_file() or not match:
                continue
            rel = file.relative_to(path).parts
            if len(rel) < 3:
                continue
            publisher_dir, document_dir = rel[-3], rel[-2]
            publisher, title = titles.get((publisher_dir, document_dir), (_humanize(publisher_dir), _humanize(document_dir)))
            items.append(
                ImportItem(
                    path=file, publisher=publisher, title=title,
                    kind=services.kind_guess(document_dir),
                    slug="",
                    effective_date=None,
                    recorded_date=_date_or_none(match.group(1)),
                )
            )
    return items


def _date_or_none(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None  # "2021-02-30.md": not a date, the text's own date (or today) is used


def _item_for_listed_file(path: Path, manifest: dict | None = None) -> ImportItem:
    manifest = manifest if manifest is not None else _load_manifest(path.parent)
    entry = (manifest.get("files") or {}).get(path.name) if isinstance(manifest, dict) else None
    if entry is None:
        raise ImportSourceError(f"{path}: not listed in a manifest.json beside it, and not in a <publisher>/<document>/<date>.md folder")
    if not path.is_file():
        raise ImportSourceError(f"{path}: listed in the manifest but missing")
    date = entry.get("effective_date")
    try:
        effective = dt.date.fromisoformat(date) if date else None
    except (TypeError, ValueError):
        raise ImportSourceError(f"{path}: effective_date {date!r} in the manifest is not a YYYY-MM-DD date") from None
    return ImportItem(
        path=path, publisher=entry.get("publisher", ""), title=entry.get("title", ""),
        kind=entry.get("kind") or services.kind_guess(entry.get("title", "")),
        slug=entry.get("slug", ""), effective_date=effective,
    )


# A bulk import commits the database and the index once per batch: per-version commits
# (and the segment merges they trigger) were most of an import's time.
BATCH_VERSIONS = 50
BATCH_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class BatchDone:
    """Progress: a batch of files committed (to the database and the index)."""

    done: int  # files handled so far
    total: int
    index_entries: int  # index entries this batch wrote
    index_cpu_seconds: float = 0.0  # CPU this batch spent writing the index
    repaired: dict | None = None  # what an interrupted earlier import left to repair


def import_items(items: list[ImportItem], *, batch_versions: int = BATCH_VERSIONS, batch_bytes: int = BATCH_BYTES):
    """Import ``items`` in batches; yields each ImportOutcome, and a BatchDone after
    each batch commits.

    Each batch is one database transaction with one index write at its end (an index
    failure rolls the batch back). A file that fails rolls back only itself. An import
    killed mid-way loses at most its open batch, and the next import repairs the index
    first (see ``IndexRepairMark``).
    """
    from django.db import transaction

    from documents import indexing
    from documents.models import IndexRepairMark

    repaired = indexing.repair_if_interrupted()
    if repaired is not None:
        yield BatchDone(done=0, total=len(items), index_entries=repaired.get("written", 0), repaired=repaired)
    mark = IndexRepairMark.objects.create(note=f"import of {len(items)} files")
    documents: dict = {}  # the documents files of this import named, found once each
    done = 0
    start = 0
    while start < len(items):
        chunk, size = [], 0
        while start + len(chunk) < len(items) and len(chunk) < batch_versions and size < batch_bytes:
            item = items[start + len(chunk)]
            chunk.append(item)
            try:
                size += item.path.stat().st_size
            except OSError:
                pass
        outcomes = []
        # The collector is paused for the batch (see portal.collector): parsing and
        # aligning a batch of versions makes hundreds of thousands of short-lived objects.
        with collector.paused(), transaction.atomic(), indexing.batch() as pending:
            for item in chunk:
                outcomes.append(import_item(item, documents=documents))
        start += len(chunk)
        for outcome in outcomes:
            done += 1
            yield outcome
        yield BatchDone(done=done, total=len(items), index_entries=pending.written,
                        index_cpu_seconds=pending.cpu_seconds)
    mark.delete()


def import_item(item: ImportItem, *, documents: dict | None = None) -> ImportOutcome:
    """Import one file. Failures are reported, not raised: the other files go on.

    ``documents`` keeps the document each (publisher, title, kind, slug) named across the
    files of one import, once a file of it was imported: a document found (or created)
    by a file that then failed is not kept, as its creation was rolled back with it.
    """
    documents = {} if documents is None else documents
    named = (item.publisher, item.title, item.kind, item.slug)
    try:
        raw = item.path.read_bytes()
        text = services.decode_upload(raw)
        if item.path.suffix.lower() not in _TEXT_SUFFIXES:
            raise services.PublishError(f"unsupported file type {item.path.suffix!r}")
        parsed = services.version_parse(text, filename=item.path.name, recorded_date=item.recorded_date)
        # Publisher, document and version together or not at all: a file that fails
        # leaves no document behind.
        with transaction.atomic():
            document = documents.get(named) or services.document_get_or_create(
                publisher_name=item.publisher, title=item.title, kind=item.kind, slug=item.slug
            )
            result = services.version_publish(
                document=document, source_text=text, filename=item.path.name,
                effective_date=item.effective_date, recorded_date=item.recorded_date,
                parsed=parsed,  # no change note: the file's name is kept as source_filename
            )
            recapture = (not result.created and item.recorded_date is not None
                         and item.recorded_date != result.version.recorded_date)
            if recapture:  # the same text recorded on another day: a check, not a version
                services.version_check_record(version=result.version, recorded_date=item.recorded_date,
                                              source_text=text)
    except (services.PublishError, OSError) as exc:
        return ImportOutcome(item=item, status="failed", detail=str(exc))
    except ValidationError as exc:
        return ImportOutcome(item=item, status="failed", detail="invalid: " + "; ".join(exc.messages))
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop a bulk import
        # The publish transaction has rolled back, so nothing of this file is saved; the
        # traceback goes to the log for whoever maintains the importer.
        logger.exception("Unexpected error importing %s", item.path)
        return ImportOutcome(item=item, status="failed", detail=f"unexpected error: {type(exc).__name__}: {exc}")
    documents[named] = document
    if result.created:
        return ImportOutcome(item=item, status="created", detail=f"{result.version.label}, {len(parsed.clauses)} clauses")
    detail = f"same text as {result.version.label}"
    if recapture:
        detail += f"; recorded as checked on {item.recorded_date.isoformat()}"
    return ImportOutcome(item=item, status="unchanged", detail=detail)
