"""Staff reviews: one per reviewer, conflicts of interest refused, constraints in the database, history kept."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from projects.domain.reviews import ReviewRefused, declare_conflict, review_refusal, submit_review
from projects.enums import OperationsScreen, ProposalStatus
from projects.models import Review
from tests.factories import StaffFactory
from tests.projects.factories import CoInvestigatorFactory, ProposalFactory, ReviewFactory
from tests.utils import soup

pytestmark = pytest.mark.django_db

SCORES = {
    "scientific_merit": 5,
    "need_for_microgravity": 4,
    "feasibility": 3,
    "value": 4,
    "operations": OperationsScreen.PASS,
}


@pytest.fixture
def proposal(researcher):
    return ProposalFactory(
        owner=researcher,
        complete=True,
        status=ProposalStatus.UNDER_REVIEW,
        organisation="Midwest Regenerative Medicine Institute",
    )


def test_submit_review_records_scores_and_overall(proposal, staff):
    review = submit_review(proposal, staff, comment="  Strong team.  ", **SCORES)

    stored = Review.objects.get()
    assert (stored.pk, stored.scientific_merit, stored.operations, stored.comment, stored.overall) == (
        review.pk,
        5,
        "pass",
        "Strong team.",
        4.0,
    )


def test_submit_review_twice_revises_the_one_review(proposal, staff):
    submit_review(proposal, staff, **SCORES)

    submit_review(proposal, staff, **{**SCORES, "feasibility": 1})

    assert list(Review.objects.values_list("reviewer__email", "feasibility")) == [("staff@example.org", 1)]


def test_database_refuses_a_second_review_by_the_same_reviewer(proposal, staff):
    ReviewFactory(proposal=proposal, reviewer=staff)

    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(proposal=proposal, reviewer=staff, **SCORES)


@pytest.mark.parametrize(
    "values",
    [
        {**SCORES, "feasibility": 6},
        {**SCORES, "value": 0},
        {**SCORES, "operations": "", "submitted_at": timezone.now()},
        {**SCORES, "scientific_merit": None, "submitted_at": timezone.now()},
        {"conflict_of_interest": True, **SCORES},
    ],
    ids=["score above 5", "score below 1", "no operations verdict", "missing score", "conflict with scores"],
)
def test_database_refuses_inconsistent_reviews(proposal, staff, values):
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(proposal=proposal, reviewer=staff, **values)


def test_reviewer_at_the_proposals_organisation_is_refused(proposal):
    colleague = StaffFactory(organisation="  midwest regenerative MEDICINE institute ")

    with pytest.raises(ReviewRefused) as refused:
        submit_review(proposal, colleague, **SCORES)

    assert str(refused.value) == (
        "You belong to Midwest Regenerative Medicine Institute, the proposal's organisation, so you cannot review it."
    )
    assert Review.objects.count() == 0


def test_reviewer_on_the_team_is_refused(proposal):
    member = StaffFactory(organisation="Elsewhere")
    CoInvestigatorFactory(proposal=proposal, user=member, access="view", email=member.email)

    assert review_refusal(proposal, member) == "You are on this proposal's team, so you cannot review it."
    with pytest.raises(ReviewRefused):
        submit_review(proposal, member, **SCORES)


def test_declared_conflict_blocks_a_later_review(proposal, staff):
    declare_conflict(proposal, staff, "We share a grant.")

    with pytest.raises(ReviewRefused) as refused:
        submit_review(proposal, staff, **SCORES)

    assert str(refused.value) == "You declared a conflict of interest with this proposal, so you cannot review it."
    assert list(Review.objects.values_list("conflict_of_interest", "scientific_merit", "comment")) == [
        (True, None, "We share a grant.")
    ]


def test_declaring_a_conflict_withdraws_an_earlier_review_and_history_keeps_it(proposal, staff):
    submit_review(proposal, staff, **SCORES)

    declare_conflict(proposal, staff)

    review = Review.objects.get()
    assert (review.conflict_of_interest, review.scientific_merit, review.operations) == (True, None, "")
    assert [(h.history_change_reason, h.scientific_merit) for h in review.history.order_by("history_id")] == [
        ("Reviewed", 5),
        ("Conflict of interest declared", None),
    ]


@pytest.mark.parametrize("status", [ProposalStatus.DRAFT, ProposalStatus.ACCEPTED, ProposalStatus.WITHDRAWN])
def test_proposals_outside_review_cannot_be_reviewed(researcher, staff, status):
    proposal = ProposalFactory(owner=researcher, complete=True, status=status)

    with pytest.raises(ReviewRefused) as refused:
        submit_review(proposal, staff, **SCORES)

    assert str(refused.value).startswith(f"This proposal is “{ProposalStatus(status).label}”")


def test_only_staff_review(proposal, researcher2):
    with pytest.raises(ReviewRefused) as refused:
        submit_review(proposal, researcher2, **SCORES)

    assert str(refused.value) == "Only program staff and the reviewers assigned to this proposal review it."


# --- The review form in the admin ---------------------------------------------------------------------------


def review_url(proposal):
    return reverse("admin:projects_proposal_review", args=[proposal.pk])


def test_staff_review_through_the_form(client, proposal, staff):
    client.force_login(staff)

    response = client.post(
        review_url(proposal),
        {"intent": "review", **{k: str(v) for k, v in SCORES.items()}, "comment": "Fly it."},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:projects_proposal_change", args=[proposal.pk])
    review = Review.objects.get()
    assert (review.reviewer, review.overall, review.comment) == (staff, 4.0, "Fly it.")


def test_review_form_with_missing_scores_keeps_what_was_typed(client, proposal, staff):
    client.force_login(staff)

    response = client.post(review_url(proposal), {"intent": "review", "scientific_merit": "5", "comment": "Draft."})

    page = soup(response)
    assert response.status_code == 400
    assert page.select_one("#id_comment").get_text().lstrip("\n") == "Draft."  # browsers drop the first newline
    assert page.select_one("#id_scientific_merit input[value='5']").has_attr("checked")
    assert [e.get_text(strip=True) for e in page.select("ul.errorlist li")] == [
        "Score need for microgravity from 1 to 5.",
        "Score feasibility from 1 to 5.",
        "Score earth and commercial value from 1 to 5.",
        "Say whether the operations screen passes or fails.",
    ]
    assert Review.objects.count() == 0


def test_conflicted_reviewer_sees_why_and_no_form(client, proposal):
    colleague = StaffFactory(organisation="Midwest Regenerative Medicine Institute")
    client.force_login(colleague)

    response = client.get(review_url(proposal))

    page = soup(response)
    assert page.select_one("[data-review-refused]").get_text(strip=True) == (
        "You belong to Midwest Regenerative Medicine Institute, the proposal's organisation, so you cannot review it."
    )
    assert page.select_one("[data-review-form]") is None


def test_conflicted_reviewer_posting_the_form_changes_nothing(client, proposal):
    colleague = StaffFactory(organisation="Midwest Regenerative Medicine Institute")
    client.force_login(colleague)

    response = client.post(review_url(proposal), {"intent": "review", **{k: str(v) for k, v in SCORES.items()}})

    assert response.status_code == 302
    assert Review.objects.count() == 0


def test_staff_declare_a_conflict_through_the_form(client, proposal, staff):
    client.force_login(staff)

    client.post(review_url(proposal), {"intent": "conflict", "note": "Former student."})

    assert list(Review.objects.values_list("reviewer", "conflict_of_interest", "comment")) == [
        (staff.pk, True, "Former student.")
    ]


def test_review_page_is_staff_only(client, proposal, researcher):
    client.force_login(researcher)

    response = client.get(review_url(proposal))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_review_history_is_visible_in_the_admin(client, proposal, staff):
    review = submit_review(proposal, staff, **SCORES)
    submit_review(proposal, staff, **{**SCORES, "value": 2})
    client.force_login(staff)

    response = client.get(reverse("admin:projects_review_history", args=[review.pk]))

    assert response.status_code == 200
    rows = soup(response).select("#change-history tbody tr")
    reasons = [row.select("td")[4].get_text(strip=True) for row in rows]  # Object, Date, Comment, By, Reason
    assert reasons == ["Review revised", "Reviewed"]
    assert " ".join(rows[0].select("td")[5].get_text().split()) == "Earth and commercial value: 4 → 2"
