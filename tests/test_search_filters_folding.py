"""Search filters that take what the facets show, and accent folding both ways (issue 24)."""

from __future__ import annotations

import re

import pytest

from documents.search import filters
from tests import factories

pytestmark = pytest.mark.django_db

WORDPRESS = """# Terms of Service

Effective: March 1, 2024

## 1. Accounts

You keep your account secure. Cookies keep you signed in.
"""

FRENCH = """# Conditions générales

Effective: April 2, 2024

## 1. Service numérique

Le service numérique est fourni tel quel. Les données sont protégées.

## 2. Résiliation

Vous pouvez résilier à tout moment.
"""

PLAIN = """# Data policy

Effective: May 3, 2024

## 1. Numerique

The numerique module keeps no data.
"""


@pytest.fixture
def catalogue_docs():
    wp = factories.document(publisher="WordPress.com", title="Terms of Service", kind="terms")
    factories.publish(wp, WORDPRESS)
    cookie = factories.document(publisher="WordPress.com", title="Cookie Policy", kind="cookies")
    factories.publish(cookie, WORDPRESS.replace("# Terms of Service", "# Cookie Policy"))
    fr = factories.document(publisher="Société Générale", title="Conditions générales", kind="terms")
    factories.publish(fr, FRENCH)
    plain = factories.document(publisher="Plain Corp", title="Data policy", kind="privacy")
    factories.publish(plain, PLAIN)
    return wp, cookie, fr, plain


def _hits(client, **params):
    data = client.get("/api/search/", params).json()
    return data


def _slugs(data):
    return sorted({hit["document"]["slug"] for hit in data["results"]})


@pytest.mark.parametrize("q", ["cookies publisher:wordpress", 'cookies publisher:"WordPress.com"',
                               "cookies publisher:WORDPRESS.COM", "cookies publisher:wordpress-com"])
def test_publisher_filter_takes_the_name_the_facet_shows(client, catalogue_docs, q):
    wp, cookie, fr, plain = catalogue_docs
    data = _hits(client, q=q)
    assert _slugs(data) == sorted([wp.slug, cookie.slug]) and not data["notices"]


def test_filters_by_kind_name_document_words_and_parameters(client, catalogue_docs):
    wp, cookie, fr, plain = catalogue_docs
    assert _slugs(_hits(client, q="cookies kind:cookie")) == [cookie.slug]
    assert _slugs(_hits(client, q='cookies kind:"Cookie policy"')) == [cookie.slug]
    assert _slugs(_hits(client, q="cookies document:wordpress")) == sorted([wp.slug, cookie.slug])
    assert _slugs(_hits(client, q='cookies document:"Cookie Policy"')) == [cookie.slug]
    # The same names as GET parameters (what a link or a form sends).
    assert _slugs(_hits(client, q="cookies", publisher="WordPress.com")) == sorted([wp.slug, cookie.slug])
    assert _slugs(_hits(client, q="cookies", kind="Cookie")) == [cookie.slug]
    assert _slugs(_hits(client, q="service", publisher="societe generale")) == [fr.slug]  # accents aside


def test_a_filter_that_names_nothing_says_which(client, catalogue_docs):
    data = _hits(client, q="cookies publisher:nosuch")
    assert data["count"] == 0 and data["notices"] == ["No publisher matches “nosuch”."]
    data = _hits(client, q="cookies kind:recipe document:nothing-here")
    assert data["notices"] == ["No document matches “nothing-here”.", "No kind matches “recipe”."] or \
        sorted(data["notices"]) == sorted(["No document matches “nothing-here”.", "No kind matches “recipe”."])
    page = client.get("/search/", {"q": "cookies publisher:nosuch"}).content.decode()
    assert "No publisher matches “nosuch”." in page


def test_accents_fold_both_ways_in_words_phrases_and_prefixes(client, catalogue_docs):
    wp, cookie, fr, plain = catalogue_docs
    assert _slugs(_hits(client, q="numerique")) == sorted([fr.slug, plain.slug])
    assert _slugs(_hits(client, q="numérique")) == sorted([fr.slug, plain.slug])
    assert _slugs(_hits(client, q='"service numerique"')) == [fr.slug]
    assert _slugs(_hits(client, q="resili*")) == [fr.slug]
    assert _slugs(_hits(client, q="heading:resiliation")) == [fr.slug]
    assert _slugs(_hits(client, q="donnees")) == [fr.slug]
    # The snippet marks the word as written.
    data = _hits(client, q="numerique", publisher="societe-generale")
    assert any("<mark>numérique</mark>" in hit["snippet"] for hit in data["results"]), data["results"]


def test_one_no_results_message_and_one_search_box(client, catalogue_docs):
    page = client.get("/search/", {"q": "zebra"}).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert text.count("No clause matches this search in current versions.") == 1
    assert "No results" not in text
    assert page.count('type="search"') == 1 and page.count('role="search"') == 1
    # Other pages keep the header's search box.
    assert 'id="site-q"' in client.get("/").content.decode() and 'id="site-q"' not in page


@pytest.mark.parametrize("typed, field, expected", [
    ("wordpress", "publisher", ["wordpress-com"]),
    ("WordPress.com", "publisher", ["wordpress-com"]),
    ("wordpresscom", "publisher", ["wordpress-com"]),  # Django's slugify of the name
    ("word", "publisher", ["wordpress-com"]),
    ("w", "publisher", []),
    ("cookie", "kind", ["cookies"]),
    ("TERMS OF SERVICE", "kind", ["terms"]),
    ("netflix", "document", ["netflix-privacy", "netflix-terms"]),
    ("netflix privacy", "document", ["netflix-privacy"]),
    ("privacy", "document", ["netflix-privacy"]),
])
def test_resolution_rules(typed, field, expected):
    known = filters.Catalogue(
        publishers=[filters.Named("wordpress-com", (filters.words("wordpress-com"), filters.words("WordPress.com")))],
        documents=[filters.Named(s, (filters.words(s), filters.words(t), filters.words(f"Netflix {t}")),
                                 frozenset(filters.words(f"{s} Netflix {t}")))
                   for s, t in (("netflix-privacy", "Privacy Policy"), ("netflix-terms", "Terms of Use"))],
        kinds=[filters.Named(v, (filters.words(v), filters.words(label)))
               for v, label in (("terms", "Terms of service"), ("cookies", "Cookie policy"))],
    )
    assert known.resolve(field, typed) == expected
