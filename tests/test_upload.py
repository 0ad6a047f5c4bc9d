"""The staff upload flow, through the test client: upload -> draft preview -> publish or
discard; bad uploads; permissions; the admin's read-only versions; concurrent publishing;
the publish_version command."""

from __future__ import annotations

import datetime as dt
import io
import re
import threading

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from documents import drafts, services
from documents.models import Clause, Document, DocumentVersion, Publisher, VersionDraft

V1 = """# Example Privacy Policy

Effective: January 1, 2024

## 1. Introduction

This policy explains how Example Corp handles personal information.

## 2. Information We Collect

We collect your name and email address when you register.

## 3. Contact Us

Write to privacy@example.com with any question about this policy.
"""

V2 = """# Example Privacy Policy

Effective: June 1, 2024

## 1. Introduction

This policy explains how Example Corp handles personal information.

## 2. Information We Collect

We collect your name, email address and phone number when you register.

## 3. Cookies

We use cookies to keep you signed in.

## 4. Contact Us

Write to privacy@example.com with any question about this policy.
"""

# No date stated: the date given (or today) is used.
V_OLD = """# Example Privacy Policy

## 1. Introduction

An early policy of Example Corp about personal information.

## 2. Contact Us

Write to us by post.
"""

UPLOAD = reverse("documents:upload")


def md(text: str | bytes, name: str = "policy.md") -> SimpleUploadedFile:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, raw, content_type="application/octet-stream")


def new_doc_data(**extra) -> dict:
    data = {"new_publisher": "Example Corp", "new_title": "Privacy Policy", "new_kind": "privacy",
            "text": "", "effective_date": "", "change_note": ""}
    data.update(extra)
    return data


def post_upload(client, **data):
    return client.post(UPLOAD, data)


def draft_url(draft, action=""):
    name = {"": "documents:draft", "publish": "documents:draft_publish", "discard": "documents:draft_discard"}[action]
    return reverse(name, args=[draft.pk])


def nothing_saved():
    return not VersionDraft.objects.exists() and not Document.objects.exists() and not DocumentVersion.objects.exists()


@pytest.fixture
def staff(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("editor", "editor@example.com", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Publishers"))
    return user


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def published(staff):
    """Example Corp's privacy policy with version V1 (2024-01-01) published."""
    document = services.document_get_or_create(publisher_name="Example Corp", title="Privacy Policy", kind="privacy")
    result = services.version_publish(document=document, source_text=V1, filename="v1.md", added_by=staff)
    assert result.created and result.version.label == "2024-01-01"
    document.refresh_from_db()
    return document


# --- Permissions -------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(UPLOAD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    response = client.post(UPLOAD, new_doc_data(file=md(V1)))
    assert response.status_code == 302 and nothing_saved()


@pytest.mark.django_db
def test_non_staff_never_see_the_form(client, django_user_model):
    user = django_user_model.objects.create_user("reader", "r@example.com", "pw")
    client.force_login(user)
    response = client.get(UPLOAD)
    assert response.status_code in (302, 403)
    assert b'name="new_title"' not in response.content
    response = client.post(UPLOAD, new_doc_data(file=md(V1)))
    assert response.status_code in (302, 403) and nothing_saved()


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["", "publish", "discard"])
def test_anonymous_and_non_staff_cannot_reach_draft_endpoints(client, django_user_model, staff, action):
    uploaded = drafts.pasted_read(text=V1)
    draft = drafts.draft_create(created_by=staff, uploaded=uploaded, new_publisher="Example Corp", new_title="Privacy Policy")
    for user in (None, django_user_model.objects.create_user("reader", "r@example.com", "pw")):
        if user:
            client.force_login(user)
        response = client.post(draft_url(draft, action)) if action else client.get(draft_url(draft))
        assert response.status_code in (302, 403)
        assert VersionDraft.objects.filter(pk=draft.pk).exists()
        assert not DocumentVersion.objects.exists()


@pytest.mark.django_db
def test_staff_see_the_form_with_a_document_preselected(staff_client, published):
    response = staff_client.get(UPLOAD, {"document": published.slug})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    assert re.search(rf'<option value="{published.slug}" selected>', html)


# --- The happy path ------------------------------------------------------------------


@pytest.mark.django_db
def test_upload_new_document_preview_and_publish(staff_client, staff):
    response = post_upload(staff_client, **new_doc_data(file=md(V1, "privacy.md"), change_note="First upload."))
    draft = VersionDraft.objects.get()
    assert response.status_code == 302 and response["Location"] == draft_url(draft)
    assert not Document.objects.exists(), "the document is created on publish, not on upload"

    html = staff_client.get(draft_url(draft)).content.decode()
    assert f"Clauses as split ({len(services.version_parse(V1).clauses)}," in html
    assert "Information We Collect" in html and "We collect your name and email" in html
    assert "this will be its first version" in html
    assert "1 January 2024" in html and "as stated in the text" in html
    assert draft_url(draft, "publish") in html and draft_url(draft, "discard") in html

    response = staff_client.post(draft_url(draft, "publish"))
    version = DocumentVersion.objects.get()
    assert response.status_code == 302 and response["Location"] == version.get_absolute_url()
    assert not VersionDraft.objects.exists()
    document = version.document
    assert (document.publisher.name, document.title, document.kind) == ("Example Corp", "Privacy Policy", "privacy")
    assert document.current_version == version
    assert version.added_by == staff and version.change_note == "First upload."
    assert version.source_filename == "privacy.md" and version.source_sha256 == services.text_sha256(V1)
    assert version.effective_date == dt.date(2024, 1, 1) and version.effective_date_stated
    assert version.clauses.count() == len(services.version_parse(V1).clauses)
    entry = LogEntry.objects.get()
    assert (entry.user, entry.action_flag, entry.object_id) == (staff, ADDITION, str(version.pk))

    page = staff_client.get(response["Location"])
    assert page.status_code == 200 and "Published Privacy Policy version 2024-01-01" in page.content.decode()


@pytest.mark.django_db
def test_pasted_text_and_utf8_bom_are_accepted(staff_client, published):
    response = post_upload(staff_client, document=published.slug, file=md(b"\xef\xbb\xbf" + V2.encode(), "v2.txt"))
    assert response.status_code == 302
    draft = VersionDraft.objects.get()
    assert not draft.source_text.startswith("\ufeff") and draft.source_format == "text"
    staff_client.post(draft_url(draft, "discard"))
    response = post_upload(staff_client, document=published.slug, text=V2.replace("\n", "\r\n"))
    assert response.status_code == 302
    assert VersionDraft.objects.get().source_filename == ""


@pytest.mark.django_db
def test_preview_compares_with_current_and_a_later_version_becomes_current(staff_client, published):
    post_upload(staff_client, document=published.slug, file=md(V2), change_note="Phone numbers; cookies.")
    draft = VersionDraft.objects.get()
    html = staff_client.get(draft_url(draft)).content.decode()
    assert 'class="summary-bar"' in html
    # Section 2 amended (and the preamble's date line, where the parser keeps a preamble).
    assert re.search(r"[12] changed", html) and "1 added" in html and "0 removed" in html
    assert 'class="compare-grid"' in html and "status-added" in html
    assert re.search(r"<ins>[^<]*phone number", html), "word-level diff of the changed clause"
    assert "will be current" in html

    staff_client.post(draft_url(draft, "publish"))
    published.refresh_from_db()
    assert published.current_version.label == "2024-06-01"
    assert published.versions.count() == 2


@pytest.mark.django_db
def test_back_dated_version_goes_into_the_timeline_without_displacing_current(staff_client, published):
    post_upload(staff_client, document=published.slug, file=md(V_OLD), effective_date="2020-05-01")
    draft = VersionDraft.objects.get()
    html = staff_client.get(draft_url(draft)).content.decode()
    assert "earlier than the current version" in html and "will not displace the current one" in html
    assert "goes into the timeline" in html

    response = staff_client.post(draft_url(draft, "publish"))
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.current_version.label == "2024-01-01"
    assert list(published.versions.timeline().values_list("label", flat=True)) == ["2020-05-01", "2024-01-01"]
    page = staff_client.get(response["Location"]).content.decode()
    assert "superseded" in page


@pytest.mark.django_db
def test_stated_date_differing_from_given_date_is_flagged(staff_client, published):
    post_upload(staff_client, document=published.slug, file=md(V2), effective_date="2024-07-15")
    html = staff_client.get(draft_url(VersionDraft.objects.get())).content.decode()
    assert "The text states an effective date of 1 June 2024" in html
    assert "15 July 2024" in html and "as given" in html


@pytest.mark.django_db
def test_text_without_headings_is_flagged(staff_client):
    text = "We keep your data safe.\n\nWe never sell it.\n\nAsk us anything.\n"
    post_upload(staff_client, **new_doc_data(text=text))
    html = staff_client.get(draft_url(VersionDraft.objects.get())).content.decode()
    assert "No headings or numbered sections were recognized" in html
    assert "today&#x27;s date will be used" in html or "today's date will be used" in html


@pytest.mark.django_db
def test_discard_deletes_the_draft_and_publish_after_discard_404s(staff_client, published):
    post_upload(staff_client, document=published.slug, file=md(V2))
    draft = VersionDraft.objects.get()
    response = staff_client.post(draft_url(draft, "discard"))
    assert response.status_code == 302 and response["Location"] == UPLOAD
    assert not VersionDraft.objects.exists()
    assert staff_client.post(draft_url(draft, "publish")).status_code == 404
    assert staff_client.get(draft_url(draft)).status_code == 404
    assert staff_client.post(draft_url(draft, "discard")).status_code == 404
    assert published.versions.count() == 1


@pytest.mark.django_db
def test_get_to_publish_or_discard_does_nothing(staff_client, published):
    post_upload(staff_client, document=published.slug, file=md(V2))
    draft = VersionDraft.objects.get()
    assert staff_client.get(draft_url(draft, "publish")).status_code == 405
    assert staff_client.get(draft_url(draft, "discard")).status_code == 405
    assert VersionDraft.objects.filter(pk=draft.pk).exists()
    assert published.versions.count() == 1


@pytest.mark.django_db
def test_publish_requires_csrf_token(client, staff, published):
    client = type(client)(enforce_csrf_checks=True)
    client.force_login(staff)
    draft = drafts.draft_create(created_by=staff, uploaded=drafts.pasted_read(text=V2), document=published)
    assert client.post(draft_url(draft, "publish")).status_code == 403
    assert published.versions.count() == 1


# --- Bad uploads: a clear error and nothing saved ------------------------------------


BAD_FILES = [
    ("latin1.md", "Caf\xe9 terms\n\n## 1. Fees\n\nNone.".encode("latin-1"), "is not UTF-8 text"),
    ("nul.md", b"## 1. Terms\n\nText\x00more", "NUL bytes"),
    ("blank.md", b"   \n\t\n  ", "The file is empty."),
    ("image.md", b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)), "PNG image"),
    ("doc.md", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "PDF file"),
    ("archive.txt", b"PK\x03\x04\x14\x00\x06\x00\x08\x00" + bytes(range(200)), "ZIP archive"),
    ("terms.pdf", b"## 1. Terms\n\nPlain text in a .pdf name.\n", "not a file type the portal reads"),
    ("terms.docx", b"## 1. Terms\n\nText.\n", "not a file type the portal reads"),
    ("terms", b"## 1. Terms\n\nText.\n", "not a file type the portal reads"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("name,raw,message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_gets_a_clear_error_and_nothing_is_saved(staff_client, name, raw, message):
    response = post_upload(staff_client, **new_doc_data(file=md(raw, name)))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert nothing_saved()


@pytest.mark.django_db
def test_empty_file_is_refused(staff_client):
    response = post_upload(staff_client, **new_doc_data(file=md(b"", "empty.md")))
    assert response.status_code == 400 and "The submitted file is empty." in response.content.decode()
    assert nothing_saved()


@pytest.mark.django_db
@pytest.mark.parametrize("text,message", [
    ("   \n\n  ", "The pasted text is empty."),
    ("## 1. Terms\n\nA\x00B", "Null characters are not allowed"),
])
def test_bad_pasted_text(staff_client, text, message):
    response = post_upload(staff_client, **new_doc_data(text=text))
    assert response.status_code == 400 and message in response.content.decode()
    assert nothing_saved()


@pytest.mark.django_db
@override_settings(PORTAL_UPLOAD_MAX_BYTES=100)
def test_over_the_size_limit(staff_client):
    big = V1 * 3
    response = post_upload(staff_client, **new_doc_data(file=md(big)))
    assert response.status_code == 400 and "the limit is 100 bytes" in response.content.decode()
    response = post_upload(staff_client, **new_doc_data(text=big))
    assert response.status_code == 400 and "the limit is 100 bytes" in response.content.decode()
    assert nothing_saved()


@pytest.mark.django_db
def test_file_and_text_both_or_neither(staff_client):
    response = post_upload(staff_client, **new_doc_data(file=md(V1), text=V2))
    assert response.status_code == 400 and "not both" in response.content.decode()
    response = post_upload(staff_client, **new_doc_data())
    assert response.status_code == 400 and "Upload a file or paste the text of the document." in response.content.decode()
    assert nothing_saved()


@pytest.mark.django_db
def test_document_needs_choosing_or_describing(staff_client, published):
    response = post_upload(staff_client, new_publisher="", new_title="", text=V2)
    assert response.status_code == 400 and "Give the title of the new document" in response.content.decode()
    response = post_upload(staff_client, document=published.slug, new_title="Another", new_publisher="X", text=V2)
    assert response.status_code == 400 and "not both" in response.content.decode()
    response = post_upload(staff_client, **new_doc_data(text=V2))  # same publisher + title as `published`
    assert response.status_code == 400 and "already has a document called" in response.content.decode()
    assert not VersionDraft.objects.exists() and Document.objects.count() == 1


@pytest.mark.django_db
def test_identical_upload_is_refused_and_names_the_version(staff_client, published):
    # Same text, different bytes (BOM, CRLF): identity is the normalized text.
    response = post_upload(staff_client, document=published.slug, file=md(V1.replace("\n", "\r\n")))
    assert response.status_code == 400
    assert "identical to version 2024-01-01 of Privacy Policy" in response.content.decode()
    assert not VersionDraft.objects.exists() and published.versions.count() == 1


@pytest.mark.django_db
def test_draft_that_became_identical_cannot_be_published(staff_client, staff, published):
    # Two staff upload the same new text; the first publishes; the second's draft is now a duplicate.
    first = drafts.draft_create(created_by=staff, uploaded=drafts.pasted_read(text=V2), document=published)
    second = drafts.draft_create(created_by=staff, uploaded=drafts.pasted_read(text=V2), document=published)
    staff_client.post(draft_url(first, "publish"))
    html = staff_client.get(draft_url(second)).content.decode()
    assert "identical to version 2024-06-01" in html
    assert draft_url(second, "publish") not in html, "no publish button for a duplicate"
    response = staff_client.post(draft_url(second, "publish"))
    assert response.status_code == 409 and "identical to version 2024-06-01" in response.content.decode()
    assert published.versions.count() == 2 and VersionDraft.objects.filter(pk=second.pk).exists()


# --- Sanitizing ---------------------------------------------------------------------

HOSTILE = """# Hostile Terms

Effective: March 3, 2024

## 1. Scripts

Hello <script>alert('x')</script> world. <img src="x" onerror="alert(1)"> end.

## 2. Links

See [here](javascript:alert(2)) and [there](data:text/html;base64,PHNjcmlwdD5hbGVydCgzKTwvc2NyaXB0Pg==).
Also <a href="javascript:alert(4)">this</a> and <a href="data:text/html,x">that</a>.
"""


def assert_nothing_executable(html: str) -> None:
    assert "<script>alert" not in html
    assert not re.search(r"<[a-z][^>]*\son\w+\s*=", html, re.I), "event handler attribute"
    assert not re.search(r"""(href|src)\s*=\s*["']?\s*(javascript|data):""", html, re.I)
    assert not re.search(r"<(img|iframe)\b", html, re.I)


HOSTILE_HTML = """<!doctype html><html><head><title>Hostile Terms</title>
<script>alert('head')</script></head><body onload="alert(0)">
<h1>Hostile Terms</h1><p>Effective: March 3, 2024</p>
<h2>1. Scripts</h2><p>Hello <script>alert('x')</script> world <img src="x" onerror="alert(1)"></p>
<h2>2. Links</h2><p><a href="javascript:alert(2)">here</a> and <a href="data:text/html,x">there</a>
<iframe src="javascript:alert(5)"></iframe></p>
</body></html>
"""


@pytest.mark.django_db
@pytest.mark.parametrize("name,text", [("hostile.md", HOSTILE), ("hostile.html", HOSTILE_HTML)])
def test_hostile_markup_is_inert_in_preview_and_published_page(staff_client, name, text):
    post_upload(staff_client, **new_doc_data(new_title="Hostile Terms", file=md(text, name)))
    draft = VersionDraft.objects.get()
    preview = staff_client.get(draft_url(draft))
    assert preview.status_code == 200
    assert_nothing_executable(preview.content.decode())
    response = staff_client.post(draft_url(draft, "publish"))
    page = staff_client.get(response["Location"])
    assert page.status_code == 200
    assert_nothing_executable(page.content.decode())
    assert "script-src 'self'" in page["Content-Security-Policy"]


@pytest.mark.django_db
def test_hostile_markup_in_comparison_is_inert(staff_client, published):
    post_upload(staff_client, document=published.slug, file=md(V1 + "\n" + HOSTILE.split("\n", 4)[4], "v.md"))
    html = staff_client.get(draft_url(VersionDraft.objects.get())).content.decode()
    assert 'class="compare-grid"' in html
    assert_nothing_executable(html)


# --- Admin ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_versions_are_read_only(admin_client, published):
    version = published.current_version
    url = reverse("admin:documents_documentversion_change", args=[version.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Upload a new version" in html and f"{UPLOAD}?document={published.slug}" in html
    assert 'name="change_note"' not in html and 'name="_save"' not in html

    response = admin_client.post(url, {"change_note": "tampered", "effective_date": "1999-01-01", "source_text": "x"})
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.change_note == "" and version.effective_date == dt.date(2024, 1, 1)

    delete = admin_client.post(reverse("admin:documents_documentversion_delete", args=[version.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert admin_client.get(reverse("admin:documents_documentversion_add")).status_code == 403
    assert DocumentVersion.objects.filter(pk=version.pk).exists()


@pytest.mark.django_db
def test_admin_clauses_are_read_only(admin_client, published):
    clause = Clause.objects.filter(version=published.current_version).first()
    url = reverse("admin:documents_clause_change", args=[clause.pk])
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"heading": "tampered", "body": "x"}).status_code == 403
    clause.refresh_from_db()
    assert clause.heading != "tampered"
    assert admin_client.get(reverse("admin:documents_clause_changelist")).status_code == 200


@pytest.mark.django_db
def test_admin_document_edits_title_and_kind_only(admin_client, published):
    url = reverse("admin:documents_document_change", args=[published.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and "Upload a new version" in page.content.decode()
    other = Publisher.objects.create(slug="other", name="Other")
    response = admin_client.post(url, {
        "title": "Privacy Notice", "kind": "other", "slug": "hijacked", "publisher": other.pk,
        "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0",
        "versions-MIN_NUM_FORMS": "0", "versions-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    published.refresh_from_db()
    assert (published.title, published.kind) == ("Privacy Notice", "other")
    assert published.slug == "example-corp-privacy-policy" and published.publisher.slug == "example-corp"
    assert published.current_version.label == "2024-01-01"


@pytest.mark.django_db
def test_admin_lists_and_drafts(admin_client, admin_user, published):
    draft = drafts.draft_create(created_by=admin_user, uploaded=drafts.pasted_read(text=V2), document=published)
    for name in ["publisher", "document", "documentversion", "clause", "versiondraft"]:
        assert admin_client.get(reverse(f"admin:documents_{name}_changelist")).status_code == 200, name
    page = admin_client.get(reverse("admin:documents_versiondraft_change", args=[draft.pk]))
    assert page.status_code == 200 and draft_url(draft) in page.content.decode()


# --- What the upload did, the publish reuses ----------------------------------------


def _keys(version) -> dict[str, str]:
    return {c.heading: c.lineage.key for c in version.clauses.select_related("lineage")}


@pytest.mark.django_db
def test_publish_reuses_the_uploads_parse_and_alignment(staff_client, staff, published, monkeypatch):
    from documents import align

    post_upload(staff_client, document=published.slug, file=md(V2))
    draft = VersionDraft.objects.get()
    (stored,) = draft.alignments  # aligned with the current version, once, at upload
    assert stored["version"] == published.current_version_id and stored["side"] == 0
    assert staff_client.get(draft_url(draft)).status_code == 200  # the preview uses it too

    def refuse(*args, **kwargs):
        raise AssertionError("aligned or parsed again")

    monkeypatch.setattr(align, "align", refuse)
    monkeypatch.setattr(drafts, "parse_bounded", refuse)
    monkeypatch.setattr(services, "parse_document", refuse)
    # The published version's clause keys came along with the alignment, too.
    monkeypatch.setattr(services, "_published_clauses", refuse)
    response = staff_client.post(draft_url(draft, "publish"))
    assert response.status_code == 302
    new = published.versions.get(label="2024-06-01")
    old = _keys(published.versions.get(label="2024-01-01"))
    keys = _keys(new)
    assert keys["Introduction"] == old["Introduction"] and keys["Contact Us"] == old["Contact Us"]
    assert keys["Information We Collect"] == old["Information We Collect"]  # amended, same clause
    assert keys["Cookies"] not in old.values()


@pytest.mark.django_db
@pytest.mark.parametrize("stored", ["missing", "wrong length"])
def test_a_draft_alignment_without_usable_clause_keys_reads_them(staff, published, stored):
    # A draft saved before alignments carried the published clauses' keys, or one whose
    # list does not match its rows: the keys are read from the database instead.
    draft = drafts.draft_create(created_by=staff, uploaded=drafts.pasted_read(text=V2), document=published)
    (alignment,) = draft.alignments
    if stored == "missing":
        del alignment["clauses"]
    else:
        alignment["clauses"] = alignment["clauses"][:-1]
    draft.save(update_fields=["alignments"])
    result = drafts.draft_publish(draft=draft, published_by=staff)
    old = _keys(published.versions.get(label="2024-01-01"))
    keys = _keys(result.version)
    assert keys["Introduction"] == old["Introduction"] and keys["Contact Us"] == old["Contact Us"]
    assert keys["Information We Collect"] == old["Information We Collect"]


@pytest.mark.django_db
def test_a_draft_whose_neighbours_changed_is_aligned_again(staff, published):
    draft = drafts.draft_create(created_by=staff, uploaded=drafts.pasted_read(text=V2), document=published)
    # Meanwhile another version lands between the draft and the version it was aligned with.
    # Its first clause is new, so every other clause sits one place further down.
    between = V1.replace("## 1. Introduction", "## 1. Scope\n\nThis policy covers our website.\n\n"
                         "## 2. Introduction").replace("Effective: January 1, 2024", "Effective: March 1, 2024")
    middle = services.version_publish(document=published, source_text=between).version
    result = drafts.draft_publish(draft=draft, published_by=staff)
    # Keys continue from the version it now follows, not from the stale alignment.
    keys, before = _keys(result.version), _keys(middle)
    assert keys["Introduction"] == before["Introduction"] and keys["Contact Us"] == before["Contact Us"]
    assert keys["Information We Collect"] == before["Information We Collect"]
    assert before["Scope"] not in keys.values()
    assert services.spans_rebuild(published) == ([], [])


# --- Two staff publishing at once ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_publishes_both_land(staff, django_user_model, monkeypatch):
    """Two publishers at once: SQLite's IMMEDIATE transactions (30 s busy timeout)
    serialize them, and neither parses inside its transaction: the drafts carry their
    parse from the upload. (The parse used to run there, in a child forked from a
    threaded process while the other publisher waited on the lock: under load that
    child could miss its time budget, which made this test flaky.)"""
    from haystack.query import SearchQuerySet

    from documents.models import ClauseSpan

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # Shared-cache in-memory SQLite answers "database table is locked" at once instead
        # of waiting for the lock: concurrent writers need a file (DATABASES TEST NAME).
        pytest.skip("needs a file-based test database to test concurrent writers")
    other = django_user_model.objects.create_user("other", "o@example.com", "pw", is_staff=True)
    document = services.document_get_or_create(publisher_name="Example Corp", title="Privacy Policy", kind="privacy")
    services.version_publish(document=document, source_text=V1)
    same_day = dt.date(2024, 6, 1)
    a = drafts.draft_create(created_by=staff, uploaded=drafts.pasted_read(text=V2), document=document,
                            effective_date=same_day)
    b = drafts.draft_create(created_by=other, uploaded=drafts.pasted_read(text=V2.replace("signed in", "logged in")),
                            document=document, effective_date=same_day)

    def no_parse(*args, **kwargs):
        raise AssertionError("a publish parsed the text again")

    monkeypatch.setattr(drafts, "parse_bounded", no_parse)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def publish(draft, user):
        try:
            barrier.wait()
            drafts.draft_publish(draft=draft, published_by=user)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(d, u)) for d, u in ((a, staff), (b, other))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a publish did not finish within 120 s"
    assert not errors, errors
    document.refresh_from_db()
    labels = sorted(document.versions.values_list("label", flat=True))
    assert labels == ["2024-01-01", "2024-06-01", "2024-06-01-2"]
    assert not VersionDraft.objects.exists()
    assert document.current_version.label == "2024-06-01-2"
    assert LogEntry.objects.count() == 2
    assert SearchQuerySet().models(ClauseSpan).count() == ClauseSpan.objects.count() > 0


# --- publish_version command --------------------------------------------------------


@pytest.mark.django_db
def test_publish_version_command(tmp_path, staff):
    v1, v2 = tmp_path / "v1.md", tmp_path / "v2.md"
    v1.write_text(V1, encoding="utf-8")
    v2.write_text(V2, encoding="utf-8")
    out = io.StringIO()
    call_command("publish_version", str(v1), "--publisher", "Example Corp", "--title", "Privacy Policy",
                 "--kind", "privacy", "--user", "editor", stdout=out)
    assert "Published Privacy Policy version 2024-01-01" in out.getvalue()
    document = Document.objects.get()
    call_command("publish_version", str(v2), "--document", document.slug, "--effective-date", "2024-06-02",
                 "--note", "Cookies.", stdout=out)
    version = document.versions.get(label="2024-06-02")
    assert version.change_note == "Cookies." and version.added_by is None
    assert LogEntry.objects.count() == 1  # only the run with --user

    out = io.StringIO()
    call_command("publish_version", str(v1), "--document", document.slug, stdout=out)
    assert "Unchanged" in out.getvalue() and document.versions.count() == 2


@pytest.mark.django_db
def test_publish_version_command_errors(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(CommandError, match="PNG image"):
        call_command("publish_version", str(bad), "--publisher", "X", "--title", "Y")
    good = tmp_path / "good.md"
    good.write_text(V1, encoding="utf-8")
    with pytest.raises(CommandError, match="No document"):
        call_command("publish_version", str(good), "--document", "nope")
    with pytest.raises(CommandError, match="either"):
        call_command("publish_version", str(good))
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("publish_version", str(good), "--document", "x", "--effective-date", "31/01/2024")
    assert nothing_saved()


@pytest.mark.django_db
def test_back_dated_preview_compares_with_the_version_it_will_follow(staff_client, published):
    services.version_publish(document=published, source_text=V2, filename="v2.md")
    post_upload(staff_client, document=published.slug, file=md(V_OLD), effective_date="2024-03-01")
    html = staff_client.get(draft_url(VersionDraft.objects.get())).content.decode()
    assert "Changes from version 2024-01-01, which it will follow" in html
    assert "goes into the timeline" in html


@pytest.mark.django_db
def test_busy_search_index_publishes_nothing_and_keeps_the_draft(staff_client, published, monkeypatch):
    from documents import indexing
    from documents.search.backend import SearchIndexBusy

    def busy(changed, removed):
        raise SearchIndexBusy("The search index is busy; try again in a moment.")

    post_upload(staff_client, document=published.slug, file=md(V2))
    draft = VersionDraft.objects.get()
    monkeypatch.setattr(indexing, "spans_update", busy)
    response = staff_client.post(draft_url(draft, "publish"))
    assert response.status_code == 503
    assert "Not published: The search index is busy; try again in a moment. The draft is kept" in response.content.decode()
    assert published.versions.count() == 1 and VersionDraft.objects.filter(pk=draft.pk).exists()


# --- Staff home and the Publish button at the top (issue 24) ------------------------


@pytest.mark.django_db
def test_staff_home_lists_drafts_and_needs_a_staff_login(client, staff_client, django_user_model):
    assert staff_client.get("/staff/").status_code == 200
    assert "No drafts are waiting." in staff_client.get("/staff/").content.decode()
    post_upload(staff_client, **new_doc_data(file=md(V1, "privacy.md")))
    draft = VersionDraft.objects.get()
    page = staff_client.get("/staff/").content.decode()
    assert "Drafts waiting" in page and f'href="{draft_url(draft)}"' in page
    assert "new: Example Corp · Privacy Policy" in page and "privacy.md" in page
    assert page.count('href="/staff/"') == 1  # the site navigation leads here
    assert staff_client.get("/staff/")["Cache-Control"].startswith("max-age=0") or \
        "no-store" in staff_client.get("/staff/")["Cache-Control"]
    staff_client.logout()
    response = client.get("/staff/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    reader = django_user_model.objects.create_user("reader", password="pw")
    client.force_login(reader)
    assert client.get("/staff/").status_code == 302


@pytest.mark.django_db
def test_publish_is_offered_before_the_long_preview(staff_client, published):
    post_upload(staff_client, document=published.slug, file=md(V2, "v2.md"))
    draft = VersionDraft.objects.get()
    html = staff_client.get(draft_url(draft)).content.decode()
    publish = html.index(f'action="{draft_url(draft, "publish")}"')
    assert publish < html.index('class="draft-compare"') < html.index('class="draft-clauses"')
    assert html.index('class="draft-meta"') < publish
