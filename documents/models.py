"""Publisher -> Document -> DocumentVersion -> Clause, and the lineage that ties clauses
of successive versions together.

A published version is an append-only snapshot (as Wagtail's revisions are): it and its
clauses are written once, by ``services.version_publish``, and never changed. Identity
lives in named database constraints.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from documents.textstore import CompressedTextField, content_sha


class ImmutableError(ValidationError):
    """Raised on any attempt to change or delete a published version or its clauses."""


class Publisher(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DocumentKind(models.TextChoices):
    TERMS_OF_SERVICE = "terms", "Terms of service"
    PRIVACY_POLICY = "privacy", "Privacy policy"
    COOKIE_POLICY = "cookies", "Cookie policy"
    API_TERMS = "api", "API terms"
    OTHER = "other", "Other"


class DocumentQuerySet(models.QuerySet):
    def with_current(self):
        return self.select_related("publisher", "current_version")


class Document(models.Model):
    """A named policy of a publisher; its text lives in its versions."""

    publisher = models.ForeignKey(Publisher, on_delete=models.PROTECT, related_name="documents")
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=16, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    created_at = models.DateTimeField(auto_now_add=True)
    # The version in force now: the one with the latest date, kept by version_publish
    # (a back-dated version goes into the timeline without displacing it).
    current_version = models.ForeignKey(
        "DocumentVersion", null=True, blank=True, editable=False,
        on_delete=models.PROTECT, related_name="+",
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["publisher__name", "title"]

    def __str__(self) -> str:
        return f"{self.publisher} — {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("documents:document", args=[self.slug])


class SourceFormat(models.TextChoices):
    TEXT = "text", "Plain text"
    MARKDOWN = "markdown", "Markdown"
    HTML = "html", "HTML"


class VersionKind(models.TextChoices):
    # A correction re-extracts the page recorded by the version before it (Open Terms
    # Archive's "Apply technical or declaration upgrade" and "Refilter" commits): it is
    # kept, as every published text is, but it is not a change by the publisher, so it
    # never alerts and is not listed as a change unless the reader asks for corrections.
    VERSION = "version", "Version"
    CORRECTION = "correction", "Extraction correction"


class TrackedRepository(models.Model):
    """A git repository of recorded texts (an Open Terms Archive "versions" repository)
    that ``import_ota`` follows: where it is, and how far it has been imported.

    ``last_commit`` moves in the same transaction as the commit's versions, checks and
    refusals, so a run killed at any point resumes after the last commit fully written.
    """

    name = models.SlugField(max_length=120, unique=True)
    # Where the repository came from (a path, a bundle or a URL) and the clone read.
    url = models.CharField(max_length=500, blank=True)
    path = models.CharField(max_length=500)
    last_commit = models.CharField(max_length=40, blank=True)
    last_commit_date = models.DateTimeField(null=True, blank=True)
    last_imported_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "tracked repositories"

    def __str__(self) -> str:
        return self.name


class VersionQuerySet(models.QuerySet):
    def timeline(self):
        """Oldest first, by the date the version took effect."""
        return self.order_by("effective_date", "published_at", "pk")

    def as_of(self, date):
        return self.filter(effective_date__lte=date).order_by("-effective_date", "-published_at", "-pk")

    # Bulk writes would bypass save()/delete() and so the immutability guard.
    def update(self, **kwargs):
        raise ImmutableError("Published versions cannot be changed.")

    def delete(self):
        raise ImmutableError("Published versions cannot be deleted.")

    def _seal(self):
        # The one update the database allows on a version (see DocumentVersion.sealed).
        return super().update(sealed=True)


class DocumentVersion(models.Model):
    """One published text of a document. Immutable once saved.

    ``effective_date`` is the date stated in the text, or failing that the date it was
    added: every version has a place on the timeline. ``label`` is that date as it
    appears in URLs (``2022-01-31``, ``2022-01-31-2`` for a second one that day).
    """

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    label = models.CharField(max_length=20, editable=False)
    effective_date = models.DateField()
    effective_date_stated = models.BooleanField(
        default=False, help_text="True when the date was stated in the text or by the uploader."
    )
    # The day the text was recorded (an archive's file date) or added here; the
    # effective date above is when it takes effect, which may be earlier or later.
    recorded_date = models.DateField(null=True, blank=True)
    # The title the document gives itself ("Cloudflare Self-Serve Subscription
    # Agreement"), beside the portal's name for the document; blank when it gives none.
    official_title = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(auto_now_add=True)
    source_format = models.CharField(max_length=16, choices=SourceFormat.choices)
    source_filename = models.CharField(max_length=255, blank=True)
    source_sha256 = models.CharField(max_length=64, help_text="sha256 of the uploaded bytes' text")
    sha256 = models.CharField(max_length=64, help_text="sha256 of the normalized text")
    # PROTECT: a published version keeps who added it; a user who published cannot be
    # deleted (deactivate them instead).
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    change_note = models.TextField(blank=True)
    # Set once, by version_publish, after the clauses are written: from then on database
    # triggers (documents/immutability.py) refuse any change to the version, its clauses
    # and their lineage keys. The only update they allow is this flag going from False to True.
    sealed = models.BooleanField(default=False, editable=False)
    kind = models.CharField(max_length=16, choices=VersionKind.choices, default=VersionKind.VERSION)
    # Provenance of a text recorded elsewhere: the repository and commit it came from and
    # the snapshot (the page as fetched) the commit message links to. Blank for uploads.
    origin = models.ForeignKey(
        TrackedRepository, null=True, blank=True, on_delete=models.PROTECT, related_name="versions"
    )
    source_commit = models.CharField(max_length=40, blank=True)
    snapshot_url = models.URLField(max_length=500, blank=True)
    # The long texts end the row (migration 0008): SQLite walks past every column
    # before the one it reads, so a date or a flag after a megabyte of text cost a
    # millisecond a version, on every timeline. Stored compressed (documents.textstore).
    # The normalized text is not stored (migration 0013): its sha256 identifies the
    # text, and the text itself is derived from the source when asked for.
    source_text = CompressedTextField()

    objects = VersionQuerySet.as_manager()

    @property
    def normalized_text(self) -> str:
        """The text as the parser normalizes it, derived from ``source_text`` once per
        instance (set by a publish, which has it in hand)."""
        derived = self.__dict__.get("_normalized_text")
        if derived is None:
            from documents.ingest import parse_document

            derived = parse_document(self.source_text, filename=self.source_filename,
                                     format_hint=self.source_format or None).normalized_text
            self.__dict__["_normalized_text"] = derived
        return derived

    @normalized_text.setter
    def normalized_text(self, value: str) -> None:
        self.__dict__["_normalized_text"] = value

    class Meta:
        ordering = ["document", "effective_date", "published_at"]
        permissions = [
            ("publish_version", "Can publish versions"),
            ("review_drafts", "Can publish or discard other people's drafts"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["document", "sha256"], name="uniq_version_text_per_document"),
            models.UniqueConstraint(fields=["document", "label"], name="uniq_version_label_per_document"),
        ]
        # The timeline order (VersionQuerySet.timeline), across all documents and within
        # one: the changes list and the feeds read their page of newest versions, and each
        # one's predecessor, from these instead of sorting every version of an archive
        # (whose rows carry their texts: a scan reads the whole table).
        indexes = [
            models.Index(fields=["effective_date", "published_at", "id"], name="version_by_date"),
            models.Index(fields=["document", "effective_date", "published_at", "id"], name="version_timeline"),
            # Covers the home table's count and newest recorded day of each document.
            models.Index(fields=["document", "recorded_date", "published_at"], name="version_recorded"),
        ]

    def __str__(self) -> str:
        return f"{self.document.title} ({self.label})"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ImmutableError("A published version cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("A published version cannot be deleted.")

    def get_absolute_url(self) -> str:
        return reverse("documents:version", args=[self.document.slug, self.url_date])

    @property
    def shares_date(self) -> bool:
        """Does another version of the document state the same date? (Set on a whole
        timeline at once by selectors.version_timeline; asked of the database otherwise.)"""
        if not hasattr(self, "_shares_date"):
            self._shares_date = DocumentVersion.objects.filter(
                document_id=self.document_id, effective_date=self.effective_date).exclude(pk=self.pk).exists()
        return self._shares_date

    @shares_date.setter
    def shares_date(self, value: bool) -> None:
        self._shares_date = value

    @property
    def recorded_note(self) -> str:
        """"recorded 2 Jan 2024" for a version sharing its stated date with another: the
        date that tells them apart (and reaches it: /v/2024-01-02/), else ""."""
        if self.recorded_date is None or not self.shares_date or self.recorded_date == self.effective_date:
            return ""
        return f"recorded {self.recorded_date.day} {self.recorded_date:%b %Y}"

    @property
    def date_label(self) -> str:
        """How a timeline names the version: "16 Nov 2020", or with the day it was
        recorded when another version states the same date: "16 Nov 2020 · recorded 2 Jan 2024"."""
        stated = f"{self.effective_date.day} {self.effective_date:%b %Y}"
        return f"{stated} · {self.recorded_note}" if self.recorded_note else stated

    @property
    def url_date(self) -> str:
        """The date in the version's address: its label, except that a second version of
        one stated date ("2020-11-16-2", a label no reader can guess) is reached by the
        day it was recorded, when no other version is labelled that day."""
        if self.recorded_date is None or not re.fullmatch(r"\d{4}-\d\d-\d\d-\d+", self.label):
            return self.label
        recorded = self.recorded_date.isoformat()
        if DocumentVersion.objects.filter(document_id=self.document_id, label=recorded).exists():
            return self.label
        return recorded

    @property
    def is_upcoming(self) -> bool:
        """Published, but its effective date is still ahead: "takes effect on …"."""
        return self.effective_date > timezone.localdate()

    @property
    def reader_note(self) -> str:
        """The change note as readers see it: without the bulk importer's record of its
        source file ("Imported from 2026-06-15.md"), which is bookkeeping (the file name
        is ``source_filename``) that older imports wrote into the note."""
        note = self.change_note.strip()
        return "" if note == f"Imported from {self.source_filename}" else note


class ClauseLineage(models.Model):
    """The identity of a clause across versions: the key in its permalinks."""

    key = models.CharField(max_length=16, unique=True)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="lineages")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key

    def get_absolute_url(self) -> str:
        return reverse("documents:clause_latest", args=[self.key])


class ClauseLineageLink(models.Model):
    """Two lineage keys that name one clause: append-only, written at publish.

    Published clauses keep the lineage they were created with, so when a back-dated
    version lands between two versions that already have keys, and its clause pairs
    with a clause of each neighbour holding different keys, the new clause takes one
    of them and this row records that the other is the same clause. Selectors resolve
    a key to the whole group (``selectors.lineage_group_ids``). Never updated.
    """

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="lineage_links")
    lineage = models.ForeignKey(ClauseLineage, on_delete=models.PROTECT, related_name="links_out")
    same_as = models.ForeignKey(ClauseLineage, on_delete=models.PROTECT, related_name="links_in")
    version = models.ForeignKey(
        "DocumentVersion", on_delete=models.PROTECT, related_name="+",
        help_text="The version whose publication showed the two keys are one clause",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lineage", "same_as"], name="uniq_lineage_link"),
        ]

    def __str__(self) -> str:
        return f"{self.lineage_id} = {self.same_as_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ImmutableError("A lineage link cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("A lineage link cannot be deleted.")


class ClauseText(models.Model):
    """One wording of a clause (heading, markdown body, plain text, closing words),
    stored once and shared by every clause, in any version, that reads exactly so.

    Keyed by ``sha`` (``textstore.content_sha`` of the four parts). Append-only: a row
    is never changed or deleted (database triggers, immutability.py), so a version's
    clauses read tomorrow as they read today.
    """

    sha = models.CharField(max_length=64, unique=True)
    heading = models.CharField(max_length=500, blank=True)
    body = CompressedTextField(blank=True, default="", help_text="Markdown")
    text = CompressedTextField(blank=True, default="", help_text="Plain text of the body")
    # The words after the clause's sub-items (Akoma Ntoso's wrapUp), markdown.
    closing = CompressedTextField(blank=True, default="", help_text="Markdown")

    def __str__(self) -> str:
        return self.sha[:12]

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ImmutableError("A clause's wording cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("A clause's wording cannot be deleted.")


# A clause's wording lives in ClauseText: these names, used on a Clause query, mean
# the same fields of its wording (``Clause.objects.only("number", "text")``).
CLAUSE_WORDING = ("heading", "body", "text", "closing")


def _wording_field(name: str) -> str:
    head, sep, rest = name.partition("__")
    prefix = "-" if head.startswith("-") else ""
    bare = head.lstrip("-")
    return f"{prefix}content__{bare}{sep}{rest}" if bare in CLAUSE_WORDING else name


class ClauseQuerySet(models.QuerySet):
    """Clauses come with their wording (one join), and the wording's field names work
    in ``only``/``defer``/``values``/``values_list``/``order_by`` as they did when they
    were the clause's own columns."""

    def only(self, *fields):
        mapped = [_wording_field(f) for f in fields]
        qs = super().only(*mapped)
        if not any(f == "content" or f.startswith("content__") for f in mapped):
            qs = qs._without_content()
        return qs

    def defer(self, *fields):
        return super().defer(*(_wording_field(f) if f is not None else f for f in fields))

    def values(self, *fields, **expressions):
        return super().values(*(_wording_field(f) for f in fields), **expressions)._wording_names(fields)

    def values_list(self, *fields, flat=False, named=False):
        return super().values_list(*(_wording_field(f) for f in fields), flat=flat, named=named)

    def order_by(self, *fields):
        return super().order_by(*(_wording_field(f) if isinstance(f, str) else f for f in fields))

    def _filter_or_exclude(self, negate, args, kwargs):
        # filter(heading="Cookies"). The texts are stored compressed: only the heading
        # (and exact matches) can be compared in the database.
        return super()._filter_or_exclude(negate, args, {_wording_field(k): v for k, v in kwargs.items()})

    def _wording_names(self, fields):
        # values("text") gives {"text": ...}, not {"content__text": ...}.
        renamed = {_wording_field(f): f for f in fields if _wording_field(f) != f}
        if renamed:
            self._iterable_class = _renamed_values(self._iterable_class, renamed)
        return self

    def _without_content(self):
        related = self.query.select_related
        if isinstance(related, dict) and "content" in related:
            rest = {k: v for k, v in related.items() if k != "content"}
            clone = self._chain()
            clone.query.select_related = rest or False
            return clone
        return self

    def update(self, **kwargs):
        raise ImmutableError("Clauses of a published version cannot be changed.")

    def delete(self):
        raise ImmutableError("Clauses of a published version cannot be deleted.")


def _renamed_values(iterable_class, renamed: dict[str, str]):
    class Renamed(iterable_class):
        def __iter__(self):
            for row in super().__iter__():
                yield {renamed.get(k, k): v for k, v in row.items()}

    return Renamed


class ClauseManager(models.Manager.from_queryset(ClauseQuerySet)):
    def get_queryset(self):
        return super().get_queryset().select_related("content")


class Clause(models.Model):
    """One clause of one version: a section, sub-section or numbered item."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="clauses")
    position = models.PositiveIntegerField()
    number = models.CharField(max_length=40, blank=True, help_text="As the document prints it: 6.4, (a)")
    # db_default: rows inserted as plain values (services._rows_insert) may omit it.
    citation = models.CharField(
        max_length=200, blank=True, db_default="",
        help_text="The full path as the document writes it: D.8, 1.7(g), Schedule 2, 3.1",
    )
    anchor = models.CharField(max_length=120)
    text_sha = models.CharField(max_length=64, help_text="sha256 of the normalized heading and text")
    depth = models.PositiveSmallIntegerField(default=0)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    lineage = models.ForeignKey(ClauseLineage, on_delete=models.PROTECT, related_name="clauses")
    # The wording: shared with every clause that reads the same (ClauseText). Readers
    # keep clause.heading / .body / .text / .closing (properties below).
    content = models.ForeignKey(ClauseText, on_delete=models.PROTECT, related_name="+")

    objects = ClauseManager()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "anchor"], name="uniq_clause_anchor_per_version"),
            models.UniqueConstraint(fields=["version", "position"], name="uniq_clause_position_per_version"),
            models.UniqueConstraint(fields=["version", "lineage"], name="uniq_clause_lineage_per_version"),
        ]

    def __str__(self) -> str:
        return " ".join(p for p in (self.number, self.heading) if p) or self.anchor

    def __init__(self, *args, **kwargs):
        wording = {name: kwargs.pop(name) for name in CLAUSE_WORDING if name in kwargs}
        super().__init__(*args, **kwargs)
        if wording:
            self._wording = wording

    def _word(self, name: str) -> str:
        pending = getattr(self, "_wording", None)
        if pending is not None and (name in pending or self.content_id is None):
            return pending.get(name, "")
        return getattr(self.content, name)

    def _set_word(self, name: str, value: str) -> None:
        if getattr(self, "_wording", None) is None:
            self._wording = {n: getattr(self, n) for n in CLAUSE_WORDING} if self.content_id else {}
        self._wording[name] = value

    heading = property(lambda self: self._word("heading"), lambda self, v: self._set_word("heading", v))
    body = property(lambda self: self._word("body"), lambda self, v: self._set_word("body", v))
    text = property(lambda self: self._word("text"), lambda self, v: self._set_word("text", v))
    closing = property(lambda self: self._word("closing"), lambda self, v: self._set_word("closing", v))

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ImmutableError("A clause of a published version cannot be changed.")
        wording = getattr(self, "_wording", None)
        if wording is not None:
            parts = [wording.get(n, "") for n in CLAUSE_WORDING]
            self.content, _ = ClauseText.objects.get_or_create(
                sha=content_sha(*parts), defaults=dict(zip(CLAUSE_WORDING, parts, strict=True)))
            self._wording = None
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("A clause of a published version cannot be deleted.")

    def get_absolute_url(self) -> str:
        return f"{self.version.get_absolute_url()}#{self.anchor}"

    def get_permalink(self) -> str:
        """The pinned link: this clause as it reads in this version."""
        return reverse("documents:clause_pinned", args=[self.lineage.key, self.version.label])


class ClauseSpan(models.Model):
    """One distinct text of a clause lineage and the dates it was in force.

    Derived data, kept by ``services.spans_extend`` (a version appended to the
    timeline) and ``services.spans_rebuild`` (any other case): the search index holds
    one entry per span, so it grows with the changes, not with the number of versions.

    A span does not record which versions hold its text; that is derived from the
    timeline (``versions()``): every version from ``first_clause``'s up to, not
    including, ``ended_by``. So a version that carries a clause over unchanged writes
    nothing to its span, in the database or in the index. ``valid_to`` is the
    effective date of ``ended_by`` (exclusive), both None while the text is current.

    ``last_clause`` is the clause whose anchor the index links to: the newest one at
    which the anchor changed (a renumbering), not moved forward on every version.
    """

    lineage = models.ForeignKey(ClauseLineage, on_delete=models.CASCADE, related_name="spans")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="spans")
    text_sha = models.CharField(max_length=64)
    first_clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="+")
    last_clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="+")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    # The version that changed or dropped the text; None while it is current.
    ended_by = models.ForeignKey(
        DocumentVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["document", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "first_clause"], name="uniq_span_start"),
        ]
        indexes = [
            # spans_extend reads a document's open spans on every publish.
            models.Index(fields=["document", "valid_to"], name="span_document_open"),
        ]

    def __str__(self) -> str:
        return f"{self.lineage.key} {self.valid_from}–{self.valid_to or 'now'}"

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    def versions(self) -> list[DocumentVersion]:
        """The versions holding this text, oldest first (derived from the timeline)."""
        timeline = list(
            DocumentVersion.objects.filter(document_id=self.document_id).timeline().only("pk", "label")
        )
        return versions_between(timeline, self.first_clause.version_id, self.ended_by_id)

    @property
    def version_labels(self) -> str:
        """Space-separated labels of the versions holding this text."""
        return " ".join(v.label for v in self.versions())


def versions_between(timeline: list, first_version_id: int, ended_by_id: int | None) -> list:
    """The slice of ``timeline`` (versions oldest first) a span covers."""
    ids = [v.pk for v in timeline]
    try:
        start = ids.index(first_version_id)
    except ValueError:
        return []
    end = ids.index(ended_by_id) if ended_by_id in ids else len(ids)
    return timeline[start:end]


class VersionCheck(models.Model):
    """A recapture whose text is identical to a published version: the document was
    checked on ``recorded_date`` and had not changed. Append-only (immutability.py)."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="checks")
    version = models.ForeignKey(
        DocumentVersion, on_delete=models.PROTECT, related_name="checks",
        help_text="The published version whose text the recapture matched",
    )
    recorded_date = models.DateField()
    source_sha256 = models.CharField(max_length=64)
    sha256 = models.CharField(max_length=64)
    origin = models.ForeignKey(
        TrackedRepository, null=True, blank=True, on_delete=models.PROTECT, related_name="checks"
    )
    source_commit = models.CharField(max_length=40, blank=True)
    snapshot_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "recorded_date", "pk"]
        constraints = [
            # One commit records one text of a document: a rerun cannot record it twice.
            models.UniqueConstraint(
                fields=["document", "source_commit"], condition=~models.Q(source_commit=""),
                name="uniq_check_per_commit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} checked {self.recorded_date}"


class RefusalReason(models.TextChoices):
    ERROR_PAGE = "error_page", "Error page"
    LOGIN_WALL = "login_wall", "Log-in wall"
    LANGUAGE = "language", "Another language"
    NEAR_EMPTY = "near_empty", "Near-empty capture"
    UNREADABLE = "unreadable", "Not a readable text"


class RefusedCapture(models.Model):
    """A recorded text that is not the document (an error page, a log-in wall, another
    language, a near-empty capture): listed with its reason, never published.
    Append-only (immutability.py)."""

    repository = models.ForeignKey(TrackedRepository, on_delete=models.PROTECT, related_name="refused")
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="refused_captures"
    )
    commit = models.CharField(max_length=40)
    path = models.CharField(max_length=500)
    recorded_date = models.DateField()
    reason = models.CharField(max_length=16, choices=RefusalReason.choices)
    detail = models.CharField(max_length=500, blank=True, help_text="The evidence, for a reader")
    snapshot_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["repository", "commit", "path"], name="uniq_refusal_per_commit_path"),
        ]

    def __str__(self) -> str:
        return f"{self.path} @ {self.commit[:10]}: {self.get_reason_display()}"


class IndexRepairMark(models.Model):
    """Left while a bulk import runs, removed when it ends.

    An import commits the index and then the database once per batch; a process killed
    between the two leaves them out of step. A mark still present when the next import
    starts means that may have happened, and that import repairs the index first.
    """

    started_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"import started {self.started_at:%Y-%m-%d %H:%M}"


class VersionDraft(models.Model):
    """An upload waiting for a staff member to preview, then publish or discard.

    Drafts are the only mutable text in the portal: publishing turns one into an
    immutable DocumentVersion and deletes the draft; discarding just deletes it.
    A draft for a new document carries the new document's details until publish.
    """

    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.CASCADE, related_name="drafts")
    new_publisher = models.CharField(max_length=200, blank=True)
    new_title = models.CharField(max_length=300, blank=True)
    new_kind = models.CharField(max_length=16, choices=DocumentKind.choices, blank=True)
    source_filename = models.CharField(max_length=255, blank=True)
    source_format = models.CharField(max_length=16, choices=SourceFormat.choices, blank=True)
    upload_sha256 = models.CharField(max_length=64)
    effective_date = models.DateField(null=True, blank=True)
    change_note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The texts end the row, as a version's do (see DocumentVersion.source_text).
    source_text = models.TextField()
    # The upload's parse (drafts.parsed_to_json), reused by the preview and by publishing.
    parsed = models.JSONField(null=True, blank=True, editable=False)
    # The parse aligned with the published versions it would sit between
    # (services.Alignment.to_json): the preview's comparison and the publish reuse it.
    alignments = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        target = self.document.title if self.document_id else f"new: {self.new_title}"
        return f"Draft for {target} ({self.source_filename or 'pasted text'})"
