"""Hostile uploads: files that lie about being PDFs, decompression bombs, oversize files, names with path tricks,
and capability documents that are not JSON, too big or in the wrong encoding.

(tests/projects/test_attachments.py covers the ordinary refusals: a text file named .pdf, an oversize file, a
corrupt or encrypted PDF, and safe_file_name on its own.)
"""

import re
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partners.models import Capability, CapabilityUpload
from projects.domain import attachments
from projects.models import Attachment
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.projects.factories import NarrativeFactory, ProposalFactory, pdf_bytes, pdf_upload
from tests.security import slow_readers
from tests.security.pdf_bombs import content_stream_bomb, object_stream_bomb, padded_pdf, pdf_with
from tests.utils import soup

pytestmark = [pytest.mark.django_db, pytest.mark.broad]

SAFE_DISPOSITION = re.compile(r'^attachment; filename="[A-Za-z0-9 ._()\-]{1,154}"$')


@pytest.fixture
def draft(researcher):
    return ProposalFactory(owner=researcher, title="Liver organoids")


@pytest.fixture
def researcher_client(client, researcher):
    client.force_login(researcher)
    return client


def upload(client, proposal, file, kind="narrative"):
    return client.post(reverse("projects:attachment_upload", args=[proposal.public_id, kind]), {f"{kind}-file": file})


def stored_files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


def field_error(response) -> str:
    return soup(response).select_one(".invalid-feedback").get_text(" ", strip=True)


def test_an_html_page_that_starts_with_the_pdf_signature_is_refused_as_damaged(researcher_client, draft, settings):
    lie = b"%PDF-1.7\n<html><body><script>alert(1)</script></body></html>\n"

    response = upload(researcher_client, draft, SimpleUploadedFile("narrative.pdf", lie, "application/pdf"))

    assert response.status_code == 400
    assert field_error(response) == (
        "“narrative.pdf” is damaged and cannot be opened as a PDF. Export it again from the original document and "
        "upload the new file."
    )
    assert (Attachment.objects.count(), stored_files(settings)) == (0, [])


def test_a_pdf_sent_as_html_content_type_is_judged_by_its_content(researcher_client, draft):
    response = upload(researcher_client, draft, SimpleUploadedFile("narrative.pdf", pdf_bytes(2), "text/html"))

    assert response.status_code == 302
    assert Attachment.objects.get().page_count == 2


TOO_COMPLEX = (
    "“bomb.pdf” could not be checked: it takes too long or too much memory to open, which happens with damaged or "
    "unusually built files. Export it again from the original document (or print it to PDF) and upload the new file."
)


def test_a_decompression_bomb_is_refused_within_the_time_limit(researcher_client, draft, settings):
    settings.PDF_CHECK_SECONDS = 1.0
    settings.PDF_CHECK_MEMORY_MB = 4096  # only time stops it here
    bomb = object_stream_bomb(pages=1)  # 68 KB that expand to 70 MB: about 8 s of parsing without the limit
    assert len(bomb) < 100 * 1024

    started = time.monotonic()
    response = upload(researcher_client, draft, SimpleUploadedFile("bomb.pdf", bomb))
    elapsed = time.monotonic() - started

    assert response.status_code == 400
    assert field_error(response) == TOO_COMPLEX
    # One second of the child's processor time, which a busy machine may spread over up to four of the clock's
    # (WALL_CLOCK_FACTOR); without the limit the file takes about 8 s of processor time.
    assert elapsed < settings.PDF_CHECK_SECONDS * attachments.WALL_CLOCK_FACTOR + 1, f"took {elapsed:.1f} s"
    assert (Attachment.objects.count(), stored_files(settings)) == (0, [])


def test_a_decompression_bomb_is_refused_by_the_memory_limit(researcher_client, draft, settings):
    settings.PDF_CHECK_SECONDS = 60.0  # only memory stops it here
    settings.PDF_CHECK_MEMORY_MB = 64
    bomb = object_stream_bomb(pages=1, padding=150_000_000)

    started = time.monotonic()
    response = upload(researcher_client, draft, SimpleUploadedFile("bomb.pdf", bomb))
    elapsed = time.monotonic() - started

    assert field_error(response) == TOO_COMPLEX
    assert elapsed < 10.0, f"took {elapsed:.1f} s"
    assert Attachment.objects.count() == 0


def test_a_valid_pdf_still_passes_the_limited_check_quickly(researcher_client, draft, settings):
    started = time.monotonic()
    response = upload(researcher_client, draft, pdf_upload("narrative.pdf", pdf_bytes(pages=200)))

    assert response.status_code == 302
    assert Attachment.objects.get().page_count == 200
    assert time.monotonic() - started < settings.PDF_CHECK_SECONDS


def test_a_slow_clock_alone_refuses_no_sound_file(researcher_client, draft, settings, monkeypatch):
    """The limit is the check's own processor time: a child kept waiting (a busy server) past the limit, by the
    clock, still passes a sound file; one that never answers is stopped at four times the limit."""
    settings.PDF_CHECK_SECONDS = 1.0
    monkeypatch.setattr(attachments, "READER", slow_readers.waits_then_reads)
    response = upload(researcher_client, draft, pdf_upload("narrative.pdf", pdf_bytes(pages=2)))
    assert response.status_code == 302
    assert Attachment.objects.get().page_count == 2

    monkeypatch.setattr(attachments, "READER", slow_readers.never_answers)
    started = time.monotonic()
    response = upload(researcher_client, draft, pdf_upload("bomb.pdf", pdf_bytes(pages=2)))
    assert field_error(response) == TOO_COMPLEX
    assert 4.0 <= time.monotonic() - started < 10.0


def test_a_lock_another_thread_holds_does_not_hang_the_check(researcher_client, draft, settings, monkeypatch):
    """The child comes from the fork server, not from this process: a lock one of this process's threads holds
    while the file is checked is not the child's."""
    settings.PDF_CHECK_SECONDS = 1.0
    monkeypatch.setattr(attachments, "READER", slow_readers.reads_under_the_lock)
    with slow_readers.HELD_ELSEWHERE:
        response = upload(researcher_client, draft, pdf_upload("narrative.pdf", pdf_bytes(pages=2)))

    assert response.status_code == 302
    assert Attachment.objects.get().page_count == 2


def test_a_file_over_the_limit_is_refused_without_being_kept(researcher_client, draft, settings):
    settings.FILE_UPLOAD_MAX_MB = 1
    oversize = pdf_bytes() + b"%" + b"0" * (1024 * 1024)

    response = upload(researcher_client, draft, SimpleUploadedFile("big.pdf", oversize))

    assert response.status_code == 400
    assert field_error(response).startswith("“big.pdf” is larger than 1 MB, the most a file may be.")
    assert (Attachment.objects.count(), stored_files(settings)) == (0, [])


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../../../etc/cron.d/evil.pdf", "evil.pdf"),
        ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
        ("/etc/passwd", "passwd.pdf"),
        ("report\x00.exe.pdf", "report.exe.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe.pdf"),
        ("a" * 1000 + ".pdf", "a" * 150 + ".pdf"),
        ('"; filename="evil.html', "evil.html.pdf"),
        ("<script>alert(1)</script>.pdf", "script.pdf"),
        ("\r\nSet-Cookie: x=1.pdf", "document.pdf"),
    ],
)
def test_hostile_file_names_are_stored_under_a_random_name_and_served_safely(
    researcher_client, draft, settings, name, shown
):
    response = upload(researcher_client, draft, SimpleUploadedFile(name, pdf_bytes()))

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    [stored] = stored_files(settings)
    assert re.fullmatch(r"proposals/[0-9a-f]{32}\.pdf", stored), stored
    assert attachment.original_name == shown
    download = researcher_client.get(attachment.get_absolute_url())
    assert download.status_code == 200
    assert SAFE_DISPOSITION.match(download["Content-Disposition"]), download["Content-Disposition"]
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    page = researcher_client.get(reverse("projects:proposal_edit", args=[draft.public_id])).content.decode()
    assert "<script>alert(1)" not in page


# --- Capability documents ---------------------------------------------------------------------------------------


@pytest.fixture
def organisation(provider_user):
    organisation = OrganisationFactory(name="Redwire Space", slug="redwire-space")
    MembershipFactory(organisation=organisation, user=provider_user, role="admin")
    return organisation


@pytest.fixture
def provider_client(client, provider_user):
    client.force_login(provider_user)
    return client


def upload_document(client, organisation, content: bytes, name="capabilities.json"):
    return client.post(
        reverse("partners:import_upload", args=[organisation.slug]),
        {"document": SimpleUploadedFile(name, content, "application/json")},
    )


def document_problems(response) -> list[str]:
    return [item.get_text(" ", strip=True) for item in soup(response).select("[data-problems] li, .import-problems li")]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{"format": "leoportal.capabilities/1", "capabilities": [{"name": "Caf\u00e9"}]}'.encode("latin-1"),
            "the file is not UTF-8 text",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "the file is not UTF-8 text"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "the file is not UTF-8 text"),
        (b"%PDF-1.7\n1 0 obj << >> endobj\n", "not valid JSON: Expecting value: line 1 column 1 (char 0)"),
        (b"[" * 100_000 + b"]" * 100_000, "the document is nested too deeply"),
        (
            b'{"format": "leoportal.capabilities/1", "capabilities": NaN}',
            "not valid JSON: NaN is not a number JSON allows",
        ),
        (b"", "The submitted file is empty."),
    ],
)
def test_capability_documents_that_are_not_json_are_explained_and_nothing_is_kept(
    provider_client, organisation, content, expected
):
    response = upload_document(provider_client, organisation, content)

    assert response.status_code == 200
    assert expected in response.content.decode()
    assert (CapabilityUpload.objects.count(), Capability.objects.count()) == (0, 0)


def test_a_capability_document_in_utf16_is_read(provider_client, organisation):
    document = '{"format": "leoportal.capabilities/1", "capabilities": []}'.encode("utf-16")

    response = upload_document(provider_client, organisation, document)

    assert response.status_code == 302
    assert CapabilityUpload.objects.get().document == {"format": "leoportal.capabilities/1", "capabilities": []}


def test_a_huge_capability_document_is_refused_by_size(provider_client, organisation, settings):
    settings.CAPABILITY_UPLOAD_MAX_KB = 64
    document = b'{"format": "leoportal.capabilities/1", "capabilities": [], "x": "' + b"a" * 200_000 + b'"}'

    response = upload_document(provider_client, organisation, document)

    assert response.status_code == 200
    assert "The file is 195 KB; upload at most 64 KB at a time" in response.content.decode()
    assert CapabilityUpload.objects.count() == 0


def test_a_capability_document_with_a_hostile_name_keeps_it_escaped(provider_client, organisation):
    document = b'{"format": "leoportal.capabilities/1", "capabilities": []}'

    response = upload_document(provider_client, organisation, document, name="<script>alert(1)</script>" * 20)

    assert response.status_code == 302
    preview = provider_client.get(response["Location"])
    assert "<script>alert(1)" not in preview.content.decode()


# --- What a proposal's files may hold and how many there may be ---------------------------------------------------


def test_a_two_megabyte_pdf_that_expands_to_two_gigabytes_is_refused(researcher_client, draft, settings):
    bomb = content_stream_bomb(expands_to=2 * 1024**3)
    assert len(bomb) < 2.5 * 1024 * 1024  # about 2 MB on disk

    response = upload(researcher_client, draft, SimpleUploadedFile("narrative.pdf", bomb, "application/pdf"))

    assert response.status_code == 400
    assert field_error(response) == (
        "“narrative.pdf” holds compressed content that would expand to more than 200 MB when opened, far more than a "
        "document needs (a “decompression bomb”, or images stored without compression). Export it again from the "
        "original document with images compressed, and upload the new file."
    )
    assert (Attachment.objects.count(), stored_files(settings)) == (0, [])


def test_the_expansion_limit_is_a_setting(researcher_client, draft, settings):
    settings.PDF_MAX_INFLATED_MB = 20
    small = SimpleUploadedFile("narrative.pdf", content_stream_bomb(expands_to=15 * 1024**2), "application/pdf")
    large = SimpleUploadedFile("letter.pdf", content_stream_bomb(expands_to=25 * 1024**2), "application/pdf")

    accepted = upload(researcher_client, draft, small)
    refused = upload(researcher_client, draft, large, kind="letter")

    assert (accepted.status_code, refused.status_code) == (302, 400)
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["narrative.pdf"]


@pytest.mark.parametrize(
    ("kind", "what"),
    [
        ("openaction-javascript", "JavaScript and an action that runs when the file is opened (/OpenAction)"),
        ("document-javascript", "JavaScript"),
        ("openaction-uri", "an action that runs when the file is opened (/OpenAction)"),
        ("launch-link", "an action that launches a program"),
        ("page-open-action", "JavaScript and actions that run when a page or field is opened or used (/AA)"),
    ],
)
def test_a_pdf_carrying_scripts_or_actions_is_refused_and_says_which(researcher_client, draft, settings, kind, what):
    response = upload(researcher_client, draft, SimpleUploadedFile("letter.pdf", pdf_with(kind), "application/pdf"))

    assert response.status_code == 400
    assert field_error(response) == (
        f"“letter.pdf” contains {what}, which a PDF reader may run by itself. Program staff and providers open these "
        "files, so they may contain none: print the document to PDF again (or export it without scripts and "
        "actions) and upload the new file."
    )
    assert (Attachment.objects.count(), stored_files(settings)) == (0, [])


def test_a_pdf_that_opens_at_its_first_page_is_accepted(researcher_client, draft):
    pdf = SimpleUploadedFile("narrative.pdf", pdf_with("open-at-page"), "application/pdf")

    response = upload(researcher_client, draft, pdf)

    assert response.status_code == 302
    assert Attachment.objects.count() == 1


def test_a_proposal_holds_at_most_the_set_number_of_files(researcher_client, draft, settings):
    settings.PROPOSAL_FILES_MAX = 3
    NarrativeFactory(proposal=draft)
    letters = [upload(researcher_client, draft, pdf_upload(f"letter-{n}.pdf"), kind="letter") for n in range(3)]
    new_narrative = upload(researcher_client, draft, pdf_upload("narrative-v2.pdf"))

    assert [response.status_code for response in letters] == [302, 302, 400]
    assert field_error(letters[2]) == (
        "This proposal already has 3 files, the most a proposal may have. Remove a letter it no longer needs (or "
        "combine letters into one PDF) before adding another."
    )
    assert new_narrative.status_code == 302  # replacing the narrative takes no new place
    assert sorted(draft.attachments.values_list("original_name", flat=True)) == [
        "letter-0.pdf",
        "letter-1.pdf",
        "narrative-v2.pdf",
    ]


def test_a_proposal_s_files_together_stay_under_the_set_size(researcher_client, draft, settings):
    settings.PROPOSAL_FILES_MAX_MB = 1
    first = upload(researcher_client, draft, pdf_upload("letter-1.pdf", padded_pdf(600_000)), kind="letter")
    second = upload(researcher_client, draft, pdf_upload("letter-2.pdf", padded_pdf(600_000)), kind="letter")

    assert (first.status_code, second.status_code) == (302, 400)
    assert field_error(second).startswith("Adding this file (0.6 MB) would bring the proposal's files to 1.1 MB; ")
    assert field_error(second).endswith(
        "together they may be at most 1 MB. Remove a file or reduce this one (for example, compress its images) and "
        "upload it again."
    )
    assert draft.attachments.count() == 1
