"""Proposal attachments: PDFs only, checked by their content, stored privately under random names.

A file is accepted when it starts with the PDF signature, parses, is not encrypted, has pages, and fits
FILE_UPLOAD_MAX_MB. A few kilobytes of PDF can hold compressed streams that expand to gigabytes and keep a parser
busy for minutes, so the file is opened in a child process with a limit of processor time (PDF_CHECK_SECONDS) and
of memory (PDF_CHECK_MEMORY_MB): a file that exceeds them is refused, and the web worker is never tied up. The
limit counts the child's own processor time, not the clock, so a busy server does not refuse a sound file; a child
that has not answered after WALL_CLOCK_FACTOR times the limit is stopped all the same. In that
child every stream is also measured as it would expand (without keeping it): a file whose streams would expand
past PDF_MAX_INFLATED_MB is refused, however quickly it opens. So is a file that carries JavaScript or actions
that run by themselves (on opening, on a page, a launch of a program, a form sent elsewhere): staff and providers
open these files. A proposal holds at most PROPOSAL_FILES_MAX files of PROPOSAL_FILES_MAX_MB together.

Files live under MEDIA_ROOT (no public URL) and are served only by a view that checks the proposal's permissions.
A replaced or deleted file leaves the disk once the transaction has committed, so a rollback never leaves a row
pointing at nothing.
"""

import logging
import multiprocessing
import re
import unicodedata
from datetime import timedelta
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import transaction
from django.utils import timezone

from projects.domain import pdf_inspection
from projects.enums import AttachmentKind
from projects.exceptions import AttachmentNotAllowed, TooManyFiles
from projects.models import Attachment, Proposal
from projects.rules import can_edit_proposal

logger = logging.getLogger(__name__)

PDF_SIGNATURE = b"%PDF-"
SAFE_NAME = re.compile(r"[^A-Za-z0-9 ._()\-]+")


def max_upload_bytes() -> int:
    return settings.FILE_UPLOAD_MAX_MB * 1024 * 1024


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_pdf(uploaded) -> int:
    """Return the page count of ``uploaded`` or raise ValidationError saying what is wrong and what to do."""
    name = uploaded.name or "The file"
    if uploaded.size > max_upload_bytes():
        raise ValidationError(
            "“%(name)s” is %(size)s; files may be at most %(limit)s MB. Reduce the file (for example, compress "
            "images) and upload it again.",
            code="too_large",
            params={"name": name, "size": _megabytes(uploaded.size), "limit": settings.FILE_UPLOAD_MAX_MB},
        )
    uploaded.seek(0)
    if uploaded.read(len(PDF_SIGNATURE)) != PDF_SIGNATURE:
        raise ValidationError(
            "“%(name)s” is not a PDF file, whatever its name says. Save or export your document as PDF and "
            "upload that.",
            code="not_pdf",
            params={"name": name},
        )
    uploaded.seek(0)
    try:
        outcome, encrypted, pages, active = inspect_pdf(uploaded)
    finally:
        uploaded.seek(0)
    if outcome == "inflates":
        logger.warning("refused a PDF upload %r whose streams expand past PDF_MAX_INFLATED_MB", name)
        raise ValidationError(
            "“%(name)s” holds compressed content that would expand to more than %(limit)s MB when opened, far more "
            "than a document needs (a “decompression bomb”, or images stored without compression). Export it again "
            "from the original document with images compressed, and upload the new file.",
            code="inflates",
            params={"name": name, "limit": settings.PDF_MAX_INFLATED_MB},
        )
    if outcome == "too_complex":
        logger.warning("refused a PDF upload %r that exceeded the inspection limits", name)
        raise ValidationError(
            "“%(name)s” could not be checked: it takes too long or too much memory to open, which happens with "
            "damaged or unusually built files. Export it again from the original document (or print it to PDF) "
            "and upload the new file.",
            code="too_complex",
            params={"name": name},
        )
    if outcome != "ok":
        logger.info("refused a damaged PDF upload %r: %s", name, outcome)
        raise ValidationError(
            "“%(name)s” is damaged and cannot be opened as a PDF. Export it again from the original document and "
            "upload the new file.",
            code="corrupt",
            params={"name": name},
        )
    if encrypted:
        raise ValidationError(
            "“%(name)s” is encrypted (password-protected or restricted), so reviewers may not be able to open "
            "it. Save a copy without protection and upload that.",
            code="encrypted",
            params={"name": name},
        )
    if pages == 0:
        raise ValidationError("“%(name)s” has no pages.", code="empty", params={"name": name})
    if active:
        logger.warning("refused a PDF upload %r that carries %s", name, ", ".join(active))
        raise ValidationError(
            "“%(name)s” contains %(what)s, which a PDF reader may run by itself. Program staff and providers open "
            "these files, so they may contain none: print the document to PDF again (or export it without scripts "
            "and actions) and upload the new file.",
            code="active_content",
            params={"name": name, "what": " and ".join(active)},
        )
    return pages


# How long, by the clock, a child may take for each second of processor time it is allowed.
WALL_CLOCK_FACTOR = 4
# What the child opens the file with (tests put a slow or hanging reader here; it must be importable without Django).
READER = pdf_inspection.PdfReader


def inspect_pdf(uploaded) -> tuple[str, bool, int, list[str]]:
    """Open ``uploaded`` with pypdf in a child process under PDF_CHECK_SECONDS of processor time and
    PDF_CHECK_MEMORY_MB (projects/domain/pdf_inspection.py).

    The child comes from multiprocessing's fork server, a small process started once that holds nothing but pypdf:
    forking the web worker itself would copy its other threads' locks (a live server's, a browser driver's) into a
    child that could then wait on them for ever.

    Returns (outcome, encrypted, page count, active content found): outcome "ok", "too_complex" (a limit was hit),
    "inflates" (its streams would expand past PDF_MAX_INFLATED_MB) or a short description of why the file does
    not parse.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([pdf_inspection.__name__])
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    receiver, sender = context.Pipe(duplex=False)
    inflated_limit = settings.PDF_MAX_INFLATED_MB * 1024 * 1024
    child = context.Process(
        target=pdf_inspection.inspect_in_child,
        args=(data, sender, settings.PDF_CHECK_SECONDS, settings.PDF_CHECK_MEMORY_MB, inflated_limit, READER),
    )
    child.start()
    sender.close()
    try:
        if receiver.poll(settings.PDF_CHECK_SECONDS * WALL_CLOCK_FACTOR):
            try:
                return receiver.recv()
            except EOFError:  # the child died without answering (killed for its memory, say)
                return ("too_complex", False, 0, [])
        return ("too_complex", False, 0, [])
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()


def too_large_error(name: str) -> ValidationError:
    return ValidationError(
        "“%(name)s” is larger than %(limit)s MB, the most a file may be. Reduce the file (for example, compress "
        "images) and upload it again.",
        code="too_large",
        params={"name": name, "limit": settings.FILE_UPLOAD_MAX_MB},
    )


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops storing an uploaded file as soon as it passes FILE_UPLOAD_MAX_MB, so an oversize upload never fills
    the disk; the view then reports the size. (The proxy in front should limit request bodies too.)"""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = max_upload_bytes()
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            assert self.request is not None  # Django gives upload handlers the request they parse
            self.request.upload_too_large = self.file_name  # type: ignore[attr-defined]  # read back by the view
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler stores the file


def safe_file_name(name: str) -> str:
    """The uploaded name reduced to something safe to send back in a Content-Disposition header."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name  # drop any directories, / or \\ separated
    if base.lower().endswith(".pdf"):
        base = base[:-4]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = " ".join(SAFE_NAME.sub("_", base).split()).strip(" ._")[:150]
    return f"{base or 'document'}.pdf"


def delete_files_on_commit(names) -> None:
    """Remove stored files once the surrounding transaction commits (immediately outside one)."""
    names = [name for name in names if name]

    def remove():
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:
                logger.exception("could not delete attachment file %s", name)

    if names:
        transaction.on_commit(remove)


def files_problem(proposal: Proposal, kind: AttachmentKind, size: int) -> str | None:
    """Why a file of ``size`` bytes cannot be added to ``proposal`` (it holds as many files, or megabytes, as it
    may), or None. A new narrative replaces the old one, so it frees the old one's place and size."""
    files = list(proposal.attachments.values_list("kind", "size_bytes"))
    replaced = next((old for k, old in files if k == AttachmentKind.NARRATIVE), None)
    replacing = kind == AttachmentKind.NARRATIVE and replaced is not None
    count = len(files) - (1 if replacing else 0)
    total = sum(old for _k, old in files) - (replaced if replacing and replaced is not None else 0)
    if count >= settings.PROPOSAL_FILES_MAX:
        return (
            f"This proposal already has {count} files, the most a proposal may have. Remove a letter it no longer "
            "needs (or combine letters into one PDF) before adding another."
        )
    limit = settings.PROPOSAL_FILES_MAX_MB * 1024 * 1024
    if total + size > limit:
        return (
            f"Adding this file ({_megabytes(size)}) would bring the proposal's files to {_megabytes(total + size)}; "
            f"together they may be at most {settings.PROPOSAL_FILES_MAX_MB} MB. Remove a file or reduce this one "
            "(for example, compress its images) and upload it again."
        )
    return None


def add_attachment(proposal: Proposal, kind: AttachmentKind, uploaded, user, page_count: int | None = None):
    """Store ``uploaded`` as the proposal's narrative (replacing any earlier one) or as a letter of support."""
    if not can_edit_proposal(user, proposal):
        raise AttachmentNotAllowed("Attachments can only change while the proposal is a draft or under revision.")
    if page_count is None:
        page_count = check_pdf(uploaded)
    fields = {
        "original_name": safe_file_name(uploaded.name),
        "size_bytes": uploaded.size,
        "page_count": page_count,
        "uploaded_by": user,
        "uploaded_at": timezone.now(),
    }
    stored_name = None
    try:
        with transaction.atomic():
            # Locked: two uploads at once cannot both take the proposal's last free place.
            Proposal.objects.select_for_update().filter(pk=proposal.pk).first()
            problem = files_problem(proposal, kind, uploaded.size)
            if problem:
                raise TooManyFiles(problem, code="too_many_files")
            existing = None
            if kind == AttachmentKind.NARRATIVE:
                existing = proposal.attachments.select_for_update().filter(kind=AttachmentKind.NARRATIVE).first()
            if existing:
                replaced = existing.file.name
                for key, value in fields.items():
                    setattr(existing, key, value)
                existing.file.save("narrative.pdf", uploaded, save=False)
                stored_name = existing.file.name
                existing.save()
                attachment = existing
                delete_files_on_commit([replaced])
            else:
                attachment = Attachment(proposal=proposal, kind=kind, **fields)
                attachment.file.save("attachment.pdf", uploaded, save=False)
                stored_name = attachment.file.name
                attachment.save()
            proposal.updated_at = fields["uploaded_at"]
            proposal.save(update_fields=["updated_at"])
    except Exception:
        if stored_name:  # the row never committed: do not leave the file behind
            default_storage.delete(stored_name)
        raise
    return attachment


def delete_attachment(attachment: Attachment, user) -> None:
    proposal = attachment.proposal
    if not can_edit_proposal(user, proposal):
        raise AttachmentNotAllowed("Attachments can only change while the proposal is a draft or under revision.")
    with transaction.atomic():
        name = attachment.file.name
        attachment.delete()
        proposal.updated_at = timezone.now()
        proposal.save(update_fields=["updated_at"])
        delete_files_on_commit([name])


def delete_orphaned_files(older_than=timedelta(hours=1)) -> list[str]:
    """Remove stored files no attachment refers to (left by a transaction that rolled back after the upload, or
    a process that died between writing the file and committing the row). Recent files are left alone: their
    row may be about to commit."""
    folder = "proposals"
    try:
        _dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    referenced = set(Attachment.objects.values_list("file", flat=True))
    cutoff = timezone.now() - older_than
    removed = []
    for file_name in sorted(files):
        name = f"{folder}/{file_name}"
        if name in referenced or default_storage.get_modified_time(name) > cutoff:
            continue
        default_storage.delete(name)
        removed.append(name)
    if removed:
        logger.info("removed %d orphaned attachment file(s)", len(removed))
    return removed
