import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import Capability, CapabilityUpload, Organisation
from partners.signals import capability_changed
from tests.partners.factories import CapabilityFactory, InvitationFactory, MembershipFactory, OrganisationFactory
from tests.utils import soup

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def changelist_queries(client, model, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(f"admin:partners_{model}_changelist"), params or {})
    assert response.status_code == 200
    return len(queries)


def staff_user():
    from leoportal.models import User

    return User.objects.get(email="staff@example.org")


def add_rows(count):
    for _ in range(count):
        organisation = OrganisationFactory()
        MembershipFactory(organisation=organisation)
        InvitationFactory(organisation=organisation)
        CapabilityFactory(organisation=organisation)
        CapabilityUpload.objects.create(
            organisation=organisation, uploaded_by=staff_user(), filename="a.json", document={"capabilities": []}
        )


@pytest.mark.parametrize(
    ("model", "params"),
    [
        ("organisation", {}),
        ("organisation", {"verified__exact": "1", "q": "Orbital"}),
        ("capability", {}),
        ("capability", {"category": "cell_culture_bioreactor", "publication__exact": "published"}),
        ("membership", {}),
        ("invitation", {}),
        ("capabilityupload", {}),
    ],
)
def test_admin_changelists_have_a_constant_query_count(staff_client, model, params):
    add_rows(3)
    few = changelist_queries(staff_client, model, params)
    add_rows(30)

    assert changelist_queries(staff_client, model, params) == few


def test_staff_verify_an_organisation_from_its_change_page(staff_client):
    organisation = OrganisationFactory(name="Orbital Biofab", slug="orbital-biofab", verified=False)
    url = reverse("admin:partners_organisation_change", args=[organisation.pk])
    form = soup(staff_client.get(url)).select_one("form#organisation_form")
    data = {
        field["name"]: field.get("value", "")
        for field in form.select("input[name]")
        if field.get("type") not in ("checkbox", "submit")
    }
    data.update({"name": "Orbital Biofab", "slug": "orbital-biofab", "verified": "on", "description": ""})

    response = staff_client.post(url, data)

    organisation.refresh_from_db()
    assert response.status_code == 302
    assert (organisation.verified, organisation.verified_at is not None) == (True, True)
    assert [record.verified for record in organisation.history.order_by("history_date")] == [False, True]


def test_staff_verify_organisations_with_the_action(staff_client):
    first = OrganisationFactory(verified=False)
    second = OrganisationFactory(verified=False)

    staff_client.post(
        reverse("admin:partners_organisation_changelist"),
        {"action": "mark_verified", "_selected_action": [first.pk, second.pk]},
    )

    assert list(Organisation.objects.filter(verified=True, verified_at__isnull=False).order_by("pk")) == [first, second]


def test_the_organisation_changelist_filters_and_searches(staff_client):
    OrganisationFactory(name="Verified Labs")
    OrganisationFactory(name="Pending Labs", verified=False)

    page = soup(
        staff_client.get(reverse("admin:partners_organisation_changelist"), {"verified__exact": "0", "q": "labs"})
    )

    assert [cell.get_text(strip=True) for cell in page.select("#result_list tbody th")] == ["Pending Labs"]


def test_an_admin_edit_of_a_listing_is_validated_and_reported(staff_client, django_capture_on_commit_callbacks):
    capability = CapabilityFactory(name="Locker")
    received = []

    def receiver(sender, **kwargs):
        received.append((kwargs["action"], kwargs["fields"]))

    url = reverse("admin:partners_capability_change", args=[capability.pk])
    form = soup(staff_client.get(url)).select_one("form#capability_form")
    data = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        if field.name == "select":
            selected = field.select_one("option[selected]")
            data[field["name"]] = selected["value"] if selected else ""
        elif field.name == "textarea":
            data[field["name"]] = field.get_text().strip()
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data[field["name"]] = field.get("value", "on")
        elif field.get("type") != "submit":
            data[field["name"]] = field.get("value", "")

    bad = staff_client.post(url, {**data, "temperature_min_c": "40", "temperature_max_c": "4"})
    capability_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            good = staff_client.post(url, {**data, "temperature_min_c": "4", "temperature_max_c": "40"})
    finally:
        capability_changed.disconnect(receiver)

    capability.refresh_from_db()
    assert bad.status_code == 200
    assert soup(bad).select_one(".field-temperature_max_c .errorlist, .errorlist").get_text(strip=True) == (
        "The highest temperature must be at least the lowest (40)."
    )
    assert good.status_code == 302
    assert (capability.temperature_min_c, capability.temperature_max_c) == (4.0, 40.0)
    assert received == [("updated", ["temperature_min_c", "temperature_max_c"])]
    assert [radio["value"] for radio in form.select("input[name=sample_return]")] == ["true", "false", "unknown"]


def test_providers_do_not_reach_the_admin(client, provider_user):
    client.force_login(provider_user)

    response = client.get(reverse("admin:partners_capability_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_deleting_in_the_admin_goes_through_the_domain_function(staff_client, django_capture_on_commit_callbacks):
    capability = CapabilityFactory()
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs["action"])

    capability_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            staff_client.post(reverse("admin:partners_capability_delete", args=[capability.pk]), {"post": "yes"})
    finally:
        capability_changed.disconnect(receiver)

    assert (Capability.objects.count(), received) == (0, ["deleted"])


def test_an_organisations_changes_are_in_its_history_in_the_admin(staff_client):
    organisation = OrganisationFactory(name="Orbital Labs", verified=False)
    organisation.website = "https://orbital.example.org"
    organisation.save()
    organisation.verified = True
    organisation.save()

    page = soup(staff_client.get(reverse("admin:partners_organisation_history", args=[organisation.pk])))

    assert [record.verified for record in organisation.history.order_by("history_date")] == [False, False, True]
    assert len(page.select("#change-history tbody tr")) == 3


def test_a_listings_changes_are_in_its_history_in_the_admin(staff_client, staff):
    from partners.domain import listings

    capability = CapabilityFactory(name="Bioprinter", max_duration_days=30)
    listings.update_capability(capability, values={"max_duration_days": 45})
    listings.unpublish_capability(capability)

    page = soup(staff_client.get(reverse("admin:partners_capability_history", args=[capability.pk])))

    assert [record.max_duration_days for record in capability.history.order_by("history_date")] == [30, 45, 45]
    assert len(page.select("#change-history tbody tr")) == 3
