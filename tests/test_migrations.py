"""Migrations that rebuild tables keep every row, and the immutability triggers."""

from __future__ import annotations

import zlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from documents import immutability
from documents.models import Clause, DocumentVersion
from tests import factories


def _snapshot():
    versions = list(DocumentVersion.objects.order_by("pk").values_list(
        "pk", "label", "document_id", "sealed", "source_text", "sha256"))
    clauses = list(Clause.objects.order_by("pk").values_list(
        "pk", "version_id", "position", "parent_id", "lineage_id", "text_sha", "body", "text"))
    return versions, clauses


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [column.name for column in connection.introspection.get_table_description(cursor, table)]


@pytest.mark.django_db(transaction=True)
def test_texts_last_keeps_every_row_and_the_triggers():
    doc = factories.document()
    factories.publish(doc, factories.POLICY_V1)
    factories.publish(doc, factories.POLICY_V2)
    before = _snapshot()
    assert len(before[1]) > 5

    executor = MigrationExecutor(connection)
    executor.migrate([("documents", "0007_draft_alignments")])
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert _snapshot() == before
    assert immutability.installed(connection) == immutability.expected(connection.vendor)
    if connection.vendor == "sqlite":
        # The normalized text is derived, not stored (0013).
        assert _columns("documents_documentversion")[-1] == "source_text"
        assert "normalized_text" not in _columns("documents_documentversion")
        # The clause's texts moved to ClauseText (0012).
        assert not {"body", "text", "heading", "closing"} & set(_columns("documents_clause"))
        assert _columns("documents_versiondraft")[-3:] == ["source_text", "parsed", "alignments"]


@pytest.mark.django_db(transaction=True)
def test_0009_adds_provenance_and_records_keeping_every_row():
    doc = factories.document()
    factories.publish(doc, factories.POLICY_V1)
    factories.publish(doc, factories.POLICY_V2)
    before = _snapshot()

    executor = MigrationExecutor(connection)
    executor.migrate([("documents", "0008_texts_last")])
    assert "documents_versioncheck" not in connection.introspection.table_names()
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert _snapshot() == before
    assert set(DocumentVersion.objects.values_list("kind", "source_commit", "origin_id").distinct()) == {
        ("version", "", None)}
    assert set(Clause.objects.values_list("citation", "closing").distinct()) == {("", "")}
    assert immutability.installed(connection) == immutability.expected(connection.vendor)
    assert immutability.installed_records(connection) == immutability.expected_records(connection.vendor)


@pytest.mark.django_db(transaction=True)
def test_0012_shares_clause_wordings_and_compresses_version_texts_both_ways():
    from documents.models import ClauseText

    doc = factories.document()
    factories.publish(doc, factories.POLICY_V1)
    factories.publish(doc, factories.POLICY_V2)
    before = _snapshot()
    wordings = ClauseText.objects.count()
    assert wordings < len(before[1])  # clauses carried over unchanged share their wording

    executor = MigrationExecutor(connection)
    executor.migrate([("documents", "0011_version_timeline_indexes")])
    # Back before 0012: every clause holds its own texts again, the versions plain text.
    with connection.cursor() as cursor:
        cursor.execute("SELECT body, text FROM documents_clause ORDER BY id")
        assert [tuple(row) for row in cursor.fetchall()] == [(c[6], c[7]) for c in before[1]]
        cursor.execute("SELECT source_text FROM documents_documentversion ORDER BY id")
        assert [row[0] for row in cursor.fetchall()] == [v[4] for v in before[0]]
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert _snapshot() == before
    assert ClauseText.objects.count() == wordings
    with connection.cursor() as cursor:  # stored compressed
        cursor.execute("SELECT source_text FROM documents_documentversion ORDER BY id")
        stored = [bytes(row[0]) for row in cursor.fetchall()]
    assert all(len(data) < len(v[4].encode()) for data, v in zip(stored, before[0], strict=True))


@pytest.mark.django_db(transaction=True)
def test_0013_drops_the_stored_normalized_text_and_refills_it_going_back():
    doc = factories.document()
    v1 = factories.publish(doc, factories.POLICY_V1).version
    normalized = v1.normalized_text  # as the publish had it
    executor = MigrationExecutor(connection)
    executor.migrate([("documents", "0012_shared_clause_texts_compressed_versions")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT normalized_text FROM documents_documentversion WHERE id = %s", [v1.pk])
        assert zlib.decompress(bytes(cursor.fetchone()[0])).decode() == normalized
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert "normalized_text" not in _columns("documents_documentversion")
    # Derived from the source, it reads as the publish had it.
    assert DocumentVersion.objects.get(pk=v1.pk).normalized_text == normalized
    assert immutability.installed(connection) == immutability.expected(connection.vendor)
    assert immutability.installed(connection) == immutability.expected(connection.vendor)
    assert immutability.installed_records(connection) == immutability.expected_records(connection.vendor)
