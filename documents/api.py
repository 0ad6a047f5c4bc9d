"""JSON views for scripts and ticket systems. Documented in the README."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from documents import comparison, permalinks, selectors


def _version_summary(request, version) -> dict:
    return {
        "label": version.label,
        "effective_date": version.effective_date.isoformat(),
        "url": request.build_absolute_uri(version.get_absolute_url()),
        "api_url": request.build_absolute_uri(f"/api/documents/{version.document.slug}/versions/{version.label}/"),
    }


@require_GET
def document_list(request):
    documents = selectors.document_list()
    return JsonResponse(
        {
            "documents": [
                {
                    "slug": d.slug,
                    "title": d.title,
                    "publisher": d.publisher.name,
                    "publisher_slug": d.publisher.slug,
                    "kind": d.kind,
                    "current_version": d.current_version.label if d.current_version else None,
                    "versions": [_version_summary(request, v) for v in d.versions.all()],
                }
                for d in documents
            ]
        }
    )


def _clause_json(request, clause) -> dict:
    return {
        "key": clause.lineage.key,
        "number": clause.number,
        "anchor": clause.anchor,
        "heading": clause.heading,
        "text": clause.text,
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
    lineage = selectors.lineage_get(key)
    history = selectors.lineage_history(lineage)
    previous = None
    versions = []
    for clause in history:
        if previous is None:
            status = "added"
        else:
            changes = []
            if clause.text_sha != previous.text_sha:
                changes.append("amended")
            if clause.number != previous.number:
                changes.append("renumbered")
            status = "+".join(changes) or "unchanged"
        versions.append(
            {
                "version": clause.version.label,
                "effective_date": clause.version.effective_date.isoformat(),
                "number": clause.number,
                "heading": clause.heading,
                "text": clause.text,
                "status": status,
                "permalink": request.build_absolute_uri(clause.get_permalink()),
            }
        )
        previous = clause
    fate = permalinks.clause_fate(lineage, history[-1])
    return JsonResponse(
        {
            "key": lineage.key,
            "document": lineage.document.slug,
            "latest_permalink": request.build_absolute_uri(lineage.get_absolute_url()),
            "removed_in": fate.removed_in.label if fate.removed_in else None,
            "versions": versions,
        }
    )


@require_GET
def compare(request):
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    if not a or not b:
        return JsonResponse({"error": "Give two versions: ?a=<document>@<version>&b=<document>@<version>."}, status=400)
    old, new = selectors.version_by_ref(a), selectors.version_by_ref(b)
    result = comparison.compare_versions(old, new)

    def side(clause):
        if clause is None:
            return None
        return {"key": clause.lineage.key, "number": clause.number, "heading": clause.heading,
                "anchor": clause.anchor, "text": clause.text}

    return JsonResponse(
        {
            "a": f"{old.document.slug}@{old.label}",
            "b": f"{new.document.slug}@{new.label}",
            "cross_document": result.cross_document,
            "summary": result.summary,
            "rows": [
                {
                    "status": r.status, "similarity": round(r.similarity, 3),
                    "changed": r.changed, "moved": r.moved, "renumbered": r.renumbered,
                    "old": side(r.old), "new": side(r.new),
                    "old_html": str(r.old_html) if r.changed else None,
                    "new_html": str(r.new_html) if r.changed else None,
                }
                for r in result.rows
            ],
        }
    )
