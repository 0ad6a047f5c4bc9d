"""Atom feeds and the recent changes page, after an import of the development corpus;
the feeds are read with a real feed parser (feedparser)."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest
from django.urls import reverse

from documents import align, selectors as document_selectors
from documents.models import Clause, ClauseLineage, Document, DocumentVersion, Publisher
from tests.corpus_db import corpus_imported


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker, tmp_path_factory):
    with corpus_imported(tmp_path_factory, django_db_blocker) as items:
        yield items


def _parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def _newest_first(versions):
    return sorted(versions, key=lambda v: (v.effective_date, v.published_at, v.pk), reverse=True)


def _previous(version):
    timeline = list(version.document.versions.timeline())
    i = [v.pk for v in timeline].index(version.pk)
    return timeline[i - 1] if i else None


def test_the_feed_of_all_changes(corpus, db, client):
    feed = _parse(client, "/feed/")
    expected = _newest_first(DocumentVersion.objects.select_related("document"))[:50]
    assert len(corpus) == DocumentVersion.objects.count() > 50
    assert [e.id for e in feed.entries] == [f"tag:policy-portal.invalid,2026:version:{v.document.slug}:{v.label}"
                                           for v in expected]
    for entry, version in zip(feed.entries, expected):
        assert entry.updated_parsed[:3] == version.effective_date.timetuple()[:3]
        previous = _previous(version)
        if previous is not None:
            assert entry.link == (f"http://testserver/compare/?a={version.document.slug}%40{previous.label}"
                                  f"&b={version.document.slug}%40{version.label}")
            assert "changed" in entry.summary or "added" in entry.summary or "removed" in entry.summary \
                or "No clause changed" in entry.summary
        else:
            assert entry.summary.startswith("<p>First version")
        # published (here) is never after updated (the document's date): a 2018 text
        # imported today was not published after it took effect.
        assert entry.published_parsed <= entry.updated_parsed
    # Entries carry what changed: word diffs of amended clauses, the text of new ones.
    assert any("<del>" in e.summary and "<ins>" in e.summary for e in feed.entries)
    # Stable: the same ids on a second fetch, and /atom/ is the same feed.
    assert [e.id for e in _parse(client, "/feed/").entries] == [e.id for e in feed.entries]
    assert [e.id for e in _parse(client, "/atom/").entries] == [e.id for e in feed.entries]


def test_the_feed_of_one_publisher_and_one_document(corpus, db, client):
    publisher = Publisher.objects.get(slug="grammarly")
    feed = _parse(client, reverse("alerts:feed_publisher", args=[publisher.slug]))
    versions = _newest_first(DocumentVersion.objects.filter(document__publisher=publisher).select_related("document"))
    assert [e.id.rsplit(":", 2)[-2:] for e in feed.entries] == [[v.document.slug, v.label] for v in versions]
    assert {e.author for e in feed.entries} == {publisher.name}

    document = Document.objects.get(slug="tiktok-terms-of-service")
    feed = _parse(client, f"/d/{document.slug}/feed/")
    timeline = list(document.versions.timeline())
    assert [e.id.rsplit(":", 1)[-1] for e in feed.entries] == [v.label for v in reversed(timeline)]
    # The sentence counts what the aligner counts.
    newest, before = timeline[-1], timeline[-2]
    counts = align.summary(align.align(document_selectors.version_clauses(before),
                                       document_selectors.version_clauses(newest)))
    if counts["changed"]:
        assert f"{counts['changed']} clause" in feed.entries[0].summary
    if counts["added"]:
        assert f"{counts['added']} added" in feed.entries[0].summary


def test_the_feed_of_one_clause_lineage(corpus, db, client):
    # A clause that changed wording at least once, found from the stored rows.
    lineage = next(
        lin for lin in ClauseLineage.objects.filter(document__slug="grammarly-commercial-terms").order_by("pk")
        if lin.clauses.values("text_sha").distinct().count() > 1
    )
    feed = _parse(client, f"/c/{lineage.key}/feed/")
    timeline = list(lineage.document.versions.timeline())
    rows = {c.version_id: c for c in Clause.objects.filter(lineage=lineage)}
    expected, before = [], None
    for version in timeline:
        here = rows.get(version.pk)
        if (here is None) != (before is None) or (
                here and before and (here.text_sha, here.number) != (before.text_sha, before.number)):
            expected.append(version.label)
        before = here
    assert [e.id.rsplit(":", 1)[-1] for e in feed.entries] == expected[::-1]
    assert all(e.id.startswith(f"tag:policy-portal.invalid,2026:clause:{lineage.key}:") for e in feed.entries)


def test_feeds_of_unknown_things_are_404(corpus, db, client):
    assert client.get("/feed/publisher/nobody/").status_code == 404
    assert client.get("/d/no-such-document/feed/").status_code == 404
    assert client.get("/c/nosuchkey/feed/").status_code == 404


def test_recent_changes_page_and_json(corpus, db, client):
    data = client.get("/api/changes/").json()
    assert data["count"] == DocumentVersion.objects.count()
    expected = _newest_first(DocumentVersion.objects.select_related("document"))[:25]
    assert [(r["document"]["slug"], r["version"]["label"]) for r in data["results"]] == [
        (v.document.slug, v.label) for v in expected]
    first = data["results"][0]
    version = expected[0]
    previous = _previous(version)
    counts = align.summary(align.align(document_selectors.version_clauses(previous),
                                       document_selectors.version_clauses(version)))
    for name in ("changed", "added", "removed", "moved", "renumbered"):
        assert first["summary"][name] == counts[name]
    assert first["summary"]["editorial"] + first["summary"]["substantive"] <= counts["changed"]
    assert first["compare_url"].endswith(f"a={version.document.slug}%40{previous.label}&b={version.document.slug}%40{version.label}")

    # Filters.
    privacy = client.get("/api/changes/?kind=privacy").json()
    assert privacy["count"] == DocumentVersion.objects.filter(document__kind="privacy").count()
    assert {r["document"]["kind"] for r in privacy["results"]} == {"privacy"}
    netflix = client.get("/api/changes/?publisher=netflix").json()
    assert {r["document"]["publisher"]["slug"] for r in netflix["results"]} == {"netflix"}
    assert client.get("/api/changes/?kind=poems").status_code == 400
    assert client.get("/api/changes/?page=zero").status_code == 400

    page = client.get("/changes/?publisher=netflix")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="change-item"') == netflix["count"]
    assert 'class="compare-previous"' in html and "/feed/publisher/netflix/" in html
    assert client.get("/changes/?kind=poems").status_code == 400
    # Every page links to the feed of all changes.
    assert 'type="application/atom+xml"' in client.get("/").content.decode()


def test_changes_of_a_back_dated_version_compare_with_the_version_before_it(db, client):
    from tests import factories

    doc = factories.document()
    factories.publish(doc, factories.POLICY_V1)
    factories.publish(doc, factories.POLICY_V2)
    middle = factories.publish(doc, factories.POLICY_V1.replace("send receipts", "send invoices"),
                               date=dt.date(2024, 3, 1)).version
    data = client.get(f"/api/changes/?document={doc.slug}").json()
    by_label = {r["version"]["label"]: r for r in data["results"]}
    assert by_label[middle.label]["previous"]["label"] == "2024-01-01"
    assert by_label["2024-06-01"]["previous"]["label"] == middle.label
    assert by_label[middle.label]["summary"]["changed"] == 1
