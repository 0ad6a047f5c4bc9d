"""Watches, the outbox of alerts, and derived change summaries.

Delivery is a transactional outbox: ``version_publish`` writes a ChangeSet (and the
Alerts of document and clause watchers) in its own transaction, so a publish that rolls
back leaves nothing to send; ``manage.py send_alerts`` sends them afterwards. An Alert
is one e-mail to one user about one change set, whatever number of their watches it
matches: identity (user, change set) is a database constraint, so it cannot be queued
twice, and a conditional claim (pending -> sending) means two workers never both send it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from documents.clause_names import clause_title
from documents.models import ClauseLineage, Document, DocumentVersion


class WatchKind(models.TextChoices):
    DOCUMENT = "document", "Document"
    CLAUSE = "clause", "Clause"
    SEARCH = "search", "Saved search"


class WatchQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Watch(models.Model):
    """A signed-in user's wish to hear about changes to a document, a clause lineage or
    the clauses a saved search finds. Unsubscribing deactivates it (so an unsubscribe
    link followed twice, or a mail scanner's prefetch, can be undone)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches")
    kind = models.CharField(max_length=16, choices=WatchKind.choices)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    lineage = models.ForeignKey(ClauseLineage, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # A saved search: the query in the portal's search language and its filters.
    query = models.CharField(max_length=500, blank=True)
    publisher_slug = models.SlugField(max_length=80, blank=True)
    document_kind = models.CharField(max_length=16, blank=True)
    document_slug = models.SlugField(max_length=120, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WatchQuerySet.as_manager()

    class Meta:
        ordering = ["user", "-created_at"]
        constraints = [
            models.CheckConstraint(
                name="watch_target_matches_kind",
                condition=(
                    Q(kind="document", document__isnull=False, lineage__isnull=True, query="")
                    | Q(kind="clause", lineage__isnull=False, document__isnull=True, query="")
                    | (Q(kind="search", document__isnull=True, lineage__isnull=True) & ~Q(query=""))
                ),
            ),
            models.UniqueConstraint(fields=["user", "document"], condition=Q(kind="document"),
                                    name="uniq_watch_document_per_user"),
            models.UniqueConstraint(fields=["user", "lineage"], condition=Q(kind="clause"),
                                    name="uniq_watch_clause_per_user"),
            models.UniqueConstraint(
                fields=["user", "query", "publisher_slug", "document_kind", "document_slug"],
                condition=Q(kind="search"), name="uniq_watch_search_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} watches {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.kind == WatchKind.DOCUMENT:
            return str(self.document)
        if self.kind == WatchKind.CLAUSE:
            latest = self.lineage.clauses.order_by("-version__effective_date", "-version__pk").first()
            name = clause_title(latest) if latest else ""
            return f"clause {f'“{name}” ' if name else ''}({self.lineage.key}) of {self.lineage.document}"
        filters = ", ".join(f"{k}: {v}" for k, v in (
            ("publisher", self.publisher_slug), ("kind", self.document_kind), ("document", self.document_slug)) if v)
        return f"search “{self.query}”" + (f" ({filters})" if filters else "")


class ChangeSet(models.Model):
    """The outbox event of one publish: this version, compared with the one before it.

    Written in the publish transaction. ``expanded_at`` is set once the saved searches
    have been matched against it (by the worker, which needs the search index); its
    alerts are only sent after that, so each watcher gets one e-mail, not two.
    """

    version = models.OneToOneField(DocumentVersion, on_delete=models.CASCADE, related_name="+")
    previous = models.ForeignKey(DocumentVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expanded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Changes in {self.version}"


class AlertStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"  # claimed by a worker
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"  # gave up after the last retry
    UNCERTAIN = "uncertain", "Uncertain"  # a worker died mid-send: never resent automatically
    CANCELLED = "cancelled", "Cancelled"  # every watch it was for was unsubscribed


class Alert(models.Model):
    """One e-mail to one user about one change set: a row of the outbox."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    changeset = models.ForeignKey(ChangeSet, on_delete=models.CASCADE, related_name="alerts")
    watches = models.ManyToManyField(Watch, related_name="alerts")
    # Lineage ids of the clauses this user is told about (the union over their watches).
    lineage_ids = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "changeset"], name="uniq_alert_per_user_changeset"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="alert_due_idx")]

    def __str__(self) -> str:
        return f"Alert to {self.user} about {self.changeset.version} ({self.status})"


class ChangeSummary(models.Model):
    """Derived: what changed from ``previous`` to ``version`` (counts for the recent
    changes page and the feeds). Both versions are immutable, so a pair is computed
    once; a back-dated version only adds a new pair."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="+")
    previous = models.ForeignKey(DocumentVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    counts = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "previous"], name="uniq_change_summary_pair"),
            models.UniqueConstraint(fields=["version"], condition=Q(previous__isnull=True),
                                    name="uniq_change_summary_first"),
        ]

    def __str__(self) -> str:
        return f"{self.previous} → {self.version}"
