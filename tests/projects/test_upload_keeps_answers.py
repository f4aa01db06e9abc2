"""Uploads never lose typed text, with or without JavaScript: the upload buttons post the whole proposal form with
the file, the answers are saved first, and a refusal is shown beside the upload with the page opened at it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from projects.enums import Access
from projects.models import Attachment, Proposal
from tests.projects.factories import CallFactory, CoInvestigatorFactory, ProposalFactory, pdf_bytes
from tests.projects.forms_data import proposal_data
from tests.utils import soup

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(researcher):
    return ProposalFactory(owner=researcher, call=CallFactory(), title="Liver organoids", summary="")


def edit_url(proposal):
    return reverse("projects:proposal_edit", args=[proposal.public_id])


def upload_url(proposal, kind):
    return reverse("projects:attachment_upload", args=[proposal.public_id, kind])


def opened_version(client, proposal) -> str:
    return soup(client.get(edit_url(proposal))).select_one("#id_version")["value"]


def post_upload(client, proposal, kind, file, **answers):
    """What the browser sends when the upload button is pressed: the typed answers and the file."""
    data = proposal_data(proposal, version=opened_version(client, proposal), **answers)
    data.pop("action")
    return client.post(upload_url(proposal, kind), {**data, f"{kind}-file": file})


def beside_the_upload(response, kind) -> str:
    return soup(response).select_one(f"#upload-{kind} .invalid-feedback").get_text(strip=True)


def test_the_upload_buttons_post_the_whole_form_and_open_the_page_at_the_upload(client, researcher, draft):
    client.force_login(researcher)

    page = soup(client.get(edit_url(draft)))

    buttons = [
        (button.get_text(), button["form"], button["formaction"], button["formenctype"])
        for button in page.select("#attachments button[formaction]")
    ]
    assert buttons == [
        (
            "Upload the narrative",
            "proposal-form",
            f"{upload_url(draft, 'narrative')}#upload-narrative",
            "multipart/form-data",
        ),
        ("Add the letter", "proposal-form", f"{upload_url(draft, 'letter')}#upload-letter", "multipart/form-data"),
    ]
    assert [field["form"] for field in page.select("#attachments input[type=file]")] == ["proposal-form"] * 2
    # Enter in a field saves the draft: the form's first submit button (its default) is Save draft, not an upload.
    default = page.select_one("#proposal-form button[type=submit]")
    assert (default["name"], default["value"], default.has_attr("hidden")) == ("action", "save", True)


def test_an_upload_saves_the_typed_answers_first(client, researcher, draft):
    client.force_login(researcher)

    response = post_upload(
        client, draft, "narrative", SimpleUploadedFile("narrative.pdf", pdf_bytes()), summary="Typed, not saved yet."
    )

    draft.refresh_from_db()
    assert (response.status_code, response.url) == (302, f"{edit_url(draft)}#attachments")
    assert (draft.summary, draft.attachments.get().original_name) == ("Typed, not saved yet.", "narrative.pdf")


def test_a_refused_file_still_saves_the_answers_and_says_why_beside_the_upload(client, researcher, draft):
    client.force_login(researcher)

    response = post_upload(
        client, draft, "narrative", SimpleUploadedFile("notes.pdf", b"plain text"), summary="Typed before the upload."
    )

    draft.refresh_from_db()
    page = soup(response)
    assert response.status_code == 400
    assert draft.summary == "Typed before the upload."
    assert page.select_one("#id_summary").get_text().strip() == "Typed before the upload."
    assert beside_the_upload(response, "narrative").startswith("“notes.pdf” is not a PDF file")
    assert page.select_one("#id_narrative-file").has_attr("autofocus")
    assert Attachment.objects.count() == 0


def test_a_file_over_the_limit_still_saves_the_answers(client, researcher, draft, settings):
    settings.FILE_UPLOAD_MAX_MB = 1
    client.force_login(researcher)
    big = pdf_bytes() + b"%" + b"0" * (1024 * 1024)

    response = post_upload(client, draft, "letter", SimpleUploadedFile("letter.pdf", big), summary="Kept.")

    draft.refresh_from_db()
    assert (response.status_code, draft.summary, Attachment.objects.count()) == (400, "Kept.", 0)
    assert beside_the_upload(response, "letter") == (
        "“letter.pdf” is larger than 1 MB, the most a file may be. Reduce the file (for example, compress images) "
        "and upload it again."
    )


def test_invalid_answers_keep_the_file_out_and_what_was_typed_in(client, researcher, draft):
    client.force_login(researcher)

    response = post_upload(
        client,
        draft,
        "narrative",
        SimpleUploadedFile("narrative.pdf", pdf_bytes()),
        summary="Typed.",
        temperature_min_c="40",
        temperature_max_c="4",
    )

    draft.refresh_from_db()
    page = soup(response)
    assert response.status_code == 400
    assert (draft.summary, Attachment.objects.count()) == ("", 0)
    assert page.select_one("#id_summary").get_text().strip() == "Typed."
    assert page.select_one("#id_temperature_min_c")["value"] == "40"
    assert beside_the_upload(response, "narrative") == (
        "Not uploaded: your answers could not be saved first (see the message at the top and those in the form). "
        "Correct them, then choose the file and upload it again."
    )
    assert [str(message) for message in response.context["messages"]] == [
        "Nothing was saved or uploaded yet: correct the problems marked in the form, then upload again."
    ]


def test_an_upload_over_someone_elses_save_saves_nothing_and_keeps_what_was_typed(
    client, researcher, researcher2, draft
):
    CoInvestigatorFactory(proposal=draft, user=researcher2, access=Access.EDIT, email=researcher2.email)
    client.force_login(researcher)
    version = opened_version(client, draft)
    other = Client()
    other.force_login(researcher2)
    other.post(edit_url(draft), proposal_data(draft, title="Their title", version=version))
    data = proposal_data(draft, title="My title", version=version)
    data.pop("action")

    response = client.post(
        upload_url(draft, "narrative"),
        {**data, "narrative-file": SimpleUploadedFile("narrative.pdf", pdf_bytes())},
    )

    draft.refresh_from_db()
    page = soup(response)
    assert response.status_code == 409
    assert (draft.title, Attachment.objects.count()) == ("Their title", 0)
    assert page.select_one("#id_title")["value"] == "My title"
    assert f"{researcher2.display_name} saved this proposal at " in page.select_one(".alert-warning").get_text()
    assert beside_the_upload(response, "narrative").startswith("Not uploaded: your answers could not be saved first")


def test_an_upload_without_answers_stores_the_file_and_changes_no_answer(client, researcher, draft):
    """A client that sends the file alone (an older page, a script): the answers stay as they were."""
    draft.summary = "Saved before."
    draft.save(update_fields=["summary"])
    client.force_login(researcher)

    response = client.post(
        upload_url(draft, "narrative"), {"narrative-file": SimpleUploadedFile("narrative.pdf", pdf_bytes())}
    )

    assert response.status_code == 302
    assert (Proposal.objects.get().summary, Attachment.objects.count()) == ("Saved before.", 1)
