"""The compare page and its JSON."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_compare_page_shows_summary_and_rows(client, two_versions):
    doc, v1, v2 = two_versions
    response = client.get("/compare/", {"a": f"{doc.slug}@{v1.label}", "b": f"{doc.slug}@{v2.label}"})
    page = response.content.decode()
    assert response.status_code == 200
    # The preamble ("Effective: …") and section 2 changed; section 3 is new.
    assert "2 changed" in page and "2 substantive" in page and "0 editorial" in page and "1 added" in page and "0 removed" in page and "2 renumbered" in page
    assert "<ins>" in page and "phone" in page
    assert 'id="next-change"' in page and 'id="only-changes"' in page


def test_compare_api(client, two_versions):
    doc, v1, v2 = two_versions
    data = client.get("/api/compare/", {"a": f"{doc.slug}@{v1.label}", "b": f"{doc.slug}@{v2.label}"}).json()
    assert data["summary"]["added"] == 1 and data["summary"]["changed"] == 2 and data["summary"]["removed"] == 0
    by_heading = {(r["new"] or r["old"])["heading"]: r for r in data["rows"]}
    assert by_heading["Cookies"]["status"] == "added"
    assert by_heading["Contact Us"]["renumbered"] is True
    assert by_heading["Information We Collect"]["status"] == "changed"


def test_compare_escapes_document_html(client):
    doc = factories.document(title="Hostile")
    v1 = factories.publish(doc, "# H\n\n## 1. A\n\nPlain text here.\n").version
    v2 = factories.publish(doc, "# H\n\n## 1. A\n\nPlain `<script>alert(1)</script>` text & <b onmouseover=alert(2)>here</b>.\n").version
    page = client.get("/compare/", {"a": f"{doc.slug}@{v1.label}", "b": f"{doc.slug}@{v2.label}"}).content.decode()
    assert "<script>alert(1)" not in page
    assert "onmouseover" not in page.replace("onmouseover=alert(2)&gt;", "")
    assert "<b " not in page


def test_compare_without_arguments_offers_a_chooser(client, two_versions):
    page = client.get("/compare/").content.decode()
    assert "Compare two versions" in page and "<select" in page


@pytest.mark.parametrize("params", [{"a": "nope@2020-01-01", "b": "nope"}, {"a": "@", "b": "x"}])
def test_compare_unknown_versions_404(client, two_versions, params):
    assert client.get("/compare/", params).status_code == 404
    assert client.get("/api/compare/", params).status_code == 404


def test_compare_api_needs_two_versions(client):
    response = client.get("/api/compare/", {"a": "x"})
    assert response.status_code == 400 and "error" in response.json()


def test_a_renamed_heading_is_marked_word_by_word(client):
    doc = factories.document(title="Renames")
    v1 = factories.publish(doc, "# R\n\n## 1. Who you are contracting with\n\nThe same body text stays here.\n").version
    v2 = factories.publish(doc, "# R\n\n## 1. Who your contract is with\n\nThe same body text stays here.\n").version
    data = client.get("/api/compare/", {"a": f"{doc.slug}@{v1.label}", "b": f"{doc.slug}@{v2.label}"}).json()
    (row,) = [r for r in data["rows"] if r["new"] and r["new"]["number"] == "1"]
    assert row["status"] == "changed"
    page = client.get("/compare/", {"a": f"{doc.slug}@{v1.label}", "b": f"{doc.slug}@{v2.label}"}).content.decode()
    assert "<ins>your contract is</ins>" in page or "<ins>contract is</ins>" in page
