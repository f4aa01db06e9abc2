"""Background jobs people wait for: long work runs in a Celery worker and the browser shows its progress.

A request that would take too long (exporting thousands of proposals, importing a large capability file) starts a
job instead and sends the person to the job's page. The page polls a small JSON endpoint, shows a progress bar
and, when the job is done, a download link. The result file is private: it is stored under MEDIA_ROOT with a
random name and only the job's owner can download it, through a view that checks.

Adding a kind of job
--------------------
Write a runner in ``<app>/jobs.py`` (every app's ``jobs`` module is imported at start-up, in the web process and
the worker alike) and register it::

    from leoportal import jobs

    @jobs.job_kind("partners.capability_import")
    def import_capabilities(job, output, progress):
        entries = load(job.params["upload_id"])
        for done, entry in enumerate(entries, 1):
            ...
            progress(done, len(entries))        # cheap to call often: the row is written at most twice a second
        output.write(report_bytes)              # optional: a binary file opened for writing
        return jobs.JobResult(filename="import-report.csv", content_type="text/csv")   # or None: no file

Start it from a view (the view checks permission; the runner trusts ``job.params``) and send the person to it::

    job = jobs.start_job(request.user, "partners.capability_import", label="Import of 5,000 listings",
                         params={"upload_id": upload.pk}, total=5000)
    return redirect(job)

``params`` may also hold ``return_url`` (a path on this site) and ``return_label``: the job's page links back there.

Raise ``JobError("what went wrong and what to do")`` in a runner for a failure the owner should read; any other
exception fails the job with a general message, is logged and reaches staff as a failed task.

Reliability: the job row is saved before the task is queued (after commit). A worker claims it with a conditional
update, so a duplicate delivery runs it once. A job whose task was never queued (broker down) is queued again by
the periodic ``leoportal.job_upkeep`` task, which also fails jobs whose worker died and deletes result files
older than ``JOB_RESULT_RETENTION_HOURS``.
"""

import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import IO

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.db.models import Q
from django.utils import timezone

from leoportal.dispatch import dispatch
from leoportal.enums import JobState
from leoportal.models import BackgroundJob, User
from leoportal.tasks import run_background_job

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.5
UNEXPECTED_FAILURE = "The job stopped because of an unexpected error. Program staff have been told; try again later."
TIME_LIMIT_FAILURE = "The job took longer than the time allowed and was stopped. Try a smaller selection."
WORKER_LOST_FAILURE = "The job stopped when the worker running it went away. Start it again."


class JobError(Exception):
    """A failure the job's owner should read: say what went wrong and what to do."""


@dataclass(frozen=True)
class JobResult:
    filename: str  # what the owner's browser saves the file as
    content_type: str


Runner = Callable[[BackgroundJob, IO[bytes], Callable[[int, int | None], None]], JobResult | None]


@dataclass(frozen=True)
class JobKind:
    name: str
    runner: Runner


_kinds: dict[str, JobKind] = {}


def job_kind(name: str):
    """Register the decorated function as the runner of jobs of kind ``name``."""

    def register(runner: Runner) -> Runner:
        if name in _kinds and _kinds[name].runner is not runner:
            raise ValueError(f"Job kind {name!r} is registered twice.")
        _kinds[name] = JobKind(name, runner)
        return runner

    return register


def registered_kinds() -> list[str]:
    return sorted(_kinds)


def start_job(owner: User, kind: str, *, label: str, params: dict | None = None, total: int | None = None):
    """Record a job for ``owner`` and queue it once the surrounding transaction commits."""
    if kind not in _kinds:
        raise ValueError(f"Unknown job kind {kind!r}; registered: {', '.join(registered_kinds()) or 'none'}.")
    job = BackgroundJob.objects.create(
        owner=owner, kind=kind, label=label[:200], params=params or {}, progress_total=total
    )
    dispatch(run_background_job, job.pk)
    return job


def jobs_of(user):
    """The jobs ``user`` may see: their own (a job's result can be confidential, so not even staff see others')."""
    if not (user and user.is_authenticated and user.is_active):
        return BackgroundJob.objects.none()
    return BackgroundJob.objects.filter(owner=user)


class _Progress:
    """Writes progress to the row, at most every PROGRESS_INTERVAL_S (and always at the end)."""

    def __init__(self, job: BackgroundJob):
        self.job = job
        self.written_at: float | None = None  # the first call always writes (monotonic time may start near zero)

    def __call__(self, done: int, total: int | None = None) -> None:
        total = self.job.progress_total if total is None else total
        done = max(0, min(done, total)) if total is not None else max(0, done)
        self.job.progress_done, self.job.progress_total = done, total
        now = time.monotonic()
        due = self.written_at is None or now - self.written_at >= PROGRESS_INTERVAL_S
        if due or (total is not None and done >= total):
            self.written_at = now
            BackgroundJob.objects.filter(pk=self.job.pk, state=JobState.RUNNING).update(
                progress_done=done, progress_total=total
            )


def run_job(job_id: int) -> bool:
    """Run one job if it is still waiting (claimed with a conditional update). Returns whether this call ran it."""
    now = timezone.now()
    claimed = BackgroundJob.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=now
    )
    if not claimed:
        return False
    job = BackgroundJob.objects.select_related("owner").get(pk=job_id)
    kind = _kinds.get(job.kind)
    if kind is None:
        _finish(job, JobState.FAILED, error=f"This kind of job ({job.kind}) is no longer available.")
        return True
    progress = _Progress(job)
    try:
        with tempfile.TemporaryFile() as output:
            result = kind.runner(job, output, progress)
            if result is not None:
                output.seek(0)
                job.result_file.save(result.filename, File(output), save=False)
                job.result_name = result.filename[:200]
                job.result_content_type = result.content_type[:100]
    except JobError as error:
        _finish(job, JobState.FAILED, error=str(error))
        return True
    except SoftTimeLimitExceeded:
        _delete_file(job)
        _finish(job, JobState.FAILED, error=TIME_LIMIT_FAILURE)
        raise
    except Exception:
        logger.exception("background job %s (%s) failed", job.public_id, job.kind)
        _delete_file(job)
        _finish(job, JobState.FAILED, error=UNEXPECTED_FAILURE)
        raise  # recorded as a failed task and reported to staff (leoportal.task_failures)
    if job.progress_total is not None:
        job.progress_done = job.progress_total
    _finish(job, JobState.DONE)
    return True


def _finish(job: BackgroundJob, state: JobState, error: str = "") -> None:
    job.state, job.error, job.finished_at = state, error, timezone.now()
    BackgroundJob.objects.filter(pk=job.pk).update(
        state=state,
        error=error,
        finished_at=job.finished_at,
        progress_done=job.progress_done,
        progress_total=job.progress_total,
        result_file=job.result_file.name or "",
        result_name=job.result_name,
        result_content_type=job.result_content_type,
    )


def _delete_file(job: BackgroundJob) -> None:
    if job.result_file:
        job.result_file.delete(save=False)
    job.result_name = job.result_content_type = ""


# --- Upkeep -----------------------------------------------------------------------------------------------------


@dataclass
class UpkeepFigures:
    requeued: int = 0
    failed: int = 0
    expired: int = 0


def upkeep(now=None) -> UpkeepFigures:
    """Queue jobs whose task was never queued, fail jobs whose worker died, delete result files past retention."""
    now = now or timezone.now()
    figures = UpkeepFigures()
    waiting = BackgroundJob.objects.filter(state=JobState.QUEUED, created_at__lt=now - timedelta(minutes=2))
    for job_id in waiting.values_list("pk", flat=True):
        dispatch(run_background_job, job_id)  # claimed conditionally: a duplicate runs nothing
        figures.requeued += 1
    # With acks_late a lost worker's task is redelivered, but the claim already moved the row to RUNNING; past the
    # task time limit (with a margin) nobody is running it any more.
    lost_before = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT * 2)
    figures.failed = BackgroundJob.objects.filter(state=JobState.RUNNING, started_at__lt=lost_before).update(
        state=JobState.FAILED, error=WORKER_LOST_FAILURE, finished_at=now
    )
    retention = now - timedelta(hours=settings.JOB_RESULT_RETENTION_HOURS)
    old = BackgroundJob.objects.filter(finished_at__lt=retention).filter(
        Q(state=JobState.DONE) | (Q(state=JobState.FAILED) & ~Q(result_file=""))
    )
    for job in old:
        _delete_file(job)
        if job.state == JobState.DONE:
            job.state = JobState.EXPIRED
        BackgroundJob.objects.filter(pk=job.pk).update(
            state=job.state, result_file="", result_name="", result_content_type=""
        )
        figures.expired += 1
    return figures


def status(job: BackgroundJob, download_url: str = "") -> dict:
    """What the status endpoint answers (and the page shows first)."""
    return {
        "state": job.state,
        "state_label": job.get_state_display(),
        "done": job.progress_done,
        "total": job.progress_total,
        "percent": job.percent,
        "over": job.is_over,
        "error": job.error,
        "download_url": download_url if job.has_download else "",
        "result_name": job.result_name if job.has_download else "",
    }
