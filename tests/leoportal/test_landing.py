"""The landing page shows the product: what it does for each user, the live catalogue, a real match explained,
and the way in for each role."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.domain.queries import public_category_counts
from projects.domain.suggestions import landing_example
from projects.matching.explain import group_checks
from tests.partners.factories import CapabilityFactory, OrganisationFactory, adsep_listing
from tests.projects.factories import CallFactory
from tests.utils import soup

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    redwire = OrganisationFactory(name="Redwire Space")
    adsep_listing(redwire, research_areas=["organoids"], capacity_units=48, crew_time="none")
    CapabilityFactory(
        organisation=OrganisationFactory(name="Space Tango"),
        name="CubeLab locker",
        categories=["cell_culture_bioreactor", "sample_return"],
        temperature_min_c=20,
        temperature_max_c=30,
    )
    CapabilityFactory(organisation=redwire, name="Freezer", categories=["cold_stowage_freezer"])
    CapabilityFactory(organisation=redwire, name="Unpublished", publication="draft")


def test_the_example_is_the_best_public_match_with_its_checks_grouped(catalogue):
    example = landing_example()

    assert (example.name, example.provider, example.fit, example.compared) == (
        "ADSEP",
        "Redwire Space",
        "to_confirm",
        3,
    )
    assert example.summary == "Meets 7 of 8 needs · 1 to confirm with the provider"
    assert [(key, [check["detail"] for check in checks]) for key, _, checks in group_checks(example.criteria)] == [
        (
            "fits",
            [
                "offers cell culture / bioreactor, all you need",
                "needs 36.5-37.5 C; holds 4-40 C",
                "needs CO2 control; provides it",
                "needs 24 units; holds 48",
                "you accept up to low crew time; it needs no crew time",
                "needs samples back; returns samples",
                "needs return at 4 C; holds 4-40 C",
            ],
        ),
        ("to_confirm", ["provider has not stated a maximum duration; you need 14 days"]),
        ("about", ["operational", "serves organoids", "operational; provider has not stated when it first flew"]),
    ]


def test_categories_are_counted_over_published_listings(catalogue):
    assert public_category_counts() == [
        ("cell_culture_bioreactor", "Cell culture / bioreactor", 2),
        ("sample_return", "Sample return", 1),
        ("cold_stowage_freezer", "Cold stowage / freezer", 1),
    ]


def test_the_landing_page_shows_the_catalogue_and_the_example(client, catalogue):
    CallFactory()

    page = soup(client.get(reverse("home")))

    figures = {dd["data-count"]: dd.get_text(strip=True) for dd in page.select("[data-count]")}
    assert figures == {"open_calls": "1", "published_capabilities": "3", "providers": "2"}
    assert [a.get_text(" ", strip=True) for a in page.select("[data-categories] a")] == [
        "Cell culture / bioreactor 2",
        "Sample return 1",
        "Cold stowage / freezer 1",
    ]
    match = page.select_one("[data-example-match]")
    assert match.select_one(".match-name").get_text(strip=True) == "ADSEP"
    assert match.select_one("[data-match-summary]").get_text(strip=True) == (
        "Meets 7 of 8 needs · 1 to confirm with the provider"
    )
    assert [h.get_text(strip=True) for h in match.select(".match-group h4")] == [
        "Fits(7)",
        "To confirm with the provider(1)",
        "About this facility(3)",
    ]


@pytest.mark.parametrize(
    ("who", "ways_in"),
    [
        (
            None,
            [
                ("researcher", ["Sign up as a researcher", "Browse open calls"]),
                ("provider", ["Sign up as a provider", "See the catalogue"]),
                ("staff", ["Sign in with your staff account"]),
            ],
        ),
        (
            "researcher",
            [
                ("researcher", ["My proposals", "Browse open calls"]),
                ("provider", ["See the catalogue"]),
                ("staff", []),
            ],
        ),
        (
            "staff",
            [
                ("researcher", ["Browse open calls"]),
                ("provider", ["See the catalogue"]),
                ("staff", ["Open the review desk"]),
            ],
        ),
    ],
)
def test_each_role_has_its_way_in(client, request, who, ways_in):
    if who:
        client.force_login(request.getfixturevalue(who))

    page = soup(client.get(reverse("home")))

    assert [
        (card["data-role"], [a.get_text(strip=True) for a in card.select(".role-way-in a")])
        for card in page.select("[data-role]")
    ] == ways_in


def test_without_listings_the_example_says_when_it_appears(client):
    page = soup(client.get(reverse("home")))

    assert page.select("[data-example]") == []
    assert page.select_one("#how-matching-works .empty-state p").get_text(strip=True) == (
        "The example appears here as soon as a provider publishes a listing."
    )


def test_the_landing_page_takes_a_few_queries_once_the_example_is_cached(client, researcher, catalogue):
    client.force_login(researcher)  # signed in: the page is rendered each time (leoportal.domain.page_cache)
    client.get(reverse("home"))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))

    assert response.status_code == 200
    # The user and the open calls (their unread count is kept); the catalogue's fingerprint (listings, flight
    # precedents) that keys the cached figures and example is remembered (domain.public_pages). Counting listings,
    # providers and categories again cost three more.
    assert len(queries) == 2


def test_the_landing_page_counts_a_newly_published_listing_at_once(client, catalogue):
    client.get(reverse("home"))  # the figures cached

    CapabilityFactory(organisation=OrganisationFactory(name="Nanoracks"), categories=["cold_stowage_freezer"])
    page = soup(client.get(reverse("home")))

    assert page.select_one('[data-count="published_capabilities"]').get_text() == "4"
    assert page.select_one('[data-count="providers"]').get_text() == "3"
