"""A researcher signs up, drafts a proposal over two visits, uploads the narrative, submits, and follows it."""

import re

import pytest
from django.core import mail

from projects.enums import ProposalStatus
from projects.models import Proposal
from tests.e2e.helpers import check_page, open_section, sign_in, sign_out
from tests.factories import PASSWORD
from tests.projects.factories import CallFactory, pdf_bytes

pytestmark = pytest.mark.e2e


def sign_up(page, email):
    page.goto("/accounts/signup/")
    page.get_by_label("Researcher").check()
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Organisation").fill("Example University")
    page.get_by_label("Email").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/proposals/")


def test_researcher_drafts_over_two_visits_uploads_and_submits(page, tmp_path):
    call = CallFactory(code="NLRA 2027-1", title="Cells, tissues and organoids")
    sign_up(page, "grace@example.edu")
    check_page(page, "dashboard-empty")

    # First visit: start a draft for the call and fill in part of it.
    page.get_by_role("link", name="New proposal").click()
    check_page(page, "proposal-start")
    page.get_by_label("Which call does it answer?").select_option(str(call.public_id))
    page.get_by_label("Working title").fill("Liver organoids for toxicity screening")
    page.get_by_role("button", name="Start draft").click()
    page.wait_for_url("**/edit/")
    check_page(page, "proposal-form")

    page.get_by_label("Summary").fill("Grow 96 liver organoids for 14 days and return half of them live.")
    open_section(page, "Flight requirements")
    page.get_by_label("Minimum (°C)").fill("36.5")
    page.get_by_label("Maximum (°C)").fill("37.5")
    page.locator("#id_sample_return_0").check()  # Yes
    page.locator("#id_imaging_1").check()  # No
    page.get_by_label("Cell culture / bioreactor").check()
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**/edit/")
    assert page.get_by_role("status").first.inner_text().strip() == "Draft saved."
    sign_out(page)

    # Second visit: everything typed is still there; finish the draft.
    sign_in(page, "grace@example.edu")
    page.get_by_role("link", name=re.compile("Continue draft")).click()
    assert page.get_by_label("Summary").input_value() == (
        "Grow 96 liver organoids for 14 days and return half of them live."
    )
    assert (page.get_by_label("Minimum (°C)").input_value(), page.get_by_label("Maximum (°C)").input_value()) == (
        "36.5",
        "37.5",
    )
    assert page.locator("#id_sample_return_0").is_checked()
    assert page.locator("#id_imaging_1").is_checked()
    assert page.locator("#id_co2_2").is_checked()  # never answered: not stated
    assert page.get_by_label("Cell culture / bioreactor").is_checked()

    page.get_by_label("Objectives").fill("Compare organoid size and albumin output with ground controls.")
    open_section(page, "Team and eligibility")
    page.get_by_label("UEI (SAM.gov Unique Entity ID)").fill("j7m9-hptg-j1s8")
    page.locator("#id_attest_us_persons").check()
    page.locator("#id_attest_export_control").check()
    open_section(page, "Science")
    page.get_by_label("Why microgravity").fill("Organoids self-assemble without scaffolds in microgravity.")
    page.get_by_label("Earth benefit").fill("Better liver toxicity models for drug development.")
    page.get_by_label("Organoids", exact=True).check()
    page.get_by_label("Current TRL").select_option("4")
    page.get_by_label("Target TRL").select_option("6")
    open_section(page, "Funding")
    page.get_by_label("Amount requested (USD)").fill("250000")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**/edit/")

    # Upload the narrative, then submit.
    narrative = tmp_path / "Liver narrative.pdf"
    narrative.write_bytes(pdf_bytes(pages=2))
    open_section(page, "Attachments")
    page.locator("#id_narrative-file").set_input_files(str(narrative))
    page.get_by_role("button", name="Upload the narrative").click()
    page.wait_for_url("**/edit/#attachments")
    assert page.locator('[data-attachment="narrative"] a').inner_text() == "Liver narrative.pdf"

    page.get_by_role("button", name="Save and submit").click()
    page.wait_for_url(re.compile(r"/proposals/[0-9a-f-]{36}/$"))
    assert page.locator("main .status-badge").first.inner_text() == "Submitted"
    assert page.locator("[data-timeline] li .fw-semibold").all_inner_texts() == ["Draft", "Draft → Submitted"]
    check_page(page, "proposal-page")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My proposals").click()
    row = page.locator('[data-table="proposals"] tbody tr')
    assert row.count() == 1
    assert row.locator(".status-badge").inner_text() == "Submitted"
    assert row.locator("td").first.locator("a").inner_text() == "Liver organoids for toxicity screening"
    check_page(page, "dashboard")

    proposal = Proposal.objects.get()
    assert (proposal.status, proposal.uei, proposal.co2, proposal.imaging) == (
        ProposalStatus.SUBMITTED,
        "J7M9HPTGJ1S8",
        None,
        False,
    )


def test_submission_problems_are_listed_and_the_call_page_reads_well(page):
    call = CallFactory(code="NLRA 2027-2", title="Crystallization")
    page.goto(f"/calls/{call.public_id}/")
    check_page(page, "call-detail")
    page.goto("/calls/")
    check_page(page, "call-list")

    sign_up(page, "ada@example.edu")
    page.goto(f"/proposals/new/?call={call.public_id}")
    page.get_by_role("button", name="Start draft").click()
    page.wait_for_url("**/edit/")
    open_section(page, "Flight requirements")
    page.get_by_label("Minimum (°C)").fill("40")
    page.get_by_label("Maximum (°C)").fill("37")
    page.get_by_role("button", name="Save and submit").click()

    assert page.locator("#error_1_id_temperature_min_c").inner_text() == (
        "Minimum temperature 40 °C is above the maximum 37 °C: swap them or correct one."
    )
    check_page(page, "proposal-form-errors")

    page.get_by_label("Minimum (°C)").fill("4")
    page.get_by_role("button", name="Save and submit").click()
    assert page.locator("#submission-problems h3").all_inner_texts() == [
        "Overview",
        "Team and eligibility",
        "Science",
        "Flight requirements",
        "Funding",
        "Attachments",
    ]
    check_page(page, "proposal-form-missing")


def test_co_investigator_rows_are_added_in_the_page(page):
    call = CallFactory()
    sign_up(page, "kim@example.edu")
    page.goto(f"/proposals/new/?call={call.public_id}")
    page.get_by_role("button", name="Start draft").click()
    page.wait_for_url("**/edit/")

    open_section(page, "Team and eligibility")
    page.locator("#id_coi-0-name").fill("Lee Park")
    page.locator("#id_coi-0-email").fill("lee@example.edu")
    page.get_by_role("button", name="Add another co-investigator").click()
    assert page.evaluate("document.activeElement.id") == "id_coi-1-name"
    page.locator("#id_coi-1-name").fill("Sam Rivera")
    page.locator("#id_coi-1-email").fill("sam@example.edu")
    page.locator("#id_coi-1-role").select_option("subcontractor")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**/edit/")

    proposal = Proposal.objects.get()
    assert list(proposal.co_investigators.values_list("name", "email", "role", "position")) == [
        ("Lee Park", "lee@example.edu", "", 0),
        ("Sam Rivera", "sam@example.edu", "subcontractor", 1),
    ]
    assert page.locator("legend", has_text="Co-investigator 3").count() == 1  # a blank row for the next one
