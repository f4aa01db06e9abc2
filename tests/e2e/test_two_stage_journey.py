"""A call with a concept step, from the concept to the submitted full proposal: the researcher sends a concept,
staff invite it from the desk with a note, the researcher completes the pre-filled full proposal and submits it."""

import re

import pytest

from projects.enums import ProposalStatus, Stage
from projects.models import Proposal
from tests.e2e.helpers import check_page, open_section, sign_in, sign_in_to_admin
from tests.factories import ResearcherFactory, StaffFactory
from tests.partners.factories import CapabilityFactory
from tests.projects.factories import CallFactory, pdf_bytes

pytestmark = pytest.mark.e2e


def test_a_concept_becomes_a_submitted_full_proposal(new_page, tmp_path):
    call = CallFactory(code="NLRA 2027-1", title="Cells, tissues and organoids", two_stage=True)
    ResearcherFactory(email="grace@example.edu", full_name="Grace Hopper", organisation="Example University")
    StaffFactory(email="staff@example.org", full_name="Sam Staff", organisation="LEO Portal program office")
    CapabilityFactory(name="CubeLab incubator")

    # The researcher starts a concept from the call's page and submits it.
    researcher = new_page()
    sign_in(researcher, "grace@example.edu")
    researcher.goto(call.get_absolute_url())
    researcher.get_by_role("link", name="Start a concept summary for NLRA 2027-1").click()
    researcher.get_by_label("Working title").fill("Liver organoids for toxicity screening")
    researcher.get_by_role("button", name="Start draft").click()
    researcher.wait_for_url("**/edit/")
    assert researcher.locator("h1").inner_text() == "Concept summary “Liver organoids for toxicity screening”"
    check_page(researcher, "concept-form")
    researcher.get_by_label("Concept summary").fill("Grow 96 liver organoids for 14 days and return half live.")
    researcher.get_by_label("Why microgravity").fill("Organoids self-assemble without scaffolds in microgravity.")
    researcher.get_by_label("Organoids", exact=True).check()
    researcher.get_by_label("Cell culture / bioreactor").check()
    researcher.get_by_role("button", name="Save and submit the concept").click()
    researcher.wait_for_url(re.compile(r"/proposals/[0-9a-f-]{36}/$"))
    assert researcher.locator("main .status-badge").first.inner_text() == "Submitted"
    assert researcher.locator("[data-stage=concept]").first.inner_text() == "Concept summary"
    check_page(researcher, "concept-submitted")
    proposal = Proposal.objects.get()
    assert (proposal.stage, proposal.status, proposal.matched_at is not None) == (
        Stage.CONCEPT,
        ProposalStatus.SUBMITTED,
        True,
    )

    # Staff encourage it from the desk with a note.
    staff = new_page()
    sign_in_to_admin(staff, "staff@example.org")
    staff.goto("/admin/projects/proposal/?stage__exact=concept")
    staff.get_by_role("link", name="Liver organoids for toxicity screening").click()
    assert staff.locator("[data-proposal-status]").inner_text() == "Concept summary, submitted"
    staff.get_by_label("Move to").select_option("invited")
    staff.get_by_label("Note to the team").fill("A strong concept: add your sample return plan.")
    staff.get_by_role("button", name="Move").click()
    assert "Invited to a full proposal" in staff.locator("ul.messagelist").inner_text()

    # The researcher writes the full proposal, which starts from the concept, and submits it.
    researcher.reload()
    researcher.get_by_role("link", name="Write the full proposal").click()
    researcher.wait_for_url("**/edit/")
    assert "A strong concept: add your sample return plan." in researcher.locator("[data-invitation]").inner_text()
    assert researcher.get_by_label("Summary").input_value() == (
        "Grow 96 liver organoids for 14 days and return half live."
    )
    researcher.get_by_label("Objectives").fill("Compare organoid size and albumin output with ground controls.")
    open_section(researcher, "Team and eligibility")
    researcher.get_by_label("UEI (SAM.gov Unique Entity ID)").fill("J7M9HPTGJ1S8")
    researcher.locator("#id_attest_us_persons").check()
    researcher.locator("#id_attest_export_control").check()
    open_section(researcher, "Science")
    researcher.get_by_label("Earth benefit").fill("Better liver toxicity models for drug development.")
    researcher.get_by_label("Current TRL").select_option("4")
    researcher.get_by_label("Target TRL").select_option("6")
    open_section(researcher, "Funding")
    researcher.get_by_label("Amount requested (USD)").fill("250000")
    researcher.get_by_role("button", name="Save draft").click()
    researcher.wait_for_url("**/edit/")
    narrative = tmp_path / "Liver narrative.pdf"
    narrative.write_bytes(pdf_bytes(pages=2))
    open_section(researcher, "Attachments")
    researcher.locator("#id_narrative-file").set_input_files(str(narrative))
    researcher.get_by_role("button", name="Upload the narrative").click()
    researcher.wait_for_url("**/edit/#attachments")
    researcher.get_by_role("button", name="Save and submit").click()
    researcher.wait_for_url(re.compile(r"/proposals/[0-9a-f-]{36}/$"))
    assert researcher.locator("main .status-badge").first.inner_text() == "Submitted"
    assert researcher.locator("[data-timeline] li .fw-semibold").all_inner_texts() == [
        "Draft",
        "Draft → Submitted",
        "Submitted → Invited to a full proposal",
        "Invited to a full proposal → Submitted",
    ]

    proposal.refresh_from_db()
    assert (proposal.stage, proposal.status, proposal.submission_count, proposal.uei) == (
        Stage.FULL,
        ProposalStatus.SUBMITTED,
        2,
        "J7M9HPTGJ1S8",
    )
