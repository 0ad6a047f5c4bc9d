"""Additive only: provenance and kind of a version, a clause's citation and closing
words, and the records an archive import keeps (tracked repositories, checks, refusals).

On SQLite, adding a column with a default rebuilds the table, and SQLite refuses to
rename a table that the immutability triggers name: they are dropped first and put
back at the end, with the append-only triggers of the two new record tables.
"""

import django.db.models.deletion
from django.db import migrations, models

from documents import immutability


def triggers_off(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        immutability.uninstall(schema_editor.connection)
    immutability.uninstall_records(schema_editor.connection)


# The long texts end their rows again (as migration 0008 arranged, for the reason it
# gives): the columns added above went after them.
TEXTS = {
    "documentversion": [("source_text", models.TextField()), ("normalized_text", models.TextField())],
    "clause": [("body", models.TextField(blank=True, help_text="Markdown")),
               ("text", models.TextField(blank=True, help_text="Plain text of the body")),
               ("closing", models.TextField(blank=True, db_default="", help_text="Markdown"))],
}


def _texts_last_in_state():
    operations = []
    for model, texts in TEXTS.items():
        for name, field in texts:
            operations += [migrations.RemoveField(model_name=model, name=name),
                           migrations.AddField(model_name=model, name=name, field=field)]
    return operations


def texts_last(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for model in ("DocumentVersion", "Clause"):
            schema_editor._remake_table(apps.get_model("documents", model))


def triggers_on(apps, schema_editor):
    immutability.install(schema_editor.connection)
    immutability.install_records(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0008_texts_last'),
    ]

    operations = [
        migrations.RunPython(triggers_off, triggers_on),
        migrations.CreateModel(
            name='TrackedRepository',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.SlugField(max_length=120, unique=True)),
                ('url', models.CharField(blank=True, max_length=500)),
                ('path', models.CharField(max_length=500)),
                ('last_commit', models.CharField(blank=True, max_length=40)),
                ('last_commit_date', models.DateTimeField(blank=True, null=True)),
                ('last_imported_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name_plural': 'tracked repositories',
                'ordering': ['name'],
            },
        ),
        migrations.AddField(
            model_name='clause',
            name='citation',
            field=models.CharField(blank=True, db_default='', help_text='The full path as the document writes it: D.8, 1.7(g), Schedule 2, 3.1', max_length=200),
        ),
        migrations.AddField(
            model_name='clause',
            name='closing',
            field=models.TextField(blank=True, db_default='', help_text='Markdown'),
        ),
        migrations.AddField(
            model_name='documentversion',
            name='kind',
            field=models.CharField(choices=[('version', 'Version'), ('correction', 'Extraction correction')], default='version', max_length=16),
        ),
        migrations.AddField(
            model_name='documentversion',
            name='snapshot_url',
            field=models.URLField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name='documentversion',
            name='source_commit',
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name='documentversion',
            name='origin',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='documents.trackedrepository'),
        ),
        migrations.CreateModel(
            name='RefusedCapture',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('commit', models.CharField(max_length=40)),
                ('path', models.CharField(max_length=500)),
                ('recorded_date', models.DateField()),
                ('reason', models.CharField(choices=[('error_page', 'Error page'), ('login_wall', 'Log-in wall'), ('language', 'Another language'), ('near_empty', 'Near-empty capture')], max_length=16)),
                ('detail', models.CharField(blank=True, help_text='The evidence, for a reader', max_length=500)),
                ('snapshot_url', models.URLField(blank=True, max_length=500)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='refused_captures', to='documents.document')),
                ('repository', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='refused', to='documents.trackedrepository')),
            ],
            options={
                'ordering': ['-recorded_date', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('repository', 'commit', 'path'), name='uniq_refusal_per_commit_path')],
            },
        ),
        migrations.CreateModel(
            name='VersionCheck',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('recorded_date', models.DateField()),
                ('source_sha256', models.CharField(max_length=64)),
                ('sha256', models.CharField(max_length=64)),
                ('source_commit', models.CharField(blank=True, max_length=40)),
                ('snapshot_url', models.URLField(blank=True, max_length=500)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('document', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='checks', to='documents.document')),
                ('origin', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='checks', to='documents.trackedrepository')),
                ('version', models.ForeignKey(help_text='The published version whose text the recapture matched', on_delete=django.db.models.deletion.PROTECT, related_name='checks', to='documents.documentversion')),
            ],
            options={
                'ordering': ['document', 'recorded_date', 'pk'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('source_commit', ''), _negated=True), fields=('document', 'source_commit'), name='uniq_check_per_commit')],
            },
        ),
        migrations.SeparateDatabaseAndState(state_operations=_texts_last_in_state()),
        migrations.RunPython(texts_last, migrations.RunPython.noop),
        # Last: the table rebuilds above dropped them.
        migrations.RunPython(triggers_on, triggers_off),
    ]
