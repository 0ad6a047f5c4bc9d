"""Issue #25, items 3, 4, 5 and 9 (unsubscribe): hostile query strings, form fields and
JSON bodies are a clear 4xx, never a 500; an unsubscribe link acts only on a POST."""

from __future__ import annotations

import pytest
from django.urls import reverse

from documents.alerts.models import Watch
from documents.alerts.tokens import unsubscribe_token
from tests import factories

pytestmark = pytest.mark.django_db

NOT_SLUGS = ["a.b", "a b", "é", "x" * 300, "a/b", "<script>"]


@pytest.fixture
def published():
    doc = factories.document()
    factories.publish(doc, factories.POLICY_V1)
    doc.refresh_from_db()
    return doc


@pytest.mark.parametrize("name", ["publisher", "document"])
@pytest.mark.parametrize("value", NOT_SLUGS)
def test_changes_refuses_a_filter_that_is_not_a_slug(client, published, name, value):
    page = client.get(reverse("alerts:changes"), {name: value})
    assert page.status_code == 400
    assert "is not a" in page.content.decode() or "characters long" in page.content.decode()
    api = client.get(reverse("alerts:api_changes"), {name: value})
    assert api.status_code == 400 and api.json()["error"]


def test_changes_with_a_slug_filter_still_answers(client, published):
    page = client.get(reverse("alerts:changes"), {"document": published.slug})
    assert page.status_code == 200
    assert f'href="/d/{published.slug}/feed/"'.encode() in page.content


@pytest.fixture
def reader(client, django_user_model):
    user = django_user_model.objects.create_user("reader", email="r@example.com", password="a-long-test-password-1")
    client.force_login(user)
    return user


@pytest.mark.parametrize("field,value", [
    ("publisher", "a b"), ("document_filter", "x.y"), ("publisher", "p" * 300), ("document_filter", "d" * 300),
    ("publisher", "é"),
])
def test_a_saved_search_with_a_bad_filter_is_refused_with_a_message(client, reader, field, value):
    response = client.post(reverse("alerts:watch_add"), {"q": "cookies", field: value}, follow=True)
    assert response.status_code == 200
    assert any("is not a" in str(m) or "characters long" in str(m) for m in response.context["messages"])
    assert not Watch.objects.exists()


def test_a_saved_search_with_good_filters_is_made(client, reader):
    client.post(reverse("alerts:watch_add"), {"q": "cookies", "publisher": "example-corp", "document_filter": "a_b"})
    assert Watch.objects.get().publisher_slug == "example-corp"


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_citations_api_refuses_json_nested_too_deep(client, depth):
    body = "[" * depth + "]" * depth
    response = client.post(reverse("alerts:api_citations"), body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["error"]
    wrapped = '{"text": ' + "[" * depth + "]" * depth + "}"
    assert client.post(reverse("alerts:api_citations"), wrapped, content_type="application/json").status_code == 400


def test_unsubscribe_link_followed_by_a_scanner_changes_nothing(client, published, reader):
    from documents.alerts import services

    watch, _ = services.watch_document(user=reader, document=published)
    client.logout()
    url = reverse("alerts:unsubscribe", args=[unsubscribe_token(watch.pk)])
    for _ in range(2):  # a GET (and a HEAD) are what link scanners and previews send
        page = client.get(url)
        assert page.status_code == 200 and b">Unsubscribe</button>" in page.content
        assert client.head(url).status_code < 500
    watch.refresh_from_db()
    assert watch.active is True
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200  # RFC 8058
    watch.refresh_from_db()
    assert watch.active is False
    assert b"Watch it again" in client.get(url).content


@pytest.mark.parametrize("next_url", ['"\u00b5U\u00f1', "home", "documents:home", "javascript:alert(1)", "//evil.example/"])
def test_a_next_that_is_not_a_path_falls_back_to_the_watches_page(client, published, reader, next_url):
    from documents.alerts import services

    watch, _ = services.watch_document(user=reader, document=published)
    response = client.post(reverse("alerts:watch_remove", args=[watch.pk]), {"next": next_url})
    assert response.status_code == 302 and response["Location"] == reverse("alerts:watches")
    response = client.post(reverse("alerts:watch_add"), {"document": published.slug, "next": next_url})
    assert response.status_code == 302 and response["Location"] == reverse("alerts:watches")
    response = client.post(reverse("alerts:watch_add"), {"document": published.slug, "next": "/changes/"})
    assert response["Location"] == "/changes/"
