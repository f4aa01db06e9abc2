"""Submitting: completeness listed per section, closed calls refused with the deadline, staff told once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from leoportal.enums import NotificationKind
from leoportal.models import Notification
from projects.domain.proposals import submit_proposal
from projects.domain.submission import missing_for_submission
from projects.domain.transitions import set_proposal_status
from projects.enums import ProposalStatus
from projects.exceptions import CallNotOpen, SubmissionRefused
from projects.forms import ConceptForm, ProposalForm
from projects.models import StatusChange
from tests.projects.factories import CallFactory, CoInvestigatorFactory, NarrativeFactory, ProposalFactory
from tests.projects.forms_data import proposal_data
from tests.utils import soup

pytestmark = pytest.mark.django_db


def complete_proposal(owner, **values):
    proposal = ProposalFactory(owner=owner, complete=True, **values)
    NarrativeFactory(proposal=proposal)
    return proposal


def test_missing_items_are_listed_per_section_in_form_order(researcher):
    proposal = ProposalFactory(owner=researcher, title="Only a title", call=CallFactory())
    CoInvestigatorFactory(proposal=proposal, name="Kim Lee", email="", role="")

    missing = missing_for_submission(proposal)

    assert [(item.section, item.field, item.message) for item in missing] == [
        ("Overview", "summary", "Summary"),
        ("Overview", "objectives", "Objectives"),
        ("Team and eligibility", "organisation", "Organisation"),
        ("Team and eligibility", "uei", "UEI"),
        ("Team and eligibility", "coi-1", "Kim Lee: e-mail address, role"),
        (
            "Team and eligibility",
            "attest_us_persons",
            "Confirm that the PI and co-PIs are U.S. persons at U.S. entities",
        ),
        (
            "Team and eligibility",
            "attest_export_control",
            "Confirm that export control is the proposer's responsibility",
        ),
        ("Science", "why_microgravity", "Why microgravity"),
        ("Science", "earth_benefit", "Earth benefit"),
        ("Science", "research_areas", "Research areas"),
        ("Science", "trl_current", "Current TRL"),
        ("Science", "trl_target", "Target TRL"),
        (
            "Flight requirements",
            "needs",
            "Hardware needed: choose the kinds you expect to need, or tick “Not sure yet, ask staff” (matching is "
            "weak without them)",
        ),
        ("Funding", "amount_requested", "Amount requested (USD)"),
        ("Attachments", "narrative", "Full narrative (PDF)"),
    ]


def test_flight_requirements_may_all_be_left_not_stated_when_staff_are_asked_about_hardware(researcher):
    proposal = complete_proposal(
        researcher,
        sample_type="",
        needs=[],
        hardware_unsure=True,
        temperature_min_c=None,
        temperature_max_c=None,
        co2=None,
        duration_days=None,
        crew_time="",
        sample_return=None,
    )

    assert missing_for_submission(proposal) == []


def test_a_proposal_with_no_kind_of_hardware_is_asked_for_one_or_to_say_it_is_not_sure(researcher):
    proposal = complete_proposal(researcher, needs=[], hardware_unsure=False)

    assert [(item.section, item.field) for item in missing_for_submission(proposal)] == [
        ("Flight requirements", "needs")
    ]
    proposal.needs = ["cell_culture_bioreactor"]
    assert missing_for_submission(proposal) == []


def test_matching_funds_need_their_sources(researcher):
    proposal = complete_proposal(researcher, matching_funds=Decimal("10000"), matching_funds_sources="")

    assert [(item.section, item.message) for item in missing_for_submission(proposal)] == [
        ("Funding", "Sources of matching funds: say who provides them")
    ]


def test_amount_above_the_cap_blocks_submission(researcher):
    proposal = complete_proposal(
        researcher, call=CallFactory(funding_cap=Decimal("100000")), amount_requested=Decimal("150000.50")
    )

    assert [item.message for item in missing_for_submission(proposal)] == [
        "Amount requested: $150,000.50 is above the call's cap of $100,000"
    ]


def test_submitting_an_incomplete_draft_lists_what_is_missing_and_keeps_what_was_typed(client, researcher):
    proposal = ProposalFactory(owner=researcher, title="")
    client.force_login(researcher)

    response = client.post(
        reverse("projects:proposal_edit", args=[proposal.public_id]),
        proposal_data(proposal, action="submit", title="Liver organoids", summary="Grow organoids.", co2="true"),
    )

    page = soup(response)
    assert response.status_code == 200
    proposal.refresh_from_db()
    assert (proposal.status, proposal.title, proposal.summary, proposal.co2) == (
        ProposalStatus.DRAFT,
        "Liver organoids",
        "Grow organoids.",
        True,
    )
    assert [h.get_text(strip=True) for h in page.select("#submission-problems h3")] == [
        "Overview",
        "Team and eligibility",
        "Science",
        "Flight requirements",
        "Funding",
        "Attachments",
    ]
    assert [li.get_text(strip=True) for li in page.select('[data-section="Overview"] li')] == ["Objectives"]
    assert page.select_one('[data-section="Attachments"] a')["href"] == "#attachments"
    assert page.select_one("#error_1_id_objectives").get_text(strip=True) == "Needed before you can submit."
    assert page.select_one("#id_title")["value"] == "Liver organoids"
    assert StatusChange.objects.filter(to_status=ProposalStatus.SUBMITTED).count() == 0


def test_submitting_a_complete_proposal(client, researcher, staff, django_capture_on_commit_callbacks):
    proposal = complete_proposal(researcher, title="Liver organoids", call=CallFactory(code="NLRA 2027-1"))
    client.force_login(researcher)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:proposal_edit", args=[proposal.public_id]),
            _complete_post(client, proposal, action="submit"),
        )

    assert (response.status_code, response["Location"]) == (302, proposal.get_absolute_url())
    proposal.refresh_from_db()
    assert (proposal.status, proposal.submission_count) == (ProposalStatus.SUBMITTED, 1)
    assert proposal.submitted_at == proposal.last_submitted_at
    change = StatusChange.objects.get(to_status=ProposalStatus.SUBMITTED)
    assert (change.from_status, change.changed_by) == (ProposalStatus.DRAFT, researcher)
    notification = Notification.objects.get(kind=NotificationKind.SUBMISSION)
    assert (notification.recipient, notification.subject, notification.dedupe_key) == (
        staff,
        "New proposal (NLRA 2027-1): Liver organoids",
        f"submission:{proposal.public_id}:1",
    )
    assert [message.to for message in mail.outbox] == [[staff.email]]


def _complete_post(client, proposal, action):
    """What the browser posts for ``proposal`` unchanged (read back from the rendered form)."""
    form = (ConceptForm if proposal.is_concept else ProposalForm)(instance=proposal)  # as the edit page renders it
    data = proposal_data(proposal, action=action)
    for name, field in form.fields.items():
        value = form[name].value()
        if value in (None, "", False):
            continue
        if name == "call":
            data[name] = str(proposal.call.public_id)
        elif name.startswith("attest_"):
            data[name] = "on"
        elif isinstance(value, list):
            data[name] = value
        else:
            formatted = field.widget.format_value(value)
            data[name] = formatted[0] if isinstance(formatted, list) else formatted
    return data


def test_submitting_to_a_closed_call_is_refused_with_the_deadline_and_the_draft_stays(client, researcher):
    closed = (timezone.now() - timedelta(days=30)).replace(hour=17, minute=0, second=0, microsecond=0)
    call = CallFactory(code="NLRA 2026-3", opens_at=closed - timedelta(days=60), closes_at=closed)
    proposal = complete_proposal(researcher, call=call, title="Bone")
    client.force_login(researcher)

    response = client.post(
        reverse("projects:proposal_edit", args=[proposal.public_id]),
        {**_complete_post(client, proposal, action="submit"), "summary": "Edited before the refusal."},
    )

    message = (
        f"NLRA 2026-3 closed on {closed.day} {closed:%B %Y}, 17:00 UTC and no longer accepts proposals. Your draft "
        "is saved."
    )
    page = soup(response)
    assert page.select_one("#submission-problems p").get_text(strip=True) == message
    assert page.select_one("#error_1_id_call").get_text(strip=True) == message
    proposal.refresh_from_db()
    assert (proposal.status, proposal.summary) == (ProposalStatus.DRAFT, "Edited before the refusal.")


def test_submitting_before_the_call_opens_is_refused(researcher):
    call = CallFactory(code="NLRA 2027-9", upcoming=True)
    proposal = complete_proposal(researcher, call=call)

    with pytest.raises(CallNotOpen, match=r"^NLRA 2027-9 opens on .*; you can submit from then. Your draft is saved.$"):
        submit_proposal(proposal, researcher)

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT


def test_unsolicited_submission_follows_the_setting(researcher, settings):
    proposal = complete_proposal(researcher, call=None)
    settings.ALLOW_UNSOLICITED_PROPOSALS = False

    with pytest.raises(SubmissionRefused, match="unsolicited proposals are not accepted") as refused:
        submit_proposal(proposal, researcher)
    assert [(item.section, item.field) for item in refused.value.missing] == [("Overview", "call")]

    settings.ALLOW_UNSOLICITED_PROPOSALS = True
    submit_proposal(proposal, researcher)
    assert proposal.status == ProposalStatus.SUBMITTED


def test_resubmission_after_revisions_notifies_staff_again(researcher, staff, django_capture_on_commit_callbacks):
    proposal = complete_proposal(researcher, title="Organoids", call=None)
    with django_capture_on_commit_callbacks(execute=True):
        submit_proposal(proposal, researcher)
        set_proposal_status(proposal, ProposalStatus.SCREENING, staff)
        set_proposal_status(proposal, ProposalStatus.REVISIONS_REQUESTED, staff, note="State the launch window.")
        submit_proposal(proposal, researcher)

    assert proposal.submission_count == 2
    assert list(
        Notification.objects.filter(kind=NotificationKind.SUBMISSION)
        .order_by("id")
        .values_list("subject", "dedupe_key")
    ) == [
        ("New proposal (unsolicited): Organoids", f"submission:{proposal.public_id}:1"),
        ("Resubmitted (unsolicited): Organoids", f"submission:{proposal.public_id}:2"),
    ]
    assert StatusChange.objects.filter(proposal=proposal).last().note == "Resubmitted after revisions."


def test_a_retried_submission_notification_is_not_sent_twice(researcher, staff, django_capture_on_commit_callbacks):
    from projects.domain.transitions import _notify_staff_of_submission

    proposal = complete_proposal(researcher)
    with django_capture_on_commit_callbacks(execute=True):
        submit_proposal(proposal, researcher)
        _notify_staff_of_submission(proposal, researcher)  # what a retried task or a double call would do

    assert Notification.objects.filter(kind=NotificationKind.SUBMISSION).count() == 1
    assert len(mail.outbox) == 1


def test_resubmission_is_allowed_after_the_deadline(researcher, staff):
    call = CallFactory()
    proposal = complete_proposal(researcher, call=call)
    submit_proposal(proposal, researcher)
    set_proposal_status(proposal, ProposalStatus.SCREENING, staff)
    set_proposal_status(proposal, ProposalStatus.REVISIONS_REQUESTED, staff)
    call.closes_at = timezone.now() - timedelta(minutes=1)
    call.save()

    submit_proposal(proposal, researcher)

    assert proposal.status == ProposalStatus.SUBMITTED


def test_only_the_principal_investigator_submits(client, researcher, researcher2):
    from projects.enums import Access

    proposal = complete_proposal(researcher)
    CoInvestigatorFactory(proposal=proposal, user=researcher2, access=Access.EDIT, email=researcher2.email)
    client.force_login(researcher2)

    page = soup(client.get(reverse("projects:proposal_edit", args=[proposal.public_id])))
    client.post(
        reverse("projects:proposal_edit", args=[proposal.public_id]), _complete_post(client, proposal, "submit")
    )

    assert page.select_one('button[value="submit"]') is None
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT
