"""The catalogue revision and the triggers that raise it.

The catalogue keeps its lists per process under this number
(courses.catalogue). Triggers, not Django signals, raise it: signals miss
``QuerySet.update()``, ``bulk_create``, raw SQL and COPY, and a trigger
raises the number in the writing transaction itself, so that no reader can
see the new number with the old data. The row is written by an upsert, so
that a table emptied by ``flush`` fills again with the next write.
"""

from django.db import migrations, models

# What the catalogue's lists are made of: courses, their target career
# groups (the career-group filter) and the career groups (the form's list).
TABLES = [
    "courses_course",
    "courses_course_target_career_groups",
    "orgunits_careergroup",
]
UPSERT = (
    "INSERT INTO courses_cataloguerevision (id, value) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET value = courses_cataloguerevision.value + 1"
)

POSTGRESQL_FUNCTION = f"""
CREATE FUNCTION courses_raise_catalogue_revision() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {UPSERT};
    RETURN NULL;
END
$$
"""


def _trigger_name(table, event=""):
    return f"{table}_catalogue_revision{event}"


def create_triggers(apps, schema_editor):
    execute = schema_editor.execute
    execute("INSERT INTO courses_cataloguerevision (id, value) VALUES (1, 1)")
    if schema_editor.connection.vendor == "postgresql":
        execute(POSTGRESQL_FUNCTION)
        for table in TABLES:
            # Once per statement: a bulk write raises the number once.
            for events in ("INSERT OR UPDATE OR DELETE", "TRUNCATE"):
                kind = "_truncate" if events == "TRUNCATE" else ""
                execute(
                    f"CREATE TRIGGER {_trigger_name(table, kind)} AFTER {events} "
                    f"ON {table} FOR EACH STATEMENT "
                    "EXECUTE FUNCTION courses_raise_catalogue_revision()"
                )
    elif schema_editor.connection.vendor == "sqlite":
        # SQLite has row triggers only, one per event.
        for table in TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                execute(
                    f"CREATE TRIGGER {_trigger_name(table, '_' + event.lower())} "
                    f"AFTER {event} ON {table} BEGIN {UPSERT}; END"
                )


def drop_triggers(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            for kind in ("", "_truncate"):
                execute(
                    f"DROP TRIGGER IF EXISTS {_trigger_name(table, kind)} ON {table}"
                )
        execute("DROP FUNCTION IF EXISTS courses_raise_catalogue_revision()")
    elif schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                execute(f"DROP TRIGGER IF EXISTS {_trigger_name(table, '_' + event)}")


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0006_drop_start_date_index"),
        ("orgunits", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogueRevision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("value", models.BigIntegerField(default=0, verbose_name="value")),
            ],
            options={
                "verbose_name": "catalogue revision",
                "verbose_name_plural": "catalogue revisions",
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
