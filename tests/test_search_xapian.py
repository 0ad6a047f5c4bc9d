"""The generic haystack path on a real second engine: Xapian (xapian-haystack).

``SEARCH_BACKEND=xapian`` runs every search through haystack's ``SearchQuerySet``
(``documents.search.generic_path``), the path a search cluster would use. These tests
run where the engine is installed (``make xapian``; ``.ci/run`` installs it, and in
CI its absence is a failure).
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.urls import reverse

try:
    import xapian  # noqa: F401
    import xapian_backend  # noqa: F401
except ImportError:  # pragma: no cover - depends on the machine
    if os.environ.get("CI"):
        raise
    pytest.skip("Xapian is not installed (make xapian)", allow_module_level=True)

from documents import indexing
from documents.search import SearchParams
from documents.search.service import search
from tests.test_search import ACME_V1, ACME_V2, publish

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def xapian_engine(settings, tmp_path):
    from haystack import connections

    settings.HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "documents.search.xapian_engine.PortalXapianEngine",
                                                 "PATH": str(tmp_path / "xapian")}}
    connections.connections_info = settings.HAYSTACK_CONNECTIONS
    connections.reload("default")
    yield
    connections.reload("default")


@pytest.fixture
def corpus():
    publish("Acme", "Privacy Policy", "privacy", ACME_V1, dt.date(2023, 1, 1))
    publish("Acme", "Privacy Policy", "privacy", ACME_V2, dt.date(2024, 1, 1))
    publish("Zendesk", "Terms of Service", "terms", [
        ("Accounts", "You must keep your password secret."),
        ("Termination", "We may terminate accounts that break these terms. Cookie settings are not affected."),
        ("Governing law", "These terms are governed by the law of Ireland."),
        ("Disputes", "The governing law is the law of Ireland; liabilities are limited."),
    ], dt.date(2023, 6, 1))


def run(q="", **kw):
    return search(SearchParams(q=q, **kw))


def test_the_generic_path_is_used(corpus):
    assert not hasattr(indexing.backend(), "searcher")
    outcome = run("cookie")
    assert outcome.engine == "haystack"


def test_words_phrases_prefixes_and_filters(corpus):
    assert {h.heading for h in run("cookie").hits} == {"Cookies", "Termination"}
    assert {h.heading for h in run("cookies").hits} == {"Cookies", "Termination"}  # stemmed
    # Phrases are exact (the "Governing law" clause has the phrase in its heading).
    assert {h.heading for h in run('"governing law"').hits} == {"Governing law", "Disputes"}
    assert {h.heading for h in run('"governing law of"').hits} == set()
    assert {h.heading for h in run('"governed by the law"').hits} == {"Governing law"}
    assert {h.heading for h in run("liabilit*").hits} == {"Disputes"}
    assert {h.heading for h in run("terminat*").hits} == {"Termination"}
    assert {h.publisher_slug for h in run("cookie publisher:zendesk").hits} == {"zendesk"}
    assert run("personal data NOT sell").total == 1


def test_versions_facets_and_pages(corpus):
    assert run("processed", versions="all").total == 2
    assert run("processed").total == 1
    assert run("processed", versions="asof", as_of=dt.date(2023, 6, 30)).hits[0].version_label == "2023-01-01"
    facets = {f.value: f.count for f in run("cookie").facets["publisher"]}
    assert facets == {"acme": 1, "zendesk": 1}


def test_index_kept_in_step_by_publishing(corpus):
    assert run("zygomorphic").total == 0
    publish("Acme", "Privacy Policy", "privacy", ACME_V2 + [("New", "Zygomorphic flowers.")], dt.date(2025, 1, 1))
    assert run("zygomorphic").total == 1
    assert not indexing.compare().drift


def test_page_and_api_work_on_xapian(corpus, client):
    page = client.get(reverse("documents:search"), {"q": '"governing law"'})
    assert page.status_code == 200 and "<mark>governing law</mark>" in page.content.decode()
    api = client.get(reverse("documents:api_search"), {"q": "cookie"}).json()
    assert api["count"] == 2


def test_similar_clauses_and_suggestions_on_xapian(corpus, client):
    from documents.models import Clause
    from documents.search.similar import similar_clauses

    clause = Clause.objects.filter(heading="Disputes").first()
    similar = similar_clauses(clause)
    assert all(s["document_title"] != "Terms of Service" for s in similar)  # other documents only
    data = client.get(reverse("documents:search_suggest"), {"q": "gover"}).json()
    assert data["suggestions"] == ["Governing law"]


FRENCH = """# Conditions générales

Effective: April 2, 2024

## 1. Service numérique

Le service numérique est fourni tel quel.
"""

PLAIN = """# Data policy

Effective: May 3, 2024

## 1. Numerique

The numerique module keeps no data.
"""


def test_accents_fold_both_ways_on_xapian(xapian_engine):
    from tests import factories

    fr = factories.document(publisher="Société Générale", title="Conditions générales", kind="terms")
    factories.publish(fr, FRENCH)
    plain = factories.document(publisher="Plain Corp", title="Data policy", kind="privacy")
    factories.publish(plain, PLAIN)
    for q in ("numerique", "numérique"):
        outcome = run(q)
        assert outcome.engine == "haystack"
        assert sorted({h.document_slug for h in outcome.hits}) == sorted([fr.slug, plain.slug]), q
    assert [h.document_slug for h in run('"service numerique"').hits] == [fr.slug]
    # (xapian-haystack reads heading:word as the whole heading, so a heading phrase here.)
    assert [h.document_slug for h in run('heading:"service numerique"').hits] == [fr.slug]
    # What is shown keeps the accents: the stored text is the text as written.
    hit = next(h for h in run("numerique").hits if h.document_slug == fr.slug)
    assert "numérique" in hit.heading and "<mark>numérique</mark>" in str(hit.snippet)


def test_a_clause_with_a_very_long_word_is_indexed_and_found():
    """Xapian refuses terms over 245 bytes; real clauses hold longer runs (a log-in URL
    with its query string): the clause is indexed, and found by its other words."""
    from documents.search.xapian_engine import MAX_WORD_BYTES, split_long_words

    url = "https://member.example.com/login.fcc?target=" + "%2f".join(["segment"] * 60)
    assert len(url.encode()) > 245
    publish("Acme", "Member Terms", "terms", [("Access", f"Sign in at {url} to see your benefits.")],
            dt.date(2024, 1, 1))
    outcome = run("benefits")
    assert outcome.total == 1 and outcome.hits[0].heading == "Access"
    cut = split_long_words(f"at {url} now é{'é' * 150}")
    assert all(len(word.encode()) <= MAX_WORD_BYTES for word in cut.split())
    assert cut.replace(" ", "") == f"at{url}nowé{'é' * 150}" and split_long_words("a b\nc") == "a b\nc"
