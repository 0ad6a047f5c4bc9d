"""PDF downloads, rendered by WeasyPrint and read back with pdftotext (poppler-utils)."""

from __future__ import annotations

import re
import shutil
import subprocess
import pytest

from documents import comparison, pdf
from documents.models import Document
from tests import factories
from tests.corpus_db import corpus_imported

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (Debian's poppler-utils) is not installed")


# The page body of an A4 page in points (pdf.css: margins 20 mm top, 22 mm bottom):
# pdftotext reads only this band, without the running title and page numbers.
BODY_CROP = ["-x", "0", "-y", "50", "-W", "595", "-H", "730"]


def _text(data: bytes, tmp_path, *crop: str) -> str:
    assert data.startswith(b"%PDF-")
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    out = subprocess.run([PDFTOTEXT, "-layout", *crop, str(path), "-"], check=True, capture_output=True,
                         text=True).stdout
    return " ".join(out.split())


def _body(response) -> bytes:
    """The PDF a response sends (served from the disk store, so streamed)."""
    return b"".join(response.streaming_content)


def _words(text: str) -> list[str]:
    """The words of a text as a reader sees them: a Markdown link shows its text, not its
    address; punctuation, and a hyphen where a line breaks, are not words."""
    return re.findall(r"\w+", re.sub(r"\]\([^)]*\)", "]", text))


def _is_subsequence(needle: list[str], haystack: list[str]) -> bool:
    it = iter(haystack)
    return all(word in it for word in needle)


@needs_pdftotext
def test_version_pdf_has_every_clause_with_numbers_and_permalinks(client, two_versions, tmp_path):
    doc, v1, v2 = two_versions
    response = client.get(f"/d/{doc.slug}/v/{v2.label}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{doc.slug}-{v2.label}.pdf"'
    text = _text(_body(response), tmp_path)
    assert "Privacy Policy" in text and "Version of 1 June 2024 (current)" in text
    for clause in v2.clauses.all():
        assert " ".join(clause.text.split()) in text, clause
        assert f"http://testserver{clause.get_permalink()}" in text
    assert "3 Cookies" in text and "5 Contact Us" in text


@needs_pdftotext
def test_comparison_pdf_is_a_redline_with_both_texts(client, two_versions, tmp_path):
    doc, v1, v2 = two_versions
    response = client.get(f"/compare/pdf/?a={doc.slug}@{v1.label}&b={doc.slug}@{v2.label}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(_body(response), tmp_path)
    assert "Redline" in text and "2 changed · 1 added · 0 removed · 0 moved · 2 renumbered · 1 unchanged" in text
    # The amended clause reads old and new words inline; the added one is there whole.
    assert "We collect your name , email address and email address phone number when you register." in text
    assert "4 How We Use Information RENUMBERED Was 3 How We Use Information" in text
    assert "We use cookies to keep you signed in." in text
    assert "Write to privacy@example.com with any question about this policy." in text


def test_pdf_errors_are_4xx(client, two_versions):
    doc, v1, v2 = two_versions
    assert client.get("/compare/pdf/").status_code == 400
    assert client.get(f"/compare/pdf/?a={doc.slug}@{v1.label}&b={doc.slug}@1999-01-01").status_code == 404
    assert client.get(f"/d/{doc.slug}/v/1999-01-01/pdf/").status_code == 404


def test_pdf_fetches_nothing_a_document_names(monkeypatch, tmp_path):
    # An image or stylesheet in the HTML would make the server fetch a URL: refused,
    # and the rest still renders.
    asked = []
    refuse = pdf._no_fetch
    monkeypatch.setattr(pdf, "_no_fetch", lambda url, *a, **k: (asked.append(url), refuse(url)))
    secret = tmp_path / "secret.css"
    secret.write_text("p::after { content: 'SECRET-FROM-DISK'; }")
    html = f'<p>visible</p><img src="http://127.0.0.1:9/steal.png"><link rel="stylesheet" href="file://{secret}">'
    data = pdf.html_to_pdf(html)
    assert sorted(asked) == sorted(["http://127.0.0.1:9/steal.png", f"file://{secret}"])
    if PDFTOTEXT:
        text = _text(data, tmp_path)
        assert "visible" in text and "SECRET-FROM-DISK" not in text


def test_hostile_markup_stays_out_of_the_pdf_html(two_versions):
    doc = factories.document(publisher="Evil Inc", title="Hostile Terms", kind="terms")
    version = factories.publish(doc, "# Hostile\n\nEffective: April 4, 2025\n\n## 1. Payload\n\n<script>x()</script> <img src=x onerror=y()> text\n").version
    html = pdf.version_html(version, site_url="http://testserver")
    assert "<script" not in html and "onerror" not in html and "<img" not in html


@pytest.fixture(scope="module")
def cloudflare(django_db_setup, django_db_blocker, tmp_path_factory):
    """Cloudflare's terms from the corpus (long clauses, lists, amended and new ones):
    the document, its version before the newest, and the newest."""
    with corpus_imported(tmp_path_factory, django_db_blocker, {"cloudflare-terms-of-service"},
                         {"2024-12-03", "2025-10-03"}):
        with django_db_blocker.unblock():
            document = Document.objects.get(slug="cloudflare-terms-of-service")
            timeline = list(document.versions.timeline())
        yield document, timeline[-2], timeline[-1]


@needs_pdftotext
def test_pdf_of_a_corpus_version_has_every_clause_text(cloudflare, db, client, tmp_path):
    document, old, new = cloudflare
    response = client.get(f"/d/{document.slug}/v/{new.label}/pdf/")
    assert response.status_code == 200
    data = _body(response)
    printed = " ".join(_words(_text(data, tmp_path, *BODY_CROP)))
    whole = _text(data, tmp_path)
    clauses = list(new.clauses.order_by("position"))
    assert len(clauses) > 40
    for clause in clauses:
        assert " ".join(_words(clause.text)) in printed, clause
        assert f"http://testserver{clause.get_permalink()}" in whole


@needs_pdftotext
def test_pdf_of_a_corpus_comparison_has_both_texts_of_every_row(cloudflare, db, client, tmp_path):
    document, old, new = cloudflare
    response = client.get(f"/compare/pdf/?a={document.slug}@{old.label}&b={document.slug}@{new.label}")
    assert response.status_code == 200
    printed = _words(_text(_body(response), tmp_path, *BODY_CROP))
    rows = comparison.compare_versions(old, new).rows
    assert {row.status for row in rows} >= {"unchanged", "changed", "added"}
    joined = " ".join(printed)
    for row in rows:
        if row.status == "unchanged":
            assert " ".join(_words(row.new.text)) in joined, row.new
    # A redline interleaves the old and the new words: each side's words, row after
    # row, are all there in their order ("2024September" would be neither side's word).
    for side in ("old", "new"):
        words = [w for row in rows if getattr(row, side) is not None for w in _words(getattr(row, side).text)]
        assert _is_subsequence(words, printed), side
