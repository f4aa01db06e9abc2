"""API tokens: made by the command (secret printed once, only its hash kept), used as Bearer, rate-limited,
revocable; a researcher's proposals through the API, with everything outside the token's reach a 404."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from leoportal.api_tokens import create_token, revoke_token
from leoportal.models import ApiToken
from partners.enums import MembershipRole
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.projects.factories import ProposalFactory

pytestmark = pytest.mark.django_db

PROPOSALS = "/api/v1/proposals"


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_the_command_prints_a_secret_that_is_kept_only_as_a_hash(researcher):
    out = StringIO()

    call_command("create_api_token", researcher.email, "--scope", "write", "--name", "Lab notebook", stdout=out)

    secret = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert secret.startswith("leo_")
    assert len(secret) == 47
    assert (token.name, token.scope, token.user, token.organisation) == ("Lab notebook", "write", researcher, None)
    assert secret not in repr(list(ApiToken.objects.values_list()))
    assert token.prefix == secret[:10]


def test_an_organisation_token_needs_a_member(provider_user, provider_user2):
    organisation = OrganisationFactory(slug="quiet-orbit", name="Quiet Orbit")
    MembershipFactory(organisation=organisation, user=provider_user, role=MembershipRole.ADMIN)

    call_command("create_api_token", provider_user.email, "--organisation", "quiet-orbit", stdout=StringIO())
    with pytest.raises(CommandError) as refused:
        call_command("create_api_token", provider_user2.email, "--organisation", "quiet-orbit", stdout=StringIO())

    assert str(refused.value) == (
        "provider2@example.org is not a member of Quiet Orbit: only its members make its tokens."
    )
    assert ApiToken.objects.get().organisation == organisation


def test_a_researcher_reads_their_proposals_and_another_teams_is_404(client, researcher, researcher2):
    mine = ProposalFactory(owner=researcher, title="Mine")
    theirs = ProposalFactory(owner=researcher2, title="Theirs")
    _token, secret = create_token(researcher, name="Script")

    listed = client.get(PROPOSALS, **bearer(secret))
    assert [item["title"] for item in listed.json()] == ["Mine"]
    assert client.get(f"{PROPOSALS}/{mine.public_id}", **bearer(secret)).json()["title"] == "Mine"
    assert client.get(f"{PROPOSALS}/{theirs.public_id}", **bearer(secret)).status_code == 404


def test_an_organisation_token_reaches_no_proposal(client, provider_user, researcher):
    organisation = OrganisationFactory()
    MembershipFactory(organisation=organisation, user=provider_user)
    proposal = ProposalFactory(owner=researcher)
    _token, secret = create_token(provider_user, name="Sync", organisation=organisation)

    assert client.get(PROPOSALS, **bearer(secret)).json() == []
    assert client.get(f"{PROPOSALS}/{proposal.public_id}", **bearer(secret)).status_code == 404


def test_no_token_a_wrong_one_or_a_revoked_one_is_401(client, researcher):
    token, secret = create_token(researcher, name="Script")

    assert client.get(PROPOSALS).status_code == 401
    assert client.get(PROPOSALS, **bearer(secret + "x")).status_code == 401
    revoke_token(token)
    assert client.get(PROPOSALS, **bearer(secret)).status_code == 401


def test_a_token_records_its_last_use(client, researcher):
    token, secret = create_token(researcher, name="Script")

    client.get(PROPOSALS, **bearer(secret))

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_requests_past_the_limit_are_429_with_retry_after(client, researcher, settings):
    settings.API_REQUESTS_PER_MINUTE = 3
    _token, secret = create_token(researcher, name="Script")
    _other, other_secret = create_token(researcher, name="Other")

    answers = [client.get(PROPOSALS, **bearer(secret)).status_code for _ in range(4)]
    refused = client.get(PROPOSALS, **bearer(secret))

    assert answers == [200, 200, 200, 429]
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert client.get(PROPOSALS, **bearer(other_secret)).status_code == 200  # the limit is per token
