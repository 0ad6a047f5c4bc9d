"""What became of a clause since the version a link points at.

A pinned link shows the clause as it read; when the document's newest version differs,
the banner says how: amended (with the word diff), renumbered, moved, or removed (with
the date and the last version that had it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from documents import align, diff, kinds, selectors
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
    kind: str = kinds.UNCHANGED  # documents.kinds: the one word every surface gives this change

    @property
    def is_latest(self) -> bool:
        return self.latest is not None and self.latest.pk == self.clause.pk

    @property
    def removed(self) -> bool:
        return self.latest is None


@dataclass(frozen=True)
class PairKinds:
    """What the alignment of two versions says of each clause, by lineage id: the kind
    of its change (documents.kinds, the same as the compare page's rows), and which
    lineages moved. ``old`` holds the kinds of the old version's clauses (removed,
    merged and split ones included), ``new`` those of the new version's."""

    old: dict[int, str]
    new: dict[int, str]
    moved: frozenset[int]
    paired: dict[int, int]  # new lineage id -> the old lineage id its row pairs it with


def _moved_lineages(old: DocumentVersion, new: DocumentVersion) -> set[int]:
    """Lineage ids of clauses whose order changed between two versions (cached: versions never change)."""
    return moved_lineages_many([(old, new)])[(old.pk, new.pk)]


def moved_lineages_many(pairs) -> dict[tuple[int, int], set[int]]:
    """``_moved_lineages`` for each (old, new) pair, keyed by their ids."""
    return {key: set(found.moved) for key, found in pair_kinds_many(pairs).items()}


def pair_kinds(old: DocumentVersion, new: DocumentVersion) -> PairKinds:
    return pair_kinds_many([(old, new)])[(old.pk, new.pk)]


def pair_kinds_many(pairs) -> dict[tuple[int, int], PairKinds]:
    """:class:`PairKinds` for each (old, new) pair of versions, keyed by their ids: the
    pairs not cached yet have the clauses of their versions loaded in one query.
    Kinds come from the rows the compare page shows (aligned once and kept: versions
    never change), so every surface gives the answer the page gives."""
    keys = {(old.pk, new.pk): f"pair-kinds:v1:{old.pk}:{new.pk}" for old, new in pairs}
    found = cache.get_many(list(keys.values())) if keys else {}
    result = {pair: found[key] for pair, key in keys.items() if key in found}
    missing = [pair for pair in keys if pair not in result]
    if missing:
        clauses = selectors.versions_clauses_for_alignment({pk for pair in missing for pk in pair})
        for old_pk, new_pk in missing:
            old_clauses, new_clauses = clauses.get(old_pk, []), clauses.get(new_pk, [])
            rows = _aligned(old_pk, new_pk, old_clauses, new_clauses)
            old_kinds, new_kinds, moved, paired = {}, {}, set(), {}
            for row, kind in zip(rows, kinds.row_kinds(rows, old_clauses, new_clauses)):
                if row.old_index is not None:
                    old_kinds[old_clauses[row.old_index].lineage_id] = kind
                if row.new_index is not None:
                    new_kinds[new_clauses[row.new_index].lineage_id] = kind
                    if row.moved:
                        moved.add(new_clauses[row.new_index].lineage_id)
                    if row.old_index is not None:
                        paired[new_clauses[row.new_index].lineage_id] = old_clauses[row.old_index].lineage_id
            result[(old_pk, new_pk)] = PairKinds(old=old_kinds, new=new_kinds, moved=frozenset(moved), paired=paired)
        cache.set_many({keys[pair]: result[pair] for pair in missing}, timeout=None)
    return result


def _aligned(old_pk: int, new_pk: int, old_clauses: list, new_clauses: list) -> list:
    """The rows the compare page uses for these two versions (its cache, else aligned)."""
    key = f"align:v3:{old_pk}:{new_pk}"
    rows = cache.get(key)
    if rows is None or len(rows) < max(len(old_clauses), len(new_clauses)):
        rows = align.align(old_clauses, new_clauses)
        cache.set(key, rows, timeout=None)
    return rows


def step_kind(previous: Clause | None, clause: Clause | None, *, previous_version: DocumentVersion | None = None,
              version: DocumentVersion | None = None, found: PairKinds | None = None) -> str:
    """The kind of change of one lineage from one version to another (documents.kinds):
    ``previous`` / ``clause`` its clauses there (None: not there; then the versions are
    given). What the comparison of the two versions says of it, the compare page's
    answer; when that comparison paired the clause with another one than ``previous``
    (a key carried over from an older version), the kind of the two texts themselves."""
    old_version = previous.version if previous is not None else previous_version
    new_version = clause.version if clause is not None else version
    if old_version is None or new_version is None:
        return kinds.change_kind(previous, clause)
    found = found or pair_kinds(old_version, new_version)
    if previous is None:  # new here: added, or split off an old clause
        return found.new.get(clause.lineage_id) or kinds.ADDED
    if clause is None:  # gone: removed, or merged or split into others
        return found.old.get(previous.lineage_id) or kinds.REMOVED
    kind = found.new.get(clause.lineage_id)
    if kind is None or found.paired.get(clause.lineage_id) != previous.lineage_id:
        return kinds.change_kind(previous, clause, moved=clause.lineage_id in found.moved)
    return kind


def _pair_links(old_version: DocumentVersion, new_version: DocumentVersion, old_clause: Clause) -> tuple[list[int], list[int]]:
    """(ids of the new clauses a removed ``old_clause``'s words went to, ids of the clauses
    split off it), from the rows the compare page shows for the two versions."""
    clauses = selectors.versions_clauses_for_alignment({old_version.pk, new_version.pk})
    old_clauses, new_clauses = clauses.get(old_version.pk, []), clauses.get(new_version.pk, [])
    rows = _aligned(old_version.pk, new_version.pk, old_clauses, new_clauses)
    at = next((k for k, c in enumerate(old_clauses) if c.pk == old_clause.pk), None)
    went = [new_clauses[j].pk for r in rows if r.old_index == at and r.new_index is None for j in r.went_to]
    parts = [new_clauses[r.new_index].pk for r in rows if at is not None and r.came_from == at]
    return went, parts


def _clauses(ids: list[int]) -> list[Clause]:
    by_pk = {c.pk: c for c in Clause.objects.filter(pk__in=ids).select_related("version", "lineage")}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def _went_to(last_with: Clause, removed_in: DocumentVersion) -> list[Clause]:
    """The clauses of ``removed_in`` that hold the words of a dropped clause (cached)."""
    key = f"went-to:v2:{last_with.pk}:{removed_in.pk}"
    ids = cache.get(key)
    if ids is None:
        ids = _pair_links(last_with.version, removed_in, last_with)[0]
        cache.set(key, ids, timeout=None)
    return _clauses(ids)


def _split_into(clause: Clause, latest: Clause) -> list[Clause]:
    """Clauses of ``latest``'s version split off ``clause`` while the rest stayed in
    ``latest`` (cached: versions never change)."""
    key = f"split-into:v2:{clause.pk}:{latest.version_id}"
    ids = cache.get(key)
    if ids is None:
        ids = _pair_links(clause.version, latest.version, clause)[1]
        cache.set(key, ids, timeout=None)
    return _clauses(ids)


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
        kind = step_kind(last_with, None, version=removed_in) if removed_in is not None else kinds.REMOVED
        return ClauseFate(clause=clause, latest=None, removed_in=removed_in, last_with=last_with, went_to=went_to,
                          kind=kind)
    if latest.pk == clause.pk:
        return ClauseFate(clause=clause, latest=latest)
    changes = []
    diff_html = ""
    editorial = False
    split_into: list[Clause] = []
    kind = step_kind(clause, latest)
    if latest.text_sha != clause.text_sha:
        changes.append("amended")
        split_into = _split_into(clause, latest)
        editorial = kinds.wording_kind(kinds.clause_text(clause), kinds.clause_text(latest)) != kinds.SUBSTANTIVE
        diff_html = diff.render_changes_only_html(clause.text, latest.text)
        if clause.heading != latest.heading:
            diff_html = diff.render_changes_only_html(clause.heading, latest.heading) + (" · " if diff_html else "") + diff_html
    if latest.number != clause.number:
        changes.append("renumbered")
    if set(selectors.lineage_group_ids(lineage)) & _moved_lineages(clause.version, latest.version):
        changes.append("moved")
    return ClauseFate(
        clause=clause, latest=latest, changes=changes, editorial=editorial, split_into=split_into, kind=kind,
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
