"""A GIN index for the catalogue's German full-text search on PostgreSQL.

The index lies outside the migration state: other databases have no GIN
index, and the search there needs none.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX = GinIndex(
    SearchVector("number", "title", "description", config="german"),
    name="course_fulltext_search",
)


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("courses", "Course"), INDEX)


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("courses", "Course"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("courses", "0001_initial")]

    operations = [migrations.RunPython(add_index, remove_index)]
