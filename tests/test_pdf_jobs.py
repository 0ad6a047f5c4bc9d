"""PDFs made once, in the background, kept on disk, bounded per client (issues 24 and 25).

A module of its own: tests/test_pdf.py keeps a corpus imported for its whole module,
and publishing beside it would meet that corpus's index entries."""

from __future__ import annotations

import threading

import pytest

from documents import pdf, pdf_jobs
from tests.test_pdf import _body

pytestmark = pytest.mark.django_db


# --- Made once, in the background, kept on disk (issues 24 and 25) --------------------

@pytest.fixture
def slow_pdfs(monkeypatch):
    """html_to_pdf blocked until the test releases it, counting its calls."""
    gate, calls = threading.Event(), []
    real = pdf.html_to_pdf

    def held(html):
        calls.append(html)
        assert gate.wait(60)
        return real(html)

    monkeypatch.setattr(pdf, "html_to_pdf", held)
    yield gate, calls
    gate.set()


def test_a_pdf_not_ready_shows_preparing_then_downloads(client, two_versions, settings, slow_pdfs):
    gate, calls = slow_pdfs
    doc, v1, v2 = two_versions
    settings.PORTAL_PDF_WAIT = 0
    url = f"/d/{doc.slug}/v/{v2.label}/pdf/"
    response = client.get(url)
    assert response.status_code == 202
    page = response.content.decode()
    assert "Preparing your PDF…" in page and f'data-pdf-url="{url}"' in page and 'data-refresh="3"' in page
    assert f'<a href="{url}">Check now</a>' in page and "pdf_status.js" in page
    assert 'http-equiv="refresh"' not in page  # no timed reload (WCAG 2.2.1): the script looks instead
    assert response["Retry-After"] == "3" and response["Cache-Control"] == "no-store"
    assert client.get(url).status_code == 202  # asked again while it is made: the same job
    gate.set()
    assert pdf_jobs.wait_for(pdf.version_key(v2, site_url="http://testserver")) is not None
    response = client.get(url)
    assert response.status_code == 200 and _body(response).startswith(b"%PDF-")
    assert len(calls) == 1


def test_a_pdf_is_made_once_and_then_read_from_disk(client, two_versions, monkeypatch, settings):
    doc, v1, v2 = two_versions
    made = []
    real = pdf.html_to_pdf
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: made.append(1) or real(html))
    url = f"/compare/pdf/?a={doc.slug}@{v1.label}&b={doc.slug}@{v2.label}"
    first, second = _body(client.get(url)), _body(client.get(url))
    assert first == second and first.startswith(b"%PDF-") and made == [1]
    assert second == _body(client.get(url, HTTP_HOST="testserver"))  # the same address: the same file
    # Under another address its links would be wrong: another PDF.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "portal.example.com"]
    assert client.get(url, HTTP_HOST="portal.example.com").status_code == 200 and made == [1, 1]


def test_a_renamed_document_gets_a_new_pdf(two_versions):
    doc, v1, v2 = two_versions
    before = pdf.version_key(v2, site_url="http://testserver")
    assert pdf.version_key(v2, site_url="http://testserver") == before
    doc.title = "Privacy Notice"
    doc.save()
    v2.refresh_from_db()
    assert pdf.version_key(v2, site_url="http://testserver") != before
    assert pdf.version_key(v1, site_url="http://testserver") != pdf.version_key(v2, site_url="http://testserver")


def test_one_client_cannot_fill_the_queue(client, two_versions, settings, slow_pdfs):
    gate, calls = slow_pdfs
    doc, v1, v2 = two_versions
    settings.PORTAL_PDF_WAIT = 0
    settings.PORTAL_PDF_PER_CLIENT = 2
    assert client.get(f"/d/{doc.slug}/v/{v1.label}/pdf/").status_code == 202
    assert client.get(f"/d/{doc.slug}/v/{v2.label}/pdf/").status_code == 202
    third = client.get(f"/compare/pdf/?a={doc.slug}@{v1.label}&b={doc.slug}@{v2.label}")
    assert third.status_code == 429 and third["Retry-After"] == "30"
    assert "You already have 2 PDFs being prepared" in third.content.decode()
    # Another reader is not held up by the first one's share.
    other = client.get(f"/compare/pdf/?a={doc.slug}@{v1.label}&b={doc.slug}@{v2.label}", REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 202
    gate.set()
    for v in (v1, v2):
        pdf_jobs.wait_for(pdf.version_key(v, site_url="http://testserver"))
    pdf_jobs.wait_for(pdf.comparison_key(v1, v2, site_url="http://testserver"))


def test_a_text_past_the_cap_is_refused_with_a_way_out(client, two_versions, settings, monkeypatch):
    doc, v1, v2 = two_versions
    settings.PORTAL_PDF_MAX_CHARS = 100
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: pytest.fail("nothing is made"))
    response = client.get(f"/d/{doc.slug}/v/{v2.label}/pdf/")
    assert response.status_code == 413
    page = response.content.decode()
    assert "Too long for a PDF" in page and f'href="{v2.get_absolute_url()}"' in page
    assert client.get(f"/compare/pdf/?a={doc.slug}@{v1.label}&b={doc.slug}@{v2.label}").status_code == 413


def test_another_process_making_the_pdf_is_left_to_it_unless_it_died(monkeypatch):
    import os
    import time

    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: b"%PDF-made here")
    key = pdf_jobs.key_for("test", "lock")
    lock = pdf_jobs.path_for(key).with_suffix(".lock")
    lock.write_text("")  # another worker process is making it
    pdf_jobs._make(key, "<p>x</p>")
    assert pdf_jobs.stored(key) is None and lock.exists()
    old = time.time() - pdf_jobs.STALE_LOCK_SECONDS - 1
    os.utime(lock, (old, old))  # that process died
    pdf_jobs._make(key, "<p>x</p>")
    assert pdf_jobs.stored(key).read_bytes() == b"%PDF-made here" and not lock.exists()
    assert not list(pdf_jobs.path_for(key).parent.glob("*.part"))  # written whole, then renamed


def test_a_pdf_of_two_documents_speaks_of_a_and_b(two_versions):
    import re

    from tests import factories

    doc, v1, v2 = two_versions
    other = factories.document(publisher="Other Corp", title="Terms", kind="terms")
    theirs = factories.publish(other, factories.POLICY_V2.replace("Example Corp", "Other Corp")).version
    html = pdf.comparison_html(v2, theirs, site_url="http://testserver")
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Comparison of two documents" in text and "A: Example Corp" in text and "B: Other Corp" in text
    assert "Redline" not in text and "changed" not in text and "unchanged" not in text
    assert re.search(r"\d+ related · \d+ only in B · \d+ only in A · \d+ identical", text)
    # The same document's versions keep the redline's words.
    assert "Redline" in pdf.comparison_html(v1, v2, site_url="http://testserver")
