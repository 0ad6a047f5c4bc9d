"""What a version changed, compared with the version before it.

Two views of one change set:

* ``lineage_changes`` follows clause lineages (the identity permalinks carry): cheap,
  a single query, so the publish transaction can use it to find the watchers;
* ``change_summary`` runs the aligner, as the compare page does, for the counts shown
  on the recent changes page and in the feeds (added / removed / changed / moved /
  renumbered, editorial vs substantive). Versions never change, so each pair is
  computed once and kept in ChangeSummary.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from documents import diff, kinds, selectors
from documents.alerts.models import ChangeSummary
from documents.clause_names import clause_title
from documents.models import Clause, DocumentVersion

ADDED, REMOVED, AMENDED, RENUMBERED = "added", "removed", "amended", "renumbered"


def version_previous(version: DocumentVersion) -> DocumentVersion | None:
    """The version just before ``version`` on its document's timeline."""
    timeline = list(version.document.versions.timeline().only("pk", "label", "effective_date", "published_at",
                                                              "document_id"))
    for before, this in zip(timeline, timeline[1:]):
        if this.pk == version.pk:
            return before
    return None


def compare_url(previous: DocumentVersion | None, version: DocumentVersion) -> str:
    if previous is None:
        return version.get_absolute_url()
    slug = version.document.slug
    return f"{reverse('documents:compare')}?{urlencode({'a': f'{slug}@{previous.label}', 'b': f'{slug}@{version.label}'})}"


def lineage_changes(previous: DocumentVersion | None, version: DocumentVersion) -> dict[int, set[str]]:
    """lineage id -> what happened to it ({"amended", "renumbered"}, {"added"}, {"removed"}).
    Lineages that read the same in both versions are left out."""
    rows = Clause.objects.filter(version_id__in=[v.pk for v in (previous, version) if v is not None]).values_list(
        "version_id", "lineage_id", "text_sha", "number")
    old: dict[int, tuple[str, str]] = {}
    new: dict[int, tuple[str, str]] = {}
    for version_id, lineage_id, sha, number in rows:
        (new if version_id == version.pk else old)[lineage_id] = (sha, number)
    return changes_between(old, new)


def changes_between(old: dict[int, tuple[str, str]], new: dict[int, tuple[str, str]]) -> dict[int, set[str]]:
    """``lineage_changes`` of two versions given as {lineage id: (text sha, number)}: the
    publish has both at hand, so its outbox need not read the clauses back."""
    out: dict[int, set[str]] = {}
    for lineage_id, (sha, number) in new.items():
        before = old.get(lineage_id)
        if before is None:
            out[lineage_id] = {ADDED}
            continue
        changes = set()
        if before[0] != sha:
            changes.add(AMENDED)
        if before[1] != number:
            changes.add(RENUMBERED)
        if changes:
            out[lineage_id] = changes
    for lineage_id in old.keys() - new.keys():
        out[lineage_id] = {REMOVED}
    return out


@dataclass(frozen=True)
class ClauseChange:
    """One changed clause, ready for an e-mail or a page."""

    key: str
    old: Clause | None
    new: Clause | None
    changes: frozenset[str]
    kind: str  # documents.kinds: the compare page's word for this change
    diff_html: SafeString  # inline word diff (escaped text, <del>/<ins> marks)
    diff_text: str  # the same for a plain-text e-mail: [-old-]{+new+}

    @property
    def clause(self) -> Clause:
        return self.new or self.old

    @property
    def title(self) -> str:
        return clause_title(self.clause)

    @property
    def status(self) -> str:
        """The change in words: its kind (documents.kinds, as on the compare page), and a
        renumbering when the kind does not already say it."""
        words = {kinds.EDITORIAL: "editorial change", kinds.SUBSTANTIVE: "substantive change"}.get(self.kind, self.kind)
        if RENUMBERED in self.changes and self.kind not in (kinds.RENUMBERED, kinds.ADDED, kinds.REMOVED):
            return f"{words}, renumbered"
        return words

    @property
    def permalink(self) -> str:
        return self.clause.get_permalink()


def diff_text(old: str, new: str) -> str:
    """A word diff for plain-text mail: ``[-removed-]{+inserted+}`` (wdiff's notation)."""
    parts = []
    for op, text in diff.word_diff(old, new):
        if op == diff.EQUAL:
            parts.append(text)
        elif op == diff.DELETE:
            parts.append(f"[-{text}-]")
        else:
            parts.append(f"{{+{text}+}}")
    return "".join(parts)


def clause_changes(previous: DocumentVersion | None, version: DocumentVersion,
                   lineage_ids: set[int] | None = None) -> list[ClauseChange]:
    """The changed clauses of ``version`` (only ``lineage_ids`` when given), in the
    order of the new version, removed clauses last."""
    changes = lineage_changes(previous, version)
    if lineage_ids is not None:
        changes = {k: v for k, v in changes.items() if k in lineage_ids}
    if not changes:
        return []
    clauses = Clause.objects.filter(
        version_id__in=[v.pk for v in (previous, version) if v is not None], lineage_id__in=changes,
    ).select_related("lineage", "version__document")
    old, new = {}, {}
    for c in clauses:
        (new if c.version_id == version.pk else old)[c.lineage_id] = c
    from documents import permalinks  # permalinks reads through selectors

    found = permalinks.pair_kinds(previous, version) if previous is not None else None
    out = []
    for lineage_id, what in changes.items():
        a, b = old.get(lineage_id), new.get(lineage_id)
        if a is not None:
            a.version = previous
        if b is not None:
            b.version = version
        kind = permalinks.step_kind(a, b, previous_version=previous, version=version, found=found)
        html, text = "", ""
        if a is not None and b is not None and AMENDED in what:
            html = diff.render_inline_diff_html(a.text, b.text)
            text = diff_text(a.text, b.text)
        elif a is None and b is not None:
            text = b.text
        key = (b or a).lineage.key
        out.append(ClauseChange(key=key, old=a, new=b, changes=frozenset(what), kind=kind,
                                diff_html=mark_safe(html), diff_text=text))  # noqa: S308 - diff escapes every word
    out.sort(key=lambda ch: (ch.new is None, ch.new.position if ch.new else ch.old.position))
    return out


def _compute_counts(previous: DocumentVersion | None, version: DocumentVersion) -> dict[str, int]:
    if previous is None:
        new = selectors.version_clauses(version)
        return {"added": len(new), "removed": 0, "changed": 0, "moved": 0, "renumbered": 0,
                "unchanged": 0, "editorial": 0, "substantive": 0, "total": len(new)}
    from documents import comparison

    # The compare page's rows and kinds (documents.kinds), so a feed counts what the page shows.
    result = comparison.compare_versions(previous, version)
    counts = dict(result.summary)
    by_kind = result.counts
    counts["editorial"], counts["substantive"] = by_kind[kinds.EDITORIAL], by_kind[kinds.SUBSTANTIVE]
    counts["split"], counts["merged"] = by_kind[kinds.SPLIT], by_kind[kinds.MERGED]
    # "changed": the clauses whose words changed, typography included.
    counts["changed"] = sum(1 for r in result.rows if r.old is not None and r.new is not None and r.changed)
    return counts


def change_summary(version: DocumentVersion, previous: DocumentVersion | None) -> dict[str, int]:
    """Counts of what changed from ``previous`` to ``version``; computed once per pair."""
    return change_summaries([(version, previous)])[version.pk]


def change_summaries(pairs: list[tuple[DocumentVersion, DocumentVersion | None]]) -> dict[int, dict[str, int]]:
    """version pk -> the counts of what changed from its ``previous``, for a page of
    pairs: the kept ones in one query, the others computed (once: versions never change)
    and kept."""
    kept = {(row.version_id, row.previous_id): row.counts for row in
            ChangeSummary.objects.filter(version_id__in=[v.pk for v, _ in pairs]).only("version_id", "previous_id", "counts")}
    out = {}
    for version, previous in pairs:
        key = (version.pk, previous.pk if previous is not None else None)
        counts = kept.get(key)
        if counts is None:
            counts = _compute_counts(previous, version)
            try:
                with transaction.atomic():
                    ChangeSummary.objects.create(version=version, previous=previous, counts=counts)
            except IntegrityError:
                pass  # computed meanwhile by another request: the same counts
        out[version.pk] = counts
    return out


def summary_sentence(counts: dict[str, int], previous: DocumentVersion | None) -> str:
    """"3 clauses changed (1 editorial), 1 added." — for feeds and the changes page."""
    if previous is None:
        return f"First version: {counts.get('added', 0)} clauses."
    parts = []
    changed = counts.get("changed", 0)
    if changed:
        part = f"{changed} clause{'s' if changed != 1 else ''} changed"
        if counts.get("editorial"):
            part += f" ({counts['editorial']} editorial only)"
        parts.append(part)
    for name in ("added", "removed", "split", "merged", "moved", "renumbered"):
        if counts.get(name):
            parts.append(f"{counts[name]} {name}")
    if not parts:
        return "No clause changed (only layout or whitespace)."
    return ", ".join(parts).capitalize() + "."
