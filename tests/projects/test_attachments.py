"""Attachments: PDF by content, size limit, private storage under random names, permission-checked download."""

import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.domain.attachments import add_attachment, delete_attachment, safe_file_name
from projects.enums import AttachmentKind, ProposalStatus
from projects.models import Attachment
from tests.projects.factories import ProposalFactory, pdf_bytes, pdf_upload
from tests.utils import soup

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(researcher):
    return ProposalFactory(owner=researcher, title="Liver organoids")


def upload(client, proposal, kind, file):
    return client.post(reverse("projects:attachment_upload", args=[proposal.public_id, kind]), {f"{kind}-file": file})


def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


def field_error(response, kind):
    return soup(response).select_one(f"#id_{kind}-file ~ .invalid-feedback, .invalid-feedback").get_text(strip=True)


def test_a_valid_pdf_is_stored_privately_under_a_random_name(client, researcher, draft, settings):
    client.force_login(researcher)

    response = upload(client, draft, "narrative", pdf_upload("My Narrative (v2).pdf", pdf_bytes(pages=3)))

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.kind, attachment.original_name, attachment.page_count, attachment.uploaded_by) == (
        AttachmentKind.NARRATIVE,
        "My Narrative (v2).pdf",
        3,
        researcher,
    )
    [name] = stored_files(settings)
    assert name.startswith("proposals/") and name.endswith(".pdf")
    assert "Narrative" not in name and len(Path(name).stem) == 32
    assert Path(settings.MEDIA_ROOT, name).read_bytes() == pdf_bytes(pages=3)


def test_a_text_file_renamed_pdf_is_refused(client, researcher, draft, settings):
    client.force_login(researcher)

    response = upload(client, draft, "narrative", SimpleUploadedFile("narrative.pdf", b"Just some notes\n"))

    assert response.status_code == 400
    assert field_error(response, "narrative") == (
        "“narrative.pdf” is not a PDF file, whatever its name says. Save or export your document as PDF and upload "
        "that."
    )
    assert (Attachment.objects.count(), stored_files(settings)) == (0, [])


def test_an_oversize_file_is_refused(client, researcher, draft, settings):
    settings.FILE_UPLOAD_MAX_MB = 1
    client.force_login(researcher)
    big = pdf_bytes() + b"%" + b"0" * (1024 * 1024)

    response = upload(client, draft, "letter", SimpleUploadedFile("letter.pdf", big))

    assert response.status_code == 400
    assert field_error(response, "letter") == (
        "“letter.pdf” is larger than 1 MB, the most a file may be. Reduce the file (for example, compress images) "
        "and upload it again."
    )
    assert (Attachment.objects.count(), stored_files(settings)) == (0, [])


def test_the_default_limit_is_20_mb(client, researcher, draft, settings):
    client.force_login(researcher)
    just_over = pdf_bytes() + b"%" + b"0" * (20 * 1024 * 1024)

    response = upload(client, draft, "letter", SimpleUploadedFile("letter.pdf", just_over))

    assert field_error(response, "letter").startswith("“letter.pdf” is larger than 20 MB, the most a file may be.")
    assert (Attachment.objects.count(), stored_files(settings)) == (0, [])


def test_an_oversize_file_is_refused_by_the_domain_function_too(researcher, draft, settings):
    from django.core.exceptions import ValidationError

    from projects.domain.attachments import check_pdf

    settings.FILE_UPLOAD_MAX_MB = 1
    big = SimpleUploadedFile("big.pdf", pdf_bytes() + b"%" + b"0" * (3 * 1024 * 1024))

    with pytest.raises(ValidationError) as refused:
        check_pdf(big)

    assert refused.value.messages == [
        "“big.pdf” is 3.0 MB; files may be at most 1 MB. Reduce the file (for example, compress images) and upload "
        "it again."
    ]


def test_the_upload_needs_a_csrf_token(researcher, draft):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(researcher)

    response = upload(client, draft, "narrative", pdf_upload())

    assert response.status_code == 403
    assert Attachment.objects.count() == 0


def test_a_file_just_under_the_limit_is_accepted(client, researcher, draft, settings):
    settings.FILE_UPLOAD_MAX_MB = 1
    client.force_login(researcher)
    content = pdf_bytes()
    content += b"\n%" + b"0" * (1024 * 1024 - len(content) - 2)

    response = upload(client, draft, "letter", SimpleUploadedFile("letter.pdf", content))

    assert (response.status_code, Attachment.objects.get().size_bytes) == (302, 1024 * 1024)


def test_a_corrupt_pdf_is_refused(client, researcher, draft, settings):
    client.force_login(researcher)
    truncated = pdf_bytes()[:200]

    response = upload(client, draft, "narrative", SimpleUploadedFile("broken.pdf", truncated))

    assert response.status_code == 400
    assert field_error(response, "narrative") == (
        "“broken.pdf” is damaged and cannot be opened as a PDF. Export it again from the original document and "
        "upload the new file."
    )
    assert (Attachment.objects.count(), stored_files(settings)) == (0, [])


def test_an_encrypted_pdf_is_refused(client, researcher, draft):
    client.force_login(researcher)

    response = upload(client, draft, "narrative", pdf_upload("locked.pdf", pdf_bytes(password="secret")))

    assert response.status_code == 400
    assert field_error(response, "narrative") == (
        "“locked.pdf” is encrypted (password-protected or restricted), so reviewers may not be able to open it. "
        "Save a copy without protection and upload that."
    )
    assert Attachment.objects.count() == 0


def test_a_failed_upload_keeps_the_page_usable(client, researcher, draft):
    client.force_login(researcher)

    response = upload(client, draft, "narrative", SimpleUploadedFile("notes.pdf", b"hello"))

    page = soup(response)
    assert page.select_one("#id_title")["value"] == "Liver organoids"
    assert page.select_one("#id_narrative-file")["class"] == ["form-control", "is-invalid"]


def test_replacing_the_narrative_deletes_the_old_file_after_commit(
    researcher, draft, settings, django_capture_on_commit_callbacks
):
    first = add_attachment(draft, AttachmentKind.NARRATIVE, pdf_upload("v1.pdf"), researcher)
    old_name = first.file.name

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        second = add_attachment(draft, AttachmentKind.NARRATIVE, pdf_upload("v2.pdf", pdf_bytes(pages=2)), researcher)
        assert sorted(stored_files(settings)) == sorted(
            [old_name, second.file.name]
        )  # not yet: still in the transaction

    for callback in callbacks:
        callback()
    assert stored_files(settings) == [second.file.name]
    assert (Attachment.objects.get().pk, Attachment.objects.get().original_name) == (first.pk, "v2.pdf")


def test_a_rolled_back_replacement_keeps_the_old_file_and_the_sweep_removes_the_new_one(
    researcher, draft, settings, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.db import transaction

    from projects.domain.attachments import delete_orphaned_files
    from projects.tasks import delete_orphaned_files_task as sweep_task

    first = add_attachment(draft, AttachmentKind.NARRATIVE, pdf_upload("v1.pdf"), researcher)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        add_attachment(draft, AttachmentKind.NARRATIVE, pdf_upload("v2.pdf"), researcher)
        raise RuntimeError("something after the upload failed")

    assert Attachment.objects.get().original_name == "v1.pdf"
    assert Path(settings.MEDIA_ROOT, first.file.name).read_bytes() == pdf_bytes()
    [orphan] = [name for name in stored_files(settings) if name != first.file.name]
    assert delete_orphaned_files() == []  # too recent: its row might still be about to commit
    assert delete_orphaned_files(older_than=timedelta(0)) == [orphan]
    assert stored_files(settings) == [first.file.name]
    assert sweep_task.delay().get() == 0


def test_deleting_a_letter_removes_its_file_after_commit(
    client, researcher, draft, settings, django_capture_on_commit_callbacks
):
    letter = add_attachment(draft, AttachmentKind.LETTER, pdf_upload("support.pdf"), researcher)
    client.force_login(researcher)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("projects:attachment_delete", args=[draft.public_id, letter.public_id]))

    assert response.status_code == 302
    assert (Attachment.objects.count(), stored_files(settings)) == (0, [])


def test_several_letters_of_support(client, researcher, draft):
    client.force_login(researcher)

    upload(client, draft, "letter", pdf_upload("one.pdf"))
    upload(client, draft, "letter", pdf_upload("two.pdf"))

    assert list(Attachment.objects.values_list("kind", "original_name")) == [
        ("letter", "one.pdf"),
        ("letter", "two.pdf"),
    ]


def test_download_sends_the_file_as_an_attachment_with_its_original_name(client, researcher, draft):
    attachment = add_attachment(draft, AttachmentKind.NARRATIVE, pdf_upload("Liver narrative.pdf"), researcher)
    client.force_login(researcher)

    response = client.get(attachment.get_absolute_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Liver narrative.pdf"'
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == pdf_bytes()


@pytest.mark.parametrize("who", ["researcher2", "provider_user", "outsider"])
def test_download_is_404_for_anyone_outside_the_team(client, request, researcher, draft, who):
    attachment = add_attachment(draft, AttachmentKind.NARRATIVE, pdf_upload(), researcher)
    client.force_login(request.getfixturevalue(who))

    assert client.get(attachment.get_absolute_url()).status_code == 404


def test_download_needs_sign_in(client, researcher, draft):
    attachment = add_attachment(draft, AttachmentKind.NARRATIVE, pdf_upload(), researcher)

    response = client.get(attachment.get_absolute_url())

    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("account_login"))


def test_staff_can_download(client, researcher, staff, draft):
    attachment = add_attachment(draft, AttachmentKind.NARRATIVE, pdf_upload(), researcher)
    client.force_login(staff)

    assert client.get(attachment.get_absolute_url()).status_code == 200


def test_an_attachment_of_another_proposal_is_404_under_this_one(client, researcher, draft):
    other = ProposalFactory(owner=researcher)
    attachment = add_attachment(other, AttachmentKind.NARRATIVE, pdf_upload(), researcher)
    client.force_login(researcher)

    url = reverse("projects:attachment_download", args=[draft.public_id, attachment.public_id])
    assert client.get(url).status_code == 404


def test_media_root_is_not_served(client, researcher, draft, settings):
    attachment = add_attachment(draft, AttachmentKind.NARRATIVE, pdf_upload(), researcher)
    client.force_login(researcher)

    for url in (f"/media/{attachment.file.name}", f"/{attachment.file.name}", f"/private-media/{attachment.file.name}"):
        assert client.get(url).status_code == 404


def test_uploads_stop_once_submitted(client, researcher, settings):
    proposal = ProposalFactory(owner=researcher, status=ProposalStatus.SUBMITTED, submission_count=1)
    client.force_login(researcher)

    response = upload(client, proposal, "letter", pdf_upload())

    assert (response.status_code, response["Location"]) == (302, proposal.get_absolute_url())
    assert (Attachment.objects.count(), stored_files(settings)) == (0, [])


def test_other_researchers_cannot_upload_or_delete(client, researcher, researcher2, draft, settings):
    letter = add_attachment(draft, AttachmentKind.LETTER, pdf_upload(), researcher)
    client.force_login(researcher2)

    assert upload(client, draft, "letter", pdf_upload()).status_code == 404
    delete_url = reverse("projects:attachment_delete", args=[draft.public_id, letter.public_id])
    assert client.post(delete_url).status_code == 404
    assert Attachment.objects.count() == 1


def test_unknown_attachment_kind_is_404(client, researcher, draft):
    client.force_login(researcher)

    assert upload(client, draft, "budget", pdf_upload()).status_code == 404


def test_delete_attachment_refused_once_submitted(researcher, draft):
    from projects.domain.attachments import AttachmentNotAllowed

    letter = add_attachment(draft, AttachmentKind.LETTER, pdf_upload(), researcher)
    draft.status = ProposalStatus.SUBMITTED
    draft.save()

    with pytest.raises(AttachmentNotAllowed):
        delete_attachment(letter, researcher)


@pytest.mark.parametrize(
    ("uploaded", "safe"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\ada\\Narrative final.PDF", "Narrative final.pdf"),
        ('bad"name;\r\n.pdf', "bad_name.pdf"),
        ("R\u00e9sum\u00e9 \u2013 draft.pdf", "Resume draft.pdf"),
        ("", "document.pdf"),
        (".pdf", "document.pdf"),
    ],
)
def test_file_names_are_made_safe(uploaded, safe):
    assert safe_file_name(uploaded) == safe


def test_stored_files_are_not_world_readable_by_name(researcher, draft, settings):
    attachment = add_attachment(draft, AttachmentKind.NARRATIVE, pdf_upload("secret-plan.pdf"), researcher)

    assert "secret" not in attachment.file.name
    assert os.path.isfile(Path(settings.MEDIA_ROOT, attachment.file.name))
