"""Who may see and do what: members manage their organisation's listings; everyone else gets a 404."""

import pytest
from django.urls import reverse

from partners.enums import MembershipRole
from partners.models import Capability
from tests.partners.factories import CapabilityFactory, MembershipFactory, OrganisationFactory
from tests.partners.test_listings import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(redwire):
    return CapabilityFactory(
        organisation=redwire, name="ADSEP", external_id="adsep", publication="draft", published_at=None
    )


def listing_urls(capability):
    kwargs = {"public_id": capability.public_id}
    return [
        ("get", reverse("partners:listing", kwargs=kwargs)),
        ("get", reverse("partners:listing_edit", kwargs=kwargs)),
        ("post", reverse("partners:listing_edit", kwargs=kwargs)),
        ("post", reverse("partners:listing_publish", kwargs=kwargs)),
        ("post", reverse("partners:listing_unpublish", kwargs=kwargs)),
        ("post", reverse("partners:listing_confirm", kwargs=kwargs)),
        ("get", reverse("partners:listing_delete", kwargs=kwargs)),
        ("post", reverse("partners:listing_delete", kwargs=kwargs)),
    ]


def organisation_urls(organisation):
    kwargs = {"slug": organisation.slug}
    return [
        ("get", reverse("partners:organisation", kwargs=kwargs)),
        ("get", reverse("partners:listing_create", kwargs=kwargs)),
        ("post", reverse("partners:listing_create", kwargs=kwargs)),
        ("get", reverse("partners:export", kwargs=kwargs)),
        ("get", reverse("partners:import_upload", kwargs=kwargs)),
        ("get", reverse("partners:organisation_edit", kwargs=kwargs)),
    ]


@pytest.mark.parametrize("who", ["provider_user2", "researcher", "outsider", "staff"])
def test_nobody_outside_the_organisation_reaches_its_listings_or_pages(client, request, draft, tango, who):
    client.force_login(request.getfixturevalue(who))
    before = list(Capability.objects.values_list("name", "publication", "last_confirmed"))

    statuses = {
        (method, url): getattr(client, method)(
            url, form_data(name="Hijacked") if method == "post" else None
        ).status_code
        for method, url in listing_urls(draft) + organisation_urls(draft.organisation)
    }

    assert set(statuses.values()) == {404}
    assert list(Capability.objects.values_list("name", "publication", "last_confirmed")) == before


def test_anonymous_is_sent_to_sign_in_from_every_provider_page(client, draft):
    for method, url in listing_urls(draft) + organisation_urls(draft.organisation):
        response = getattr(client, method)(url)
        assert (url, response.status_code, response["Location"].split("?")[0]) == (url, 302, reverse("account_login"))
    assert Capability.objects.get().publication == "draft"


def test_a_plain_member_manages_the_organisations_listings(client, redwire, draft, provider_user2):
    MembershipFactory(organisation=redwire, user=provider_user2, role=MembershipRole.MEMBER)
    client.force_login(provider_user2)

    statuses = [getattr(client, method)(url).status_code for method, url in listing_urls(draft)[:2]]
    publish = client.post(reverse("partners:listing_publish", kwargs={"public_id": draft.public_id}))
    create = client.post(reverse("partners:listing_create", kwargs={"slug": redwire.slug}), form_data(name="New one"))

    assert statuses == [200, 200]
    assert (publish.status_code, create.status_code) == (302, 302)
    assert sorted(redwire.capabilities.values_list("name", "publication")) == [
        ("ADSEP", "published"),
        ("New one", "draft"),
    ]


def test_a_member_of_one_organisation_does_not_see_anothers_drafts_anywhere(client, draft, tango, provider_user2):
    client.force_login(provider_user2)

    dashboard = client.get(reverse("partners:dashboard")).content.decode()
    catalogue = client.get(reverse("partners:catalogue")).content.decode()

    assert "ADSEP" not in dashboard
    assert "ADSEP" not in catalogue
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_anonymous_sees_only_published_listings_of_verified_providers(client, redwire):
    CapabilityFactory(organisation=redwire, name="Public one")
    hidden = [
        CapabilityFactory(organisation=redwire, name="Draft one", publication="draft", published_at=None),
        CapabilityFactory(organisation=OrganisationFactory(verified=False), name="Unverified one"),
    ]

    catalogue = client.get(reverse("partners:catalogue")).content.decode()

    assert "Public one" in catalogue
    assert [name for name in ("Draft one", "Unverified one") if name in catalogue] == []
    assert [client.get(c.get_absolute_url()).status_code for c in hidden] == [404, 404]
    assert list(Capability.objects.public().values_list("name", flat=True)) == ["Public one"]


def test_a_listing_becomes_public_only_when_both_published_and_verified(redwire):
    organisation = OrganisationFactory(verified=False)
    capability = CapabilityFactory(organisation=organisation, publication="draft", published_at=None)

    states = []
    for verified, publication in ((False, "draft"), (False, "published"), (True, "draft"), (True, "published")):
        organisation.verified = verified
        organisation.save()
        Capability.objects.filter(pk=capability.pk).update(publication=publication, published_at="2026-01-01T00:00Z")
        states.append(Capability.objects.matchable().filter(pk=capability.pk).exists())

    assert states == [False, False, False, True]


def test_manageable_by_is_scoped_to_the_users_organisations(redwire, tango, provider_user, outsider):
    mine = CapabilityFactory(organisation=redwire)
    CapabilityFactory(organisation=tango)

    assert list(Capability.objects.manageable_by(provider_user)) == [mine]
    assert list(Capability.objects.manageable_by(outsider)) == []


def test_the_predicates(redwire, provider_user, provider_user2, staff):
    from partners.rules import can_manage_capability, is_organisation_admin, is_provider_member

    MembershipFactory(organisation=redwire, user=provider_user2, role=MembershipRole.MEMBER)
    capability = CapabilityFactory(organisation=redwire)

    assert [is_provider_member(u, redwire) for u in (provider_user, provider_user2, staff)] == [True, True, False]
    assert [is_organisation_admin(u, redwire) for u in (provider_user, provider_user2, staff)] == [True, False, False]
    assert [can_manage_capability(u, capability) for u in (provider_user, provider_user2, staff)] == [True, True, False]
    provider_user2.is_active = False
    assert can_manage_capability(provider_user2, capability) is False


def test_state_changing_listing_actions_need_post(provider_client, draft):
    kwargs = {"public_id": draft.public_id}

    statuses = [
        provider_client.get(reverse(f"partners:listing_{action}", kwargs=kwargs)).status_code
        for action in ("publish", "unpublish", "confirm")
    ]

    assert statuses == [405, 405, 405]
