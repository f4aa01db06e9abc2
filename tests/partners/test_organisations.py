import pytest
from django.core import mail
from django.urls import reverse

from leoportal.enums import NotificationKind
from leoportal.models import Notification
from partners.enums import MembershipRole
from partners.models import Membership, Organisation
from tests.partners.factories import CapabilityFactory, MembershipFactory, OrganisationFactory
from tests.utils import soup

pytestmark = pytest.mark.django_db

PROFILE = {
    "name": "Orbital Biofab",
    "website": "https://orbital-biofab.example",
    "description": "Bioprinting payloads.",
    "contact_email": "hello@orbital-biofab.example",
    "country": "United States",
}


def test_dashboard_of_a_provider_without_organisation_offers_to_create_one(provider_client):
    response = provider_client.get(reverse("partners:dashboard"))

    page = soup(response)
    assert response.status_code == 200
    assert page.select_one("[data-empty] h2").get_text(strip=True) == "Start by registering your organisation"
    assert page.select_one("[data-empty] a")["href"] == reverse("partners:organisation_create")


def test_creating_an_organisation_makes_the_creator_admin_and_leaves_it_unverified(
    provider_client, provider_user, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = provider_client.post(reverse("partners:organisation_create"), PROFILE)

    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("partners:organisation", kwargs={"slug": "orbital-biofab"})
    assert (organisation.name, organisation.slug, organisation.verified, organisation.verified_at) == (
        "Orbital Biofab",
        "orbital-biofab",
        False,
        None,
    )
    assert list(Membership.objects.values_list("user__email", "role")) == [(provider_user.email, "admin")]


def test_creating_an_organisation_notifies_active_staff_once(
    provider_client, staff, django_capture_on_commit_callbacks, django_user_model
):
    from tests.factories import StaffFactory

    StaffFactory(email="former-staff@example.org", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        provider_client.post(reverse("partners:organisation_create"), PROFILE)

    organisation = Organisation.objects.get()
    notifications = list(Notification.objects.values_list("recipient__email", "kind", "url"))
    assert notifications == [
        (
            "staff@example.org",
            NotificationKind.ORGANISATION_TO_VERIFY,
            reverse("admin:partners_organisation_change", args=[organisation.pk]),
        )
    ]
    assert [message.to for message in mail.outbox] == [["staff@example.org"]]
    assert mail.outbox[0].subject == "[LEO Portal] New provider organisation to verify: Orbital Biofab"


def test_organisation_page_says_pending_verification(provider_client):
    provider_client.post(reverse("partners:organisation_create"), PROFILE)

    page = soup(provider_client.get(reverse("partners:organisation", kwargs={"slug": "orbital-biofab"})))

    assert page.select_one("[data-verification]")["data-verification"] == "pending"


def test_organisation_name_taken_in_another_case_is_refused_with_advice(provider_client):
    OrganisationFactory(name="Orbital BIOFAB")

    response = provider_client.post(reverse("partners:organisation_create"), PROFILE)

    page = soup(response)
    assert response.status_code == 200
    assert page.select_one("#error_1_id_name").get_text(strip=True) == (
        "A verified organisation is already listed under this name. If you work there, ask one of its "
        "administrators to invite you."
    )
    assert page.select_one("#id_description").get_text(strip=True) == "Bioprinting payloads."
    assert Organisation.objects.count() == 1


def test_a_second_organisation_gets_its_own_slug(provider_client, provider_user):
    OrganisationFactory(name="Orbital-Biofab", slug="orbital-biofab")

    provider_client.post(reverse("partners:organisation_create"), {**PROFILE, "name": "Orbital Biofab Labs"})
    provider_client.post(reverse("partners:organisation_create"), {**PROFILE, "name": "Orbital Biofab!"})

    assert sorted(Organisation.objects.for_member(provider_user).values_list("slug", flat=True)) == [
        "orbital-biofab-2",
        "orbital-biofab-labs",
    ]


@pytest.mark.parametrize("who", ["researcher", "outsider"])
def test_only_providers_reach_the_provider_pages(client, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("partners:dashboard")).status_code == 404
    assert client.get(reverse("partners:organisation_create")).status_code == 404
    assert client.post(reverse("partners:organisation_create"), PROFILE).status_code == 404
    assert Organisation.objects.count() == 0


def test_staff_are_sent_to_the_admin_from_the_provider_dashboard(client, staff):
    client.force_login(staff)

    response = client.get(reverse("partners:dashboard"))

    assert (response.status_code, response["Location"]) == (302, reverse("admin:index"))


def test_anonymous_is_asked_to_sign_in_for_the_dashboard(client):
    response = client.get(reverse("partners:dashboard"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={reverse('partners:dashboard')}"


def test_dashboard_lists_organisations_with_listing_counts(provider_client, provider_user, redwire):
    second = OrganisationFactory(name="Another Org", verified=False)
    MembershipFactory(organisation=second, user=provider_user, role=MembershipRole.MEMBER)
    CapabilityFactory(organisation=redwire, name="BFF")
    CapabilityFactory(organisation=redwire, name="ADSEP", publication="draft", published_at=None)
    CapabilityFactory(organisation=second, name="Locker")
    CapabilityFactory(name="Not mine")

    page = soup(provider_client.get(reverse("partners:dashboard")))

    rows = [
        [cell.get_text(strip=True) for cell in row.select("td")] for row in page.select("[data-organisations] tbody tr")
    ]
    assert rows == [
        ["Another Org", "Member", "Pending verification", "1", "0"],
        ["Redwire Space", "Administrator", "Verified", "1", "1"],
    ]
    assert [row["data-listing"] for row in page.select("[data-listings] tbody tr")] == [
        CapabilityFactory._meta.model.objects.get(name="Locker").external_id,
        CapabilityFactory._meta.model.objects.get(name="ADSEP").external_id,
        CapabilityFactory._meta.model.objects.get(name="BFF").external_id,
    ]


@pytest.mark.parametrize("page", ["dashboard", "organisation"])
def test_the_tables_of_listings_read_only_the_columns_they_show(provider_client, redwire, page):
    CapabilityFactory(organisation=redwire, name="ADSEP", description="Long prose about the facility. " * 50)
    url = reverse("partners:dashboard") if page == "dashboard" else redwire.get_manage_url()

    response = provider_client.get(url)

    (listing,) = response.context["listings"]
    # A listing's descriptions, facts and sources are most of its row; the table shows none of them.
    assert {"description", "search_terms", "sources", "cold_stowage_c"} <= listing.get_deferred_fields()
    assert {"name", "external_id", "status", "publication"}.isdisjoint(listing.get_deferred_fields())
    assert "Long prose" not in response.content.decode()
    assert soup(response).select_one("[data-listings] [data-publication]")["data-publication"] == "published"


def test_dashboard_query_count_does_not_grow_with_organisations(client, provider_user, django_assert_num_queries):
    client.force_login(provider_user)

    def measure(count):
        for _ in range(count):
            organisation = OrganisationFactory()
            MembershipFactory(organisation=organisation, user=provider_user)
            CapabilityFactory(organisation=organisation)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.get(reverse("notifications"))  # the session and the menu's unread count kept, as in any running process
        with CaptureQueriesContext(connection) as queries:  # a fresh rendering: the rows have changed
            assert client.get(reverse("partners:dashboard")).status_code == 200
        return len(queries)

    assert measure(2) == measure(20)


def test_admin_edits_the_profile(provider_client, redwire):
    response = provider_client.post(
        reverse("partners:organisation_edit", kwargs={"slug": "redwire-space"}),
        {**PROFILE, "name": "Redwire Space", "country": "USA"},
    )

    redwire.refresh_from_db()
    assert response.status_code == 302
    # Redwire is verified: its new website waits for program staff (tests/security/test_organisation_names.py).
    assert (redwire.country, redwire.website, redwire.slug) == ("USA", "", "redwire-space")
    assert redwire.requested_changes == {"website": PROFILE["website"]}


def test_a_plain_member_cannot_edit_the_profile(client, outsider, redwire, provider_user2):
    MembershipFactory(organisation=redwire, user=provider_user2, role=MembershipRole.MEMBER)
    client.force_login(provider_user2)

    assert client.get(reverse("partners:organisation_edit", kwargs={"slug": "redwire-space"})).status_code == 404
    response = client.post(
        reverse("partners:organisation_edit", kwargs={"slug": "redwire-space"}), {**PROFILE, "name": "Hijacked"}
    )
    assert response.status_code == 404
    redwire.refresh_from_db()
    assert redwire.name == "Redwire Space"


def test_organisation_page_query_count_does_not_grow_with_listings_members_and_invitations(provider_client, redwire):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.partners.factories import InvitationFactory

    def measure():
        provider_client.get(redwire.get_manage_url())  # warm, as in any running process
        with CaptureQueriesContext(connection) as queries:
            assert provider_client.get(redwire.get_manage_url()).status_code == 200
        return len(queries)

    def add(count):
        for _ in range(count):
            CapabilityFactory(organisation=redwire)
            MembershipFactory(organisation=redwire)
            InvitationFactory(organisation=redwire)

    add(2)
    few = measure()
    add(20)

    assert measure() == few
