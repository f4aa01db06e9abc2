"""A provider signs up, registers an organisation, adds a listing, and publishes it once staff have verified the
organisation; then finds it in the catalogue with a filter."""

import json
import re

import pytest
from django.core import mail

from partners.models import Capability, Organisation
from tests.e2e.helpers import check_page, sign_in_to_admin
from tests.factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.e2e


def sign_up_provider(page):
    page.goto("/accounts/signup/")
    page.get_by_label("Provider (implementation partner)").check()
    page.get_by_label("Full name").fill("Grace Orbit")
    page.get_by_label("Organisation").fill("Orbital Biofab")
    page.get_by_label("Email").fill("grace@orbital-biofab.example")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/provider/")


def test_provider_lists_hardware_that_appears_in_the_catalogue_after_verification(new_page):
    StaffFactory(email="staff@example.org")
    provider = new_page()

    sign_up_provider(provider)
    assert provider.get_by_role("heading", name="Start by registering your organisation").is_visible()
    check_page(provider, "provider-dashboard-empty")

    provider.get_by_role("link", name="Create an organisation").click()
    provider.get_by_label("Name").fill("Orbital Biofab")
    provider.get_by_label("Website").fill("https://orbital-biofab.example")
    provider.get_by_label("Country").fill("United States")
    check_page(provider, "organisation-form")
    provider.get_by_role("button", name="Create the organisation").click()
    provider.wait_for_url("**/provider/organisations/orbital-biofab/")
    assert provider.locator("[data-verification]").get_attribute("data-verification") == "pending"
    check_page(provider, "organisation-pending")

    provider.get_by_role("link", name="Add a listing").click()
    provider.locator("#id_name").fill("Orbital Incubator")
    provider.get_by_label("Platform", exact=True).fill("ISS (EXPRESS rack)")
    provider.get_by_label("Cell culture / bioreactor", exact=True).check()
    provider.get_by_label("Stem cells", exact=True).check()
    provider.get_by_label("Lowest temperature (°C)").fill("4")
    provider.get_by_label("Highest temperature (°C)").fill("37")
    provider.locator("#id_sample_return_0").check()
    provider.locator("#id_windows-0-start").fill("2027-03-01")
    provider.locator("#id_windows-0-end").fill("2027-04-30")
    check_page(provider, "listing-form")
    provider.get_by_role("button", name="Save as draft").click()
    provider.wait_for_url("**/provider/listings/*/")
    assert provider.locator("[data-publication]").get_attribute("data-publication") == "draft"
    check_page(provider, "listing-draft")

    staff = new_page()
    sign_in_to_admin(staff, "staff@example.org")
    staff.goto("/admin/partners/organisation/?verified__exact=0")
    staff.get_by_role("link", name="Orbital Biofab").click()
    staff.get_by_label("Verified").check()
    staff.get_by_role("button", name="Save", exact=True).click()
    staff.wait_for_url(re.compile(r".*/admin/partners/organisation/(\?.*)?$"))
    assert Organisation.objects.get(name="Orbital Biofab").verified is True

    provider.reload()
    provider.get_by_role("button", name="Publish").click()
    assert provider.locator(".alert-success").first.inner_text().strip() == (
        "Orbital Incubator is published in the catalogue."
    )
    assert Capability.objects.public().get().name == "Orbital Incubator"

    provider.goto("/catalogue/")
    provider.get_by_label("Category").select_option("cell_culture_bioreactor")
    provider.get_by_label("Returns samples").select_option("yes")
    provider.get_by_label("Holds this temperature (°C)").fill("37")
    provider.get_by_role("button", name="Apply filters").click()
    provider.wait_for_url(re.compile(r".*/catalogue/\?.*category=cell_culture_bioreactor.*"))
    assert provider.locator("[data-results] .card-title").all_inner_texts() == ["Orbital Incubator"]
    check_page(provider, "catalogue-filtered")

    provider.get_by_role("link", name="Orbital Incubator").click()
    assert provider.locator("h1").inner_text() == "Orbital Incubator"
    assert provider.locator("[data-envelope] tr", has_text="Sample return").locator("td").inner_text() == "Yes"
    check_page(provider, "capability-public")


def test_organisation_admin_uploads_listings_previews_and_confirms(new_page, tmp_path):
    from partners.enums import MembershipRole
    from tests.factories import ProviderUserFactory
    from tests.partners.factories import CapabilityFactory, MembershipFactory, OrganisationFactory

    admin = ProviderUserFactory(email="admin@orbital.example")
    organisation = OrganisationFactory(name="Orbital Labs", slug="orbital-labs")
    MembershipFactory(organisation=organisation, user=admin, role=MembershipRole.ADMIN)
    CapabilityFactory(organisation=organisation, external_id="locker", name="Locker", categories=["3d_bioprinter"])
    document = tmp_path / "orbital.json"
    document.write_text(
        json.dumps(
            {
                "format": "leoportal.capabilities/1",
                "capabilities": [
                    {
                        "id": "locker",
                        "name": "Locker",
                        "provider": "Orbital Labs",
                        "categories": ["3d_bioprinter"],
                        "sample_return": True,
                    },
                    {
                        "id": "freezer",
                        "name": "Freezer",
                        "provider": "Orbital Labs",
                        "categories": ["cold_stowage_freezer"],
                        "cold_stowage_c": [-80],
                    },
                ],
            }
        )
    )
    page = new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("admin@orbital.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    page.goto("/provider/organisations/orbital-labs/")
    page.get_by_role("link", name="Upload a capability file").click()
    check_page(page, "import-upload")
    page.get_by_label("Capability document (JSON)").set_input_files(str(document))
    page.get_by_role("button", name="Check the file").click()

    page.wait_for_url("**/import/*/")
    assert page.locator("[data-import-counts] .badge").all_inner_texts() == ["1 new", "1 changed", "0 unchanged"]
    assert page.locator("[data-outcome=updated] [data-changed]").inner_text() == "sample_return"
    check_page(page, "import-preview")
    page.get_by_role("button", name="Import these changes").click()

    page.wait_for_url("**/provider/organisations/orbital-labs/")
    assert (
        page.locator(".alert-success").first.inner_text().strip() == "Import done: 1 created, 1 updated, 0 unchanged."
    )
    assert sorted(organisation.capabilities.values_list("external_id", "sample_return")) == [
        ("freezer", None),
        ("locker", True),
    ]
