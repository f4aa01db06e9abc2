"""Review rounds: the round a new assignment joins, the rules on a call's rounds, the window in which reviewers
submit, and what the desk and the panel page show of each round."""

import importlib
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from projects.domain import panels
from projects.domain.panel_suggestions import accept_suggestions
from projects.domain.reviews import RoundNotOpen, submit_review
from projects.domain.rounds import current_round
from projects.enums import ProposalStatus
from projects.models import Review, ReviewAssignment, ReviewRound, SuggestedAssignment
from tests.factories import ReviewerFactory
from tests.projects.factories import CallFactory, PanelMemberFactory, ProposalFactory, ReviewRoundFactory
from tests.utils import soup

pytestmark = pytest.mark.django_db

SCORES = {
    "scientific_merit": "5",
    "need_for_microgravity": "4",
    "feasibility": "3",
    "value": "4",
    "operations": "pass",
    "comment": "Sound plan.",
}
DAY = timedelta(days=1)


@pytest.fixture
def call():
    return CallFactory(code="NLRA 2027-1")


@pytest.fixture
def reviewer(call):
    user = ReviewerFactory(email="reviewer@example.org")
    PanelMemberFactory(call=call, reviewer=user)
    return user


@pytest.fixture
def proposal(call, researcher):
    return ProposalFactory(
        call=call, owner=researcher, complete=True, status=ProposalStatus.UNDER_REVIEW, title="Liver organoids"
    )


def review_round(call, name, opens_in_days, closes_in_days):
    now = timezone.now()
    return ReviewRoundFactory(
        call=call, name=name, opens_at=now + opens_in_days * DAY, closes_at=now + closes_in_days * DAY
    )


def review_url(proposal):
    return reverse("projects:review_proposal", args=[proposal.public_id])


# --- The round an assignment joins ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rounds", "expected"),
    [
        # (name, opens in days, closes in days): the one open now wins over the next
        (
            [("Concept screening", -30, -10), ("Full proposal review", -1, 20), ("Panel meeting", 20, 30)],
            "Full proposal review",
        ),
        # none open now: the next one to open
        (
            [("Concept screening", -30, -10), ("Full proposal review", 5, 20), ("Panel meeting", 20, 30)],
            "Full proposal review",
        ),
        # every round closed: none, so no due date
        ([("Concept screening", -30, -10)], None),
        ([], None),
    ],
)
def test_an_assignment_joins_the_round_open_now_else_the_next_else_none(
    call, proposal, reviewer, staff, rounds, expected
):
    for name, opens, closes in rounds:
        review_round(call, name, opens, closes)

    (assignment,) = panels.assign([(proposal, reviewer)], staff)

    assert (assignment.round.name if assignment.round else None) == expected
    assert (current_round(call).name if current_round(call) else None) == expected


def test_the_round_is_chosen_at_the_moment_of_assignment_and_kept(call, proposal, reviewer, staff):
    first = review_round(call, "Concept screening", -1, 3)
    (assignment,) = panels.assign([(proposal, reviewer)], staff)
    review_round(call, "Full proposal review", 3, 20)

    assert ReviewAssignment.objects.get(pk=assignment.pk).round == first
    assert current_round(call, now=timezone.now() + 4 * DAY).name == "Full proposal review"


def test_accepted_suggestions_join_the_open_round(call, proposal, reviewer, staff):
    open_round = review_round(call, "Full proposal review", -1, 20)
    SuggestedAssignment.objects.create(
        call=call, proposal=proposal, reviewer=reviewer, affinity=0.5, reason="Shares organoids"
    )
    accept_suggestions(call, None, staff)

    assert ReviewAssignment.objects.get().round == open_round


# --- The rules on a call's rounds -----------------------------------------------------------------------------------


def test_a_round_closing_before_it_opens_is_refused_with_the_message(call):
    now = timezone.now()
    backwards = ReviewRound(call=call, name="Backwards", opens_at=now, closes_at=now - DAY)

    with pytest.raises(ValidationError) as refused:
        backwards.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        backwards.save()

    assert refused.value.messages == [
        "A review round must close after it opens: set its due date later than its opening."
    ]


def test_two_rounds_of_a_call_with_one_name_are_refused(call):
    review_round(call, "Review", -1, 5)
    again = ReviewRound(call=call, name="Review", opens_at=timezone.now() + 6 * DAY, closes_at=timezone.now() + 9 * DAY)

    with pytest.raises(ValidationError) as refused:
        again.full_clean()

    assert refused.value.messages == ["The call already has a review round of this name: give each round its own."]


def test_an_overlapping_round_is_refused_with_the_message_and_touching_ones_are_fine(call):
    first = ReviewRoundFactory(
        call=call,
        name="Concept screening",
        opens_at=datetime(2027, 3, 1, 9, 0, tzinfo=UTC),
        closes_at=datetime(2027, 3, 20, 17, 0, tzinfo=UTC),
    )
    overlapping = ReviewRound(
        call=call,
        name="Full proposal review",
        opens_at=datetime(2027, 3, 15, tzinfo=UTC),
        closes_at=datetime(2027, 4, 15, tzinfo=UTC),
    )
    touching = ReviewRound(
        call=call, name="Full proposal review", opens_at=first.closes_at, closes_at=datetime(2027, 4, 15, tzinfo=UTC)
    )
    other_call = ReviewRound(
        call=CallFactory(),
        name="Review",
        opens_at=datetime(2027, 3, 15, tzinfo=UTC),
        closes_at=datetime(2027, 4, 15, tzinfo=UTC),
    )

    with pytest.raises(ValidationError) as refused:
        overlapping.full_clean()
    touching.full_clean()
    other_call.full_clean()

    assert refused.value.messages == [
        "“Full proposal review” overlaps “Concept screening” (1 Mar 2027, 09:00 to 20 Mar 2027, 17:00 UTC): a call's "
        "review rounds follow one another, so let one open when the other closes or later."
    ]


def call_form(call, rounds, *, initial=0):
    """The call's admin form as posted, with ``rounds`` as (name, opens "YYYY-MM-DD", closes "YYYY-MM-DD")."""
    data = {
        "code": call.code,
        "title": call.title,
        "description": call.description,
        "research_areas": call.research_areas,
        "opens_at_0": call.opens_at.strftime("%Y-%m-%d"),
        "opens_at_1": "00:00:00",
        "closes_at_0": call.closes_at.strftime("%Y-%m-%d"),
        "closes_at_1": "17:00:00",
        "funding_cap": "500000",
        "reviewers_per_proposal": "3",
        "max_reviews_per_reviewer": "8",
        "decision_templates-TOTAL_FORMS": "0",
        "decision_templates-INITIAL_FORMS": "0",
        "review_rounds-TOTAL_FORMS": str(len(rounds)),
        "review_rounds-INITIAL_FORMS": str(initial),
    }
    for index, (pk, name, opens, closes) in enumerate(rounds):
        data.update(
            {
                f"review_rounds-{index}-id": str(pk or ""),
                f"review_rounds-{index}-call": str(call.pk),
                f"review_rounds-{index}-name": name,
                f"review_rounds-{index}-opens_at_0": opens,
                f"review_rounds-{index}-opens_at_1": "09:00:00",
                f"review_rounds-{index}-closes_at_0": closes,
                f"review_rounds-{index}-closes_at_1": "17:00:00",
            }
        )
    return data


def post_call_form(client, staff, call, rounds):
    """Staff save the call's admin page with these rounds."""
    client.force_login(staff)
    return client.post(reverse("admin:projects_call_change", args=[call.pk]), call_form(call, rounds))


def test_staff_add_rounds_to_a_call_in_the_admin(client, staff, call):
    response = post_call_form(
        client,
        staff,
        call,
        [
            (None, "Concept screening", "2027-03-01", "2027-03-20"),
            (None, "Full proposal review", "2027-03-21", "2027-04-30"),
        ],
    )

    assert response.status_code == 302
    assert list(call.review_rounds.values_list("name", "opens_at", "closes_at")) == [
        ("Concept screening", datetime(2027, 3, 1, 9, 0, tzinfo=UTC), datetime(2027, 3, 20, 17, 0, tzinfo=UTC)),
        ("Full proposal review", datetime(2027, 3, 21, 9, 0, tzinfo=UTC), datetime(2027, 4, 30, 17, 0, tzinfo=UTC)),
    ]


def test_overlapping_rounds_typed_together_in_the_admin_are_refused_with_the_message(client, staff, call):
    response = post_call_form(
        client,
        staff,
        call,
        [
            (None, "Concept screening", "2027-03-01", "2027-03-20"),
            (None, "Full proposal review", "2027-03-15", "2027-04-30"),
        ],
    )

    assert response.status_code == 200
    assert [item.get_text(strip=True) for item in soup(response).select(".errorlist.nonform li")] == [
        "“Full proposal review” overlaps “Concept screening” (1 Mar 2027, 09:00 to 20 Mar 2027, 17:00 UTC): a call's "
        "review rounds follow one another, so let one open when the other closes or later."
    ]
    assert ReviewRound.objects.count() == 0


def test_rounds_moved_past_each_other_in_one_save_are_checked_as_they_will_be(client, staff, call):
    first = ReviewRoundFactory(
        call=call,
        name="A",
        opens_at=datetime(2027, 3, 1, 9, tzinfo=UTC),
        closes_at=datetime(2027, 3, 10, 17, tzinfo=UTC),
    )
    second = ReviewRoundFactory(
        call=call,
        name="B",
        opens_at=datetime(2027, 3, 11, 9, tzinfo=UTC),
        closes_at=datetime(2027, 3, 20, 17, tzinfo=UTC),
    )
    client.force_login(staff)

    response = client.post(
        reverse("admin:projects_call_change", args=[call.pk]),
        call_form(
            call, [(first.pk, "A", "2027-03-11", "2027-03-20"), (second.pk, "B", "2027-03-01", "2027-03-10")], initial=2
        ),
    )

    assert response.status_code == 302
    assert list(call.review_rounds.values_list("name", flat=True)) == ["B", "A"]


def test_a_round_closing_before_it_opens_is_refused_in_the_admin_with_the_message(client, staff, call):
    client.force_login(staff)

    response = client.post(
        reverse("admin:projects_call_change", args=[call.pk]),
        call_form(call, [(None, "Backwards", "2027-03-20", "2027-03-01")]),
    )

    assert response.status_code == 200
    assert [item.get_text(strip=True) for item in soup(response).select(".inline-related .errorlist li")] == [
        "A review round must close after it opens: set its due date later than its opening."
    ]


def test_a_round_holding_assignments_cannot_be_deleted(call, proposal, reviewer, staff):
    held = review_round(call, "Review", -1, 20)
    panels.assign([(proposal, reviewer)], staff)

    with pytest.raises(ProtectedError):
        held.delete()


# --- The window in which reviewers submit ---------------------------------------------------------------------------


def test_submitting_before_the_round_opens_is_refused_and_what_was_typed_is_kept_as_a_draft(
    client, call, proposal, reviewer, staff
):
    ReviewRoundFactory(
        call=call,
        name="Full proposal review",
        opens_at=timezone.now() + 3 * DAY,
        closes_at=timezone.now() + 20 * DAY,
    )
    opens = ReviewRound.objects.get().opens_at
    panels.assign([(proposal, reviewer)], staff)
    client.force_login(reviewer)

    response = client.post(review_url(proposal), {**SCORES, "intent": "submit"})

    page = soup(response)
    review = Review.objects.get()
    assert response.status_code == 400
    assert page.select_one(".messages .alert").get_text(strip=True) == (
        f"Reviews for NLRA 2027-1 (Full proposal review) open on {opens:%-d %B %Y at %H:%M} UTC: you can submit "
        "yours from then. Until then what you wrote is kept as your draft."
    )
    assert page.select_one("textarea[name=comment]").get_text(strip=True) == "Sound plan."
    assert (review.is_draft, review.submitted_at, review.feasibility, review.comment) == (True, None, 3, "Sound plan.")
    assert page.select_one("[data-round-not-open]") is not None


def test_the_domain_refuses_a_submission_before_the_round_opens(call, proposal, reviewer, staff):
    review_round(call, "Full proposal review", 3, 20)
    panels.assign([(proposal, reviewer)], staff)

    with pytest.raises(RoundNotOpen):
        submit_review(proposal, reviewer, **SCORES)

    assert Review.objects.count() == 0


def test_a_late_review_is_accepted_and_no_longer_overdue(client, call, proposal, reviewer, staff):
    past = review_round(call, "Full proposal review", -1, 20)
    panels.assign([(proposal, reviewer)], staff)
    ReviewRound.objects.filter(pk=past.pk).update(opens_at=timezone.now() - 20 * DAY, closes_at=timezone.now() - DAY)
    overdue_before = list(panels.overdue_assignments())
    client.force_login(reviewer)

    response = client.post(review_url(proposal), {**SCORES, "intent": "submit"})

    assert [a.proposal for a in overdue_before] == [proposal]
    assert (response.status_code, Review.objects.get().submitted_at is not None) == (302, True)
    assert list(panels.overdue_assignments()) == []


def test_the_reviewer_s_list_shows_each_assignment_s_round_and_due_date(client, call, proposal, reviewer, staff):
    ReviewRoundFactory(
        call=call,
        name="Full proposal review",
        opens_at=datetime(2026, 1, 5, 9, tzinfo=UTC),
        closes_at=datetime(2099, 3, 3, 17, tzinfo=UTC),
    )
    undated_call = CallFactory()
    PanelMemberFactory(call=undated_call, reviewer=reviewer)
    undated = ProposalFactory(call=undated_call, complete=True, status=ProposalStatus.UNDER_REVIEW, title="Bone")
    panels.assign([(proposal, reviewer), (undated, reviewer)], staff)
    client.force_login(reviewer)

    rows = soup(client.get(reverse("projects:review_list"))).select("[data-assignment]")

    assert [
        (row.select_one("[data-round]").get_text(strip=True), row.select_one("[data-label=Due]").get_text(strip=True))
        for row in rows
    ] == [("Full proposal review", "3 Mar 2099"), ("—", "—")]


# --- What staff see -------------------------------------------------------------------------------------------------


def test_the_panel_page_shows_each_round_with_its_figures(client, call, reviewer, staff, researcher):
    second_reviewer = ReviewerFactory()
    PanelMemberFactory(call=call, reviewer=second_reviewer)
    proposals = [
        ProposalFactory(call=call, owner=researcher, complete=True, status=ProposalStatus.UNDER_REVIEW, title=title)
        for title in ("One", "Two")
    ]
    screening = review_round(call, "Concept screening", -1, 5)
    panels.assign([(proposals[0], reviewer), (proposals[0], second_reviewer)], staff)
    submit_review(proposals[0], reviewer, **SCORES)
    ReviewRound.objects.filter(pk=screening.pk).update(
        opens_at=timezone.now() - 10 * DAY, closes_at=timezone.now() - DAY
    )
    review_round(call, "Full proposal review", -1, 20)
    panels.assign([(proposals[1], reviewer)], staff)
    client.force_login(staff)

    page = soup(client.get(reverse("admin:projects_call_panel", args=[call.pk])))

    assert [
        [cell.get_text(" ", strip=True) for cell in row.select("th, td")][:1]
        + [
            row.select_one(selector).get_text(strip=True)
            for selector in ("[data-assigned-count]", "[data-submitted-count]", "[data-overdue-count]")
        ]
        for row in page.select("[data-table=rounds] tbody tr")
    ] == [["Concept screening", "2", "1", "1"], ["Full proposal review (open now)", "1", "0", "0"]]


def test_the_desk_s_overdue_filter_judges_each_assignment_by_its_own_round(client, call, reviewer, staff, researcher):
    late, on_time = (
        ProposalFactory(call=call, owner=researcher, complete=True, status=ProposalStatus.UNDER_REVIEW, title=title)
        for title in ("Late", "On time")
    )
    first = review_round(call, "Concept screening", -1, 5)
    panels.assign([(late, reviewer)], staff)
    ReviewRound.objects.filter(pk=first.pk).update(opens_at=timezone.now() - 10 * DAY, closes_at=timezone.now() - DAY)
    review_round(call, "Full proposal review", -1, 20)
    panels.assign([(on_time, reviewer)], staff)
    client.force_login(staff)

    response = client.get(reverse("admin:projects_proposal_changelist"), {"review_progress": "overdue"})

    assert [cell.get_text(strip=True) for cell in soup(response).select("#result_list th.field-title_or_untitled")] == [
        "Late"
    ]


# --- Demo and data migration ----------------------------------------------------------------------------------------


def test_seed_demo_opens_one_round_per_panel_call_and_runs_twice_the_same():
    call_command("seed_demo", stdout=StringIO())
    first = sorted(ReviewRound.objects.values_list("call__code", "name", "closes_at"))
    call_command("seed_demo", stdout=StringIO())

    assert sorted(ReviewRound.objects.values_list("call__code", "name", "closes_at")) == first
    assert {name for _code, name, _closes in first} == {"Full proposal review"}
    assert first and all(timedelta(days=20) < closes - timezone.now() <= timedelta(days=21) for *_, closes in first)
    assert set(ReviewAssignment.objects.values_list("round__name", flat=True)) == {"Full proposal review"}


def test_seed_demo_leaves_a_call_that_already_has_rounds_as_it_is():
    call_command("seed_demo", stdout=StringIO())
    call = ReviewRound.objects.order_by("pk").first().call
    ReviewAssignment.objects.filter(proposal__call=call).delete()
    ReviewRound.objects.filter(call=call).delete()
    staff_round = ReviewRoundFactory(
        call=call,
        name="Review",
        opens_at=timezone.now() - timedelta(days=30),
        closes_at=timezone.now() + timedelta(days=5),
    )

    call_command("seed_demo", stdout=StringIO())

    assert list(ReviewRound.objects.filter(call=call)) == [staff_round]
    assert set(ReviewAssignment.objects.filter(proposal__call=call).values_list("round", flat=True)) == {staff_round.pk}


rounds_from_due_dates = importlib.import_module("projects.migrations.0018_rounds_from_due_dates")


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_each_due_date_into_a_round_holding_the_call_s_assignments():
    executor = MigrationExecutor(connection)
    before = [("projects", "0017_review_rounds")]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Call = apps.get_model("projects", "Call")
    Proposal = apps.get_model("projects", "Proposal")
    User = apps.get_model("leoportal", "User")
    ReviewAssignment = apps.get_model("projects", "ReviewAssignment")
    created = datetime(2027, 1, 1, tzinfo=UTC)
    dated = Call.objects.create(
        code="DATED",
        title="t",
        description="d",
        research_areas=[],
        opens_at=created,
        closes_at=datetime(2027, 2, 1, tzinfo=UTC),
        reviews_due_at=datetime(2027, 3, 1, tzinfo=UTC),
    )
    # due before the call's close (a mistake): the round opens when the call was created
    early = Call.objects.create(
        code="EARLY",
        title="t",
        description="d",
        research_areas=[],
        opens_at=created,
        closes_at=datetime(2027, 2, 1, tzinfo=UTC),
        reviews_due_at=datetime(2027, 1, 20, tzinfo=UTC),
    )
    Call.objects.filter(pk=early.pk).update(created_at=created)
    Call.objects.create(
        code="UNDATED",
        title="t",
        description="d",
        research_areas=[],
        opens_at=created,
        closes_at=datetime(2027, 2, 1, tzinfo=UTC),
    )
    reviewer = User.objects.create(email="r@example.org")
    proposal = Proposal.objects.create(call=dated, owner=reviewer, title="P", status="under_review")
    ReviewAssignment.objects.create(proposal=proposal, reviewer=reviewer)

    executor = MigrationExecutor(connection)
    executor.migrate([("projects", "0018_rounds_from_due_dates")])
    apps = executor.loader.project_state([("projects", "0018_rounds_from_due_dates")]).apps
    rounds = list(
        apps.get_model("projects", "ReviewRound")
        .objects.order_by("call__code")
        .values_list("call__code", "name", "opens_at", "closes_at")
    )
    assignment_round = (
        apps.get_model("projects", "ReviewAssignment").objects.values_list("round__call__code", flat=True).get()
    )

    executor = MigrationExecutor(connection)
    executor.migrate([("projects", "0017_review_rounds")])  # and back: the due date from the last round
    due_back = dict(
        executor.loader.project_state(before)
        .apps.get_model("projects", "Call")
        .objects.values_list("code", "reviews_due_at")
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert rounds == [
        ("DATED", "Review", datetime(2027, 2, 1, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC)),
        ("EARLY", "Review", created, datetime(2027, 1, 20, tzinfo=UTC)),
    ]
    assert assignment_round == "DATED"
    assert due_back == {
        "DATED": datetime(2027, 3, 1, tzinfo=UTC),
        "EARLY": datetime(2027, 1, 20, tzinfo=UTC),
        "UNDATED": None,
    }
    assert (
        rounds_from_due_dates.round_opening(
            type("C", (), {"closes_at": created, "created_at": created, "reviews_due_at": created})
        )
        == created - DAY
    )
