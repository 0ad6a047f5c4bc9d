"""The seeds as a reader meets them: cross-references, cross-document comparison."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from documents.models import Clause

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeds(seeds_dir):
    call_command("import_documents", str(seeds_dir), stdout=StringIO(), stderr=StringIO())


def _clause(slug, number):
    return Clause.objects.select_related("version__document").get(version__document__slug=slug, number=number)


def test_cross_references_link_to_the_clause_they_name(client, seeds):
    page = client.get("/d/clickdesk-api-terms/").content.decode()
    anchor_16_9 = _clause("clickdesk-api-terms", "16.9").anchor
    assert re.search(rf'<a href="#{anchor_16_9}" title="16.9 How to Contact Us"[^>]*>[^<]*16\.9', page)
    anchor_4_2 = _clause("clickdesk-api-terms", "4.2").anchor
    assert f'<a href="#{anchor_4_2}"' in page


def test_cross_reference_whose_number_and_title_disagree_trusts_the_title(client, seeds):
    """The survival clause cites 6.4 (“Delete at User Request”), which the list numbers 6.3."""
    page = client.get("/d/clickdesk-api-terms/").content.decode()
    target = _clause("clickdesk-api-terms", "6.3")
    assert target.heading == "Delete at User Request"
    assert (
        f'<a href="#{target.anchor}" title="cited as 6.4; the clause with this title is 6.3 Delete at User Request"'
        in page
    )
    assert "<em>(→ 6.3)</em>" in page


def test_clause_page_links_references_into_the_version_page(client, seeds):
    clause = next(c for c in Clause.objects.filter(version__document__slug="clickdesk-api-terms")
                  if "16.9 below" in c.text)
    page = client.get(clause.get_permalink()).content.decode()
    version_url = clause.version.get_absolute_url()
    assert f'href="{version_url}#{_clause("clickdesk-api-terms", "16.9").anchor}"' in page


def test_two_different_documents_compare_by_subject(client, seeds):
    response = client.get("/compare/", {"a": "zendesk-api-restrictions", "b": "clickdesk-api-terms"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Two different documents" in page
    data = client.get("/api/compare/", {"a": "zendesk-api-restrictions", "b": "clickdesk-api-terms"}).json()
    assert data["cross_document"] is True
    # Each text is sent once: as old_text below the diff floor, old_html above it.
    rate = next(r for r in data["rows"] if r["old"] and "rate limitations" in (r.get("old_text") or r.get("old_html") or ""))
    assert rate["new"]["heading"] == "Rate Limits" and 0.3 <= rate["similarity"] < 1
