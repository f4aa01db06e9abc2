"""The stamp of the desk's list of proposals (PostgreSQL): the table rows_version, one row, and the triggers that
write a new stamp there whenever a row the list shows changes, however it was made (leoportal.domain.page_cache.
rows_version reads it). It is not a model: only PostgreSQL has it, and nothing else writes it.

Each table has a constraint trigger deferred to the commit, where the first of a transaction's changes writes a new
stamp and the rest of that statement's see it written (the guard holds the statement's start; a transaction's
deferred changes all fire in its COMMIT). The stamp is thus one lock, taken last and held only while the transaction
commits: a transaction holding it waits for no other, so it is never part of a deadlock. A TRUNCATE writes it at
once. The tables are those a rendering of the list reads
(projects.domain.page_rows.DESK_LIST_MODELS; tests/projects/test_kept_desk_list.py checks the two agree).

A later migration that changes rows of one of these tables and then alters that table must do the two in separate
migrations: PostgreSQL refuses to alter a table with deferred trigger events still waiting for the commit ("cannot
ALTER TABLE because it has pending trigger events"), as it does for Django's deferred foreign keys.
"""

from django.db import migrations

# The tables of the list (as projects.domain.page_rows.DESK_LIST_MODELS names them, by their models).
TABLES = [
    "leoportal_user",
    "partners_organisation",
    "partners_capability",
    "projects_call",
    "projects_proposal",
    "projects_match",
    "projects_review",
    "projects_reviewassignment",
    "projects_reviewround",
]

FUNCTION = """
CREATE OR REPLACE FUNCTION leoportal_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('leoportal.rows_changed', true) IS DISTINCT FROM statement_timestamp()::text THEN
        INSERT INTO rows_version (id, version, changed_at) VALUES (1, gen_random_uuid(), clock_timestamp())
        ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, changed_at = EXCLUDED.changed_at;
        PERFORM set_config('leoportal.rows_changed', statement_timestamp()::text, true);
    END IF;
    RETURN NULL;
END
$$
"""

TRIGGERS = """
CREATE CONSTRAINT TRIGGER rows_version_changed AFTER INSERT OR UPDATE OR DELETE ON {table}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION leoportal_rows_changed();
CREATE TRIGGER rows_version_truncated AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION leoportal_rows_changed()
"""


class PostgreSQLOnly(migrations.RunSQL):
    """RunSQL on PostgreSQL alone: other databases get no triggers (and keep no list). Plain SQL, so that migrating
    through here renders no models (a RunPython would, costing seconds each way)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0019_remove_call_reviews_due_at"),
    ]

    operations = [
        PostgreSQLOnly(
            sql=[
                "CREATE TABLE rows_version (id smallint PRIMARY KEY CHECK (id = 1), version uuid NOT NULL, "
                "changed_at timestamptz NOT NULL)",
                FUNCTION,
                *(statement for table in TABLES for statement in TRIGGERS.format(table=table).split(";")),
                "INSERT INTO rows_version (id, version, changed_at) "
                "VALUES (1, gen_random_uuid(), clock_timestamp()) ON CONFLICT (id) DO NOTHING",
            ],
            reverse_sql=[
                *(
                    f"DROP TRIGGER IF EXISTS {name} ON {table}"
                    for table in TABLES
                    for name in ("rows_version_changed", "rows_version_truncated")
                ),
                "DROP FUNCTION IF EXISTS leoportal_rows_changed()",
                "DROP TABLE IF EXISTS rows_version",
            ],
        )
    ]
