"""An organisation's listings through the API: listed with drafts, created, replaced, published, deleted with a
write token of that organisation, checked as the importer checks a file (every problem at its JSON path); the
catalogue's pages link each other."""

import pytest

from leoportal.domain.api_tokens import create_token
from partners.enums import MembershipRole, PublicationState
from partners.models import Capability
from tests.partners.factories import CapabilityFactory, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

LISTINGS = "/api/v1/organisation/listings"
ENTRY = {
    "id": "cell-locker-2",
    "name": "Cell locker 2",
    "categories": ["cell_culture_bioreactor"],
    "temperature_c": {"min": 4, "max": 40},
    "sample_return": True,
    "availability": [{"start": "2027-03-01", "end": "2027-06-30"}],
}


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def orbital(provider_user):
    organisation = OrganisationFactory(name="Orbital Labs", slug="orbital-labs")
    MembershipFactory(organisation=organisation, user=provider_user, role=MembershipRole.ADMIN)
    return organisation


def secret_of(user, organisation, scope="write"):
    return create_token(user, name="Sync", scope=scope, organisation=organisation)[1]


def send(client, method, url, secret, body=None):
    return getattr(client, method)(url, body, content_type="application/json", **bearer(secret))


def test_an_organisation_token_lists_its_listings_drafts_too(client, provider_user, orbital):
    CapabilityFactory(organisation=orbital, name="Published locker")
    CapabilityFactory(organisation=orbital, name="Draft printer", publication=PublicationState.DRAFT)
    CapabilityFactory(name="Someone else's")

    found = client.get(LISTINGS, **bearer(secret_of(provider_user, orbital, "read"))).json()

    assert found["count"] == 2
    assert [(item["listing"]["name"], item["published"]) for item in found["results"]] == [
        ("Draft printer", False),
        ("Published locker", True),
    ]


def test_a_write_token_creates_a_draft_listing_as_the_importer_would(client, provider_user, orbital):
    response = send(client, "post", LISTINGS, secret_of(provider_user, orbital), ENTRY)

    capability = Capability.objects.get()
    assert response.status_code == 201
    assert response.json()["id"] == str(capability.public_id)
    assert response.json()["published"] is False
    assert (capability.organisation, capability.external_id, capability.temperature_max_c) == (
        orbital,
        "cell-locker-2",
        40,
    )
    assert [(w.start.isoformat(), w.end.isoformat()) for w in capability.windows()] == [("2027-03-01", "2027-06-30")]


def test_every_problem_of_a_listing_is_named_at_its_json_path(client, provider_user, orbital):
    entry = {
        **ENTRY,
        "temperature_c": {"min": 50, "max": 4},
        "availability": [{"start": "2027-06-30", "end": "2027-03-01"}],
        "provider": "Stellar Bio",
    }

    response = send(client, "post", LISTINGS, secret_of(provider_user, orbital), entry)

    assert response.status_code == 422
    assert response.json() == {
        "detail": "The listing was not saved: fix the 3 problems below and send it again.",
        "problems": [
            {
                "path": "$.provider",
                "message": "this upload can only change listings of Orbital Labs; the entry names 'Stellar Bio'",
            },
            {"path": "$.temperature_c.min", "message": "min (50 °C) is greater than max (4 °C)"},
            {"path": "$.availability[0]", "message": "the window ends (2027-03-01) before it starts (2027-06-30)"},
        ],
    }
    assert Capability.objects.count() == 0


def test_schema_problems_carry_their_paths_too(client, provider_user, orbital):
    entry = {**ENTRY, "categories": ["warp_drive"], "capacity_units": "many"}

    response = send(client, "post", LISTINGS, secret_of(provider_user, orbital), entry)

    assert response.status_code == 422
    assert sorted(problem["path"] for problem in response.json()["problems"]) == [
        "$.capacity_units",
        "$.categories[0]",
    ]


def test_an_id_already_used_is_refused_at_its_path(client, provider_user, orbital):
    existing = CapabilityFactory(organisation=orbital, external_id="cell-locker-2")

    response = send(client, "post", LISTINGS, secret_of(provider_user, orbital), ENTRY)

    assert response.status_code == 422
    assert response.json()["problems"] == [
        {
            "path": "$.id",
            "message": f"'cell-locker-2' is the id of a listing of Orbital Labs already ({existing.public_id}); "
            "change that one with PUT, or choose another id",
        }
    ]


def test_a_put_states_the_listing_whole_and_keeps_its_publication(client, provider_user, orbital):
    capability = CapabilityFactory(organisation=orbital, external_id="old-id", power_w=120)
    secret = secret_of(provider_user, orbital)

    response = send(client, "put", f"{LISTINGS}/{capability.public_id}", secret, ENTRY)

    capability.refresh_from_db()
    assert response.status_code == 200
    assert (capability.external_id, capability.name, capability.power_w, capability.is_published) == (
        "cell-locker-2",
        "Cell locker 2",
        None,  # left out of the entry: not stated
        True,
    )


def test_publish_unpublish_and_delete(client, provider_user, orbital):
    capability = CapabilityFactory(organisation=orbital, publication=PublicationState.DRAFT)
    secret = secret_of(provider_user, orbital)
    url = f"{LISTINGS}/{capability.public_id}"

    published = send(client, "post", f"{url}/publish", secret).json()["published"]
    in_catalogue = client.get(f"/api/v1/catalogue/listings/{capability.public_id}").status_code
    unpublished = send(client, "post", f"{url}/unpublish", secret).json()["published"]
    deleted = send(client, "delete", url, secret).status_code

    assert (published, in_catalogue, unpublished, deleted) == (True, 200, False, 204)
    assert Capability.objects.filter(pk=capability.pk).exists() is False


def test_a_read_token_reads_but_changes_nothing(client, provider_user, orbital):
    capability = CapabilityFactory(organisation=orbital, name="Draft printer", publication=PublicationState.DRAFT)
    secret = secret_of(provider_user, orbital, "read")
    url = f"{LISTINGS}/{capability.public_id}"

    answers = [
        client.get(url, **bearer(secret)).status_code,
        send(client, "post", LISTINGS, secret, ENTRY).status_code,
        send(client, "put", url, secret, ENTRY).status_code,
        send(client, "post", f"{url}/publish", secret).status_code,
        send(client, "delete", url, secret).status_code,
    ]

    assert answers == [200, 403, 403, 403, 403]
    assert send(client, "delete", url, secret).json() == {
        "detail": "This token only reads: make a token with the write scope to change anything."
    }
    capability.refresh_from_db()
    assert (capability.name, capability.is_published) == ("Draft printer", False)
    assert Capability.objects.count() == 1


def test_another_organisations_listing_is_404_and_untouched(client, provider_user, provider_user2, orbital):
    stellar = OrganisationFactory(name="Stellar Bio")
    MembershipFactory(organisation=stellar, user=provider_user2, role=MembershipRole.ADMIN)
    theirs = CapabilityFactory(organisation=stellar, name="Stellar incubator")
    secret = secret_of(provider_user, orbital)
    url = f"{LISTINGS}/{theirs.public_id}"

    answers = [
        client.get(url, **bearer(secret)).status_code,
        send(client, "put", url, secret, ENTRY).status_code,
        send(client, "post", f"{url}/unpublish", secret).status_code,
        send(client, "delete", url, secret).status_code,
    ]

    theirs.refresh_from_db()
    assert answers == [404, 404, 404, 404]
    assert (theirs.name, theirs.is_published) == ("Stellar incubator", True)


def test_a_personal_token_is_told_it_needs_the_organisations(client, provider_user, orbital):
    _token, secret = create_token(provider_user, name="Mine", scope="write")

    response = send(client, "post", LISTINGS, secret, ENTRY)

    assert response.status_code == 403
    assert response.json()["detail"] == (
        "This needs a token of the organisation (made on its page), not a personal token."
    )
    assert client.get(LISTINGS, **bearer(secret)).json()["count"] == 0


def test_a_body_that_is_no_object_is_refused_in_the_same_shape(client, provider_user, orbital):
    response = client.post(
        LISTINGS, "[1, 2]", content_type="application/json", **bearer(secret_of(provider_user, orbital))
    )

    assert response.status_code == 422
    assert response.json()["detail"] == "The request could not be read: fix what is below."
    assert [problem["field"] for problem in response.json()["problems"]] == ["$"]


def test_a_token_stops_when_its_holder_stops_administering(client, provider_user, orbital):
    secret = secret_of(provider_user, orbital, "read")
    before = client.get(LISTINGS, **bearer(secret)).status_code

    orbital.memberships.filter(user=provider_user).update(role=MembershipRole.MEMBER)

    assert (before, client.get(LISTINGS, **bearer(secret)).status_code) == (200, 401)


# --- The catalogue's pages -------------------------------------------------------------------------------------


def test_catalogue_pages_count_and_link_each_other(client, settings):
    settings.CATALOGUE_PAGE_SIZE = 2
    for number in range(5):
        CapabilityFactory(name=f"Bioreactor {number}")

    first = client.get("/api/v1/catalogue/listings", {"q": "bioreactor"}).json()
    second = client.get(first["next"]).json()
    last = client.get(second["next"]).json()

    assert (first["count"], first["pages"], first["previous"]) == (5, 3, None)
    assert first["next"] == "http://testserver/api/v1/catalogue/listings?q=bioreactor&page=2"
    assert second["previous"] == "http://testserver/api/v1/catalogue/listings?q=bioreactor&page=1"
    assert (len(last["results"]), last["next"]) == (1, None)
    assert client.get("/api/v1/catalogue/listings", {"page": 4}).json()["problems"] == [
        {"field": "page", "message": "Pages run from 1 to 3."}
    ]


def test_nonsense_catalogue_filters_are_refused_with_a_message(client):
    response = client.get("/api/v1/catalogue/listings", {"category": "warp_drive", "min_days": "soon"})

    assert response.status_code == 422
    assert response.json()["detail"] == "Some filter values cannot be used: fix or remove them."
    assert sorted(problem["field"] for problem in response.json()["problems"]) == ["category", "min_days"]


def test_catalogue_filters_by_research_area_and_platform_as_the_site_does(client):
    CapabilityFactory(name="Kibo organoid rack", platform="ISS Kibo", research_areas=["organoids"])
    CapabilityFactory(name="Free-flyer organoids", platform="Free-flyer capsule", research_areas=["organoids"])
    CapabilityFactory(name="Kibo crystals", platform="ISS Kibo", research_areas=["protein_crystallization"])

    found = client.get("/api/v1/catalogue/listings", {"research_area": "organoids", "platform": "kibo"}).json()
    refused = client.get("/api/v1/catalogue/listings", {"research_area": "alchemy"})

    assert [item["listing"]["name"] for item in found["results"]] == ["Kibo organoid rack"]
    assert (refused.status_code, [problem["field"] for problem in refused.json()["problems"]]) == (
        422,
        ["research_area"],
    )


def test_an_organisation_token_past_its_limit_is_429_with_retry_after(client, provider_user, orbital, settings):
    settings.API_REQUESTS_PER_MINUTE = 2
    secret = secret_of(provider_user, orbital)

    answers = [send(client, "post", LISTINGS, secret, {**ENTRY, "id": f"locker-{n}"}) for n in range(3)]

    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert 1 <= int(answers[2]["Retry-After"]) <= 60
    assert (
        answers[2].json()["detail"] == f"Too many requests with this token: try again in {answers[2]['Retry-After']} s."
    )
    assert Capability.objects.count() == 2
