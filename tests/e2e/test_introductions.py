"""Staff introduce a submitted proposal to a matched provider; the provider member is notified, reads the
introduction and answers interested; the researcher sees the answer and the provider's contacts."""

import re

import pytest
from django.urls import reverse

from leoportal.enums import NotificationKind
from leoportal.models import Notification
from partners.enums import MembershipRole
from projects.domain import scoring
from projects.enums import IntroductionAnswer, ProposalStatus
from projects.models import Introduction, Match
from tests.e2e.helpers import answer_interested, check_page, sign_in, sign_in_to_admin
from tests.factories import ProviderUserFactory, ResearcherFactory, StaffFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory, adsep_listing
from tests.projects.factories import NarrativeFactory, ProposalFactory

pytestmark = pytest.mark.e2e


def test_staff_introduce_a_proposal_and_the_provider_answers(new_page):
    researcher = ResearcherFactory(
        email="ada@midwest.example", full_name="Ada Okafor", organisation="Midwest Regenerative Medicine Institute"
    )
    proposal = ProposalFactory(
        owner=researcher,
        complete=True,
        status=ProposalStatus.SUBMITTED,
        submission_count=1,
        title="Liver organoids in microgravity",
        organisation="Midwest Regenerative Medicine Institute",
    )
    NarrativeFactory(proposal=proposal, original_name="liver-narrative.pdf")
    redwire = OrganisationFactory(name="Redwire Space", slug="redwire-space", contact_email="partners@redwire.example")
    carmen = ProviderUserFactory(email="carmen@redwire.example", full_name="Carmen Diaz")
    MembershipFactory(organisation=redwire, user=carmen, role=MembershipRole.ADMIN)
    adsep = adsep_listing(redwire)
    scoring.score_proposal(proposal.pk)
    match = Match.objects.get(proposal=proposal, capability=adsep)
    StaffFactory(email="eve@portal.example", full_name="Eve Marchetti")

    # Staff open the introduce page from the match row (as the admin's "Introduce" link does).
    staff = new_page()
    sign_in_to_admin(staff, "eve@portal.example")
    staff.goto(reverse("projects:introduce", args=[proposal.public_id]) + f"?capability={adsep.public_id}")
    assert staff.get_by_label("Provider", exact=True).input_value() == "redwire-space"
    assert staff.get_by_label("Facility from the matches").input_value() == str(adsep.public_id)
    staff.get_by_label("Note to the provider").fill("ADSEP fits the temperature range and returns samples.")
    check_page(staff, "introduce")
    staff.get_by_role("button", name="Introduce and notify the provider").click()
    staff.wait_for_url(f"**/admin/projects/proposal/{proposal.pk}/change/")
    introduction = Introduction.objects.get()
    assert (introduction.organisation, introduction.match) == (redwire, match)

    # The provider member sees the notification and reads the introduction: the summary, not the team.
    provider = new_page()
    sign_in(provider, "carmen@redwire.example", "**/provider/")
    assert provider.locator("[data-unread]").get_attribute("data-unread") == "1"
    assert provider.locator("[data-dashboard-introductions] [data-state=awaiting]").count() == 1
    check_page(provider, "provider-dashboard-introduction")
    provider.get_by_role("link", name=re.compile("Notifications")).click()
    provider.get_by_role("button", name="Open").click()
    provider.wait_for_url(f"**/introductions/{introduction.public_id}/")
    assert provider.locator("h1").inner_text() == "Liver organoids in microgravity"
    assert provider.locator("[data-contacts-hidden]").is_visible()
    assert provider.get_by_text("liver-narrative.pdf").count() == 0
    assert provider.get_by_text("Ada Okafor").count() == 0
    check_page(provider, "introduction-provider")

    answer_interested(provider, introduction, "We can fly it on the March increment.")
    assert provider.locator("[data-pi-contact] dd").all_inner_texts() == [
        "Ada Okafor",
        "ada@midwest.example",
        "Midwest Regenerative Medicine Institute",
    ]
    check_page(provider, "introduction-answered")
    assert Introduction.objects.get().answer == IntroductionAnswer.INTERESTED
    provider.get_by_role("link", name="Introductions").click()
    assert provider.locator("[data-introduction]").get_attribute("data-state") == "interested"
    check_page(provider, "provider-introductions")

    # The researcher is told and sees the answer with the provider's contacts.
    assert Notification.objects.filter(recipient=researcher, kind=NotificationKind.INTRODUCTION_ANSWER).count() == 1
    researcher_page = new_page()
    sign_in(researcher_page, "ada@midwest.example", "**/proposals/")
    researcher_page.goto(proposal.get_absolute_url())
    item = researcher_page.locator("#introductions [data-introduction]")
    assert item.locator("[data-answer]").inner_text() == "Interested"
    assert item.locator("[data-answer-message]").inner_text() == "We can fly it on the March increment."
    assert item.locator("[data-provider-contact] dd").all_inner_texts() == [
        "partners@redwire.example",
        "Carmen Diaz, carmen@redwire.example",
    ]
    check_page(researcher_page, "proposal-introductions")
