"""Repair of text stored before ``safe_text`` guarded the door: the *mutable* rows only.

Publishers' names, documents' titles and drafts (names, file name, note, text) are
cleaned in place. Published versions and their clauses never change (the database
refuses it), so a control character already in one stays, and the renderers cope with
it (``feeds.SafeAtom1Feed``, ``alerts.emails``). Run by the ``repair_text`` command and
after every ``migrate`` (``documents.apps``), so ``make run`` and a deploy repair what
was stored; idempotent, and a no-op query per table once the rows are clean.
"""

from __future__ import annotations

from django.db import transaction

from documents.safe_text import clean_name, clean_text

# (model name, {field: cleaner})
_FIELDS = [
    ("Publisher", {"name": clean_name}),
    ("Document", {"title": clean_name}),
    ("VersionDraft", {"new_publisher": clean_name, "new_title": clean_name, "source_filename": clean_name,
                      "change_note": clean_text, "source_text": clean_text}),
]


def _suspect(value) -> bool:
    # Cheap pre-filter: only rows with a character below U+0020 (other than tab,
    # newline, return), in C1, a surrogate, a bidi control or a non-character.
    return isinstance(value, str) and any(
        (c < " " and c not in "\t\n\r") or "\x7f" <= c <= "\x9f" or "\ud800" <= c <= "\udfff"
        or "\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069" or c in "\ufffe\uffff\u2028\u2029"
        for c in value
    )


def repair_stored_text(apps=None) -> dict[str, int]:
    """Clean the mutable text columns; returns {model name: rows changed}."""
    if apps is None:
        from django.apps import apps
    changed = {}
    for model_name, fields in _FIELDS:
        try:
            model = apps.get_model("documents", model_name)
        except LookupError:  # migrated back to before the model existed
            continue
        names = {f.name for f in model._meta.get_fields()}
        fields = {f: clean for f, clean in fields.items() if f in names}
        count = 0
        with transaction.atomic():
            for row in model._default_manager.only("pk", *fields).iterator(chunk_size=500):
                updates = {f: clean(getattr(row, f)) for f, clean in fields.items() if _suspect(getattr(row, f))}
                if updates:
                    model._default_manager.filter(pk=row.pk).update(**updates)
                    count += 1
        changed[model_name] = count
    return changed


def repair_after_migrate(sender, using="default", apps=None, **kwargs) -> None:
    """post_migrate: repair once the documents tables exist."""
    from django.db import connections

    connection = connections[using]
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    if not {"documents_publisher", "documents_document", "documents_versiondraft"} <= tables:
        return
    repair_stored_text(apps)
