"""Triggers that change leoportal.RowsVersion whenever a row the desk's list of proposals shows changes (PostgreSQL).

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

TABLES = [
    ("leoportal", "User"),
    ("partners", "Organisation"),
    ("partners", "Capability"),
    ("projects", "Call"),
    ("projects", "Proposal"),
    ("projects", "Match"),
    ("projects", "Review"),
    ("projects", "ReviewAssignment"),
    ("projects", "ReviewRound"),
]

FUNCTION = """
CREATE OR REPLACE FUNCTION leoportal_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('leoportal.rows_changed', true) IS DISTINCT FROM statement_timestamp()::text THEN
        INSERT INTO {version} (id, version, changed_at) VALUES (1, gen_random_uuid(), clock_timestamp())
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


def _tables(apps, schema_editor):
    quote = schema_editor.quote_name
    return [quote(apps.get_model(app, model)._meta.db_table) for app, model in TABLES]


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    version = apps.get_model("leoportal", "RowsVersion")
    schema_editor.execute(FUNCTION.format(version=schema_editor.quote_name(version._meta.db_table)))
    for table in _tables(apps, schema_editor):
        for statement in TRIGGERS.format(table=table).split(";"):
            schema_editor.execute(statement)
    version.objects.get_or_create(pk=1)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in _tables(apps, schema_editor):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS rows_version_changed ON {table}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS rows_version_truncated ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS leoportal_rows_changed()")


class Migration(migrations.Migration):
    dependencies = [
        ("leoportal", "0014_rows_version"),
        ("partners", "0008_member_invitations_share_the_link_scheme"),
        ("projects", "0019_remove_call_reviews_due_at"),
    ]

    operations = [migrations.RunPython(install, remove)]
