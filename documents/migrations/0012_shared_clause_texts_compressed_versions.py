"""Storage that grows with the changes: clause wordings shared, version texts compressed.

- ``ClauseText``: each distinct wording of a clause (heading, body, text, closing) once,
  keyed by ``textstore.content_sha``; a clause row keeps its place in its version and
  points at its wording (``Clause.content``). On the sample archive 261,421 clause rows
  held 47,354 distinct texts.
- A version's source and normalized texts are stored zlib-compressed
  (``textstore.CompressedTextField``), in the same columns' place at the end of the row.

Reversible: going back copies each clause's wording into its own row again and
decompresses the version texts. The triggers are dropped for the table rebuilds and put
back at the end, with the append-only triggers of ClauseText (on PostgreSQL too:
the data moves rewrite sealed rows).
"""

import django.db.models.deletion
from django.db import migrations, models

import documents.textstore
from documents import immutability
from documents.textstore import compress, content_sha, decompress

CHUNK = 2000


def triggers_off(apps, schema_editor):
    # On every database: the data moves below rewrite sealed rows, once, here.
    immutability.uninstall(schema_editor.connection)
    immutability.uninstall_records(schema_editor.connection)


def triggers_on(apps, schema_editor):
    immutability.install(schema_editor.connection)
    immutability.install_records(schema_editor.connection)


def _chunks(cursor, sql, params=()):
    last = 0
    while True:
        cursor.execute(sql, [last, *params, CHUNK])
        rows = cursor.fetchall()
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def clause_wordings_share(apps, schema_editor):
    """Each clause's four texts -> its ClauseText (created once per distinct wording)."""
    connection = schema_editor.connection
    q = connection.ops.quote_name
    ids: dict[str, int] = {}
    with connection.cursor() as read, connection.cursor() as write:
        for rows in _chunks(read, f"SELECT id, heading, body, {q('text')}, closing FROM documents_clause "
                                  "WHERE id > %s ORDER BY id LIMIT %s"):
            updates = []
            for pk, heading, body, text, closing in rows:
                parts = (heading or "", body or "", text or "", closing or "")
                sha = content_sha(*parts)
                if sha not in ids:
                    write.execute(
                        f"INSERT INTO documents_clausetext (sha, heading, body, {q('text')}, closing) "
                        "VALUES (%s, %s, %s, %s, %s) RETURNING id",
                        [sha, parts[0], compress(parts[1]), compress(parts[2]), compress(parts[3])],
                    )
                    ids[sha] = write.fetchone()[0]
                updates.append((ids[sha], pk))
            write.executemany("UPDATE documents_clause SET content_id = %s WHERE id = %s", updates)


def clause_wordings_unshare(apps, schema_editor):
    connection = schema_editor.connection
    q = connection.ops.quote_name
    with connection.cursor() as read, connection.cursor() as write:
        for rows in _chunks(read, f"SELECT c.id, t.heading, t.body, t.{q('text')}, t.closing FROM documents_clause c "
                                  "JOIN documents_clausetext t ON t.id = c.content_id WHERE c.id > %s "
                                  "ORDER BY c.id LIMIT %s"):
            write.executemany(
                f"UPDATE documents_clause SET heading = %s, body = %s, {q('text')} = %s, closing = %s WHERE id = %s",
                [(h, decompress(b), decompress(t), decompress(c), pk) for pk, h, b, t, c in rows],
            )


def version_texts_compress(apps, schema_editor):
    with schema_editor.connection.cursor() as read, schema_editor.connection.cursor() as write:
        for rows in _chunks(read, "SELECT id, source_text, normalized_text FROM documents_documentversion "
                                  "WHERE id > %s ORDER BY id LIMIT %s"):
            write.executemany(
                "UPDATE documents_documentversion SET source_zipped = %s, normalized_zipped = %s WHERE id = %s",
                [(compress(s or ""), compress(n or ""), pk) for pk, s, n in rows],
            )


def version_texts_decompress(apps, schema_editor):
    with schema_editor.connection.cursor() as read, schema_editor.connection.cursor() as write:
        for rows in _chunks(read, "SELECT id, source_zipped, normalized_zipped FROM documents_documentversion "
                                  "WHERE id > %s ORDER BY id LIMIT %s"):
            write.executemany(
                "UPDATE documents_documentversion SET source_text = %s, normalized_text = %s WHERE id = %s",
                [(decompress(s), decompress(n), pk) for pk, s, n in rows],
            )


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0011_version_timeline_indexes"),
    ]

    operations = [
        migrations.RunPython(triggers_off, triggers_on),
        migrations.CreateModel(
            name="ClauseText",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sha", models.CharField(max_length=64, unique=True)),
                ("heading", models.CharField(blank=True, max_length=500)),
                ("body", documents.textstore.CompressedTextField(blank=True, default="", help_text="Markdown")),
                ("text", documents.textstore.CompressedTextField(blank=True, default="", help_text="Plain text of the body")),
                ("closing", documents.textstore.CompressedTextField(blank=True, default="", help_text="Markdown")),
            ],
        ),
        migrations.AddField(
            model_name="clause",
            name="content",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="documents.clausetext"),
        ),
        migrations.RunPython(clause_wordings_share, clause_wordings_unshare),
        migrations.RemoveField(model_name="clause", name="body"),
        migrations.RemoveField(model_name="clause", name="closing"),
        migrations.RemoveField(model_name="clause", name="heading"),
        migrations.RemoveField(model_name="clause", name="text"),
        migrations.AlterField(
            model_name="clause",
            name="content",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="documents.clausetext"),
        ),
        migrations.AddField(model_name="documentversion", name="source_zipped",
                            field=documents.textstore.CompressedTextField(null=True)),
        migrations.AddField(model_name="documentversion", name="normalized_zipped",
                            field=documents.textstore.CompressedTextField(null=True)),
        migrations.RunPython(version_texts_compress, version_texts_decompress),
        # A default for the plain columns, in the state only: going back re-adds them
        # (filled by version_texts_decompress) and a rebuild needs a value meanwhile.
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(model_name="documentversion", name="source_text",
                                  field=models.TextField(default="")),
            migrations.AlterField(model_name="documentversion", name="normalized_text",
                                  field=models.TextField(default="")),
        ]),
        migrations.RemoveField(model_name="documentversion", name="source_text"),
        migrations.RemoveField(model_name="documentversion", name="normalized_text"),
        migrations.RenameField(model_name="documentversion", old_name="source_zipped", new_name="source_text"),
        migrations.RenameField(model_name="documentversion", old_name="normalized_zipped", new_name="normalized_text"),
        migrations.AlterField(model_name="documentversion", name="source_text",
                              field=documents.textstore.CompressedTextField()),
        migrations.AlterField(model_name="documentversion", name="normalized_text",
                              field=documents.textstore.CompressedTextField()),
        migrations.RunPython(triggers_on, triggers_off),
    ]
