"""Tracking of background capability imports: create, claim, report progress, finish, fail, and status as JSON.

This module is the whole job-tracking interface the upload flow uses (partners/domain/uploads.py, the views, the task),
so that tracking can move onto a shared background-job model without touching the importer or the pages:

* ``create_job(upload, owner=, total=, digest=)``: a queued job for a confirmed upload (a failed one is reset).
* ``claim_job(job_id)``: the worker takes the job (conditional update: of two deliveries, one runs it).
* ``report_progress(job, done, total)`` / ``progress_reporter(job)``: progress while the import runs.
* ``finish_job(job, summary)``: inside the import's transaction, so the listings and "done" commit together.
* ``fail_job(job, message, problems)``: after the import's transaction rolled back.
* ``job_status(job)``: the JSON the status page polls.

Progress is written to the cache, not the database: the import runs in one transaction (all or nothing), and
nothing it writes, a progress count included, is visible to the polling browser until it commits.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Q
from django.utils import timezone

from partners.enums import ImportJobState
from partners.models import CapabilityUpload, ImportJob

logger = logging.getLogger(__name__)

# A queued job no worker has taken after this long is queued again by the sweep (the broker may have been down).
QUEUE_PATIENCE = timedelta(minutes=2)
# A job is tried at most this many times (a worker killed mid-import leaves it "running"; the sweep retries it).
MAX_ATTEMPTS = 3
PROGRESS_TTL_SECONDS = 24 * 3600
ACTIVE_STATES = (ImportJobState.QUEUED, ImportJobState.RUNNING)


def _progress_key(job: ImportJob) -> str:
    return f"partners:import-job:{job.public_id}:progress"


def create_job(upload: CapabilityUpload, *, owner, total: int, digest: str) -> ImportJob:
    """A queued job for ``upload`` (call inside the confirming transaction, then dispatch the task)."""
    job, _created = ImportJob.objects.update_or_create(
        upload=upload,
        defaults={
            "owner": owner,
            "state": ImportJobState.QUEUED,
            "digest": digest,
            "total": total,
            "done": 0,
            "attempts": 0,
            "summary": "",
            "error": "",
            "problems": [],
            "created_at": timezone.now(),
            "started_at": None,
            "finished_at": None,
        },
    )
    cache.delete(_progress_key(job))
    return job


def active_job(upload: CapabilityUpload) -> ImportJob | None:
    """The job importing ``upload`` now (queued or running), if any."""
    return ImportJob.objects.filter(upload=upload, state__in=ACTIVE_STATES).first()


def recent_jobs(organisation, owner, hours: int = 24) -> list[ImportJob]:
    """``owner``'s imports into ``organisation`` from the last ``hours``: running ones, and the outcome of the rest."""
    since = timezone.now() - timedelta(hours=hours)
    jobs = ImportJob.objects.filter(upload__organisation=organisation, owner=owner, created_at__gte=since)
    return list(jobs.select_related("upload").order_by("-created_at")[:3])


def _stale_before(now):
    """A running job started before this has outlived the task's hard time limit: its worker is gone."""
    return now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def claim_job(job_id: int) -> ImportJob | None:
    """Mark the job running for this worker; None when it is gone, finished, or another worker runs it."""
    now = timezone.now()
    claimable = Q(state=ImportJobState.QUEUED) | Q(state=ImportJobState.RUNNING, started_at__lt=_stale_before(now))
    claimed = (
        ImportJob.objects.filter(pk=job_id, attempts__lt=MAX_ATTEMPTS)
        .filter(claimable)
        .update(state=ImportJobState.RUNNING, started_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("upload__organisation").get(pk=job_id)
    report_progress(job, 0, job.total)
    return job


def report_progress(job: ImportJob, done: int, total: int) -> None:
    """Record how far the import is (best effort: a cache outage must not stop the import)."""
    try:
        cache.set(_progress_key(job), {"done": done, "total": total}, PROGRESS_TTL_SECONDS)
    except Exception:  # any cache backend error
        logger.warning("could not record the progress of import job %s", job.public_id, exc_info=True)


def progress_reporter(job: ImportJob, min_interval: float = 0.25):
    """A ``progress(done, total)`` callback for the importer that writes at most every ``min_interval`` seconds
    (and always the last step)."""
    last = {"at": 0.0}

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - last["at"] >= min_interval:
            last["at"] = now
            report_progress(job, done, total)

    return progress


def finish_job(job: ImportJob, summary: str) -> None:
    """The import succeeded: call inside its transaction so the job and the listings commit together."""
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJobState.SUCCEEDED, done=F("total"), summary=summary[:200], finished_at=timezone.now()
    )


def fail_job(job: ImportJob, message: str, problems=()) -> None:
    """The import failed and wrote nothing: say why (``problems``: interchange Problems with their JSON paths)."""
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJobState.FAILED,
        done=0,
        error=message,
        problems=[[problem.path, problem.message] for problem in problems],
        finished_at=timezone.now(),
    )
    cache.delete(_progress_key(job))


def jobs_to_requeue(now=None) -> list[int]:
    """Jobs that should be running but are not: queued too long, or running past the time limit. Jobs out of
    attempts are failed instead."""
    now = now or timezone.now()
    lost = ImportJob.objects.filter(
        Q(state=ImportJobState.QUEUED, created_at__lt=now - QUEUE_PATIENCE)
        | Q(state=ImportJobState.RUNNING, started_at__lt=_stale_before(now))
    )
    for job in lost.filter(attempts__gte=MAX_ATTEMPTS):
        fail_job(
            job,
            f"The import was stopped {MAX_ATTEMPTS} times before it could finish (it may be too large for the "
            "time a background task is allowed). Nothing was saved: split the file into smaller ones and upload "
            "them one by one.",
        )
    return list(lost.filter(attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True))


def progress_of(job: ImportJob) -> tuple[int, int]:
    """(done, total) as far as anyone can tell now."""
    if job.state == ImportJobState.RUNNING:
        try:
            recorded = cache.get(_progress_key(job))
        except Exception:  # any cache backend error: show the job as started
            recorded = None
        if recorded:
            return min(recorded["done"], job.total), job.total
        return 0, job.total
    return job.done, job.total


def status_message(job: ImportJob, done: int, total: int, now=None) -> str:
    now = now or timezone.now()
    if job.state == ImportJobState.QUEUED:
        if now - job.created_at > QUEUE_PATIENCE:
            return (
                "Still waiting for a background worker. The import starts as soon as one is free; nothing is lost "
                "meanwhile."
            )
        return "Waiting for a background worker to start the import."
    if job.state == ImportJobState.RUNNING:
        return f"Imported {done} of {total} listing{'s' if total != 1 else ''}. Nothing is saved until all are in."
    if job.state == ImportJobState.SUCCEEDED:
        return f"Import done: {job.summary}."
    return job.error


def job_status(job: ImportJob) -> dict:
    """What the status page shows, as JSON."""
    done, total = progress_of(job)
    finished = job.is_finished
    return {
        "id": str(job.public_id),
        "state": job.state,
        "state_label": job.get_state_display(),
        "finished": finished,
        "done": done,
        "total": total,
        "percent": done * 100 // total if total else (100 if job.state == ImportJobState.SUCCEEDED else 0),
        "message": status_message(job, done, total),
        "summary": job.summary,
        "error": job.error,
    }
