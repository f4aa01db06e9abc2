"""API tokens: made by the command (secret printed once, only its hash kept), used as Bearer, rate-limited,
revocable; a researcher's proposals through the API, with everything outside the token's reach a 404."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from leoportal.domain.api_tokens import create_token, revoke_token
from leoportal.models import ApiToken
from partners.enums import MembershipRole
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.projects.factories import ProposalFactory
from tests.utils import soup

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


def test_an_organisation_token_needs_an_administrator(provider_user, provider_user2):
    organisation = OrganisationFactory(slug="quiet-orbit", name="Quiet Orbit")
    MembershipFactory(organisation=organisation, user=provider_user, role=MembershipRole.ADMIN)
    MembershipFactory(organisation=organisation, user=provider_user2, role=MembershipRole.MEMBER)

    call_command("create_api_token", provider_user.email, "--organisation", "quiet-orbit", stdout=StringIO())
    with pytest.raises(CommandError) as refused:
        call_command("create_api_token", provider_user2.email, "--organisation", "quiet-orbit", stdout=StringIO())

    assert str(refused.value) == (
        "provider2@example.org is not an administrator of Quiet Orbit: only its administrators make its tokens."
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
    MembershipFactory(organisation=organisation, user=provider_user, role=MembershipRole.ADMIN)
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


# --- The account's page ----------------------------------------------------------------------------------------


def test_a_token_made_on_the_account_page_is_shown_once(client, researcher):
    client.force_login(researcher)

    made = soup(client.post(reverse("api_tokens"), {"name": "Notebook", "scope": "read", "organisation": ""}))
    secret = made.select_one("[data-secret] code").get_text()
    again = soup(client.get(reverse("api_tokens")))

    assert ApiToken.objects.get().key_hash != secret
    assert again.select_one("[data-secret]") is None
    assert secret not in str(again)
    assert client.get(PROPOSALS, **bearer(secret)).status_code == 200


def test_a_token_without_a_name_is_refused_and_only_its_holder_revokes_it(client, researcher, researcher2):
    token, secret = create_token(researcher, name="Script")
    client.force_login(researcher)
    assert client.post(reverse("api_tokens"), {"name": "", "scope": "read"}).status_code == 400

    client.force_login(researcher2)
    assert client.post(reverse("api_token_revoke", args=[token.public_id])).status_code == 404
    client.force_login(researcher)
    client.post(reverse("api_token_revoke", args=[token.public_id]))
    assert client.get(PROPOSALS, **bearer(secret)).status_code == 401


# --- An organisation's tokens, from its page -------------------------------------------------------------------


@pytest.fixture
def quiet_orbit(provider_user, provider_user2):
    organisation = OrganisationFactory(slug="quiet-orbit", name="Quiet Orbit")
    MembershipFactory(organisation=organisation, user=provider_user, role=MembershipRole.ADMIN)
    MembershipFactory(organisation=organisation, user=provider_user2, role=MembershipRole.MEMBER)
    return organisation


def test_an_administrator_makes_an_organisation_token_from_its_page(client, provider_user, quiet_orbit):
    client.force_login(provider_user)
    page = soup(client.get(reverse("partners:organisation", args=["quiet-orbit"])))
    form = page.select_one("[data-organisation-api-tokens] form[data-token-form]")

    made = soup(client.post(form["action"], {"name": "Listing sync", "scope": "write"}))
    secret = made.select_one("[data-secret] code").get_text()
    again = soup(client.get(reverse("partners:organisation", args=["quiet-orbit"])))

    token = ApiToken.objects.get()
    assert (token.organisation, token.user, token.scope, token.name) == (
        quiet_orbit,
        provider_user,
        "write",
        "Listing sync",
    )
    assert again.select_one("[data-secret]") is None
    assert secret not in str(again)
    listed = again.select_one("[data-organisation-api-tokens] [data-token=live]").get_text(" ", strip=True)
    assert "Made by" in listed and "never used" in listed
    assert client.get("/api/v1/organisation/listings", **bearer(secret)).status_code == 200


def test_a_member_who_is_no_administrator_sees_and_makes_no_organisation_token(client, provider_user2, quiet_orbit):
    client.force_login(provider_user2)

    page = soup(client.get(reverse("partners:organisation", args=["quiet-orbit"])))
    made = client.post(reverse("organisation_api_tokens", args=["quiet-orbit"]), {"name": "Mine", "scope": "write"})
    account = soup(client.get(reverse("api_tokens")))

    assert page.select_one("[data-organisation-api-tokens]") is None
    assert made.status_code == 404
    assert [option["value"] for option in account.select("#id_organisation option")] == [""]
    assert ApiToken.objects.count() == 0


def test_another_administrator_revokes_an_organisation_token(client, provider_user, provider_user2, quiet_orbit):
    token, secret = create_token(provider_user, name="Sync", organisation=quiet_orbit)
    quiet_orbit.memberships.filter(user=provider_user2).update(role=MembershipRole.ADMIN)
    client.force_login(provider_user2)

    response = client.post(reverse("organisation_api_token_revoke", args=["quiet-orbit", token.public_id]))

    token.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == "/provider/organisations/quiet-orbit/#api-tokens"
    assert token.revoked_at is not None
    assert client.get("/api/v1/organisation/listings", **bearer(secret)).status_code == 401


def test_an_organisation_token_without_a_name_is_refused_on_its_page(client, provider_user, quiet_orbit):
    client.force_login(provider_user)

    response = client.post(reverse("organisation_api_tokens", args=["quiet-orbit"]), {"name": " ", "scope": "write"})

    assert response.status_code == 400
    assert soup(response).select_one("#error_1_id_name").get_text(strip=True) == "This field is required."
    assert ApiToken.objects.count() == 0
