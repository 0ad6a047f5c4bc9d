"""The long texts move to the end of their rows (versions, clauses, drafts).

SQLite reads a column by walking past every column before it, through the overflow
pages of any long text on the way: with a version's source and normalized texts in the
middle of its row, reading its document, seal or title after them cost about a
millisecond per megabyte of text, for every version a timeline, a publish or a trigger
looked at. Only the order of the columns changes, no value. On SQLite each table is
rebuilt in the new order (Django re-creates a self-referencing key, so a clause's
parent_id ends up after its texts); on PostgreSQL, which keeps long values out of line
(TOAST), only the migration state changes.
"""

from django.db import migrations, models

from documents import immutability

TEXTS = {  # model -> its long text fields, in their new order at the end of the row
    "documentversion": [("source_text", models.TextField()), ("normalized_text", models.TextField())],
    "clause": [("body", models.TextField(blank=True, help_text="Markdown")),
               ("text", models.TextField(blank=True, help_text="Plain text of the body"))],
    "versiondraft": [("source_text", models.TextField()),
                     ("parsed", models.JSONField(blank=True, editable=False, null=True)),
                     ("alignments", models.JSONField(blank=True, editable=False, null=True))],
}


def _texts_last_in_state():
    """RemoveField then AddField, in the state only: the fields end the model's list."""
    operations = []
    for model, texts in TEXTS.items():
        for name, field in texts:
            operations += [migrations.RemoveField(model_name=model, name=name),
                           migrations.AddField(model_name=model, name=name, field=field)]
    return operations


def rebuild_tables(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    # The triggers name these tables; SQLite refuses to rename a table under them.
    immutability.uninstall(schema_editor.connection)
    for model in ("DocumentVersion", "Clause", "VersionDraft"):
        # Django's own rebuild (what AlterField does on SQLite): a new table with the
        # model's columns in the model's order, the rows copied, indexes restored.
        schema_editor._remake_table(apps.get_model("documents", model))


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0007_draft_alignments"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=_texts_last_in_state()),
        migrations.RunPython(rebuild_tables, migrations.RunPython.noop),
        migrations.RunPython(immutability.install_operation, migrations.RunPython.noop),
    ]
