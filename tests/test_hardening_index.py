"""Issue #25, item 2: a search index removed or emptied under a populated database is a
503 with a message, never an empty index answering "no results"; a publish refuses to
write into it; ``search_sync --repair`` rebuilds it."""

from __future__ import annotations

import shutil

import pytest
from django.core.management import call_command
from django.urls import reverse
from haystack import connections

from documents import indexing
from haystack.exceptions import SearchBackendError
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("refuse_empty_index")]


@pytest.fixture
def indexed(settings):
    doc = factories.document()
    factories.publish(doc, factories.POLICY_V1)
    doc.refresh_from_db()
    path = settings.HAYSTACK_CONNECTIONS["default"]["PATH"]
    assert _hits() > 0
    return doc, path


def _hits(client=None):
    from django.test import Client

    response = (client or Client()).get("/api/search/", {"q": "information"})
    return response.json()["count"] if response.status_code == 200 else response.status_code


def _restart():
    """A worker restart: haystack's connections are made again."""
    connections.reload("default")
    assert connections["default"].options["REFUSE_EMPTY_OVER_DATA"] is True


def test_index_removed_while_serving_is_a_503_then_and_after_a_restart(client, indexed):
    doc, path = indexed
    shutil.rmtree(path)
    for _ in range(2):
        page = client.get("/search/", {"q": "information"})
        assert page.status_code == 503 and "index is being rebuilt" in page.content.decode()
        api = client.get("/api/search/", {"q": "information"})
        assert api.status_code == 503 and api.json()["error"]
        assert client.get("/search/suggest/", {"q": "inf"}).status_code == 503
        _restart()  # a new worker must not create an empty index over the database
    import os

    assert not os.path.exists(os.path.join(path, "_MAIN_0.toc"))


def test_publish_into_a_removed_index_is_refused_and_repair_rebuilds(client, indexed):
    doc, path = indexed
    shutil.rmtree(path)
    _restart()
    with pytest.raises(SearchBackendError, match="must be rebuilt"):
        factories.publish(doc, factories.POLICY_V2)
    assert doc.versions.count() == 1  # nothing half-saved
    call_command("search_sync", "--repair", stdout=open("/dev/null", "w"))
    assert _hits(client) > 0
    factories.publish(doc, factories.POLICY_V2)
    assert client.get("/api/search/", {"q": "cookies"}).json()["count"] > 0


def test_an_emptied_index_is_noticed(client, indexed):
    doc, path = indexed
    # Someone replaced the index by an empty one (haystack's clear, or a copy).
    indexing.backend().delete_index()
    page = client.get("/search/", {"q": "information"})
    assert page.status_code == 503
    report = indexing.compare()
    assert report.rebuild_needed and "missing or empty" in report.rebuild_reason
    with pytest.raises(SearchBackendError, match="must be rebuilt"):
        factories.publish(doc, factories.POLICY_V2)
    call_command("search_sync", "--repair", stdout=open("/dev/null", "w"))
    assert _hits(client) > 0


def test_a_fresh_install_still_creates_its_index(client):
    assert client.get("/api/search/", {"q": "information"}).status_code == 200
    doc = factories.document()
    factories.publish(doc, factories.POLICY_V1)
    assert _hits(client) > 0


def test_search_sync_reports_a_removed_index_without_creating_one(indexed):
    import io
    import os

    doc, path = indexed
    shutil.rmtree(path)
    _restart()
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("search_sync", stdout=out)
    assert "missing or empty" in out.getvalue()
    assert not os.path.exists(path) or not os.listdir(path)
