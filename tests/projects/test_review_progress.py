"""The desk knows reviews: per proposal assigned, in and average; filters by review progress; the staff dashboard's
review progress per call; each page in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.domain.statistics import ReviewProgress, review_progress
from projects.enums import ProposalStatus as S
from tests.factories import ReviewerFactory
from tests.projects.factories import (
    CallFactory,
    ProposalFactory,
    ReviewAssignmentFactory,
    ReviewFactory,
    ReviewRoundFactory,
)
from tests.utils import soup

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:projects_proposal_changelist")
DASHBOARD = reverse("admin:projects_proposal_dashboard")


def proposal(owner, call, title, status=S.UNDER_REVIEW):
    return ProposalFactory(owner=owner, call=call, title=title, status=status, complete=True)


def assigned(proposal, reviewer, *, submitted: bool, review_round=None):
    ReviewAssignmentFactory(
        proposal=proposal, reviewer=reviewer, round=review_round or proposal.call.review_rounds.first()
    )
    if submitted:
        ReviewFactory(proposal=proposal, reviewer=reviewer)  # scores 4, 4, 3, 5: 4.00


@pytest.fixture
def panel(researcher):
    """Call A's reviews were due yesterday, call B's are due next week."""
    late, early = CallFactory(code="A"), CallFactory(code="B")
    ReviewRoundFactory(
        call=late, opens_at=timezone.now() - timedelta(days=20), closes_at=timezone.now() - timedelta(days=1)
    )
    ReviewRoundFactory(call=early, closes_at=timezone.now() + timedelta(days=7))
    first, second = ReviewerFactory(), ReviewerFactory()
    proposal(researcher, late, "Nobody assigned")
    overdue = proposal(researcher, late, "Overdue")
    assigned(overdue, first, submitted=False)
    awaiting = proposal(researcher, early, "Awaiting one")
    assigned(awaiting, first, submitted=True)
    assigned(awaiting, second, submitted=False)
    all_in = proposal(researcher, early, "All in")
    assigned(all_in, second, submitted=True)
    decided = proposal(researcher, early, "Decided", status=S.ACCEPTED)  # no longer under consideration
    assigned(decided, first, submitted=False)
    return late, early


def titles(response):
    return sorted(
        cell.get_text(strip=True) for cell in soup(response).select("#result_list th.field-title_or_untitled")
    )


@pytest.mark.parametrize(
    ("progress", "expected"),
    [
        ("none_assigned", ["Nobody assigned"]),
        ("awaiting", ["Awaiting one", "Decided", "Overdue"]),
        ("all_in", ["All in"]),
        ("overdue", ["Overdue"]),
        ("", ["All in", "Awaiting one", "Decided", "Nobody assigned", "Overdue"]),
    ],
)
def test_the_desk_filters_by_review_progress(client, staff, panel, progress, expected):
    client.force_login(staff)

    response = client.get(LIST_URL, {"review_progress": progress} if progress else {})

    assert titles(response) == expected


def test_each_proposal_says_how_many_assigned_reviews_are_in_and_their_average(client, staff, panel):
    client.force_login(staff)

    rows = soup(client.get(LIST_URL)).select("#result_list tbody tr")

    cells = {
        row.select_one("th.field-title_or_untitled").get_text(strip=True): row.select_one(
            "td.field-review_average"
        ).get_text(" ", strip=True)
        for row in rows
    }
    assert cells == {
        "Nobody assigned": "none yet",
        "Overdue": "none yet 0 of 1 assigned in",
        "Awaiting one": "4.00 1 review · 1 of 2 assigned in",
        "All in": "4.00 1 review · 1 of 1 assigned in",
        "Decided": "none yet 0 of 1 assigned in",
    }


def test_review_progress_per_call_counts_open_proposals_and_the_panel_s_reviews(panel):
    assert review_progress() == [
        ReviewProgress("A", proposals=2, unassigned=1, assigned=1, submitted=0, overdue=1),
        ReviewProgress("B", proposals=2, unassigned=0, assigned=3, submitted=2, overdue=0),
    ]


def test_the_dashboard_shows_review_progress_per_call_with_the_overdue_ones_linked(client, staff, panel):
    client.force_login(staff)

    page = soup(client.get(DASHBOARD))

    rows = [
        [cell.get_text(strip=True) for cell in row.select("th, td")]
        for row in page.select("[data-figures=review-progress] tbody tr")
    ]
    assert rows == [["A", "2", "1", "1", "0", "1", "1"], ["B", "2", "0", "3", "2", "1", "0"]]
    link = page.select_one("[data-call=A] a")["href"]
    assert link == f"{LIST_URL}?review_progress=overdue&call__id__exact={panel[0].pk}"
    assert titles(client.get(link)) == ["Overdue"]


@pytest.mark.parametrize("count", [2, 12])
def test_the_filtered_desk_and_the_dashboard_take_the_same_queries_whatever_the_numbers(
    client, staff, researcher, django_assert_num_queries, count
):
    call = ReviewRoundFactory(
        opens_at=timezone.now() - timedelta(days=20), closes_at=timezone.now() - timedelta(days=1)
    ).call
    reviewers = [ReviewerFactory() for _ in range(3)]
    for n in range(count):
        item = proposal(researcher, call, f"Proposal {n}")
        for index, reviewer in enumerate(reviewers):
            assigned(item, reviewer, submitted=index == 0)
    client.force_login(staff)

    # user, the stamp the list is kept under, calls for the filter, count, permissions x2, page, figures of the page,
    # date hierarchy x2 (the session is read from Redis)
    with django_assert_num_queries(10):
        response = client.get(LIST_URL, {"review_progress": "overdue"})
    assert len(titles(response)) == count
    # user, the figures (statuses, calls, areas, coverage, demand, supply, review progress x2), permissions
    with django_assert_num_queries(11):
        assert client.get(DASHBOARD).status_code == 200
