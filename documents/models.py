"""Publisher -> Document -> DocumentVersion -> Clause, and the lineage that ties clauses
of successive versions together.

A published version is an append-only snapshot (as Wagtail's revisions are): it and its
clauses are written once, by ``services.version_publish``, and never changed. Identity
lives in named database constraints.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone


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
    source_text = models.TextField()
    source_format = models.CharField(max_length=16, choices=SourceFormat.choices)
    source_filename = models.CharField(max_length=255, blank=True)
    source_sha256 = models.CharField(max_length=64, help_text="sha256 of the uploaded bytes' text")
    normalized_text = models.TextField()
    sha256 = models.CharField(max_length=64, help_text="sha256 of the normalized text")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    change_note = models.TextField(blank=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["document", "effective_date", "published_at"]
        constraints = [
            models.UniqueConstraint(fields=["document", "sha256"], name="uniq_version_text_per_document"),
            models.UniqueConstraint(fields=["document", "label"], name="uniq_version_label_per_document"),
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
        return reverse("documents:version", args=[self.document.slug, self.label])

    @property
    def is_upcoming(self) -> bool:
        """Published, but its effective date is still ahead: "takes effect on …"."""
        return self.effective_date > timezone.localdate()


class ClauseLineage(models.Model):
    """The identity of a clause across versions: the key in its permalinks."""

    key = models.CharField(max_length=16, unique=True)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="lineages")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key

    def get_absolute_url(self) -> str:
        return reverse("documents:clause_latest", args=[self.key])


class ClauseQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError("Clauses of a published version cannot be changed.")

    def delete(self):
        raise ImmutableError("Clauses of a published version cannot be deleted.")


class Clause(models.Model):
    """One clause of one version: a section, sub-section or numbered item."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="clauses")
    position = models.PositiveIntegerField()
    number = models.CharField(max_length=40, blank=True, help_text="As the document prints it: 6.4, (a)")
    anchor = models.CharField(max_length=120)
    heading = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True, help_text="Markdown")
    text = models.TextField(blank=True, help_text="Plain text of the body")
    text_sha = models.CharField(max_length=64, help_text="sha256 of the normalized heading and text")
    depth = models.PositiveSmallIntegerField(default=0)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    lineage = models.ForeignKey(ClauseLineage, on_delete=models.PROTECT, related_name="clauses")

    objects = ClauseQuerySet.as_manager()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "anchor"], name="uniq_clause_anchor_per_version"),
            models.UniqueConstraint(fields=["version", "position"], name="uniq_clause_position_per_version"),
            models.UniqueConstraint(fields=["version", "lineage"], name="uniq_clause_lineage_per_version"),
        ]

    def __str__(self) -> str:
        return " ".join(p for p in (self.number, self.heading) if p) or self.anchor

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ImmutableError("A clause of a published version cannot be changed.")
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

    Derived data, rebuilt from the versions by ``services.spans_rebuild``: the search
    index holds one entry per span, so it grows with the changes, not with the number
    of versions. ``valid_to`` is the effective date of the version that changed or
    removed the text (exclusive), None while it is current.
    """

    lineage = models.ForeignKey(ClauseLineage, on_delete=models.CASCADE, related_name="spans")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="spans")
    text_sha = models.CharField(max_length=64)
    first_clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="+")
    last_clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="+")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    version_labels = models.TextField(help_text="Space-separated labels of the versions holding this text")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["document", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "first_clause"], name="uniq_span_start"),
        ]

    def __str__(self) -> str:
        return f"{self.lineage.key} {self.valid_from}–{self.valid_to or 'now'}"

    @property
    def is_current(self) -> bool:
        return self.valid_to is None


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
    source_text = models.TextField()
    source_filename = models.CharField(max_length=255, blank=True)
    source_format = models.CharField(max_length=16, choices=SourceFormat.choices, blank=True)
    upload_sha256 = models.CharField(max_length=64)
    effective_date = models.DateField(null=True, blank=True)
    change_note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        target = self.document.title if self.document_id else f"new: {self.new_title}"
        return f"Draft for {target} ({self.source_filename or 'pasted text'})"
