"""The citation check: what became of every clause a piece of text links to.

Read-only. The links are found by ``documents.linkfind`` (pure); each one is resolved to
the clause it pins and compared with the same lineage in the document's current version
(through ``permalinks.clause_fate``, as the clause page's banner is), and the word
change is named by ``documents.kinds`` (the fate's ``kind``: the word every surface gives).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from documents import diff, linkfind, permalinks
from documents.models import Clause, ClauseLineage, Document, DocumentVersion

MAX_LINKS = 100

# From most to least serious: the one status a link is reported with.
STATUSES = {
    "removed": "Removed",
    "amended": "Amended",
    "editorial": "Editorial change",
    "renumbered": "Renumbered",
    "moved": "Moved",
    "unchanged": "Unchanged",
    "unpinned": "Not pinned to a version",
    "not_found": "Not found",
}


@dataclass(frozen=True)
class CitationResult:
    link: linkfind.FoundLink
    status: str
    message: str
    changes: list[str] = field(default_factory=list)  # every status that applies
    cited: Clause | None = None
    current: Clause | None = None  # the lineage in the current version
    removed_in: DocumentVersion | None = None
    diff_html: SafeString = field(default=mark_safe(""))
    kind: str = ""  # documents.kinds, as on the compare page ("" when nothing is compared)

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @property
    def document(self):
        clause = self.cited or self.current
        return clause.version.document if clause else None

    def as_json(self, absolute) -> dict:
        def clause_json(c: Clause | None):
            if c is None:
                return None
            return {"key": c.lineage.key, "version": c.version.label,
                    "effective_date": c.version.effective_date.isoformat(), "number": c.number,
                    "heading": c.heading, "anchor": c.anchor, "permalink": absolute(c.get_permalink())}

        document = self.document
        return {
            "link": self.link.text,
            "status": self.status,
            "status_label": self.status_label,
            "kind": self.kind or None,
            "changes": self.changes,
            "message": self.message,
            "document": {"slug": document.slug, "title": document.title,
                         "publisher": document.publisher.name} if document else None,
            "cited": clause_json(self.cited),
            "current": clause_json(self.current),
            "current_url": absolute(self.current.get_permalink()) if self.current else None,
            "removed_in": self.removed_in.label if self.removed_in else None,
            "diff_html": str(self.diff_html) or None,
        }


@dataclass(frozen=True)
class CitationReport:
    results: list[CitationResult]
    truncated: bool  # more links than MAX_LINKS: only the first ones were checked
    ignored_hosts: list[str]  # links that look like permalinks, on other sites

    def counts(self) -> dict[str, int]:
        out = {status: 0 for status in STATUSES}
        for result in self.results:
            out[result.status] += 1
        return out


def portal_hosts(request_host: str = "") -> set[str]:
    hosts = {h.lower() for h in settings.ALLOWED_HOSTS if h and not h.startswith(".") and h != "*"}
    base = urlsplit(settings.PORTAL_BASE_URL)
    if base.netloc:
        hosts.add(base.netloc.lower())
    if request_host:
        hosts.add(request_host.lower())
    return hosts


def _host_ok(host: str, hosts: set[str]) -> bool:
    return not host or host in hosts or host.split(":")[0] in hosts


def _resolve(link: linkfind.FoundLink) -> tuple[ClauseLineage | None, Clause | None, str]:
    """(lineage, cited clause, message when not found)."""
    if link.key:
        lineage = ClauseLineage.objects.select_related("document__publisher", "document__current_version").filter(
            key=link.key).first()
        if lineage is None:
            return None, None, f"No clause has the key “{link.key}”."
        if not link.pinned:
            return lineage, None, ""
        clause = lineage.clauses.select_related("version", "lineage").filter(version__label=link.label).first()
        if clause is None:
            return lineage, None, f"{lineage.document.title} has no version {link.label} holding clause {link.key}."
        return lineage, clause, ""
    document = Document.objects.filter(slug=link.slug).first()
    version = None
    if document is not None:
        version = (document.versions.filter(label=link.label).first() if link.pinned
                   else document.current_version)
    if version is None:
        return None, None, f"No document “{link.slug}” with a version {link.label}."
    clause = version.clauses.select_related("version", "lineage__document__publisher",
                                            "lineage__document__current_version").filter(anchor=link.anchor).first()
    if clause is None:
        return None, None, f"Version {version.label} of {document.title} has no clause “#{link.anchor}”."
    return clause.lineage, (clause if link.pinned else None), ""


def _check_one(link: linkfind.FoundLink) -> CitationResult:
    lineage, clause, problem = _resolve(link)
    if problem:
        return CitationResult(link=link, status="not_found", message=problem)
    if clause is None:  # an unpinned link: nothing to compare with
        newest = lineage.clauses.select_related("version", "lineage").order_by(
            "-version__effective_date", "-version__published_at", "-version__pk").first()
        fate = permalinks.clause_fate(lineage, newest)
        if fate.removed:
            return CitationResult(link=link, status="removed", changes=["removed"], removed_in=fate.removed_in,
                                  cited=fate.last_with, message="This clause is not in the current version.",
                                  kind=fate.kind)
        return CitationResult(link=link, status="unpinned", current=fate.latest,
                              message="This link always shows the newest version, so it cannot say what was "
                                      "cited. Cite the pinned link of the current version instead.")
    fate = permalinks.clause_fate(lineage, clause)
    when = ""
    if fate.removed:
        removed_in = fate.removed_in
        if removed_in is not None:
            when = f" It was dropped in the version of {removed_in.effective_date:%-d %B %Y}."
        return CitationResult(link=link, status="removed", changes=["removed"], cited=clause,
                              removed_in=removed_in, kind=fate.kind,
                              message=f"This clause is not in the current version.{when}")
    changes = []
    if "amended" in fate.changes:
        changes.append("editorial" if fate.editorial else "amended")
    changes += [c for c in ("renumbered", "moved") if c in fate.changes]
    status = next((s for s in STATUSES if s in changes), "unchanged")
    if not changes:
        message = "The current version has the same text." if not fate.is_latest else "This is the current version."
    else:
        described = {
            "amended": "its wording changed", "editorial": "only punctuation, case or spacing changed",
            "renumbered": f"it was renumbered {clause.number or '–'} → {fate.latest.number or '–'}",
            "moved": "it moved to another place in the document",
        }
        message = "Since the cited version, " + "; ".join(described[c] for c in changes) + "."
    return CitationResult(link=link, status=status, changes=changes or ["unchanged"], cited=clause,
                          current=fate.latest, kind=fate.kind, diff_html=_diff_html(clause, fate.latest) if fate.changes else mark_safe(""),
                          message=message)


def _diff_html(old: Clause, new: Clause) -> SafeString:
    """The word diff of the heading (when it changed) and of the text."""
    parts = []
    if old.heading != new.heading:
        parts.append(f'<strong class="heading-diff">{diff.render_inline_diff_html(old.heading, new.heading)}</strong>\n')
    if old.text != new.text:
        parts.append(diff.render_inline_diff_html(old.text, new.text))
    return mark_safe("".join(parts))  # noqa: S308 - the differ escapes every word


def citations_check(text: str, *, request_host: str = "") -> CitationReport:
    links, truncated = linkfind.find_links(text, limit=MAX_LINKS * 4)
    hosts = portal_hosts(request_host)
    ignored = sorted({link.host for link in links if not _host_ok(link.host, hosts)})
    ours = [link for link in links if _host_ok(link.host, hosts)]
    if len(ours) > MAX_LINKS:
        ours, truncated = ours[:MAX_LINKS], True
    return CitationReport(results=[_check_one(link) for link in ours], truncated=truncated, ignored_hosts=ignored)
