"""The reads. Views and the API call these; they never build querysets of their own."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Count, Max, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Lower
from django.http import Http404

from documents.models import (
    Clause,
    ClauseLineage,
    ClauseLineageLink,
    ClauseSpan,
    Document,
    DocumentVersion,
    Publisher,
    RefusedCapture,
    TrackedRepository,
    VersionCheck,
    VersionKind,
    versions_between,
)

# A version's texts (source and normalized) are the bulk of its row: lists, banners and
# headers never show them, so they are never fetched outside the places that do.
VERSION_TEXTS = ("source_text",)  # the normalized text is derived, not stored
_CURRENT_TEXTS = tuple(f"current_version__{name}" for name in VERSION_TEXTS)


@dataclass(frozen=True)
class PublisherShelf:
    publisher: Publisher
    documents: list[Document]


def documents_by_publisher() -> list[PublisherShelf]:
    documents = (
        Document.objects.with_current()
        .defer(*_CURRENT_TEXTS)
        .filter(current_version__isnull=False)
        .annotate(version_count=Count("versions"))
        .order_by("publisher__name", "title")
    )
    return [
        PublisherShelf(publisher=publisher, documents=list(docs))
        for publisher, docs in groupby(documents, key=lambda d: d.publisher)
    ]


def document_list() -> list[Document]:
    """Every document with all its versions (the compare page's chooser)."""
    return list(
        Document.objects.with_current()
        .defer(*_CURRENT_TEXTS)
        .prefetch_related(Prefetch("versions", queryset=DocumentVersion.objects.timeline().only(
            "pk", "label", "effective_date", "document_id")))
        .order_by("publisher__name", "title")
    )


def document_count() -> int:
    return Document.objects.count()


def document_page(start: int, stop: int) -> list[Document]:
    """Documents ``start`` to ``stop`` by publisher then title, each with ``version_count``
    (counted for this page's documents only, from the versions' document index) and its
    current version's label and date, never its texts."""
    documents = list(
        Document.objects.select_related("publisher", "current_version")
        .only("pk", "slug", "title", "kind", "publisher__id", "publisher__slug", "publisher__name",
              "current_version__id", "current_version__label", "current_version__effective_date",
              "current_version__recorded_date",
              "current_version__document_id")
        .order_by("publisher__name", "title", "pk")[start:stop]
    )
    counts = dict(DocumentVersion.objects.filter(document_id__in=[d.pk for d in documents])
                  .values_list("document_id").annotate(n=Count("pk")).values_list("document_id", "n"))
    for d in documents:
        d.version_count = counts.get(d.pk, 0)
        if d.current_version is not None:
            d.current_version.document = d  # its URL names the document: spare a query
    return documents


def version_count(document: Document) -> int:
    return document.versions.count()


def version_page(document: Document, start: int, stop: int) -> list[DocumentVersion]:
    """Versions ``start`` to ``stop`` of the document's timeline (oldest first): labels and
    dates only."""
    versions = list(document.versions.timeline().only("pk", "label", "effective_date", "document_id")[start:stop])
    for v in versions:
        v.document = document
    return versions


def timeline_entries(document_ids: list[int]) -> dict[int, list[dict]]:
    """Each document's timeline as plain entries, oldest first: its versions (label, dates,
    kind, the file or commit it came from) and its checks (a recapture identical to a
    version: ``check`` true, the label of the version it matched, the day it was recorded).
    Two reads whatever the number of documents; never a text."""
    entries: dict[int, list[dict]] = {pk: [] for pk in document_ids}
    labels: dict[int, str] = {}
    rows = (DocumentVersion.objects.filter(document_id__in=document_ids).timeline()
            .values_list("pk", "document_id", "label", "kind", "effective_date", "recorded_date",
                         "source_filename", "source_commit"))
    for pk, document_id, label, kind, effective, recorded, filename, commit in rows:
        labels[pk] = label
        entries[document_id].append({
            "label": label, "kind": kind, "effective_date": effective.isoformat(),
            "recorded_date": recorded.isoformat() if recorded else None,
            "source_filename": filename.rsplit("/", 1)[-1], "source_commit": commit or None,
        })
    checks = (VersionCheck.objects.filter(document_id__in=document_ids).order_by("recorded_date", "pk")
              .values_list("document_id", "version_id", "recorded_date", "source_commit"))
    for document_id, version_id, recorded, commit in checks:
        entries[document_id].append({
            "label": labels.get(version_id), "check": True, "unchanged_since": labels.get(version_id),
            "recorded_date": recorded.isoformat(), "date": recorded.isoformat(), "source_commit": commit or None,
        })
    return entries


@dataclass(frozen=True)
class CheckSummary:
    """How often a version's text was recorded again unchanged, and when last."""

    count: int
    last: dt.date


def version_checks(document: Document) -> dict[int, CheckSummary]:
    """For each version of ``document`` that was checked (an identical recapture), how
    many times and the latest day: one grouped read."""
    rows = (VersionCheck.objects.filter(document=document).order_by().values("version_id")
            .annotate(n=Count("pk"), last=Max("recorded_date")).values_list("version_id", "n", "last"))
    return {version_id: CheckSummary(count=n, last=last) for version_id, n, last in rows}


def document_get(slug: str) -> Document:
    try:
        return Document.objects.with_current().defer(*_CURRENT_TEXTS).get(slug=slug)
    except Document.DoesNotExist:
        raise Http404(f"No document called “{slug}”.") from None


def version_timeline(document: Document) -> list[DocumentVersion]:
    versions = list(document.versions.timeline().defer(*VERSION_TEXTS))
    dates = Counter(v.effective_date for v in versions)
    for v in versions:
        v.shares_date = dates[v.effective_date] > 1  # "16 Nov 2020 · recorded 2 Jan 2024"
    return versions


def version_get(document: Document, label: str) -> DocumentVersion:
    """A version by its label; "current" and "latest" name the version in force."""
    if label in {"current", "latest"}:
        if document.current_version is None:
            raise Http404(f"{document.title} has no published version.")
        return document.current_version
    try:
        return document.versions.select_related("document__publisher").defer(*VERSION_TEXTS).get(label=label)
    except DocumentVersion.DoesNotExist:
        pass
    # Not a label: a day a version was recorded reaches it too (two versions stating the
    # same date are told apart, and found, by when each was recorded).
    try:
        recorded = dt.date.fromisoformat(label) if len(label) == 10 else None
    except ValueError:
        recorded = None
    found = (document.versions.select_related("document__publisher").defer(*VERSION_TEXTS)
             .filter(recorded_date=recorded).order_by("-effective_date", "-pk").first()) if recorded else None
    if found is None:
        raise Http404(f"{document.title} has no version “{label}”.")
    return found


def version_as_of(document: Document, date: dt.date) -> DocumentVersion | None:
    """The version in force on ``date``: the latest one that took effect on or before it."""
    return document.versions.as_of(date).defer(*VERSION_TEXTS).first()


def version_clauses(version: DocumentVersion) -> list[Clause]:
    return list(version.clauses.select_related("lineage").order_by("position"))


def versions_clauses_for_alignment(version_ids) -> dict[int, list[Clause]]:
    """The clauses of several versions in one query, in order, with only what the aligner
    reads (number, heading, text) and their lineage: no bodies."""
    by_version: dict[int, list[Clause]] = {pk: [] for pk in version_ids}
    rows = Clause.objects.filter(version_id__in=list(by_version)).order_by("version_id", "position").only(
        "pk", "version_id", "number", "heading", "text", "lineage_id")
    for clause in rows:
        by_version[clause.version_id].append(clause)
    return by_version


def version_ref_parse(ref: str) -> tuple[str, str]:
    """``zendesk-cookie-policy@2022-01-31`` -> (slug, label); no ``@`` means current."""
    slug, _, label = (ref or "").strip().partition("@")
    if not slug:
        raise Http404("Name a document, as slug@version.")
    return slug, label or "current"


def version_by_ref(ref: str) -> DocumentVersion:
    slug, label = version_ref_parse(ref)
    return version_get(document_get(slug), label)


def lineage_get(key: str) -> ClauseLineage:
    try:
        return (
            ClauseLineage.objects.select_related("document__publisher", "document__current_version")
            .defer(*(f"document__{name}" for name in _CURRENT_TEXTS))
            .get(key=key)
        )
    except ClauseLineage.DoesNotExist:
        raise Http404(f"No clause has the key “{key}”.") from None


def lineage_roots(document_id: int) -> dict[int, int]:
    """Lineage id -> the smallest id of its group, for the lineages that have links.

    Keys joined by ClauseLineageLink rows (a back-dated version that bridged two
    keys) name one clause; lineages without links are their own group and are not
    in the dict.
    """
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b in ClauseLineageLink.objects.filter(document_id=document_id).values_list("lineage_id", "same_as_id"):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
        parent.setdefault(a, a)
        parent.setdefault(b, b)
    return {x: find(x) for x in parent}


def lineage_group_ids(lineage: ClauseLineage) -> list[int]:
    """Every lineage id that names the same clause as ``lineage`` (itself included).

    Kept on the lineage instance: a clause page asks for its history, its banner and
    its moves, and links only ever grow by a publish, not within a request."""
    group = getattr(lineage, "_group_ids", None)
    if group is None:
        roots = lineage_roots(lineage.document_id)
        root = roots.get(lineage.pk)
        group = [lineage.pk] if root is None else sorted(x for x, r in roots.items() if r == root)
        lineage._group_ids = group
    return group


def lineage_history(lineage: ClauseLineage) -> list[Clause]:
    """The clause of this lineage (and of keys linked to it) in each version that has it, oldest first.

    Kept on the lineage instance: a clause page asks twice (the clause, its banner).
    Each clause's version points back at the lineage's document, already loaded, so
    a citation does not fetch the document again."""
    history = getattr(lineage, "_history", None)
    if history is None:
        history = list(
            Clause.objects.filter(lineage_id__in=lineage_group_ids(lineage)).select_related("version")
            # The markdown body is only rendered for the clause shown, once (cached).
            .defer("body", *(f"version__{name}" for name in VERSION_TEXTS))
            .order_by("version__effective_date", "version__published_at", "version__pk")
        )
        linked = {}
        if len(lineage_group_ids(lineage)) > 1:
            linked = ClauseLineage.objects.in_bulk(lineage_group_ids(lineage))
        for clause in history:
            clause.version.document = lineage.document
            # Permalinks name the key: the page's lineage, or the linked key a clause has.
            clause.lineage = lineage if clause.lineage_id == lineage.pk else linked[clause.lineage_id]
        lineage._history = history
    return history


def clause_in_version(lineage: ClauseLineage, version: DocumentVersion) -> Clause | None:
    """The clause of this lineage (or a key linked to it) in ``version``, from its history."""
    return next((c for c in lineage_history(lineage) if c.version_id == version.pk), None)


def search_hits_versions(hits, params) -> None:
    """Fill in which versions hold each hit's text, and the one it links to.

    The index does not store this (a carried-over clause would rewrite its entry on
    every publish): it is derived from each span's first version, the version that
    ended it and the document's timeline. Two small queries per results page.
    """
    from documents.search.results import labels_for as _labels_for

    ids = [hit.span_id for hit in hits if hit.span_id]
    if not ids:
        return
    spans = {
        pk: (document_id, first_version, ended_by)
        for pk, document_id, first_version, ended_by in ClauseSpan.objects.filter(pk__in=ids).values_list(
            "pk", "document_id", "first_clause__version_id", "ended_by_id"
        )
    }
    # Ids and labels only, as tuples: an archive's document has hundreds of versions,
    # and model instances for all of them were most of a results page's database time.
    timelines: dict[int, tuple[list[int], list[str]]] = {}
    rows = (
        DocumentVersion.objects.filter(document_id__in={s[0] for s in spans.values()})
        .timeline().values_list("pk", "label", "document_id")
    )
    for pk, label, document_id in rows:
        ids_labels = timelines.setdefault(document_id, ([], []))
        ids_labels[0].append(pk)
        ids_labels[1].append(label)
    for hit in hits:
        span = spans.get(hit.span_id)
        if span is None:
            continue
        version_ids, version_labels = timelines.get(span[0], ([], []))
        try:
            start = version_ids.index(span[1])
        except ValueError:
            labels = []
        else:
            end = version_ids.index(span[2], start) if span[2] in version_ids else len(version_ids)
            labels = version_labels[start:end]
        hit.version_labels = labels
        hit.version_label = _labels_for(labels, params)
        hit.version_date = _as_date(hit.version_label)


def _as_date(label: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(label[:10])
    except ValueError:
        return None


# --- Home: one table of documents, and what changed lately --------------------------


@dataclass(frozen=True)
class DocumentFilter:
    """The home page's filters; blank means any."""

    text: str = ""
    publisher: str = ""  # publisher slug
    kind: str = ""


def document_table(filters: DocumentFilter = DocumentFilter()) -> list[Document]:
    """Published documents with ``version_count`` and ``last_change`` (the newest version's
    date, the one it takes effect: never the day it was recorded or imported here, which
    says nothing about the document; read from the version_timeline index), by publisher
    then title, whatever their case ("iCloud" between "Grammarly" and "Netflix")."""
    documents = (
        Document.objects.with_current().defer(*_CURRENT_TEXTS)
        .filter(current_version__isnull=False)
        .annotate(version_count=Count("versions"), last_change=Max("versions__effective_date"))
        .order_by(Lower("publisher__name"), Lower("title"), "pk")
    )
    if filters.publisher:
        documents = documents.filter(publisher__slug=filters.publisher)
    if filters.kind:
        documents = documents.filter(kind=filters.kind)
    if filters.text:
        for word in filters.text.split()[:8]:
            documents = documents.filter(
                Q(title__icontains=word) | Q(publisher__name__icontains=word)
                | Q(current_version__official_title__icontains=word)
            )
    documents = list(documents)
    for d in documents:
        d.current_version.document = d  # its URL names the document: spare a query per row
    return documents


def versions_generation() -> tuple[int, int | None]:
    """Which versions exist: their number and newest id. Versions are never changed or
    deleted, so this changes exactly when one is published (and the index with it)."""
    versions = DocumentVersion.objects.aggregate(n=Count("pk"), last=Max("pk"))
    return versions["n"], versions["last"]


@dataclass(frozen=True)
class Catalogue:
    """What the home page needs before its table: a digest of everything the page shows,
    and the publishers to filter by."""

    fingerprint: str
    publishers: list[Publisher]  # those with a published document, by name


def catalogue() -> Catalogue:
    """Which versions exist (never changed or deleted, so their count and newest id say
    it), and the documents' and publishers' names, slugs, kinds and current versions
    (editable in the admin): three small queries of ids and names, no texts."""
    documents = list(Document.objects.order_by("pk").values_list(
        "pk", "slug", "title", "kind", "publisher_id", "current_version_id"))
    publishers = list(Publisher.objects.order_by(Lower("name"), "pk").values_list("pk", "slug", "name"))
    fingerprint = hashlib.sha1(repr((versions_generation(), documents, publishers)).encode()).hexdigest()
    shelved = {publisher_id for _pk, _slug, _title, _kind, publisher_id, current in documents if current}
    return Catalogue(fingerprint=fingerprint, publishers=[
        Publisher(pk=pk, slug=slug, name=name) for pk, slug, name in publishers if pk in shelved])


@dataclass(frozen=True)
class RecentChange:
    version: DocumentVersion
    previous: DocumentVersion | None  # the version before it on the timeline; None for a first version


def _before(field: str):
    """The versions of the same document before OuterRef's version on the timeline
    (effective date, then publication, then id: ``VersionQuerySet.timeline``), nearest first."""
    ref = {name: OuterRef(name) for name in ("document_id", "effective_date", "published_at", "pk")}
    return (DocumentVersion.objects.filter(document_id=ref["document_id"])
            .filter(Q(effective_date__lt=ref["effective_date"])
                    | Q(effective_date=ref["effective_date"], published_at__lt=ref["published_at"])
                    | Q(effective_date=ref["effective_date"], published_at=ref["published_at"], pk__lt=ref["pk"]))
            .order_by("-effective_date", "-published_at", "-pk").values(field)[:1])


def previous_versions(versions: list[DocumentVersion]) -> dict[int, DocumentVersion | None]:
    """version pk -> the version before it on its document's timeline (None for a first
    version): each predecessor found by the database, then those predecessors (label
    and dates) in one query. The documents' other versions are never read, so a page of
    changes costs the same whether a document has 3 versions or 300."""
    if not versions:
        return {}
    before = dict(DocumentVersion.objects.filter(pk__in=[v.pk for v in versions])
                  .annotate(before=Subquery(_before("pk"))).values_list("pk", "before"))
    found = DocumentVersion.objects.only("pk", "label", "effective_date", "published_at", "document_id").in_bulk(
        [pk for pk in before.values() if pk is not None])
    return {pk: found.get(previous) for pk, previous in before.items()}


def recent_changes(limit: int = 8) -> list[RecentChange]:
    """The newest versions that changed a document (a document's first version is not a
    change), newest effective date first, each with the version it followed."""
    # A few more candidates than shown: the newest may include first versions.
    candidates = list(
        DocumentVersion.objects.select_related("document__publisher")
        .defer(*VERSION_TEXTS)
        .exclude(kind=VersionKind.CORRECTION)  # the archive's re-extractions are not changes
        .order_by("-effective_date", "-published_at", "-pk")[: limit * 4]
    )
    previous = previous_versions(candidates)
    changes = []
    for version in candidates:
        before = previous[version.pk]
        if before is not None:
            before.document = version.document
            changes.append(RecentChange(version=version, previous=before))
    return changes[:limit]


# --- A clause's history --------------------------------------------------------------


@dataclass(frozen=True)
class HistoryStep:
    """One version on a clause's timeline.

    ``kind``: the kind of change from the version before (documents.kinds, as the
    compare page of the two versions gives it): "added" or "split" (first version with
    the clause), "unchanged", "editorial", "substantive", "moved", "renumbered", "split",
    "merged", or "removed" / "merged" / "split" (the version that dropped it: ``clause``
    is then None).
    """

    version: DocumentVersion
    clause: Clause | None
    kind: str
    previous: DocumentVersion | None  # the version compared with
    renumbered: bool = False
    moved: bool = False
    old_number: str = ""

    @property
    def is_change(self) -> bool:
        return self.kind not in {"unchanged"} or self.renumbered or self.moved


def clause_history(lineage: ClauseLineage) -> list[HistoryStep]:
    """Every version of the document from the clause's first appearance on: what happened
    to the clause in each (added, unchanged, editorial, substantive, renumbered, moved,
    removed, back again), oldest first. Versions that never had it before its first
    appearance are left out."""
    from documents import permalinks  # permalinks reads through selectors

    # The history the page already holds (linked keys included), and one timeline.
    by_version = {c.version_id: c for c in lineage_history(lineage)}
    timeline = version_timeline(lineage.document)
    for version in timeline:
        clause = by_version.get(version.pk)
        if clause is not None:
            version.document = lineage.document
            clause.version = version  # spare a query per clause for its permalink
    # What the comparison of each pair of consecutive versions says of this clause (its
    # kind, documents.kinds, and whether it moved): asked for all pairs at once, so the
    # versions not compared yet load together.
    pairs = [(a, b) for a, b in zip(timeline, timeline[1:]) if a.pk in by_version or b.pk in by_version]
    found = permalinks.pair_kinds_many(pairs)
    group = set(lineage_group_ids(lineage))
    steps: list[HistoryStep] = []
    previous_version: DocumentVersion | None = None
    last_clause: Clause | None = None
    for version in timeline:
        clause = by_version.get(version.pk)
        pair = found.get((previous_version.pk, version.pk)) if previous_version is not None else None
        if clause is None:
            if last_clause is not None:
                kind = permalinks.step_kind(last_clause, None, version=version, found=pair)
                steps.append(HistoryStep(version=version, clause=None, kind=kind, previous=previous_version))
                last_clause = None
        elif last_clause is None:
            kind = (permalinks.step_kind(None, clause, previous_version=previous_version, found=pair)
                    if previous_version is not None else "added")
            steps.append(HistoryStep(version=version, clause=clause, kind=kind, previous=previous_version))
            last_clause = clause
        else:
            moved = bool(group & pair.moved) if pair is not None else False
            steps.append(HistoryStep(
                version=version, clause=clause, previous=last_clause.version,
                kind=permalinks.step_kind(last_clause, clause, found=pair if last_clause.version is previous_version
                                          or last_clause.version_id == previous_version.pk else None),
                renumbered=clause.number != last_clause.number, moved=moved, old_number=last_clause.number,
            ))
            last_clause = clause
        previous_version = version
    return steps


# --- The tracked archives (import_ota) ----------------------------------------------------

REFUSED_PAGE_SIZE = 50


@dataclass(frozen=True)
class TrackedCollection:
    repository: TrackedRepository
    versions: int
    corrections: int
    checks: int
    refused: int


def collections() -> list[TrackedCollection]:
    """Every tracked repository with what its import made: counted in one query each."""
    from django.db.models import Count, Q

    repositories = list(TrackedRepository.objects.order_by("name"))
    versions = dict(
        (row["origin_id"], row) for row in DocumentVersion.objects.filter(origin__isnull=False).order_by()
        .values("origin_id").annotate(versions=Count("pk", filter=Q(kind=VersionKind.VERSION)),
                                      corrections=Count("pk", filter=Q(kind=VersionKind.CORRECTION)))
    )
    checks = dict(VersionCheck.objects.filter(origin__isnull=False).order_by().values("origin_id")
                  .annotate(n=Count("pk")).values_list("origin_id", "n"))
    refused = dict(RefusedCapture.objects.order_by().values("repository_id").annotate(n=Count("pk"))
                   .values_list("repository_id", "n"))
    return [
        TrackedCollection(
            repository=r, versions=versions.get(r.pk, {}).get("versions", 0),
            corrections=versions.get(r.pk, {}).get("corrections", 0), checks=checks.get(r.pk, 0),
            refused=refused.get(r.pk, 0),
        )
        for r in repositories
    ]


def refused_captures(*, page: int = 1, page_size: int = REFUSED_PAGE_SIZE) -> tuple[list[RefusedCapture], int]:
    """Refused captures, newest recorded first, one page of them; and how many in all."""
    qs = RefusedCapture.objects.select_related("repository", "document")
    start = (max(1, page) - 1) * page_size
    return list(qs.order_by("-recorded_date", "-pk")[start:start + page_size]), qs.count()
