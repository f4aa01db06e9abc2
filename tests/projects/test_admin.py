"""Program staff create calls and look after proposals in the admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import DECISION_STATUSES, Call
from tests.projects.factories import CallFactory, CoInvestigatorFactory, NarrativeFactory, ProposalFactory
from tests.utils import soup

pytestmark = pytest.mark.django_db


def test_staff_create_a_call_in_the_admin(client, staff):
    client.force_login(staff)
    opens = timezone.now()

    response = client.post(
        reverse("admin:projects_call_add"),
        {
            "code": "NLRA 2027-5",
            "title": "Organoids",
            "description": "Scope.",
            "research_areas": ["organoids"],
            "opens_at_0": opens.strftime("%Y-%m-%d"),
            "opens_at_1": "00:00:00",
            "closes_at_0": (opens + timedelta(days=30)).strftime("%Y-%m-%d"),
            "closes_at_1": "17:00:00",
            "concept_step": "on",
            "concept_closes_at_0": (opens + timedelta(days=10)).strftime("%Y-%m-%d"),
            "concept_closes_at_1": "17:00:00",
            "funding_cap": "250000",
            "reviewers_per_proposal": "3",
            "max_reviews_per_reviewer": "8",
            "decision_templates-TOTAL_FORMS": "0",
            "decision_templates-INITIAL_FORMS": "0",
            "review_rounds-TOTAL_FORMS": "0",
            "review_rounds-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    call = Call.objects.get()
    assert (call.code, call.research_areas, call.concept_step, call.history.count()) == (
        "NLRA 2027-5",
        ["organoids"],
        True,
        1,
    )
    assert call.concept_closes_at.date() == (opens + timedelta(days=10)).date()
    # Every decision has wording to edit from the start: the defaults.
    assert sorted(call.decision_templates.values_list("decision", flat=True)) == sorted(DECISION_STATUSES)


def test_a_concept_step_without_a_concept_deadline_is_refused_in_the_admin(client, staff):
    client.force_login(staff)

    response = client.post(
        reverse("admin:projects_call_add"),
        {
            "code": "NLRA 2027-6",
            "title": "Organoids",
            "description": "Scope.",
            "opens_at_0": "2027-03-01",
            "opens_at_1": "00:00:00",
            "closes_at_0": "2027-05-01",
            "closes_at_1": "00:00:00",
            "concept_step": "on",
        },
    )

    assert response.status_code == 200
    assert soup(response).select_one("ul.errorlist.nonfield").get_text(strip=True) == (
        "A call with a concept step needs a concept deadline after it opens and before the full-proposal deadline "
        "(and a call without one, no concept deadline)."
    )
    assert Call.objects.count() == 0


def test_a_call_closing_before_it_opens_is_refused_in_the_admin(client, staff):
    client.force_login(staff)

    response = client.post(
        reverse("admin:projects_call_add"),
        {
            "code": "BAD",
            "title": "Bad dates",
            "description": "x",
            "opens_at_0": "2027-03-01",
            "opens_at_1": "00:00:00",
            "closes_at_0": "2027-02-01",
            "closes_at_1": "00:00:00",
        },
    )

    assert response.status_code == 200
    assert soup(response).select_one("ul.errorlist.nonfield").get_text(strip=True) == (
        "The call must close after it opens."
    )
    assert Call.objects.count() == 0


@pytest.mark.parametrize("count", [2, 20])
def test_call_changelist_query_count_is_constant(client, staff, django_assert_num_queries, count):
    for _ in range(count):
        call = CallFactory()
        ProposalFactory(call=call)
    client.force_login(staff)

    with django_assert_num_queries(8):  # the session is read from Redis
        response = client.get(reverse("admin:projects_call_changelist"))

    assert response.status_code == 200


def test_proposal_change_page_shows_team_files_and_history_read_only(client, staff, researcher):
    proposal = ProposalFactory(owner=researcher, complete=True)
    CoInvestigatorFactory(proposal=proposal)
    NarrativeFactory(proposal=proposal)
    client.force_login(staff)

    response = client.get(reverse("admin:projects_proposal_change", args=[proposal.pk]))

    page = soup(response)
    assert response.status_code == 200
    assert page.select_one("select[name=status]") is None  # status moves through set_proposal_status only
    assert page.select_one(".field-status .readonly").get_text(strip=True) == "Draft"
    assert page.select_one("[data-files] a[data-download]")["href"] == proposal.attachments.get().get_absolute_url()


def test_staff_cannot_add_or_delete_proposals_in_the_admin(client, staff):
    proposal = ProposalFactory()
    client.force_login(staff)

    assert client.get(reverse("admin:projects_proposal_add")).status_code == 403
    assert client.get(reverse("admin:projects_proposal_delete", args=[proposal.pk])).status_code == 403


@pytest.mark.parametrize("who", ["researcher", "provider_user"])
def test_non_staff_do_not_reach_the_admin(client, request, who):
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("admin:projects_proposal_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
