"""Calls with a concept step: a concept summary first, staff encourage or decline it, the invited full proposal."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from leoportal.enums import NotificationKind
from leoportal.models import Notification
from projects.domain.proposals import create_draft, save_draft, submit_proposal
from projects.domain.stages import proposal_progress
from projects.domain.submission import CONCEPT_WORD_LIMIT, missing_for_submission
from projects.domain.transitions import set_proposal_status, set_status_of_many
from projects.enums import ProposalStatus, Stage
from projects.exceptions import CallNotOpen, NotInvited, SubmissionRefused
from projects.models import Call, Match, Proposal, StatusChange
from tests.partners.factories import CapabilityFactory
from tests.projects.factories import CallFactory, NarrativeFactory, ProposalFactory
from tests.projects.forms_data import proposal_data
from tests.utils import soup

pytestmark = pytest.mark.django_db

S = ProposalStatus
CONCEPT = {
    "title": "Liver organoids in orbit",
    "summary": "Grow liver organoids for 14 days and return them live.",
    "why_microgravity": "Organoids self-assemble without scaffolds in microgravity.",
    "research_areas": ["organoids"],
    "needs": ["cell_culture_bioreactor"],
    "organisation": "Midwest Regenerative Medicine Institute",
}


def concept(owner, call=None, status=S.DRAFT, **values):
    values = {**CONCEPT, **values}
    return ProposalFactory(
        owner=owner,
        call=call or CallFactory(two_stage=True),
        stage=Stage.CONCEPT,
        status=status,
        submission_count=0 if status == S.DRAFT else 1,
        **values,
    )


def concept_post(**values) -> dict:
    data = {"action": "save", "title": "", "summary": "", "why_microgravity": "", "organisation": ""}
    data.update(values)
    return data


def invited(owner, **values):
    proposal = concept(owner, status=S.SUBMITTED, **values)
    staff_member = owner.__class__.objects.filter(is_staff=True).first()
    set_proposal_status(proposal, S.INVITED, staff_member, note="Add the sample return plan.")
    return proposal


# --- Starting ---------------------------------------------------------------------------------------------------


def test_a_draft_on_a_call_with_a_concept_step_starts_as_a_concept(researcher):
    call = CallFactory(two_stage=True)

    proposal = create_draft(researcher, call=call, title="Liver organoids")

    assert (proposal.stage, proposal.status, proposal.deadline) == (Stage.CONCEPT, S.DRAFT, call.concept_closes_at)
    assert StatusChange.objects.get(proposal=proposal).note == "Concept summary started."
    assert create_draft(researcher, call=CallFactory()).stage == Stage.FULL


def test_no_concept_can_start_after_the_concept_deadline(researcher):
    call = CallFactory(two_stage=True)
    Call.objects.filter(pk=call.pk).update(concept_closes_at=timezone.now() - timedelta(minutes=1))
    call.refresh_from_db()

    with pytest.raises(CallNotOpen) as refused:
        create_draft(researcher, call=call)

    assert str(refused.value).startswith(f"Concept summaries for {call.code} were due on ")
    assert str(refused.value).endswith("only teams invited to a full proposal can still submit. Choose an open call.")
    assert list(Call.objects.startable()) == []
    assert Proposal.objects.count() == 0


def test_starting_from_the_call_page_opens_the_concept_form(client, researcher):
    call = CallFactory(two_stage=True)
    client.force_login(researcher)

    response = client.post(reverse("projects:proposal_start"), {"call": str(call.public_id), "title": "Liver"})
    page = soup(client.get(response["Location"]))

    proposal = Proposal.objects.get()
    assert response["Location"] == reverse("projects:proposal_edit", args=[proposal.public_id])
    assert page.select_one("h1").get_text(strip=True) == "Concept summary “Liver”"
    assert {field["name"] for field in page.select("#proposal-form [name]")} == {
        "csrfmiddlewaretoken",
        "version",
        "title",
        "organisation",
        "summary",
        "why_microgravity",
        "research_areas",
        "needs",
        "hardware_unsure",
    }


def test_the_call_page_shows_both_deadlines_and_starts_a_concept(client, researcher):
    call = CallFactory(two_stage=True)
    client.force_login(researcher)

    page = soup(client.get(call.get_absolute_url()))

    assert page.select_one("[data-deadline=concept]").get_text(strip=True) == (
        f"{call.concept_closes_at:%-d %B %Y, %H:%M} UTC"
    )
    assert page.select_one("[data-deadline=full]").get_text(strip=True) == f"{call.closes_at:%-d %B %Y, %H:%M} UTC"
    assert page.find("a", string=f"Start a concept summary for {call.code}") is not None


def test_after_the_concept_deadline_the_call_page_offers_no_start(client, researcher):
    call = CallFactory(two_stage=True)
    Call.objects.filter(pk=call.pk).update(concept_closes_at=timezone.now() - timedelta(minutes=1))
    client.force_login(researcher)

    page = soup(client.get(call.get_absolute_url()))

    assert page.select_one("[data-concepts-closed]") is not None
    assert page.find("a", string=f"Start a concept summary for {call.code}") is None


def test_a_call_with_a_concept_step_needs_a_concept_deadline_inside_its_open_period():
    call = CallFactory.build(concept_step=True, concept_closes_at=None)

    with pytest.raises(Exception, match="call_concept_deadline_within"):
        call.save()


# --- The concept form and its checks ----------------------------------------------------------------------------


def test_a_concept_needs_its_short_form_only(researcher):
    proposal = concept(researcher, title="", summary="", why_microgravity="", research_areas=[], needs=[])

    assert [(item.section, item.field) for item in missing_for_submission(proposal)] == [
        ("Concept", "title"),
        ("Concept", "summary"),
        ("Concept", "why_microgravity"),
        ("Concept", "research_areas"),
        ("Concept", "needs"),
    ]
    assert missing_for_submission(concept(researcher)) == []


def test_a_concept_over_its_length_is_refused_and_kept(client, researcher):
    proposal = concept(researcher)
    long_summary = " ".join(["cells"] * CONCEPT_WORD_LIMIT)
    client.force_login(researcher)

    response = client.post(
        reverse("projects:proposal_edit", args=[proposal.public_id]),
        concept_post(**{**CONCEPT, "summary": long_summary, "action": "submit"}),
    )

    proposal.refresh_from_db()
    words = CONCEPT_WORD_LIMIT + len(CONCEPT["why_microgravity"].split())
    assert (proposal.status, proposal.summary) == (S.DRAFT, long_summary)
    problems = [item.get_text(strip=True) for item in soup(response).select("#submission-problems li")]
    assert problems == [
        f"Length: the summary and “why microgravity” come to {words:,} words; a concept summary is at most "
        f"{CONCEPT_WORD_LIMIT} words (about one page). Shorten them by {words - CONCEPT_WORD_LIMIT:,} words; the "
        "details belong in the full proposal"
    ]
    assert soup(response).select_one("#id_summary").get_text().strip() == long_summary


def test_a_concept_saves_its_fields_only(client, researcher):
    proposal = concept(researcher)
    client.force_login(researcher)

    client.post(
        reverse("projects:proposal_edit", args=[proposal.public_id]),
        concept_post(**{**CONCEPT, "title": "Bone loss", "uei": "J7M9HPTGJ1S8"}),
    )

    proposal.refresh_from_db()
    assert (proposal.title, proposal.uei) == ("Bone loss", "")
    assert save_draft(proposal, {"uei": "J7M9HPTGJ1S8"}, researcher) == set()


def test_submitting_a_concept_tells_staff_and_computes_matches(
    client, researcher, staff, django_capture_on_commit_callbacks
):
    CapabilityFactory(name="Bioreactor")
    proposal = concept(researcher)
    client.force_login(researcher)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:proposal_edit", args=[proposal.public_id]), concept_post(**CONCEPT, action="submit")
        )

    proposal.refresh_from_db()
    assert (response.status_code, proposal.status, proposal.stage) == (302, S.SUBMITTED, Stage.CONCEPT)
    note = Notification.objects.get(kind=NotificationKind.SUBMISSION)
    assert note.subject == f"New concept summary ({proposal.call.code}): Liver organoids in orbit"
    assert proposal.matched_at is not None
    assert list(Match.objects.filter(proposal=proposal).values_list("capability__name", flat=True)) == ["Bioreactor"]


def test_a_submitted_concept_shows_early_partner_suggestions_to_the_team_and_staff(
    client, researcher, staff, django_capture_on_commit_callbacks
):
    listing = CapabilityFactory(name="Bioreactor")
    proposal = concept(researcher)
    client.force_login(researcher)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("projects:proposal_edit", args=[proposal.public_id]), concept_post(**CONCEPT, action="submit")
        )

    team_page = soup(client.get(proposal.get_absolute_url()))
    client.force_login(staff)
    desk_page = soup(client.get(reverse("admin:projects_proposal_change", args=[proposal.pk])))

    assert [card["data-match"] for card in team_page.select(".suggestions [data-match]")] == [listing.external_id]
    assert team_page.select_one("[data-suggestions-state]")["data-suggestions-state"] == "stored"
    assert desk_page.select_one("#desk-matches-title").get_text(strip=True) == "Matches (1)"
    assert [row.select("th, td")[1].get_text(strip=True) for row in desk_page.select("[data-matches] tbody tr")] == [
        "Bioreactor"
    ]


def test_a_concept_cannot_be_submitted_after_the_concept_deadline(researcher):
    proposal = concept(researcher)
    Call.objects.filter(pk=proposal.call_id).update(concept_closes_at=timezone.now() - timedelta(minutes=1))
    proposal.refresh_from_db()

    with pytest.raises(CallNotOpen) as refused:
        submit_proposal(proposal, researcher)

    assert str(refused.value).endswith("it no longer accepts them. Your draft is saved.")


# --- A full proposal needs an invitation --------------------------------------------------------------------------


def test_a_full_proposal_cannot_move_onto_a_call_with_a_concept_step(client, researcher):
    proposal = ProposalFactory(owner=researcher, call=CallFactory(), summary="")
    two_stage = CallFactory(two_stage=True)
    client.force_login(researcher)

    response = client.post(
        reverse("projects:proposal_edit", args=[proposal.public_id]),
        proposal_data(proposal, call=str(two_stage.public_id), summary="Typed text"),
    )

    page = soup(response)
    proposal.refresh_from_db()
    assert (proposal.call_id, proposal.summary) != (two_stage.pk, "Typed text")
    assert page.select_one("#id_summary").get_text().strip() == "Typed text"
    assert page.select_one("#error_1_id_call").get_text(strip=True) == (
        f"{two_stage.code} takes a concept summary first: start a concept summary from the call's page. Its full "
        "proposals are written once program staff invite them."
    )
    with pytest.raises(NotInvited):
        save_draft(proposal, {"call": two_stage}, researcher)


def test_the_invited_full_proposal_starts_from_the_concept(client, researcher, staff):
    proposal = invited(researcher)
    client.force_login(researcher)

    page = soup(client.get(reverse("projects:proposal_edit", args=[proposal.public_id])))

    assert page.select_one("#id_title")["value"] == "Liver organoids in orbit"
    assert page.select_one("#id_summary").get_text().strip() == CONCEPT["summary"]
    assert page.select_one("#id_uei") is not None  # the full form
    assert "Add the sample return plan." in page.select_one("[data-invitation]").get_text()
    assert proposal.deadline == proposal.call.closes_at


def test_the_invited_full_proposal_is_submitted_after_the_concept_deadline(
    researcher, staff, django_capture_on_commit_callbacks
):
    proposal = invited(researcher)
    Proposal.objects.filter(pk=proposal.pk).update(
        uei="J7M9HPTGJ1S8",
        objectives="Measure size and function.",
        earth_benefit="Better liver models.",
        trl_current=4,
        trl_target=6,
        amount_requested=250000,
        attest_us_persons=True,
        attest_export_control=True,
    )
    NarrativeFactory(proposal=proposal)
    Call.objects.filter(pk=proposal.call_id).update(concept_closes_at=timezone.now() - timedelta(minutes=1))
    proposal.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        change = submit_proposal(proposal, researcher)

    proposal.refresh_from_db()
    assert (proposal.status, proposal.stage, proposal.submission_count) == (S.SUBMITTED, Stage.FULL, 2)
    assert change.note == "Full proposal submitted after the invitation."
    subjects = [n.subject for n in Notification.objects.filter(kind=NotificationKind.SUBMISSION).order_by("pk")]
    assert subjects == [f"New proposal ({proposal.call.code}): Liver organoids in orbit"]


def test_the_invited_full_proposal_is_refused_after_the_full_deadline(researcher, staff):
    proposal = invited(researcher)
    Call.objects.filter(pk=proposal.call_id).update(
        opens_at=timezone.now() - timedelta(days=30),
        concept_closes_at=timezone.now() - timedelta(days=20),
        closes_at=timezone.now() - timedelta(minutes=1),
    )
    proposal.refresh_from_db()

    with pytest.raises(SubmissionRefused) as refused:
        submit_proposal(proposal, researcher)

    assert "no longer accepts proposals. Your draft is saved." in str(refused.value)


# --- Who may see and move a concept -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status_code"),
    [("researcher", 200), ("staff", 200), ("researcher2", 404), ("provider_user", 404), ("outsider", 404)],
)
def test_a_concept_is_as_confidential_as_a_proposal(request, client, researcher, who, status_code):
    proposal = concept(researcher, status=S.SUBMITTED)
    client.force_login(request.getfixturevalue(who))

    assert client.get(proposal.get_absolute_url()).status_code == status_code


@pytest.mark.parametrize("who", ["researcher", "researcher2", "provider_user", "outsider"])
def test_only_staff_encourage_a_concept(request, researcher, who):
    proposal = concept(researcher, status=S.SUBMITTED)

    with pytest.raises(Exception, match="Only the program staff can move"):
        set_proposal_status(proposal, S.INVITED, request.getfixturevalue(who))


# --- The desk ---------------------------------------------------------------------------------------------------

LIST_URL = reverse("admin:projects_proposal_changelist")


def test_the_desk_filters_by_stage(client, researcher, staff):
    concept(researcher, status=S.SUBMITTED, title="A concept")
    ProposalFactory(owner=researcher, complete=True, status=S.SUBMITTED, title="A full proposal")
    client.force_login(staff)

    page = soup(client.get(f"{LIST_URL}?stage__exact=concept"))

    assert [a.get_text(strip=True) for a in page.select("#result_list tbody th.field-title_or_untitled")] == [
        "A concept"
    ]


def test_staff_encourage_concepts_in_bulk_with_a_note(client, researcher, staff, django_capture_on_commit_callbacks):
    concepts = [concept(researcher, status=S.SUBMITTED, title=f"Concept {n}") for n in (1, 2)]
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"{LIST_URL}?status__exact=all",
            {
                "action": "move_status",
                "_selected_action": [p.pk for p in concepts],
                "new_status": "invited",
                "note": "Please write the full proposal.",
                "apply": "yes",
            },
            follow=True,
        )

    assert sorted(Proposal.objects.values_list("status", "stage")) == [(S.INVITED, Stage.FULL)] * 2
    assert mail.outbox == []  # the decisions' e-mails wait in the outbox
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("projects:decision_outbox"), {"intent": "send_all"})
    assert sorted(message.subject for message in mail.outbox if message.to == [researcher.email]) == sorted(
        f"[LEO Portal] {p.call.code}: your concept summary “{p.title}” is encouraged" for p in concepts
    )
    assert all("Please write the full proposal." in message.body for message in mail.outbox)


def test_a_bulk_invitation_that_includes_a_full_proposal_moves_nothing(researcher, staff):
    concept_one = concept(researcher, status=S.SUBMITTED)
    full = ProposalFactory(owner=researcher, complete=True, status=S.SUBMITTED, submission_count=1)

    with pytest.raises(Exception) as refused:
        set_status_of_many([concept_one.pk, full.pk], S.INVITED, staff)

    assert [(proposal.pk, reason) for proposal, reason in refused.value.refusals] == [
        (
            full.pk,
            "A full proposal cannot move from “Submitted” to “Invited to a full proposal”: only a concept summary can.",
        )
    ]
    assert sorted(Proposal.objects.values_list("status", flat=True)) == [S.SUBMITTED, S.SUBMITTED]


# --- Where it stands ------------------------------------------------------------------------------------------


def test_the_stage_bar_of_a_two_stage_call(researcher, staff):
    submitted = concept(researcher, status=S.SUBMITTED)
    history = list(submitted.status_changes.all())
    progress = proposal_progress(submitted, history, 0, {})
    assert [(stage.label, stage.state, stage.detail) for stage in progress.stages] == [
        ("Concept", "current", "submitted"),
        ("Full proposal", "upcoming", ""),
        ("Under review", "upcoming", ""),
        ("Decision", "upcoming", ""),
    ]
    assert (
        progress.next_step == "Program staff read it and invite promising teams to a full proposal, or send feedback."
    )

    set_proposal_status(submitted, S.INVITED, staff)
    progress = proposal_progress(submitted, list(submitted.status_changes.all()), 3, {})
    assert [(stage.label, stage.state, stage.detail) for stage in progress.stages][:2] == [
        ("Concept", "done", ""),
        ("Full proposal", "current", "invited"),
    ]
    assert progress.where.startswith("Invited to a full proposal on ")
