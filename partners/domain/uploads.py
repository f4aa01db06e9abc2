"""The upload flow's domain functions: confirm an uploaded capability document, and import it in the background.

An organisation admin uploads a document, sees the preview, and confirms. ``confirm_upload`` plans the import
again against the listings as they are then and goes ahead only if that is still what the preview showed. A small
import is applied at once; one that creates or changes more than CAPABILITY_IMPORT_BACKGROUND_ENTRIES listings is
run as a background job of kind ``CAPABILITY_IMPORT`` (leoportal.domain.jobs; registered in partners/jobs.py) and the
browser follows it on the job's page. Either way the import is all or nothing: one transaction writes every listing
and marks the upload applied (in the background, together with the job's success).
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from leoportal.domain import jobs
from leoportal.interchange import InterchangeError
from leoportal.models import BackgroundJob
from partners.domain.importing import ImportPlan, apply_import, plan_import, problems_by_entry
from partners.enums import ImportOutcome
from partners.models import CapabilityUpload, Organisation

logger = logging.getLogger(__name__)

CAPABILITY_IMPORT = "partners.capability_import"


class UploadChanged(Exception):
    """The upload cannot be imported as confirmed (already imported, gone, or the listings changed since)."""

    def __init__(self, message: str, *, preview_again: bool = False):
        self.message = message
        self.preview_again = preview_again  # the upload is still pending: its preview shows what it would do now
        super().__init__(message)


@dataclass
class Confirmation:
    """What confirming did: imported at once (``plan``), or queued for a background worker (``job``)."""

    plan: ImportPlan | None = None
    job: BackgroundJob | None = None


def imports() -> QuerySet[BackgroundJob]:
    return BackgroundJob.objects.filter(kind=CAPABILITY_IMPORT)


def active_import(upload: CapabilityUpload) -> BackgroundJob | None:
    """The job importing ``upload`` now (queued or running), if any."""
    return imports().filter(params__upload_id=upload.pk, state__in=jobs.ACTIVE_STATES).first()


def uploads_being_imported() -> list[int]:
    """The uploads a queued or running import works on (kept until it is over)."""
    running = imports().filter(state__in=jobs.ACTIVE_STATES)
    return [int(pk) for pk in running.values_list("params__upload_id", flat=True)]


def recent_imports(organisation: Organisation, owner, hours: int = 24) -> list[BackgroundJob]:
    """``owner``'s imports into ``organisation`` from the last ``hours``: running ones, and the outcome of the rest."""
    since = timezone.now() - timedelta(hours=hours)
    started = imports().filter(params__organisation_id=organisation.pk, owner=owner, created_at__gte=since)
    return list(started.order_by("-created_at")[:3])


def plan_upload(upload: CapabilityUpload) -> ImportPlan:
    return plan_import(
        upload.document,
        organisation=upload.organisation,
        publish_new=upload.publish_new,
        max_entries=settings.CAPABILITY_UPLOAD_MAX_ENTRIES,
    )


def listings_changed(plan: ImportPlan) -> int:
    """How many listings the import creates or changes (an unchanged entry costs nothing)."""
    counts = plan.counts()
    return counts[ImportOutcome.CREATED] + counts[ImportOutcome.UPDATED]


def runs_in_background(plan: ImportPlan) -> bool:
    return listings_changed(plan) > settings.CAPABILITY_IMPORT_BACKGROUND_ENTRIES


def _locked_pending(upload_id: int) -> CapabilityUpload:
    uploads = CapabilityUpload.objects.select_for_update(of=("self",)).select_related("organisation")
    upload = uploads.filter(pk=upload_id).first()
    if upload is None:
        raise UploadChanged("This upload is gone (uploads are kept for a day). Upload the file again.")
    if upload.applied_at is not None:
        raise UploadChanged("This upload was already imported.")
    return upload


def _changed_since_preview(upload: CapabilityUpload, *, in_background: bool) -> UploadChanged:
    if in_background:
        message = (
            f"The listings of {upload.organisation.name} changed after you confirmed this import, so nothing was "
            "imported. Open the preview again to see what the import would do now, and confirm again if it is "
            "still right."
        )
    else:
        message = (
            "The listings changed since you looked at this preview. Here is what the import would do now; confirm "
            "again if it is still right."
        )
    return UploadChanged(message, preview_again=True)


def confirm_upload(upload: CapabilityUpload, digest: str, by) -> Confirmation:
    """The admin confirmed the preview whose plan had ``digest``: import now, or queue a background import.

    Raises ``UploadChanged`` (already imported, or the plan is no longer the one previewed) or
    ``InterchangeError`` (the document no longer fits the organisation); nothing is written then.
    """
    with transaction.atomic():
        locked = _locked_pending(upload.pk)
        running = active_import(locked)
        if running is not None:
            return Confirmation(job=running)
        plan = plan_upload(locked)
        if plan.digest() != digest:
            raise _changed_since_preview(locked, in_background=False)
        if runs_in_background(plan):
            job = jobs.start_job(
                by,
                CAPABILITY_IMPORT,
                label=f"Import of {locked.filename} into {locked.organisation.name}",
                params={
                    "upload_id": locked.pk,
                    "filename": locked.filename,
                    "organisation_id": locked.organisation_id,
                    "digest": digest,
                    "return_url": locked.organisation.get_manage_url(),
                    "return_label": f"Back to {locked.organisation.name}",
                },
                total=len(plan.entries),
            )
            return Confirmation(job=job)
        apply_import(plan, organisation=locked.organisation)
        locked.applied_at = timezone.now()
        locked.save(update_fields=["applied_at"])
    return Confirmation(plan=plan)


def apply_upload(upload_id: int, digest: str, progress=None) -> ImportPlan:
    """Import the upload as confirmed (call inside a transaction: the caller decides what commits with it)."""
    locked = _locked_pending(upload_id)
    plan = plan_upload(locked)
    if plan.digest() != digest:
        raise _changed_since_preview(locked, in_background=True)
    apply_import(plan, organisation=locked.organisation, progress=progress)
    locked.applied_at = timezone.now()
    locked.save(update_fields=["applied_at"])
    return plan


def import_in_background(job: BackgroundJob, progress: jobs.Progress) -> str:
    """Carry out a confirmed import as a background job (all or nothing: the job runs it in one transaction with
    its own success). Returns what it did; raises ``JobError`` saying why nothing was imported."""
    upload_id, digest = job.params["upload_id"], job.params["digest"]
    try:
        return apply_upload(upload_id, digest, progress=progress).summary()
    except InterchangeError as error:
        upload = CapabilityUpload.objects.select_related("organisation").get(pk=upload_id)
        raise jobs.JobError(
            f"Nothing was imported: the file no longer fits {upload.organisation.name}. Fix the problems below and "
            "upload it again.",
            problems=[group.as_json() for group in problems_by_entry(error, upload.document)],
        ) from error
    except UploadChanged as error:
        raise jobs.JobError(error.message) from error


def import_links(job: BackgroundJob) -> list[tuple[str, str]]:
    """Where an import's page leads once it is over: back to a preview still open, or to upload a corrected file."""
    if job.state != jobs.JobState.FAILED:
        return []
    upload = CapabilityUpload.objects.select_related("organisation").filter(pk=job.params.get("upload_id")).first()
    if upload is None:
        organisation = Organisation.objects.filter(pk=job.params.get("organisation_id")).first()
        slug = organisation.slug if organisation else None
        return [(reverse("partners:import_upload", args=[slug]), "Upload a corrected file")] if slug else []
    found = []
    fresh_since = timezone.now() - timedelta(hours=settings.CAPABILITY_UPLOAD_TTL_HOURS)
    if upload.applied_at is None and upload.created_at >= fresh_since:
        preview = reverse("partners:import_preview", args=[upload.organisation.slug, upload.public_id])
        found.append((preview, "Back to the preview"))
    found.append((reverse("partners:import_upload", args=[upload.organisation.slug]), "Upload a corrected file"))
    return found
