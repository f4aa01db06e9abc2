"""Reviewers see a proposal's versions while it is assigned to them: the versions page, each version's files, the
differences between any two, and on the review page the latest version with what changed since the one before."""

import pytest
from django.urls import reverse

from projects.domain import panels
from projects.domain.reviews import declare_conflict
from projects.enums import ProposalStatus
from projects.models import ReviewAssignment
from tests.factories import ReviewerFactory
from tests.projects.factories import CallFactory, PanelMemberFactory, ProposalFactory
from tests.projects.test_versions import improve_and_resubmit, submitted
from tests.utils import soup

pytestmark = pytest.mark.django_db


@pytest.fixture
def resubmitted(researcher):
    proposal = submitted(researcher)
    improve_and_resubmit(proposal, researcher, summary="Grow liver organoids for 21 days and return them cold.")
    return proposal


@pytest.fixture
def reviewer(resubmitted):
    user = ReviewerFactory(email="reviewer@example.org")
    PanelMemberFactory(call=resubmitted.call, reviewer=user)
    return user


def versions_url(proposal, query=""):
    return reverse("projects:proposal_versions", args=[proposal.public_id]) + query


def answers(client, proposal) -> tuple[int, int, int]:
    file_url = reverse("projects:version_file", args=[proposal.public_id, 1, 0])
    return (
        client.get(versions_url(proposal)).status_code,
        client.get(versions_url(proposal, "?a=1&b=2")).status_code,
        client.get(file_url).status_code,
    )


def test_an_assigned_reviewer_reads_the_versions_and_their_differences(client, resubmitted, reviewer, staff):
    panels.assign([(resubmitted, reviewer)], staff)
    client.force_login(reviewer)

    page = soup(client.get(versions_url(resubmitted, "?a=1&b=2")))
    download = client.get(reverse("projects:version_file", args=[resubmitted.public_id, 1, 0]))

    assert [row["data-version"] for row in page.select("[data-version]")] == ["1", "2"]
    assert [change["data-change"] for change in page.select("[data-change]")] == ["Summary"]
    assert [item.get_text() for item in page.select("[data-file-changes] li")] == [
        "Full narrative replaced: “narrative-v1.pdf” → “narrative-v2.pdf”"
    ]
    # The way back is the review page, not the team's proposal page (a 404 for a reviewer).
    assert page.select_one(".breadcrumb a")["href"] == reverse("projects:review_proposal", args=[resubmitted.public_id])
    assert (download.status_code, download["Content-Disposition"]) == (
        200,
        'attachment; filename="narrative-v1.pdf"',
    )


def test_a_reviewer_sees_the_versions_only_while_assigned(client, resubmitted, reviewer, staff):
    client.force_login(reviewer)

    before = answers(client, resubmitted)
    panels.assign([(resubmitted, reviewer)], staff)
    assigned = answers(client, resubmitted)
    panels.unassign(ReviewAssignment.objects.get(), staff)
    after_unassignment = answers(client, resubmitted)
    panels.assign([(resubmitted, reviewer)], staff)
    declare_conflict(resubmitted, reviewer, "We share a grant.")
    after_conflict = answers(client, resubmitted)

    assert (before, assigned, after_unassignment, after_conflict) == (
        (404, 404, 404),
        (200, 200, 200),
        (404, 404, 404),
        (404, 404, 404),
    )


def test_a_reviewer_assigned_elsewhere_gets_a_404(client, resubmitted, reviewer, staff, researcher2):
    other = submitted(researcher2)
    other.call = resubmitted.call
    other.save(update_fields=["call"])
    panels.assign([(other, reviewer)], staff)
    client.force_login(reviewer)

    assert answers(client, resubmitted) == (404, 404, 404)


def test_the_review_page_shows_the_latest_version_and_the_changes_since_the_previous(
    client, resubmitted, reviewer, staff
):
    resubmitted.status = ProposalStatus.UNDER_REVIEW
    resubmitted.save(update_fields=["status"])
    panels.assign([(resubmitted, reviewer)], staff)
    client.force_login(reviewer)

    page = soup(client.get(reverse("projects:review_proposal", args=[resubmitted.public_id])))
    latest = page.select_one("[data-latest-version]")

    assert latest["data-latest-version"] == "2"
    assert latest.h2.get_text().startswith("Version 2, submitted ")
    assert [item.get_text() for item in latest.select("[data-changes-since-previous] li")] == [
        "Summary",
        "Full narrative replaced: “narrative-v1.pdf” → “narrative-v2.pdf”",
    ]
    link = latest.select_one("a")
    assert (link.get_text(), link["href"]) == (
        "See the changes since version 1, word by word",
        versions_url(resubmitted, "?a=1&b=2#differences-title"),
    )


def test_the_review_page_of_a_first_version_says_so(client, researcher, staff):
    proposal = submitted(researcher)
    reviewer = ReviewerFactory()
    PanelMemberFactory(call=proposal.call, reviewer=reviewer)
    panels.assign([(proposal, reviewer)], staff)
    client.force_login(reviewer)

    latest = soup(client.get(reverse("projects:review_proposal", args=[proposal.public_id]))).select_one(
        "[data-latest-version]"
    )

    assert (latest["data-latest-version"], latest.select_one("p").get_text()) == ("1", "The first version submitted.")
    assert latest.select("[data-changes-since-previous]") == []


def test_a_proposal_never_submitted_shows_no_version_box(client, staff):
    reviewer = ReviewerFactory()
    call = CallFactory()
    PanelMemberFactory(call=call, reviewer=reviewer)

    proposal = ProposalFactory(call=call, complete=True, status=ProposalStatus.UNDER_REVIEW)
    panels.assign([(proposal, reviewer)], staff)
    client.force_login(reviewer)

    page = soup(client.get(reverse("projects:review_proposal", args=[proposal.public_id])))

    assert page.select("[data-latest-version]") == []
