"""Large capability imports run as background jobs: progress, outcome, all or nothing, and who may see them."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leoportal.domain import jobs
from leoportal.enums import JobState
from leoportal.interchange import CAPABILITIES
from leoportal.models import BackgroundJob
from leoportal.tasks import sweep_outboxes_task
from partners.domain import uploads
from partners.enums import MembershipRole
from partners.models import Capability, CapabilityUpload
from tests.factories import ProviderUserFactory
from tests.partners.factories import CapabilityFactory, MembershipFactory
from tests.utils import soup, wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_background_threshold(settings):
    # Imports creating or changing more than three listings go to the background in these tests.
    settings.CAPABILITY_IMPORT_BACKGROUND_ENTRIES = 3


def lockers(count, provider="Redwire Space"):
    return {
        "format": CAPABILITIES,
        "capabilities": [
            {
                "id": f"locker-{index}",
                "name": f"Locker {index}",
                "provider": provider,
                "categories": ["cell_culture_bioreactor"],
                "temperature_c": {"min": 4, "max": 37},
                "sample_return": True,
            }
            for index in range(1, count + 1)
        ],
    }


def upload(client, organisation, document) -> CapabilityUpload:
    content = json.dumps(document).encode()
    response = client.post(
        reverse("partners:import_upload", kwargs={"slug": organisation.slug}),
        {"document": SimpleUploadedFile("lockers.json", content, content_type="application/json")},
    )
    assert response.status_code == 302
    return CapabilityUpload.objects.filter(organisation=organisation, applied_at__isnull=True).latest("created_at")


def confirm(client, pending):
    slug = pending.organisation.slug
    preview = soup(
        client.get(reverse("partners:import_preview", kwargs={"slug": slug, "public_id": pending.public_id}))
    )
    digest = preview.select_one("input[name=digest]")["value"]
    return client.post(
        reverse("partners:import_confirm", kwargs={"slug": slug, "public_id": pending.public_id}), {"digest": digest}
    )


def job_urls(job):
    return job.get_absolute_url(), reverse("job_status", args=[job.public_id])


def import_job():
    return BackgroundJob.objects.get(kind=uploads.CAPABILITY_IMPORT)


def lockers_of(organisation):
    return sorted(organisation.capabilities.values_list("external_id", flat=True))


def queued_import(organisation, owner, count, filename="big.json"):
    """A confirmed import as a job, queued but not yet taken by a worker (its digest matches no plan)."""
    pending = CapabilityUpload.objects.create(
        organisation=organisation, uploaded_by=owner, filename=filename, document=lockers(count)
    )
    params = {"upload_id": pending.pk, "organisation_id": organisation.pk, "filename": filename, "digest": "0" * 64}
    return jobs.start_job(owner, uploads.CAPABILITY_IMPORT, label=f"Import of {filename}", params=params, total=count)


def test_a_small_import_is_still_applied_at_once(provider_client, redwire):
    pending = upload(provider_client, redwire, lockers(3))

    response = confirm(provider_client, pending)

    assert (response.status_code, response["Location"]) == (302, redwire.get_manage_url())
    assert lockers_of(redwire) == ["locker-1", "locker-2", "locker-3"]
    assert BackgroundJob.objects.count() == 0


def test_a_large_import_is_queued_and_shows_its_progress(provider_client, redwire):
    pending = upload(provider_client, redwire, lockers(5))

    response = confirm(provider_client, pending)  # on-commit callbacks are not run: no worker has taken it yet

    job = import_job()
    page_url, status_url = job_urls(job)
    assert (response.status_code, response["Location"]) == (302, page_url)
    assert (job.state, job.progress_total, job.params["upload_id"], job.owner.email, job.label) == (
        JobState.QUEUED,
        5,
        pending.pk,
        "provider@example.org",
        "Import of lockers.json into Redwire Space",
    )
    assert lockers_of(redwire) == []
    page = soup(provider_client.get(page_url))
    assert page.select_one("[data-job-status-url]")["data-job-status-url"] == status_url
    assert (page.select_one("progress")["value"], page.select_one("progress")["max"]) == ("0", "100")
    assert page.select_one("[data-job-message]").get_text(strip=True) == (
        "Waiting for a background worker to start the job."
    )
    assert page.select_one("script[src$='js/job-progress.js']") is not None
    assert provider_client.get(status_url).json() == {
        "state": "queued",
        "state_label": "Waiting to start",
        "over": False,
        "done": 0,
        "total": 5,
        "percent": 0,
        "message": "Waiting for a background worker to start the job.",
        "summary": "",
        "error": "",
        "problem_count": 0,
        "download_url": "",
        "result_name": "",
    }


def test_the_worker_imports_everything_and_the_page_shows_the_outcome(
    provider_client, redwire, django_capture_on_commit_callbacks
):
    pending = upload(provider_client, redwire, lockers(5))

    with django_capture_on_commit_callbacks(execute=True):
        confirm(provider_client, pending)

    job = import_job()
    page_url, status_url = job_urls(job)
    pending.refresh_from_db()
    assert lockers_of(redwire) == [f"locker-{index}" for index in range(1, 6)]
    assert pending.applied_at is not None
    assert (job.state, job.progress_done, job.attempts, job.summary) == (
        JobState.DONE,
        5,
        1,
        "5 created, 0 updated, 0 unchanged",
    )
    status = provider_client.get(status_url).json()
    assert (status["over"], status["done"], status["total"], status["percent"], status["message"]) == (
        True,
        5,
        5,
        100,
        "Done: 5 created, 0 updated, 0 unchanged.",
    )
    page = soup(provider_client.get(page_url))
    assert page.select_one("[data-job-state=done]") is not None
    assert page.select_one("[data-job-message]").get_text(strip=True) == "Done: 5 created, 0 updated, 0 unchanged."
    assert [(link["href"], link.get_text(strip=True)) for link in page.select("main .btn")] == [
        (redwire.get_manage_url(), "Back to Redwire Space")
    ]
    assert page.select("script[src$='js/job-progress.js']") == []


def test_progress_while_importing_is_in_the_status_though_nothing_is_committed(
    provider_client, redwire, monkeypatch, django_capture_on_commit_callbacks
):
    pending = upload(provider_client, redwire, lockers(8))
    seen = {}
    real_apply = uploads.apply_import

    def apply_and_look(plan, organisation, progress=None):
        progress(6, 8)
        job = import_job()
        seen.update(jobs.status(job), row=(job.progress_done, job.state))
        return real_apply(plan, organisation=organisation, progress=progress)

    monkeypatch.setattr(uploads, "apply_import", apply_and_look)
    with django_capture_on_commit_callbacks(execute=True):
        confirm(provider_client, pending)

    assert (seen["state"], seen["done"], seen["total"], seen["percent"], seen["message"]) == (
        "running",
        6,
        8,
        75,
        "6 of 8 done. Nothing is saved until all of it is in.",
    )
    assert seen["row"] == (0, JobState.RUNNING)  # the count is in the cache, not in the import's transaction
    assert import_job().state == JobState.DONE


def test_a_job_runs_once_however_often_it_is_delivered(provider_client, redwire, django_capture_on_commit_callbacks):
    pending = upload(provider_client, redwire, lockers(5))
    with django_capture_on_commit_callbacks(execute=True):
        confirm(provider_client, pending)
    job = import_job()
    before = list(Capability.objects.order_by("pk").values_list("pk", "updated_at"))

    assert jobs.run_job(job.pk) is False

    assert list(Capability.objects.order_by("pk").values_list("pk", "updated_at")) == before
    assert import_job().attempts == 1


def test_confirming_twice_keeps_one_job(provider_client, redwire):
    pending = upload(provider_client, redwire, lockers(5))
    confirm_url = reverse("partners:import_confirm", kwargs={"slug": redwire.slug, "public_id": pending.public_id})
    confirm(provider_client, pending)
    job = import_job()

    again = provider_client.post(confirm_url, {"digest": job.params["digest"]})
    preview = provider_client.get(
        reverse("partners:import_preview", kwargs={"slug": redwire.slug, "public_id": pending.public_id})
    )

    assert again["Location"] == preview["Location"] == job_urls(job)[0]
    assert BackgroundJob.objects.count() == 1


def test_listings_changed_after_confirming_fail_the_job_and_write_nothing(
    provider_client, redwire, django_capture_on_commit_callbacks
):
    pending = upload(provider_client, redwire, lockers(5))
    with django_capture_on_commit_callbacks() as queued:
        confirm(provider_client, pending)
    CapabilityFactory(organisation=redwire, external_id="locker-2", name="Locker 2 (edited meanwhile)")

    for callback in queued:
        callback()

    job = import_job()
    pending.refresh_from_db()
    assert (job.state, job.progress_done) == (JobState.FAILED, 0)
    assert job.error == (
        "The listings of Redwire Space changed after you confirmed this import, so nothing was imported. Open the "
        "preview again to see what the import would do now, and confirm again if it is still right."
    )
    assert lockers_of(redwire) == ["locker-2"]
    assert pending.applied_at is None
    page = soup(provider_client.get(job_urls(job)[0]))
    assert page.select_one("[data-job-state=failed]") is not None
    assert page.select_one("[role=alert] [data-job-message]").get_text(strip=True) == job.error
    assert [(link["href"], link.get_text(strip=True)) for link in page.select("main .btn")] == [
        (
            reverse("partners:import_preview", kwargs={"slug": redwire.slug, "public_id": pending.public_id}),
            "Back to the preview",
        ),
        (reverse("partners:import_upload", kwargs={"slug": redwire.slug}), "Upload a corrected file"),
        (redwire.get_manage_url(), "Back to Redwire Space"),
    ]


def test_a_document_that_no_longer_fits_lists_every_problem(
    provider_client, redwire, django_capture_on_commit_callbacks
):
    pending = upload(provider_client, redwire, lockers(4))
    with django_capture_on_commit_callbacks() as queued:
        confirm(provider_client, pending)
    redwire.name = "Redwire Space Systems"
    redwire.save()

    for callback in queued:
        callback()

    job = import_job()
    assert job.state == JobState.FAILED
    assert job.error == (
        "Nothing was imported: the file no longer fits Redwire Space Systems. Fix the problems below and upload it "
        "again."
    )
    assert [path for group in job.problems for _label, path, _message in group["problems"]] == [
        f"$.capabilities[{index}].provider" for index in range(4)
    ]
    page = soup(provider_client.get(job_urls(job)[0]))
    assert [heading.get_text(strip=True) for heading in page.select("[data-job-problems] h3")] == [
        f"Entry {index} (locker-{index} · Locker {index})" for index in range(1, 5)
    ]
    assert "4 problems to fix" in page.select_one("[role=alert]").get_text(" ", strip=True)
    assert lockers_of(redwire) == []


def test_a_failure_halfway_rolls_back_every_listing(provider_client, redwire, django_capture_on_commit_callbacks):
    """The database refuses the fourth listing: the three before it are not kept either."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION refuse_locker_4() RETURNS trigger AS $$
            BEGIN
                IF NEW.external_id = 'locker-4' THEN RAISE EXCEPTION 'disk full'; END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER refuse_locker_4 BEFORE INSERT ON partners_capability
                FOR EACH ROW EXECUTE FUNCTION refuse_locker_4();
            """
        )
    pending = upload(provider_client, redwire, lockers(6))

    with pytest.raises(DatabaseError, match="disk full"), django_capture_on_commit_callbacks(execute=True):
        confirm(provider_client, pending)

    job = import_job()
    pending.refresh_from_db()
    assert (job.state, job.progress_done, job.problems, job.summary) == (JobState.FAILED, 0, [], "")
    assert job.error == (
        "The job stopped on an unexpected error. Nothing was saved. Program staff have been told; try again later."
    )
    assert lockers_of(redwire) == []
    assert pending.applied_at is None


def test_a_failed_import_can_be_confirmed_again(provider_client, redwire, django_capture_on_commit_callbacks):
    pending = upload(provider_client, redwire, lockers(5))
    with django_capture_on_commit_callbacks() as queued:
        confirm(provider_client, pending)
    edited = CapabilityFactory(organisation=redwire, external_id="locker-2", name="Locker 2")
    for callback in queued:
        callback()
    edited.delete()

    with django_capture_on_commit_callbacks(execute=True):
        confirm(provider_client, pending)

    assert list(BackgroundJob.objects.order_by("created_at", "pk").values_list("state", "summary", "attempts")) == [
        (JobState.FAILED, "", 1),
        (JobState.DONE, "5 created, 0 updated, 0 unchanged", 1),
    ]
    assert lockers_of(redwire) == [f"locker-{index}" for index in range(1, 6)]


def test_a_new_upload_keeps_the_one_being_imported(provider_client, redwire):
    pending = upload(provider_client, redwire, lockers(5))
    confirm(provider_client, pending)

    upload(provider_client, redwire, lockers(2))

    assert CapabilityUpload.objects.filter(pk=pending.pk).exists()
    assert import_job().state == JobState.QUEUED


def test_the_organisation_page_links_to_the_import(provider_client, redwire):
    confirm(provider_client, upload(provider_client, redwire, lockers(5)))
    job = import_job()

    page = soup(provider_client.get(redwire.get_manage_url()))

    notice = page.select_one("[data-import-job-link=queued]")
    assert notice.get_text(" ", strip=True).startswith("Your import of lockers.json : waiting to start.")
    link = notice.select_one("a")
    assert (link["href"], link.get_text(strip=True)) == (job_urls(job)[0], "Follow its progress")


def test_an_import_page_from_before_redirects_to_its_job(provider_client, redwire):
    confirm(provider_client, upload(provider_client, redwire, lockers(5)))
    job = import_job()

    response = provider_client.get(
        reverse("partners:import_job", kwargs={"slug": redwire.slug, "public_id": job.public_id})
    )

    assert (response.status_code, response["Location"]) == (302, job.get_absolute_url())


def test_import_job_pages_are_404_for_everyone_else(
    client, provider_client, redwire, tango, provider_user2, researcher
):
    confirm(provider_client, upload(provider_client, redwire, lockers(5)))
    job = import_job()
    other_admin = ProviderUserFactory()
    MembershipFactory(organisation=redwire, user=other_admin, role=MembershipRole.ADMIN)
    old_urls = [
        reverse("partners:import_job", kwargs={"slug": organisation.slug, "public_id": job.public_id})
        for organisation in (redwire, tango)
    ]

    for person in (other_admin, provider_user2, researcher):
        client.force_login(person)
        assert [client.get(url).status_code for url in (*job_urls(job), *old_urls)] == [404] * 4
    assert provider_client.get(old_urls[1]).status_code == 404  # the owner, but under another organisation


def test_the_sweep_queues_lost_imports_again_and_gives_up_after_three_attempts(
    redwire, provider_user, settings, django_capture_on_commit_callbacks
):
    def job_for(filename, **fields):
        with django_capture_on_commit_callbacks(execute=False):
            job = queued_import(redwire, provider_user, 4, filename)
        BackgroundJob.objects.filter(pk=job.pk).update(**fields)
        return job

    now = timezone.now()
    long_ago = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    fresh = job_for("fresh.json")
    job_for("waiting.json", created_at=now - timedelta(minutes=3))
    job_for("orphaned.json", state=JobState.RUNNING, started_at=long_ago, attempts=1)
    hopeless = job_for("hopeless.json", state=JobState.RUNNING, started_at=long_ago, attempts=3)

    with django_capture_on_commit_callbacks(execute=True):
        queued = sweep_outboxes_task()["leoportal.jobs"]

    assert queued == 2
    hopeless.refresh_from_db()
    assert (hopeless.state, hopeless.error) == (JobState.FAILED, jobs.lost_failure(all_or_nothing=True))
    assert hopeless.error.startswith("The job was stopped 3 times before it could finish")
    assert "Nothing was saved" in hopeless.error
    assert BackgroundJob.objects.get(pk=fresh.pk).state == JobState.QUEUED
    # Both ran (their digest is not the documents' plan, so they fail, writing nothing), each once more.
    assert sorted(
        BackgroundJob.objects.filter(params__filename__in=["waiting.json", "orphaned.json"]).values_list(
            "params__filename", "state", "attempts"
        )
    ) == [("orphaned.json", JobState.FAILED, 2), ("waiting.json", JobState.FAILED, 1)]
    assert lockers_of(redwire) == []


def test_the_admin_lists_imports_among_the_background_jobs(client, staff, redwire, provider_user):
    client.force_login(staff)

    def measure(count):
        for index in range(count):
            queued_import(redwire, provider_user, 1, f"file-{index}.json")
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("admin:leoportal_backgroundjob_changelist"), {"kind": uploads.CAPABILITY_IMPORT})
        assert page.status_code == 200
        return len(captured), soup(page)

    few, _page = measure(2)
    many, page = measure(8)
    assert few == many
    assert len(page.select("#result_list tbody tr")) == 10
    assert {cell.get_text(strip=True) for cell in page.select("#result_list tbody td.field-state")} == {
        "Waiting to start"
    }


@pytest.mark.worker
def test_a_real_worker_imports_in_the_background_with_progress(live_worker, client, redwire, provider_user, settings):
    settings.CAPABILITY_IMPORT_BACKGROUND_ENTRIES = 10
    client.force_login(provider_user)
    pending = upload(client, redwire, lockers(80))

    response = confirm(client, pending)
    job = import_job()
    assert response["Location"] == job_urls(job)[0]

    seen = []

    def over():
        status = client.get(job_urls(job)[1]).json()
        seen.append((status["state"], status["done"]))
        return status["over"]

    wait_for(over, timeout=120, interval=0.05)
    job.refresh_from_db()
    assert (job.state, job.progress_done, job.summary) == (JobState.DONE, 80, "80 created, 0 updated, 0 unchanged")
    assert len(lockers_of(redwire)) == 80
    running = [done for state, done in seen if state == "running"]
    assert [done for done in running if 0 < done < 80] != []  # progress was visible while the import ran
    assert running == sorted(running)
    assert seen[-1] == ("done", 80)


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_every_import_job_to_a_background_job():
    before = [("partners", "0006_catalogue_search_terms"), ("leoportal", "0013_one_job_model_fields")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    owner = apps.get_model("leoportal", "User").objects.create(email="admin@example.org")
    organisation = apps.get_model("partners", "Organisation").objects.create(name="Redwire Space", slug="redwire")
    CapabilityUpload = apps.get_model("partners", "CapabilityUpload")
    ImportJob = apps.get_model("partners", "ImportJob")
    started = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    done_upload = CapabilityUpload.objects.create(
        organisation=organisation, uploaded_by=owner, filename="a.json", document={}
    )
    failed_upload = CapabilityUpload.objects.create(
        organisation=organisation, uploaded_by=owner, filename="b.json", document={}
    )
    done = ImportJob.objects.create(
        upload=done_upload, owner=owner, state="succeeded", digest="1" * 64, total=5, done=5, attempts=1,
        summary="5 created, 0 updated, 0 unchanged", created_at=started, started_at=started, finished_at=started,
    )  # fmt: skip
    failed = ImportJob.objects.create(
        upload=failed_upload, owner=owner, state="failed", digest="2" * 64, total=2, attempts=2, error="No.",
        problems=[["$.capabilities[0].provider", "Wrong provider."]], created_at=started, finished_at=started,
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate([("partners", "0007_import_jobs_become_background_jobs")])
    after = executor.loader.project_state([("partners", "0007_import_jobs_become_background_jobs")]).apps
    moved = {
        job.public_id: job
        for job in after.get_model("leoportal", "BackgroundJob").objects.filter(kind="partners.capability_import")
    }
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert set(moved) == {done.public_id, failed.public_id}
    assert (
        moved[done.public_id].state,
        moved[done.public_id].progress_done,
        moved[done.public_id].summary,
        moved[done.public_id].label,
        moved[done.public_id].params["upload_id"],
        moved[done.public_id].owner_id,
    ) == (
        "done",
        5,
        "5 created, 0 updated, 0 unchanged",
        "Import of a.json into Redwire Space",
        done_upload.pk,
        owner.pk,
    )
    assert (moved[failed.public_id].state, moved[failed.public_id].error, moved[failed.public_id].problems) == (
        "failed",
        "No.",
        [
            {
                "entry": None,
                "label": "Problems",
                "problems": [["Where", "$.capabilities[0].provider", "Wrong provider."]],
            }
        ],
    )
    assert moved[failed.public_id].params["return_url"] == reverse("partners:organisation", args=["redwire"])
