"""Browse pages and the JSON API through Django's test client."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_home_groups_documents_by_publisher(client, two_versions):
    factories.publish(factories.document(publisher="Other Inc", title="Terms", kind="terms"), factories.POLICY_V1)
    page = client.get("/").content.decode()
    assert page.index("Example Corp") < page.index("Other Inc")
    assert "Privacy policy" in page and "1 Jun 2024" in page


def test_document_page_has_toc_anchors_permalinks_and_timeline(client, two_versions):
    doc, v1, v2 = two_versions
    response = client.get(doc.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    clause = v2.clauses.get(heading="Cookies")
    assert f'id="{clause.anchor}"' in page
    assert f'href="#{clause.anchor}"' in page
    assert f'href="{clause.get_permalink()}"' in page
    assert f'href="{v1.get_absolute_url()}"' in page
    assert "compare with previous" in page
    assert "current" in page


def test_old_version_page_says_superseded(client, two_versions):
    doc, v1, v2 = two_versions
    page = client.get(v1.get_absolute_url()).content.decode()
    assert "superseded" in page and "read the current version" in page


def test_markdown_is_rendered_then_sanitized(client):
    doc = factories.document(title="Hostile")
    text = (
        "# Hostile\n\n## 1. Payload\n\nHello <script>alert(1)</script> **bold** "
        "<img src=x onerror=alert(2)> [click](javascript:alert(3)) [data](data:text/html;base64,PHNjcmlwdD4=)\n"
    )
    factories.publish(doc, text)
    page = client.get(doc.get_absolute_url()).content.decode()
    assert "<strong>bold</strong>" in page
    assert "<script>alert" not in page
    assert "onerror" not in page
    assert "javascript:" not in page
    assert "data:text/html" not in page


@pytest.mark.parametrize(
    "url",
    ["/d/nope/", "/d/example-corp-privacy-policy/v/1999-01-01/", "/c/unknownkey/", "/c/unknownkey/2024-01-01/",
     "/api/documents/nope/versions/current/", "/api/clauses/nope/", "/no/such/page/"],
)
def test_unknown_things_are_clear_404s(client, two_versions, url):
    response = client.get(url)
    assert response.status_code == 404
    if url.startswith("/api/"):
        assert "error" in response.json()


def test_api_documents(client, two_versions):
    doc, v1, v2 = two_versions
    data = client.get("/api/documents/").json()
    (entry,) = data["documents"]
    assert entry["slug"] == doc.slug and entry["publisher"] == "Example Corp" and entry["kind"] == "privacy"
    assert entry["current_version"] == v2.label and entry["version_count"] == 2
    versions = client.get(entry["versions_url"]).json()["versions"]
    assert [v["label"] for v in versions] == [v1.label, v2.label]


def test_api_version_lists_clauses_with_permalinks(client, two_versions):
    doc, v1, v2 = two_versions
    data = client.get(f"/api/documents/{doc.slug}/versions/{v1.label}/").json()
    assert data["effective_date"] == "2024-01-01" and data["sha256"] == v1.sha256
    headed = [c for c in data["clauses"] if c["heading"] == "Contact Us"]
    assert headed[0]["number"] == "4"
    assert headed[0]["permalink"].endswith(f"/c/{headed[0]['key']}/{v1.label}/")
    assert set(headed[0]) >= {"number", "anchor", "heading", "text", "depth", "permalink"}
    assert client.get(f"/api/documents/{doc.slug}/versions/current/").json()["version"] == v2.label


def test_version_in_force_on_a_date(client, two_versions):
    doc, v1, v2 = two_versions
    response = client.get(doc.get_absolute_url(), {"as_of": "2024-03-15"})
    assert response.status_code == 302 and response.url == f"{v1.get_absolute_url()}?as_of=2024-03-15"
    page = client.get(response.url).content.decode()
    assert "The version in force on 2024-03-15." in page and "superseded" in page
    assert client.get(doc.get_absolute_url(), {"as_of": "2024-06-01"}).url.startswith(v2.get_absolute_url())


def test_as_of_before_the_first_version_and_bad_dates_say_so(client, two_versions):
    doc, v1, v2 = two_versions
    early = client.get(doc.get_absolute_url(), {"as_of": "2000-01-01"})
    assert early.status_code == 200
    assert "No version was in force on 1 January 2000; the first one took effect on 1 January 2024." in early.content.decode()
    bad = client.get(doc.get_absolute_url(), {"as_of": "next tuesday"})
    assert bad.status_code == 400 and "is not a date" in bad.content.decode()


def test_document_without_versions_is_a_404(client):
    doc = factories.document(title="Not yet published")
    assert client.get(doc.get_absolute_url()).status_code == 404
    assert client.get(doc.get_absolute_url(), {"as_of": "2020-01-01"}).status_code == 404
