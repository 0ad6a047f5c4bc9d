# Spans no longer store the labels of the versions holding their text (which changed
# on every publish that carried a clause over); they record the version that ended
# them instead, and the labels are derived from the timeline.

import django.db.models.deletion
from django.db import migrations, models


def fill_ended_by(apps, schema_editor):
    """Set ended_by on the closed spans: walk each document's timeline as
    services.spans_rebuild does; the version that closes a span ends it."""
    Document = apps.get_model("documents", "Document")
    DocumentVersion = apps.get_model("documents", "DocumentVersion")
    Clause = apps.get_model("documents", "Clause")
    ClauseSpan = apps.get_model("documents", "ClauseSpan")
    for document in Document.objects.all().only("pk"):
        versions = list(
            DocumentVersion.objects.filter(document=document)
            .order_by("effective_date", "published_at", "pk").values_list("pk", flat=True)
        )
        present: dict[int, dict[int, str]] = {}
        for version_id, lineage_id, sha in Clause.objects.filter(version__document=document).values_list(
            "version_id", "lineage_id", "text_sha"
        ):
            present.setdefault(version_id, {})[lineage_id] = sha
        closed = ClauseSpan.objects.filter(document=document, valid_to__isnull=False).values_list(
            "pk", "lineage_id", "text_sha", "first_clause__version_id"
        )
        position = {pk: i for i, pk in enumerate(versions)}
        for span_pk, lineage_id, sha, first_version in closed:
            for version_id in versions[position.get(first_version, len(versions)) + 1:]:
                if present.get(version_id, {}).get(lineage_id) != sha:
                    ClauseSpan.objects.filter(pk=span_pk).update(ended_by_id=version_id)
                    break


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0006_immutable_versions_publish_rights'),
    ]

    operations = [
        migrations.AddField(
            model_name='clausespan',
            name='ended_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='documents.documentversion'),
        ),
        migrations.RunPython(fill_ended_by, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='clausespan',
            name='version_labels',
        ),
        migrations.CreateModel(
            name='IndexRepairMark',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_at', models.DateTimeField(auto_now_add=True)),
                ('note', models.CharField(blank=True, max_length=200)),
            ],
        ),
        migrations.AddIndex(
            model_name='clausespan',
            index=models.Index(fields=['document', 'valid_to'], name='span_document_open'),
        ),
    ]
