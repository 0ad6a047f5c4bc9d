"""PDF downloads, rendered by WeasyPrint and read back with pdftotext (poppler-utils)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from documents import pdf
from tests import factories

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (Debian's poppler-utils) is not installed")


def _text(data: bytes, tmp_path) -> str:
    assert data.startswith(b"%PDF-")
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    out = subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(out.split())


@needs_pdftotext
def test_version_pdf_has_every_clause_with_numbers_and_permalinks(client, two_versions, tmp_path):
    doc, v1, v2 = two_versions
    response = client.get(f"/d/{doc.slug}/v/{v2.label}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{doc.slug}-{v2.label}.pdf"'
    text = _text(response.content, tmp_path)
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
    text = _text(response.content, tmp_path)
    assert "Redline" in text and "2 changed · 1 added · 0 removed · 0 moved · 2 renumbered · 1 unchanged" in text
    # The amended clause reads old and new words inline; the added one is there whole.
    assert "We collect your name , email address and email addressphone number when you register." in text
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
