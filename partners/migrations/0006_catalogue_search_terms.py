"""The catalogue search reads the provider, platform, categories and research areas too.

``search_terms`` holds their words (labels, not codes), kept by ``Capability.save``; this fills it for the listings
there are, and replaces the GIN index of migration 0002 with one over name (A), search terms (B) and description
(C). The index expression must stay identical to ``partners.models.capabilities._search_vector``.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models

from partners.enums import Category, ResearchArea

INDEX_NAME = "capability_search"


def old_index():
    vector = SearchVector("name", weight="A", config="english") + SearchVector(
        "description", weight="B", config="english"
    )
    return GinIndex(vector, name=INDEX_NAME)


def new_index():
    vector = (
        SearchVector("name", weight="A", config="english")
        + SearchVector("search_terms", weight="B", config="english")
        + SearchVector("description", weight="C", config="english")
    )
    return GinIndex(vector, name=INDEX_NAME)


def search_terms_of(capability) -> str:
    """As ``partners.models.capabilities.search_terms_of`` was when this migration was written."""
    categories, areas = dict(Category.choices), dict(ResearchArea.choices)
    words = [capability.organisation.name, capability.platform]
    words += [str(categories.get(code, code)) for code in capability.categories or ()]
    words += [str(areas.get(code, code)) for code in capability.research_areas or ()]
    return " · ".join(word for word in words if word)


def fill_and_reindex(apps, schema_editor):
    Capability = apps.get_model("partners", "Capability")
    for capability in Capability.objects.select_related("organisation").iterator():
        Capability.objects.filter(pk=capability.pk).update(search_terms=search_terms_of(capability))
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(Capability, old_index())
        schema_editor.add_index(Capability, new_index())


def restore_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        Capability = apps.get_model("partners", "Capability")
        schema_editor.remove_index(Capability, new_index())
        schema_editor.add_index(Capability, old_index())


class Migration(migrations.Migration):
    dependencies = [("partners", "0005_verified_names_unique_and_requested_changes")]

    operations = [
        migrations.AddField(
            model_name="capability",
            name="search_terms",
            field=models.TextField(
                blank=True,
                default="",
                editable=False,
                help_text="Kept by save(): the provider, platform, category and research area words the search reads.",
            ),
        ),
        migrations.AddField(
            model_name="historicalcapability",
            name="search_terms",
            field=models.TextField(
                blank=True,
                default="",
                editable=False,
                help_text="Kept by save(): the provider, platform, category and research area words the search reads.",
            ),
        ),
        migrations.RunPython(fill_and_reindex, restore_index, elidable=False),
    ]
