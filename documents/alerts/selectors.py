"""The reads of the alerts app: recent changes, a clause's change history, watches."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import DateField, Q
from django.db.models.functions import Cast
from django.http import Http404

from documents import selectors as document_selectors
from documents.alerts import changes
from documents.alerts.models import Alert, Watch, WatchKind
from documents.alerts.tokens import watch_id_from_token
from documents.models import Clause, ClauseLineage, DocumentVersion, Publisher, VersionKind

PAGE_SIZE = 25


@dataclass(frozen=True)
class VersionChange:
    """One published version and what it changed, for the changes page and the feeds."""

    version: DocumentVersion
    previous: DocumentVersion | None
    counts: dict[str, int]

    @property
    def document(self):
        return self.version.document

    @property
    def sentence(self) -> str:
        return changes.summary_sentence(self.counts, self.previous)

    @property
    def compare_url(self) -> str:
        return changes.compare_url(self.previous, self.version)

    @property
    def title(self) -> str:
        return (f"{self.document.publisher.name} · {self.version.official_title or self.document.title}: "
                f"version of {self.version.effective_date:%-d %B %Y}")

    def as_json(self, absolute) -> dict:
        d = self.document
        return {
            "document": {"slug": d.slug, "title": d.title, "kind": d.kind,
                         "publisher": {"slug": d.publisher.slug, "name": d.publisher.name}},
            "version": {"label": self.version.label, "effective_date": self.version.effective_date.isoformat(),
                        "recorded_date": self.version.recorded_date.isoformat() if self.version.recorded_date else None,
                        "published_at": self.version.published_at.isoformat(),
                        "url": absolute(self.version.get_absolute_url())},
            "previous": {"label": self.previous.label, "effective_date": self.previous.effective_date.isoformat()}
            if self.previous else None,
            "summary": self.counts,
            "sentence": self.sentence,
            "compare_url": absolute(self.compare_url) if self.previous else None,
        }


# What a change line shows of a version (and the feeds): never its texts.
_VERSION_FIELDS = ("pk", "label", "kind", "effective_date", "effective_date_stated", "recorded_date", "published_at", "official_title", "document_id",
                   "document__id", "document__slug", "document__title", "document__kind", "document__publisher_id",
                   "document__current_version_id", "document__publisher__id", "document__publisher__slug",
                   "document__publisher__name")


def recent_changes(*, publisher: str = "", kind: str = "", document: str = "", page: int = 1,
                   page_size: int = PAGE_SIZE, corrections: bool = False) -> tuple[list[VersionChange], int]:
    """Published versions, newest first (by the date they take effect, then by when they
    were published here), with their change summaries; and how many there are in all.
    An archive's extraction corrections are not changes by the publisher: listed only
    when ``corrections`` is asked for. Reads the page's versions, their predecessors and
    their summaries: a handful of queries whatever the size of the archive."""
    qs = DocumentVersion.objects.all()
    if not corrections:
        qs = qs.exclude(kind=VersionKind.CORRECTION)
    if publisher:
        qs = qs.filter(document__publisher__slug=publisher)
    if kind:
        qs = qs.filter(document__kind=kind)
    if document:
        qs = qs.filter(document__slug=document)
    total = qs.count()
    start = (page - 1) * page_size
    # A version whose only date is the day it was added here (its text states none and
    # nothing recorded it earlier) has no place on a timeline of dates: the undated ones
    # come after all the dated ones (newest added first), instead of topping the list and
    # the feeds from their import on. Two ordered reads, so the dated ones still walk the
    # timeline index and stop at the page's end.
    undated = Q(effective_date_stated=False) & (Q(recorded_date__isnull=True)
                                                | Q(recorded_date=Cast("published_at", DateField())))
    base = qs.select_related("document__publisher").only(*_VERSION_FIELDS)
    n_undated = base.filter(undated).count()
    n_dated = total - n_undated
    versions = []
    if start < n_dated:
        versions = list(base.exclude(undated).order_by("-effective_date", "-published_at", "-pk")
                        [start:start + page_size])
    if len(versions) < page_size and n_undated:
        skip = max(0, start - n_dated)
        versions += list(base.filter(undated).order_by("-published_at", "-pk")[skip:skip + page_size - len(versions)])
    previous = document_selectors.previous_versions(versions)
    counts = changes.change_summaries([(v, previous.get(v.pk)) for v in versions])
    return [VersionChange(version=v, previous=previous.get(v.pk), counts=counts[v.pk]) for v in versions], total


def publishers_with_versions() -> list[Publisher]:
    return list(Publisher.objects.filter(documents__current_version__isnull=False).distinct().order_by("name"))


def publisher_get(slug: str) -> Publisher:
    try:
        return Publisher.objects.get(slug=slug)
    except Publisher.DoesNotExist:
        raise Http404(f"No publisher called “{slug}”.") from None


@dataclass(frozen=True)
class LineageEvent:
    """A version in which one clause lineage was added, changed, renumbered or dropped."""

    version: DocumentVersion
    previous: DocumentVersion | None
    old: Clause | None
    new: Clause | None
    what: list[str]

    @property
    def lineage_key(self) -> str:
        return (self.new or self.old).lineage.key

    @property
    def compare_url(self) -> str:
        return changes.compare_url(self.previous, self.version)

    @property
    def kind(self) -> str:
        """documents.kinds, as the compare page of the two versions gives it."""
        from documents import permalinks

        return permalinks.step_kind(self.old, self.new, previous_version=self.previous, version=self.version)

    @property
    def sentence(self) -> str:
        kind = self.kind
        if self.old is None:
            return ("The clause was split off another clause in this version." if kind == "split"
                    else "The clause first appears in this version.")
        if self.new is None:
            return {"merged": "The clause was merged into another clause in this version.",
                    "split": "The clause was split into several clauses in this version."}.get(
                kind, "The clause was removed in this version.")
        parts = [{"editorial": "editorial change to the wording", "substantive": "the wording changed",
                  "moved": "moved", "split": "split: part of its words went to another clause",
                  "merged": "merged with another clause"}.get(kind, "")]
        if "renumbered" in self.what:
            parts.append(f"renumbered {self.old.number or '–'} → {self.new.number or '–'}")
        return ("; ".join(p for p in parts if p) or "changed").capitalize() + "."


def lineage_events(lineage: ClauseLineage) -> list[LineageEvent]:
    """Newest first: every version that changed this clause, from its first appearance."""
    timeline = list(lineage.document.versions.timeline().defer("source_text"))
    by_version = {c.version_id: c for c in lineage.clauses.select_related("lineage")}
    events = []
    before: Clause | None = None
    previous: DocumentVersion | None = None
    for version in timeline:
        here = by_version.get(version.pk)
        if here is not None:
            here.version = version
        what = []
        if here is not None and before is None:
            what = ["added"]
        elif here is None and before is not None:
            what = ["removed"]
        elif here is not None and before is not None:
            if here.text_sha != before.text_sha:
                what.append("amended")
            if here.number != before.number:
                what.append("renumbered")
        if what:
            events.append(LineageEvent(version=version, previous=previous, old=before, new=here, what=what))
        before, previous = here, version
    return events[::-1]


def watches_for_user(user) -> list[Watch]:
    """The user's watches; a clause watch carries ``clause_name``: how the clause reads
    in the newest version that has it ("§ 4.2 Cancellation"), not its key."""
    watches = list(Watch.objects.filter(user=user).select_related("document__publisher", "lineage__document__publisher")
                   .order_by("-active", "kind", "-created_at"))
    lineage_ids = {w.lineage_id for w in watches if w.lineage_id}
    latest: dict[int, Clause] = {}
    # Oldest first, so the newest version's clause is the one left in the dict.
    for clause in (Clause.objects.filter(lineage_id__in=lineage_ids).select_related("content")
                   .order_by("version__effective_date", "version__pk")):
        latest[clause.lineage_id] = clause
    for w in watches:
        clause = latest.get(w.lineage_id) if w.lineage_id else None
        w.clause_name = _clause_name(clause) if clause else ""
    return watches


def _clause_name(clause: Clause) -> str:
    """Its citation and heading ("§ 4.2 Cancellation"), else its first words."""
    name = " ".join(p for p in (f"§ {clause.number}" if clause.number else "", clause.heading) if p)
    if name:
        return name
    words = " ".join(clause.text.split()[:8])
    return f"“{words}…”" if words else clause.anchor


def watch_for_user(user, pk: int) -> Watch:
    try:
        return Watch.objects.get(user=user, pk=pk)
    except Watch.DoesNotExist:
        raise Http404("You have no such watch.") from None


def watch_for_token(token: str) -> Watch | None:
    watch_id = watch_id_from_token(token)
    if watch_id is None:
        return None
    return Watch.objects.select_related("document", "lineage__document", "user").filter(pk=watch_id).first()


def user_watch_state(user, *, document=None, lineage=None) -> Watch | None:
    """The user's active watch of this document or clause, for the Watch button."""
    if not getattr(user, "is_authenticated", False):
        return None
    qs = Watch.objects.active().filter(user=user)
    if document is not None:
        return qs.filter(kind=WatchKind.DOCUMENT, document=document).first()
    return qs.filter(kind=WatchKind.CLAUSE, lineage=lineage).first()


def alerts_recent(user, limit: int = 20) -> list[Alert]:
    return list(Alert.objects.filter(user=user).select_related("changeset__version__document")
                .order_by("-created_at")[:limit])


def is_undated(version: DocumentVersion) -> bool:
    """Dated only by the day it was added (see ``recent_changes``)."""
    return not version.effective_date_stated and version.recorded_date in (None, version.published_at.date())


def as_date(value) -> dt.datetime:
    return dt.datetime.combine(value, dt.time.min, tzinfo=dt.timezone.utc)
