"""Introductions through the API: an organisation's token lists and reads what staff introduced to it, a write token
answers once through the site's domain function (the team is told), and a proposal not introduced stays 404."""

import pytest

from leoportal.domain.api_tokens import create_token
from leoportal.models import Notification
from partners.enums import MembershipRole
from projects.enums import IntroductionAnswer
from tests.partners.factories import CapabilityFactory, MembershipFactory, OrganisationFactory
from tests.projects.factories import IntroductionFactory, MatchFactory

pytestmark = pytest.mark.django_db

INTRODUCTIONS = "/api/v1/introductions"


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def orbital(provider_user):
    organisation = OrganisationFactory(name="Orbital Labs")
    MembershipFactory(organisation=organisation, user=provider_user, role=MembershipRole.ADMIN)
    return organisation


def secret_of(user, organisation, scope="write"):
    return create_token(user, name="CRM", scope=scope, organisation=organisation)[1]


def answer(client, introduction, secret, body):
    return client.post(
        f"{INTRODUCTIONS}/{introduction.public_id}/answer", body, content_type="application/json", **bearer(secret)
    )


def test_an_organisation_reads_what_was_introduced_to_it(client, provider_user, orbital):
    listing = CapabilityFactory(organisation=orbital, name="Cell locker")
    match = MatchFactory(capability=listing)
    introduction = IntroductionFactory(
        proposal=match.proposal, organisation=orbital, capability=listing, facility_name="Cell locker", fit="fits"
    )
    IntroductionFactory(organisation=OrganisationFactory(name="Stellar Bio"))
    secret = secret_of(provider_user, orbital, "read")

    listed = client.get(INTRODUCTIONS, **bearer(secret)).json()
    one = client.get(f"{INTRODUCTIONS}/{introduction.public_id}", **bearer(secret)).json()

    assert (listed["count"], [item["id"] for item in listed["results"]]) == (1, [str(introduction.public_id)])
    assert (one["proposal_title"], one["facility_name"], one["answer"], one["contact"]) == (
        match.proposal.title,
        "Cell locker",
        "",
        None,  # shared once the organisation answers interested
    )
    assert one["flight_requirements"]["temperature_min_c"] == 36.5
    assert "objectives" not in str(one)


def test_a_write_token_answers_once_and_the_team_is_told(client, provider_user, orbital):
    introduction = IntroductionFactory(organisation=orbital)
    secret = secret_of(provider_user, orbital)

    first = answer(client, introduction, secret, {"answer": "interested", "message": "We can fly it in May."})
    second = answer(client, introduction, secret, {"answer": "not_interested"})

    introduction.refresh_from_db()
    assert first.status_code == 200
    assert (introduction.answer, introduction.message, introduction.answered_by) == (
        IntroductionAnswer.INTERESTED,
        "We can fly it in May.",
        provider_user,
    )
    assert first.json()["contact"]["email"] == introduction.proposal.owner.email
    assert Notification.objects.filter(recipient=introduction.proposal.owner).count() == 1
    assert second.status_code == 409
    assert second.json()["detail"].endswith("an introduction is answered once.")


def test_a_nonsense_answer_is_refused_with_what_to_send(client, provider_user, orbital):
    introduction = IntroductionFactory(organisation=orbital)

    response = answer(client, introduction, secret_of(provider_user, orbital), {"answer": "maybe"})

    assert response.status_code == 422
    assert response.json()["problems"] == [
        {"field": "answer", "message": "Select a valid choice. maybe is not one of the available choices."}
    ]


def test_a_read_token_does_not_answer(client, provider_user, orbital):
    introduction = IntroductionFactory(organisation=orbital)

    response = answer(client, introduction, secret_of(provider_user, orbital, "read"), {"answer": "interested"})

    introduction.refresh_from_db()
    assert (response.status_code, introduction.answer) == (403, "")


def test_a_proposal_not_introduced_stays_404(client, provider_user, orbital):
    elsewhere = IntroductionFactory(organisation=OrganisationFactory(name="Stellar Bio"))
    secret = secret_of(provider_user, orbital)

    read = client.get(f"{INTRODUCTIONS}/{elsewhere.public_id}", **bearer(secret))
    answered = answer(client, elsewhere, secret, {"answer": "interested"})

    elsewhere.refresh_from_db()
    assert (read.status_code, answered.status_code, elsewhere.answer) == (404, 404, "")


def test_a_personal_token_reaches_no_introduction(client, provider_user, orbital):
    introduction = IntroductionFactory(organisation=orbital)
    _token, secret = create_token(provider_user, name="Mine", scope="write")

    assert client.get(INTRODUCTIONS, **bearer(secret)).json()["count"] == 0
    assert client.get(f"{INTRODUCTIONS}/{introduction.public_id}", **bearer(secret)).status_code == 404
