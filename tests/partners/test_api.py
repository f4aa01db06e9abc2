"""The public API, version 1: the catalogue read through /api/v1/, described by its OpenAPI 3 document."""

import re

import pytest
from django.urls import reverse

from partners.models import Capability
from tests.partners.factories import CapabilityFactory
from tests.partners.test_catalogue import known_set  # noqa: F401 -- the fixture
from tests.utils import soup

pytestmark = pytest.mark.django_db

LISTINGS = "/api/v1/catalogue/listings"


def names(response):
    assert response.status_code == 200
    return sorted(item["listing"]["name"] for item in response.json()["results"])


def test_the_openapi_document_describes_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")

    schema = response.json()
    assert response.status_code == 200
    assert schema["openapi"].startswith("3.")
    assert sorted(schema["paths"]) == [
        "/api/v1/catalogue/listings",
        "/api/v1/catalogue/listings/{listing_id}",
        "/api/v1/introductions",
        "/api/v1/introductions/{introduction_id}",
        "/api/v1/introductions/{introduction_id}/answer",
        "/api/v1/organisation/listings",
        "/api/v1/organisation/listings/{listing_id}",
        "/api/v1/organisation/listings/{listing_id}/publish",
        "/api/v1/organisation/listings/{listing_id}/unpublish",
        "/api/v1/proposals",
        "/api/v1/proposals/{proposal_id}",
        "/api/v1/proposals/{proposal_id}/matches",
    ]


def test_the_docs_page_lists_the_endpoints_without_outside_scripts(client):
    page = soup(client.get(reverse("api_docs")))

    endpoints = [
        (item.select_one(".badge").get_text(), item.select_one("code").get_text())
        for item in page.select("[data-endpoints] li")
    ]
    assert endpoints == [
        ("GET", "/api/v1/catalogue/listings"),
        ("GET", "/api/v1/catalogue/listings/{listing_id}"),
        ("GET", "/api/v1/proposals"),
        ("POST", "/api/v1/proposals"),
        ("GET", "/api/v1/proposals/{proposal_id}"),
        ("PATCH", "/api/v1/proposals/{proposal_id}"),
        ("GET", "/api/v1/proposals/{proposal_id}/matches"),
        ("GET", "/api/v1/organisation/listings"),
        ("POST", "/api/v1/organisation/listings"),
        ("GET", "/api/v1/organisation/listings/{listing_id}"),
        ("PUT", "/api/v1/organisation/listings/{listing_id}"),
        ("DELETE", "/api/v1/organisation/listings/{listing_id}"),
        ("POST", "/api/v1/organisation/listings/{listing_id}/publish"),
        ("POST", "/api/v1/organisation/listings/{listing_id}/unpublish"),
        ("GET", "/api/v1/introductions"),
        ("GET", "/api/v1/introductions/{introduction_id}"),
        ("POST", "/api/v1/introductions/{introduction_id}/answer"),
    ]
    assert [item.strong.get_text() for item in page.select("[data-token-kinds] li")] == [
        "No token",
        "A personal token",
        "An organisation's token",
    ]
    assert page.select_one("[data-openapi]")["href"] == "/api/v1/openapi.json"
    assert [s["src"] for s in page.select("script[src]") if s["src"].startswith("http")] == []


def test_the_api_filters_as_the_site_does(client, known_set):  # noqa: F811
    assert names(client.get(LISTINGS, {"category": "cell_culture_bioreactor", "sample_return": "yes"})) == [
        "Cell Incubator Alpha",
        "Centrifuge Delta",
    ]
    assert names(client.get(LISTINGS, {"q": "Kibo"})) == ["Centrifuge Delta", "Freezer Gamma"]


def test_the_api_shows_public_listings_only_with_unstated_as_null(client, known_set):  # noqa: F811
    body = client.get(LISTINGS).json()

    assert (body["count"], body["page"], body["pages"]) == (5, 1, 1)
    beta = next(item for item in body["results"] if item["listing"]["name"] == "Bioprinter Beta")
    assert (beta["listing"]["sample_return"], beta["listing"]["temperature_c"]) == (None, None)
    assert beta["url"] == "http://testserver" + Capability.objects.get(name="Bioprinter Beta").get_absolute_url()


def test_the_api_pages(client, redwire, settings):
    settings.CATALOGUE_PAGE_SIZE = 2
    for n in range(5):
        CapabilityFactory(organisation=redwire, name=f"Listing {n}")

    second = client.get(LISTINGS, {"page": 2, "sort": "name"}).json()

    assert (second["count"], second["pages"]) == (5, 3)
    assert [item["listing"]["name"] for item in second["results"]] == ["Listing 2", "Listing 3"]
    beyond = client.get(LISTINGS, {"page": 4})
    assert (beyond.status_code, beyond.json()["problems"]) == (
        422,
        [{"field": "page", "message": "Pages run from 1 to 3."}],
    )


def test_nonsense_filter_values_are_refused_naming_each(client, known_set):  # noqa: F811
    response = client.get(LISTINGS, {"category": "teleporter", "holds_c": "9999"})

    assert response.status_code == 422
    assert [problem["field"] for problem in response.json()["problems"]] == ["category", "holds_c"]
    assert response.json()["problems"][0]["message"] == (
        "“teleporter” is not a category the catalogue knows: choose one from the list."
    )


def test_one_listing_and_a_draft_is_404(client, known_set):  # noqa: F811
    alpha, draft = Capability.objects.get(name="Cell Incubator Alpha"), Capability.objects.get(name="Draft Zeta")

    assert client.get(f"{LISTINGS}/{alpha.public_id}").json()["listing"]["name"] == "Cell Incubator Alpha"
    assert client.get(f"{LISTINGS}/{draft.public_id}").status_code == 404
    assert client.get(f"{LISTINGS}/not-a-uuid").status_code in (404, 422)


def test_every_get_of_the_schema_answers_without_a_server_error(client, known_set):  # noqa: F811
    """Driven by the OpenAPI document: each GET with no parameters, each declared parameter with nonsense."""
    schema = client.get("/api/v1/openapi.json").json()
    alpha = Capability.objects.get(name="Cell Incubator Alpha")
    answers = {}
    for path in schema["paths"]:
        url = re.sub(r"\{\w+_id\}", str(alpha.public_id), path)
        for nonsense in ({}, {"page": "-1"}, {"page": "x"}, {"q": "\x00"}, {"sort": "?"}, {"min_units": "1e999"}):
            answers[(path, tuple(nonsense.items()))] = client.get(url, nonsense).status_code

    # 401: the proposals, an organisation's listings and introductions need a token; 405: the answer is only posted
    assert sorted(set(answers.values())) == [200, 401, 405, 422]
