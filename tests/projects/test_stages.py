"""The proposal page's stage bar: where a proposal stands, what happens next and when."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from projects.domain.queries import typical_days_in_status
from projects.domain.stages import proposal_progress
from projects.enums import ProposalStatus as S
from projects.models import StatusChange
from tests.projects.factories import CallFactory, ProposalFactory
from tests.utils import soup

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def moved(proposal, *steps):
    """Record status moves (from, to, days before NOW), oldest first, as set_proposal_status writes them."""
    for from_status, to_status, days_ago in steps:
        StatusChange.objects.create(
            proposal=proposal, from_status=from_status, to_status=to_status, changed_at=NOW - timedelta(days=days_ago)
        )
    proposal.status = steps[-1][1]
    proposal.save(update_fields=["status"])
    return list(proposal.status_changes.order_by("changed_at", "id"))


def states(progress):
    return [(stage.label, stage.state, stage.detail) for stage in progress.stages]


def test_a_draft_on_an_open_call_says_what_is_missing_and_the_deadline(researcher):
    call = CallFactory(code="NLRA 2027-1", opens_at=NOW - timedelta(days=10), closes_at=NOW + timedelta(days=20))
    proposal = ProposalFactory(owner=researcher, call=call, created_at=NOW - timedelta(days=3))

    progress = proposal_progress(proposal, [], missing_count=4, typical_days={}, now=NOW)

    assert states(progress) == [
        ("Draft", "current", ""),
        ("Submitted", "upcoming", ""),
        ("Under review", "upcoming", ""),
        ("Decision", "upcoming", ""),
    ]
    # timeuntil writes no-break spaces between numbers and their units.
    assert (progress.where, progress.next_step, progress.when) == (
        "A draft: only your team sees it.",
        "Complete the 4 items still needed (listed below), then submit it.",
        "NLRA 2027-1 closes on 21 March 2027, 12:00 UTC (2\xa0weeks, 6\xa0days left).",
    )


def test_a_draft_whose_call_closed_says_to_choose_another(researcher):
    call = CallFactory(code="NLRA 2026-9", opens_at=NOW - timedelta(days=60), closes_at=NOW - timedelta(days=1))
    proposal = ProposalFactory(owner=researcher, call=call)

    progress = proposal_progress(proposal, [], missing_count=0, typical_days={}, now=NOW)

    assert (progress.next_step, progress.when) == (
        "It has everything a submission needs: submit it when your team is ready.",
        "NLRA 2026-9 closed on 28 February 2027, 12:00 UTC: choose an open call in the form to submit it.",
    )


def test_a_submitted_proposal_says_how_long_screening_usually_takes(researcher):
    proposal = ProposalFactory(owner=researcher, created_at=NOW - timedelta(days=9))
    history = moved(proposal, ("", S.DRAFT, 9), (S.DRAFT, S.SUBMITTED, 2))

    progress = proposal_progress(
        proposal, history, missing_count=0, typical_days={S.SUBMITTED: [1.0, 4.2, 6.0, 30.0]}, now=NOW
    )

    assert states(progress) == [
        ("Draft", "done", ""),
        ("Submitted", "current", ""),
        ("Under review", "upcoming", ""),
        ("Decision", "upcoming", ""),
    ]
    assert [stage.reached for stage in progress.stages] == [
        NOW - timedelta(days=9),
        NOW - timedelta(days=2),
        None,
        None,
    ]
    assert (progress.where, progress.when) == (
        "Submitted on 27 February 2027.",
        "Screening has usually started within about 5 days of submission (the median of the last 4 proposals). "
        "It shows here when it moves, and an e-mail follows.",
    )


def test_with_fewer_than_three_earlier_proposals_no_duration_is_claimed(researcher):
    proposal = ProposalFactory(owner=researcher)
    history = moved(proposal, ("", S.DRAFT, 9), (S.DRAFT, S.SUBMITTED, 2), (S.SUBMITTED, S.SCREENING, 1))

    progress = proposal_progress(proposal, history, missing_count=0, typical_days={S.SCREENING: [3.0, 5.0]}, now=NOW)

    assert states(progress)[1] == ("Submitted", "current", "screening")
    assert progress.when == "It shows here as soon as it moves, and an e-mail follows."


def test_revisions_requested_is_under_review_and_waits_for_the_team(researcher):
    proposal = ProposalFactory(owner=researcher)
    history = moved(
        proposal,
        ("", S.DRAFT, 30),
        (S.DRAFT, S.SUBMITTED, 20),
        (S.SUBMITTED, S.SCREENING, 18),
        (S.SCREENING, S.REVISIONS_REQUESTED, 5),
    )

    progress = proposal_progress(proposal, history, missing_count=0, typical_days={}, now=NOW)

    assert states(progress)[2] == ("Under review", "current", "revisions requested")
    assert (progress.next_step, progress.when) == (
        "Revise it as their note says, then resubmit: it goes back to screening.",
        "It waits for you: nothing moves until you resubmit.",
    )


def test_a_decision_completes_every_stage(researcher):
    proposal = ProposalFactory(owner=researcher)
    history = moved(
        proposal,
        ("", S.DRAFT, 40),
        (S.DRAFT, S.SUBMITTED, 30),
        (S.SUBMITTED, S.SCREENING, 25),
        (S.SCREENING, S.UNDER_REVIEW, 20),
        (S.UNDER_REVIEW, S.ACCEPTED, 1),
    )

    progress = proposal_progress(proposal, history, missing_count=0, typical_days={}, now=NOW)

    assert states(progress) == [
        ("Draft", "done", ""),
        ("Submitted", "done", ""),
        ("Under review", "done", ""),
        ("Decision", "done", "accepted"),
    ]
    assert progress.where == "Accepted on 28 February 2027."


def test_a_withdrawn_proposal_stops_where_it_was_withdrawn(researcher):
    proposal = ProposalFactory(owner=researcher)
    history = moved(proposal, ("", S.DRAFT, 40), (S.DRAFT, S.SUBMITTED, 30), (S.SUBMITTED, S.WITHDRAWN, 3))

    progress = proposal_progress(proposal, history, missing_count=0, typical_days={}, now=NOW)

    assert states(progress) == [
        ("Draft", "done", ""),
        ("Submitted", "stopped", "withdrawn"),
        ("Under review", "upcoming", ""),
        ("Decision", "upcoming", ""),
    ]
    assert (progress.where, progress.next_step) == (
        "Withdrawn on 26 February 2027.",
        "It is no longer reviewed or matched to hardware.",
    )


def test_typical_days_are_the_time_proposals_spent_in_a_status_before_staff_moved_them(researcher):
    for days_in_screening in (2, 4, 9):
        moved(
            ProposalFactory(owner=researcher),
            (S.DRAFT, S.SUBMITTED, 20),
            (S.SUBMITTED, S.SCREENING, 20 - days_in_screening),
            (S.SCREENING, S.UNDER_REVIEW, 10),
        )
    # A withdrawal is the team's move: it says nothing about how long staff take.
    moved(ProposalFactory(owner=researcher), (S.DRAFT, S.SUBMITTED, 20), (S.SUBMITTED, S.WITHDRAWN, 1))

    days = typical_days_in_status()

    assert {status: sorted(values) for status, values in days.items()} == {
        S.SUBMITTED: [2.0, 4.0, 9.0],
        S.SCREENING: [1.0, 6.0, 8.0],
        S.UNDER_REVIEW: [],
    }


def test_the_proposal_page_shows_the_stage_bar(client, researcher):
    proposal = ProposalFactory(owner=researcher, complete=True)
    moved(proposal, ("", S.DRAFT, 9), (S.DRAFT, S.SUBMITTED, 2))
    client.force_login(researcher)

    bar = soup(client.get(reverse("projects:proposal_detail", args=[proposal.public_id]))).select_one(
        "[data-stage-bar]"
    )

    assert [(li["data-state"], li.get("aria-current")) for li in bar.select(".stage")] == [
        ("done", None),
        ("current", "step"),
        ("upcoming", None),
        ("upcoming", None),
    ]
    assert bar.select_one("[data-next]").get_text(strip=True) == (
        "Program staff screen it for flight feasibility (the operations screen) and then send it to review."
    )
