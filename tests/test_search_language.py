"""The query language on real clauses: exact phrases, surface prefixes, stemmed words.

Real policies from tests/corpus (Open Terms Archive, ODC-By): the latest version of a
few terms of service that talk about liability, termination and governing law.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from documents import services
from documents.models import Clause
from documents.search import SearchParams
from documents.search.service import search

pytestmark = pytest.mark.django_db

FILES = [
    ("Grammarly", "Commercial Terms", "grammarly/commercial-terms/2026-01-17.md"),
    ("TikTok", "Terms of Service", "tiktok/terms-of-service/2026-07-29.md"),
    ("Cloudflare", "Terms of Service", "cloudflare/terms-of-service/2025-10-03.md"),
]


@pytest.fixture
def real(corpus_dir):
    for publisher, title, path in FILES:
        document = services.document_get_or_create(publisher_name=publisher, title=title, kind="terms")
        services.version_publish(document=document, source_text=(corpus_dir / path).read_text(encoding="utf-8"),
                                 filename=path, effective_date=dt.date(2025, 1, 1))


def ids(q, **kw) -> set[int]:
    outcome = search(SearchParams(q=q, versions="all", **kw), page_size=1000)
    assert outcome.total == len(outcome.hits), "export-sized page holds every hit"
    return {h.span_id for h in outcome.hits}


def hits(q, **kw):
    return search(SearchParams(q=q, versions="all", **kw), page_size=1000).hits


def words_of(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def test_prefix_finds_every_clause_the_word_finds_and_more(real):
    liability = ids("liability")
    prefix = ids("liabilit*")
    assert len(liability) >= 10
    assert liability <= prefix
    # Every hit has a word, as written, starting with the prefix.
    for hit in hits("liabilit*"):
        assert any(w.startswith("liabilit") for w in words_of(hit.heading + " " + hit.text)), hit.title


def test_prefix_is_over_surface_words_not_stems(real):
    """"terminat*" finds termination, terminate, terminated...: the stem "termin"
    does not start with "terminat", so a prefix over stems found too few."""
    prefix = ids("terminat*")
    union = ids("terminate OR termination OR terminated OR terminates OR terminating")
    assert union and union <= prefix
    # And nothing that only has the stem's other words ("terminal" is not "terminat…").
    for hit in hits("terminat*"):
        assert any(w.startswith("terminat") for w in words_of(hit.heading + " " + hit.text))


def test_exact_phrase_matches_the_words_as_written(real):
    phrase_hits = hits('"governing law"')
    assert phrase_hits
    for hit in phrase_hits:
        assert "governing law" in " ".join(words_of(hit.heading + " " + hit.text)), hit.title
    # The corpus has clauses saying "governed by the law(s)" without "governing law":
    # the phrase never finds them.
    # (Clause texts are stored compressed: matched here, not in SQL.)
    governed = [c for c in Clause.objects.all() if re.search(r"governed by the laws?", c.text, re.I)
                and "governing law" not in c.text.lower() and "governing law" not in c.heading.lower()]
    assert governed
    found_text = {h.text for h in phrase_hits}
    assert not any(c.text in found_text for c in governed)


def test_a_phrase_is_not_stemmed_but_a_word_is(real):
    # "governing laws" (plural) is another phrase than "governing law".
    for hit in hits('"governing laws"'):
        assert "governing laws" in " ".join(words_of(hit.heading + " " + hit.text))
    # A plain word finds its other forms: "terminate" finds a clause saying only "termination".
    plain = hits("terminate")
    assert any("termination" in words_of(h.text) and "terminate" not in words_of(h.text) for h in plain)


def test_phrase_is_marked_whole_in_the_snippet_and_stable(real, client):
    first = client.get(reverse("documents:api_search"), {"q": '"governing law"', "versions": "all"}).json()
    again = client.get(reverse("documents:api_search"), {"q": '"governing law"', "versions": "all"}).json()
    assert [r["snippet"] for r in first["results"]] == [r["snippet"] for r in again["results"]]
    marked = {m.lower() for r in first["results"] for m in re.findall(r"<mark>(.*?)</mark>", r["snippet"])}
    assert marked == {"governing law"}
    # The link into the document carries the words to highlight there.
    assert "hl=governing+law" in first["results"][0]["url"]


def test_query_help_says_what_each_form_does(client):
    body = client.get(reverse("documents:search")).content.decode()
    assert "as written" in body and "liabilit*" in body and "governed by the law" in body
    assert "other forms" in body
