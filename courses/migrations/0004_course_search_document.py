"""A stored text vector for the catalogue's full-text search on PostgreSQL.

The search used to build the vector of every course it looked at: at 6,000
courses half a second per search, and more with every year of courses. The
column is computed by PostgreSQL whenever a course is written and indexed
with GIN; it replaces the expression index of 0002. Like that index it lies
outside the migration state: other databases have no such column, and their
search needs none (courses.models.CourseQuerySet.search).
"""

from django.db import migrations

COLUMN = """
ALTER TABLE courses_course ADD COLUMN search_document tsvector
GENERATED ALWAYS AS (to_tsvector('german'::regconfig,
    coalesce(number, '') || ' ' || coalesce(title, '') || ' '
    || coalesce(description, ''))) STORED
"""
INDEX = "CREATE INDEX course_search_document ON courses_course USING gin (search_document)"


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS course_fulltext_search")
        schema_editor.execute(COLUMN)
        schema_editor.execute(INDEX)


def remove_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE courses_course DROP COLUMN search_document")


class Migration(migrations.Migration):
    dependencies = [("courses", "0003_enrollment_course_status_index")]

    operations = [migrations.RunPython(add_column, remove_column)]
