"""JSON views for scripts and ticket systems. Documented in the README.

Every list is paginated (``page``, ``per_page``; see ``documents.paging``): an archive's
document holds hundreds of versions and a clause as many texts, so an answer's size and
cost are bounded by the page, not by the collection."""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from documents import comparison, paging, permalinks, selectors, site

DOCUMENTS_PER_PAGE, DOCUMENTS_MAX = 50, 200
VERSIONS_PER_PAGE, VERSIONS_MAX = 100, 500


def _version_summary(request, version) -> dict:
    return {
        "label": version.label,
        "effective_date": version.effective_date.isoformat(),
        "url": request.build_absolute_uri(version.get_absolute_url()),
        "api_url": request.build_absolute_uri(f"/api/documents/{version.document.slug}/versions/{version.label}/"),
    }


def _page(request, default: int, maximum: int):
    """(PageRequest, None) or (None, a 400 answer)."""
    try:
        return paging.page_request(request.GET, default_per_page=default, max_per_page=maximum), None
    except paging.PageError as exc:
        return None, JsonResponse({"error": str(exc)}, status=400)


def _beyond(wanted, count: int) -> JsonResponse:
    return JsonResponse({"error": f"There are {wanted.pages(count)} page(s) of {wanted.per_page}."}, status=404)


@require_GET
def document_list(request):
    """One page of documents, by publisher then title; each names its current version
    and how many versions it has, and links to its paginated list of versions."""
    wanted, error = _page(request, DOCUMENTS_PER_PAGE, DOCUMENTS_MAX)
    if error:
        return error
    count = selectors.document_count()
    if wanted.beyond(count):
        return _beyond(wanted, count)
    absolute = request.build_absolute_uri
    documents = selectors.document_page(wanted.start, wanted.stop)
    timelines = selectors.timeline_entries([d.pk for d in documents])
    return JsonResponse({
        **paging.envelope(request, wanted, count),
        "documents": [
            {
                "slug": d.slug,
                "title": d.title,
                "publisher": d.publisher.name,
                "publisher_slug": d.publisher.slug,
                "kind": d.kind,
                "url": absolute(d.get_absolute_url()),
                "current_version": d.current_version.label if d.current_version else None,
                "current": _version_summary(request, d.current_version) if d.current_version else None,
                "version_count": d.version_count,
                "versions_url": absolute(f"/api/documents/{d.slug}/versions/"),
                # The whole timeline in brief (versions and checks, no texts), so a script
                # finds the version a dated capture became without a request per document.
                "versions": timelines[d.pk],
            }
            for d in documents
        ],
    })


@require_GET
def version_list(request, slug):
    """One page of a document's versions, oldest first."""
    document = selectors.document_get(slug)
    wanted, error = _page(request, VERSIONS_PER_PAGE, VERSIONS_MAX)
    if error:
        return error
    count = selectors.version_count(document)
    if wanted.beyond(count):
        return _beyond(wanted, count)
    return JsonResponse({
        "document": document.slug,
        **paging.envelope(request, wanted, count),
        "versions": [_version_summary(request, v) for v in selectors.version_page(document, wanted.start, wanted.stop)],
    })


def _clause_json(request, clause) -> dict:
    return {
        "key": clause.lineage.key,
        "number": clause.number,
        "citation": clause.citation or clause.number,  # the full path: "1.7(g)", "D.8"
        "anchor": clause.anchor,
        "heading": clause.heading,
        "text": clause.text,
        # Markdown of the words after its sub-clauses: read after the clauses that follow
        # it at a greater depth ("text" holds them too, after its lead-in).
        "closing": clause.closing,
        "depth": clause.depth,
        "permalink": request.build_absolute_uri(clause.get_permalink()),
        "latest_permalink": request.build_absolute_uri(clause.lineage.get_absolute_url()),
    }


@require_GET
def version_detail(request, slug, label):
    document = selectors.document_get(slug)
    version = selectors.version_get(document, label)
    return JsonResponse(
        {
            "document": document.slug,
            "title": document.title,
            "publisher": document.publisher.name,
            "kind": document.kind,
            "version": version.label,
            "effective_date": version.effective_date.isoformat(),
            "effective_date_stated": version.effective_date_stated,
            "sha256": version.sha256,
            "is_current": version.pk == document.current_version_id,
            "clauses": [_clause_json(request, c) for c in selectors.version_clauses(version)],
        }
    )


@require_GET
def clause_lineage(request, key):
    """The clause in each version that has it, oldest first, one page of them (each
    status compares with the version before, on or off the page)."""
    wanted, error = _page(request, VERSIONS_PER_PAGE, VERSIONS_MAX)
    if error:
        return error
    lineage = selectors.lineage_get(key)
    history = selectors.lineage_history(lineage)
    if wanted.beyond(len(history)):
        return _beyond(wanted, len(history))
    # Each version's kind of change (documents.kinds) is the clause history's, which is
    # the compare page's: one answer everywhere.
    steps = {step.clause.pk: step for step in selectors.clause_history(lineage) if step.clause is not None}
    versions = []
    for clause in history[wanted.start:wanted.stop]:
        step = steps.get(clause.pk)
        kind = step.kind if step is not None else "added"
        versions.append(
            {
                "version": clause.version.label,
                "effective_date": clause.version.effective_date.isoformat(),
                "number": clause.number,
                "heading": clause.heading,
                "text": clause.text,
                "status": kind,
                "kind": kind,
                "renumbered": bool(step and step.renumbered),
                "moved": bool(step and step.moved),
                "permalink": request.build_absolute_uri(clause.get_permalink()),
            }
        )
    fate = permalinks.clause_fate(lineage, history[-1])
    return JsonResponse(
        {
            "key": lineage.key,
            "document": lineage.document.slug,
            "latest_permalink": request.build_absolute_uri(lineage.get_absolute_url()),
            "removed_in": fate.removed_in.label if fate.removed_in else None,
            "fate": fate.kind,
            **paging.envelope(request, wanted, len(history)),
            "versions": versions,
        }
    )


@require_GET
def compare(request):
    """Summary, counts per kind and one page of aligned rows (``page``, ``per_page``).

    Each text is sent once: a changed row carries the two word-marked HTML sides, an
    unchanged, moved or renumbered row its one text, an added or removed row its own.
    """
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    if not a or not b:
        return JsonResponse({"error": "Give two versions: ?a=<document>@<version>&b=<document>@<version>."}, status=400)
    try:
        page = int(request.GET.get("page", "1"))
        per_page = int(request.GET.get("per_page", "200"))
    except ValueError:
        return JsonResponse({"error": "page and per_page are whole numbers."}, status=400)
    if page < 1 or not 1 <= per_page <= 1000:
        return JsonResponse({"error": "page starts at 1; per_page is 1 to 1000."}, status=400)
    old, new = selectors.version_by_ref(a), selectors.version_by_ref(b)
    result = comparison.compare_versions_cached(old, new)
    total = len(result.rows)
    pages = max(1, -(-total // per_page))
    if page > pages:
        return JsonResponse({"error": f"There are {pages} page(s) of rows."}, status=404)

    def side(clause):
        if clause is None:
            return None
        out = {"key": clause.lineage.key, "number": clause.number, "heading": clause.heading, "anchor": clause.anchor}
        return out

    def row(r):
        out = {
            "row": r.index + 1, "status": r.status, "kind": r.kind, "label": r.label,
            "similarity": round(r.similarity, 3), "changed": r.changed, "moved": r.moved,
            "renumbered": r.renumbered, "old": side(r.old), "new": side(r.new),
        }
        if r.changed and r.shows_diff:
            out["old_html"], out["new_html"] = str(r.old_html), str(r.new_html)
        elif r.changed:  # two different documents' texts, too far apart to word-diff
            out["old_text"], out["new_text"] = r.old.text, r.new.text
        else:
            out["text"] = comparison.body((r.new or r.old))
        # Splits and merges name the other clauses by anchor (links within the page)
        # and by lineage key (what a script follows across versions).
        if r.went_to:
            out["went_to"] = [c.anchor for c in r.went_to]
            field = "split_into_keys" if len(r.went_to) > 1 else "merged_into"
            out[field] = [c.lineage.key for c in r.went_to]
        if r.split_into:
            out["split_into"] = [c.anchor for c in r.split_into]
            out["split_into_keys"] = [c.lineage.key for c in r.split_into]
        if r.came_from is not None:
            out["came_from"] = r.came_from.anchor
            out["split_from"] = r.came_from.lineage.key
        return out

    def page_url(n):
        return request.build_absolute_uri(f"{request.path}?{urlencode({'a': a, 'b': b, 'page': n, 'per_page': per_page})}")

    start = (page - 1) * per_page
    return JsonResponse(
        {
            "a": f"{old.document.slug}@{old.label}",
            "b": f"{new.document.slug}@{new.label}",
            "cross_document": result.cross_document,
            "summary": result.summary,
            "counts": result.counts,
            "total_rows": total, "page": page, "pages": pages, "per_page": per_page,
            "next": page_url(page + 1) if page < pages else None,
            "previous": page_url(page - 1) if page > 1 else None,
            "rows": [row(r) for r in result.rows[start:start + per_page]],
        }
    )

def _refused_json(capture) -> dict:
    return {
        "repository": capture.repository.name, "commit": capture.commit, "path": capture.path,
        "document": capture.document.slug if capture.document_id else None,
        "recorded_date": capture.recorded_date.isoformat(), "reason": capture.reason,
        "reason_label": capture.get_reason_display(), "detail": capture.detail,
        "snapshot_url": capture.snapshot_url or None,
    }


@require_GET
def collection(request):
    """The tracked archives and one page of the captures they refused."""
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or not 0 < int(raw) <= 100000:
        return JsonResponse({"error": "page must be a whole number from 1."}, status=400)
    page = int(raw)
    refused, total = selectors.refused_captures(page=page)
    return JsonResponse({
        "repositories": [
            {
                "name": c.repository.name, "url": c.repository.url,
                "last_commit": c.repository.last_commit or None,
                "last_commit_date": c.repository.last_commit_date.isoformat() if c.repository.last_commit_date else None,
                "last_imported_at": c.repository.last_imported_at.isoformat() if c.repository.last_imported_at else None,
                "versions": c.versions, "corrections": c.corrections, "checks": c.checks, "refused": c.refused,
            }
            for c in selectors.collections()
        ],
        "refused": {"count": total, "page": page, "page_size": selectors.REFUSED_PAGE_SIZE,
                    "results": [_refused_json(r) for r in refused]},
    })


@require_GET
def api_index(request):
    """/api/: what there is, as absolute URLs (a client starts here and follows links);
    {names} in braces are to be filled in (URI templates, as GitHub's API index has)."""
    base = site.base_url(request)

    def absolute(path):
        return f"{base}{path}"

    return JsonResponse({
        "documents": absolute(reverse("documents:api_documents")),
        "document": absolute("/api/documents/{slug}/"),
        "version": absolute("/api/documents/{slug}/versions/{label}/"),
        "clause": absolute("/api/clauses/{key}/"),
        "compare": absolute(f"{reverse('documents:api_compare')}?a={{slug}}@{{label}}&b={{slug}}@{{label}}"),
        "search": absolute(f"{reverse('documents:api_search')}?q={{query}}"),
        "changes": absolute(reverse("alerts:api_changes")),
        "citations": absolute(reverse("alerts:api_citations")),
        "labels": "A version label is its date (YYYY-MM-DD, with -2… for a second version that day), "
                  "or current, or latest.",
    })


@require_GET
def document_detail(request, slug):
    """/api/documents/<slug>/: one document, its versions (oldest first) and its links."""
    document = selectors.document_get(slug)
    current = document.current_version
    return JsonResponse({
        "slug": document.slug,
        "title": document.title,
        "kind": document.kind,
        "publisher": {"slug": document.publisher.slug, "name": document.publisher.name},
        "url": request.build_absolute_uri(document.get_absolute_url()),
        "feed": request.build_absolute_uri(reverse("alerts:feed_document", args=[document.slug])),
        "current_version": _version_summary(request, current) if current else None,
        "versions": [_version_summary(request, v) for v in selectors.version_timeline(document)],
    })
