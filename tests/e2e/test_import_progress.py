"""A background capability import in the browser: the page follows its progress and shows the outcome when done
(the worker's side is in tests/partners/test_import_jobs.py; here the job's state is moved by the test)."""

import pytest
from django.utils import timezone

from leoportal.domain import jobs
from leoportal.enums import JobState
from leoportal.interchange import CAPABILITIES
from leoportal.models import BackgroundJob
from partners.domain import uploads
from partners.enums import MembershipRole
from partners.models import CapabilityUpload
from tests.e2e.helpers import check_page
from tests.factories import PASSWORD, ProviderUserFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.e2e


def document(count):
    entries = [
        {"id": f"locker-{i}", "name": f"Locker {i}", "provider": "Orbital Labs", "categories": ["3d_bioprinter"]}
        for i in range(1, count + 1)
    ]
    return {"format": CAPABILITIES, "capabilities": entries}


def import_job(admin, organisation, filename, count, **fields):
    upload = CapabilityUpload.objects.create(
        organisation=organisation, uploaded_by=admin, filename=filename, document=document(count)
    )
    params = {"upload_id": upload.pk, "organisation_id": organisation.pk, "filename": filename, "digest": "0" * 64}
    return BackgroundJob.objects.create(
        owner=admin,
        kind=uploads.CAPABILITY_IMPORT,
        label=f"Import of {filename} into {organisation.name}",
        params={**params, "return_url": organisation.get_manage_url(), "return_label": f"Back to {organisation.name}"},
        progress_total=count,
        **fields,
    )


def test_the_import_page_follows_the_progress_and_shows_the_outcome(page):
    admin = ProviderUserFactory(email="admin@orbital.example")
    organisation = OrganisationFactory(name="Orbital Labs", slug="orbital-labs")
    MembershipFactory(organisation=organisation, user=admin, role=MembershipRole.ADMIN)
    job = jobs.claim(import_job(admin, organisation, "orbital-labs.json", 60).pk)
    progress = jobs.ProgressRecorder(job, in_cache=True)
    progress(12, 60)

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("admin@orbital.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/provider/")
    page.goto(f"/jobs/{job.public_id}/")
    bar = page.get_by_role("progressbar")
    assert bar.get_attribute("value") == "20"
    assert page.locator("[data-job-message]").inner_text() == "12 of 60 done. Nothing is saved until all of it is in."

    progress.written_at = None  # write at once, whatever the interval
    progress(45, 60)
    page.wait_for_function("() => document.querySelector('progress').value === 75")
    assert page.locator("[data-job-message]").inner_text() == "45 of 60 done. Nothing is saved until all of it is in."
    check_page(page, "import-progress")

    BackgroundJob.objects.filter(pk=job.pk).update(
        state=JobState.DONE, progress_done=60, summary="60 created, 0 updated, 0 unchanged", finished_at=timezone.now()
    )
    page.locator("[data-job-state=done]").wait_for()
    assert page.locator("[data-job-message]").inner_text() == "Done: 60 created, 0 updated, 0 unchanged."
    page.get_by_role("link", name="Back to Orbital Labs").wait_for()
    check_page(page, "import-done")

    import_job(
        admin,
        organisation,
        "second.json",
        2,
        state=JobState.FAILED,
        finished_at=timezone.now(),
        error="Nothing was imported: the file no longer fits Orbital Labs. Fix the problems below and upload it again.",
        problems=[
            {
                "entry": 1,
                "label": "Entry 2 (locker-2 · Locker 2)",
                "problems": [["Provider", "$.capabilities[1].provider", "this upload can only change Orbital Labs"]],
            }
        ],
    )
    page.goto("/provider/organisations/orbital-labs/")
    page.locator("[data-import-job-link=failed]").get_by_role("link", name="See the outcome").click()
    assert page.locator("[data-job-problems] h3").all_inner_texts() == ["Entry 2 (locker-2 · Locker 2)"]
    page.get_by_role("link", name="Upload a corrected file").wait_for()
    check_page(page, "import-failed")
