"""Researchers ask program staff for an introduction to a listing's provider; staff introduce or decline."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leoportal.enums import NotificationKind
from leoportal.models import Notification
from partners.enums import PublicationState
from projects.domain import introduction_requests
from projects.domain.introductions import IntroductionError
from projects.enums import ProposalStatus, RequestState
from projects.models import Introduction, IntroductionRequest
from tests.partners.factories import OrganisationFactory, adsep_listing
from tests.projects.factories import ProposalFactory
from tests.projects.introduction_fixtures import *  # noqa: F403
from tests.utils import soup

pytestmark = pytest.mark.django_db

MESSAGE = "Could ADSEP hold our organoids at 37 °C for 14 days?"


def recipients(kind=NotificationKind.INTRODUCTION_REQUEST):
    return sorted(n.recipient.email for n in Notification.objects.filter(kind=kind).select_related("recipient"))


@pytest.fixture
def adsep(redwire):
    return adsep_listing(redwire)


def test_a_researcher_asks_and_staff_are_told_but_not_the_provider(submitted, adsep, researcher, staff, provider_user):
    ask = introduction_requests.request_introduction(submitted, adsep, researcher, f"  {MESSAGE} ")

    assert (ask.proposal, ask.organisation, ask.facility_name, ask.message, ask.state) == (
        submitted,
        adsep.organisation,
        "ADSEP",
        MESSAGE,
        RequestState.WAITING,
    )
    assert recipients() == ["staff@example.org"]
    assert Notification.objects.filter(recipient=provider_user).count() == 0
    assert Introduction.objects.count() == 0


def test_a_co_investigator_may_ask_and_an_outsider_may_not(submitted, adsep, researcher2, outsider):
    assert (
        introduction_requests.request_introduction(submitted, adsep, researcher2, MESSAGE).requested_by == researcher2
    )

    with pytest.raises(IntroductionError) as refused:
        introduction_requests.request_introduction(submitted, adsep, outsider, MESSAGE)
    assert refused.value.message == "Only the proposal's team can ask for an introduction."


def test_a_draft_cannot_ask(researcher, adsep):
    draft = ProposalFactory(owner=researcher, status=ProposalStatus.DRAFT, title="Not yet")

    with pytest.raises(IntroductionError) as refused:
        introduction_requests.request_introduction(draft, adsep, researcher, MESSAGE)

    assert refused.value.message == (
        "“Not yet” is not submitted: submit it first, then ask program staff for an introduction."
    )


def test_an_unpublished_listing_cannot_be_asked_about(submitted, adsep, researcher):
    adsep.publication = PublicationState.DRAFT
    adsep.save()

    with pytest.raises(IntroductionError) as refused:
        introduction_requests.request_introduction(submitted, adsep, researcher, MESSAGE)

    assert refused.value.message == "That listing is no longer in the catalogue."


def test_asking_twice_about_the_same_provider_is_refused(submitted, adsep, researcher):
    introduction_requests.request_introduction(submitted, adsep, researcher, MESSAGE)

    with pytest.raises(IntroductionError) as refused:
        introduction_requests.request_introduction(submitted, adsep, researcher, "Again")

    assert refused.value.message == (
        "You already asked about Redwire Space for “Liver organoids in microgravity”: program staff will answer "
        "that request first."
    )


def test_requests_are_rate_limited_per_researcher(researcher, settings):
    settings.INTRODUCTION_REQUESTS_PER_DAY = 2
    listings = [adsep_listing(OrganisationFactory(), external_id=f"x{n}") for n in range(3)]
    proposal = ProposalFactory(owner=researcher, status=ProposalStatus.SUBMITTED, submission_count=1, title="P")
    for listing in listings[:2]:
        introduction_requests.request_introduction(proposal, listing, researcher, MESSAGE)

    with pytest.raises(IntroductionError) as refused:
        introduction_requests.request_introduction(proposal, listings[2], researcher, MESSAGE)

    assert refused.value.message == (
        "You have asked for 2 introductions in the last 24 hours, the most one person may ask for in a day. Ask "
        "again in about 24 hours, or write to program staff."
    )
    IntroductionRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert introduction_requests.request_introduction(proposal, listings[2], researcher, MESSAGE).pk is not None


def test_staff_turn_a_request_into_an_introduction_in_one_step(submitted, match, researcher, staff, provider_user):
    ask = introduction_requests.request_introduction(submitted, match.capability, researcher, MESSAGE)

    introduction = introduction_requests.grant_request(ask, staff, "Worth a talk.")

    ask.refresh_from_db()
    assert (ask.state, ask.introduction, ask.decided_by) == (RequestState.INTRODUCED, introduction, staff)
    assert (introduction.organisation, introduction.match, introduction.note) == (
        match.capability.organisation,
        match,
        "Worth a talk.",
    )
    assert recipients(NotificationKind.INTRODUCTION) == ["provider@example.org"]
    assert recipients() == ["researcher2@example.org", "researcher@example.org", "staff@example.org"]


def test_staff_decline_with_a_note_and_the_provider_never_hears(submitted, adsep, researcher, staff, provider_user):
    ask = introduction_requests.request_introduction(submitted, adsep, researcher, MESSAGE)

    introduction_requests.decline_request(ask, staff, "ADSEP is booked for 2027; try BioServe.")

    ask.refresh_from_db()
    assert (ask.state, ask.staff_note) == (RequestState.DECLINED, "ADSEP is booked for 2027; try BioServe.")
    assert Notification.objects.filter(recipient=provider_user).count() == 0
    assert Introduction.objects.count() == 0
    told = Notification.objects.get(recipient=researcher, kind=NotificationKind.INTRODUCTION_REQUEST)
    assert told.body.endswith("Their note:\nADSEP is booked for 2027; try BioServe.")


def test_declining_needs_a_note(submitted, adsep, researcher, staff):
    ask = introduction_requests.request_introduction(submitted, adsep, researcher, MESSAGE)

    with pytest.raises(IntroductionError) as refused:
        introduction_requests.decline_request(ask, staff, "  ")

    assert refused.value.message == "Write a note for the researcher: why not, and what they could do instead."


def test_a_request_is_handled_once(submitted, adsep, researcher, staff):
    ask = introduction_requests.request_introduction(submitted, adsep, researcher, MESSAGE)
    introduction_requests.decline_request(ask, staff, "No.")

    with pytest.raises(IntroductionError) as refused:
        introduction_requests.grant_request(ask, staff, "Yes after all.")

    assert refused.value.message.endswith("already handled this request: declined.")
    assert Introduction.objects.count() == 0


# --- Pages ---------------------------------------------------------------------------------------------------


def test_the_listing_page_offers_researchers_to_ask(client, adsep, researcher, provider_user2):
    client.force_login(researcher)
    assert soup(client.get(adsep.get_absolute_url())).select_one("[data-ask]")["href"] == reverse(
        "projects:ask", args=[adsep.public_id]
    )
    client.force_login(provider_user2)
    assert soup(client.get(adsep.get_absolute_url())).select_one("[data-ask]") is None


def test_a_match_on_the_proposal_page_offers_to_ask(client, submitted, match, researcher):
    client.force_login(researcher)

    page = soup(client.get(submitted.get_absolute_url()))

    link = page.select_one(f'[data-match="{match.capability.external_id}"] [data-ask]')
    assert (
        link["href"] == f"{reverse('projects:ask', args=[match.capability.public_id])}?proposal={submitted.public_id}"
    )


def test_asking_from_the_page_records_the_request_and_shows_it_on_the_proposal(client, submitted, adsep, researcher):
    client.force_login(researcher)

    response = client.post(
        reverse("projects:ask", args=[adsep.public_id]), {"proposal": str(submitted.public_id), "message": MESSAGE}
    )

    assert response.status_code == 302
    assert IntroductionRequest.objects.get().message == MESSAGE
    page = soup(client.get(submitted.get_absolute_url()))
    assert page.select_one("[data-request]")["data-request"] == "waiting"


def test_asking_without_a_message_keeps_the_choice_and_says_what_to_fix(client, submitted, adsep, researcher):
    client.force_login(researcher)

    response = client.post(reverse("projects:ask", args=[adsep.public_id]), {"proposal": str(submitted.public_id)})

    page = soup(response)
    assert response.status_code == 400
    assert page.select_one("#id_proposal option[selected]")["value"] == str(submitted.public_id)
    assert page.select_one("#error_1_id_message").get_text(strip=True) == "Write what you would like to ask or discuss."


def test_a_researcher_without_a_submitted_proposal_is_told_to_submit_one(client, adsep, outsider):
    client.force_login(outsider)

    page = soup(client.get(reverse("projects:ask", args=[adsep.public_id])))

    assert page.select_one("[data-no-proposal]") is not None
    assert page.select_one("[data-ask-form]") is None


def test_a_provider_cannot_open_the_ask_page(client, adsep, provider_user):
    client.force_login(provider_user)

    assert client.get(reverse("projects:ask", args=[adsep.public_id])).status_code == 404


def test_the_desk_shows_waiting_requests_and_the_provider_cannot_see_them(
    client, submitted, adsep, researcher, staff, provider_user
):
    ask = introduction_requests.request_introduction(submitted, adsep, researcher, MESSAGE)
    client.force_login(staff)

    desk = soup(client.get(reverse("admin:index")))
    pile = desk.select_one('[data-pile="requests"]')
    assert pile is not None
    assert "Liver organoids in microgravity → Redwire Space" in pile.get_text()

    client.force_login(provider_user)
    assert client.get(reverse("admin:projects_introductionrequest_change", args=[ask.pk])).status_code == 302
    assert client.get(reverse("projects:introduction_list")).content.decode().count(MESSAGE) == 0


def test_staff_introduce_from_the_request_page_in_one_step(client, submitted, match, researcher, staff):
    ask = introduction_requests.request_introduction(submitted, match.capability, researcher, MESSAGE)
    client.force_login(staff)
    change = reverse("admin:projects_introductionrequest_change", args=[ask.pk])

    decide = soup(client.get(change)).select_one("[data-decide]")["href"]
    response = client.post(decide, {"decision": "introduce", "note": "Worth a talk."})

    assert (response.status_code, response["Location"]) == (302, change)
    assert Introduction.objects.get().note == "Worth a talk."


def test_staff_decline_from_the_request_page_needs_a_note(client, submitted, adsep, researcher, staff):
    ask = introduction_requests.request_introduction(submitted, adsep, researcher, MESSAGE)
    client.force_login(staff)

    response = client.post(
        reverse("admin:projects_introductionrequest_decide", args=[ask.pk]), {"decision": "decline", "note": ""}
    )

    assert response.status_code == 400
    ask.refresh_from_db()
    assert ask.state == RequestState.WAITING
