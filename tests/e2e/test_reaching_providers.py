"""Two journeys: staff introduce a proposal to a provider nobody has joined, the invited contact joins and answers;
a researcher asks about a facility and staff turn the request into an introduction."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from partners.enums import MembershipRole
from partners.models import Membership
from projects.domain import scoring
from projects.enums import IntroductionAnswer, ProposalStatus, RequestState
from projects.models import Introduction, IntroductionRequest
from tests.e2e.helpers import answer_interested, check_page, sign_in, sign_in_to_admin
from tests.factories import ProviderUserFactory, ResearcherFactory, StaffFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory, adsep_listing
from tests.projects.factories import ProposalFactory

pytestmark = pytest.mark.e2e


def submitted_proposal():
    researcher = ResearcherFactory(email="ada@midwest.example", full_name="Ada Okafor")
    return ProposalFactory(
        owner=researcher,
        complete=True,
        status=ProposalStatus.SUBMITTED,
        submission_count=1,
        title="Liver organoids in microgravity",
    )


def test_staff_introduce_to_a_provider_with_no_members_and_the_invited_contact_joins_and_answers(new_page):
    proposal = submitted_proposal()
    quiet = OrganisationFactory(name="Quiet Orbit", slug="quiet-orbit")
    listing = adsep_listing(quiet, name="QO Bioreactor")
    scoring.score_proposal(proposal.pk)
    StaffFactory(email="eve@portal.example", full_name="Eve Marchetti")
    contact = ProviderUserFactory(email="lena@quietorbit.example", full_name="Lena Park")

    staff = new_page()
    sign_in_to_admin(staff, "eve@portal.example")
    staff.goto(reverse("admin:projects_proposal_change", args=[proposal.pk]))
    staff.locator("[data-introduce]", has_text="Invite a contact and introduce").click()
    assert "Quiet Orbit has no members on the portal yet" in staff.locator("[data-needs-contact]").inner_text()
    staff.get_by_label("Note to the provider").fill("Your bioreactor fits their 14-day organoid run.")
    staff.get_by_label(re.compile("Contact to invite")).fill("lena@quietorbit.example")
    check_page(staff, "introduce-inviting-a-contact")
    staff.get_by_role("button", name="Introduce and notify the provider").click()
    staff.wait_for_url(f"**/admin/projects/proposal/{proposal.pk}/change/")
    introduction = Introduction.objects.get()
    assert (introduction.organisation, introduction.facility_name, introduction.answer) == (quiet, listing.name, "")

    link = re.search(r"https?://[^/\s]+(/provider/invitations/\S+/)", mail.outbox[-1].body).group(1)
    provider = new_page()
    sign_in(provider, "lena@quietorbit.example", "**/provider/")
    provider.goto(link)
    provider.get_by_role("button", name="Accept and join Quiet Orbit").click()
    provider.wait_for_url("**/provider/organisations/quiet-orbit/")
    assert Membership.objects.get(organisation=quiet).user == contact
    assert Membership.objects.get(organisation=quiet).role == MembershipRole.ADMIN
    provider.goto(introduction.get_absolute_url())
    answer_interested(provider, introduction, "Happy to talk.")
    assert Introduction.objects.get().answer == IntroductionAnswer.INTERESTED


def test_a_researcher_asks_about_a_facility_and_staff_turn_it_into_an_introduction(new_page):
    proposal = submitted_proposal()
    redwire = OrganisationFactory(name="Redwire Space", slug="redwire-space")
    MembershipFactory(organisation=redwire, user=ProviderUserFactory(email="carmen@redwire.example"), role="admin")
    adsep = adsep_listing(redwire)
    StaffFactory(email="eve@portal.example", full_name="Eve Marchetti")

    researcher = new_page()
    sign_in(researcher, "ada@midwest.example")
    researcher.goto(adsep.get_absolute_url())
    researcher.get_by_role("link", name="Ask about this facility").click()
    researcher.get_by_label("Your message to program staff").fill("Could ADSEP hold our organoids for 14 days?")
    check_page(researcher, "ask-about-a-facility")
    researcher.get_by_role("button", name="Ask program staff").click()
    researcher.wait_for_url(f"**{proposal.get_absolute_url()}**")
    assert researcher.locator("[data-request]").get_attribute("data-request") == "waiting"
    ask = IntroductionRequest.objects.get()

    staff = new_page()
    sign_in_to_admin(staff, "eve@portal.example")
    staff.locator('[data-pile="requests"] a', has_text="Liver organoids in microgravity").click()
    staff.get_by_role("link", name="Introduce or decline").click()
    staff.get_by_label("Introduce the proposal to the provider").check()
    staff.get_by_role("textbox", name=re.compile("^Note")).fill("They asked about ADSEP; it fits.")
    check_page(staff, "decide-a-request")
    staff.get_by_role("button", name="Do it").click()
    staff.wait_for_url(f"**/admin/projects/introductionrequest/{ask.pk}/change/")
    ask.refresh_from_db()
    assert ask.state == RequestState.INTRODUCED
    assert Introduction.objects.get().organisation == redwire
