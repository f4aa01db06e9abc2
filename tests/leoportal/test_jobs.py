"""Background jobs: run once, progress, failures in words, owner-only pages and files, the sweep, expiry, a real
worker."""

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from leoportal.domain import jobs
from leoportal.enums import JobState
from leoportal.models import BackgroundJob
from leoportal.tasks import expire_job_results_task, sweep_outboxes_task
from projects.enums import ProposalStatus
from projects.jobs import start_proposal_export
from tests.factories import StaffFactory
from tests.projects.factories import ProposalFactory
from tests.utils import soup, wait_for

pytestmark = pytest.mark.django_db

RUNS = []


@jobs.job_kind("tests.count_to")
def count_to(job, output, progress):
    """Counts to params["n"], writing one line per number."""
    RUNS.append(job.pk)
    n = job.params["n"]
    for i in range(1, n + 1):
        output.write(f"{i}\n".encode())
        progress(i, n)
    return jobs.JobResult(filename="numbers.txt", content_type="text/plain")


@jobs.job_kind("tests.refuses")
def refuses(job, output, progress):
    raise jobs.JobError("The file has 3 problems: fix the dates in rows 4, 9 and 12 and upload it again.")


@jobs.job_kind("tests.crashes")
def crashes(job, output, progress):
    output.write(b"half a file")
    raise ZeroDivisionError("a bug")


@jobs.job_kind("tests.no_file")
def no_file(job, output, progress):
    progress(1, 1)


@jobs.job_kind("tests.all_or_nothing", all_or_nothing=True)
def counts_in_one_transaction(job, output, progress):
    for done in range(1, 4):
        progress(done, 3)
    return jobs.JobResult(summary="3 counted")


@pytest.fixture(autouse=True)
def _runs():
    RUNS.clear()


def job_for(owner, kind="tests.count_to", **params):
    return BackgroundJob.objects.create(owner=owner, kind=kind, label="Counting", params=params or {"n": 3})


def test_start_job_records_the_job_and_runs_it_after_commit(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(staff, "tests.count_to", label="Counting to 4", params={"n": 4}, total=4)
        assert RUNS == []

    job.refresh_from_db()
    assert (job.state, job.progress_done, job.progress_total, job.result_name, job.error) == (
        JobState.DONE,
        4,
        4,
        "numbers.txt",
        "",
    )
    assert job.result_file.name.startswith("jobs/") and job.result_file.name.endswith(".txt")
    assert job.result_file.name != "jobs/numbers.txt"  # a random name on disk
    assert job.result_file.open("rb").read() == b"1\n2\n3\n4\n"
    assert job.finished_at is not None


def test_start_job_refuses_an_unknown_kind(staff):
    with pytest.raises(ValueError, match=r"^Unknown job kind 'tests\.nope'"):
        jobs.start_job(staff, "tests.nope", label="Nothing")
    assert BackgroundJob.objects.count() == 0


def test_a_job_runs_once_however_often_it_is_delivered(staff):
    job = job_for(staff)

    first, second = jobs.run_job(job.pk), jobs.run_job(job.pk)

    assert (first, second, RUNS) == (True, False, [job.pk])


def test_a_job_error_fails_the_job_with_its_message(staff):
    job = job_for(staff, "tests.refuses")

    jobs.run_job(job.pk)

    job.refresh_from_db()
    assert (job.state, job.error, job.result_file.name) == (
        JobState.FAILED,
        "The file has 3 problems: fix the dates in rows 4, 9 and 12 and upload it again.",
        "",
    )


def test_an_unexpected_error_fails_the_job_and_keeps_no_file(staff, settings):
    job = job_for(staff, "tests.crashes")

    with pytest.raises(ZeroDivisionError):
        jobs.run_job(job.pk)

    job.refresh_from_db()
    assert (job.state, job.error, job.result_file.name) == (
        JobState.FAILED,
        jobs.unexpected_failure(all_or_nothing=False),
        "",
    )
    assert sorted(Path(settings.MEDIA_ROOT).rglob("*")) == []


def test_a_job_without_a_file_is_done_with_nothing_to_download(client, staff):
    job = job_for(staff, "tests.no_file")
    jobs.run_job(job.pk)
    client.force_login(staff)

    status = client.get(reverse("job_status", args=[job.public_id])).json()

    assert (status["state"], status["download_url"]) == ("done", "")
    assert client.get(reverse("job_download", args=[job.public_id])).status_code == 404


def test_progress_is_written_at_most_once_an_interval_and_always_at_the_end(staff, monkeypatch):
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL_S", 3600)
    # The monotonic clock starts near zero on a machine that has just booted: the first progress is written anyway.
    monkeypatch.setattr(jobs, "time", SimpleNamespace(monotonic=lambda: 60.0))
    job = job_for(staff)
    job.state = JobState.RUNNING
    job.save()
    progress = jobs.ProgressRecorder(job, in_cache=False)

    progress(1, 10)
    progress(2, 10)  # within the interval: not written
    written_early = BackgroundJob.objects.get(pk=job.pk).progress_done
    progress(10, 10)

    assert (written_early, BackgroundJob.objects.get(pk=job.pk).progress_done) == (1, 10)


def test_an_all_or_nothing_job_shows_its_count_until_its_outcome_is_committed(
    staff, django_capture_on_commit_callbacks
):
    job = job_for(staff, "tests.all_or_nothing")

    with django_capture_on_commit_callbacks() as on_commit:
        assert jobs.run_job(job.pk) is True
    # Until the job's transaction commits, other connections still read the row as running, and its page the count.
    seen_from_outside = BackgroundJob.objects.get(pk=job.pk)
    seen_from_outside.state = JobState.RUNNING
    before_commit = jobs.progress_of(seen_from_outside)
    for callback in on_commit:
        callback()

    assert before_commit == (3, 3)
    assert jobs.progress_of(seen_from_outside) == (0, 3)  # forgotten once the outcome is there to read
    assert (BackgroundJob.objects.get(pk=job.pk).state, BackgroundJob.objects.get(pk=job.pk).summary) == (
        JobState.DONE,
        "3 counted",
    )


# --- Pages ------------------------------------------------------------------------------------------------------


def test_status_endpoint_reports_progress_to_the_owner(client, staff):
    job = job_for(staff)
    BackgroundJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING, progress_done=1, progress_total=4)
    client.force_login(staff)

    response = client.get(reverse("job_status", args=[job.public_id]))

    assert response["Cache-Control"].startswith("max-age=0")
    assert response.json() == {
        "state": "running",
        "state_label": "Running",
        "done": 1,
        "total": 4,
        "percent": 25,
        "over": False,
        "message": "1 of 4 done.",
        "summary": "",
        "error": "",
        "problem_count": 0,
        "download_url": "",
        "result_name": "",
    }


def test_job_page_shows_progress_and_loads_its_script(client, staff):
    job = job_for(staff)
    BackgroundJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING, progress_done=2, progress_total=8)
    client.force_login(staff)

    page = soup(client.get(job.get_absolute_url()))

    assert page.select_one("#job-state").get_text(strip=True) == "Running"
    assert page.select_one("#job-progress")["value"] == "25"
    assert page.select_one("#job-message[role=status]").get_text(strip=True) == "2 of 8 done."
    assert page.select_one("[data-job-status-url]")["data-job-status-url"] == reverse(
        "job_status", args=[job.public_id]
    )
    assert [s["src"] for s in page.select("script[src]")][-1] == "/static/js/job-progress.js"
    assert page.select("script:not([src])") == []  # nothing inline: the CSP forbids it


def test_failed_job_page_says_what_went_wrong(client, staff):
    job = job_for(staff, "tests.refuses")
    jobs.run_job(job.pk)
    client.force_login(staff)

    page = soup(client.get(job.get_absolute_url()))

    assert page.select_one("[role=alert] [data-job-message]").get_text(strip=True) == (
        "The file has 3 problems: fix the dates in rows 4, 9 and 12 and upload it again."
    )


@pytest.mark.parametrize("name", ["job_detail", "job_status", "job_download"])
@pytest.mark.parametrize("who", ["researcher", "other staff"])
def test_job_pages_are_a_404_for_anyone_but_the_owner(client, staff, researcher, name, who):
    job = job_for(staff)
    jobs.run_job(job.pk)
    client.force_login(researcher if who == "researcher" else StaffFactory())

    assert client.get(reverse(name, args=[job.public_id])).status_code == 404


def test_job_pages_need_a_sign_in(client, staff):
    job = job_for(staff)

    response = client.get(reverse("job_status", args=[job.public_id]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_owner_downloads_the_result_under_its_name(client, staff):
    job = job_for(staff)
    jobs.run_job(job.pk)
    client.force_login(staff)

    response = client.get(reverse("job_download", args=[job.public_id]))

    assert response["Content-Disposition"] == 'attachment; filename="numbers.txt"'
    assert b"".join(response.streaming_content) == b"1\n2\n3\n"


# --- Sweep and expiry -----------------------------------------------------------------------------------------------


def test_the_sweep_queues_jobs_the_broker_never_got(staff, django_capture_on_commit_callbacks):
    stuck = job_for(staff)
    BackgroundJob.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    fresh = job_for(staff, n=2)

    with django_capture_on_commit_callbacks(execute=True):
        queued = sweep_outboxes_task()["leoportal.jobs"]

    assert queued == 1
    assert dict(BackgroundJob.objects.values_list("pk", "state")) == {stuck.pk: "done", fresh.pk: "queued"}


def test_the_sweep_queues_again_a_job_whose_worker_died_and_fails_it_once_out_of_attempts(
    staff, settings, django_capture_on_commit_callbacks
):
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    retried, hopeless = job_for(staff), job_for(staff, n=2)
    BackgroundJob.objects.filter(pk=retried.pk).update(state=JobState.RUNNING, started_at=long_ago, attempts=1)
    BackgroundJob.objects.filter(pk=hopeless.pk).update(
        state=JobState.RUNNING, started_at=long_ago, attempts=jobs.MAX_ATTEMPTS
    )

    with django_capture_on_commit_callbacks(execute=True):
        queued = sweep_outboxes_task()["leoportal.jobs"]

    retried.refresh_from_db()
    hopeless.refresh_from_db()
    assert queued == 1
    assert (retried.state, retried.attempts) == (JobState.DONE, 2)
    assert (hopeless.state, hopeless.error) == (JobState.FAILED, jobs.lost_failure(all_or_nothing=False))
    assert hopeless.error == (
        "The job was stopped 3 times before it could finish (it may be too large for the time a background task is "
        "allowed). Try a smaller selection or file."
    )


def test_a_running_job_is_not_taken_twice_before_its_time_limit(staff):
    job = job_for(staff)
    BackgroundJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING, started_at=timezone.now(), attempts=1)

    assert jobs.run_job(job.pk) is False
    assert jobs.overdue_ids() == []


def test_result_files_past_retention_are_deleted(staff, settings):
    settings.JOB_RESULT_RETENTION_HOURS = 24
    old, recent = job_for(staff), job_for(staff)
    jobs.run_job(old.pk)
    jobs.run_job(recent.pk)
    old.refresh_from_db()
    path = old.result_file.name
    BackgroundJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(hours=25))

    expired = expire_job_results_task()

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (expired, old.state, old.result_file.name, default_storage.exists(path)) == (
        1,
        JobState.EXPIRED,
        "",
        False,
    )
    assert (recent.state, default_storage.exists(recent.result_file.name)) == (JobState.DONE, True)


# --- Through a real worker --------------------------------------------------------------------------------------


@pytest.mark.worker
def test_a_real_worker_exports_proposals_with_progress(live_worker, transactional_db, client, settings):
    staff = StaffFactory(email="staff@example.org")
    proposals = ProposalFactory.create_batch(7, complete=True, status=ProposalStatus.SUBMITTED)
    client.force_login(staff)

    job = start_proposal_export(staff, [p.pk for p in proposals], return_url="/admin/projects/proposal/")
    status_url = reverse("job_status", args=[job.public_id])

    status = wait_for(lambda: (s := client.get(status_url).json())["over"] and s, timeout=60)
    assert (status["state"], status["done"], status["total"], status["percent"]) == ("done", 7, 7, 100)
    download = client.get(status["download_url"])
    lines = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 8
    assert sorted(line.split(",")[2] for line in lines[1:]) == sorted(p.title for p in proposals)
    page = soup(client.get(job.get_absolute_url()))
    assert page.select_one("a[href='/admin/projects/proposal/']").get_text(strip=True) == "Back to the proposals"
    assert status["result_name"].startswith("proposals-")
