"""Reaching every provider: staff invite a contact for an organisation with no members, from its admin page or
straight from "Introduce"; the introduction waits and the contact finds it on joining."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from leoportal.enums import NotificationKind
from leoportal.models import Notification
from partners.domain import organisations
from partners.enums import MembershipRole
from partners.models import Invitation, Membership
from projects.domain.introductions import IntroductionError, introduce_inviting_contact, introduce_to_provider
from projects.models import Introduction
from tests.factories import ProviderUserFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory, adsep_listing
from tests.projects.introduction_fixtures import *  # noqa: F403
from tests.utils import soup

pytestmark = pytest.mark.django_db

NOTE = "Your bioreactor fits their 14-day organoid run."
CONTACT = "partnerships@quietorbit.example"


@pytest.fixture
def quiet():
    """A verified provider nobody on the portal belongs to."""
    return OrganisationFactory(name="Quiet Orbit", slug="quiet-orbit", description="Bioreactors in orbit.")


@pytest.fixture
def quiet_match(submitted, quiet):
    from projects.domain import scoring
    from projects.models import Match

    capability = adsep_listing(quiet, external_id="qo-bioreactor", name="QO Bioreactor")
    assert scoring.score_proposal(submitted.pk) is True
    return Match.objects.select_related("capability__organisation").get(proposal=submitted, capability=capability)


def invitation_path(message):
    return re.search(r"https?://[^/\s]+(/provider/invitations/\S+/)", message.body).group(1)


def test_introduce_inviting_contact_writes_the_introduction_and_invites_an_administrator(
    submitted, quiet, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        introduction = introduce_inviting_contact(submitted, quiet, staff, NOTE, CONTACT)

    invitation = Invitation.objects.get()
    assert (invitation.organisation, invitation.email, invitation.role, invitation.invited_by) == (
        quiet,
        CONTACT,
        MembershipRole.ADMIN,
        staff,
    )
    assert (introduction.organisation, introduction.answer) == (quiet, "")
    assert [message.to for message in mail.outbox] == [[CONTACT]]
    assert "Introductions sent to Quiet Orbit wait for you" in mail.outbox[0].body


def test_a_refused_introduction_sends_no_invitation(submitted, quiet, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(IntroductionError) as refused:
        introduce_inviting_contact(submitted, quiet, staff, "   ", CONTACT)

    assert refused.value.message == "Write a note for the provider: why this proposal may suit them."
    assert (Invitation.objects.count(), Introduction.objects.count(), len(mail.outbox)) == (0, 0, 0)


def test_only_staff_invite_a_contact(quiet, provider_user):
    with pytest.raises(organisations.MembershipError) as refused:
        organisations.invite_contact(quiet, by=provider_user, email=CONTACT)

    assert refused.value.message == "Only program staff invite a contact for an organisation."


def test_staff_do_not_invite_a_contact_for_an_organisation_with_members(redwire, staff):
    with pytest.raises(organisations.MembershipError) as refused:
        organisations.invite_contact(redwire, by=staff, email=CONTACT)

    assert refused.value.message == (
        "Redwire Space already has members on the portal: its administrators invite their colleagues."
    )


def test_the_invitation_limits_apply_to_contacts(quiet, staff, settings):
    settings.INVITATION_RESEND_MINUTES = 60
    organisations.invite_contact(quiet, by=staff, email=CONTACT)

    with pytest.raises(organisations.MembershipError) as refused:
        organisations.invite_contact(quiet, by=staff, email=CONTACT)

    assert refused.value.message.startswith(f"{CONTACT} was invited to Quiet Orbit less than 60 minutes ago.")


def test_a_second_introduction_waits_for_the_contact_already_invited(submitted, quiet, staff, researcher):
    organisations.invite_contact(quiet, by=staff, email=CONTACT)

    introduction = introduce_to_provider(submitted, quiet, staff, NOTE)

    assert (introduction.organisation, introduction.answer) == (quiet, "")
    assert Notification.objects.filter(kind=NotificationKind.INTRODUCTION).count() == 0


def test_the_contact_joins_as_administrator_and_finds_the_introduction_waiting(
    client, submitted, quiet, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        introduction = introduce_inviting_contact(submitted, quiet, staff, NOTE, CONTACT)
    contact = ProviderUserFactory(email=CONTACT)
    client.force_login(contact)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(invitation_path(mail.outbox[0]))

    assert Membership.objects.get(organisation=quiet).user == contact
    assert Membership.objects.get(organisation=quiet).role == MembershipRole.ADMIN
    told = Notification.objects.get(kind=NotificationKind.INTRODUCTION)
    assert (told.recipient, told.url) == (contact, introduction.get_absolute_url())
    listed = soup(client.get(reverse("projects:introduction_list")))
    assert [a["href"] for a in listed.select("a[href^='/introductions/']")][:1] == [introduction.get_absolute_url()]
    page = client.get(introduction.get_absolute_url())
    assert page.status_code == 200
    assert soup(page).select_one("form[action$='/answer/']") is not None


def test_a_later_member_is_not_told_twice(submitted, quiet, staff):
    from projects.domain.introductions import notify_new_member_of_waiting

    introduce_inviting_contact(submitted, quiet, staff, NOTE, CONTACT)
    contact = ProviderUserFactory(email=CONTACT)
    MembershipFactory(organisation=quiet, user=contact)

    assert notify_new_member_of_waiting(quiet.pk, contact.pk) == 1
    assert notify_new_member_of_waiting(quiet.pk, contact.pk) == 0


# --- The pages -----------------------------------------------------------------------------------------------


def test_introduce_from_a_match_of_a_provider_without_members_says_so_and_offers_the_invitation(
    client, submitted, quiet_match, staff
):
    client.force_login(staff)
    url = reverse("projects:introduce", args=[submitted.public_id])

    page = soup(client.get(f"{url}?capability={quiet_match.capability.public_id}"))

    assert "Quiet Orbit has no members on the portal yet" in page.select_one("[data-needs-contact]").get_text()
    chosen = page.select_one("#id_capability option[selected]")
    assert chosen["value"] == str(quiet_match.capability.public_id)
    assert page.select_one("#id_contact_email") is not None


def test_introduce_without_a_contact_for_a_provider_without_members_keeps_what_was_typed(
    client, submitted, quiet_match, staff
):
    client.force_login(staff)
    url = reverse("projects:introduce", args=[submitted.public_id])

    response = client.post(url, {"capability": str(quiet_match.capability.public_id), "note": NOTE})

    page = soup(response)
    assert response.status_code == 400
    assert page.select_one("#id_note").get_text().strip() == NOTE
    assert page.select_one("#error_1_id_contact_email").get_text(strip=True) == (
        "Quiet Orbit has no members on the portal, so nobody could receive the introduction: give the e-mail "
        "address of a contact there to invite; the introduction waits for them."
    )
    assert Introduction.objects.count() == 0


def test_introduce_with_a_contact_invites_and_introduces(client, submitted, quiet_match, staff):
    client.force_login(staff)
    url = reverse("projects:introduce", args=[submitted.public_id])

    response = client.post(
        url, {"capability": str(quiet_match.capability.public_id), "note": NOTE, "contact_email": CONTACT}
    )

    assert response.status_code == 302
    introduction = Introduction.objects.get()
    assert (introduction.organisation.name, introduction.facility_name) == ("Quiet Orbit", "QO Bioreactor")
    assert list(Invitation.objects.values_list("email", "role")) == [(CONTACT, "admin")]


def test_a_contact_for_a_provider_with_members_is_refused(client, submitted, match, staff):
    client.force_login(staff)
    url = reverse("projects:introduce", args=[submitted.public_id])

    response = client.post(url, {"organisation": "redwire-space", "note": NOTE, "contact_email": CONTACT})

    assert response.status_code == 400
    assert soup(response).select_one("#error_1_id_contact_email").get_text(strip=True) == (
        "Redwire Space already has members on the portal, who receive the introduction: leave the contact empty."
    )
    assert (Introduction.objects.count(), Invitation.objects.count()) == (0, 0)


def test_the_desk_names_the_invitation_on_matches_of_providers_without_members(
    client, submitted, match, quiet_match, staff
):
    client.force_login(staff)

    page = soup(client.get(reverse("admin:projects_proposal_change", args=[submitted.pk])))

    links = sorted(link.get_text(" ", strip=True) for link in page.select("[data-introduce]"))
    assert links == [
        "Introduce to Redwire Space (ADSEP)",
        "Invite a contact and introduce to Quiet Orbit (QO Bioreactor)",
    ]


def test_staff_invite_a_contact_from_the_organisations_admin_page(client, quiet, staff):
    client.force_login(staff)
    change = reverse("admin:partners_organisation_change", args=[quiet.pk])

    link = soup(client.get(change)).select_one("[data-invite-contact]")["href"]
    response = client.post(link, {"email": CONTACT})

    assert (response.status_code, response["Location"]) == (302, change)
    assert list(Invitation.objects.values_list("email", "role", "organisation")) == [(CONTACT, "admin", quiet.pk)]
    again = soup(client.get(change)).select_one(".field-reach").get_text(" ", strip=True)
    assert f"{CONTACT} was invited on" in again


def test_the_admin_invitation_page_refuses_a_bad_address_with_a_message(client, quiet, staff):
    client.force_login(staff)

    response = client.post(reverse("admin:partners_organisation_invite_contact", args=[quiet.pk]), {"email": "nope"})

    assert response.status_code == 400
    assert soup(response).select_one(".field-email .errorlist").get_text(strip=True) == "Enter a valid email address."
    assert Invitation.objects.count() == 0


def test_the_admin_invitation_page_is_for_staff_only(client, quiet, provider_user):
    client.force_login(provider_user)

    response = client.get(reverse("admin:partners_organisation_invite_contact", args=[quiet.pk]))

    assert response.status_code in (302, 404)
    assert Invitation.objects.count() == 0


def test_the_provider_profile_shows_about_website_contact_platforms_and_listings(client, redwire):
    redwire.website = "https://redwire.example"
    redwire.description = "Bioprinting and bioreactors."
    redwire.save()
    adsep_listing(redwire, platform="ISS")
    adsep_listing(redwire, external_id="pil-box", name="PIL-BOX", platform="Free flyer")

    page = soup(client.get(redwire.get_absolute_url()))

    assert page.select_one("[data-about]").get_text(strip=True) == "Bioprinting and bioreactors."
    assert page.select_one("a[href='https://redwire.example']") is not None
    assert page.select_one("[data-contact]").get_text(strip=True) == "partnerships@redwire.example"
    assert [badge.get_text() for badge in page.select("[data-platforms] .badge")] == ["Free flyer", "ISS"]
    assert len(page.select("[data-results] > li")) == 2
