"""Program staff at the review desk: open a submitted proposal, review it, move it to screening with a note, export
the selection as CSV (at once, and as a background job with its progress page), and read the dashboard."""

import csv
import io
import re

import pytest
from django.core import mail

from leoportal.models import BackgroundJob
from projects.domain.scoring import score_proposal
from projects.enums import ProposalStatus
from projects.models import Proposal, Review, StatusChange
from tests.e2e.helpers import check_page, sign_in_to_admin
from tests.factories import ResearcherFactory, StaffFactory
from tests.partners.factories import CapabilityFactory, OrganisationFactory
from tests.projects.factories import CallFactory, NarrativeFactory, ProposalFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def submitted_proposal():
    researcher = ResearcherFactory(email="grace@example.edu", full_name="Grace Hopper")
    proposal = ProposalFactory(
        owner=researcher,
        call=CallFactory(code="NLRA 2027-1"),
        complete=True,
        status=ProposalStatus.SUBMITTED,
        submission_count=1,
        title="Liver organoids for toxicity screening",
    )
    NarrativeFactory(proposal=proposal)
    provider = OrganisationFactory(name="Space Tango")
    CapabilityFactory(organisation=provider, name="CubeLab incubator", temperature_min_c=4, temperature_max_c=40)
    score_proposal(proposal.pk)
    return proposal


def test_the_desk_links_clear_the_panel_of_a_proposal_staff_cannot_move(new_page, submitted_proposal):
    """A withdrawn proposal's desk panel is short (no status form): the admin's own links (versions, review, history)
    stand under it, not over its buttons, at desktop and phone width."""
    StaffFactory(email="staff@example.org", full_name="Sam Staff", organisation="LEO Portal program office")
    Proposal.objects.filter(pk=submitted_proposal.pk).update(status=ProposalStatus.WITHDRAWN)
    page = new_page()
    sign_in_to_admin(page, "staff@example.org")

    page.goto(f"/admin/projects/proposal/{submitted_proposal.pk}/change/")

    assert "Staff cannot move a proposal" in page.locator("[data-desk-actions]").inner_text()
    check_page(page, "desk-proposal-withdrawn")


def choose_score(page, legend, label):
    page.locator("fieldset.desk-radios", has=page.locator("legend", has_text=legend)).get_by_label(label).check()


def test_staff_review_move_and_export_a_proposal(new_page, submitted_proposal, settings, tmp_path):
    StaffFactory(email="staff@example.org", full_name="Sam Staff", organisation="LEO Portal program office")
    ProposalFactory(title="Early draft", status=ProposalStatus.DRAFT)
    page = new_page()
    sign_in_to_admin(page, "staff@example.org")

    page.get_by_role("link", name="Staff dashboard").click()
    page.wait_for_url("**/admin/projects/proposal/dashboard/")
    page.wait_for_function("document.querySelectorAll('canvas').length === 5")
    assert page.locator("[data-figures=by-status] tbody tr", has_text="Submitted").locator("td").inner_text() == "1"
    check_page(page, "desk-dashboard")

    page.goto("/admin/projects/proposal/?status__exact=submitted")
    assert page.locator("#result_list tbody th").all_inner_texts() == ["Liver organoids for toxicity screening"]
    check_page(page, "desk-changelist")

    page.get_by_role("link", name="Liver organoids for toxicity screening").click()
    page.wait_for_url(re.compile(r".*/admin/projects/proposal/\d+/change/(\?.*)?$"))
    assert page.locator("[data-matches] tbody tr").first.locator("td").nth(1).inner_text() == "CubeLab incubator"
    # The introductions panel after the form (which the admin floats) clears it: its heading is one line high, not a
    # dark band stretched up behind every section of the desk.
    assert page.locator("#introductions > h2").bounding_box()["height"] < 60
    assert page.locator("[data-files] a[data-download]").inner_text() == "narrative.pdf"
    check_page(page, "desk-proposal")

    page.get_by_role("link", name="Review this proposal").click()
    page.wait_for_url("**/review/")
    choose_score(page, "Scientific merit", "5 · Excellent")
    choose_score(page, "Need for microgravity", "4 · Very good")
    choose_score(page, "Feasibility", "3 · Good")
    choose_score(page, "Earth and commercial value", "4 · Very good")
    choose_score(page, "Operations screen", "Pass")
    page.get_by_label("Comment").fill("Clear aims; plan the live return.")
    check_page(page, "desk-review-form")
    page.get_by_role("button", name="Save my review").click()
    page.wait_for_url(re.compile(r".*/admin/projects/proposal/\d+/change/(\?.*)?$"))
    assert page.locator(".messagelist li").inner_text() == (
        "Your review of “Liver organoids for toxicity screening” is saved."
    )
    assert page.locator("#desk-reviews-title").inner_text() == "Reviews: average 4.00"
    assert Review.objects.get().overall == 4.0

    page.get_by_label("Move to").select_option("screening")
    page.get_by_label("Note to the team").fill("The operations screen is next week.")
    page.get_by_role("button", name="Move", exact=True).click()
    page.wait_for_url(re.compile(r".*/admin/projects/proposal/\d+/change/(\?.*)?$"))
    assert page.locator(".messagelist li").inner_text() == (
        "Moved “Liver organoids for toxicity screening” from “Submitted” to “Screening”; the team was notified."
    )
    submitted_proposal.refresh_from_db()
    assert submitted_proposal.status == ProposalStatus.SCREENING
    assert StatusChange.objects.get(proposal=submitted_proposal).note == "The operations screen is next week."
    assert [m.to for m in mail.outbox if "screening" in m.subject] == [["grace@example.edu"]]

    # A small selection downloads at once (every status listed: the draft too).
    page.goto("/admin/projects/proposal/?status__exact=all")
    page.locator("#result_list tbody tr", has_text="Liver organoids").locator("input.action-select").check()
    page.get_by_label("Action:").select_option("export_csv")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Go", exact=True).first.click()
    path = tmp_path / "export.csv"
    download_info.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [(row[2], row[7], row[22]) for row in rows] == [
        ("title", "status", "review average"),
        ("Liver organoids for toxicity screening", "Screening", "4.00"),
    ]

    # A large one runs in the background and shows its progress page with the link.
    settings.DESK_EXPORT_INLINE_MAX = 1
    page.locator("#action-toggle").check()
    page.get_by_label("Action:").select_option("export_csv")
    page.get_by_role("button", name="Go", exact=True).first.click()
    page.wait_for_url("**/jobs/*/")
    page.locator("[data-job-download]").wait_for()
    assert page.locator("#job-state").inner_text() == "Done"
    assert page.locator("[data-job-message]").inner_text() == "2 of 2 done."
    check_page(page, "job-progress")
    with page.expect_download() as download_info:
        page.locator("[data-job-download]").click()
    download_info.value.save_as(path)
    assert len(path.read_text(encoding="utf-8-sig").splitlines()) == 3
    assert BackgroundJob.objects.get().label == "CSV export of 2 proposals"
    assert Proposal.objects.filter(status=ProposalStatus.SCREENING).count() == 1


def test_job_page_follows_progress_until_the_download_appears(new_page, submitted_proposal):
    from leoportal.domain import jobs
    from projects.jobs import PROPOSAL_CSV

    staff = StaffFactory(email="staff@example.org")
    others = ProposalFactory.create_batch(2, complete=True, status=ProposalStatus.SUBMITTED)
    ids = [submitted_proposal.pk, *(p.pk for p in others)]
    job = BackgroundJob.objects.create(
        owner=staff, kind=PROPOSAL_CSV, label="CSV export of 3 proposals", params={"proposal_ids": ids}
    )
    page = new_page()
    sign_in_to_admin(page, "staff@example.org")

    page.goto(job.get_absolute_url())
    assert page.locator("#job-state").inner_text() == "Waiting to start"
    claimed = jobs.claim(job.pk)  # a worker takes it and reports progress
    jobs.ProgressRecorder(claimed, in_cache=False)(1, 3)
    page.get_by_text("1 of 3 done.").wait_for()
    assert page.locator("#job-state").inner_text() == "Running"
    assert page.evaluate("document.getElementById('job-progress').value") == 33
    jobs.run(claimed)  # and runs it to its end

    link = page.locator("[data-job-download]")
    link.wait_for()
    assert page.locator("#job-state").inner_text() == "Done"
    assert page.evaluate("document.activeElement.dataset.jobDownload") == ""  # focus moves to the link
    check_page(page, "job-progress-polled")
