"""A background capability import in the browser: the page follows its progress and shows the outcome when done
(the worker's side is in tests/partners/test_import_jobs.py; here the job's state is moved by the test)."""

import pytest

from leoportal.interchange import CAPABILITIES, Problem
from partners.domain import import_jobs
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


def test_the_import_page_follows_the_progress_and_shows_the_outcome(page):
    admin = ProviderUserFactory(email="admin@orbital.example")
    organisation = OrganisationFactory(name="Orbital Labs", slug="orbital-labs")
    MembershipFactory(organisation=organisation, user=admin, role=MembershipRole.ADMIN)
    upload = CapabilityUpload.objects.create(
        organisation=organisation, uploaded_by=admin, filename="orbital-labs.json", document=document(60)
    )
    job = import_jobs.create_job(upload, owner=admin, total=60, digest="0" * 64)
    job = import_jobs.claim_job(job.pk)
    import_jobs.report_progress(job, 12, 60)

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("admin@orbital.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/provider/")
    page.goto(f"/provider/organisations/orbital-labs/import/jobs/{job.public_id}/")
    progress = page.get_by_role("progressbar")
    assert progress.get_attribute("value") == "12"
    assert page.locator("[data-progress-text]").inner_text() == (
        "Imported 12 of 60 listings. Nothing is saved until all are in."
    )

    import_jobs.report_progress(job, 45, 60)
    page.wait_for_function("() => document.querySelector('progress').value === 45")
    assert page.locator("[data-progress-text]").inner_text() == (
        "Imported 45 of 60 listings. Nothing is saved until all are in."
    )
    check_page(page, "import-progress")

    import_jobs.finish_job(job, "60 created, 0 updated, 0 unchanged")
    page.locator("[data-job-state=succeeded]").wait_for()
    assert page.locator("[data-job-message]").inner_text() == "Import done: 60 created, 0 updated, 0 unchanged."
    check_page(page, "import-done")

    failed_upload = CapabilityUpload.objects.create(
        organisation=organisation, uploaded_by=admin, filename="second.json", document=document(2)
    )
    failed = import_jobs.create_job(failed_upload, owner=admin, total=2, digest="0" * 64)
    import_jobs.fail_job(
        failed,
        "Nothing was imported: the file no longer fits Orbital Labs. Fix the problems below and upload it again.",
        [Problem("$.capabilities[1].provider", "this upload can only change listings of Orbital Labs")],
    )
    page.goto("/provider/organisations/orbital-labs/")
    page.locator("[data-import-job-link=failed]").get_by_role("link", name="See the outcome").click()
    assert page.locator("[data-import-problems] h3").all_inner_texts() == ["Entry 2 (locker-2 · Locker 2)"]
    check_page(page, "import-failed")
