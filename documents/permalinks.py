"""What became of a clause since the version a link points at.

A pinned link shows the clause as it read; when the document's newest version differs,
the banner says how: amended (with the word diff), renumbered, moved, or removed (with
the date and the last version that had it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from documents import align, diff, selectors
from documents.presenters import clause_title
from documents.models import Clause, ClauseLineage, DocumentVersion


@dataclass(frozen=True)
class ClauseFate:
    """How the newest version treats a clause. ``changes`` is empty when it is the same."""

    clause: Clause  # the clause the link shows
    latest: Clause | None  # the same lineage in the document's current version
    changes: list[str] = field(default_factory=list)  # "amended", "renumbered", "moved"
    removed_in: DocumentVersion | None = None  # the version that dropped it
    last_with: Clause | None = None  # the last clause of the lineage before it was dropped
    diff_html: SafeString = field(default=mark_safe(""))  # only the changed words, with a little context
    editorial: bool = False  # amended in punctuation, quotes, dashes, spacing or case only
    went_to: list[Clause] = field(default_factory=list)  # where a removed clause's words went
    split_into: list[Clause] = field(default_factory=list)  # new clauses part of an amended one's words went to

    @property
    def is_latest(self) -> bool:
        return self.latest is not None and self.latest.pk == self.clause.pk

    @property
    def removed(self) -> bool:
        return self.latest is None


def _moved_lineages(old: DocumentVersion, new: DocumentVersion) -> set[int]:
    """Lineage ids of clauses whose order changed between two versions (cached: versions never change)."""
    return moved_lineages_many([(old, new)])[(old.pk, new.pk)]


def moved_lineages_many(pairs) -> dict[tuple[int, int], set[int]]:
    """``_moved_lineages`` for each (old, new) pair, keyed by their ids: the pairs not
    cached yet have the clauses of their versions loaded in one query."""
    keys = {(old.pk, new.pk): f"moved:{old.pk}:{new.pk}" for old, new in pairs}
    found = cache.get_many(list(keys.values())) if keys else {}
    result = {pair: found[key] for pair, key in keys.items() if key in found}
    missing = [pair for pair in keys if pair not in result]
    if missing:
        clauses = selectors.versions_clauses_for_alignment({pk for pair in missing for pk in pair})
        for old_pk, new_pk in missing:
            old_clauses, new_clauses = clauses.get(old_pk, []), clauses.get(new_pk, [])
            result[(old_pk, new_pk)] = {
                new_clauses[row.new_index].lineage_id
                for row in align.align(old_clauses, new_clauses)
                if row.moved and row.new_index is not None
            }
        cache.set_many({keys[pair]: result[pair] for pair in missing}, timeout=None)
    return result


def _went_to(last_with: Clause, removed_in: DocumentVersion) -> list[Clause]:
    """The clauses of ``removed_in`` that hold the words of a dropped clause (cached)."""
    key = f"went-to:{last_with.pk}:{removed_in.pk}"
    ids = cache.get(key)
    if ids is None:
        candidates = selectors.version_clauses(removed_in)
        ids = [candidates[j].pk for j, _ in align.destinations(last_with, candidates)]
        cache.set(key, ids, timeout=None)
    by_pk = {c.pk: c for c in Clause.objects.filter(pk__in=ids).select_related("version", "lineage")}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def _split_into(clause: Clause, latest: Clause) -> list[Clause]:
    """Clauses new since ``clause``'s version that took part of its words while the
    rest stayed in ``latest``: the clause was split (cached: versions never change)."""
    key = f"split-into:{clause.pk}:{latest.version_id}"
    ids = cache.get(key)
    if ids is None:
        candidates = selectors.version_clauses(latest.version)
        before = set(clause.version.clauses.values_list("lineage_id", flat=True))
        found = [candidates[j] for j, _ in align.destinations(clause, candidates)]
        ids = []
        if any(c.pk == latest.pk for c in found):
            ids = [c.pk for c in found if c.pk != latest.pk and c.lineage_id not in before]
        cache.set(key, ids, timeout=None)
    by_pk = {c.pk: c for c in Clause.objects.filter(pk__in=ids).select_related("version", "lineage")}
    return [by_pk[pk] for pk in ids if pk in by_pk]



def clause_fate(lineage: ClauseLineage, clause: Clause) -> ClauseFate:
    document = lineage.document
    current = document.current_version
    history = selectors.lineage_history(lineage)
    latest = next((c for c in history if c.version_id == current.pk), None) if current else None
    if latest is None:
        last_with = history[-1]
        timeline = selectors.version_timeline(document)
        later = [v for v in timeline if (v.effective_date, v.pk) > (last_with.version.effective_date, last_with.version.pk)]
        removed_in = later[0] if later else None
        went_to = _went_to(last_with, removed_in) if removed_in is not None else []
        return ClauseFate(clause=clause, latest=None, removed_in=removed_in, last_with=last_with, went_to=went_to)
    if latest.pk == clause.pk:
        return ClauseFate(clause=clause, latest=latest)
    changes = []
    diff_html = ""
    editorial = False
    split_into: list[Clause] = []
    if latest.text_sha != clause.text_sha:
        changes.append("amended")
        split_into = _split_into(clause, latest)
        kind = diff.change_kind(f"{clause.heading}\n{clause.text}", f"{latest.heading}\n{latest.text}")
        editorial = kind != diff.SUBSTANTIVE
        diff_html = diff.render_changes_only_html(clause.text, latest.text)
        if clause.heading != latest.heading:
            diff_html = diff.render_changes_only_html(clause.heading, latest.heading) + (" · " if diff_html else "") + diff_html
    if latest.number != clause.number:
        changes.append("renumbered")
    if set(selectors.lineage_group_ids(lineage)) & _moved_lineages(clause.version, latest.version):
        changes.append("moved")
    return ClauseFate(
        clause=clause, latest=latest, changes=changes, editorial=editorial, split_into=split_into,
        diff_html=mark_safe(diff_html),  # noqa: S308 - diff escapes every piece of text
    )


def citation(clause: Clause, url: str) -> str:
    """A citation to paste into a ticket: document, clause, version date, link, quote."""
    document = clause.version.document
    # The full citation path ("§ 1.7(g) Downloads", "Schedule 2, Cookies", an untitled
    # item by its path and first words), as the clause's own page names it.
    where = clause_title(clause)
    quote = " ".join(clause.text.split())
    if len(quote) > 400:
        quote = quote[:400].rsplit(" ", 1)[0] + " …"
    # The title the document gives itself, when it gives one: what a reader will find on it.
    head = f"{document.publisher.name}, {clause.version.official_title or document.title}"
    if where:
        head += f", {where}"
    return f"{head} (version of {clause.version.effective_date.isoformat()}). {url}\n“{quote}”"
