"""Results people can work with: pagination, export, suggestions, similar clauses, highlight links."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse

from documents.models import Clause
from tests.test_search import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def widgets():
    sections = [(f"Widget rule {n}", f"Widgets must follow rule {n} of the widget policy.") for n in range(1, 46)]
    publish("Acme", "Widget Terms", "terms", sections, dt.date(2023, 1, 1))
    publish("Globex", "Widget Policy", "terms", [
        ("Governing law", "Widgets must follow the widget policy rules of Ontario."),
        ("Other", "Nothing about that here."),
    ], dt.date(2023, 2, 1))


def test_numbered_pages_never_past_the_end(widgets, client):
    body = client.get(reverse("documents:search"), {"q": "widget"}).content.decode()
    assert "page 1 of 3" in body and 'aria-current="page"' in body and "?q=widget&amp;page=3" in body
    past = client.get(reverse("documents:search"), {"q": "widget", "page": 200})
    text = past.content.decode()
    assert past.status_code == 200
    assert "There is no page 200; the results end at page 3" in text and "of 109" not in text
    assert "page 200 of" not in text and "Go to page 3" in text


def test_export_all_hits_as_csv_and_json(widgets, client):
    response = client.get(reverse("documents:search_export"), {"q": "widget", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 46  # every hit, not a page of 20
    assert all(r["permalink"].startswith("http://testserver/c/") for r in rows)
    assert rows[0]["title"].startswith("§ ")
    data = json.loads(b"".join(client.get(reverse("documents:search_export"),
                                          {"q": "widget", "format": "json"}).streaming_content))
    assert data["count"] == 46 and data["exported"] == 46 and not data["truncated"]
    assert {"permalink", "latest_permalink", "text", "section"} <= set(data["results"][0])
    assert client.get(reverse("documents:search_export"), {"q": "widget", "format": "xml"}).status_code == 400


def test_export_neutralises_spreadsheet_formulas(client):
    publish("Evil", "Terms", "terms", [("=HYPERLINK(1)", "=cmd|' /C calc'!A0 widgetry")], dt.date(2023, 1, 1))
    response = client.get(reverse("documents:search_export"), {"q": "widgetry"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and ",=" not in text


def test_suggestions_from_headings(widgets, client):
    data = client.get(reverse("documents:search_suggest"), {"q": "gover"}).json()
    assert data["suggestions"] == ["Governing law"]
    assert client.get(reverse("documents:search_suggest"), {"q": "x"}).json() == {"suggestions": []}


def test_similar_clauses_in_other_documents(widgets, client):
    clause = Clause.objects.get(heading="Widget rule 7")
    body = client.get(reverse("documents:clause_latest", args=[clause.lineage.key])).content.decode()
    assert "Similar clauses in other documents" in body
    assert "Governing law" in body and "Globex" in body  # the other document's wording
    assert "Widget rule 8" not in body  # not the same document


def test_result_links_carry_the_words_to_highlight(widgets, client):
    api = client.get(reverse("documents:api_search"), {"q": '"widget policy"'}).json()
    assert "hl=widget+policy" in api["results"][0]["url"]
    page = client.get(api["results"][0]["url"])
    assert page.status_code == 200 and b"search.js" in page.content


def test_long_facets_list_their_most_frequent_values_and_the_chosen_one():
    from documents.search.results import FacetValue, facet_lists

    values = [FacetValue(value=f"doc-{n}", label=f"Doc {n}", count=100 - n, active=n == 12, name="document")
              for n in range(15)]
    short = [FacetValue(value="privacy", label="Privacy", count=3, active=False, name="kind")]
    lists = facet_lists({"document": values, "kind": short}, shown=10)
    assert [f.value for f in lists[0].shown] == [f"doc-{n}" for n in range(10)] + ["doc-12"]
    assert (lists[0].name, lists[0].hidden) == ("document", 4)
    assert ([f.value for f in lists[1].shown], lists[1].hidden) == (["privacy"], 0)


def test_search_page_lists_a_long_facet_in_part(client):
    for n in range(12):
        publish(f"Publisher {n:02}", "Widget Terms", "terms", [("Widgets", "Widgets are fine.")], dt.date(2023, 1, 1))
    body = client.get(reverse("documents:search"), {"q": "widgets"}).content.decode()
    assert "and 2 more: type <code>publisher:…</code>" in body
    assert body.count('class="facet-count"') == 10 + 10 + 1  # publishers, documents, the one kind
    assert len(client.get(reverse("documents:api_search"), {"q": "widgets"}).json()["facets"]["publisher"]) == 12
