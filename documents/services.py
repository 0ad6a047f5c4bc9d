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
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from text_unidecode import unidecode

from documents import align, indexing
from documents.alerts.changes import changes_between
from documents.alerts.services import alerts_enqueue_for_version
from documents.ingest import parse_document
from documents.ingest.model import ParsedDocument
from documents.safe_text import clean_name, clean_text
from documents.models import (
    Clause,
    ClauseLineage,
    ClauseLineageLink,
    ClauseSpan,
    ClauseText,
    Document,
    DocumentKind,
    DocumentVersion,
    Publisher,
    TrackedRepository,
    VersionCheck,
    VersionKind,
)
from documents.textstore import compress, content_sha
from portal import collector


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
    name = clean_name(name or "")  # no control characters: they break feeds for good
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
    publisher = name_slug(clean_name(publisher_name), max_length=_PUBLISHER_SLUG_MAX)
    return name_slug(f"{publisher} {clean_name(title)}", max_length=_DOCUMENT_SLUG_MAX)


@transaction.atomic
def document_get_or_create(
    *, publisher_name: str, title: str, kind: str = DocumentKind.OTHER, slug: str = ""
) -> Document:
    """The document ``title`` of ``publisher_name``, created if new.

    Names are kept as written; the slug is derived (or taken from ``slug``, slugified)
    and made unique. Validation happens before anything is saved, and a problem is a
    PublishError: with the caller's transaction nothing of a failed import remains.
    """
    title = clean_name(title or "")
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
    # Other control characters are accidents (pasted terminal colours, page breaks):
    # a heading with one would make every feed listing it unserialisable, for good.
    source_text = clean_text(source_text)
    parsed = parse_document(source_text, filename=filename, format_hint=source_format, recorded_date=recorded_date)
    if not parsed.clauses or not parsed.normalized_text.strip():
        raise PublishError("No text was found in the document after cleaning.")
    return parsed


def version_find_identical(document: Document, parsed: ParsedDocument) -> DocumentVersion | None:
    return document.versions.filter(sha256=text_sha256(parsed.normalized_text)).first()


@collector.paused()
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
    alignments: tuple[Alignment, ...] | list[Alignment] = (),
    kind: str = VersionKind.VERSION,
    origin: TrackedRepository | None = None,
    source_commit: str = "",
    snapshot_url: str = "",
) -> PublishResult:
    """Publish a new version of ``document``, or return the identical existing one.

    Everything happens in one transaction: the version, its clauses, their lineage
    keys, the spans and the search index. If any step fails nothing is saved.

    ``parsed`` and ``alignments`` are work already done for this text (a draft's parse
    and its preview's alignment, ``version_alignments``): an alignment is used when its
    version is still the new version's neighbour on the timeline, else the text is
    aligned again, so a stale one costs time, never correctness.

    ``effective_date`` is the date the uploader or a manifest gives; failing that the
    date the text states; failing that ``recorded_date`` (the day the text was recorded,
    an archive's file date; today by default), and then the date is not "stated".

    ``kind`` CORRECTION marks a re-extraction of the page the version before it recorded:
    published like any version, it enqueues no alert. ``origin``, ``source_commit`` and
    ``snapshot_url``: where an archive recorded the text (see ``documents.archive``).
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

        previous, following = version_neighbours(document, date)
        version = DocumentVersion(
            document=document,
            label=_unique_label(document, date),
            effective_date=date,
            effective_date_stated=stated,
            recorded_date=recorded,
            official_title=parsed.official_title[:300],
            source_text=clean_text(source_text),  # as parsed (version_parse); the hash is of what came
            source_format=parsed.source_format,
            source_filename=clean_name(filename)[:255],
            source_sha256=text_sha256(source_text),
            normalized_text=parsed.normalized_text,
            sha256=sha,
            added_by=added_by,
            change_note=clean_text(change_note),
            kind=kind,
            origin=origin,
            source_commit=source_commit,
            snapshot_url=snapshot_url,
        )
        # The document is locked above and the text and label were checked against it:
        # the field checks are what is left to run (their constraints stay in the database).
        version.full_clean(exclude=["document", "added_by"], validate_unique=False, validate_constraints=False)
        version.save()
        # The neighbours' clauses are read once, for their lineage keys and the alert
        # outbox, and with their texts only when there is no alignment to reuse.
        # A draft's alignment brought them along from its upload (see Alignment).
        known = {(a.side, a.version_id): a for a in alignments}
        neighbours = [
            (side, neighbour, _alignment_clauses(known.get((side, neighbour.pk)))
             or _published_clauses(neighbour, texts=(side, neighbour.pk) not in known))
            for side, neighbour in ((0, previous), (1, following))
            if neighbour is not None
        ]
        created = _clauses_create(version, parsed, neighbours, alignments)
        DocumentVersion.objects.filter(pk=version.pk)._seal()  # no more clauses: immutable now

        document_current_refresh(document=document)

        # The alert outbox, in this transaction: a publish that rolls back sends nothing.
        # A correction is the archive's own re-extraction, not a change by the publisher.
        before = neighbours[0][2] if previous is not None else []
        if kind != VersionKind.CORRECTION:
            alerts_enqueue_for_version(version=version, previous=previous, changed=changes_between(
                {c.lineage_id: (c.text_sha, c.number) for c in before},
                {lineage_id: (sha, clause.number[:40])
                 for clause, (_pk, lineage_id, sha, _anchor) in zip(parsed.clauses, created, strict=True)},
            ))
        # A version appended to the timeline (the usual case) only touches the spans
        # its changes open or close; a back-dated one may split spans anywhere.
        # Keys linked by a back-dated version share spans, which only the rebuild knows.
        if following is not None or ClauseLineageLink.objects.filter(document=document).exists():
            changed, removed = spans_rebuild(document)
        else:
            changed, removed = spans_extend(version, clauses=created)
        indexing.spans_update(changed, removed)
    return PublishResult(version=version, created=True)


def version_check_record(
    *, version: DocumentVersion, recorded_date: dt.date, source_text: str, origin: TrackedRepository | None = None,
    source_commit: str = "", snapshot_url: str = "",
) -> VersionCheck:
    """Record that ``version``'s text was captured again on ``recorded_date``, unchanged:
    a check on the timeline, not a version. Idempotent: the same capture imported again
    (same day, same commit or none) returns the check already recorded."""
    existing = VersionCheck.objects.filter(
        document_id=version.document_id, version=version, recorded_date=recorded_date, source_commit=source_commit,
    ).first()
    if existing is not None:
        return existing
    return VersionCheck.objects.create(
        document_id=version.document_id, version=version, recorded_date=recorded_date,
        source_sha256=text_sha256(source_text), sha256=version.sha256, origin=origin,
        source_commit=source_commit, snapshot_url=snapshot_url,
    )


def _inherited_lineages(
    version: DocumentVersion, new: list, neighbours: list[tuple[int, DocumentVersion, list[_PublishedClause]]],
    alignments=(),
) -> tuple[dict[int, int], list[tuple[int, int]]]:
    """Which existing lineage each new clause continues, and the key links to record.

    The new clause list is aligned with the version before it on the timeline AND the
    one after it (there is one when the version is back-dated), so whatever the order
    of publication, a clause identical to its neighbour's shares its key. A clause
    paired on both sides with two different keys takes the key of the closer text
    (the older one on a tie) and, unless the two keys ever held two different clauses
    of one version, a link records that the other key names it too. Each key group is
    used at most once in the version. Returns ({new index: lineage id}, [(kept, other)]).
    ``neighbours``: (side, version, its clauses) for the version before (side 0) and
    after (side 1); ``alignments`` already found for these clauses are reused (see
    ``version_publish``), else the neighbour's clauses must have been read with texts.
    """
    from documents import selectors

    document = version.document
    known = {(a.side, a.version_id): a.rows for a in alignments}
    options: dict[int, list[tuple[float, int, int]]] = {}  # new index -> [(similarity, side, lineage)]
    for side, neighbour, clauses in neighbours:
        rows = known.get((side, neighbour.pk))
        if rows is None:
            rows = align.align(clauses, new) if side == 0 else align.align(new, clauses)
        lineages = [c.lineage_id for c in clauses]
        for row in rows:
            if row.old_index is None or row.new_index is None:
                continue
            j, k = (row.new_index, row.old_index) if side == 0 else (row.old_index, row.new_index)
            options.setdefault(j, []).append((row.similarity, side, lineages[k]))
    if not options:
        return {}, []

    roots = selectors.lineage_roots(document.pk)

    def root(lineage_id: int) -> int:
        return roots.get(lineage_id, lineage_id)

    versions_of: dict[int, set[int]] = {}  # group root -> versions holding it
    if len(neighbours) == 2:
        pairs = Clause.objects.filter(version__document=document).values_list("lineage_id", "version_id")
        for lineage_id, version_id in pairs:
            versions_of.setdefault(root(lineage_id), set()).add(version_id)

    inherited: dict[int, int] = {}
    links: list[tuple[int, int]] = []
    used: set[int] = set()
    # The closest pairs choose first, so a clause identical to its neighbour is never
    # crowded out of the neighbour's key by a looser pairing.
    best = {j: max(o[0] for o in found) if len(found) > 1 else found[0][0] for j, found in options.items()}
    for j in sorted(options, key=lambda j: (-best[j], j)):
        ranked = options[j] if len(options[j]) == 1 else sorted(options[j], key=lambda o: (-o[0], o[1]))
        chosen = next((o for o in ranked if root(o[2]) not in used), None)
        if chosen is None:
            continue
        inherited[j] = chosen[2]
        mine = root(chosen[2])
        used.add(mine)
        for other in ranked:
            theirs = root(other[2])
            if theirs == mine or theirs in used:
                continue
            if versions_of.get(mine, set()) & versions_of.get(theirs, set()):
                continue  # two clauses of one version: a split or merge, not one clause
            links.append((chosen[2], other[2]))
            used.add(theirs)
            merged = versions_of.pop(theirs, set()) | versions_of.get(mine, set())
            versions_of[mine] = merged
            for x, r in list(roots.items()):
                if r == theirs:
                    roots[x] = mine
            roots[other[2]] = mine
            roots.setdefault(chosen[2], mine)
    return inherited, links


def version_neighbours(
    document: Document, date: dt.date
) -> tuple[DocumentVersion | None, DocumentVersion | None]:
    """The versions a new version dated ``date`` would follow and precede on the
    timeline (None at either end); without their texts."""
    # Only what the timeline orders by: a version's row is mostly its texts.
    versions = document.versions.only("pk", "label", "effective_date", "published_at", "document_id")
    previous = versions.filter(effective_date__lte=date).order_by("-effective_date", "-published_at", "-pk").first()
    following = versions.filter(effective_date__gt=date).timeline().first()
    return previous, following


@dataclass(frozen=True)
class Alignment:
    """The aligner's rows between a new text's clauses and one published version's.

    ``side`` 0: the version comes before the new one on the timeline, rows of
    ``align(its clauses, new)``; side 1: it comes after, rows of ``align(new, its
    clauses)``. Published versions never change, so these rows stay true for as long
    as the new text is the same; a draft keeps them from its upload to its publish.
    ``clauses`` are that version's (lineage id, text sha, number), in order: what the
    publish needs of it besides the rows, so a publish with the alignment in hand does
    not read the version's clauses again.
    """

    version_id: int
    side: int
    rows: list[align.AlignedRow]
    clauses: list[tuple[int, str, str]] | None = None

    def to_json(self) -> dict:
        return {"version": self.version_id, "side": self.side,
                "rows": [[r.old_index, r.new_index, r.status, r.similarity, r.changed, r.moved, r.renumbered,
                          r.came_from, list(r.went_to)]
                         for r in self.rows],
                "clauses": self.clauses}

    @classmethod
    def from_json(cls, data: dict) -> Alignment:
        clauses = data.get("clauses")  # absent from a draft saved before they were kept
        return cls(version_id=data["version"], side=data["side"],
                   # (rows saved before splits and merges were kept have seven fields)
                   rows=[align.AlignedRow(*row[:7], came_from=row[7] if len(row) > 7 else None,
                                          went_to=tuple(row[8]) if len(row) > 8 else ()) for row in data["rows"]],
                   clauses=[tuple(c) for c in clauses] if clauses is not None else None)


class _PublishedClause(NamedTuple):
    """What a publish reads of a published clause: plain values, not a model instance
    (building thousands of those was a large part of a publish). The aligner reads
    number, heading and text; heading and text are blank when not read."""

    number: str
    heading: str
    text: str
    lineage_id: int
    text_sha: str


def _published_clauses(version: DocumentVersion, *, texts: bool = True) -> list[_PublishedClause]:
    """The clauses of ``version`` in order; without their texts (a large version's
    megabytes) unless ``texts``."""
    clauses = Clause.objects.filter(version=version).order_by("position")
    if texts:
        return [_PublishedClause(*row) for row in
                clauses.values_list("number", "heading", "text", "lineage_id", "text_sha")]
    return [_PublishedClause(number, "", "", lineage_id, sha)
            for number, lineage_id, sha in clauses.values_list("number", "lineage_id", "text_sha")]


def _alignment_clauses(alignment: Alignment | None) -> list[_PublishedClause] | None:
    if alignment is None or alignment.clauses is None or len(alignment.clauses) != _aligned_count(alignment):
        return None
    return [_PublishedClause(number, "", "", lineage_id, sha) for lineage_id, sha, number in alignment.clauses]


def _aligned_count(alignment: Alignment) -> int:
    """How many clauses of the published version ``alignment``'s rows cover (a check
    that the clauses kept beside them belong to the same rows)."""
    index = (lambda r: r.old_index) if alignment.side == 0 else (lambda r: r.new_index)
    return len({index(row) for row in alignment.rows} - {None})


def _alignment(neighbour: DocumentVersion, new: list, side: int) -> Alignment:
    old = _published_clauses(neighbour)
    rows = align.align(old, new) if side == 0 else align.align(new, old)
    return Alignment(version_id=neighbour.pk, side=side, rows=rows,
                     clauses=[(c.lineage_id, c.text_sha, c.number) for c in old])


def version_alignments(document: Document, parsed: ParsedDocument, *, date: dt.date) -> list[Alignment]:
    """Align ``parsed`` with the versions it would sit between if published with
    ``date``: what ``version_publish`` would do, done ahead (for a draft's preview)."""
    return [
        _alignment(neighbour, parsed.clauses, side)
        for side, neighbour in enumerate(version_neighbours(document, date))
        if neighbour is not None
    ]


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


def documents_current_refresh(*, today: dt.date | None = None) -> int:
    """Refresh every document's current version (upcoming versions that took effect); count moved."""
    return sum(document_current_refresh(document=d, today=today) for d in Document.objects.all())


def _clauses_create(
    version: DocumentVersion, parsed: ParsedDocument, neighbours=(), alignments=(),
) -> list[tuple[int, int, str, str]]:
    """Insert the version's clauses with their lineage keys; returns (clause id, lineage
    id, text sha, anchor) of each, in order. ``neighbours`` and ``alignments`` as for
    ``_inherited_lineages``."""
    new = parsed.clauses
    inherited, links = _inherited_lineages(version, new, list(neighbours), alignments)

    fresh = [
        ClauseLineage(key=_new_lineage_key(), document=version.document)
        for i in range(len(new))
        if i not in inherited
    ]
    ClauseLineage.objects.bulk_create(fresh)
    fresh_ids = iter(lin.pk for lin in fresh)
    lineage_ids = [inherited[i] if i in inherited else next(fresh_ids) for i in range(len(new))]
    ClauseLineageLink.objects.bulk_create(
        [ClauseLineageLink(document=version.document, lineage_id=a, same_as_id=b, version=version) for a, b in links]
    )

    # Parents precede their children, so inserting level by level lets each child point
    # at a parent that already has a primary key. Plain rows, not model instances: the
    # values are already what the columns hold (a large version has thousands).
    version_id = version.pk
    shas = [clause_text_sha(c.heading, c.text) for c in new]
    contents = _clause_texts(new)
    pks: dict[int, int] = {}
    for depth in sorted({c.depth for c in new}):
        level = [i for i, c in enumerate(new) if c.depth == depth]
        rows = []
        for i in level:
            c = new[i]
            rows.append((
                version_id, i, c.number[:40], getattr(c, "citation", "")[:200], c.anchor[:120], shas[i], c.depth,
                pks[c.parent] if c.parent is not None else None, lineage_ids[i], contents[i],
            ))
        pks.update(zip(level, _rows_insert(Clause, rows), strict=True))
    # What spans_extend needs of the new clauses, so it need not read them back.
    return [(pks[i], lineage_ids[i], shas[i], c.anchor[:120]) for i, c in enumerate(new)]


_CLAUSE_COLUMNS = ("version", "position", "number", "citation", "anchor", "text_sha", "depth", "parent", "lineage",
                   "content")
_CLAUSE_TEXT_COLUMNS = ("sha", "heading", "body", "text", "closing")


def _clause_texts(clauses) -> list[int]:
    """The ClauseText id of each parsed clause's wording, writing only the wordings the
    database does not hold yet: a version that carries clauses over unchanged writes
    no text for them (textstore)."""
    wordings = [(c.heading[:500], c.body, c.text, getattr(c, "closing", "") or "") for c in clauses]
    shas = [content_sha(*w) for w in wordings]
    ids: dict[str, int] = {}
    distinct = list(dict.fromkeys(shas))
    for start in range(0, len(distinct), 500):
        ids.update(ClauseText.objects.filter(sha__in=distinct[start:start + 500]).values_list("sha", "pk"))
    missing, seen = [], set(ids)
    for i, sha in enumerate(shas):
        if sha not in seen:
            seen.add(sha)
            missing.append(i)
    if missing:
        rows = [(shas[i], wordings[i][0], compress(wordings[i][1]), compress(wordings[i][2]), compress(wordings[i][3]))
                for i in missing]
        ids.update(zip((shas[i] for i in missing), _rows_insert(ClauseText, rows, _CLAUSE_TEXT_COLUMNS), strict=True))
    return [ids[sha] for sha in shas]


def _rows_insert(model, rows: list[tuple], fields: tuple[str, ...] = _CLAUSE_COLUMNS) -> list[int]:
    """Insert rows of plain column values and return their new primary keys, in order.

    ``bulk_create`` would compile every value of every row through the field machinery,
    most of a large publish's time; these values are already plain Python (strings,
    integers, foreign key ids), so they go to the driver as they are.
    """
    if not rows:
        return []
    opts = model._meta
    quote = connection.ops.quote_name
    names = ", ".join(quote(opts.get_field(name).column) for name in fields)
    per_statement = max(1, 900 // len(fields))  # well under SQLite's bound-variable limit
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    pks: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start: start + per_statement]
            cursor.execute(
                f"INSERT INTO {quote(opts.db_table)} ({names}) VALUES {', '.join([row] * len(chunk))} "
                f"RETURNING {quote(opts.pk.column)}",
                [value for values in chunk for value in values],
            )
            # RETURNING gives the rows in the order of VALUES on SQLite and PostgreSQL,
            # as bulk_create assumes too.
            pks.extend(pk for (pk,) in cursor.fetchall())
    return pks


def spans_extend(version: DocumentVersion, *, clauses=None) -> tuple[list[int], list[int]]:
    """Bring the spans up to date after ``version`` was appended to its timeline.

    Only what the version changes is written: spans of clauses it amends or drops are
    closed, clauses it adds or amends open new spans, a renumbered clause moves its
    span's anchor. A clause carried over unchanged writes nothing, so the cost follows
    the change, not the size of the document. Returns the ids of the spans written
    and of the spans removed (always none here). ``clauses``: the version's (clause id,
    lineage id, text sha, anchor), when the caller has them; else they are read.
    """
    if clauses is None:
        clauses = Clause.objects.filter(version=version).values_list("pk", "lineage_id", "text_sha", "anchor")
    new = {lineage_id: (pk, sha, anchor) for pk, lineage_id, sha, anchor in clauses}
    open_spans = ClauseSpan.objects.filter(document_id=version.document_id, valid_to__isnull=True).values_list(
        "pk", "lineage_id", "text_sha", "last_clause__anchor"
    )
    now = timezone.now()
    closed, moved, continued = [], [], set()
    for span_pk, lineage_id, sha, anchor in open_spans:
        here = new.get(lineage_id)
        if here is None or here[1] != sha:
            closed.append(span_pk)
            continue
        continued.add(lineage_id)
        if here[2] != anchor:
            moved.append(ClauseSpan(pk=span_pk, last_clause_id=here[0], updated_at=now))
    # Every closed span gets the same values: one UPDATE per chunk, not a CASE per row.
    for start in range(0, len(closed), 500):
        ClauseSpan.objects.filter(pk__in=closed[start: start + 500]).update(
            valid_to=version.effective_date, ended_by=version, updated_at=now
        )
    if moved:
        ClauseSpan.objects.bulk_update(moved, ["last_clause", "updated_at"], batch_size=100)
    opened = [
        ClauseSpan(
            lineage_id=lineage_id, document_id=version.document_id, text_sha=sha,
            first_clause_id=pk, last_clause_id=pk, valid_from=version.effective_date,
        )
        for lineage_id, (pk, sha, _anchor) in new.items()
        if lineage_id not in continued
    ]
    ClauseSpan.objects.bulk_create(opened, batch_size=500)
    return closed + [s.pk for s in moved] + [s.pk for s in opened], []


def _spans_wanted(versions: list[DocumentVersion], rows) -> dict[tuple[int, int], dict]:
    """The spans a timeline implies: (lineage id, first clause id) -> fields.

    ``rows`` are (clause pk, version id, lineage id, text sha, anchor). A lineage's span
    runs while consecutive versions hold the same text and ends at the first version
    that changes or drops it; its last clause moves only when the anchor changes.
    """
    by_version: dict[int, dict[int, tuple[int, str, str]]] = {}
    for pk, version_id, lineage_id, sha, anchor in rows:
        by_version.setdefault(version_id, {})[lineage_id] = (pk, sha, anchor)
    wanted: dict[tuple[int, int], dict] = {}
    open_spans: dict[int, dict] = {}  # lineage id -> span being extended
    for version in versions:
        present = by_version.get(version.pk, {})
        for lineage_id in list(open_spans):
            span = open_spans[lineage_id]
            here = present.get(lineage_id)
            if here is None or here[1] != span["text_sha"]:
                span["valid_to"] = version.effective_date
                span["ended_by_id"] = version.pk
                del open_spans[lineage_id]
        for lineage_id, (clause_pk, sha, anchor) in present.items():
            span = open_spans.get(lineage_id)
            if span is None:
                span = {
                    "lineage_id": lineage_id, "text_sha": sha, "first_clause_id": clause_pk,
                    "last_clause_id": clause_pk, "anchor": anchor,
                    "valid_from": version.effective_date, "valid_to": None, "ended_by_id": None,
                }
                open_spans[lineage_id] = span
                wanted[(lineage_id, clause_pk)] = span
            elif anchor != span["anchor"]:
                span["last_clause_id"], span["anchor"] = clause_pk, anchor
    return wanted


_SPAN_FIELDS = ("text_sha", "last_clause_id", "valid_from", "valid_to", "ended_by_id")


def spans_rebuild(document: Document) -> tuple[list[int], list[int]]:
    """Recompute the spans of ``document`` from its whole timeline.

    For a back-dated version and for repairs; a version appended to the timeline goes
    through ``spans_extend``, which gives the same spans. Only spans that differ are
    written. Returns the ids of the spans created or changed, and of those removed.
    """
    versions = list(document.versions.timeline().only("pk", "label", "effective_date"))
    from documents.selectors import lineage_roots

    roots = lineage_roots(document.pk)  # linked keys are one clause: one span run
    rows = [
        (pk, version_id, roots.get(lineage_id, lineage_id), sha, anchor)
        for pk, version_id, lineage_id, sha, anchor in Clause.objects.filter(version__document=document).values_list(
            "pk", "version_id", "lineage_id", "text_sha", "anchor"
        )
    ]
    wanted = _spans_wanted(versions, rows)
    existing = {(s.lineage_id, s.first_clause_id): s for s in document.spans.all()}
    now = timezone.now()
    created: list[ClauseSpan] = []
    updated: list[ClauseSpan] = []
    for key, data in wanted.items():
        span = existing.pop(key, None)
        if span is None:
            created.append(ClauseSpan(
                lineage_id=data["lineage_id"], document=document, first_clause_id=data["first_clause_id"],
                **{name: data[name] for name in _SPAN_FIELDS},
            ))
        elif any(getattr(span, name) != data[name] for name in _SPAN_FIELDS):
            for name in _SPAN_FIELDS:
                setattr(span, name, data[name])
            span.updated_at = now
            updated.append(span)
    if updated:
        ClauseSpan.objects.bulk_update(updated, [*_SPAN_FIELDS, "updated_at"], batch_size=500)
    ClauseSpan.objects.bulk_create(created, batch_size=500)
    removed = [span.pk for span in existing.values()]
    if removed:
        ClauseSpan.objects.filter(pk__in=removed).delete()
    return [s.pk for s in updated] + [s.pk for s in created], removed


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
