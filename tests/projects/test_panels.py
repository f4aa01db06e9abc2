"""Review panels: reviewers invited by e-mail for a call, assignments with conflicts as hard rules, and what a
reviewer may see (only assigned proposals, only while assigned, never the admin)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from leoportal.enums import Role
from leoportal.models import Notification
from leoportal.tasks import sweep_outboxes_task
from projects.domain import panels
from projects.domain.reviews import ReviewRefused, declare_conflict, save_draft, submit_review
from projects.enums import ProposalStatus
from projects.models import PanelMember, Review, ReviewAssignment, ReviewerInvitation
from projects.tasks import remind_overdue_reviews_task, send_reviewer_invitation_task
from tests.factories import ResearcherFactory, ReviewerFactory
from tests.projects.factories import (
    CallFactory,
    CoInvestigatorFactory,
    NarrativeFactory,
    PanelMemberFactory,
    ProposalFactory,
    ReviewRoundFactory,
)
from tests.utils import soup

pytestmark = pytest.mark.django_db

EXPERTISE = panels.Expertise(
    organisation="Pacific Stem Cell Center", research_areas=["organoids"], keywords="liver organoids", bio=""
)
SCORES = {
    "scientific_merit": "5",
    "need_for_microgravity": "4",
    "feasibility": "3",
    "value": "4",
    "operations": "pass",
    "comment": "Sound plan.",
}


@pytest.fixture
def call():
    return CallFactory(code="NLRA 2027-1", reviewers_per_proposal=2, max_reviews_per_reviewer=2)


@pytest.fixture
def reviewer(call):
    user = ReviewerFactory(email="reviewer@example.org", organisation="Pacific Stem Cell Center")
    PanelMemberFactory(call=call, reviewer=user)
    return user


def submitted(call, **kwargs):
    defaults = {"complete": True, "status": ProposalStatus.UNDER_REVIEW, "call": call}
    return ProposalFactory(**{**defaults, **kwargs})


@pytest.fixture
def proposal(call, researcher):
    return submitted(call, owner=researcher, title="Liver organoids in orbit")


def invitation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/panels/invitations/[^/\s]+/)", message.body).group(1)


def invite_and_send(call, email, by, capture):
    with capture(execute=True):
        invitation = panels.invite_reviewer(call, email, by)
    return invitation, invitation_link(mail.outbox[-1])


# --- Invitations ----------------------------------------------------------------------------------------------------


def test_inviting_a_reviewer_e_mails_a_link_once(call, staff, django_capture_on_commit_callbacks):
    invitation, link = invite_and_send(call, "expert@example.edu", staff, django_capture_on_commit_callbacks)

    send_reviewer_invitation_task(invitation.pk)  # a duplicate delivery of the task sends nothing

    invitation.refresh_from_db()
    assert (len(mail.outbox), mail.outbox[0].to, invitation.sent_at is not None) == (1, ["expert@example.edu"], True)
    assert link.startswith("/panels/invitations/")
    assert len(invitation.token_hash) == 64 and link.split("/")[-2] not in invitation.token_hash


def test_only_staff_invite_reviewers(call, researcher):
    with pytest.raises(panels.PanelError) as refused:
        panels.invite_reviewer(call, "expert@example.edu", researcher)

    assert (str(refused.value), ReviewerInvitation.objects.count()) == ("Only program staff invite reviewers.", 0)


def test_inviting_the_same_address_again_at_once_is_refused_by_the_send_limits(call, staff, settings):
    settings.INVITATION_RESEND_MINUTES = 10
    panels.invite_reviewer(call, "expert@example.edu", staff)

    with pytest.raises(panels.PanelError) as refused:
        panels.invite_reviewer(call, "Expert@example.edu", staff)

    assert str(refused.value).startswith("Expert@example.edu was invited to the NLRA 2027-1 panel less than 10 minutes")
    assert ReviewerInvitation.objects.count() == 1


def test_reviewer_invitations_count_towards_the_senders_daily_limit(call, staff, settings):
    settings.INVITATIONS_PER_SENDER_PER_DAY = 2
    panels.invite_reviewer(call, "one@example.edu", staff)
    panels.invite_reviewer(call, "two@example.edu", staff)

    with pytest.raises(panels.PanelError) as refused:
        panels.invite_reviewer(call, "three@example.edu", staff)

    assert str(refused.value).startswith("You have sent 2 invitations in the last 24 hours")


def test_accepting_joins_the_panel_with_expertise_and_organisation(call, staff, django_capture_on_commit_callbacks):
    invitation, _link = invite_and_send(call, "expert@example.edu", staff, django_capture_on_commit_callbacks)
    expert = ReviewerFactory(email="expert@example.edu", organisation="")

    panels.accept_reviewer_invitation(invitation, expert, EXPERTISE)

    expert.refresh_from_db()
    assert list(PanelMember.objects.values_list("call__code", "reviewer__email")) == [
        ("NLRA 2027-1", "expert@example.edu")
    ]
    assert (expert.organisation, expert.reviewer_profile.research_areas, expert.reviewer_profile.keywords) == (
        "Pacific Stem Cell Center",
        ["organoids"],
        "liver organoids",
    )


def test_an_invitation_works_once(call, staff, django_capture_on_commit_callbacks):
    invitation, _link = invite_and_send(call, "expert@example.edu", staff, django_capture_on_commit_callbacks)
    expert = ReviewerFactory(email="expert@example.edu")
    panels.accept_reviewer_invitation(invitation, expert, EXPERTISE)

    with pytest.raises(panels.PanelError) as refused:
        panels.accept_reviewer_invitation(invitation, expert, EXPERTISE)

    assert str(refused.value).startswith("This invitation has already been used.")


def test_an_invitation_is_for_the_invited_address_only(call, staff, django_capture_on_commit_callbacks):
    invitation, _link = invite_and_send(call, "expert@example.edu", staff, django_capture_on_commit_callbacks)
    someone_else = ReviewerFactory(email="someone@example.edu")

    with pytest.raises(panels.PanelError) as refused:
        panels.accept_reviewer_invitation(invitation, someone_else, EXPERTISE)

    assert str(refused.value).startswith("This invitation was sent to expert@example.edu, but you are signed in as")
    assert PanelMember.objects.count() == 0


def test_an_expired_invitation_is_refused(call, staff, django_capture_on_commit_callbacks):
    invitation, _link = invite_and_send(call, "expert@example.edu", staff, django_capture_on_commit_callbacks)
    ReviewerInvitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(days=20), expires_at=timezone.now() - timedelta(minutes=1)
    )
    invitation.refresh_from_db()

    with pytest.raises(panels.PanelError) as refused:
        panels.accept_reviewer_invitation(invitation, ReviewerFactory(email="expert@example.edu"), EXPERTISE)

    assert str(refused.value) == "This invitation expired. Ask program staff to send you a new one."


def test_invitation_page_asks_for_expertise_and_joins_the_panel(
    client, call, staff, django_capture_on_commit_callbacks
):
    _invitation, link = invite_and_send(call, "expert@example.edu", staff, django_capture_on_commit_callbacks)
    client.force_login(ReviewerFactory(email="expert@example.edu"))

    missing = client.post(link, {"organisation": "Pacific Stem Cell Center", "keywords": "organoids"})
    joined = client.post(
        link, {"organisation": "Pacific Stem Cell Center", "research_areas": ["organoids"], "keywords": "organoids"}
    )
    again = client.get(link)

    assert missing.status_code == 400
    assert soup(missing).select_one("#id_keywords")["value"] == "organoids"  # what was typed is kept
    assert "Choose at least one research area you can judge." in missing.content.decode()
    assert (joined.status_code, joined.url) == (302, reverse("projects:review_list"))
    assert again.status_code == 410


def test_a_stale_sweep_sends_reviewer_invitations_the_broker_never_got(call, staff, django_capture_on_commit_callbacks):
    invitation = ReviewerInvitation.objects.create(
        call=call,
        email="late@example.edu",
        invited_by=staff,
        created_at=timezone.now() - timedelta(minutes=10),
        expires_at=timezone.now() + timedelta(days=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        queued = sweep_outboxes_task()["projects.reviewer_invitations"]

    assert queued == 1
    invitation.refresh_from_db()
    assert (invitation.sent_at is not None, [m.to for m in mail.outbox]) == (True, [["late@example.edu"]])


# --- Conflicts and assignment rules ---------------------------------------------------------------------------------


def test_assigning_a_panel_reviewer_records_who_and_when(proposal, reviewer, staff):
    panels.assign([(proposal, reviewer)], staff)

    assert list(ReviewAssignment.objects.values_list("proposal__title", "reviewer__email", "assigned_by__email")) == [
        ("Liver organoids in orbit", "reviewer@example.org", "staff@example.org")
    ]


@pytest.mark.parametrize(
    ("arrange", "reason"),
    [
        (
            "same_organisation",
            "cannot review “Liver organoids in orbit”: works at Pacific Stem Cell Center, the proposal's organisation.",
        ),
        ("on_team", "cannot review “Liver organoids in orbit”: is on its team."),
        (
            "co_investigator_organisation",
            "cannot review “Liver organoids in orbit”: works at Pacific Stem Cell "
            "Center, the organisation of co-investigator Dana Wu.",
        ),
        ("declared", "cannot review “Liver organoids in orbit”: declared a conflict of interest with it."),
    ],
)
def test_a_conflict_of_interest_is_never_assigned(proposal, reviewer, staff, arrange, reason):
    if arrange == "same_organisation":
        proposal.organisation = " Pacific Stem Cell Center "
        proposal.save()
        reviewer.organisation = "pacific stem cell CENTER"  # compared ignoring case and surrounding spaces
        reviewer.save()
    elif arrange == "on_team":
        CoInvestigatorFactory(proposal=proposal, name="R", email=reviewer.email, user=reviewer, access="view")
    elif arrange == "co_investigator_organisation":
        CoInvestigatorFactory(proposal=proposal, name="Dana Wu", organisation="Pacific Stem Cell Center")
    else:
        Review.objects.create(proposal=proposal, reviewer=reviewer, conflict_of_interest=True)

    with pytest.raises(panels.PanelError) as refused:
        panels.assign([(proposal, reviewer)], staff)

    assert str(refused.value) == f"{reviewer.display_name} {reason}"
    assert ReviewAssignment.objects.count() == 0


def test_a_reviewer_not_on_the_calls_panel_is_not_assigned(proposal, staff):
    outsider = ReviewerFactory()

    with pytest.raises(panels.PanelError) as refused:
        panels.assign([(proposal, outsider)], staff)

    assert str(refused.value) == f"{outsider.display_name} is not on the NLRA 2027-1 panel: invite them first."


def test_the_most_proposals_per_reviewer_is_respected_and_bulk_is_all_or_nothing(call, reviewer, staff):
    first, second, third = (submitted(call, title=f"Study {n}") for n in (1, 2, 3))

    with pytest.raises(panels.PanelError) as refused:
        panels.assign([(first, reviewer), (second, reviewer), (third, reviewer)], staff)

    assert str(refused.value) == (
        f"{reviewer.display_name} already has 2 proposals of NLRA 2027-1, the most per reviewer; unassign one or "
        "raise the limit on the call."
    )
    assert ReviewAssignment.objects.count() == 0


def test_bulk_assignment_lists_every_problem(call, reviewer, staff):
    draft = ProposalFactory(call=call, title="A draft")
    own = submitted(call, title="Own organisation", organisation="Pacific Stem Cell Center")

    with pytest.raises(panels.PanelError) as refused:
        panels.assign([(draft, reviewer), (own, reviewer)], staff)

    assert str(refused.value) == (
        "“A draft” is “Draft”: only submitted proposals are reviewed. "
        f"{reviewer.display_name} cannot review “Own organisation”: works at Pacific Stem Cell Center, the "
        "proposal's organisation."
    )


def test_reviewers_per_proposal_is_respected(proposal, call, reviewer, staff):
    others = [PanelMemberFactory(call=call).reviewer for _ in range(2)]
    panels.assign([(proposal, others[0]), (proposal, others[1])], staff)

    with pytest.raises(panels.PanelError) as refused:
        panels.assign([(proposal, reviewer)], staff)

    assert str(refused.value).startswith("“Liver organoids in orbit” already has 2 reviewers")


def test_declaring_a_conflict_frees_the_assignment_and_it_is_not_assigned_again(proposal, reviewer, staff):
    panels.assign([(proposal, reviewer)], staff)

    declare_conflict(proposal, reviewer, "We share a grant.")

    assert (ReviewAssignment.objects.count(), Review.objects.get().conflict_of_interest) == (0, True)
    with pytest.raises(panels.PanelError):
        panels.assign([(proposal, reviewer)], staff)


# --- What a reviewer sees -------------------------------------------------------------------------------------------


def review_url(proposal):
    return reverse("projects:review_proposal", args=[proposal.public_id])


def test_permission_matrix_for_the_reviewer_role(client, proposal, reviewer, staff):
    """Assigned: the proposal and its PDF; unassigned, after unassignment, after a declared conflict: 404; the
    team's pages and the admin: never."""
    narrative = NarrativeFactory(proposal=proposal)
    file_url = reverse("projects:review_attachment", args=[proposal.public_id, narrative.public_id])
    other = submitted(proposal.call, title="Not assigned")
    client.force_login(reviewer)

    before = client.get(review_url(proposal)).status_code
    panels.assign([(proposal, reviewer)], staff)
    assigned = (client.get(review_url(proposal)).status_code, client.get(file_url).status_code)
    unassigned = client.get(review_url(other)).status_code
    team_page = client.get(proposal.get_absolute_url()).status_code
    admin = client.get(reverse("admin:projects_proposal_changelist"))
    panels.unassign(ReviewAssignment.objects.get(), staff)
    after_unassignment = (client.get(review_url(proposal)).status_code, client.get(file_url).status_code)
    panels.assign([(proposal, reviewer)], staff)
    client.post(reverse("projects:review_conflict", args=[proposal.public_id]), {"note": ""})
    after_conflict = client.get(review_url(proposal)).status_code

    assert (before, assigned, unassigned, team_page) == (404, (200, 200), 404, 404)
    assert (admin.status_code, admin.url.startswith(reverse("admin:login"))) == (302, True)
    assert (after_unassignment, after_conflict) == ((404, 404), 404)


@pytest.mark.parametrize("who", ["researcher2", "provider_user", "outsider"])
def test_others_never_see_the_review_page(client, request, proposal, reviewer, staff, who):
    panels.assign([(proposal, reviewer)], staff)
    client.force_login(request.getfixturevalue(who))

    assert client.get(review_url(proposal)).status_code == 404


def test_the_team_does_not_reach_the_review_page(client, proposal, researcher):
    client.force_login(researcher)

    assert client.get(review_url(proposal)).status_code == 404


def test_the_reviewer_lists_only_their_assignments_and_submits_a_review(client, call, proposal, reviewer, staff):
    other = submitted(call, title="Someone else's")
    panels.assign([(proposal, reviewer)], staff)
    panels.assign([(other, PanelMemberFactory(call=call).reviewer)], staff)
    client.force_login(reviewer)

    before = [
        row["data-assignment"] for row in soup(client.get(reverse("projects:review_list"))).select("[data-assignment]")
    ]
    response = client.post(review_url(proposal), SCORES)
    states = [
        tag["data-review-state"]
        for tag in soup(client.get(reverse("projects:review_list"))).select("[data-review-state]")
    ]

    assert before == [str(proposal.public_id)]
    assert (response.status_code, Review.objects.get().reviewer, Review.objects.get().overall) == (302, reviewer, 4.0)
    assert states == ["done"]


def test_a_review_with_a_score_missing_is_refused_and_keeps_what_was_typed(client, proposal, reviewer, staff):
    panels.assign([(proposal, reviewer)], staff)
    client.force_login(reviewer)

    response = client.post(review_url(proposal), {**SCORES, "feasibility": "", "comment": "Half done"})

    assert (response.status_code, Review.objects.count()) == (400, 0)
    assert "Score feasibility from 1 to 5." in response.content.decode()
    assert soup(response).select_one("textarea[name=comment]").text.strip() == "Half done"


def test_a_reviewer_account_lands_on_its_reviews(client, reviewer):
    client.force_login(reviewer)

    response = client.get(reverse("dashboard"))

    assert (response.status_code, response.url, reviewer.role) == (302, reverse("projects:review_list"), Role.REVIEWER)


# --- The panel page at the desk -------------------------------------------------------------------------------------


def panel_url(call):
    return reverse("admin:projects_call_panel", args=[call.pk])


def test_staff_invite_from_the_panel_page(client, call, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(panel_url(call), {"intent": "invite", "email": "expert@example.edu"})

    assert (response.status_code, [m.to for m in mail.outbox]) == (302, [["expert@example.edu"]])


def test_staff_assign_in_bulk_and_unassign_from_the_panel_page(client, call, reviewer, staff):
    first, second = submitted(call, title="First"), submitted(call, title="Second")
    client.force_login(staff)

    client.post(panel_url(call), {"intent": "assign", "reviewer": reviewer.pk, "proposal": [first.pk, second.pk]})
    page = soup(client.get(panel_url(call)))
    assignment = ReviewAssignment.objects.get(proposal=first)
    client.post(panel_url(call), {"intent": "unassign", "assignment": assignment.pk})

    assert page.select_one(f'[data-member="{reviewer.email}"] [data-load]').text == "2 of 2"
    assert list(ReviewAssignment.objects.values_list("proposal__title", flat=True)) == ["Second"]


def test_the_panel_page_is_for_staff_only(client, call, reviewer):
    client.force_login(reviewer)

    response = client.get(panel_url(call))

    assert (response.status_code, response.url.startswith(reverse("admin:login"))) == (302, True)


def test_a_researcher_on_a_panel_keeps_their_own_role(call, staff, django_capture_on_commit_callbacks):
    invitation, _link = invite_and_send(call, "pi@example.edu", staff, django_capture_on_commit_callbacks)
    pi = ResearcherFactory(email="pi@example.edu")

    panels.accept_reviewer_invitation(invitation, pi, EXPERTISE)

    pi.refresh_from_db()
    assert (pi.role, PanelMember.objects.filter(reviewer=pi).count()) == (Role.RESEARCHER, 1)


# --- Drafts and "submit and review the next" ------------------------------------------------------------------------


def test_a_draft_keeps_what_is_there_and_counts_nowhere_until_submitted(client, call, proposal, reviewer, staff):
    panels.assign([(proposal, reviewer)], staff)
    client.force_login(reviewer)

    saved = client.post(review_url(proposal), {"intent": "draft", "feasibility": "2", "comment": "Half way"})
    draft = Review.objects.get()
    states = [
        tag["data-review-state"]
        for tag in soup(client.get(reverse("projects:review_list"))).select("td [data-review-state]")
    ]
    desk = Review.objects.scored().count()
    submitted_response = client.post(review_url(proposal), {**SCORES, "intent": "submit"})

    assert (saved.status_code, draft.feasibility, draft.scientific_merit, draft.comment) == (302, 2, None, "Half way")
    assert (draft.is_draft, states, desk) == (True, ["draft"], 0)
    assert (submitted_response.status_code, Review.objects.scored().count()) == (302, 1)


def test_a_submitted_review_is_not_turned_back_into_a_draft(proposal, reviewer, staff):
    panels.assign([(proposal, reviewer)], staff)
    submit_review(proposal, reviewer, **{**SCORES, "comment": "Done"})

    with pytest.raises(ReviewRefused):
        save_draft(proposal, reviewer, feasibility=1)

    assert Review.objects.get().feasibility == 3


def test_submit_and_next_opens_the_next_proposal_still_to_review(client, call, proposal, reviewer, staff):
    second = submitted(call, title="Second")
    panels.assign([(proposal, reviewer), (second, reviewer)], staff)
    client.force_login(reviewer)

    first = client.post(review_url(proposal), {**SCORES, "intent": "submit_next"})
    last = client.post(review_url(second), {**SCORES, "intent": "submit_next"})

    assert (first.status_code, first.url) == (302, review_url(second))
    assert (last.status_code, last.url) == (302, reverse("projects:review_list"))


def test_the_assigned_reviewer_reads_a_pdf_in_the_browser_or_downloads_it(client, proposal, reviewer, staff):
    narrative = NarrativeFactory(proposal=proposal)
    panels.assign([(proposal, reviewer)], staff)
    client.force_login(reviewer)
    url = reverse("projects:review_attachment", args=[proposal.public_id, narrative.public_id])

    page = soup(client.get(review_url(proposal)))
    viewed, downloaded = client.get(f"{url}?view=1"), client.get(url)

    assert page.select_one("[data-read-in-browser]")["href"] == f"{url}?view=1"
    assert viewed["Content-Disposition"].startswith("inline;")
    assert downloaded["Content-Disposition"].startswith("attachment;")


# --- Overdue reviews ------------------------------------------------------------------------------------------------


def test_an_overdue_review_reminds_its_reviewer_once_and_shows_as_overdue(
    client, call, proposal, reviewer, staff, django_capture_on_commit_callbacks
):
    review_round = ReviewRoundFactory(call=call, name="Full proposal review")
    done_proposal = submitted(call, title="Done already")
    panels.assign([(proposal, reviewer), (done_proposal, reviewer)], staff)
    submit_review(done_proposal, reviewer, **SCORES)
    review_round.opens_at = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
    review_round.closes_at = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
    review_round.save()

    with django_capture_on_commit_callbacks(execute=True):
        first = remind_overdue_reviews_task()
    with django_capture_on_commit_callbacks(execute=True):
        second = remind_overdue_reviews_task()
    client.force_login(reviewer)
    overdue_rows = [
        row["data-assignment"]
        for row in soup(client.get(reverse("projects:review_list"))).select("[data-assignment]")
        if row.select_one("[data-overdue]")
    ]
    client.force_login(staff)
    panel = soup(client.get(reverse("admin:projects_call_panel", args=[call.pk])))

    assert (first, second, Notification.objects.filter(recipient=reviewer).count()) == (1, 0, 1)
    assert [m.to for m in mail.outbox] == [["reviewer@example.org"]]
    assert mail.outbox[0].subject.endswith("Your review of “Liver organoids in orbit” is overdue")
    assert Notification.objects.get(recipient=reviewer).body == (
        "Reviews for NLRA 2027-1 (Full proposal review) were due on 3 March 2026. Please submit your review of "
        "“Liver organoids in orbit”, or tell us of a conflict of interest on its page."
    )
    assert overdue_rows == [str(proposal.public_id)]
    assert panel.select_one(f'[data-member="{reviewer.email}"] [data-overdue]').text == "1"


def test_no_reminder_before_the_due_date(call, proposal, reviewer, staff):
    ReviewRoundFactory(call=call, closes_at=timezone.now() + timedelta(days=1))
    panels.assign([(proposal, reviewer)], staff)

    assert remind_overdue_reviews_task() == 0
