import pytest

from partners.enums import MembershipRole
from tests.partners.factories import MembershipFactory, OrganisationFactory


@pytest.fixture
def redwire(provider_user):
    """A verified organisation administered by ``provider_user``."""
    organisation = OrganisationFactory(name="Redwire Space", slug="redwire-space")
    MembershipFactory(organisation=organisation, user=provider_user, role=MembershipRole.ADMIN)
    return organisation


@pytest.fixture
def tango(provider_user2):
    """Another verified organisation, administered by ``provider_user2``."""
    organisation = OrganisationFactory(name="Space Tango", slug="space-tango")
    MembershipFactory(organisation=organisation, user=provider_user2, role=MembershipRole.ADMIN)
    return organisation


@pytest.fixture
def provider_client(client, provider_user):
    client.force_login(provider_user)
    return client
