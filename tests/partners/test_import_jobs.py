"""Large capability imports run in the background: progress, outcome, all or nothing, and who may see them."""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.urls import reverse
from django.utils import timezone

from leoportal.interchange import CAPABILITIES
from partners.domain import import_jobs
from partners.domain.uploads import run_import_job
from partners.enums import ImportJobState, MembershipRole
from partners.models import Capability, CapabilityUpload, ImportJob
from partners.tasks import requeue_import_jobs
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
    kwargs = {"slug": job.upload.organisation.slug, "public_id": job.public_id}
    return reverse("partners:import_job", kwargs=kwargs), reverse("partners:import_job_status", kwargs=kwargs)


def lockers_of(organisation):
    return sorted(organisation.capabilities.values_list("external_id", flat=True))


def test_a_small_import_is_still_applied_at_once(provider_client, redwire):
    pending = upload(provider_client, redwire, lockers(3))

    response = confirm(provider_client, pending)

    assert (response.status_code, response["Location"]) == (302, redwire.get_manage_url())
    assert lockers_of(redwire) == ["locker-1", "locker-2", "locker-3"]
    assert ImportJob.objects.count() == 0


def test_a_large_import_is_queued_and_shows_its_progress(provider_client, redwire):
    pending = upload(provider_client, redwire, lockers(5))

    response = confirm(provider_client, pending)  # on-commit callbacks are not run: no worker has taken it yet

    job = ImportJob.objects.get()
    page_url, status_url = job_urls(job)
    assert (response.status_code, response["Location"]) == (302, page_url)
    assert (job.state, job.total, job.upload, job.owner.email) == (
        ImportJobState.QUEUED,
        5,
        pending,
        "provider@example.org",
    )
    assert lockers_of(redwire) == []
    page = soup(provider_client.get(page_url))
    assert page.select_one("[data-import-job]")["data-status-url"] == status_url
    assert (page.select_one("progress")["value"], page.select_one("progress")["max"]) == ("0", "5")
    assert page.select_one("script[src$='js/import-progress.js']") is not None
    assert provider_client.get(status_url).json() == {
        "id": str(job.public_id),
        "state": "queued",
        "state_label": "Waiting for a worker",
        "finished": False,
        "done": 0,
        "total": 5,
        "percent": 0,
        "message": "Waiting for a background worker to start the import.",
        "summary": "",
        "error": "",
    }


def test_the_worker_imports_everything_and_the_page_shows_the_outcome(
    provider_client, redwire, django_capture_on_commit_callbacks
):
    pending = upload(provider_client, redwire, lockers(5))

    with django_capture_on_commit_callbacks(execute=True):
        confirm(provider_client, pending)

    job = ImportJob.objects.get()
    page_url, status_url = job_urls(job)
    pending.refresh_from_db()
    assert lockers_of(redwire) == [f"locker-{index}" for index in range(1, 6)]
    assert pending.applied_at is not None
    assert (job.state, job.done, job.attempts, job.summary) == (
        ImportJobState.SUCCEEDED,
        5,
        1,
        "5 created, 0 updated, 0 unchanged",
    )
    status = provider_client.get(status_url).json()
    assert (status["finished"], status["done"], status["total"], status["percent"], status["message"]) == (
        True,
        5,
        5,
        100,
        "Import done: 5 created, 0 updated, 0 unchanged.",
    )
    page = soup(provider_client.get(page_url))
    assert page.select_one("[data-job-state=succeeded] [data-job-message]").get_text(strip=True) == (
        "Import done: 5 created, 0 updated, 0 unchanged."
    )
    assert page.select("script[src$='js/import-progress.js']") == []


def test_progress_reported_while_running_is_in_the_status(redwire, provider_user):
    pending = CapabilityUpload.objects.create(
        organisation=redwire, uploaded_by=provider_user, filename="big.json", document=lockers(8)
    )
    job = import_jobs.create_job(pending, owner=provider_user, total=8, digest="0" * 64)
    claimed = import_jobs.claim_job(job.pk)

    import_jobs.report_progress(claimed, 6, 8)

    status = import_jobs.job_status(ImportJob.objects.get(pk=job.pk))
    assert (status["state"], status["done"], status["total"], status["percent"], status["message"]) == (
        "running",
        6,
        8,
        75,
        "Imported 6 of 8 listings. Nothing is saved until all are in.",
    )


def test_a_job_runs_once_however_often_it_is_delivered(provider_client, redwire, django_capture_on_commit_callbacks):
    pending = upload(provider_client, redwire, lockers(5))
    with django_capture_on_commit_callbacks(execute=True):
        confirm(provider_client, pending)
    job = ImportJob.objects.get()
    before = list(Capability.objects.order_by("pk").values_list("pk", "updated_at"))

    assert run_import_job(job.pk) is False

    assert list(Capability.objects.order_by("pk").values_list("pk", "updated_at")) == before
    assert ImportJob.objects.get().attempts == 1


def test_confirming_twice_keeps_one_job(provider_client, redwire):
    pending = upload(provider_client, redwire, lockers(5))
    confirm_url = reverse("partners:import_confirm", kwargs={"slug": redwire.slug, "public_id": pending.public_id})
    confirm(provider_client, pending)
    job = ImportJob.objects.get()

    again = provider_client.post(confirm_url, {"digest": job.digest})
    preview = provider_client.get(
        reverse("partners:import_preview", kwargs={"slug": redwire.slug, "public_id": pending.public_id})
    )

    assert again["Location"] == preview["Location"] == job_urls(job)[0]
    assert ImportJob.objects.count() == 1


def test_listings_changed_after_confirming_fail_the_job_and_write_nothing(
    provider_client, redwire, django_capture_on_commit_callbacks
):
    pending = upload(provider_client, redwire, lockers(5))
    with django_capture_on_commit_callbacks() as queued:
        confirm(provider_client, pending)
    CapabilityFactory(organisation=redwire, external_id="locker-2", name="Locker 2 (edited meanwhile)")

    for callback in queued:
        callback()

    job = ImportJob.objects.get()
    pending.refresh_from_db()
    assert (job.state, job.done) == (ImportJobState.FAILED, 0)
    assert job.error == (
        "The listings of Redwire Space changed after you confirmed this import, so nothing was imported. Open the "
        "preview again to see what the import would do now, and confirm again if it is still right."
    )
    assert lockers_of(redwire) == ["locker-2"]
    assert pending.applied_at is None
    page = soup(provider_client.get(job_urls(job)[0]))
    assert page.select_one("[data-job-state=failed] [data-job-message]").get_text(strip=True) == job.error
    assert page.select_one("a.btn-primary")["href"] == reverse(
        "partners:import_preview", kwargs={"slug": redwire.slug, "public_id": pending.public_id}
    )


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

    job = ImportJob.objects.get()
    assert job.state == ImportJobState.FAILED
    assert job.error == (
        "Nothing was imported: the file no longer fits Redwire Space Systems. Fix the problems below and upload it "
        "again."
    )
    assert [path for path, _message in job.problems] == [f"$.capabilities[{index}].provider" for index in range(4)]
    page = soup(provider_client.get(job_urls(job)[0]))
    assert [heading.get_text(strip=True) for heading in page.select("[data-import-problems] h3")] == [
        f"Entry {index} (locker-{index} · Locker {index})" for index in range(1, 5)
    ]
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

    job = ImportJob.objects.get()
    pending.refresh_from_db()
    assert (job.state, job.done, job.problems) == (ImportJobState.FAILED, 0, [])
    assert job.error == (
        "The import stopped on an unexpected error. Nothing was saved, and program staff have been told. Try again "
        "later from the preview."
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

    job = ImportJob.objects.get()
    assert (job.state, job.summary, job.error, job.attempts) == (
        ImportJobState.SUCCEEDED,
        "5 created, 0 updated, 0 unchanged",
        "",
        1,
    )
    assert lockers_of(redwire) == [f"locker-{index}" for index in range(1, 6)]


def test_a_new_upload_keeps_the_one_being_imported(provider_client, redwire):
    pending = upload(provider_client, redwire, lockers(5))
    confirm(provider_client, pending)

    upload(provider_client, redwire, lockers(2))

    assert CapabilityUpload.objects.filter(pk=pending.pk).exists()
    assert ImportJob.objects.get().state == ImportJobState.QUEUED


def test_the_organisation_page_links_to_the_import(provider_client, redwire):
    confirm(provider_client, upload(provider_client, redwire, lockers(5)))
    job = ImportJob.objects.get()

    page = soup(provider_client.get(redwire.get_manage_url()))

    link = page.select_one("[data-import-job-link=queued] a")
    assert (link["href"], link.get_text(strip=True)) == (job_urls(job)[0], "Follow its progress")


def test_import_job_pages_are_404_for_everyone_else(
    client, provider_client, redwire, tango, provider_user2, researcher
):
    confirm(provider_client, upload(provider_client, redwire, lockers(5)))
    job = ImportJob.objects.get()
    other_admin = ProviderUserFactory()
    MembershipFactory(organisation=redwire, user=other_admin, role=MembershipRole.ADMIN)
    wrong_organisation = [
        reverse("partners:import_job", kwargs={"slug": tango.slug, "public_id": job.public_id}),
        reverse("partners:import_job_status", kwargs={"slug": tango.slug, "public_id": job.public_id}),
    ]

    for person in (other_admin, provider_user2, researcher):
        client.force_login(person)
        assert [client.get(url).status_code for url in (*job_urls(job), *wrong_organisation)] == [404] * 4


def test_the_sweep_queues_lost_jobs_again_and_gives_up_after_three_attempts(
    redwire, provider_user, settings, django_capture_on_commit_callbacks
):
    def job_for(filename, count, **fields):
        pending = CapabilityUpload.objects.create(
            organisation=redwire, uploaded_by=provider_user, filename=filename, document=lockers(count)
        )
        job = import_jobs.create_job(pending, owner=provider_user, total=count, digest="0" * 64)
        ImportJob.objects.filter(pk=job.pk).update(**fields)
        return job

    now = timezone.now()
    long_ago = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    fresh = job_for("fresh.json", 4)
    waiting = job_for("waiting.json", 4, created_at=now - timedelta(minutes=3))
    orphaned = job_for("orphaned.json", 4, state=ImportJobState.RUNNING, started_at=long_ago, attempts=1)
    hopeless = job_for("hopeless.json", 4, state=ImportJobState.RUNNING, started_at=long_ago, attempts=3)

    assert sorted(import_jobs.jobs_to_requeue(now)) == sorted([waiting.pk, orphaned.pk])
    hopeless.refresh_from_db()
    assert hopeless.state == ImportJobState.FAILED
    assert hopeless.error.startswith("The import was stopped 3 times before it could finish")
    assert ImportJob.objects.get(pk=fresh.pk).state == ImportJobState.QUEUED

    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_import_jobs() == 2
    # Both ran (their digest is not the documents' plan, so they fail, writing nothing), each once more.
    assert sorted(ImportJob.objects.filter(pk__in=[waiting.pk, orphaned.pk]).values_list("state", "attempts")) == [
        (ImportJobState.FAILED, 1),
        (ImportJobState.FAILED, 2),
    ]
    assert lockers_of(redwire) == []


def test_the_import_job_admin_lists_jobs(client, staff, redwire, provider_user):
    pending = CapabilityUpload.objects.create(
        organisation=redwire, uploaded_by=provider_user, filename="big.json", document=lockers(4)
    )
    import_jobs.create_job(pending, owner=provider_user, total=4, digest="0" * 64)
    client.force_login(staff)

    page = soup(client.get(reverse("admin:partners_importjob_changelist")))

    assert [cell.get_text(strip=True) for cell in page.select("#result_list tbody tr td.field-state")] == [
        "Waiting for a worker"
    ]


@pytest.mark.worker
def test_a_real_worker_imports_in_the_background_with_progress(live_worker, client, redwire, provider_user, settings):
    settings.CAPABILITY_IMPORT_BACKGROUND_ENTRIES = 10
    client.force_login(provider_user)
    pending = upload(client, redwire, lockers(80))

    response = confirm(client, pending)
    job = ImportJob.objects.get()
    assert response["Location"] == job_urls(job)[0]

    seen = []

    def finished():
        status = client.get(job_urls(job)[1]).json()
        seen.append((status["state"], status["done"]))
        return status["finished"]

    wait_for(finished, timeout=120, interval=0.05)
    job.refresh_from_db()
    assert (job.state, job.done, job.summary) == (ImportJobState.SUCCEEDED, 80, "80 created, 0 updated, 0 unchanged")
    assert len(lockers_of(redwire)) == 80
    running = [done for state, done in seen if state == "running"]
    assert [done for done in running if 0 < done < 80] != []  # progress was visible while the import ran
    assert running == sorted(running)
    assert seen[-1] == ("succeeded", 80)


def test_the_import_job_changelist_query_count_does_not_grow(client, staff, redwire, provider_user):
    client.force_login(staff)

    def measure(count):
        for index in range(count):
            pending = CapabilityUpload.objects.create(
                organisation=redwire, uploaded_by=provider_user, filename=f"file-{index}.json", document=lockers(1)
            )
            import_jobs.create_job(pending, owner=provider_user, total=1, digest="0" * 64)
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("admin:partners_importjob_changelist")).status_code == 200
        return len(captured)

    assert measure(2) == measure(10)
