"""The upload flow's domain functions: confirm an uploaded capability document, and import it in the background.

An organisation admin uploads a document, sees the preview, and confirms. ``confirm_upload`` plans the import
again against the listings as they are then and goes ahead only if that is still what the preview showed. A small
import is applied at once; one that creates or changes more than CAPABILITY_IMPORT_BACKGROUND_ENTRIES listings is
handed to a Celery task (``run_import_job``) and the browser follows its progress (partners/domain/import_jobs.py).
Either way the import is all or nothing: one transaction writes every listing and marks the upload applied.
"""

import logging
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from leoportal.dispatch import dispatch
from leoportal.interchange import InterchangeError
from partners.domain import import_jobs
from partners.domain.importing import ImportPlan, apply_import, plan_import
from partners.enums import ImportOutcome
from partners.models import CapabilityUpload, ImportJob
from partners.tasks import run_capability_import

logger = logging.getLogger(__name__)


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
    job: ImportJob | None = None


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
        running = import_jobs.active_job(locked)
        if running is not None:
            return Confirmation(job=running)
        plan = plan_upload(locked)
        if plan.digest() != digest:
            raise _changed_since_preview(locked, in_background=False)
        if runs_in_background(plan):
            job = import_jobs.create_job(locked, owner=by, total=len(plan.entries), digest=digest)
            dispatch(run_capability_import, job.pk)
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


def run_import_job(job_id: int) -> bool:
    """Carry out a queued background import (the Celery task's body). True when this call imported it.

    Safe to run twice: the claim lets one run through. On any failure nothing is written and the job says why.
    """
    job = import_jobs.claim_job(job_id)
    if job is None:
        return False
    organisation = job.upload.organisation
    try:
        with transaction.atomic():
            plan = apply_upload(job.upload_id, job.digest, progress=import_jobs.progress_reporter(job))
            import_jobs.finish_job(job, plan.summary())
    except InterchangeError as error:
        import_jobs.fail_job(
            job,
            f"Nothing was imported: the file no longer fits {organisation.name}. Fix the problems below and upload "
            "it again.",
            error.problems,
        )
        return False
    except UploadChanged as error:
        import_jobs.fail_job(job, error.message)
        return False
    except SoftTimeLimitExceeded:
        import_jobs.fail_job(
            job,
            f"The import took longer than the {settings.CELERY_TASK_TIME_LIMIT} seconds a background task may run "
            "and was stopped. Nothing was saved: split the file into smaller ones and upload them one by one.",
        )
        raise
    except Exception:
        logger.exception("background import %s failed", job.public_id)
        import_jobs.fail_job(
            job,
            "The import stopped on an unexpected error. Nothing was saved, and program staff have been told. "
            "Try again later from the preview.",
        )
        raise
    return True
