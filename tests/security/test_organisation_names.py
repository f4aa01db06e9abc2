"""What an organisation is called: a verified one cannot rename itself into another, and nobody learns the names of
organisations still waiting for verification by trying to register them."""

import pytest
from django.core import mail
from django.urls import reverse

from leoportal.enums import NotificationKind
from leoportal.models import Notification
from partners.domain import organisations
from partners.enums import MembershipRole
from partners.models import Organisation
from tests.partners.factories import CapabilityFactory, MembershipFactory, OrganisationFactory
from tests.utils import form_data, soup

pytestmark = pytest.mark.django_db


@pytest.fixture
def redwire(provider_user):
    organisation = OrganisationFactory(
        name="Redwire Space",
        slug="redwire-space",
        website="https://redwirespace.com",
        contact_email="bd@redwire.example",
    )
    MembershipFactory(organisation=organisation, user=provider_user, role=MembershipRole.ADMIN)
    organisation.listing = CapabilityFactory(organisation=organisation, name="BioFabrication Facility")
    return organisation


def edit_profile(client, organisation, **changes):
    url = reverse("partners:organisation_edit", args=[organisation.slug])
    data = {**form_data(client.get(url), "main form[method=post]"), **{k: [v] for k, v in changes.items()}}
    return client.post(url, data)


def test_a_verified_organisation_renaming_itself_keeps_its_public_name_until_staff_approve(
    client, provider_user, redwire, staff, django_capture_on_commit_callbacks
):
    client.force_login(provider_user)

    with django_capture_on_commit_callbacks(execute=True):
        edit_profile(
            client,
            redwire,
            name="NASA Johnson Space Center",
            website="https://nasa.example",
            contact_email="contact@nasa.example",
        )

    redwire.refresh_from_db()
    catalogue = client.get(reverse("partners:capability", args=[redwire.listing.public_id])).content.decode()
    assert (redwire.name, redwire.website, redwire.verified) == ("Redwire Space", "https://redwirespace.com", True)
    assert redwire.contact_email == "contact@nasa.example"  # not part of what staff check
    assert redwire.requested_changes == {"name": "NASA Johnson Space Center", "website": "https://nasa.example"}
    assert ("Offered by <a" in catalogue, "Redwire Space</a>" in catalogue, "NASA Johnson" in catalogue) == (
        True,
        True,
        False,
    )
    notice = Notification.objects.get(recipient=staff, kind=NotificationKind.ORGANISATION_TO_VERIFY)
    assert notice.subject == "Redwire Space asks to change its name or website"
    assert "- name: “Redwire Space” → “NASA Johnson Space Center”" in notice.body.splitlines()
    assert [message.to for message in mail.outbox] == [["staff@example.org"]]


def test_staff_approve_the_requested_name_and_it_shows(client, provider_user, redwire, staff):
    organisations.update_organisation(redwire, by=provider_user, name="Redwire Space Systems")
    client.force_login(staff)

    response = client.post(
        reverse("admin:partners_organisation_changelist"),
        {"action": "approve_requested_changes", "_selected_action": [redwire.pk]},
    )

    redwire.refresh_from_db()
    assert response.status_code == 302
    assert (redwire.name, redwire.requested_changes, redwire.verified) == ("Redwire Space Systems", {}, True)
    listing = client.get(reverse("partners:capability", args=[redwire.listing.public_id]))
    assert soup(listing).select_one("[data-provider]").get_text(strip=True) == "Redwire Space Systems"


def test_staff_refuse_the_requested_name_and_the_verified_one_stays(provider_user, redwire):
    organisations.update_organisation(redwire, by=provider_user, name="NASA Johnson Space Center")

    refused = organisations.refuse_requested_changes(redwire)

    redwire.refresh_from_db()
    assert (refused, redwire.name, redwire.requested_changes) == (True, "Redwire Space", {})


def test_the_organisation_page_shows_the_change_waiting_for_staff(client, provider_user, redwire):
    client.force_login(provider_user)
    edit_profile(client, redwire, name="Redwire Orbital")

    page = soup(client.get(redwire.get_manage_url()))
    form = soup(client.get(reverse("partners:organisation_edit", args=[redwire.slug])))

    assert page.select_one("[data-requested-changes]").get_text(" ", strip=True) == (
        "Waiting for program staff: name “Redwire Orbital”. Until they approve, everyone sees the verified name and "
        "website."
    )
    assert form.select_one("#id_name")["value"] == "Redwire Orbital"


def test_an_unverified_organisation_renames_itself_at_once(client, provider_user):
    pending = OrganisationFactory(name="Orbital Bio", slug="orbital-bio", verified=False)
    MembershipFactory(organisation=pending, user=provider_user, role=MembershipRole.ADMIN)
    client.force_login(provider_user)

    edit_profile(client, pending, name="Orbital Biofab")

    pending.refresh_from_db()
    assert (pending.name, pending.requested_changes) == ("Orbital Biofab", {})


def test_registering_the_name_of_an_unverified_organisation_reveals_nothing(
    client, provider_user, staff, django_capture_on_commit_callbacks
):
    OrganisationFactory(name="Stealth Bio", slug="stealth-bio", verified=False)
    client.force_login(provider_user)

    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post(reverse("partners:organisation_create"), {"name": "stealth bio", "country": "US"})
        fresh = client.post(reverse("partners:organisation_create"), {"name": "Fresh Bio", "country": "US"})

    assert (taken.status_code, fresh.status_code) == (302, 302)
    assert soup(client.get(taken["Location"])).h1.get_text(strip=True) == "stealth bio"
    notice = Notification.objects.get(recipient=staff, subject="New provider organisation to verify: stealth bio")
    assert "Other organisations have the same name; check whether they are the same one: Stealth Bio" in notice.body
    assert Organisation.objects.filter(name__iexact="stealth bio").count() == 2


def test_the_name_of_a_verified_organisation_is_refused_as_before(client, provider_user, redwire):
    client.force_login(provider_user)

    response = client.post(reverse("partners:organisation_create"), {"name": "REDWIRE SPACE", "country": "US"})

    assert response.status_code == 200
    assert soup(response).select_one("#error_1_id_name").get_text(strip=True) == (
        "A verified organisation is already listed under this name. If you work there, ask one of its "
        "administrators to invite you."
    )


def test_approving_a_name_another_verified_organisation_has_is_refused(provider_user, redwire):
    OrganisationFactory(name="Space Tango", slug="space-tango")
    organisations.update_organisation(redwire, by=provider_user, name="Space Tango")

    with pytest.raises(organisations.OrganisationError) as refused:
        organisations.approve_requested_changes(redwire)

    assert refused.value.message.startswith("“Space Tango” is the name of another verified organisation")
    redwire.refresh_from_db()
    assert redwire.name == "Redwire Space"
