"""The admin's home page is the review desk's front door: what waits for the member of staff, the models grouped
with the rarely used ones under System; the proposals list leaves drafts out unless asked."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leoportal.models import FailedTask
from projects.domain.queries import desk_piles
from projects.domain.transitions import set_proposal_status
from projects.enums import IntroductionAnswer, ProposalStatus
from projects.models import Proposal
from tests.projects.factories import IntroductionFactory, IntroductionRequestFactory, ProposalFactory, ReviewFactory
from tests.utils import soup

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:projects_proposal_changelist")
DAY = timedelta(days=1)


@pytest.fixture
def waiting(researcher, staff):
    """Work of every kind: two proposals to screen, one review due (and one done), an unanswered introduction,
    a failed task (and a resolved one)."""
    now = timezone.now()
    ProposalFactory(owner=researcher, title="Newest submission", status=ProposalStatus.SUBMITTED, last_submitted_at=now)
    ProposalFactory(
        owner=researcher, title="Oldest submission", status=ProposalStatus.SUBMITTED, last_submitted_at=now - 9 * DAY
    )
    ProposalFactory(owner=researcher, title="A draft", status=ProposalStatus.DRAFT)
    ProposalFactory(owner=researcher, title="Waiting for my review", status=ProposalStatus.UNDER_REVIEW)
    ReviewFactory(reviewer=staff, proposal__owner=researcher, proposal__title="Already reviewed by me")
    accepted = {"proposal__owner": researcher, "proposal__status": ProposalStatus.ACCEPTED}
    IntroductionFactory(**accepted, proposal__title="Introduced", organisation__name="Space Tango")
    IntroductionFactory(**accepted, answer=IntroductionAnswer.INTERESTED, answered_at=now)
    FailedTask.objects.create(task_id="t1", task_name="projects.score_proposal", exception="Boom", failed_at=now)
    FailedTask.objects.create(task_id="t2", task_name="leoportal.heartbeat", exception="Old", resolved_at=now)


def test_desk_piles_count_what_waits_oldest_first(waiting, staff):
    piles = {pile.key: pile for pile in desk_piles(staff)}

    assert {key: (pile.count, [label for label, _url, _detail in pile.items]) for key, pile in piles.items()} == {
        "screen": (2, ["Oldest submission", "Newest submission"]),
        "reviews": (1, ["Waiting for my review"]),
        "outbox": (0, []),
        "requests": (0, []),
        "introductions": (1, ["Introduced → Space Tango"]),
        "failures": (1, ["projects.score_proposal"]),
    }
    assert piles["screen"].items[0][2] == "submitted 1\xa0week ago"


def test_desk_piles_take_the_same_queries_whatever_the_numbers(waiting, staff, researcher, django_assert_num_queries):
    with django_assert_num_queries(6) as first:  # a pile's first rows and its count in one query
        desk_piles(staff)
    for _ in range(5):
        ProposalFactory(owner=researcher, status=ProposalStatus.SUBMITTED, last_submitted_at=timezone.now())
        IntroductionFactory(proposal__owner=researcher, proposal__status=ProposalStatus.ACCEPTED)
        IntroductionRequestFactory(proposal__owner=researcher)
        decided = ProposalFactory(owner=researcher, status=ProposalStatus.UNDER_REVIEW, complete=True)
        set_proposal_status(decided, ProposalStatus.DECLINED, staff)  # its e-mail waits in the outbox
    piles = {pile.key: pile for pile in desk_piles(staff)}
    assert (piles["outbox"].count, len(piles["outbox"].items)) == (5, 4)  # all counted, the first four shown
    submitted = Proposal.objects.filter(status=ProposalStatus.SUBMITTED).count()
    assert (piles["screen"].count, len(piles["screen"].items)) == (submitted, 4)
    assert submitted > 4

    with django_assert_num_queries(len(first.captured_queries)):
        desk_piles(staff)


def test_the_admin_home_shows_the_piles_then_the_models_with_system_last(client, staff, waiting):
    client.force_login(staff)

    page = soup(client.get(reverse("admin:index")))

    piles = page.select("[data-desk-waiting] [data-pile]")
    assert [(pile.h3.a.get_text(strip=True), pile.select_one("[data-count]").get_text()) for pile in piles] == [
        ("Proposals to screen", "2"),
        ("Reviews due from you", "1"),
        ("Decision e-mails to send", "0"),
        ("Researchers asking for an introduction", "0"),
        ("Introductions unanswered", "1"),
        ("Failed background tasks", "1"),
    ]
    assert piles[0].h3.a["href"] == f"{LIST_URL}?status__exact=submitted"
    sections = [caption.get_text(strip=True) for caption in page.select("#content-main .module caption")]
    assert sections == ["Accounts and site", "Proposals and matching", "Providers and capabilities", "System"]
    system = [row.th.get_text(strip=True) for row in page.select("#content-main .app-system tr[class^=model-]")]
    assert "Worker heartbeats" in system
    assert "Rescore requests" in system
    assert system == sorted(system)


def test_an_empty_pile_says_what_that_means(client, staff):
    client.force_login(staff)

    page = soup(client.get(reverse("admin:index")))

    assert page.select_one("[data-pile=failures] [data-empty]").get_text(strip=True) == (
        "No background task has failed for good."
    )


def test_the_proposals_list_leaves_drafts_out_unless_asked(client, staff, waiting):
    client.force_login(staff)

    def titles(**params):
        return sorted(
            th.get_text(strip=True) for th in soup(client.get(LIST_URL, params)).select("#result_list tbody th")
        )

    everything = titles(status__exact="all")
    assert "A draft" in everything
    assert titles() == sorted(title for title in everything if title != "A draft")
    assert titles(status__exact="draft") == ["A draft"]


def test_the_public_home_page_never_links_anonymous_visitors_to_the_admin(client):
    page = soup(client.get(reverse("home")))

    assert [a["href"] for a in page.select("a[href^='/admin']")] == []
    assert page.select_one("[data-role=staff] .role-way-in a")["href"] == reverse("account_login")
