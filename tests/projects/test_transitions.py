"""The transition table: every allowed move by the right person works and is recorded; every other is refused."""

import itertools

import pytest
from django.conf import settings
from django.core import mail

from leoportal.enums import NotificationKind
from leoportal.models import Notification
from projects.domain.decisions import send_decisions
from projects.domain.transitions import (
    PI,
    STAFF,
    STAGE_OF_MOVE,
    TRANSITIONS,
    IllegalTransition,
    TransitionNotAllowed,
    allowed_moves,
    set_proposal_status,
)
from projects.enums import Access, ProposalStatus, Stage
from projects.models import DECISION_STATUSES, DecisionEmail, StatusChange
from tests.projects.factories import CallFactory, CoInvestigatorFactory, NarrativeFactory, ProposalFactory

pytestmark = pytest.mark.django_db

S = ProposalStatus
ILLEGAL = [pair for pair in itertools.product(S, S) if pair not in TRANSITIONS]


def proposal_in(status, owner, stage=Stage.FULL, **values):
    two_stage = stage == Stage.CONCEPT or status == S.INVITED
    values.setdefault("call", CallFactory(two_stage=two_stage))
    proposal = ProposalFactory(
        owner=owner,
        status=status,
        complete=True,
        submission_count=0 if status == S.DRAFT else 1,
        stage=stage,
        **values,
    )
    NarrativeFactory(proposal=proposal)
    return proposal


def test_the_table_matches_the_status_model():
    assert {pair: str(actor) for pair, actor in TRANSITIONS.items()} == {
        (S.DRAFT, S.SUBMITTED): "principal investigator",
        (S.REVISIONS_REQUESTED, S.SUBMITTED): "principal investigator",
        (S.SUBMITTED, S.WITHDRAWN): "principal investigator",
        (S.SCREENING, S.WITHDRAWN): "principal investigator",
        (S.UNDER_REVIEW, S.WITHDRAWN): "principal investigator",
        (S.REVISIONS_REQUESTED, S.WITHDRAWN): "principal investigator",
        (S.SUBMITTED, S.SCREENING): "program staff",
        (S.SCREENING, S.UNDER_REVIEW): "program staff",
        (S.SCREENING, S.REVISIONS_REQUESTED): "program staff",
        (S.SCREENING, S.DECLINED): "program staff",
        (S.UNDER_REVIEW, S.REVISIONS_REQUESTED): "program staff",
        (S.UNDER_REVIEW, S.ACCEPTED): "program staff",
        (S.UNDER_REVIEW, S.DECLINED): "program staff",
        (S.SUBMITTED, S.INVITED): "program staff",
        (S.SUBMITTED, S.DECLINED): "program staff",
        (S.INVITED, S.SUBMITTED): "principal investigator",
        (S.INVITED, S.WITHDRAWN): "principal investigator",
        (S.SUBMITTED, S.DRAFT): "principal investigator",
    }
    assert STAGE_OF_MOVE == {
        (S.SUBMITTED, S.INVITED): Stage.CONCEPT,
        (S.SUBMITTED, S.DECLINED): Stage.CONCEPT,
        (S.SUBMITTED, S.SCREENING): Stage.FULL,
    }


@pytest.mark.parametrize(("current", "target"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
@pytest.mark.parametrize("actor", ["researcher", "staff"])
def test_every_move_outside_the_table_is_refused(request, researcher, current, target, actor):
    proposal = proposal_in(current, researcher)

    with pytest.raises(IllegalTransition) as refused:
        set_proposal_status(proposal, target, request.getfixturevalue(actor))

    assert str(refused.value) == f"A proposal cannot move from “{current.label}” to “{target.label}”."
    proposal.refresh_from_db()
    assert proposal.status == current
    assert StatusChange.objects.count() == 0


MOVES = list(TRANSITIONS.items())


@pytest.mark.parametrize(("move", "actor"), MOVES, ids=[f"{a}->{b}" for (a, b), _ in MOVES])
@pytest.mark.parametrize("who", ["wrong_side", "researcher2_editor", "outsider", "provider_user"])
def test_a_move_by_the_wrong_person_is_refused(request, researcher, staff, researcher2, move, actor, who):
    current, target = move
    proposal = proposal_in(current, researcher, STAGE_OF_MOVE.get(move, Stage.FULL))
    CoInvestigatorFactory(proposal=proposal, user=researcher2, access=Access.EDIT, email=researcher2.email)
    person = {
        "wrong_side": staff if actor == PI else researcher,
        "researcher2_editor": researcher2,
    }.get(who) or request.getfixturevalue(who)

    with pytest.raises(TransitionNotAllowed) as refused:
        set_proposal_status(proposal, target, person)

    assert str(refused.value) == (f"Only the {actor} can move a proposal from “{current.label}” to “{target.label}”.")
    proposal.refresh_from_db()
    assert proposal.status == current


@pytest.mark.parametrize(("move", "actor"), MOVES, ids=[f"{a}->{b}" for (a, b), _ in MOVES])
def test_each_allowed_move_is_recorded_and_the_rest_of_the_team_emailed(
    researcher, researcher2, staff, django_capture_on_commit_callbacks, move, actor
):
    current, target = move
    proposal = proposal_in(current, researcher, STAGE_OF_MOVE.get(move, Stage.FULL), title="Liver organoids")
    CoInvestigatorFactory(proposal=proposal, user=researcher2, access=Access.VIEW, email=researcher2.email)
    CoInvestigatorFactory(proposal=proposal, email="not-joined@example.edu")  # no account: not e-mailed
    person = researcher if actor == PI else staff

    with django_capture_on_commit_callbacks(execute=True):
        change = set_proposal_status(proposal, target, person, note="  A note.  ")

    proposal.refresh_from_db()
    assert proposal.status == target
    assert proposal.status_changed_at == change.changed_at
    assert (change.proposal, change.from_status, change.to_status, change.changed_by, change.note) == (
        proposal,
        current,
        target,
        person,
        "A note.",
    )
    team_mail = sorted(message.to[0] for message in mail.outbox if message.to[0] != staff.email)
    expected = [researcher2.email] if actor == PI else sorted([researcher.email, researcher2.email])
    status_notes = Notification.objects.filter(kind=NotificationKind.STATUS_CHANGE)
    if actor == STAFF and target in DECISION_STATUSES:
        # A decision's e-mail waits in the outbox as a draft until staff send it.
        assert team_mail == []
        draft = DecisionEmail.objects.get(status_change=change)
        assert (draft.decision, draft.sent_at, status_notes.count()) == (target, None, 0)
        with django_capture_on_commit_callbacks(execute=True):
            send_decisions([draft], staff)
        team_mail = sorted(message.to[0] for message in mail.outbox if message.to[0] != staff.email)
        assert {n.dedupe_key for n in status_notes} == {f"decision:{draft.public_id}"}
    else:
        assert DecisionEmail.objects.filter(status_change=change).exists() is False
        assert {n.dedupe_key for n in status_notes} == {f"status:{proposal.public_id}:{change.pk}"}
    assert team_mail == expected
    assert "A note." in status_notes.first().body


def test_status_e_mail_says_what_happened(researcher, staff, django_capture_on_commit_callbacks):
    proposal = proposal_in(S.SCREENING, researcher, title="Liver organoids")

    with django_capture_on_commit_callbacks(execute=True):
        set_proposal_status(proposal, S.UNDER_REVIEW, staff, note="The panel reads it this month.")

    message = mail.outbox[0]
    assert (message.subject, message.to) == (
        "[LEO Portal] “Liver organoids” is under review",
        [researcher.email],
    )
    assert message.body.splitlines()[2:7] == [
        "Your proposal “Liver organoids” is under review.",
        "Program staff moved it from “Screening” to “Under review”.",
        "",
        "Note:",
        "The panel reads it this month.",
    ]


def sent_decision(change, staff, capture) -> list[str]:
    """Send the draft ``change`` left in the outbox; the lines of the e-mail the principal investigator got."""
    draft = DecisionEmail.objects.get(status_change=change)
    assert mail.outbox == []  # nothing went before staff sent it
    with capture(execute=True):
        send_decisions([draft], staff)
    (message,) = mail.outbox
    return message.body.splitlines()


def test_allowed_moves_depend_on_who_asks(researcher, staff, outsider):
    proposal = proposal_in(S.SCREENING, researcher)

    assert allowed_moves(proposal, staff) == [S.UNDER_REVIEW, S.REVISIONS_REQUESTED, S.DECLINED]
    assert allowed_moves(proposal, researcher) == [S.WITHDRAWN]
    assert allowed_moves(proposal, outsider) == []


def test_staff_cannot_submit_on_behalf_of_a_researcher(researcher, staff):
    proposal = proposal_in(S.DRAFT, researcher)

    with pytest.raises(TransitionNotAllowed):
        set_proposal_status(proposal, S.SUBMITTED, staff)


def test_withdrawing_from_the_proposal_page(client, researcher, staff, django_capture_on_commit_callbacks):
    from django.urls import reverse

    proposal = proposal_in(S.UNDER_REVIEW, researcher)
    client.force_login(researcher)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:proposal_withdraw", args=[proposal.public_id]), {"note": "Moving to a ground study."}
        )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == S.WITHDRAWN
    assert StatusChange.objects.get(to_status=S.WITHDRAWN).note == "Moving to a ground study."


def test_withdrawing_needs_post(client, researcher):
    from django.urls import reverse

    proposal = proposal_in(S.SUBMITTED, researcher)
    client.force_login(researcher)

    assert client.get(reverse("projects:proposal_withdraw", args=[proposal.public_id])).status_code == 405
    proposal.refresh_from_db()
    assert proposal.status == S.SUBMITTED


def test_staff_are_told_when_a_proposal_is_withdrawn(researcher, staff, django_capture_on_commit_callbacks):
    proposal = proposal_in(S.SCREENING, researcher, title="Bone study", call=None)

    with django_capture_on_commit_callbacks(execute=True):
        set_proposal_status(proposal, S.WITHDRAWN, researcher, note="Moving to a ground study.")

    note = Notification.objects.get(recipient=staff)
    assert (note.kind, note.subject, note.body) == (
        NotificationKind.STATUS_CHANGE,
        "Withdrawn (unsolicited): Bone study",
        f"{researcher.display_name} withdrew “Bone study” (unsolicited).\n\nReason given:\nMoving to a ground study.",
    )
    assert [message.to for message in mail.outbox] == [[staff.email]]


# --- The concept stage ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "target", "message"),
    [
        (
            Stage.FULL,
            S.INVITED,
            "A full proposal cannot move from “Submitted” to “Invited to a full proposal”: only a concept summary can.",
        ),
        (
            Stage.FULL,
            S.DECLINED,
            "A full proposal cannot move from “Submitted” to “Declined”: only a concept summary can.",
        ),
        (
            Stage.CONCEPT,
            S.SCREENING,
            "A concept summary cannot move from “Submitted” to “Screening”: only a full proposal can.",
        ),
    ],
)
def test_a_move_of_the_other_stage_is_refused(researcher, staff, stage, target, message):
    proposal = proposal_in(S.SUBMITTED, researcher, stage)

    with pytest.raises(IllegalTransition) as refused:
        set_proposal_status(proposal, target, staff)

    assert str(refused.value) == message
    proposal.refresh_from_db()
    assert (proposal.status, proposal.stage, StatusChange.objects.count()) == (S.SUBMITTED, stage, 0)


def test_staff_are_offered_encourage_or_decline_for_a_submitted_concept(researcher, staff):
    concept = proposal_in(S.SUBMITTED, researcher, Stage.CONCEPT)
    full = proposal_in(S.SUBMITTED, researcher)

    assert allowed_moves(concept, staff) == [S.INVITED, S.DECLINED]
    assert allowed_moves(full, staff) == [S.SCREENING]
    assert allowed_moves(concept, researcher) == [S.WITHDRAWN, S.DRAFT]


def test_an_invitation_moves_the_concept_on_to_the_full_proposal_with_every_answer(
    researcher, staff, django_capture_on_commit_callbacks
):
    proposal = proposal_in(S.SUBMITTED, researcher, Stage.CONCEPT, title="Liver organoids")

    with django_capture_on_commit_callbacks(execute=True):
        change = set_proposal_status(proposal, S.INVITED, staff, note="Strong concept: add the return plan.")

    proposal.refresh_from_db()
    assert (proposal.status, proposal.stage, proposal.title) == (S.INVITED, Stage.FULL, "Liver organoids")
    assert (change.stage, change.note) == (Stage.CONCEPT, "Strong concept: add the return plan.")
    body = sent_decision(change, staff, django_capture_on_commit_callbacks)
    assert body[2:9] == [
        f"Dear {researcher.display_name},",
        "",
        "Program staff read your concept summary “Liver organoids” for "
        f"{proposal.call.code} and encourage you to submit a full proposal. The full proposal is open now, filled in "
        "from your concept: complete it and submit it by "
        f"{proposal.call.closes_at:%-d %B %Y, %H:%M} UTC.",
        "",
        "Strong concept: add the return plan.",
        "",
        f"Your proposal: {settings.SITE_URL}{proposal.get_absolute_url()}",
    ]


def test_a_declined_concept_tells_the_team_with_the_feedback(researcher, staff, django_capture_on_commit_callbacks):
    proposal = proposal_in(S.SUBMITTED, researcher, Stage.CONCEPT, title="Liver organoids")

    with django_capture_on_commit_callbacks(execute=True):
        change = set_proposal_status(proposal, S.DECLINED, staff, note="Outside the call's focus.")

    proposal.refresh_from_db()
    assert (proposal.status, proposal.stage) == (S.DECLINED, Stage.CONCEPT)
    assert sent_decision(change, staff, django_capture_on_commit_callbacks)[4:7] == [
        f"Thank you for your concept summary “Liver organoids” for {proposal.call.code}. After review, program staff "
        "are not able to take it further in this call.",
        "",
        "Outside the call's focus.",
    ]
