"""A catalogue that finds: search over categories, research areas, platforms and providers; sorts; compare."""

import pytest
from django.urls import reverse

from partners.filters import CatalogueFilter
from partners.models import Capability
from tests.partners.factories import CapabilityFactory
from tests.partners.test_catalogue import known_set  # noqa: F401 -- the fixture
from tests.utils import soup

pytestmark = pytest.mark.django_db


def titles(client, **params):
    response = client.get(reverse("partners:catalogue"), params)
    assert response.status_code == 200
    return [title.get_text(strip=True) for title in soup(response).select("[data-results] .card-title")]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # "bioreactor" is in no name or description: only in the category "Cell culture / bioreactor".
        ("bioreactor", ["Cell Incubator Alpha", "Centrifuge Delta"]),
        ("stem cells", ["Cell Incubator Alpha"]),  # its research area (and description)
        ("biofabrication", ["Bioprinter Beta"]),  # research area only
        ("Kibo", ["Centrifuge Delta", "Freezer Gamma"]),  # platform only
        ("Space Tango", ["Centrifuge Delta", "Free-flyer Epsilon", "Freezer Gamma"]),  # provider only
    ],
)
def test_search_reads_categories_research_areas_platforms_and_providers(client, known_set, query, expected):  # noqa: F811
    assert sorted(titles(client, q=query)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [("bioreactor", ["Cell Incubator Alpha", "Centrifuge Delta"]), ("kibo", ["Centrifuge Delta", "Freezer Gamma"])],
)
def test_the_plain_match_elsewhere_reads_them_too(known_set, query, expected):  # noqa: F811
    filterset = CatalogueFilter({"q": query}, queryset=Capability.objects.public(), vendor="sqlite")

    assert sorted(filterset.qs.values_list("name", flat=True)) == expected


def test_a_name_match_ranks_above_a_category_match_above_a_description_match(client, redwire):
    CapabilityFactory(organisation=redwire, name="Aaa locker", categories=["other"], description="Has a bioreactor.")
    CapabilityFactory(organisation=redwire, name="Bbb module", categories=["cell_culture_bioreactor"])
    CapabilityFactory(organisation=redwire, name="Zzz bioreactor", categories=["other"])

    assert titles(client, q="bioreactor") == ["Zzz bioreactor", "Bbb module", "Aaa locker"]


def test_a_renamed_provider_is_found_by_its_new_name(client, known_set, tango):  # noqa: F811
    tango.name = "Orbit Works"
    tango.save()

    assert sorted(titles(client, q="Orbit Works")) == ["Centrifuge Delta", "Free-flyer Epsilon", "Freezer Gamma"]
    assert titles(client, q="Tango") == []


def test_a_changed_listing_is_found_by_its_new_category(client, known_set):  # noqa: F811
    listing = Capability.objects.get(name="Freezer Gamma")
    listing.categories = ["cold_stowage_freezer", "cell_culture_bioreactor"]
    listing.save(update_fields=["categories"])

    assert sorted(titles(client, q="bioreactor")) == ["Cell Incubator Alpha", "Centrifuge Delta", "Freezer Gamma"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (
            "name",
            ["Bioprinter Beta", "Cell Incubator Alpha", "Centrifuge Delta", "Free-flyer Epsilon", "Freezer Gamma"],
        ),
        # Facts stated: Gamma 7, Alpha 6, Delta 6 (ties by name), Epsilon 4, Beta 2.
        (
            "facts",
            ["Freezer Gamma", "Cell Incubator Alpha", "Centrifuge Delta", "Free-flyer Epsilon", "Bioprinter Beta"],
        ),
    ],
)
def test_the_catalogue_sorts(client, known_set, sort, expected):  # noqa: F811
    assert titles(client, sort=sort) == expected


def test_sorting_by_first_flight_puts_the_earliest_first_and_unstated_last(client, redwire):
    CapabilityFactory(organisation=redwire, name="Newer", first_flight_year=2020)
    CapabilityFactory(organisation=redwire, name="Unknown")
    CapabilityFactory(organisation=redwire, name="Older", first_flight_year=2009)

    assert titles(client, sort="first_flight") == ["Older", "Newer", "Unknown"]


def test_a_search_sorted_by_name_keeps_its_matches(client, known_set):  # noqa: F811
    assert titles(client, q="bioreactor", sort="name") == ["Cell Incubator Alpha", "Centrifuge Delta"]


def test_a_nonsense_sort_is_refused_with_a_message(client, known_set):  # noqa: F811
    page = soup(client.get(reverse("partners:catalogue"), {"sort": "cheapest"}))

    assert (
        page.select_one('[data-refused="Sort by"]')
        .get_text(" ", strip=True)
        .startswith("Sort by : “cheapest” is not a sort order the catalogue knows: choose one from the list.")
    )


def test_sorting_is_not_a_chip(client, known_set):  # noqa: F811
    page = soup(client.get(reverse("partners:catalogue"), {"sort": "name", "q": "kibo"}))

    assert [chip["data-chip"] for chip in page.select("[data-chip]")] == ["q"]


# --- Compare -------------------------------------------------------------------------------------------------


def compare(client, *listings):
    return client.get(reverse("partners:compare"), {"listing": [str(x.public_id) for x in listings]})


def test_every_result_can_be_ticked_for_comparison(client, known_set):  # noqa: F811
    page = soup(client.get(reverse("partners:catalogue")))

    form = page.select_one("form[data-compare-form]")
    assert form["action"] == reverse("partners:compare")
    assert len(form.select("input[name=listing][type=checkbox]")) == 5


def test_compare_shows_every_fact_side_by_side_with_unstated_as_such(client, known_set):  # noqa: F811
    alpha, beta = Capability.objects.get(name="Cell Incubator Alpha"), Capability.objects.get(name="Bioprinter Beta")

    response = compare(client, alpha, beta)

    table = soup(response).select_one("[data-compare]")
    assert response.status_code == 200
    assert [th.a.get_text() for th in table.select("thead th") if th.a] == ["Cell Incubator Alpha", "Bioprinter Beta"]
    rows = {tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.select("td")] for tr in table.tbody("tr")}
    assert len(rows) == 18
    assert rows["Sample return"] == ["Yes", "Not stated"]
    assert rows["Temperature range"] == ["4 to 37 °C", "Not stated"]
    assert rows["Platform"] == ["ISS (EXPRESS rack)", "ISS (US segment)"]


def test_compare_refuses_more_than_three(client, known_set):  # noqa: F811
    listings = list(Capability.objects.public().order_by("name"))[:4]

    response = compare(client, *listings)

    page = soup(response)
    assert (
        page.select_one("[data-compare-problem]")
        .get_text(" ", strip=True)
        .startswith("Compare at most 3 listings at a time: untick 1 and compare again.")
    )
    assert len(page.select("[data-compare] thead th a")) == 3


def test_compare_needs_two_listings(client, known_set):  # noqa: F811
    response = compare(client, Capability.objects.get(name="Bioprinter Beta"))

    assert response.status_code == 400
    assert (
        soup(response)
        .select_one("[data-compare-problem]")
        .get_text(" ", strip=True)
        .startswith("Tick two or three listings in the catalogue to compare them.")
    )


def test_compare_never_shows_a_draft(client, known_set):  # noqa: F811
    draft, beta = Capability.objects.get(name="Draft Zeta"), Capability.objects.get(name="Bioprinter Beta")

    response = compare(client, draft, beta)

    assert response.status_code == 400
    assert "Draft Zeta" not in response.content.decode()


def test_compare_refuses_a_nonsense_id_with_a_message(client):
    response = client.get(reverse("partners:compare"), {"listing": ["not-an-id", "x"]})

    assert response.status_code == 400
    assert (
        soup(response)
        .select_one("[data-compare-problem]")
        .get_text(" ", strip=True)
        .startswith("“x” is not a listing of the catalogue")
    )
