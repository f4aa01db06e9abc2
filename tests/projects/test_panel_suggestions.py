"""Suggested assignments for a call's panel: a background job with progress, conflicts of every kind left out,
staff accept all or some, accepting checks the rules again."""

import pytest
from django.urls import reverse

from leoportal.enums import JobState
from leoportal.models import BackgroundJob
from projects.domain import panel_suggestions, panels
from projects.enums import AssignmentSource, ProposalStatus
from projects.models import Review, ReviewAssignment, SuggestedAssignment
from tests.factories import ReviewerFactory
from tests.projects.factories import CallFactory, CoInvestigatorFactory, PanelMemberFactory, ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def call():
    return CallFactory(code="NLRA 2027-1", reviewers_per_proposal=1, max_reviews_per_reviewer=2)


def member(call, email, organisation, areas, keywords):
    reviewer = ReviewerFactory(email=email, organisation=organisation)
    PanelMemberFactory(call=call, reviewer=reviewer, expertise={"research_areas": areas, "keywords": keywords})
    return reviewer


def submitted(call, title, areas, summary, **kwargs):
    return ProposalFactory(
        call=call,
        title=title,
        complete=True,
        status=ProposalStatus.UNDER_REVIEW,
        research_areas=areas,
        summary=summary,
        **kwargs,
    )


@pytest.fixture
def panel(call):
    return {
        "organoids": member(call, "ana@example.org", "Pacific Stem Cell Center", ["organoids"], "liver organoids"),
        "bone": member(call, "bo@example.org", "Harbor Institute", ["cell_biology"], "osteoblasts, mechanobiology"),
    }


def suggested(call):
    return sorted(SuggestedAssignment.objects.filter(call=call).values_list("proposal__title", "reviewer__email"))


def test_the_suggestion_job_runs_with_progress_and_stores_explained_suggestions(
    call, panel, staff, django_capture_on_commit_callbacks
):
    submitted(call, "Liver organoids", ["organoids"], "Liver organoids mature in orbit.")
    submitted(call, "Bone", ["cell_biology"], "Osteoblasts under partial gravity.")

    with django_capture_on_commit_callbacks(execute=True):
        job = panel_suggestions.start_suggestions(call, staff, "/admin/")

    job = BackgroundJob.objects.get(pk=job.pk)
    assert (job.state, job.progress_done, job.progress_total) == (JobState.DONE, 1, 1)
    assert suggested(call) == [("Bone", "bo@example.org"), ("Liver organoids", "ana@example.org")]
    assert SuggestedAssignment.objects.get(reviewer=panel["organoids"]).reason == (
        "shares organoids and liver organoids; 1 assigned of 2"
    )


@pytest.mark.parametrize("conflict", ["organisation", "co_investigator", "team", "declared"])
def test_no_kind_of_conflict_is_ever_suggested(call, panel, conflict):
    expert = panel["organoids"]
    proposal = submitted(call, "Liver organoids", ["organoids"], "Liver organoids mature in orbit.")
    if conflict == "organisation":
        proposal.organisation = "pacific stem cell center"
        proposal.save()
    elif conflict == "co_investigator":
        CoInvestigatorFactory(proposal=proposal, organisation=" Pacific Stem Cell Center")
    elif conflict == "team":
        CoInvestigatorFactory(proposal=proposal, email=expert.email, user=expert, access="view")
    else:
        Review.objects.create(proposal=proposal, reviewer=expert, conflict_of_interest=True)

    panel_suggestions.compute_suggestions(call)

    assert suggested(call) == [("Liver organoids", "bo@example.org")]


def test_suggesting_again_replaces_the_earlier_suggestions_and_skips_what_is_assigned(call, panel, staff):
    proposal = submitted(call, "Liver organoids", ["organoids"], "Liver organoids mature in orbit.")
    panel_suggestions.compute_suggestions(call)
    panels.assign([(proposal, panel["bone"])], staff)

    panel_suggestions.compute_suggestions(call)

    assert suggested(call) == []  # one reviewer per proposal, and it has one


def test_accepting_all_assigns_them_with_their_reasons(call, panel, staff):
    submitted(call, "Liver organoids", ["organoids"], "Liver organoids mature in orbit.")
    submitted(call, "Bone", ["cell_biology"], "Osteoblasts under partial gravity.")
    panel_suggestions.compute_suggestions(call)

    count = panel_suggestions.accept_suggestions(call, None, staff)

    assert count == 2
    assert sorted(ReviewAssignment.objects.values_list("proposal__title", "reviewer__email", "source")) == [
        ("Bone", "bo@example.org", AssignmentSource.SUGGESTED),
        ("Liver organoids", "ana@example.org", AssignmentSource.SUGGESTED),
    ]
    assert ReviewAssignment.objects.get(reviewer=panel["bone"]).reason.startswith("shares cell biology")
    assert SuggestedAssignment.objects.count() == 0


def test_accepting_some_leaves_the_others_suggested(call, panel, staff):
    submitted(call, "Liver organoids", ["organoids"], "Liver organoids mature in orbit.")
    submitted(call, "Bone", ["cell_biology"], "Osteoblasts under partial gravity.")
    panel_suggestions.compute_suggestions(call)
    liver = SuggestedAssignment.objects.get(proposal__title="Liver organoids")

    panel_suggestions.accept_suggestions(call, [liver.pk], staff)

    assert list(ReviewAssignment.objects.values_list("proposal__title", flat=True)) == ["Liver organoids"]
    assert suggested(call) == [("Bone", "bo@example.org")]


def test_a_conflict_declared_after_suggesting_stops_the_acceptance(call, panel, staff):
    proposal = submitted(call, "Liver organoids", ["organoids"], "Liver organoids mature in orbit.")
    panel_suggestions.compute_suggestions(call)
    Review.objects.create(proposal=proposal, reviewer=panel["organoids"], conflict_of_interest=True)

    with pytest.raises(panels.PanelError) as refused:
        panel_suggestions.accept_suggestions(call, None, staff)

    assert "declared a conflict of interest" in str(refused.value)
    assert ReviewAssignment.objects.count() == 0


def test_staff_suggest_and_accept_from_the_panel_page(client, call, panel, staff, django_capture_on_commit_callbacks):
    submitted(call, "Liver organoids", ["organoids"], "Liver organoids mature in orbit.")
    url = reverse("admin:projects_call_panel", args=[call.pk])
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(url, {"intent": "suggest"})
    page = client.get(url)
    accepted = client.post(url, {"intent": "accept_all"})

    job = BackgroundJob.objects.get()
    assert (started.status_code, started.url) == (302, job.get_absolute_url())
    assert job.params["return_url"] == url
    assert "shares organoids and liver organoids; 1 assigned of 2" in page.content.decode()
    assert (accepted.status_code, ReviewAssignment.objects.get().reviewer) == (302, panel["organoids"])
