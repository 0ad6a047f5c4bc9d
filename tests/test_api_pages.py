"""Every JSON list is paginated (documents.paging): documents, a document's versions,
a clause's texts over time, recent changes; and the selectors behind the changes list
read only the versions they show."""

from __future__ import annotations

import datetime as dt

import pytest

from documents import selectors
from documents.paging import PageError, page_request
from tests import factories

pytestmark = pytest.mark.django_db


def _text(n: int) -> str:
    return (f"# Example Privacy Policy\n\n## 1. Data\n\nWe keep your data for {n} days.\n\n"
            f"## 2. Contact\n\nWrite to us at privacy{n}@example.com.\n")


def _documents(n: int, versions: int = 1, first: int = 0):
    docs = []
    for i in range(first, first + n):
        doc = factories.document(publisher=f"Publisher {i}", title="Privacy Policy", slug=f"doc-{i}")
        for v in range(versions):
            factories.publish(doc, _text(v), dt.date(2024, 1, 1) + dt.timedelta(days=30 * v))
        docs.append(doc)
    return docs


def test_page_request_bounds():
    assert page_request({}, default_per_page=50, max_per_page=200) == page_request(
        {"page": "1", "per_page": "50"}, default_per_page=50, max_per_page=200)
    wanted = page_request({"page": "3", "per_page": "20"}, default_per_page=50, max_per_page=200)
    assert (wanted.start, wanted.stop, wanted.pages(41), wanted.beyond(40), wanted.beyond(41)) == (40, 60, 3, True, False)
    assert page_request({"page": "1"}, default_per_page=5, max_per_page=10).pages(0) == 1
    for bad in ({"page": "x"}, {"page": "0"}, {"per_page": "201"}, {"per_page": "0"}, {"page": "1.5"}):
        with pytest.raises(PageError):
            page_request(bad, default_per_page=50, max_per_page=200)


def test_api_documents_pages_with_links_and_counts(client):
    _documents(3, versions=2)
    first = client.get("/api/documents/", {"per_page": 2}).json()
    assert (first["count"], first["page"], first["pages"], first["per_page"]) == (3, 1, 2, 2)
    assert [d["slug"] for d in first["documents"]] == ["doc-0", "doc-1"]
    assert first["previous"] is None and first["next"] == "http://testserver/api/documents/?page=2&per_page=2"
    entry = first["documents"][0]
    assert entry["version_count"] == 2 and entry["current_version"] == "2024-01-31"
    assert entry["current"]["label"] == "2024-01-31"
    assert entry["current"]["url"] == "http://testserver/d/doc-0/v/2024-01-31/"
    assert entry["versions_url"] == "http://testserver/api/documents/doc-0/versions/"
    second = client.get(first["next"]).json()
    assert [d["slug"] for d in second["documents"]] == ["doc-2"]
    assert second["next"] is None and second["previous"] == "http://testserver/api/documents/?page=1&per_page=2"


def test_api_documents_bad_pages_are_clear_errors(client):
    _documents(1)
    for query, status in (({"page": "x"}, 400), ({"per_page": "1000"}, 400), ({"page": "0"}, 400),
                          ({"page": "2"}, 404)):
        response = client.get("/api/documents/", query)
        assert response.status_code == status and "error" in response.json(), query
    assert client.get("/api/documents/nope/versions/").status_code == 404


def test_api_documents_page_costs_the_same_whatever_the_versions(client, django_assert_max_num_queries):
    _documents(1, versions=1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get("/api/documents/")
    _documents(4, versions=4, first=1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        data = client.get("/api/documents/").json()
    assert data["count"] == 5


def test_api_versions_of_a_document_page_oldest_first(client):
    (doc,) = _documents(1, versions=3)
    page1 = client.get(f"/api/documents/{doc.slug}/versions/", {"per_page": 2}).json()
    assert page1["document"] == doc.slug and (page1["count"], page1["pages"]) == (3, 2)
    assert [v["label"] for v in page1["versions"]] == ["2024-01-01", "2024-01-31"]
    page2 = client.get(page1["next"]).json()
    assert [v["label"] for v in page2["versions"]] == ["2024-03-01"] and page2["next"] is None
    assert page2["versions"][0]["api_url"] == f"http://testserver/api/documents/{doc.slug}/versions/2024-03-01/"


def test_api_clause_pages_keep_the_status_across_a_page_break(client):
    (doc,) = _documents(1, versions=3)
    key = doc.versions.order_by("effective_date").first().clauses.get(heading="Data").lineage.key
    whole = client.get(f"/api/clauses/{key}/").json()
    # One word per version, documents.kinds' (issue 22: the compare page's answer, not "amended").
    assert [v["status"] for v in whole["versions"]] == ["added", "substantive", "substantive"] and whole["count"] == 3
    assert [v["kind"] for v in whole["versions"]] == [v["status"] for v in whole["versions"]]
    second = client.get(f"/api/clauses/{key}/", {"per_page": 1, "page": 2}).json()
    assert [(v["version"], v["status"]) for v in second["versions"]] == [("2024-01-31", "substantive")]
    assert second["pages"] == 3 and second["next"].endswith("page=3&per_page=1")
    assert client.get(f"/api/clauses/{key}/", {"page": 4, "per_page": 1}).status_code == 404


def test_previous_versions_follow_the_timeline_with_a_backdated_version():
    (doc,) = _documents(1, versions=3)
    backdated = factories.publish(doc, _text(99), dt.date(2024, 1, 15)).version
    timeline = list(doc.versions.timeline())
    assert [v.pk for v in timeline].index(backdated.pk) == 1
    previous = selectors.previous_versions(timeline)
    assert [previous[v.pk].pk if previous[v.pk] else None for v in timeline] == [None] + [v.pk for v in timeline[:-1]]


def test_api_changes_links_the_pages_beside(client):
    _documents(2, versions=14)  # 28 versions: two pages of 25
    first = client.get("/api/changes/").json()
    assert (first["count"], first["pages"], len(first["results"])) == (28, 2, 25)
    assert first["previous"] is None and first["next"] == "http://testserver/api/changes/?page=2&per_page=25"
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 3 and second["next"] is None
    assert client.get("/api/changes/", {"per_page": "500"}).status_code == 400


def test_change_summaries_fill_computes_the_newest_once(client, django_assert_max_num_queries):
    from documents.alerts.models import ChangeSummary
    from documents.alerts.services import change_summaries_fill

    _documents(2, versions=3)
    assert change_summaries_fill(newest=4) == 4 and ChangeSummary.objects.count() == 4
    assert change_summaries_fill(newest=4) == 0
    newest = ChangeSummary.objects.filter(version__document__slug="doc-1", previous__isnull=False).order_by(
        "-version__effective_date").first()
    assert newest.counts["changed"] == 2 and newest.counts["total"] == 2
    # With all six kept, the first page of changes reads them: nothing computed, a
    # bounded number of queries.
    assert change_summaries_fill(newest=6) == 2
    with django_assert_max_num_queries(12):
        page = client.get("/changes/")
    assert page.status_code == 200 and ChangeSummary.objects.count() == 6
