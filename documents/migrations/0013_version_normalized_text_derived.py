"""A version's normalized text is no longer stored: it is derived from the source.

Nothing read it but a PDF size check (now on the source); its sha256, which finds an
identical text, stays in the row. On the sample archive it was as large as the source
itself, about 40% of the database after compression. Reversible: going back parses each
version's source again to fill the column.
"""

from django.db import migrations, models

import documents.textstore
from documents import immutability

CHUNK = 200


def triggers_off(apps, schema_editor):
    immutability.uninstall(schema_editor.connection)
    immutability.uninstall_records(schema_editor.connection)


def triggers_on(apps, schema_editor):
    immutability.install(schema_editor.connection)
    immutability.install_records(schema_editor.connection)


def normalized_fill(apps, schema_editor):
    from documents.ingest import parse_document
    from documents.textstore import compress

    Version = apps.get_model("documents", "DocumentVersion")
    with schema_editor.connection.cursor() as cursor:
        last = 0
        while True:
            rows = list(Version.objects.filter(pk__gt=last).order_by("pk")
                        .values_list("pk", "source_text", "source_filename", "source_format")[:CHUNK])
            if not rows:
                return
            last = rows[-1][0]
            cursor.executemany(
                "UPDATE documents_documentversion SET normalized_text = %s WHERE id = %s",
                [(compress(parse_document(text, filename=name, format_hint=fmt or None).normalized_text), pk)
                 for pk, text, name, fmt in rows],
            )


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0012_shared_clause_texts_compressed_versions"),
    ]

    operations = [
        migrations.RunPython(triggers_off, triggers_on),
        # A default in the state only: going back re-adds the column (then filled).
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(model_name="documentversion", name="normalized_text",
                                  field=documents.textstore.CompressedTextField(default="")),
        ]),
        migrations.RunPython(migrations.RunPython.noop, normalized_fill),
        migrations.RemoveField(model_name="documentversion", name="normalized_text"),
        migrations.RunPython(triggers_on, triggers_off),
    ]
