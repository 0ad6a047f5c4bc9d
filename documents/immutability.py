"""Database triggers that refuse changes to published versions, on SQLite and PostgreSQL.

The models refuse ``save()``/``update()``/``delete()`` in Python; these triggers refuse
the rest (raw SQL, ``bulk_create(update_conflicts=True)``, ``QuerySet._update``, another
program on the same database):

- a sealed DocumentVersion (``sealed`` is set by ``version_publish`` once its clauses
  are written) cannot be updated or deleted; the one update allowed on any version is
  ``sealed`` going from false to true;
- a Clause of a sealed version cannot be inserted, updated or deleted;
- a ClauseLineage's key and document never change, and a lineage used by a sealed
  version cannot be deleted;
- ``Document.current_version`` may change (publishing moves it) but only to a version
  of the same document, and never back to nothing.

- a ClauseLineageLink is append-only: never updated or deleted;
- (SQLite) ``INSERT OR REPLACE`` deletes the row it conflicts with *without firing
  delete triggers*, so an insert that would replace a sealed version, one of its
  clauses, a lineage or a link is refused before it happens;
- (PostgreSQL) ``TRUNCATE`` fires no row triggers: a statement trigger refuses it on
  the guarded tables once anything is published.

ClauseSpan is derived data and stays writable. The triggers guard against application
bugs and ORM paths, not against someone who may drop triggers.

Django rebuilds a SQLite table for some ALTERs (``_remake_table``), which drops its
triggers silently. So :func:`install` is idempotent and reused: migration 0006 calls
it, any later migration that alters these tables should end with
``migrations.RunPython(immutability.install_operation, migrations.RunPython.noop)``,
and a ``post_migrate`` handler (``documents.apps``) reinstalls them after every
``migrate`` as a safety net. ``tests/test_immutability_db.py`` checks they exist.

The one bypass is a row in ``portal_immutability_override``: the test suite's flush
(which empties tables with DELETE on SQLite) sets it for the duration of the flush.
"""

from __future__ import annotations

OVERRIDE_TABLE = "portal_immutability_override"
MESSAGE = "immutable: published versions, their clauses and lineage keys cannot be changed"

TRIGGER_NAMES = [
    "portal_version_no_update",
    "portal_version_no_delete",
    "portal_clause_no_insert",
    "portal_clause_no_update",
    "portal_clause_no_delete",
    "portal_lineage_no_update",
    "portal_lineage_no_delete",
    "portal_document_current",
]

_NOT_OVERRIDDEN = f"NOT EXISTS (SELECT 1 FROM {OVERRIDE_TABLE})"


def _sealed(version_id: str) -> str:
    return f"EXISTS (SELECT 1 FROM documents_documentversion WHERE id = {version_id} AND sealed)"


_LINEAGE_PUBLISHED = (
    "EXISTS (SELECT 1 FROM documents_clause c JOIN documents_documentversion v ON v.id = c.version_id "
    "WHERE c.lineage_id = OLD.id AND v.sealed)"
)
_CURRENT_INVALID = (
    "(NEW.current_version_id IS NULL AND OLD.current_version_id IS NOT NULL) OR "
    "(NEW.current_version_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM documents_documentversion "
    "WHERE id = NEW.current_version_id AND document_id = NEW.id))"
)

# (trigger name, timing/event, table, condition under which the statement is refused)
_RULES = [
    ("portal_version_no_update", "BEFORE UPDATE", "documents_documentversion",
     "NOT (NOT OLD.sealed AND NEW.sealed)"),
    ("portal_version_no_delete", "BEFORE DELETE", "documents_documentversion", "OLD.sealed"),
    ("portal_clause_no_insert", "BEFORE INSERT", "documents_clause", _sealed("NEW.version_id")),
    ("portal_clause_no_update", "BEFORE UPDATE", "documents_clause",
     f"{_sealed('OLD.version_id')} OR {_sealed('NEW.version_id')}"),
    ("portal_clause_no_delete", "BEFORE DELETE", "documents_clause", _sealed("OLD.version_id")),
    ("portal_lineage_no_update", "BEFORE UPDATE", "documents_clauselineage",
     "NEW.key <> OLD.key OR NEW.document_id <> OLD.document_id"),
    ("portal_lineage_no_delete", "BEFORE DELETE", "documents_clauselineage", _LINEAGE_PUBLISHED),
    ("portal_document_current", "BEFORE UPDATE", "documents_document", _CURRENT_INVALID),
]


# Append-only records (migrations 0009, 0012): a check ("unchanged on ...") and a refused
# capture are facts about what was recorded on a date; once written they are never
# changed or deleted. Kept apart from _RULES, with their own install, because these
# tables appear only at 0009 while install() runs from 0006 on.
# A clause's wording (ClauseText, migration 0012) is shared by published clauses: it
# too is written once and never changed or deleted.
APPEND_ONLY_TABLES = ["documents_versioncheck", "documents_refusedcapture", "documents_clausetext"]
RECORD_MESSAGE = "immutable: checks, refused captures and clause wordings are append-only"


# SQLite's INSERT OR REPLACE deletes a conflicting row without firing its DELETE
# trigger: an insert that conflicts with a record (its key or a unique constraint) is
# refused before it can replace it.
_RECORD_CONFLICTS = {
    "documents_versioncheck": "id = NEW.id OR (NEW.source_commit <> '' AND document_id = NEW.document_id "
                              "AND source_commit = NEW.source_commit)",
    "documents_refusedcapture": 'id = NEW.id OR (repository_id = NEW.repository_id AND "commit" = NEW."commit" '
                                "AND path = NEW.path)",
    "documents_clausetext": "id = NEW.id OR sha = NEW.sha",
}


def _record_rules(vendor: str = "postgresql") -> list[tuple[str, str, str, str]]:
    """(trigger name, event, table, condition) for each append-only table."""
    rules = []
    for table in APPEND_ONLY_TABLES:
        short = table.removeprefix("documents_")
        rules.append((f"portal_{short}_no_update", "BEFORE UPDATE", table, "1 = 1"))
        rules.append((f"portal_{short}_no_delete", "BEFORE DELETE", table, "1 = 1"))
        if vendor == "sqlite":
            rules.append((f"portal_{short}_no_replace", "BEFORE INSERT", table,
                          f"EXISTS (SELECT 1 FROM {table} WHERE {_RECORD_CONFLICTS[table]})"))
    return rules


RECORD_TRIGGER_NAMES = [name for name, *_ in _record_rules()]


def expected_records(vendor: str) -> set[str]:
    return {name for name, *_ in _record_rules(vendor)} if vendor in ("sqlite", "postgresql") else set()


def _record_statements(vendor: str, tables: set[str]) -> list[str]:
    out = [f"CREATE TABLE IF NOT EXISTS {OVERRIDE_TABLE} (id integer PRIMARY KEY CHECK (id = 1))"]
    for name, event, table, condition in _record_rules(vendor):
        if table not in tables:
            continue
        if vendor == "sqlite":
            out.append(f"DROP TRIGGER IF EXISTS {name}")
            out.append(f"CREATE TRIGGER {name} {event} ON {table} FOR EACH ROW WHEN ({condition}) AND "
                       f"{_NOT_OVERRIDDEN} BEGIN SELECT RAISE(ABORT, '{RECORD_MESSAGE}'); END")
        elif vendor == "postgresql":
            row = "OLD" if "DELETE" in event else "NEW"
            out.append(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF {_NOT_OVERRIDDEN} THEN "
                f"RAISE EXCEPTION '{RECORD_MESSAGE}' USING ERRCODE = '23001'; END IF; RETURN {row}; END $$"
            )
            out.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            out.append(f"CREATE TRIGGER {name} {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()")
    return out


def install_records(connection) -> None:
    """Create (or recreate) the append-only triggers on the record tables that exist."""
    if connection.vendor not in ("sqlite", "postgresql"):
        return
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for sql in _record_statements(connection.vendor, tables):
            cursor.execute(sql)


def uninstall_records(connection) -> None:
    with connection.cursor() as cursor:
        for name, _, table, _ in _record_rules(connection.vendor):
            if connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            elif connection.vendor == "postgresql":
                if table in connection.introspection.table_names(cursor):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")


def install_records_operation(apps, schema_editor) -> None:
    install_records(schema_editor.connection)


def uninstall_records_operation(apps, schema_editor) -> None:
    uninstall_records(schema_editor.connection)


def installed_records(connection) -> set[str]:
    """Names of the append-only triggers present on ``connection``."""
    return _trigger_names(connection) & expected_records(connection.vendor)


def _trigger_names(connection) -> set[str]:
    """Names of every user trigger on ``connection`` (none on other vendors)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            return set()
        return {row[0] for row in cursor.fetchall()}


def reinstall_records_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate: put back append-only triggers a table rebuild may have dropped."""
    from django.db import connections

    install_records(connections[using])



# --- Gaps closed by issue #25 (kept apart from the rules above) ------------------------
# Append-only lineage links, on both databases: every UPDATE and DELETE is refused.
_APPEND_ONLY_RULES = [
    ("portal_link_no_update", "BEFORE UPDATE", "documents_clauselineagelink", "1 = 1"),
    ("portal_link_no_delete", "BEFORE DELETE", "documents_clauselineagelink", "1 = 1"),
]

# SQLite's REPLACE conflict resolution: refuse an insert whose conflicting row (by
# primary key or a unique constraint) is protected, since its deletion fires nothing.
_SQLITE_REPLACE_RULES = [
    ("portal_version_no_replace", "BEFORE INSERT", "documents_documentversion",
     "EXISTS (SELECT 1 FROM documents_documentversion WHERE sealed AND (id = NEW.id OR "
     "(document_id = NEW.document_id AND (label = NEW.label OR sha256 = NEW.sha256))))"),
    ("portal_clause_no_replace", "BEFORE INSERT", "documents_clause",
     "EXISTS (SELECT 1 FROM documents_clause c JOIN documents_documentversion v ON v.id = c.version_id "
     "WHERE c.id = NEW.id AND v.sealed)"),
    ("portal_lineage_no_replace", "BEFORE INSERT", "documents_clauselineage",
     "EXISTS (SELECT 1 FROM documents_clauselineage WHERE id = NEW.id OR key = NEW.key)"),
    ("portal_link_no_replace", "BEFORE INSERT", "documents_clauselineagelink",
     "EXISTS (SELECT 1 FROM documents_clauselineagelink WHERE id = NEW.id OR "
     "(lineage_id = NEW.lineage_id AND same_as_id = NEW.same_as_id))"),
]

# PostgreSQL's TRUNCATE (with CASCADE it reaches every table below from any of them).
_TRUNCATE_TABLES = ["documents_documentversion", "documents_clause", "documents_clauselineage",
                    "documents_clauselineagelink"]
_ANY_SEALED = "EXISTS (SELECT 1 FROM documents_documentversion WHERE sealed)"


def _truncate_trigger(table: str) -> str:
    return f"portal_{table.removeprefix('documents_')}_no_truncate"


def _vendor_rules(vendor: str) -> list[tuple[str, str, str, str]]:
    rules = [*_RULES, *_APPEND_ONLY_RULES]
    if vendor == "sqlite":
        rules += _SQLITE_REPLACE_RULES
    return rules


def expected(vendor: str) -> set[str]:
    """Names of every trigger :func:`install` makes on ``vendor``."""
    names = {name for name, *_ in _vendor_rules(vendor)}
    if vendor == "postgresql":
        names |= {_truncate_trigger(t) for t in _TRUNCATE_TABLES}
    return names if vendor in ("sqlite", "postgresql") else set()


def _all_names() -> set[str]:
    return expected("sqlite") | expected("postgresql")


def _postgresql_truncate_statements() -> list[str]:
    out = []
    for table in _TRUNCATE_TABLES:
        name = _truncate_trigger(table)
        out.append(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF {_ANY_SEALED} AND {_NOT_OVERRIDDEN} THEN "
            f"RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = '23001'; END IF; RETURN NULL; END $$"
        )
        out.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        out.append(f"CREATE TRIGGER {name} BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
    return out


def _sqlite_statements() -> list[str]:
    out = [f"CREATE TABLE IF NOT EXISTS {OVERRIDE_TABLE} (id integer PRIMARY KEY CHECK (id = 1))"]
    for name, event, table, condition in _vendor_rules("sqlite"):
        out.append(f"DROP TRIGGER IF EXISTS {name}")
        out.append(
            f"CREATE TRIGGER {name} {event} ON {table} FOR EACH ROW "
            f"WHEN ({condition}) AND {_NOT_OVERRIDDEN} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
    return out


def _postgresql_statements() -> list[str]:
    out = [f"CREATE TABLE IF NOT EXISTS {OVERRIDE_TABLE} (id integer PRIMARY KEY CHECK (id = 1))"]
    for name, event, table, condition in _vendor_rules("postgresql"):
        row = "OLD" if "DELETE" in event else "NEW"
        # SQLSTATE 23001 (restrict_violation) reaches Django as IntegrityError, as on SQLite.
        out.append(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF ({condition}) AND {_NOT_OVERRIDDEN} THEN "
            f"RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = '23001'; END IF; RETURN {row}; END $$"
        )
        out.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        out.append(f"CREATE TRIGGER {name} {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()")
    return out + _postgresql_truncate_statements()


def statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return _sqlite_statements()
    if vendor == "postgresql":
        return _postgresql_statements()
    return []  # other databases: the Python guards only


def install(connection) -> None:
    """Create (or recreate) the triggers on ``connection``. Idempotent."""
    with connection.cursor() as cursor:
        for sql in statements(connection.vendor):
            cursor.execute(sql)


def uninstall(connection) -> None:
    tables = {name: table for name, _, table, _ in _vendor_rules(connection.vendor)}
    tables.update({_truncate_trigger(t): t for t in _TRUNCATE_TABLES})
    with connection.cursor() as cursor:
        for name in sorted(expected(connection.vendor)):
            if connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            elif connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {tables[name]}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        cursor.execute(f"DROP TABLE IF EXISTS {OVERRIDE_TABLE}")


def install_operation(apps, schema_editor) -> None:
    """For ``migrations.RunPython`` in any migration that alters the guarded tables."""
    install(schema_editor.connection)


def uninstall_operation(apps, schema_editor) -> None:
    uninstall(schema_editor.connection)


def installed(connection) -> set[str]:
    """Names of the immutability triggers present on ``connection``."""
    return _trigger_names(connection) & _all_names()


def reinstall_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate: put back triggers a SQLite table rebuild may have dropped."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor not in ("sqlite", "postgresql"):
        return
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, "documents_documentversion")} \
            if "documents_documentversion" in connection.introspection.table_names(cursor) else set()
    if "sealed" not in columns:
        return  # migrated back before 0006: nothing to guard with
    if installed(connection) != expected(connection.vendor):
        install(connection)


def flush_sql(vendor: str, sql: list[str]) -> list[str]:
    """``sql`` (a flush's DELETEs on SQLite, TRUNCATE on PostgreSQL) wrapped in the
    override, for the test suite's flush."""
    if not sql:
        return sql
    if vendor == "sqlite":
        return [f"INSERT OR IGNORE INTO {OVERRIDE_TABLE} (id) VALUES (1)", *sql, f"DELETE FROM {OVERRIDE_TABLE}"]
    if vendor == "postgresql":
        return [f"INSERT INTO {OVERRIDE_TABLE} (id) VALUES (1) ON CONFLICT DO NOTHING", *sql,
                f"DELETE FROM {OVERRIDE_TABLE}"]
    return sql
