"""PDF downloads of a version and of a comparison (a redline), through WeasyPrint.

The HTML is our own templates around text that was sanitized (version bodies) or
escaped (diffs); WeasyPrint is given no way to fetch anything (``_no_fetch``), so a
document cannot make the server load a URL. A published version never changes, so its
PDF is made once, in the background, and kept on disk (``pdf_jobs``): the keys below
name everything a PDF is made from.
"""

from __future__ import annotations

from html import escape

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from documents import comparison, diff, pdf_jobs, presenters, selectors
from documents.models import DocumentVersion


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"PDF export fetches nothing ({url[:80]})")


def _fetcher():
    """A WeasyPrint URL fetcher that refuses every URL (WeasyPrint then leaves the
    resource out and renders the rest)."""
    from weasyprint.urls import URLFetcher

    class NoFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            _no_fetch(url)

    return NoFetcher()


def _stylesheet() -> str:
    path = finders.find("documents/pdf.css")
    with open(path, encoding="utf-8") as f:
        return f.read()


def html_to_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML  # imported late: it loads pango, a cost views without PDFs skip

    fetcher = _fetcher()
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[CSS(string=_stylesheet(), url_fetcher=fetcher)])


def version_html(version: DocumentVersion, *, site_url: str) -> str:
    clauses = selectors.version_clauses(version)
    for c in clauses:
        c.version = version  # their permalinks name the version: no query per clause
    document = version.document
    return render_to_string("documents/pdf/version.html", {
        "document": document,
        "version": version,
        "title": version.official_title or document.title,
        "clauses": presenters.clauses_for_display(version, clauses),
        "site_url": site_url,
        "is_current": version.pk == document.current_version_id,
    })


def version_key(version: DocumentVersion, *, site_url: str) -> str:
    """What the version's PDF is made from: its text (by hash), the names around it
    (which staff may edit), whether it is current, and the address its links name."""
    document = version.document
    return pdf_jobs.key_for("version", version.pk, version.sha256, version.official_title, document.title,
                            document.publisher.name, document.kind, version.pk == document.current_version_id, site_url)


def version_pdf(version: DocumentVersion, *, site_url: str) -> bytes:
    """The PDF made now, in this thread (the benchmark and the worker's own tests)."""
    return html_to_pdf(version_html(version, site_url=site_url))


def _redline(row) -> str:
    """One row's text in one column: deletions and insertions inline (escaped text)."""
    if row.old is not None and row.new is not None:
        if row.old.text == row.new.text:
            return escape(row.new.text)
        return diff.render_inline_diff_html(row.old.text, row.new.text)
    if row.new is not None:
        return f"<ins>{escape(row.new.text)}</ins>"
    return f"<del>{escape(row.old.text)}</del>"


def comparison_html(old: DocumentVersion, new: DocumentVersion, *, site_url: str) -> str:
    result = comparison.compare_versions_cached(old, new)
    rows = [
        {
            "row": row,
            "clause": row.new if row.new is not None else row.old,
            "old_title": " ".join(p for p in (row.old.number, row.old.heading) if p) if row.old else "",
            "redline": mark_safe(_redline(row)),  # noqa: S308 - every piece of text escaped above
        }
        for row in result.rows
    ]
    return render_to_string("documents/pdf/comparison.html", {
        "old": old, "new": new, "comparison": result, "rows": rows, "site_url": site_url,
        "old_title": old.official_title or old.document.title,
        "new_title": new.official_title or new.document.title,
    })


def comparison_key(old: DocumentVersion, new: DocumentVersion, *, site_url: str) -> str:
    return pdf_jobs.key_for("redline", old.pk, old.sha256, new.pk, new.sha256, old.official_title, new.official_title,
                            old.document.title, new.document.title, old.document.publisher.name,
                            new.document.publisher.name, site_url)


def comparison_pdf(old: DocumentVersion, new: DocumentVersion, *, site_url: str) -> bytes:
    return html_to_pdf(comparison_html(old, new, site_url=site_url))


def too_long(*versions: DocumentVersion) -> bool:
    """A PDF of a text this long would hold the worker (and its memory) for too long:
    the reader is offered the page itself, which prints."""
    from django.conf import settings
    limit = int(getattr(settings, "PORTAL_PDF_MAX_CHARS", 400_000))
    return max(len(v.source_text) for v in versions) > limit  # the stored text (the normalized one is derived)
