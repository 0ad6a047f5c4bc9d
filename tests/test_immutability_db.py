"""The database itself refuses changes to published versions (documents/immutability.py).

Raw SQL and the ORM paths that bypass the models' Python guards: each must fail with
IntegrityError, on SQLite and on PostgreSQL (.ci/postgres-tests runs this file too).
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from documents import immutability
from documents.models import Clause, ClauseLineage, ClauseSpan, ClauseText, Document, DocumentVersion
from tests import factories

pytestmark = pytest.mark.django_db


def refused(sql: str, params=()):
    with pytest.raises(IntegrityError, match="immutable"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_triggers_exist_after_all_migrations():
    assert immutability.installed(connection) == immutability.expected(connection.vendor)


def test_published_version_is_sealed(two_versions):
    _, v1, v2 = two_versions
    assert DocumentVersion.objects.filter(pk__in=[v1.pk, v2.pk], sealed=True).count() == 2


def test_raw_sql_update_and_delete_are_refused(two_versions):
    doc, v1, v2 = two_versions
    clause = Clause.objects.filter(version=v1).first()
    refused("UPDATE documents_documentversion SET source_text = 'x' WHERE id = %s", [v1.pk])
    refused("UPDATE documents_documentversion SET sealed = %s WHERE id = %s", [False, v1.pk])
    refused("DELETE FROM documents_documentversion WHERE id = %s", [v1.pk])
    refused("UPDATE documents_clause SET number = 'x' WHERE id = %s", [clause.pk])
    other = Clause.objects.filter(version=v2).exclude(content_id=clause.content_id).first()
    refused("UPDATE documents_clause SET content_id = %s WHERE id = %s", [other.content_id, clause.pk])
    # A clause's wording is shared and append-only: never rewritten, never deleted.
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE documents_clausetext SET heading = 'x' WHERE id = %s", [clause.content_id])
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM documents_clausetext WHERE id = %s", [clause.content_id])
    refused("DELETE FROM documents_clause WHERE id = %s", [clause.pk])
    refused("UPDATE documents_clauselineage SET key = 'zzzzzzzz' WHERE id = %s", [clause.lineage_id])
    refused("DELETE FROM documents_clauselineage WHERE id = %s", [clause.lineage_id])
    refused("UPDATE documents_document SET current_version_id = NULL WHERE id = %s", [doc.pk])
    v1.refresh_from_db()
    assert v1.source_text != "x"


def test_orm_paths_that_skip_save_are_refused(two_versions):
    doc, v1, v2 = two_versions
    clause = Clause.objects.filter(version=v2).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentVersion.objects.filter(pk=v1.pk)._update(
            [(DocumentVersion._meta.get_field("source_text"), None, "rewritten")])
    with pytest.raises(IntegrityError), transaction.atomic():
        Clause.objects.filter(pk=clause.pk)._update([(Clause._meta.get_field("number"), None, "rewritten")])
    with pytest.raises(IntegrityError), transaction.atomic():
        Clause.objects.create(
            version=v2, position=999, anchor="smuggled", text="added later", text_sha="0" * 64,
            lineage=ClauseLineage.objects.create(key="smuggle1", document=doc),
        )
    wording = ClauseText.objects.create(sha="f" * 64, text="rewritten", body="rewritten")
    rewritten = Clause(
        version=v2, position=clause.position, anchor=clause.anchor, content=wording,
        text_sha=clause.text_sha, lineage_id=clause.lineage_id,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Clause.objects.bulk_create([rewritten], update_conflicts=True,
                                   unique_fields=["version", "position"], update_fields=["content"])
    fields = {f.attname: getattr(v1, f.attname) for f in DocumentVersion._meta.concrete_fields}
    fields.update(source_text="rewritten")
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentVersion.objects.bulk_create(
            [DocumentVersion(**fields)], update_conflicts=True,
            unique_fields=["document", "sha256"], update_fields=["source_text"],
        )
    clause.refresh_from_db()
    v1.refresh_from_db()
    assert clause.text != "rewritten" and v1.source_text != "rewritten"


def test_current_version_moves_only_to_a_version_of_its_document(two_versions):
    doc, v1, v2 = two_versions
    other = factories.document(title="Terms of Service", kind="terms")
    w = factories.publish(other, factories.POLICY_V1).version
    Document.objects.filter(pk=doc.pk).update(current_version=v1)  # allowed: its own version
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=doc.pk).update(current_version=w)


def test_derived_spans_stay_writable(two_versions):
    doc, _, _ = two_versions
    assert ClauseSpan.objects.filter(document=doc).update(text_sha="rebuilt") > 0


def test_triggers_come_back_after_a_table_rebuild():
    # What a later migration altering these tables does on SQLite: the triggers go...
    immutability.uninstall(connection)
    assert immutability.installed(connection) == set()
    # ...and migrate's post_migrate puts them back.
    immutability.reinstall_after_migrate(sender=None, using="default")
    assert immutability.installed(connection) == immutability.expected(connection.vendor)


def test_deleting_a_user_keeps_who_published(two_versions, django_user_model):
    from django.db.models import ProtectedError

    doc, _, _ = two_versions
    user = django_user_model.objects.create_user("author", password="x")
    factories.publish(doc, factories.POLICY_V2.replace("phone number", "postal address"), added_by=user)
    with pytest.raises(ProtectedError):
        user.delete()


def test_checks_and_refused_captures_are_append_only(two_versions):
    from documents.models import RefusedCapture, TrackedRepository, VersionCheck

    doc, v1, _ = two_versions
    assert immutability.installed_records(connection) == immutability.expected_records(connection.vendor)
    repo = TrackedRepository.objects.create(name="sample-versions", path="/tmp/sample")
    check = VersionCheck.objects.create(document=doc, version=v1, recorded_date="2024-01-02",
                                        source_sha256=v1.source_sha256, sha256=v1.sha256, origin=repo)
    refusal = RefusedCapture.objects.create(repository=repo, document=doc, commit="a" * 40, path="X/Terms.md",
                                            recorded_date="2024-01-03", reason="login_wall")
    for table, pk in (("documents_versioncheck", check.pk), ("documents_refusedcapture", refusal.pk)):
        with pytest.raises(IntegrityError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET recorded_date = '2020-01-01' WHERE id = %s", [pk])
        with pytest.raises(IntegrityError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])
    if connection.vendor == "sqlite":  # REPLACE would delete the row without a DELETE trigger
        clause = Clause.objects.filter(version=v1).first()
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT OR REPLACE INTO documents_clausetext (id, sha, heading, body, text, closing) "
                           "VALUES (%s, %s, 'x', x'', x'', x'')", [clause.content_id, clause.content.sha])
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT OR REPLACE INTO documents_refusedcapture (repository_id, document_id, \"commit\", "
                           "path, recorded_date, reason, detail, snapshot_url, created_at) VALUES "
                           "(%s, NULL, %s, 'X/Terms.md', '2024-01-03', 'error_page', '', '', '2024-01-03')",
                           [repo.pk, "a" * 40])
    # The repository itself moves on as it is imported.
    TrackedRepository.objects.filter(pk=repo.pk).update(last_commit="b" * 40)
    repo.refresh_from_db()
    assert repo.last_commit == "b" * 40


# --- Issue #25, item 6: the gaps ----------------------------------------------------------


def _replace_sql(model, pk, **changes):
    """``INSERT OR REPLACE`` of row ``pk`` of ``model`` with ``changes``: SQLite deletes
    the old row without firing delete triggers and inserts this one."""
    columns = [f.column for f in model._meta.concrete_fields]
    values = ", ".join("%s" if c in changes else c for c in columns)
    sql = (f"INSERT OR REPLACE INTO {model._meta.db_table} ({', '.join(columns)}) "
           f"SELECT {values} FROM {model._meta.db_table} WHERE id = %s")
    return sql, [changes[c] for c in columns if c in changes] + [pk]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="INSERT OR REPLACE is SQLite's")
def test_insert_or_replace_cannot_rewrite_a_published_version_or_move_its_clauses(two_versions):
    doc, v1, v2 = two_versions
    refused(*_replace_sql(DocumentVersion, v1.pk, source_text="rewritten", change_note="rewritten"))
    # A sealed version's row replaced by key (document, label) under a new id.
    refused(*_replace_sql(DocumentVersion, v1.pk, id=10_000, source_text="rewritten"))
    clause = Clause.objects.filter(version=v1).first()
    draft = DocumentVersion.objects.create(document=doc, label="2030-01-01", effective_date="2030-01-01",
                                           recorded_date="2030-01-01", sha256="f" * 64, source_sha256="f" * 64)
    refused(*_replace_sql(Clause, clause.pk, version_id=draft.pk))  # moved out of its sealed version
    refused(*_replace_sql(ClauseLineage, clause.lineage_id, key="zzzzzzzz"))
    v1.refresh_from_db()
    clause.refresh_from_db()
    assert v1.source_text != "rewritten" and v1.change_note != "rewritten"
    assert clause.version_id == v1.pk
    # An insert that replaces nothing still works (e.g. of an unsealed version's clause).
    with connection.cursor() as cursor:
        cursor.execute(*_replace_sql(DocumentVersion, draft.pk, change_note="still a draft"))
    draft.refresh_from_db()
    assert draft.change_note == "still a draft"


@pytest.fixture
def link(two_versions):
    from documents.models import ClauseLineageLink

    doc, v1, v2 = two_versions
    a, b = ClauseLineage.objects.filter(document=doc)[:2]
    return ClauseLineageLink.objects.create(document=doc, lineage=a, same_as=b, version=v2)


def test_lineage_links_are_append_only(link):
    from documents.models import ClauseLineageLink

    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        ClauseLineageLink.objects.filter(pk=link.pk).update(same_as=link.lineage)
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        ClauseLineageLink.objects.filter(pk=link.pk).delete()
    refused("UPDATE documents_clauselineagelink SET version_id = version_id WHERE id = %s", [link.pk])
    refused("DELETE FROM documents_clauselineagelink WHERE id = %s", [link.pk])
    if connection.vendor == "sqlite":
        refused(*_replace_sql(ClauseLineageLink, link.pk, same_as_id=link.lineage_id))
    assert ClauseLineageLink.objects.get(pk=link.pk).same_as_id == link.same_as_id


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncate_is_refused_once_anything_is_published(link):
    with connection.cursor() as cursor:  # TRUNCATE refuses to run with deferred FK checks pending
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table in ("documents_clause", "documents_documentversion", "documents_clauselineage",
                  "documents_clauselineagelink", "documents_document"):
        refused(f"TRUNCATE {table} CASCADE")
    assert Clause.objects.exists()
