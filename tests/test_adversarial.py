"""The adversarial catalogue: bad queries, URLs, uploads and headers, each one a test.
None may be a 5xx; the API answers JSON; nothing is half-saved."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import DocumentVersion, VersionDraft
from tests.test_upload import new_doc_data, post_upload, staff, staff_client  # noqa: F401

pytestmark = pytest.mark.django_db

BAD_PATHS = [
    "/api/nope/", "/api/documents/%00/versions/x/", "/api/clauses/" + "a" * 300 + "/",
    "/api/compare/?a=x@y&b=", "/api/compare/?a=%ff&b=%fe", "/api/search/?q=" + "(" * 500,
    "/api/search/?q=%00", "/api/search/?q=*&page=-1", "/api/search/?q=a&page=99999999999999999999",
    "/d/%2e%2e/", "/c/../../etc/passwd/", "/compare/?a=" + "x" * 3000, "/search/?q=" + "\"" * 1000,
    "/search/?q=AND OR NOT", "/d/x/v/9999-99-99/", "/c/aaaaaaaa/0000-00-00/",
]


@pytest.mark.parametrize("path", BAD_PATHS)
def test_bad_addresses_are_4xx_never_5xx(client, path):
    response = client.get(path)
    assert response.status_code < 500, (path, response.status_code)
    if path.startswith("/api/") and response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json")
        assert "error" in response.json()


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
@pytest.mark.parametrize("path", ["/api/search/?q=x", "/api/documents/"])
def test_the_api_is_read_only_with_a_json_405(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response.json()["error"] and "GET" in response["Allow"]


def test_a_bad_host_gets_a_generic_400(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert b"ALLOWED_HOSTS" not in response.content and b"evil.example" not in response.content


def test_an_oversize_paste_gets_a_clear_413(staff_client, settings):  # noqa: F811
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = post_upload(staff_client, **{**new_doc_data(), "text": "x " * 2048})
    assert response.status_code == 413
    assert b"too large" in response.content and b"DATA_UPLOAD_MAX_MEMORY_SIZE" not in response.content
    assert not VersionDraft.objects.exists()


@pytest.mark.parametrize("content", [b".,;:!?-- ** __ ...\n\n!!!\n", b"\xef\xbb\xbf   \n\t\n", b"#\n##\n###\n"])
def test_uploads_with_no_words_are_refused(staff_client, content):  # noqa: F811
    upload = SimpleUploadedFile("policy.md", content, content_type="text/markdown")
    response = post_upload(staff_client, **new_doc_data(), file=upload)
    assert response.status_code == 400
    assert not VersionDraft.objects.exists() and not DocumentVersion.objects.exists()


def test_staff_pages_are_not_cached(staff_client):  # noqa: F811
    response = staff_client.get("/staff/upload/")
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("headers", [
    {"HTTP_X_FORWARDED_FOR": "1.2.3.4, <script>"}, {"HTTP_USER_AGENT": "\x00" * 10},
    {"HTTP_ACCEPT_LANGUAGE": "x" * 5000}, {"HTTP_REFERER": "javascript:alert(1)"},
])
def test_odd_headers_change_nothing(client, headers):
    assert client.get("/", **headers).status_code == 200
