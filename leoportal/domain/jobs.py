"""Background jobs people wait for: long work runs in a Celery worker and the browser shows its progress.

This is the one job system: the review desk's CSV exports, a panel's reviewer suggestions and the capability
import are kinds of job. A request that would take too long starts a job instead and sends the person to the job's
page (leoportal/views/jobs.py), which polls a small JSON endpoint, shows a progress bar and, when the job is over,
its outcome: a summary, the problems to fix, or a download link. A result file is private: it is stored under
MEDIA_ROOT with a random name and only the job's owner can download it, through a view that checks.

Adding a kind of job
--------------------
Write a runner in ``<app>/jobs.py`` (every app's ``jobs`` module is imported at start-up, in the web process and
the worker alike) and register it::

    from leoportal.domain import jobs

    @jobs.job_kind("projects.proposal_csv")
    def export_proposals_csv(job, output, progress):
        for done, row in enumerate(rows, 1):
            ...
            progress(done, len(rows))           # cheap to call often: written at most twice a second
        output.write(data)                      # optional: a binary file opened for writing
        return jobs.JobResult(filename="proposals.csv", content_type="text/csv")   # or None: no file

``all_or_nothing=True`` runs the runner and the job's success in one transaction (the capability import: every
listing or none); its progress goes to the cache, as nothing the transaction writes is seen before it commits.
``links`` gives the job's page its way on once the job is over (``[(url, label), ...]``, worked out when the page
is shown). Start a job from a view (the view checks permission; the runner trusts ``job.params``)::

    job = jobs.start_job(request.user, "projects.proposal_csv", label="CSV export of 4,210 proposals",
                         params={"proposal_ids": ids}, total=len(ids))
    return redirect(job)

``params`` may also hold ``return_url`` (a path on this site) and ``return_label``: the job's page links back there.

Raise ``JobError("what went wrong and what to do", problems=[...])`` in a runner for a failure the owner should
read; any other exception fails the job with a general message, is logged and reaches staff as a failed task.

Reliability: the job row is saved before the task is queued (after commit). A worker claims it with a conditional
update, so a duplicate delivery runs it once. Jobs are an outbox (leoportal.domain.outbox): the periodic sweep
queues again a job whose task never reached a worker (broker down) and one whose worker died, up to ``MAX_ATTEMPTS``
times, then fails it. ``expire_results`` (run hourly) deletes result files older than ``JOB_RESULT_RETENTION_HOURS``.
"""

import logging
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from leoportal.dispatch import dispatch
from leoportal.domain import claims
from leoportal.enums import JobState
from leoportal.models import BackgroundJob, User
from leoportal.tasks import run_background_job_task

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.5
PROGRESS_TTL_S = 24 * 3600
# A queued job no worker has taken after this long is queued again (the broker may have been down).
QUEUE_PATIENCE = timedelta(minutes=2)
# A job is tried at most this many times: a worker killed mid-run leaves it running, and the sweep retries it.
MAX_ATTEMPTS = 3
ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)


def unexpected_failure(all_or_nothing: bool) -> str:
    kept = " Nothing was saved." if all_or_nothing else ""
    return f"The job stopped on an unexpected error.{kept} Program staff have been told; try again later."


def _try_smaller(all_or_nothing: bool) -> str:
    return f"{'Nothing was saved: try' if all_or_nothing else 'Try'} a smaller selection or file."


def time_limit_failure(all_or_nothing: bool) -> str:
    return (
        f"The job took longer than the {settings.CELERY_TASK_TIME_LIMIT} seconds a background task may run and was "
        f"stopped. {_try_smaller(all_or_nothing)}"
    )


def lost_failure(all_or_nothing: bool) -> str:
    return (
        f"The job was stopped {MAX_ATTEMPTS} times before it could finish (it may be too large for the time a "
        f"background task is allowed). {_try_smaller(all_or_nothing)}"
    )


class JobError(Exception):
    """A failure the job's owner should read: say what went wrong and what to do, and list what to fix."""

    def __init__(self, message: str, problems: Sequence[dict] = ()):
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True)
class JobResult:
    filename: str = ""  # what the owner's browser saves the file as; empty: no file
    content_type: str = ""
    summary: str = ""  # what the job did, in a line for its owner


Progress = Callable[[int, int | None], None]
Runner = Callable[[BackgroundJob, IO[bytes], Progress], JobResult | None]
Links = Callable[[BackgroundJob], list[tuple[str, str]]]


@dataclass(frozen=True)
class JobKind:
    name: str
    runner: Runner
    all_or_nothing: bool = False
    links: Links | None = None


_kinds: dict[str, JobKind] = {}


def job_kind(name: str, *, all_or_nothing: bool = False, links: Links | None = None):
    """Register the decorated function as the runner of jobs of kind ``name``."""

    def register(runner: Runner) -> Runner:
        if name in _kinds and _kinds[name].runner is not runner:
            raise ValueError(f"Job kind {name!r} is registered twice.")
        _kinds[name] = JobKind(name, runner, all_or_nothing, links)
        return runner

    return register


def registered_kinds() -> list[str]:
    return sorted(_kinds)


def kind_of(job: BackgroundJob) -> JobKind | None:
    return _kinds.get(job.kind)


def _all_or_nothing(job: BackgroundJob) -> bool:
    kind = kind_of(job)
    return kind is not None and kind.all_or_nothing


def start_job(owner: User, kind: str, *, label: str, params: dict | None = None, total: int | None = None):
    """Record a job for ``owner`` and queue it once the surrounding transaction commits."""
    if kind not in _kinds:
        raise ValueError(f"Unknown job kind {kind!r}; registered: {', '.join(registered_kinds()) or 'none'}.")
    job = BackgroundJob.objects.create(
        owner=owner, kind=kind, label=label[:200], params=params or {}, progress_total=total
    )
    dispatch(run_background_job_task, job.pk)
    return job


def jobs_of(user):
    """The jobs ``user`` may see: their own (a job's result can be confidential, so not even staff see others')."""
    if not (user and user.is_authenticated and user.is_active):
        return BackgroundJob.objects.none()
    return BackgroundJob.objects.filter(owner=user)


# --- Progress ---------------------------------------------------------------------------------------------------


def _progress_key(job: BackgroundJob) -> str:
    return f"leoportal:job:{job.public_id}:progress"


class ProgressRecorder:
    """Records progress at most every PROGRESS_INTERVAL_S (and always at the end): on the row, or in the cache
    for an all-or-nothing job, whose row changes are not seen until its transaction commits."""

    def __init__(self, job: BackgroundJob, in_cache: bool):
        self.job = job
        self.in_cache = in_cache
        self.written_at: float | None = None  # the first call always writes (monotonic time may start near zero)

    def __call__(self, done: int, total: int | None = None) -> None:
        total = self.job.progress_total if total is None else total
        done = max(0, min(done, total)) if total is not None else max(0, done)
        self.job.progress_done, self.job.progress_total = done, total
        now = time.monotonic()
        due = self.written_at is None or now - self.written_at >= PROGRESS_INTERVAL_S
        if not (due or (total is not None and done >= total)):
            return
        self.written_at = now
        if self.in_cache:
            try:
                cache.set(_progress_key(self.job), (done, total), PROGRESS_TTL_S)
            except Exception:  # any cache backend error: progress is best effort, the job carries on
                logger.warning("could not record the progress of job %s", self.job.public_id, exc_info=True)
            return
        BackgroundJob.objects.filter(pk=self.job.pk, state=JobState.RUNNING).update(
            progress_done=done, progress_total=total
        )


def progress_of(job: BackgroundJob) -> tuple[int, int | None]:
    """(done, total) as far as anyone can tell now."""
    if job.state == JobState.RUNNING and _all_or_nothing(job):
        try:
            recorded = cache.get(_progress_key(job))
        except Exception:  # any cache backend error: show the job as started
            recorded = None
        if recorded:
            done, total = recorded
            return done, total
        return 0, job.progress_total
    return job.progress_done, job.progress_total


# --- Running ----------------------------------------------------------------------------------------------------


def _stale_before(now: datetime) -> datetime:
    """A running job started before this has outlived the task's hard time limit: its worker is gone."""
    return now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def claim(job_id: int) -> BackgroundJob | None:
    """Mark the job running for this worker; None when it is gone, over, or another worker runs it."""
    now = timezone.now()
    claimable = Q(state=JobState.QUEUED) | Q(state=JobState.RUNNING, started_at__lt=_stale_before(now))
    waiting = BackgroundJob.objects.filter(claimable, pk=job_id, attempts__lt=MAX_ATTEMPTS)
    if not claims.claim(waiting, state=JobState.RUNNING, started_at=now, attempts=F("attempts") + 1, progress_done=0):
        return None
    job = BackgroundJob.objects.select_related("owner").get(pk=job_id)
    _forget_progress(job)  # an earlier attempt's count is not this one's
    return job


def run_job(job_id: int) -> bool:
    """Run one job if it is still waiting (claimed with a conditional update). Returns whether this call ran it."""
    job = claim(job_id)
    if job is None:
        return False
    run(job)
    return True


def run(job: BackgroundJob) -> None:
    """Run a job this worker has claimed (``claim``) to its end: done, or failed saying why."""
    kind = kind_of(job)
    if kind is None:
        _finish(job, JobState.FAILED, error=f"This kind of job ({job.kind}) is no longer available.")
        return
    try:
        with tempfile.TemporaryFile() as output:
            if kind.all_or_nothing:
                with transaction.atomic():
                    _run(kind, job, output)
            else:
                _run(kind, job, output)
    except JobError as error:
        _fail(job, str(error), error.problems)
    except SoftTimeLimitExceeded:
        _fail(job, time_limit_failure(kind.all_or_nothing))
        raise
    except Exception:
        logger.exception("background job %s (%s) failed", job.public_id, job.kind)
        _fail(job, unexpected_failure(kind.all_or_nothing))
        raise  # recorded as a failed task and reported to staff (leoportal.domain.task_failures)


def _run(kind: JobKind, job: BackgroundJob, output: IO[bytes]) -> None:
    """Run the runner and record the job done (inside an all-or-nothing job's transaction, so they commit as one)."""
    result = kind.runner(job, output, ProgressRecorder(job, in_cache=kind.all_or_nothing))
    if result is not None:
        job.summary = result.summary[:200]
        if result.filename:
            output.seek(0)
            job.result_file.save(result.filename, File(output), save=False)
            job.result_name = result.filename[:200]
            job.result_content_type = result.content_type[:100]
    if job.progress_total is not None:
        job.progress_done = job.progress_total
    _finish(job, JobState.DONE)


def _fail(job: BackgroundJob, message: str, problems: Sequence[dict] = ()) -> None:
    _delete_file(job)
    job.summary, job.progress_done, job.problems = "", 0, list(problems)
    _finish(job, JobState.FAILED, error=message)


def _finish(job: BackgroundJob, state: JobState, error: str = "") -> None:
    job.state, job.error, job.finished_at = state, error, timezone.now()
    BackgroundJob.objects.filter(pk=job.pk).update(
        state=state,
        error=error,
        summary=job.summary,
        problems=job.problems,
        finished_at=job.finished_at,
        progress_done=job.progress_done,
        progress_total=job.progress_total,
        result_file=job.result_file.name or "",
        result_name=job.result_name,
        result_content_type=job.result_content_type,
    )
    # Once the outcome is committed: until then the row still says "running", and its page reads the count.
    transaction.on_commit(lambda: _forget_progress(job))


def _forget_progress(job: BackgroundJob) -> None:
    try:
        cache.delete(_progress_key(job))
    except Exception:  # any cache backend error: the entry expires on its own
        logger.warning("could not forget the progress of job %s", job.public_id, exc_info=True)


def _delete_file(job: BackgroundJob) -> None:
    if job.result_file:
        job.result_file.delete(save=False)
    job.result_name = job.result_content_type = ""


# --- Upkeep -----------------------------------------------------------------------------------------------------


def overdue_ids(now: datetime | None = None) -> list[int]:
    """Jobs that should be running but are not: queued while the broker was down, or left running by a worker that
    died. Those out of attempts are failed, saying so; the rest are an outbox the sweep empties (domain.outbox)."""
    now = now or timezone.now()
    lost = BackgroundJob.objects.filter(
        Q(state=JobState.QUEUED, created_at__lt=now - QUEUE_PATIENCE)
        | Q(state=JobState.RUNNING, started_at__lt=_stale_before(now))
    )
    for job in lost.filter(attempts__gte=MAX_ATTEMPTS):
        _fail(job, lost_failure(_all_or_nothing(job)))
    return list(lost.filter(attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True))


def expire_results(now: datetime | None = None) -> int:
    """Delete result files past ``JOB_RESULT_RETENTION_HOURS``; a done job whose file went is "expired"."""
    now = now or timezone.now()
    retention = now - timedelta(hours=settings.JOB_RESULT_RETENTION_HOURS)
    old = BackgroundJob.objects.filter(finished_at__lt=retention, state__in=[JobState.DONE, JobState.FAILED]).exclude(
        result_file=""
    )
    expired = 0
    for job in old:
        _delete_file(job)
        if job.state == JobState.DONE:
            job.state = JobState.EXPIRED
        BackgroundJob.objects.filter(pk=job.pk).update(
            state=job.state, result_file="", result_name="", result_content_type=""
        )
        expired += 1
    return expired


# --- What the page shows ----------------------------------------------------------------------------------------


def status_message(job: BackgroundJob, done: int, total: int | None, now: datetime | None = None) -> str:
    """A line saying where the job is, for its page and the status endpoint."""
    now = now or timezone.now()
    if job.state == JobState.QUEUED:
        if now - job.created_at > QUEUE_PATIENCE:
            return "Still waiting for a background worker. The job starts as soon as one is free; nothing is lost."
        return "Waiting for a background worker to start the job."
    if job.state == JobState.RUNNING:
        counted = f"{done:,} of {total:,} done." if total is not None else "Started."
        if _all_or_nothing(job):
            counted += " Nothing is saved until all of it is in."
        return counted
    if job.state == JobState.DONE:
        if job.summary:
            return f"Done: {job.summary}."
        return f"{done:,} of {total:,} done." if total is not None else "Done."
    if job.state == JobState.EXPIRED:
        return "Done. Its file was deleted after the time results are kept."
    return job.error


def links(job: BackgroundJob) -> list[tuple[str, str]]:
    """Where the job's page leads once the job is over: the kind's own ways on, then back where it started."""
    kind = kind_of(job)
    found = list(kind.links(job)) if kind is not None and kind.links is not None and job.is_over else []
    if job.params.get("return_url"):
        found.append((job.params["return_url"], job.params.get("return_label") or "Back"))
    return found


def status(job: BackgroundJob, download_url: str = "") -> dict:
    """What the status endpoint answers (and the page shows first)."""
    done, total = progress_of(job)
    percent = job.percent if job.state != JobState.RUNNING else (min(100, done * 100 // total) if total else None)
    return {
        "state": job.state,
        "state_label": job.get_state_display(),
        "done": done,
        "total": total,
        "percent": percent,
        "over": job.is_over,
        "message": status_message(job, done, total),
        "summary": job.summary,
        "error": job.error,
        "problem_count": sum(len(group.get("problems", [])) for group in job.problems),
        "download_url": download_url if job.has_download else "",
        "result_name": job.result_name if job.has_download else "",
    }
