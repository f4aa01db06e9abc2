"""Bulk upload and download of an organisation's listings (organisation admins; download for every member).

Upload, preview, confirm: the validated document is kept in a ``CapabilityUpload`` row tied to the admin and the
organisation; nothing else is written until the admin confirms. The confirmation plans the import again against
the listings as they are then, and goes ahead only if that is still what the preview showed
(partners/domain/uploads.py).
A large import runs in the background; its page shows the progress and then the outcome.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leoportal.interchange import InterchangeError, dumps, loads
from partners.domain import uploads
from partners.domain.importing import export_document, plan_import, problems_by_entry
from partners.domain.uploads import UploadChanged, confirm_upload, plan_upload
from partners.enums import ImportOutcome
from partners.forms import UploadForm
from partners.models import CapabilityUpload
from partners.views.access import admin_organisation, member_organisation


def _pending_upload(request, organisation, public_id) -> CapabilityUpload:
    fresh_since = timezone.now() - timedelta(hours=settings.CAPABILITY_UPLOAD_TTL_HOURS)
    return get_object_or_404(
        CapabilityUpload.objects.select_related("organisation"),
        public_id=public_id,
        organisation=organisation,
        uploaded_by=request.user,
        applied_at__isnull=True,
        created_at__gte=fresh_since,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, slug):
    organisation = admin_organisation(request, slug)
    form = UploadForm(request.POST or None, request.FILES or None)
    problem_groups = None
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["document"]
        document = None
        try:
            document = loads(upload_file.read())
            plan_import(
                document,
                organisation=organisation,
                publish_new=form.cleaned_data["publish_new"],
                max_entries=settings.CAPABILITY_UPLOAD_MAX_ENTRIES,
            )
        except InterchangeError as error:
            problem_groups = problems_by_entry(error, document)
        else:
            with transaction.atomic():
                # One pending upload per admin and organisation; anyone's expired ones go too.
                expired = timezone.now() - timedelta(hours=settings.CAPABILITY_UPLOAD_TTL_HOURS)
                unconfirmed = CapabilityUpload.objects.filter(applied_at__isnull=True).exclude(
                    pk__in=uploads.uploads_being_imported()
                )
                unconfirmed.filter(
                    Q(organisation=organisation, uploaded_by=request.user) | Q(created_at__lt=expired)
                ).delete()
                upload = CapabilityUpload.objects.create(
                    organisation=organisation,
                    uploaded_by=request.user,
                    filename=upload_file.name[:255],
                    document=document,
                    publish_new=form.cleaned_data["publish_new"],
                )
            return redirect("partners:import_preview", slug=slug, public_id=upload.public_id)
    return render(
        request,
        "partners/import_upload.html",
        {
            "organisation": organisation,
            "form": form,
            "problem_groups": problem_groups,
            "problem_count": sum(len(group.problems) for group in problem_groups or []),
            "max_kb": settings.CAPABILITY_UPLOAD_MAX_KB,
        },
    )


@login_required
@require_GET
def import_preview(request, slug, public_id):
    organisation = admin_organisation(request, slug)
    upload = _pending_upload(request, organisation, public_id)
    running = uploads.active_import(upload)
    if running is not None:
        return redirect(running)
    try:
        plan = plan_upload(upload)
    except InterchangeError as error:
        # Valid when uploaded, but no longer (the organisation was renamed, say): say so, keep nothing.
        upload.delete()
        return render(
            request,
            "partners/import_upload.html",
            {
                "organisation": organisation,
                "form": UploadForm(),
                "problem_groups": problems_by_entry(error, upload.document),
                "problem_count": len(error.problems),
                "max_kb": settings.CAPABILITY_UPLOAD_MAX_KB,
            },
        )
    return render(
        request,
        "partners/import_preview.html",
        {
            "organisation": organisation,
            "upload": upload,
            "plan": plan,
            "counts": plan.counts(),
            "created": plan.by_outcome(ImportOutcome.CREATED),
            "updated": plan.by_outcome(ImportOutcome.UPDATED),
            "unchanged": plan.by_outcome(ImportOutcome.UNCHANGED),
        },
    )


@login_required
@require_POST
def import_confirm(request, slug, public_id):
    organisation = admin_organisation(request, slug)
    upload = _pending_upload(request, organisation, public_id)
    try:
        confirmation = confirm_upload(upload, request.POST.get("digest", ""), request.user)
    except InterchangeError:
        messages.error(request, "The uploaded document no longer fits this organisation; look at the problems.")
        return redirect("partners:import_preview", slug=slug, public_id=public_id)
    except UploadChanged as changed:
        if changed.preview_again:
            messages.warning(request, changed.message)
            return redirect("partners:import_preview", slug=slug, public_id=public_id)
        messages.info(request, changed.message)
        return redirect(organisation.get_manage_url())
    if confirmation.job is not None:
        return redirect(confirmation.job)
    messages.success(request, f"Import done: {confirmation.plan.summary()}.")
    return redirect(organisation.get_manage_url())


@login_required
@require_GET
def import_job(request, slug, public_id):
    """An import's page from before imports were background jobs like any other: the job's page now."""
    organisation = admin_organisation(request, slug)
    job = get_object_or_404(
        uploads.imports().filter(owner=request.user, params__organisation_id=organisation.pk), public_id=public_id
    )
    return redirect(job)


@login_required
@require_GET
def export(request, slug):
    organisation = member_organisation(request, slug)
    listings = organisation.capabilities.with_related().order_by("external_id")
    response = HttpResponse(dumps(export_document(listings)), content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{organisation.slug}-capabilities-{stamp}.json"'
    return response
