"""The writes. Every change to documents goes through one of these functions.

``version_publish`` is the only way a version comes to exist: it parses the text,
assigns lineage keys by aligning the new clauses with the version before it, rebuilds
the search spans and updates the index, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from text_unidecode import unidecode

from documents import align, indexing
from documents.ingest import parse_document
from documents.ingest.model import ParsedDocument
from documents.models import (
    Clause,
    ClauseLineage,
    ClauseSpan,
    Document,
    DocumentKind,
    DocumentVersion,
    Publisher,
)


class PublishError(ValueError):
    """A version that cannot be published, with a message meant for the person who tried."""


@dataclass(frozen=True)
class PublishResult:
    version: DocumentVersion  # the new version, or the existing one with the same text
    created: bool

    @property
    def message(self) -> str:
        if self.created:
            return f"Published {self.version.document.title} version {self.version.label}."
        return (
            f"Unchanged: the text is identical to version {self.version.label} of "
            f"{self.version.document.title}; nothing was created."
        )


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clause_text_sha(heading: str, text: str) -> str:
    """Identity of a clause's wording: whitespace-insensitive, number-insensitive."""
    normal = " ".join(f"{heading}\n{text}".split())
    return text_sha256(normal)


def name_slug(name: str, *, max_length: int) -> str:
    """A URL slug for a name as a person or a folder writes it.

    "Financial Times" -> "financial-times", "thomsonreuters.com" -> "thomsonreuters-com",
    "Société Générale" -> "societe-generale", "日本語" -> "ri-ben-yu" (transliterated, so
    non-Latin names still read). A name with nothing to transliterate (only symbols or
    emoji) gets a short stable hash, so every name has a slug.
    """
    ascii_name = unidecode(unicodedata.normalize("NFKC", name))
    # Dots, slashes and the like separate words in names ("example.com", "A/B").
    slug = slugify(re.sub(r"[^\w\s-]", " ", ascii_name))
    if not slug:
        slug = "n-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-")


def _slug_unique(base: str, *, max_length: int, taken) -> str:
    """``base``, or ``base-2``, ``base-3`` ... (cut to fit) when ``taken(slug)`` says it is used."""
    if not taken(base):
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
        if not taken(candidate):
            return candidate
        n += 1


def _check_clean(obj) -> None:
    """full_clean() whose failure is a PublishError naming the fields, not a ValidationError."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        problems = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
        )
        raise PublishError(f"Invalid {obj._meta.verbose_name}: {problems}") from None


_PUBLISHER_SLUG_MAX = Publisher._meta.get_field("slug").max_length
_DOCUMENT_SLUG_MAX = Document._meta.get_field("slug").max_length


def publisher_get_or_create(*, name: str, slug: str = "") -> Publisher:
    """The publisher called ``name`` (shown as written), created with a derived slug if new."""
    name = " ".join((name or "").split())
    if not name:
        raise PublishError("A publisher needs a name.")
    slug = name_slug(slug or name, max_length=_PUBLISHER_SLUG_MAX)
    publisher = Publisher.objects.filter(slug=slug).first() or Publisher.objects.filter(name=name).first()
    if publisher is not None:
        return publisher
    publisher = Publisher(slug=slug, name=name)
    _check_clean(publisher)
    publisher.save()
    return publisher


def document_slug_for(*, publisher_name: str, title: str) -> str:
    """The slug a new document of that publisher and title gets (before de-duplication)."""
    publisher = name_slug(" ".join(publisher_name.split()), max_length=_PUBLISHER_SLUG_MAX)
    return name_slug(f"{publisher} {title.strip()}", max_length=_DOCUMENT_SLUG_MAX)


@transaction.atomic
def document_get_or_create(
    *, publisher_name: str, title: str, kind: str = DocumentKind.OTHER, slug: str = ""
) -> Document:
    """The document ``title`` of ``publisher_name``, created if new.

    Names are kept as written; the slug is derived (or taken from ``slug``, slugified)
    and made unique. Validation happens before anything is saved, and a problem is a
    PublishError: with the caller's transaction nothing of a failed import remains.
    """
    title = " ".join((title or "").split())
    if not title:
        raise PublishError("A document needs a title.")
    if kind not in DocumentKind.values:
        raise PublishError(f"Unknown kind {kind!r}; choose one of {', '.join(DocumentKind.values)}.")
    publisher = publisher_get_or_create(name=publisher_name)
    if slug:
        slug = name_slug(slug, max_length=_DOCUMENT_SLUG_MAX)
        document = Document.objects.filter(slug=slug).first()
        if document is not None:
            if document.publisher_id != publisher.pk:
                raise PublishError(f"The slug {slug!r} already belongs to a document of {document.publisher}.")
            return document
    else:
        base = name_slug(f"{publisher.slug} {title}", max_length=_DOCUMENT_SLUG_MAX)
        document = (
            Document.objects.filter(slug=base, publisher=publisher).first()
            or Document.objects.filter(publisher=publisher, title__iexact=title).order_by("pk").first()
        )
        if document is not None:
            return document
        slug = _slug_unique(
            base, max_length=_DOCUMENT_SLUG_MAX, taken=lambda s: Document.objects.filter(slug=s).exists()
        )
    document = Document(slug=slug, publisher=publisher, title=title, kind=kind)
    _check_clean(document)
    document.save()
    return document


def _new_lineage_key() -> str:
    # 8 characters of an unambiguous alphabet: 32**8 ≈ 10**12 keys, short enough to
    # read over the phone and paste into a ticket.
    alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def _unique_label(document: Document, date: dt.date) -> str:
    base = date.isoformat()
    taken = set(document.versions.filter(label__startswith=base).values_list("label", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def version_parse(
    source_text: str, *, filename: str = "", source_format: str | None = None, recorded_date: dt.date | None = None
) -> ParsedDocument:
    """Parse a candidate text; raise PublishError when there is nothing to publish."""
    if not source_text or not source_text.strip():
        raise PublishError("The text is empty.")
    if "\x00" in source_text:
        raise PublishError("The text contains NUL bytes; it is probably a binary file.")
    parsed = parse_document(source_text, filename=filename, format_hint=source_format, recorded_date=recorded_date)
    if not parsed.clauses or not parsed.normalized_text.strip():
        raise PublishError("No text was found in the document after cleaning.")
    return parsed


def version_find_identical(document: Document, parsed: ParsedDocument) -> DocumentVersion | None:
    return document.versions.filter(sha256=text_sha256(parsed.normalized_text)).first()


def version_publish(
    *,
    document: Document,
    source_text: str,
    filename: str = "",
    source_format: str | None = None,
    effective_date: dt.date | None = None,
    recorded_date: dt.date | None = None,
    change_note: str = "",
    added_by=None,
    parsed: ParsedDocument | None = None,
) -> PublishResult:
    """Publish a new version of ``document``, or return the identical existing one.

    Everything happens in one transaction: the version, its clauses, their lineage
    keys, the spans and the search index. If any step fails nothing is saved.

    ``effective_date`` is the date the uploader or a manifest gives; failing that the
    date the text states; failing that ``recorded_date`` (the day the text was recorded,
    an archive's file date; today by default), and then the date is not "stated".
    """
    if parsed is None:
        parsed = version_parse(source_text, filename=filename, source_format=source_format, recorded_date=recorded_date)
    sha = text_sha256(parsed.normalized_text)
    stated = effective_date is not None or parsed.effective_date is not None
    recorded = recorded_date or timezone.localdate()
    date = effective_date or parsed.effective_date or recorded

    with transaction.atomic():
        # Serialize publishers of one document (a no-op lock on SQLite, whose IMMEDIATE
        # transactions already serialize writers).
        document = Document.objects.select_for_update().get(pk=document.pk)
        existing = document.versions.filter(sha256=sha).first()
        if existing is not None:
            return PublishResult(version=existing, created=False)

        previous = document.versions.filter(effective_date__lte=date).order_by(
            "-effective_date", "-published_at", "-pk"
        ).first()
        version = DocumentVersion(
            document=document,
            label=_unique_label(document, date),
            effective_date=date,
            effective_date_stated=stated,
            recorded_date=recorded,
            official_title=parsed.official_title[:300],
            source_text=source_text,
            source_format=parsed.source_format,
            source_filename=filename[:255],
            source_sha256=text_sha256(source_text),
            normalized_text=parsed.normalized_text,
            sha256=sha,
            added_by=added_by,
            change_note=change_note,
        )
        version.full_clean()
        version.save()
        _clauses_create(version, parsed, previous)

        document_current_refresh(document=document)

        changed, removed = spans_rebuild(document)
        indexing.spans_update(changed, removed)
    return PublishResult(version=version, created=True)


def version_current(versions, *, today: dt.date):
    """The version in force on ``today``: the latest that took effect by then.

    A version whose effective date is still ahead is upcoming, not current; when every
    version is upcoming, the earliest stands in so the document has something to show.
    """
    versions = sorted(versions, key=lambda v: (v.effective_date, v.published_at or timezone.now(), v.pk))
    in_force = [v for v in versions if v.effective_date <= today]
    if in_force:
        return in_force[-1]
    return versions[0] if versions else None


def document_current_refresh(*, document: Document, today: dt.date | None = None) -> bool:
    """Point ``document.current_version`` at the version in force today; True if it moved.

    Only the document's pointer changes: published versions are never updated. Run at
    publish time, and daily (``import_documents`` does it too) so an upcoming version
    becomes current on the day it takes effect.
    """
    today = today or timezone.localdate()
    current = version_current(
        document.versions.only("pk", "effective_date", "published_at", "document_id"), today=today
    )
    if current is None or current.pk == document.current_version_id:
        return False
    document.current_version = current
    document.save(update_fields=["current_version"])
    return True


def _clauses_create(version: DocumentVersion, parsed: ParsedDocument, previous: DocumentVersion | None) -> None:
    new = parsed.clauses
    inherited: dict[int, int] = {}  # new clause index -> lineage id
    if previous is not None:
        old = list(previous.clauses.order_by("position"))
        for row in align.align(old, new):
            if row.old_index is not None and row.new_index is not None:
                inherited[row.new_index] = old[row.old_index].lineage_id

    fresh = [
        ClauseLineage(key=_new_lineage_key(), document=version.document)
        for i in range(len(new))
        if i not in inherited
    ]
    ClauseLineage.objects.bulk_create(fresh)
    fresh_ids = iter(lin.pk for lin in fresh)
    lineage_ids = [inherited[i] if i in inherited else next(fresh_ids) for i in range(len(new))]

    # Parents precede their children, so saving level by level lets each child point
    # at a parent that already has a primary key.
    saved: dict[int, Clause] = {}
    for depth in sorted({c.depth for c in new}):
        batch = []
        for i, parsed_clause in enumerate(new):
            if parsed_clause.depth != depth:
                continue
            clause = Clause(
                version=version,
                position=i,
                number=parsed_clause.number[:40],
                anchor=parsed_clause.anchor[:120],
                heading=parsed_clause.heading[:500],
                body=parsed_clause.body,
                text=parsed_clause.text,
                text_sha=clause_text_sha(parsed_clause.heading, parsed_clause.text),
                depth=parsed_clause.depth,
                parent=saved.get(parsed_clause.parent) if parsed_clause.parent is not None else None,
                lineage_id=lineage_ids[i],
            )
            batch.append((i, clause))
        Clause.objects.bulk_create([c for _, c in batch])
        saved.update(batch)


def spans_rebuild(document: Document) -> tuple[list[ClauseSpan], list[int]]:
    """Recompute the spans of ``document`` from its versions.

    Walks the timeline; a lineage's span runs while consecutive versions hold the same
    text, and ends at the first version that changes or drops it. Returns the spans
    created or changed, and the ids of spans that no longer exist.
    """
    versions = list(document.versions.timeline().only("pk", "label", "effective_date"))
    rows = Clause.objects.filter(version__document=document).values_list(
        "pk", "version_id", "lineage_id", "text_sha"
    )
    by_version: dict[int, dict[int, tuple[int, str]]] = {}
    for pk, version_id, lineage_id, sha in rows:
        by_version.setdefault(version_id, {})[lineage_id] = (pk, sha)

    wanted: dict[tuple[int, int], dict] = {}
    open_spans: dict[int, dict] = {}  # lineage id -> span being extended
    for version in versions:
        present = by_version.get(version.pk, {})
        for lineage_id in list(open_spans):
            span = open_spans[lineage_id]
            here = present.get(lineage_id)
            if here is None or here[1] != span["text_sha"]:
                span["valid_to"] = version.effective_date
                del open_spans[lineage_id]
        for lineage_id, (clause_pk, sha) in present.items():
            span = open_spans.get(lineage_id)
            if span is None:
                span = {
                    "lineage_id": lineage_id, "text_sha": sha, "first_clause_id": clause_pk,
                    "valid_from": version.effective_date, "valid_to": None, "labels": [],
                }
                open_spans[lineage_id] = span
                wanted[(lineage_id, clause_pk)] = span
            span["last_clause_id"] = clause_pk
            span["labels"].append(version.label)

    existing = {(s.lineage_id, s.first_clause_id): s for s in document.spans.all()}
    changed: list[ClauseSpan] = []
    for key, data in wanted.items():
        labels = " ".join(data["labels"])
        span = existing.pop(key, None)
        if span is None:
            span = ClauseSpan(lineage_id=data["lineage_id"], document=document, first_clause_id=data["first_clause_id"])
        elif (span.last_clause_id, span.valid_from, span.valid_to, span.version_labels, span.text_sha) == (
            data["last_clause_id"], data["valid_from"], data["valid_to"], labels, data["text_sha"]
        ):
            continue
        span.text_sha = data["text_sha"]
        span.last_clause_id = data["last_clause_id"]
        span.valid_from = data["valid_from"]
        span.valid_to = data["valid_to"]
        span.version_labels = labels
        span.save()
        changed.append(span)
    removed = [span.pk for span in existing.values()]
    if removed:
        ClauseSpan.objects.filter(pk__in=removed).delete()
    return changed, removed


_KIND_WORDS = [
    (re.compile(r"cookie", re.I), DocumentKind.COOKIE_POLICY),
    (re.compile(r"privacy|data[- ]protection", re.I), DocumentKind.PRIVACY_POLICY),
    (re.compile(r"\bapi\b|developer", re.I), DocumentKind.API_TERMS),
    (re.compile(r"terms|conditions|agreement|tos\b", re.I), DocumentKind.TERMS_OF_SERVICE),
]


def kind_guess(name: str) -> str:
    """The kind a document's name suggests: "privacy-policy" -> privacy."""
    name = name.replace("-", " ").replace("_", " ")
    for pattern, kind in _KIND_WORDS:
        if pattern.search(name):
            return kind
    return DocumentKind.OTHER


def decode_upload(raw: bytes) -> str:
    """Bytes of an uploaded file -> text, or a PublishError saying why not.

    UTF-8 only (a BOM is dropped). NUL bytes mean a binary file, whatever its name.
    """
    if not raw.strip():
        raise PublishError("The file is empty.")
    if b"\x00" in raw:
        raise PublishError("The file contains NUL bytes; it looks like a binary file, not text.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PublishError(
            f"The file is not UTF-8 text (invalid byte at position {exc.start}). Save it as UTF-8 and try again."
        ) from None
    if not text.strip():
        raise PublishError("The file contains only whitespace.")
    return text
