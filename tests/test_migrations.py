"""Migrations that rebuild tables keep every row, and the immutability triggers."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from documents import immutability
from documents.models import Clause, DocumentVersion
from tests import factories


def _snapshot():
    versions = list(DocumentVersion.objects.order_by("pk").values_list(
        "pk", "label", "document_id", "sealed", "source_text", "normalized_text", "sha256"))
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
        assert _columns("documents_documentversion")[-2:] == ["source_text", "normalized_text"]
        # parent_id: see the migration; closing (0009) joins the texts at the end.
        assert _columns("documents_clause")[-4:-1] == ["body", "text", "closing"]
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
    assert immutability.installed(connection) == set(immutability.TRIGGER_NAMES)
    assert immutability.installed_records(connection) == set(immutability.RECORD_TRIGGER_NAMES)
