"""Thin views: look up, call one selector or service, render."""

from __future__ import annotations

import datetime as dt
from functools import partial

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from documents import comparison, pagecache, pdf, pdf_jobs, permalinks, presenters, selectors, site
from portal.middleware import client_ip
from documents.models import DocumentKind


def home(request):
    filters = selectors.DocumentFilter(
        text=request.GET.get("filter", "").strip()[:200],
        publisher=request.GET.get("publisher", "").strip()[:80],
        kind=request.GET.get("kind", "").strip()[:16],
    )
    filtered = bool(filters.text or filters.publisher or filters.kind)
    # What the page shows changes only with a publish or an edit of a document or
    # publisher: the fingerprint of those rows names the rendered table and the ETag.
    catalogue = selectors.catalogue()
    tag = pagecache.etag(request, "home", catalogue.fingerprint)
    if unchanged := pagecache.not_modified(request, tag):
        return unchanged
    table = pagecache.fragment("home", catalogue.fingerprint, filters, render=lambda: {
        "documents": selectors.document_table(filters),
        "filtered": filtered,
        "recent": selectors.recent_changes(),
    }, template="documents/_home_table.html")
    response = render(request, "documents/home.html", {
        "home_table": table,
        "filters": filters,
        "filtered": filtered,
        "publishers": catalogue.publishers,
        "kinds": DocumentKind.choices,
    })
    return pagecache.finish(request, response, tag)


def document_detail(request, slug):
    """The current version, or with ?as_of=YYYY-MM-DD the version in force that day."""
    document = selectors.document_get(slug)
    current = selectors.version_get(document, "current")  # 404 before any version exists
    as_of = request.GET.get("as_of", "").strip()
    if not as_of:
        return _render_version(request, document, current)
    try:
        date = dt.date.fromisoformat(as_of)
    except ValueError:
        return _render_version(request, document, current, status=400,
                               notice=f"“{as_of}” is not a date (use YYYY-MM-DD); showing the current version.")
    version = selectors.version_as_of(document, date)
    if version is None:
        first = selectors.version_timeline(document)[0]
        return _render_version(request, document, first,
                               notice=f"No version was in force on {date:%-d %B %Y}; the first one took effect on {first.effective_date:%-d %B %Y}.")
    return redirect(f"{version.get_absolute_url()}?as_of={date.isoformat()}")


def version_detail(request, slug, label):
    document = selectors.document_get(slug)
    version = selectors.version_get(document, label)
    return _render_version(request, document, version)


def _render_version(request, document, version, notice="", status=200):
    timeline = selectors.version_timeline(document)
    checks = selectors.version_checks(document)
    # Everything the page shows besides the version's own (immutable, cached) body.
    tag = pagecache.etag(
        request, version.pk, version.sha256, document.current_version_id, document.title,
        document.kind, document.publisher.name, [(v.pk, v.label) for v in timeline], notice, status,
        sorted((pk, c.count, c.last) for pk, c in checks.items()),
        timezone.localdate(),  # an upcoming version's "takes effect on" turns with the day
    )
    if status == 200 and (unchanged := pagecache.not_modified(request, tag)):
        return unchanged
    render_page = partial(_render_version_page, request, document, version, timeline, checks, notice, status)
    return pagecache.finish(request, pagecache.page(request, tag, render_page), tag)


def _render_version_page(request, document, version, timeline, checks, notice, status):
    site_url = request.build_absolute_uri("/").rstrip("/")
    version_toc, version_body, version_glossary = pagecache.version_body(version, site_url=site_url)
    return render(
        request,
        "documents/version.html",
        {
            "document": document,
            "version": version,
            "timeline": timeline,
            "timeline_rows": [(v, prev, checks.get(v.pk)) for v, prev in zip(timeline, [None, *timeline[:-1]])],
            "previous": next((b for b, v in zip(timeline, timeline[1:]) if v.pk == version.pk), None),
            "is_current": version.pk == document.current_version_id,
            "version_toc": version_toc,
            "version_body": version_body,
            "version_glossary": version_glossary,
            "title": version.official_title or document.title,
            "notice": notice,
            "as_of": request.GET.get("as_of", ""),
        },
        status=status,
    )


def clause_latest(request, key):
    lineage = selectors.lineage_get(key)

    def render_page(generation):
        history = selectors.lineage_history(lineage)
        current = lineage.document.current_version_id
        clause = next((c for c in history if c.version_id == current), history[-1])
        return _render_clause(request, lineage, clause, generation)

    return _clause_page(request, lineage, render_page)


def clause_pinned(request, key, label):
    lineage = selectors.lineage_get(key)

    def render_page(generation):
        version = selectors.version_get(lineage.document, label)
        clause = selectors.clause_in_version(lineage, version)
        if clause is None:
            raise Http404(f"Version {version.label} of {lineage.document.title} has no clause {key}.")
        return _render_clause(request, lineage, clause, generation)

    return _clause_page(request, lineage, render_page)


def _clause_page(request, lineage, render_page):
    """A clause page shows published clauses and, around them, the document's names and
    what the index finds similar: all of it changes only with a publish (or an edit of
    the document), so that is what its ETag and its cached copy are named by."""
    document = lineage.document
    generation = selectors.versions_generation()
    tag = pagecache.etag(request, "clause", lineage.pk, document.slug, document.title, document.kind,
                         document.publisher.name, document.current_version_id, generation,
                         timezone.localdate())  # an upcoming version's "takes effect on" turns with the day
    if unchanged := pagecache.not_modified(request, tag):
        return unchanged
    return pagecache.finish(request, pagecache.page(request, tag, lambda: render_page(generation)), tag)


def _render_clause(request, lineage, clause, generation):
    fate = permalinks.clause_fate(lineage, clause)
    pinned_url = request.build_absolute_uri(clause.get_permalink())
    return render(
        request,
        "documents/clause.html",
        {
            "lineage": lineage,
            "document": lineage.document,
            "clause": clause,
            "version": clause.version,
            "html": presenters.clause_html(clause),
            "title": clause.version.official_title or lineage.document.title,
            "label": presenters.clause_label(clause),
            "clause_title": presenters.clause_title(clause),
            "history": selectors.clause_history(lineage),
            "fate": fate,
            "pinned_url": pinned_url,
            "latest_url": request.build_absolute_uri(lineage.get_absolute_url()),
            "citation": permalinks.citation(clause, pinned_url),
            "description": presenters.description(clause),
            "versions_generation": generation,  # names the cached similar clauses
        },
    )


def compare(request):
    a, b = request.GET.get("a", "").strip(), request.GET.get("b", "").strip()
    if not a or not b:
        return render(request, "documents/compare_choose.html", {"documents": selectors.document_list(), "a": a, "b": b})
    old, new = selectors.version_by_ref(a), selectors.version_by_ref(b)
    base = reverse("documents:compare")
    swap_url = f"{base}?{urlencode({'a': b, 'b': a})}"
    full = request.GET.get("full") == "1"

    def parts(old, new):
        # Long unchanged runs (and rows past the page's text budget) are left out of the
        # page and loaded from rows_url; ?full=1 (the links' target without JavaScript)
        # sends every row. The same for every reader: rendered once per pair and address.
        result = comparison.compare_versions_cached(old, new)
        return {
            "cross_document": result.cross_document,
            "summary": render_to_string("documents/_compare_summary.html", {"comparison": result, "swap_url": swap_url}),
            "body": render_to_string("documents/_compare_body.html", {
                "comparison": result, "old_url": old.get_absolute_url(), "new_url": new.get_absolute_url(),
                "rows_url": "" if full else f"{reverse('documents:compare_rows')}?{urlencode({'a': a, 'b': b})}",
                "full_url": f"{base}?{urlencode({'a': a, 'b': b, 'full': '1'})}",
            }),
        }

    page = pagecache.compare_cached(old, new, parts, part=("page", a, b, full))
    return render(request, "documents/compare.html", {
        "old": old, "new": new, "cross_document": page["cross_document"],
        "diff_floor": comparison.CROSS_DOCUMENT_DIFF_FLOOR,
        # Rendered by our templates, which escape every text.
        "summary": mark_safe(page["summary"]), "body": mark_safe(page["body"]),  # noqa: S308
    })


def compare_rows(request):
    """Rows ``start``..``stop`` of a comparison, as HTML: the collapsed runs of the page."""
    a, b = request.GET.get("a", "").strip(), request.GET.get("b", "").strip()
    try:
        # start/stop, or several ranges at once ("0-12,40-80": what printing asks for).
        ranges = request.GET.get("ranges") or f"{request.GET.get('start', '')}-{request.GET.get('stop', '')}"
        ranges = [tuple(int(x) for x in part.split("-")) for part in ranges.split(",")[:1000]]
    except ValueError:
        return HttpResponseBadRequest("Give start and stop row numbers (or ranges=start-stop,…).")
    if not a or not b or any(len(r) != 2 or r[0] < 0 or r[1] < r[0] for r in ranges) \
            or sum(stop - start for start, stop in ranges) > 5000:
        return HttpResponseBadRequest("Give a, b and ranges of at most 5000 rows in all.")
    old, new = selectors.version_by_ref(a), selectors.version_by_ref(b)
    result = comparison.compare_versions_cached(old, new)
    return render(request, "documents/_compare_rows_fragment.html", {
        "runs": [result.rows[start:stop] for start, stop in ranges],
        "old_url": old.get_absolute_url(), "new_url": new.get_absolute_url(),
    })


def _pdf(request, key, make_html, filename, versions, back_url):
    """The stored PDF, or a page that says it is being prepared (and looks again)."""
    if pdf.too_long(*versions):
        return render(request, "documents/pdf_status.html", {
            "state": "too-long", "back_url": back_url,
            "limit": settings.PORTAL_PDF_MAX_CHARS}, status=413)
    try:
        made = pdf_jobs.request_pdf(key, make_html, client=client_ip(request))
    except pdf_jobs.Busy as busy:
        response = render(request, "documents/pdf_status.html", {
            "state": "busy", "message": busy.reason, "back_url": back_url}, status=busy.status)
        response["Retry-After"] = str(busy.retry_after)
        return response
    if isinstance(made, Path):
        response = FileResponse(made.open("rb"), content_type="application/pdf", as_attachment=True, filename=filename)
        # Immutable content under an address that names it: cacheable by the browser.
        response["Cache-Control"] = "public, max-age=3600"
        return response
    if made.done.is_set() and made.error:
        return render(request, "documents/pdf_status.html", {"state": "failed", "back_url": back_url}, status=503)
    response = render(request, "documents/pdf_status.html", {"state": "preparing", "back_url": back_url,
                                                             "refresh": PDF_REFRESH_SECONDS}, status=202)
    response["Retry-After"] = str(PDF_REFRESH_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


# How often the "preparing" page looks again: a 50-page PDF takes a few seconds.
PDF_REFRESH_SECONDS = 3


def version_pdf(request, slug, label):
    """The version as a PDF, with its clause numbers and permalinks."""
    document = selectors.document_get(slug)
    version = selectors.version_get(document, label)
    site_url = site.base_url(request)
    return _pdf(request, pdf.version_key(version, site_url=site_url),
                lambda: pdf.version_html(version, site_url=site_url),
                f"{document.slug}-{version.label}.pdf", [version], version.get_absolute_url())


def compare_pdf(request):
    """A redline of two versions as a PDF: every clause, deletions struck, insertions underlined."""
    a, b = request.GET.get("a", "").strip(), request.GET.get("b", "").strip()
    if not a or not b:
        return render(request, "400.html", {"message": "Give two versions: ?a=<document>@<version>&b=<document>@<version>."}, status=400)
    old, new = selectors.version_by_ref(a), selectors.version_by_ref(b)
    site_url = site.base_url(request)
    filename = f"{old.document.slug}-{old.label}-vs-{new.label}.pdf" if old.document_id == new.document_id \
        else f"{old.document.slug}-{old.label}-vs-{new.document.slug}-{new.label}.pdf"
    back_url = f"{reverse('documents:compare')}?{urlencode({'a': a, 'b': b})}"
    return _pdf(request, pdf.comparison_key(old, new, site_url=site_url),
                lambda: pdf.comparison_html(old, new, site_url=site_url), filename, [old, new], back_url)


def _page_number(request) -> int | None:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 100000 else None


def collection(request):
    """The tracked archives: how far each is imported, and what was refused and why."""
    page = _page_number(request)
    if page is None:
        return HttpResponseBadRequest("page must be a whole number from 1.")
    refused, total = selectors.refused_captures(page=page)
    pages = max(1, -(-total // selectors.REFUSED_PAGE_SIZE))
    return render(request, "documents/collection.html", {
        "collections": selectors.collections(), "refused": refused, "refused_total": total,
        "page": page, "pages": pages,
    })
