"""The proposal form saves itself: two team members in two browsers never overwrite each other silently, and an
upload keeps what was typed."""

import re

import pytest
from playwright.sync_api import expect

from projects.enums import Access
from projects.models import Proposal
from tests.e2e.helpers import open_section, sign_in
from tests.factories import ResearcherFactory
from tests.projects.factories import CallFactory, CoInvestigatorFactory, ProposalFactory, pdf_bytes

pytestmark = pytest.mark.e2e


@pytest.fixture
def shared_draft():
    ada = ResearcherFactory(email="ada@example.edu", full_name="Ada Lovelace")
    ben = ResearcherFactory(email="ben@example.edu", full_name="Ben Lindqvist")
    proposal = ProposalFactory(owner=ada, call=CallFactory(), title="Liver organoids", summary="")
    CoInvestigatorFactory(proposal=proposal, user=ben, email=ben.email, access=Access.EDIT)
    return proposal


def edit(page, proposal):
    page.goto(f"/proposals/{proposal.public_id}/edit/")


def test_two_editors_at_once_never_overwrite_each_other_silently(new_page, shared_draft):
    ada, ben = new_page(), new_page()
    sign_in(ada, "ada@example.edu")
    sign_in(ben, "ben@example.edu")
    edit(ada, shared_draft)
    edit(ben, shared_draft)

    # Ada types and leaves the field: saved at once, and the page says when.
    ada.get_by_label("Summary").fill("Grow 96 liver organoids for 14 days.")
    ada.keyboard.press("Tab")
    ada.locator("[data-autosave-status][data-state=saved]", has_text=re.compile(r"^Saved at \d\d:\d\d$")).wait_for()
    shared_draft.refresh_from_db()
    assert shared_draft.summary == "Grow 96 liver organoids for 14 days."

    # Ben, on the page he opened before Ada's save, types a title: about two seconds later it is refused.
    ben.get_by_label("Title").fill("Scaffold-free liver organoids")
    conflict = ben.locator("[data-autosave-conflict]")
    conflict.wait_for(state="visible", timeout=6000)
    assert re.fullmatch(
        r"Ada Lovelace saved this proposal at \d\d:\d\d UTC, after you opened it, changing Summary\. Nothing of yours "
        r"was saved yet, and what you typed is still in the form: compare it with their answers \(open the proposal "
        r"in another tab\), then save again to keep yours\.",
        conflict.locator("[data-autosave-conflict-message]").inner_text(),
    )
    assert ben.get_by_label("Title").input_value() == "Scaffold-free liver organoids"
    shared_draft.refresh_from_db()
    assert (shared_draft.title, shared_draft.summary) == ("Liver organoids", "Grow 96 liver organoids for 14 days.")

    # He merges: copies Ada's summary into his form, then keeps his version.
    ben.get_by_label("Summary").fill("Grow 96 liver organoids for 14 days.")
    ben.get_by_role("button", name="Keep my version (save over theirs)").click()
    ben.locator("[data-autosave-status][data-state=saved]").wait_for()
    shared_draft.refresh_from_db()
    assert (shared_draft.title, shared_draft.summary) == (
        "Scaffold-free liver organoids",
        "Grow 96 liver organoids for 14 days.",
    )


def test_typing_stops_and_the_draft_is_saved_within_about_two_seconds(page, shared_draft):
    sign_in(page, "ada@example.edu")
    edit(page, shared_draft)

    page.get_by_label("Objectives").fill("Compare organoid size with ground controls.")
    page.locator("[data-autosave-status][data-state=saved]").wait_for(timeout=4000)

    shared_draft.refresh_from_db()
    assert shared_draft.objectives == "Compare organoid size with ground controls."
    assert page.locator("[data-progress-label]").inner_text() == "0 of 6 sections complete"


def test_an_upload_keeps_what_was_typed(page, shared_draft, tmp_path):
    sign_in(page, "ada@example.edu")
    edit(page, shared_draft)
    narrative = tmp_path / "narrative.pdf"
    narrative.write_bytes(pdf_bytes())

    page.get_by_label("Summary").fill("Typed just before the upload.")
    open_section(page, "Attachments")  # leaves the field: the upload waits for the save
    page.locator("#id_narrative-file").set_input_files(str(narrative))
    page.get_by_role("button", name="Upload the narrative").click()
    page.wait_for_url("**/edit/#attachments")

    assert page.locator('[data-attachment="narrative"] a').inner_text() == "narrative.pdf"
    proposal = Proposal.objects.get()
    assert (proposal.summary, proposal.attachments.count()) == ("Typed just before the upload.", 1)
    open_section(page, "Overview")
    assert page.get_by_label("Summary").input_value() == "Typed just before the upload."


def test_without_javascript_an_upload_saves_what_was_typed_and_a_refusal_opens_at_the_upload(
    new_page, shared_draft, tmp_path
):
    page = new_page(java_script_enabled=False)
    sign_in(page, "ada@example.edu")
    edit(page, shared_draft)
    not_a_pdf = tmp_path / "notes.pdf"
    not_a_pdf.write_bytes(b"plain text, not a PDF")
    narrative = tmp_path / "narrative.pdf"
    narrative.write_bytes(pdf_bytes())

    # Every section shows on one page; the person types, then uploads a file that is refused.
    page.get_by_label("Summary").fill("Typed just before the upload.")
    page.locator("#id_narrative-file").set_input_files(str(not_a_pdf))
    page.get_by_role("button", name="Upload the narrative").click()
    page.wait_for_url("**/attachments/narrative/upload/#upload-narrative", wait_until="load")
    # The refusal answers 400, which the browser notes in its console: that line, and only it, is expected.
    assert page.watch.console_errors == [
        f"Failed to load resource: the server responded with a status of 400 (Bad Request) ({page.url})"
    ]
    page.watch.console_errors.clear()

    shared_draft.refresh_from_db()
    assert shared_draft.summary == "Typed just before the upload."
    error = page.locator("#upload-narrative .invalid-feedback")
    assert error.inner_text().startswith("“notes.pdf” is not a PDF file")
    # The page opened at the upload (the address ends #upload-narrative): its error is on screen, not far below.
    expect(error).to_be_in_viewport(ratio=1)
    assert page.evaluate("window.scrollY") > 2000
    assert page.get_by_label("Summary").input_value() == "Typed just before the upload."

    # Typed again, and a real PDF: both kept.
    page.get_by_label("Objectives").fill("Compare organoid size with ground controls.")
    page.locator("#id_narrative-file").set_input_files(str(narrative))
    page.get_by_role("button", name="Upload the narrative").click()
    page.wait_for_url("**/edit/#attachments")

    proposal = Proposal.objects.get()
    assert (proposal.objectives, proposal.attachments.get().original_name) == (
        "Compare organoid size with ground controls.",
        "narrative.pdf",
    )
    # Enter in a field saves the draft (the form's default button), it does not upload.
    page.get_by_label("Title").fill("Liver organoids, revised")
    page.get_by_label("Title").press("Enter")
    page.wait_for_url("**/edit/")
    proposal.refresh_from_db()
    assert (proposal.title, proposal.attachments.count()) == ("Liver organoids, revised", 1)
