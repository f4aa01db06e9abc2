"""A GIN index for the catalogue's full-text search, on PostgreSQL only.

The index expression must stay identical to ``partners.models._search_vector`` (the planner uses the index only
when the query's expression matches it). Other databases have no full-text search: the catalogue falls back to
a case-insensitive match there and needs no index.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX_NAME = "capability_search"


def search_index():
    vector = SearchVector("name", weight="A", config="english") + SearchVector(
        "description", weight="B", config="english"
    )
    return GinIndex(vector, name=INDEX_NAME)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("partners", "Capability"), search_index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("partners", "Capability"), search_index())


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_organisations_members_capabilities")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
