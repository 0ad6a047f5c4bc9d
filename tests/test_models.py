"""Identity lives in named database constraints; published versions never change."""

import datetime as dt
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from documents.models import Clause, ClauseLineage, DocumentVersion, ImmutableError
from tests import factories

pytestmark = pytest.mark.django_db


def _version_like(version, **changes):
    fields = {f.name: getattr(version, f.name) for f in DocumentVersion._meta.concrete_fields if f.name != "id"}
    fields.update(changes)
    return DocumentVersion(**fields)


def test_one_version_per_document_and_sha256_full_clean():
    doc = factories.document()
    version = factories.publish(doc, factories.POLICY_V1).version
    twin = _version_like(version, label="2030-01-01")
    with pytest.raises(ValidationError) as err:
        twin.full_clean()
    assert "uniq_version_text_per_document" in str(err.value) or "already exists" in str(err.value)


def test_one_version_per_document_and_sha256_database():
    doc = factories.document()
    version = factories.publish(doc, factories.POLICY_V1).version
    twin = _version_like(version, label="2030-01-01")
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_one_anchor_per_version_full_clean_and_database():
    doc = factories.document()
    version = factories.publish(doc, factories.POLICY_V1).version
    taken = version.clauses.order_by("position").last().anchor
    lineage = ClauseLineage.objects.create(key="test2222", document=doc)
    twin = Clause(version=version, position=999, anchor=taken, text_sha="x", lineage=lineage)
    with pytest.raises(ValidationError) as err:
        twin.full_clean()
    assert "anchor" in str(err.value).lower()
    with pytest.raises(IntegrityError), transaction.atomic():
        Clause.objects.bulk_create([twin])


def test_published_version_refuses_save_and_delete():
    doc = factories.document()
    version = factories.publish(doc, factories.POLICY_V1).version
    version.change_note = "sneaky edit"
    with pytest.raises(ImmutableError):
        version.save()
    with pytest.raises(ImmutableError):
        version.delete()
    with pytest.raises(ImmutableError):
        DocumentVersion.objects.filter(pk=version.pk).update(change_note="sneaky")
    with pytest.raises(ImmutableError):
        DocumentVersion.objects.filter(pk=version.pk).delete()
    assert DocumentVersion.objects.get(pk=version.pk).change_note == ""


def test_published_clause_refuses_save_update_and_delete():
    doc = factories.document()
    version = factories.publish(doc, factories.POLICY_V1).version
    clause = version.clauses.first()
    original = clause.text
    clause.text = "changed"
    with pytest.raises(ImmutableError):
        clause.save()
    with pytest.raises(ImmutableError):
        clause.delete()
    with pytest.raises(ImmutableError):
        Clause.objects.filter(pk=clause.pk).update(text="changed")
    assert Clause.objects.get(pk=clause.pk).text == original


def test_version_timeline_and_as_of():
    doc = factories.document()
    v1 = factories.publish(doc, factories.POLICY_V1).version
    v2 = factories.publish(doc, factories.POLICY_V2).version
    assert list(doc.versions.timeline()) == [v1, v2]
    assert doc.versions.as_of(dt.date(2024, 3, 1)).first() == v1
    assert doc.versions.as_of(dt.date(2024, 6, 1)).first() == v2
    assert doc.versions.as_of(dt.date(2023, 12, 31)).first() is None


def test_clause_wordings_are_stored_once_and_read_as_the_clause_own(two_versions):
    """Clauses carried over unchanged share one ClauseText; readers keep clause.text and
    the wording's field names in queries (documents.textstore)."""
    from documents.models import ClauseText

    doc, v1, v2 = two_versions
    clauses = Clause.objects.filter(version__document=doc)
    assert ClauseText.objects.count() == clauses.values("content_id").distinct().count() < clauses.count()
    first = v1.clauses.order_by("position")[1]
    same = v2.clauses.filter(lineage=first.lineage).first()
    if same.text_sha == first.text_sha:
        assert same.content_id == first.content_id
    assert first.text and first.text == first.content.text
    assert list(v1.clauses.filter(heading=first.heading).values_list("text", flat=True)) == [first.text]
    row = v1.clauses.filter(pk=first.pk).values("heading", "text", "number").get()
    assert row == {"heading": first.heading, "text": first.text, "number": first.number}
    only = v1.clauses.only("number", "text").get(pk=first.pk)
    assert only.text == first.text
    assert [c.pk for c in v1.clauses.order_by("heading", "pk")] == \
        [c.pk for c in sorted(v1.clauses.all(), key=lambda c: (c.heading, c.pk))]


def test_version_texts_are_stored_compressed(two_versions):
    from django.db import connection

    _, v1, _ = two_versions
    with connection.cursor() as cursor:
        cursor.execute("SELECT source_text FROM documents_documentversion WHERE id = %s", [v1.pk])
        source = bytes(cursor.fetchone()[0])
    assert len(source) < len(v1.source_text.encode()) and zlib.decompress(source).decode() == v1.source_text
    # The normalized text is derived from the source (not stored), as the publish had it.
    assert DocumentVersion.objects.get(pk=v1.pk).normalized_text == v1.normalized_text
