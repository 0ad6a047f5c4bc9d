"""Cost that follows the change: what a publish and an import write, and what the
pages fetch from the database (queries and bytes), with the caches and ETags of
published content.

Bytes are measured by running each captured SELECT again and adding up the sizes of
the values it returns: what the page pulled over the database connection.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents import importing, indexing, search, services
from documents.models import ClauseSpan, Document, DocumentVersion, IndexRepairMark
from tests import factories

pytestmark = pytest.mark.django_db


def big_text(sections: int, *, fix: str = "", words: int = 30, stated: bool = True) -> str:
    """A policy of ``sections`` numbered sections; ``fix`` replaces one word of the
    middle one (a one-word fix). ``stated``: the text states its effective date."""
    lines = ["# Big Terms", "", "Effective: January 1, 2024" if stated else "Our terms.", ""]
    for n in range(1, sections + 1):
        tokens = [f"word{(n * 7 + k) % 97}" for k in range(words)]
        if fix and n == sections // 2:
            tokens[0] = fix
        body = " ".join(tokens)
        lines += [f"## {n}. Section heading {n}", "", f"Section {n} says: {body}.", ""]
    return "\n".join(lines)


def fetched(queries) -> tuple[int, int]:
    """(queries, bytes their results hold)."""
    total = 0
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(sql)
            for row in cursor.fetchall():
                total += sum(len(v.encode()) if isinstance(v, str)
                             # compressed texts (documents.textstore): their bytes, not their repr
                             else len(v) if isinstance(v, (bytes, memoryview)) else len(str(v))
                             for v in row if v is not None)
    return len(queries), total


def get(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    count, size = fetched(queries.captured_queries)
    return response, count, size


# --- publish: O(changed) ---------------------------------------------------------------


def test_one_word_fix_writes_two_index_entries_whatever_the_size():
    doc = factories.document(title="Big Terms", kind="terms")
    first = factories.publish(doc, big_text(300), dt.date(2024, 1, 1)).version
    spans_before = dict(ClauseSpan.objects.values_list("pk", "updated_at"))
    writes = dict(indexing.WRITES)
    with CaptureQueriesContext(connection) as queries:
        second = factories.publish(doc, big_text(300, fix="fixedword"), dt.date(2024, 2, 1)).version
    # The amended clause closes its span and opens one: two entries, one commit.
    assert indexing.WRITES["entries"] - writes["entries"] == 2
    assert indexing.WRITES["commits"] - writes["commits"] == 1
    assert indexing.WRITES["removals"] == writes["removals"]
    # No span of an unchanged clause was written: their rows are as they were.
    after = dict(ClauseSpan.objects.values_list("pk", "updated_at"))
    untouched = [pk for pk in spans_before if after[pk] == spans_before[pk]]
    assert len(untouched) == len(spans_before) - 1
    assert len(after) == len(spans_before) + 1
    # Span work is a handful of statements, not one per clause.
    span_writes = [q for q in queries.captured_queries if "documents_clausespan" in q["sql"]
                   and not q["sql"].startswith("SELECT")]
    assert len(span_writes) <= 3
    # What the index no longer stores is derived: the unchanged clause names both versions.
    current = search.search(search.SearchParams(q="says"))
    assert current.total == 300
    assert all(h.version_labels == [first.label, second.label] for h in current.hits if "fixedword" not in h.snippet)
    assert all(h.version_label == second.label for h in current.hits)
    (fixed,) = search.search(search.SearchParams(q="fixedword")).hits
    assert fixed.version_labels == [second.label]
    everything = search.search(search.SearchParams(q="says", versions="all"))
    assert everything.total == 301  # 300 current spans and the one the fix closed


def test_spans_kept_by_each_publish_equal_a_full_rebuild(corpus_dir, tmp_path):
    """spans_extend (per publish) and spans_rebuild (the whole timeline) agree: after
    importing real documents with amendments, renumberings and removals, a full
    rebuild finds nothing to change."""
    for folder in ("wise/terms-of-service", "grammarly/privacy-policy"):
        target = tmp_path / folder
        shutil.copytree(corpus_dir / folder, target)
    outcomes = [o for o in importing.import_items(importing.collect([tmp_path]))
                if isinstance(o, importing.ImportOutcome)]
    assert outcomes and all(o.status == "created" for o in outcomes)
    for document in Document.objects.all():
        assert services.spans_rebuild(document) == ([], [])
    assert not indexing.compare().drift


def test_back_dated_version_splits_spans_correctly():
    doc = factories.document()
    v1 = factories.publish(doc, factories.POLICY_V1, dt.date(2024, 1, 1)).version
    v3 = factories.publish(doc, factories.POLICY_V1.replace("any question", "any query"), dt.date(2024, 12, 1)).version
    # Back-dated between them, with the text of v1: the amendment now starts in December.
    amended = factories.POLICY_V1.replace("Example Corp handles", "Example Corp keeps")
    v2 = factories.publish(doc, amended, dt.date(2024, 6, 1)).version
    assert services.spans_rebuild(doc) == ([], [])
    contact = v1.clauses.get(heading="Contact Us").lineage
    spans = [(s.valid_from, s.valid_to, s.version_labels) for s in contact.spans.order_by("valid_from")]
    assert spans == [(v1.effective_date, v3.effective_date, f"{v1.label} {v2.label}"),
                     (v3.effective_date, None, v3.label)]
    intro = v1.clauses.get(heading="Introduction").lineage
    assert [s.version_labels for s in intro.spans.order_by("valid_from")] == [v1.label, v2.label, v3.label]
    assert not indexing.compare().drift


# --- import: batches ---------------------------------------------------------------------


def _folder(tmp_path, versions: int):
    folder = tmp_path / "src" / "acme" / "terms-of-service"
    folder.mkdir(parents=True)
    for n in range(versions):
        (folder / f"202{n}-01-01.md").write_text(big_text(20, fix=f"fix{n}x" if n else "", stated=False))
    return tmp_path / "src"


def test_import_commits_once_per_batch_and_writes_final_spans_plus_changes(tmp_path):
    items = importing.collect([_folder(tmp_path, 5)])
    writes = dict(indexing.WRITES)
    events = list(importing.import_items(items, batch_versions=2))
    batches = [e for e in events if isinstance(e, importing.BatchDone)]
    assert [b.done for b in batches] == [2, 4, 5]  # progress after each batch
    assert indexing.WRITES["commits"] - writes["commits"] == 3
    spans = ClauseSpan.objects.count()
    closed = ClauseSpan.objects.filter(valid_to__isnull=False).count()
    clauses = DocumentVersion.objects.order_by("effective_date").first().clauses.count()
    assert spans == clauses + 4 and closed == 4  # each later version amends one clause
    # Each batch writes the spans it touched once, in their final state.
    assert spans <= indexing.WRITES["entries"] - writes["entries"] <= spans + closed
    assert not IndexRepairMark.objects.exists()
    assert not indexing.compare().drift


def test_a_file_that_fails_inside_a_batch_rolls_back_only_itself(tmp_path, monkeypatch):
    items = importing.collect([_folder(tmp_path, 3)])
    real = services.spans_extend

    def flaky(version, **kwargs):
        result = real(version, **kwargs)
        if version.label == "2021-01-01":
            raise RuntimeError("boom")
        return result

    monkeypatch.setattr(services, "spans_extend", flaky)
    outcomes = [e for e in importing.import_items(items) if isinstance(e, importing.ImportOutcome)]
    assert [o.status for o in outcomes] == ["created", "failed", "created"]
    assert not indexing.compare().drift


def test_an_import_killed_between_index_and_database_is_repaired_by_the_next(tmp_path, monkeypatch):
    items = importing.collect([_folder(tmp_path, 3)])
    real_flush = indexing.IndexBatch.flush

    def flush_then_die(self):
        real_flush(self)
        raise KeyboardInterrupt  # the process is killed after the index committed

    monkeypatch.setattr(indexing.IndexBatch, "flush", flush_then_die)
    with pytest.raises(KeyboardInterrupt):
        list(importing.import_items(items))
    assert ClauseSpan.objects.count() == 0  # the database batch rolled back...
    assert indexing.compare().orphaned  # ...but the index had committed
    assert IndexRepairMark.objects.exists()
    monkeypatch.setattr(indexing.IndexBatch, "flush", real_flush)
    events = list(importing.import_items(items))
    assert events[0].repaired is not None  # repaired first, by itself
    assert not indexing.compare().drift
    assert not IndexRepairMark.objects.exists()
    clauses = DocumentVersion.objects.order_by("effective_date").first().clauses.count()
    assert ClauseSpan.objects.count() == clauses + 2


# --- pages: queries and bytes --------------------------------------------------------------


@pytest.fixture
def fifty_documents():
    """50 documents whose versions hold ~20 KB of text each (1 MB in all)."""
    padding = " ".join(f"filler{k}" for k in range(2500))
    docs = []
    for n in range(50):
        doc = factories.document(publisher=f"Publisher {n % 7}", title=f"Policy {n}")
        text = f"# Policy {n}\n\n## 1. Scope\n\nThis policy {n} applies.\n\n## 2. Details\n\n{padding}\n"
        factories.publish(doc, text, dt.date(2024, 1, 1))
        docs.append(doc)
    return docs


def test_home_fetches_no_source_text(client, fifty_documents):
    url = reverse("documents:home")
    response, queries, size = get(client, url)
    assert response.status_code == 200 and b"Policy 49" in response.content
    # The catalogue's fingerprint (versions, documents, publishers), the table, the
    # recent versions and their timelines.
    assert queries <= 6
    # 50 versions hold ~2 MB of source and normalized text; the list needs none of it.
    assert size < 50_000, size  # the issue allows 200 KB with 50 documents
    # Again: the table is rendered already, by what it shows; only the fingerprint is read.
    again, queries_warm, size_warm = get(client, url)
    assert again.content == response.content and queries_warm <= 3 and size_warm < 20_000, (queries_warm, size_warm)
    assert again["ETag"] == response["ETag"] and "max-age" in again["Cache-Control"]
    assert get(client, url, HTTP_IF_NONE_MATCH=again["ETag"])[0].status_code == 304
    # A publish, or a document renamed in the admin, changes the page.
    factories.publish(fifty_documents[0], "# Policy 0\n\n## 1. Scope\n\nIt changed.\n", dt.date(2024, 5, 1))
    changed, _, _ = get(client, url, HTTP_IF_NONE_MATCH=again["ETag"])
    assert changed.status_code == 200 and b"1 May 2024" in changed.content
    Document.objects.filter(pk=fifty_documents[1].pk).update(title="Renamed policy")
    assert b"Renamed policy" in client.get(url).content


def test_document_page_queries_and_cache(client):
    doc = factories.document(title="Big Terms", kind="terms")
    factories.publish(doc, big_text(300), dt.date(2024, 1, 1))
    version = factories.publish(doc, big_text(300, fix="fixedword"), dt.date(2024, 2, 1)).version
    url = reverse("documents:document", args=[doc.slug])
    first, queries_cold, _ = get(client, url)
    assert first.status_code == 200 and b"fixedword" in first.content
    second, queries_warm, size_warm = get(client, url)
    assert second.content == first.content
    # Warm: the rendered body comes from the cache by content hash; no clause is loaded.
    # Three reads: the document, its timeline and its checks (the timeline says when an
    # identical recapture was recorded, so they are part of the page's validator).
    assert queries_warm <= 3 < queries_cold
    assert size_warm < len(version.source_text) / 10
    assert all("documents_clause" not in q["sql"] for q in _queries(client, url))
    # Published content carries an ETag; the same page again is a 304 before any rendering.
    tag = second["ETag"]
    assert tag and "max-age" in second["Cache-Control"]
    again, queries_304, _ = get(client, url, HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and queries_304 <= 3
    # A new version changes the page (current badge, timeline): a new ETag.
    factories.publish(doc, big_text(300, fix="otherword"), dt.date(2024, 3, 1))
    version_url = reverse("documents:version", args=[doc.slug, version.label])
    changed = client.get(version_url, HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200 and changed["ETag"] != tag and b"superseded" in changed.content


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return queries.captured_queries


def test_clause_pages_fetch_no_version_text(client, django_user_model):
    """Queries and bytes of a clause page stay flat as the document gains versions:
    rendered (for a signed-in reader) and from the cache (anonymous readers)."""
    doc = factories.document(title="Big Terms", kind="terms")
    v1 = factories.publish(doc, big_text(300), dt.date(2024, 1, 1)).version
    factories.publish(doc, big_text(300, fix="fixedword"), dt.date(2024, 2, 1))
    clause = v1.clauses.get(heading="Section heading 150")
    latest = reverse("documents:clause_latest", args=[clause.lineage.key])
    pinned = reverse("documents:clause_pinned", args=[clause.lineage.key, v1.label])
    reader = Client()
    reader.force_login(django_user_model.objects.create_user("reader", "r@example.com", "pw"))

    def measure(who):
        who.get(latest), who.get(pinned)  # warm the per-clause caches
        return [get(who, url) for url in (latest, pinned)]

    two = measure(reader)
    # Four more versions, each amending another clause: the history grows by four rows.
    for n in range(3, 7):
        text = big_text(300, fix="fixedword").replace("Section heading 10\n", f"Section heading 10 v{n}\n")
        factories.publish(doc, text, dt.date(2024, n, 1))
    six = measure(reader)
    for url, (response, queries, size), (_, queries_before, _) in zip((latest, pinned), six, two, strict=True):
        assert response.status_code == 200
        # session and user; lineage, which versions exist (for the ETag and for the similar
        # clauses), version, links, history, timeline, the span for similar clauses
        assert queries == queries_before <= 9, url
        # Six versions of ~40 KB each: none of their text is fetched, only the clause's.
        assert size < 6_000, (url, size)
    body = reader.get(pinned).content.decode()
    assert "amended" in body and "fixedword" in body
    assert body.count('class="kind-') == 6  # one history row per version
    # Anonymous readers get the same page from the cache: the lineage and which versions exist.
    for url in (latest, pinned):
        rendered, queries_rendered, _ = get(client, url)
        response, queries, size = get(client, url)
        assert queries_rendered > 2 and response.content == rendered.content
        assert queries <= 2 and size < 1_000, (url, queries, size)
        assert get(client, url, HTTP_IF_NONE_MATCH=response["ETag"])[0].status_code == 304
        # A reader who signed in meanwhile sees their own page (their watches), never the copy.
        own = reader.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert own.status_code == 200 and "private" in own["Cache-Control"] and not own.has_header("ETag")
        # What a reader types (a search's marked words) is never what the cache is filled by.
        client.get(url + "?q=says")
        assert get(client, url + "?q=says")[1] > 2
    # A publish changes the page (its history, the banner).
    factories.publish(doc, big_text(300, fix="laterword"), dt.date(2024, 8, 1))
    assert "2024-08-01" in client.get(pinned).content.decode()


def test_search_page_fetches_little(client, fifty_documents):
    client.get(reverse("documents:search"), {"q": "scope"})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("documents:search"), {"q": "scope"})
    assert response.status_code == 200 and b"50 clauses" in response.content
    count, size = fetched(queries.captured_queries)
    assert count <= 6 and size < 20_000, (count, size)
