"""The API's lists read a fixed number of queries whatever the number of rows (two sizes each)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leoportal.domain.api_tokens import create_token
from partners.enums import MembershipRole
from projects.enums import ProposalStatus
from tests.partners.factories import (
    AvailabilityWindowFactory,
    CapabilityFactory,
    MembershipFactory,
    OrganisationFactory,
)
from tests.projects.factories import CoInvestigatorFactory, IntroductionFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def queries_for(client, url, secret) -> tuple[int, int]:
    """(queries, results) of one request (after one that notes the token's use, a write made once a minute)."""
    client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    found = response.json()
    return len(queries), len(found if isinstance(found, list) else found["results"])


@pytest.fixture
def orbital(provider_user):
    organisation = OrganisationFactory(name="Orbital Labs")
    MembershipFactory(organisation=organisation, user=provider_user, role=MembershipRole.ADMIN)
    return organisation


def test_an_organisations_listings_in_a_fixed_number_of_queries(client, provider_user, orbital):
    secret = create_token(provider_user, name="Sync", organisation=orbital)[1]
    counts = []
    for add in (2, 4):
        for _ in range(add):
            listing = CapabilityFactory(organisation=orbital, availability_stated=True)
            AvailabilityWindowFactory(capability=listing, start=date(2027, 3, 1), end=date(2027, 6, 30))
        counts.append(queries_for(client, "/api/v1/organisation/listings", secret))

    assert [results for _queries, results in counts] == [2, 6]
    assert counts[0][0] == counts[1][0]


def test_introductions_in_a_fixed_number_of_queries(client, provider_user, orbital):
    secret = create_token(provider_user, name="CRM", organisation=orbital)[1]
    counts = []
    for add in (2, 4):
        for _ in range(add):
            IntroductionFactory(organisation=orbital, capability=CapabilityFactory(organisation=orbital))
        counts.append(queries_for(client, "/api/v1/introductions", secret))

    assert [results for _queries, results in counts] == [2, 6]
    assert counts[0][0] == counts[1][0]


def test_proposals_in_a_fixed_number_of_queries(client, researcher):
    secret = create_token(researcher, name="Notebook")[1]
    counts = []
    for add in (2, 4):
        for _ in range(add):
            proposal = ProposalFactory(owner=researcher, complete=True, status=ProposalStatus.SUBMITTED)
            CoInvestigatorFactory(proposal=proposal)
        counts.append(queries_for(client, "/api/v1/proposals", secret))

    assert [results for _queries, results in counts] == [2, 6]
    assert counts[0][0] == counts[1][0]
