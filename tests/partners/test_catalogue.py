import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.filters import CatalogueFilter
from partners.models import Capability
from tests.partners.factories import AvailabilityWindowFactory, CapabilityFactory, OrganisationFactory
from tests.utils import soup

pytestmark = pytest.mark.django_db


@pytest.fixture
def known_set(redwire, tango):
    """Five public listings with known facts, plus a draft and a listing of an unverified provider."""
    CapabilityFactory(
        organisation=redwire,
        name="Cell Incubator Alpha",
        categories=["cell_culture_bioreactor"],
        research_areas=["stem_cells"],
        platform="ISS (EXPRESS rack)",
        sample_return=True,
        crew_time="none",
        temperature_min_c=4,
        temperature_max_c=37,
        max_duration_days=30,
        capacity_units=8,
        description="Automated incubator for stem cell expansion.",
    )
    CapabilityFactory(
        organisation=redwire,
        name="Bioprinter Beta",
        categories=["3d_bioprinter"],
        research_areas=["biofabrication"],
        platform="ISS (US segment)",
        crew_time="medium",
        description="Prints tissue constructs with bioinks.",
    )
    CapabilityFactory(
        organisation=tango,
        name="Freezer Gamma",
        categories=["cold_stowage_freezer"],
        platform="ISS Kibo",
        sample_return=False,
        crew_time="low",
        temperature_min_c=-20,
        temperature_max_c=4,
        cold_stowage_c=[-80.0, -20.0, 4.0],
        max_duration_days=180,
        capacity_units=20,
    )
    CapabilityFactory(
        organisation=tango,
        name="Centrifuge Delta",
        categories=["cell_culture_bioreactor", "variable_gravity_centrifuge"],
        research_areas=["cell_biology"],
        platform="ISS Kibo",
        status="planned",
        sample_return=True,
        crew_time="high",
        temperature_min_c=15,
        temperature_max_c=40,
        max_duration_days=10,
        capacity_units=2,
    )
    CapabilityFactory(
        organisation=tango,
        name="Free-flyer Epsilon",
        categories=["free_flyer_recoverable_capsule"],
        research_areas=["small_molecule_crystallization"],
        platform="free-flyer in LEO",
        sample_return=True,
        variable_gravity_min_g=0,
        variable_gravity_max_g=2,
        max_duration_days=90,
        description="Crystallization of pharmaceuticals, returned in a capsule.",
    )
    CapabilityFactory(
        organisation=redwire, name="Draft Zeta", publication="draft", published_at=None, sample_return=True
    )
    unverified = OrganisationFactory(name="Unverified Org", verified=False)
    CapabilityFactory(organisation=unverified, name="Unverified Eta", sample_return=True)


def names(client, **params):
    response = client.get(reverse("partners:catalogue"), params)
    assert response.status_code == 200
    return sorted(title.get_text(strip=True) for title in soup(response).select("[data-results] .card-title"))


ALL_PUBLIC = ["Bioprinter Beta", "Cell Incubator Alpha", "Centrifuge Delta", "Free-flyer Epsilon", "Freezer Gamma"]


def test_catalogue_shows_published_listings_of_verified_providers_only(client, known_set):
    assert names(client) == ALL_PUBLIC


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "cell_culture_bioreactor"}, ["Cell Incubator Alpha", "Centrifuge Delta"]),
        ({"research_area": "stem_cells"}, ["Cell Incubator Alpha"]),
        ({"platform": "kibo"}, ["Centrifuge Delta", "Freezer Gamma"]),
        ({"status": "planned"}, ["Centrifuge Delta"]),
        ({"sample_return": "yes"}, ["Cell Incubator Alpha", "Centrifuge Delta", "Free-flyer Epsilon"]),
        ({"sample_return": "no"}, ["Freezer Gamma"]),
        (
            {"sample_return": "yes", "unstated": "on"},
            ["Bioprinter Beta", "Cell Incubator Alpha", "Centrifuge Delta", "Free-flyer Epsilon"],
        ),
        ({"crew_time": "low"}, ["Cell Incubator Alpha", "Freezer Gamma"]),
        ({"crew_time": "low", "unstated": "on"}, ["Cell Incubator Alpha", "Free-flyer Epsilon", "Freezer Gamma"]),
        ({"crew_time": "high"}, ["Bioprinter Beta", "Cell Incubator Alpha", "Centrifuge Delta", "Freezer Gamma"]),
        ({"centrifuge": "on"}, ["Centrifuge Delta", "Free-flyer Epsilon"]),
        ({"holds_c": "37"}, ["Cell Incubator Alpha", "Centrifuge Delta"]),
        ({"holds_c": "-80"}, ["Freezer Gamma"]),
        (
            {"holds_c": "37", "unstated": "on"},
            ["Bioprinter Beta", "Cell Incubator Alpha", "Centrifuge Delta", "Free-flyer Epsilon"],
        ),
        ({"min_days": "30"}, ["Cell Incubator Alpha", "Free-flyer Epsilon", "Freezer Gamma"]),
        ({"min_days": "100", "unstated": "on"}, ["Bioprinter Beta", "Freezer Gamma"]),
        ({"min_units": "8"}, ["Cell Incubator Alpha", "Freezer Gamma"]),
        (
            {"min_units": "8", "unstated": "on"},
            ["Bioprinter Beta", "Cell Incubator Alpha", "Free-flyer Epsilon", "Freezer Gamma"],
        ),
        (
            {"category": "cell_culture_bioreactor", "sample_return": "yes", "holds_c": "37", "min_days": "20"},
            ["Cell Incubator Alpha"],
        ),
        ({"platform": "ISS", "crew_time": "none", "min_units": "1"}, ["Cell Incubator Alpha"]),
        ({"unstated": "on"}, ALL_PUBLIC),
    ],
)
def test_each_filter_returns_exactly_the_right_listings(client, known_set, params, expected):
    assert names(client, **params) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("stem", ["Cell Incubator Alpha"]),
        ("bioink", ["Bioprinter Beta"]),
        ("freezer", ["Freezer Gamma"]),
        ('"tissue constructs"', ["Bioprinter Beta"]),
        ("crystallization -capsule", []),
        ("pharmaceutical", ["Free-flyer Epsilon"]),
        ("draft", []),
    ],
)
def test_text_search_uses_full_text_search_on_postgresql(client, known_set, query, expected):
    assert names(client, q=query) == expected


def test_text_search_ranks_name_matches_above_description_matches(client, redwire):
    CapabilityFactory(organisation=redwire, name="Aaa locker", description="Holds an incubator inside.")
    CapabilityFactory(organisation=redwire, name="Zzz incubator", description="Nothing else.")

    page = soup(client.get(reverse("partners:catalogue"), {"q": "incubator"}))

    assert [title.get_text(strip=True) for title in page.select("[data-results] .card-title")] == [
        "Zzz incubator",
        "Aaa locker",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("stem cell", ["Cell Incubator Alpha"]), ("BIOINKS", ["Bioprinter Beta"]), ("stem printer", [])],
)
def test_text_search_falls_back_to_a_plain_match_elsewhere(known_set, query, expected):
    filterset = CatalogueFilter({"q": query}, queryset=Capability.objects.public(), vendor="sqlite")

    assert sorted(filterset.qs.values_list("name", flat=True)) == expected


def test_full_text_search_uses_the_gin_index(known_set):
    queryset = Capability.objects.search("incubator")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()

    assert "capability_search" in plan


def test_every_filter_is_labelled(client):
    page = soup(client.get(reverse("partners:catalogue")))

    labels = [label.get_text(" ", strip=True) for label in page.select("form[data-filter-form] label")]
    assert labels == [
        "Search",
        "Category",
        "Research area",
        "Platform",
        "Status",
        "Returns samples",
        "Crew time (at most)",
        "Has an on-orbit centrifuge",
        "Holds this temperature (°C)",
        "Runs for at least (days)",
        "Takes at least (experiment units)",
        "Include listings that have not stated it",
        "Sort by",
    ]


def test_filters_stay_in_the_query_string_for_sharing(client, known_set):
    page = soup(client.get(reverse("partners:catalogue"), {"category": "cold_stowage_freezer", "unstated": "on"}))

    form = page.select_one("form[data-filter-form]")
    assert form["method"] == "get"
    assert page.select_one("#id_category option[selected]")["value"] == "cold_stowage_freezer"
    assert page.select_one("#id_unstated").has_attr("checked")
    assert page.select_one("[data-result-count]").get_text(strip=True) == "1 listing matches your filters"


def test_an_invalid_filter_value_is_reported_not_ignored(client, known_set):
    response = client.get(reverse("partners:catalogue"), {"holds_c": "warm"})

    page = soup(response)
    assert response.status_code == 200
    assert (
        page.select_one("#id_holds_c").find_parent(class_="mb-3").select_one(".invalid-feedback").get_text(strip=True)
        == "Enter a number, e.g. 36.5 (digits only)."
    )


def test_no_match_explains_what_to_do(client, known_set):
    page = soup(client.get(reverse("partners:catalogue"), {"category": "animal_habitat"}))

    assert page.select_one("[data-empty]").get_text(" ", strip=True) == (
        "No listing matches all of these filters. Remove a filter, tick “Include listings that have not stated "
        "it”, or see every listing ."
    )


def test_empty_catalogue_says_so(client):
    page = soup(client.get(reverse("partners:catalogue")))

    assert page.select_one("[data-empty]").get_text(" ", strip=True) == (
        "No provider has published a listing yet. Providers: sign up to list your hardware."
    )


def test_catalogue_is_paginated_and_pages_keep_the_filters(client, redwire, settings):
    settings.CATALOGUE_PAGE_SIZE = 2
    for index in range(5):
        CapabilityFactory(organisation=redwire, name=f"Locker {index}", sample_return=True)

    first = soup(client.get(reverse("partners:catalogue"), {"sample_return": "yes"}))
    last = soup(client.get(reverse("partners:catalogue"), {"sample_return": "yes", "page": "3"}))

    assert [t.get_text(strip=True) for t in first.select("[data-results] .card-title")] == ["Locker 0", "Locker 1"]
    assert first.select_one("a[rel=next]")["href"] == "?sample_return=yes&page=2"
    assert [t.get_text(strip=True) for t in last.select("[data-results] .card-title")] == ["Locker 4"]
    assert last.select_one(".pagination .active").get_text(strip=True) == "Page 3 of 3"


def catalogue_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("partners:catalogue"), params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"q": "facility", "sample_return": "yes", "unstated": "on", "holds_c": "20"}])
def test_catalogue_query_count_is_constant_in_the_number_of_listings(client, settings, params):
    settings.CATALOGUE_PAGE_SIZE = 100
    organisations = [OrganisationFactory() for _ in range(5)]

    def add(count):
        for index in range(count):
            capability = CapabilityFactory(
                organisation=organisations[index % 5], description="A facility.", platform=f"Platform {index}"
            )
            AvailabilityWindowFactory(capability=capability, start="2027-01-01", end="2027-02-01")

    add(5)
    with_5 = catalogue_queries(client, params)
    add(45)
    with_50 = catalogue_queries(client, params)

    assert (with_5, with_50) == (4, 4)  # the listings' fingerprint, the count, the page, the platforms
    assert catalogue_queries(client, params) == 0  # the same page again, no listing changed: from the cache


def test_a_cached_catalogue_page_shows_a_change_to_a_listing_at_once(client, known_set):
    assert names(client) == ALL_PUBLIC  # now cached
    listing = Capability.objects.get(name="Freezer Gamma")
    listing.name = "Freezer Renamed"
    listing.save()

    assert names(client) == sorted([*ALL_PUBLIC[:4], "Freezer Renamed"])


def test_a_cached_catalogue_page_shows_a_newly_verified_provider_at_once(client, known_set):
    before = names(client)
    organisation = Capability.objects.get(name="Unverified Eta").organisation
    organisation.verified = True
    organisation.save()

    assert sorted(names(client)) == sorted([*before, "Unverified Eta"])


def test_listing_page_shows_the_envelope_with_not_stated_as_such(client, redwire):
    capability = CapabilityFactory(
        organisation=redwire,
        name="Cell Incubator Alpha",
        platform="ISS (EXPRESS rack)",
        categories=["cell_culture_bioreactor", "sample_return"],
        sample_return=True,
        co2_control=False,
        temperature_min_c=4,
        temperature_max_c=37.5,
        cold_stowage_c=[],
        availability_stated=True,
        sources=["https://example.org/alpha (fact sheet)", "Personal communication"],
    )
    AvailabilityWindowFactory(capability=capability, start="2027-03-01", end="2027-04-30")

    page = soup(client.get(capability.get_absolute_url()))

    rows = [
        (row.th.get_text(strip=True), row.td.get_text(strip=True)) for row in page.select("[data-envelope] tbody tr")
    ]
    assert rows == [
        ("Platform", "ISS (EXPRESS rack)"),
        ("Status", "Operational"),
        ("Categories", "Cell culture / bioreactor, Sample return"),
        ("Research areas", "Not stated"),
        ("Temperature range", "4 to 37.5 °C"),
        ("CO₂ control", "No"),
        ("Humidity control", "Not stated"),
        ("Capacity", "Not stated"),
        ("Maximum duration", "Not stated"),
        ("Power", "Not stated"),
        ("Crew time needed", "Not stated"),
        ("Imaging", "Not stated"),
        ("On-orbit centrifuge", "Not stated"),
        ("Sample return", "Yes"),
        ("Cold stowage", "None"),
        ("Biosafety level", "Not stated"),
        ("First flight", "Not stated"),
        ("Availability", "1 Mar 2027 to 30 Apr 2027"),
    ]
    assert page.select_one("[data-provider]")["href"] == redwire.get_absolute_url()
    assert [item.get_text(" ", strip=True) for item in page.select("[data-sources] li")] == [
        "https://example.org/alpha (fact sheet)",
        "Personal communication",
    ]
    assert [link["href"] for link in page.select("[data-sources] a")] == ["https://example.org/alpha"]


@pytest.mark.parametrize("who", [None, "provider_user", "staff"])
def test_drafts_and_unverified_providers_listings_have_no_public_page(client, request, redwire, who):
    if who:
        client.force_login(request.getfixturevalue(who))
    draft = CapabilityFactory(organisation=redwire, publication="draft", published_at=None)
    hidden = CapabilityFactory(organisation=OrganisationFactory(verified=False))

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_provider_page_lists_its_published_listings(client, redwire):
    CapabilityFactory(organisation=redwire, name="BFF")
    CapabilityFactory(organisation=redwire, name="ADSEP", publication="draft", published_at=None)
    CapabilityFactory(name="Someone else's")

    page = soup(client.get(redwire.get_absolute_url()))

    assert page.h1.get_text(strip=True) == "Redwire Space"
    assert [t.get_text(strip=True) for t in page.select("[data-results] .card-title")] == ["BFF"]


def test_an_unverified_provider_has_no_public_page(client):
    organisation = OrganisationFactory(verified=False)

    assert client.get(organisation.get_absolute_url()).status_code == 404


def test_provider_page_query_count_is_constant(client, redwire):
    def measure():
        with CaptureQueriesContext(connection) as queries:
            client.get(redwire.get_absolute_url())
        return len(queries)

    CapabilityFactory(organisation=redwire)
    few = measure()
    for _ in range(20):
        CapabilityFactory(organisation=redwire)

    assert measure() == few


def test_home_page_shows_catalogue_counts(client, known_set):
    OrganisationFactory(name="Only drafts")
    CapabilityFactory(organisation=OrganisationFactory(name="Drafty"), publication="draft", published_at=None)

    page = soup(client.get(reverse("home")))

    assert page.select_one('[data-count="published_capabilities"]').get_text(strip=True) == "5"
    assert page.select_one('[data-count="providers"]').get_text(strip=True) == "2"


def test_platform_suggestions_name_each_public_platform_once(client, known_set):
    options = soup(client.get(reverse("partners:catalogue"))).select("#platform-options option")

    assert sorted(option["value"] for option in options) == [
        "ISS (EXPRESS rack)",
        "ISS (US segment)",
        "ISS Kibo",
        "free-flyer in LEO",
    ]


def test_filters_in_use_are_removable_chips(client, known_set):
    page = soup(client.get(reverse("partners:catalogue"), {"category": "3d_bioprinter", "holds_c": "37", "q": "print"}))

    chips = [
        (chip.select_one(".chip-label").get_text(strip=True), chip["href"]) for chip in page.select("a[data-chip]")
    ]
    catalogue = reverse("partners:catalogue")
    assert chips == [
        ("Search: “print”", f"{catalogue}?category=3d_bioprinter&holds_c=37"),
        ("Category: 3D bioprinter", f"{catalogue}?holds_c=37&q=print"),
        ("Holds this temperature (°C): 37 °C", f"{catalogue}?category=3d_bioprinter&q=print"),
    ]
    assert page.select_one(".chip-clear")["href"] == catalogue


def test_nonsense_filter_values_are_refused_with_what_to_do(client, known_set):
    response = client.get(
        reverse("partners:catalogue"),
        {"holds_c": "500", "min_days": "-3", "category": "warp_drive", "crew_time": "low"},
    )

    page = soup(response)
    refused = [li.get_text(" ", strip=True) for li in page.select("[data-refused-filters] li")]
    assert refused == [
        "Category : “warp_drive” is not a category the catalogue knows: choose one from the list. Remove this filter",
        "Holds this temperature (°C) : A temperature of 500 °C is not possible here: enter a number from -273.15 to "
        "200 °C. Remove this filter",
        "Runs for at least (days) : A duration of -3 days is not possible here: enter a number from 0 to 36,500 days. "
        "Remove this filter",
    ]
    # The filters that could be used still apply, and show as chips.
    assert [chip.get_text(strip=True) for chip in page.select(".chip-label")] == ["Crew time (at most): Low"]
    shown = sorted(title.get_text(strip=True) for title in page.select("[data-results] .card-title"))
    assert shown == names(client, crew_time="low")


def test_number_filters_carry_their_range_for_the_browser(client):
    page = soup(client.get(reverse("partners:catalogue")))

    attributes = {
        name: {key: page.select_one(f"#id_{name}")[key] for key in ("min", "max", "step")}
        for name in ("holds_c", "min_days", "min_units")
    }
    assert attributes == {
        "holds_c": {"min": "-273.15", "max": "200", "step": "any"},
        "min_days": {"min": "0", "max": "36500", "step": "any"},
        "min_units": {"min": "1", "max": "100000", "step": "1"},
    }
