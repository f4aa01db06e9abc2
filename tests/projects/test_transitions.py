"""The transition table: every allowed move by the right person works and is recorded; every other is refused."""

import itertools

import pytest
from django.core import mail

from leoportal.enums import NotificationKind
from leoportal.models import Notification
from projects.domain.transitions import (
    PI,
    TRANSITIONS,
    IllegalTransition,
    TransitionNotAllowed,
    allowed_moves,
    set_proposal_status,
)
from projects.enums import Access, ProposalStatus
from projects.models import StatusChange
from tests.projects.factories import CallFactory, CoInvestigatorFactory, NarrativeFactory, ProposalFactory

pytestmark = pytest.mark.django_db

S = ProposalStatus
ILLEGAL = [pair for pair in itertools.product(S, S) if pair not in TRANSITIONS]


def proposal_in(status, owner, **values):
    values.setdefault("call", CallFactory())
    proposal = ProposalFactory(
        owner=owner,
        status=status,
        complete=True,
        submission_count=0 if status == S.DRAFT else 1,
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
    proposal = proposal_in(current, researcher)
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
    proposal = proposal_in(current, researcher, title="Liver organoids")
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
    assert team_mail == expected
    status_notes = Notification.objects.filter(kind=NotificationKind.STATUS_CHANGE)
    assert {n.dedupe_key for n in status_notes} == {f"status:{proposal.public_id}:{change.pk}"}
    assert "A note." in status_notes.first().body


def test_status_e_mail_says_what_happened(researcher, staff, django_capture_on_commit_callbacks):
    proposal = proposal_in(S.UNDER_REVIEW, researcher, title="Liver organoids")

    with django_capture_on_commit_callbacks(execute=True):
        set_proposal_status(proposal, S.REVISIONS_REQUESTED, staff, note="Please state the launch window.")

    message = mail.outbox[0]
    assert (message.subject, message.to) == (
        "[LEO Portal] “Liver organoids” needs revisions",
        [researcher.email],
    )
    assert message.body.splitlines()[2:9] == [
        "Your proposal “Liver organoids” needs revisions.",
        "Program staff moved it from “Under review” to “Revisions requested”.",
        "",
        "Note:",
        "Please state the launch window.",
        "",
        "You can edit the proposal again and resubmit it when it is ready.",
    ]


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
