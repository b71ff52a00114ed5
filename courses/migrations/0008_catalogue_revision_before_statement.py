"""Raise the catalogue revision before each statement, from a sequence.

Three findings on 0007's triggers on PostgreSQL:

- They ran after a statement, when its rows were locked: a transaction that
  writes two courses in two statements could deadlock with one that writes
  only the second (each waiting for the other's lock, one on the revision
  row). Before the statement, the revision row is locked first.
- The number restarted at 1 when its row was deleted (``flush`` does), so a
  process could meet a number again that it had kept lists under. Numbers
  now come from a sequence, which never hands out one twice.
- A session with ``session_replication_role = replica`` (some loaders,
  logical replication) skipped them. They now fire always.

SQLite, the embedded database of a local run, keeps 0007's row triggers.
"""

from django.db import migrations

TABLES = [
    "courses_course",
    "courses_course_target_career_groups",
    "orgunits_careergroup",
]
SEQUENCE = "courses_catalogue_revision_seq"

FUNCTION = f"""
CREATE OR REPLACE FUNCTION courses_raise_catalogue_revision() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO courses_cataloguerevision (id, value)
    VALUES (1, nextval('{SEQUENCE}'))
    ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value;
    RETURN NULL;
END
$$
"""
OLD_FUNCTION = """
CREATE OR REPLACE FUNCTION courses_raise_catalogue_revision() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO courses_cataloguerevision (id, value) VALUES (1, 1)
    ON CONFLICT (id) DO UPDATE SET value = courses_cataloguerevision.value + 1;
    RETURN NULL;
END
$$
"""


def _name(table, kind=""):
    return f"{table}_catalogue_revision{kind}"


def _replace_triggers(execute, timing):
    for table in TABLES:
        for kind, events in (("", "INSERT OR UPDATE OR DELETE"), ("_truncate", "TRUNCATE")):
            name = _name(table, kind)
            execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            execute(
                f"CREATE TRIGGER {name} {timing} {events} ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION courses_raise_catalogue_revision()"
            )
            if timing == "BEFORE":
                execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {name}")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute(f"CREATE SEQUENCE {SEQUENCE}")
    # Above every number handed out so far.
    execute(
        f"SELECT setval('{SEQUENCE}', "
        "(SELECT coalesce(max(value), 0) + 1 FROM courses_cataloguerevision))"
    )
    execute(FUNCTION)
    _replace_triggers(execute, "BEFORE")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute(OLD_FUNCTION)
    _replace_triggers(execute, "AFTER")
    execute(f"DROP SEQUENCE {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [("courses", "0007_catalogue_revision")]

    operations = [migrations.RunPython(forwards, backwards)]
