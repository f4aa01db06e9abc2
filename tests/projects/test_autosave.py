"""The form that saves itself: autosave answers, the stale-save refusal (who changed what), the section menu and
progress, and an upload error that opens the page at the upload."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projects.enums import Access, ProposalStatus
from projects.models import Proposal
from tests.projects.factories import CallFactory, CoInvestigatorFactory, ProposalFactory
from tests.projects.forms_data import proposal_data
from tests.utils import soup

pytestmark = pytest.mark.django_db


def autosave_url(proposal):
    return reverse("projects:proposal_autosave", args=[proposal.public_id])


def edit_url(proposal):
    return reverse("projects:proposal_edit", args=[proposal.public_id])


def opened_version(client, proposal) -> str:
    return soup(client.get(edit_url(proposal))).select_one("#id_version")["value"]


def test_an_autosave_saves_and_answers_with_the_new_version_and_what_is_left(client, researcher):
    proposal = ProposalFactory(owner=researcher, title="Draft", call=CallFactory())
    client.force_login(researcher)
    version = opened_version(client, proposal)

    response = client.post(autosave_url(proposal), proposal_data(proposal, title="Liver organoids", version=version))

    proposal.refresh_from_db()
    answer = response.json()
    assert (response.status_code, answer["saved"], proposal.title) == (200, True, "Liver organoids")
    assert answer["version"] == proposal.updated_at.isoformat() != version
    assert answer["saved_at"] == timezone.localtime(proposal.updated_at).strftime("%H:%M")
    assert [(section["name"], section["missing"]) for section in answer["sections"]] == [
        ("Overview", 2),
        ("Team and eligibility", 4),
        ("Science", 5),
        ("Flight requirements", 1),
        ("Funding", 1),
        ("Attachments", 1),
    ]


def test_a_stale_autosave_is_refused_with_who_changed_what(client, researcher, researcher2):
    proposal = ProposalFactory(owner=researcher, title="Original", summary="")
    CoInvestigatorFactory(proposal=proposal, user=researcher2, access=Access.EDIT, email=researcher2.email)
    client.force_login(researcher)
    version = opened_version(client, proposal)
    other = Client()
    other.force_login(researcher2)
    saved = other.post(
        autosave_url(proposal),
        proposal_data(proposal, title="Their title", summary="Their summary", version=version),
    )

    response = client.post(autosave_url(proposal), proposal_data(proposal, title="My title", version=version))

    proposal.refresh_from_db()
    answer = response.json()
    at = timezone.localtime(proposal.updated_at).strftime("%H:%M")
    assert (saved.json()["saved"], response.status_code) == (True, 200)
    assert (proposal.title, proposal.summary) == ("Their title", "Their summary")
    assert answer == {
        "saved": False,
        "conflict": True,
        "message": f"{researcher2.display_name} saved this proposal at {at} UTC, after you opened it, changing Title "
        "and Summary. Nothing of yours was saved yet, and what you typed is still in the form: compare it with their "
        "answers (open the proposal in another tab), then save again to keep yours.",
        "version": proposal.updated_at.isoformat(),
    }

    kept = client.post(autosave_url(proposal), proposal_data(proposal, title="My title", version=answer["version"]))

    proposal.refresh_from_db()
    assert (kept.json()["saved"], proposal.title) == (True, "My title")


def test_a_stale_save_by_the_button_names_the_changed_answers(client, researcher, researcher2):
    proposal = ProposalFactory(owner=researcher, title="Original")
    CoInvestigatorFactory(proposal=proposal, user=researcher2, access=Access.EDIT, email=researcher2.email)
    client.force_login(researcher)
    version = opened_version(client, proposal)
    other = Client()
    other.force_login(researcher2)
    other.post(autosave_url(proposal), proposal_data(proposal, title="Their title", version=version))

    response = client.post(edit_url(proposal), proposal_data(proposal, title="My title", version=version))

    warning = soup(response).select_one(".alert-warning").get_text(" ", strip=True)
    assert response.status_code == 409
    assert f"{researcher2.display_name} saved this proposal at " in warning
    assert "after you opened it, changing Title. Nothing of yours was saved yet" in warning
    assert soup(response).select_one("#id_title")["value"] == "My title"


def test_an_invalid_autosave_saves_nothing_and_says_what_to_fix(client, researcher):
    proposal = ProposalFactory(owner=researcher, title="Original")
    client.force_login(researcher)

    response = client.post(
        autosave_url(proposal),
        proposal_data(proposal, title="New", temperature_min_c="40", temperature_max_c="4"),
    )

    proposal.refresh_from_db()
    assert (response.json()["saved"], proposal.title) == (False, "Original")
    assert response.json()["message"] == (
        "Not saved yet: Minimum (°C): Minimum temperature 40 °C is above the maximum 4 °C: swap them or correct one."
    )


@pytest.mark.parametrize(("who", "status_code"), [("researcher2", 404), ("outsider", 404), ("provider_user", 404)])
def test_an_autosave_by_someone_outside_the_team_is_404(request, client, researcher, who, status_code):
    proposal = ProposalFactory(owner=researcher, title="Original")
    client.force_login(request.getfixturevalue(who))

    response = client.post(autosave_url(proposal), proposal_data(proposal, title="Hijacked"))

    proposal.refresh_from_db()
    assert (response.status_code, proposal.title) == (status_code, "Original")


def test_a_view_only_member_cannot_autosave(client, researcher, researcher2):
    proposal = ProposalFactory(owner=researcher, title="Original")
    CoInvestigatorFactory(proposal=proposal, user=researcher2, access=Access.VIEW, email=researcher2.email)
    client.force_login(researcher2)

    response = client.post(autosave_url(proposal), proposal_data(proposal, title="Changed"))

    proposal.refresh_from_db()
    assert (response.status_code, proposal.title) == (403, "Original")


def test_an_autosave_arriving_after_the_submission_saves_nothing_and_says_so(client, researcher):
    proposal = ProposalFactory(owner=researcher, title="Submitted title", status=ProposalStatus.SUBMITTED)
    client.force_login(researcher)

    response = client.post(autosave_url(proposal), proposal_data(proposal, title="Late"))

    proposal.refresh_from_db()
    assert (response.status_code, proposal.title) == (200, "Submitted title")
    assert response.json() == {
        "saved": False,
        "closed": True,
        "message": "Not saved: this proposal is “Submitted” now and is no longer edited here. Reload the page to "
        "see it.",
    }


def test_a_concept_autosaves_its_own_fields(client, researcher):
    proposal = ProposalFactory(owner=researcher, call=CallFactory(two_stage=True), stage="concept", title="Concept")
    client.force_login(researcher)

    response = client.post(
        autosave_url(proposal), {"title": "Liver concept", "summary": "", "why_microgravity": "", "organisation": ""}
    )

    proposal.refresh_from_db()
    assert (response.status_code, proposal.title) == (200, "Liver concept")
    assert [section["name"] for section in response.json()["sections"]] == ["Concept"]


def test_the_form_shows_its_sections_with_progress_and_the_last_save(client, researcher):
    proposal = ProposalFactory(owner=researcher, complete=True, call=CallFactory())
    client.force_login(researcher)

    page = soup(client.get(edit_url(proposal)))

    assert [link.get_text(" ", strip=True) for link in page.select("[data-section-link]")] == [
        "1. Overview complete",
        "2. Team and eligibility complete",
        "3. Science complete",
        "4. Flight requirements complete",
        "5. Funding complete",
        "6. Attachments 1 to do",
    ]
    assert (page.select_one("[data-progress]")["value"], page.select_one("[data-progress]")["max"]) == ("5", "6")
    assert page.select_one("[data-progress-label]").get_text(strip=True) == "5 of 6 sections complete"
    assert page.select_one("[data-autosave-status]").get_text(strip=True) == (
        f"Saved at {timezone.localtime(proposal.updated_at):%H:%M}"
    )
    for link in page.select("[data-section-link]"):
        assert page.find(id=link["data-section-link"]) is not None  # each menu entry leads to its section


def test_an_upload_error_opens_the_page_at_the_upload(client, researcher, settings):
    proposal = ProposalFactory(owner=researcher)
    client.force_login(researcher)

    response = client.post(
        reverse("projects:attachment_upload", args=[proposal.public_id, "narrative"]),
        {"narrative-file": SimpleUploadedFile("notes.pdf", b"plain text", content_type="application/pdf")},
    )

    field = soup(response).select_one("#id_narrative-file")
    error = soup(response).select_one("#attachments .invalid-feedback").get_text(strip=True)
    assert (response.status_code, error.startswith("“notes.pdf” is not a PDF")) == (400, True), error
    assert field.has_attr("autofocus")
    assert "is-invalid" in field["class"]
    assert Proposal.objects.get().attachments.count() == 0


def test_my_own_autosaves_never_conflict_with_my_button(client, researcher):
    proposal = ProposalFactory(owner=researcher, title="Original")
    client.force_login(researcher)
    version = opened_version(client, proposal)
    client.post(autosave_url(proposal), proposal_data(proposal, title="Typed", version=version))

    response = client.post(edit_url(proposal), proposal_data(proposal, title="Typed more", version=version))

    proposal.refresh_from_db()
    assert (response.status_code, proposal.title) == (302, "Typed more")
