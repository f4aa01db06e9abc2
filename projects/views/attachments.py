"""Uploading, downloading and removing a proposal's PDFs."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from projects.domain import attachments
from projects.enums import CLOSED_STATUSES, AttachmentKind, IntroductionAnswer
from projects.forms import AttachmentForm
from projects.models import Attachment, Introduction
from projects.views.proposals import (
    edit_context,
    editable_or_redirect,
    proposal_for_action,
    proposal_for_form,
    save_typed_answers,
)

logger = logging.getLogger(__name__)


UPLOAD_KINDS = {"narrative": AttachmentKind.NARRATIVE, "letter": AttachmentKind.LETTER}


@csrf_exempt  # only so the size-limit handler can be installed before the body is read: checked just below
def attachment_upload(request, public_id, kind):
    if request.method == "POST":
        request.upload_handlers.insert(0, attachments.SizeLimitUploadHandler(request))
    return _attachment_upload(request, public_id, kind)


@csrf_protect
@login_required
@require_POST
def _attachment_upload(request, public_id, kind):
    proposal = proposal_for_form(request, public_id)
    if kind not in UPLOAD_KINDS:
        raise Http404("No such kind of attachment.")
    elsewhere = editable_or_redirect(request, proposal)
    if elsewhere:
        return elsewhere
    prefix, kind = kind, UPLOAD_KINDS[kind]
    label = f"{kind.label} (PDF)"
    unsaved = save_typed_answers(request, proposal)  # what was typed is saved first
    if unsaved is not None:
        return _answers_not_saved(request, proposal, prefix, label, *unsaved)
    uploaded = request.FILES.get(f"{prefix}-file")
    form = AttachmentForm(
        request.POST,
        request.FILES,
        prefix=prefix,
        label=label,
        too_large=getattr(request, "upload_too_large", None),
        no_room=attachments.files_problem(proposal, kind, uploaded.size) if uploaded is not None else None,
    )
    if not form.is_valid():
        return _refused(request, proposal, prefix, form)
    try:
        attachment = attachments.add_attachment(
            proposal, kind, form.cleaned_data["file"], request.user, page_count=form.page_count
        )
    except attachments.TooManyFiles as refused:  # another upload took the last place meanwhile
        form.add_error("file", refused.message)
        return _refused(request, proposal, prefix, form)
    pages = f"{attachment.page_count} page{'s' if attachment.page_count != 1 else ''}"
    messages.success(request, f"Uploaded “{attachment.original_name}” ({pages}) as the {kind.label.lower()}.")
    return redirect(reverse("projects:proposal_edit", args=[proposal.public_id]) + "#attachments")


def _answers_not_saved(request, proposal, prefix, label, form, formset, status):
    """The answers posted with the file could not be saved: keep the file out too, and show what was typed."""
    file_form = AttachmentForm(
        {},
        {},
        prefix=prefix,
        label=label,
        refused="Not uploaded: your answers could not be saved first (see the message at the top and those in the "
        "form). Correct them, then choose the file and upload it again.",
    )
    file_form.is_valid()
    file_form.fields["file"].widget.attrs["autofocus"] = True
    if status == 400:
        messages.error(
            request, "Nothing was saved or uploaded yet: correct the problems marked in the form, then upload again."
        )
    context = edit_context(request, proposal, form, formset, **{f"{prefix}_form": file_form})
    return render(request, "projects/proposal_form.html", context, status=status)


def _refused(request, proposal, prefix, form):
    messages.error(request, "The file was not uploaded: see the message under the upload field.")
    form.fields["file"].widget.attrs["autofocus"] = True  # the page opens at the upload and its message
    context = edit_context(request, proposal, **{f"{prefix}_form": form})
    return render(request, "projects/proposal_form.html", context, status=400)


def _attachment(request, public_id, attachment_id) -> Attachment:
    proposal = proposal_for_action(request, public_id)
    attachment = get_object_or_404(Attachment.objects.filter(proposal=proposal), public_id=attachment_id)
    attachment.proposal = proposal
    return attachment


@never_cache
@login_required
@require_GET
def attachment_download(request, public_id, attachment_id):
    return file_response(_attachment(request, public_id, attachment_id))


@never_cache
@login_required
@require_GET
def introduction_attachment(request, public_id, attachment_id):
    """A proposal's PDF for the members of a provider that answered interested to its introduction, until the
    proposal is withdrawn or declined."""
    introduction = get_object_or_404(
        Introduction.objects.for_provider(request.user)
        .filter(answer=IntroductionAnswer.INTERESTED)
        .exclude(proposal__status__in=CLOSED_STATUSES),
        public_id=public_id,
    )
    return file_response(
        get_object_or_404(Attachment.objects.filter(proposal_id=introduction.proposal_id), public_id=attachment_id)
    )


def file_response(attachment: Attachment, *, inline: bool = False) -> FileResponse:
    """The PDF as a download, or ``inline`` for the browser's own PDF viewer."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        logger.error("attachment %s is missing its file %s", attachment.public_id, attachment.file.name)
        raise Http404("The file is missing.") from None
    return FileResponse(
        handle, as_attachment=not inline, filename=attachment.original_name, content_type="application/pdf"
    )


@login_required
@require_POST
def attachment_delete(request, public_id, attachment_id):
    attachment = _attachment(request, public_id, attachment_id)
    proposal = attachment.proposal
    elsewhere = editable_or_redirect(request, proposal)
    if elsewhere:
        return elsewhere
    attachments.delete_attachment(attachment, request.user)
    messages.success(request, f"Removed “{attachment.original_name}”.")
    return redirect(reverse("projects:proposal_edit", args=[proposal.public_id]) + "#attachments")
