import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from leoportal.interchange import CAPABILITIES
from partners.enums import MembershipRole
from partners.models import Capability, CapabilityUpload
from tests.partners.factories import CapabilityFactory, MembershipFactory
from tests.utils import soup

pytestmark = pytest.mark.django_db


def document(*entries):
    return {"format": CAPABILITIES, "capabilities": list(entries)}


def entry(**overrides):
    return {
        "id": "bff",
        "name": "BioFabrication Facility",
        "provider": "Redwire Space",
        "categories": ["3d_bioprinter"],
        "sample_return": True,
    } | overrides


def upload(client, organisation, data, publish_new=False, name="listings.json"):
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    payload = {"document": SimpleUploadedFile(name, content, content_type="application/json")}
    if publish_new:
        payload["publish_new"] = "on"
    return client.post(reverse("partners:import_upload", kwargs={"slug": organisation.slug}), payload)


@pytest.fixture
def existing(redwire):
    """Two listings of Redwire Space: one the upload changes, one it repeats as it is."""
    changed = CapabilityFactory(
        organisation=redwire,
        external_id="adsep",
        name="ADSEP",
        categories=["cell_culture_bioreactor"],
        publication="draft",
        published_at=None,
    )
    same = CapabilityFactory(
        organisation=redwire, external_id="pil-box", name="PIL-BOX", categories=["protein_crystallization"]
    )
    return changed, same


def three_entries():
    return document(
        entry(),
        entry(
            id="adsep",
            name="ADSEP",
            categories=["cell_culture_bioreactor"],
            crew_time="low",
            temperature_c={"min": 4, "max": 37},
        ),
        entry(id="pil-box", name="PIL-BOX", categories=["protein_crystallization"], sample_return=None),
    )


def test_upload_shows_a_preview_and_writes_nothing_until_confirmed(provider_client, redwire, existing):
    before = list(Capability.objects.order_by("pk").values_list("pk", "name", "crew_time", "updated_at"))

    response = upload(provider_client, redwire, three_entries())

    pending = CapabilityUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "partners:import_preview", kwargs={"slug": "redwire-space", "public_id": pending.public_id}
    )
    page = soup(provider_client.get(response["Location"]))
    assert [badge.get_text(strip=True) for badge in page.select("[data-import-counts] .badge")] == [
        "1 new",
        "1 changed",
        "1 unchanged",
    ]
    assert [li["data-entry"] for li in page.select("[data-outcome=created] li")] == ["bff"]
    assert page.select_one("[data-outcome=updated] [data-changed]").get_text(strip=True) == (
        "temperature_c, crew_time, sample_return"
    )
    assert [li["data-entry"] for li in page.select("[data-outcome=unchanged] li")] == ["pil-box"]
    assert list(Capability.objects.order_by("pk").values_list("pk", "name", "crew_time", "updated_at")) == before


def test_confirming_the_preview_imports_into_the_organisation(provider_client, redwire, existing):
    upload(provider_client, redwire, three_entries())
    pending = CapabilityUpload.objects.get()
    preview = soup(
        provider_client.get(
            reverse("partners:import_preview", kwargs={"slug": "redwire-space", "public_id": pending.public_id})
        )
    )
    digest = preview.select_one("input[name=digest]")["value"]

    response = provider_client.post(
        reverse("partners:import_confirm", kwargs={"slug": "redwire-space", "public_id": pending.public_id}),
        {"digest": digest},
    )

    changed, _same = existing
    changed.refresh_from_db()
    pending.refresh_from_db()
    assert (response.status_code, response["Location"]) == (302, redwire.get_manage_url())
    assert [str(m) for m in response.wsgi_request._messages] == ["Import done: 1 created, 1 updated, 1 unchanged."]
    assert sorted(redwire.capabilities.values_list("external_id", "publication")) == [
        ("adsep", "draft"),
        ("bff", "draft"),
        ("pil-box", "published"),
    ]
    assert (changed.crew_time, changed.temperature_min_c) == ("low", 4.0)
    assert pending.applied_at is not None


def test_new_listings_can_be_published_at_once(provider_client, redwire):
    upload(provider_client, redwire, document(entry()), publish_new=True)
    pending = CapabilityUpload.objects.get()
    preview = soup(
        provider_client.get(
            reverse("partners:import_preview", kwargs={"slug": "redwire-space", "public_id": pending.public_id})
        )
    )

    provider_client.post(
        reverse("partners:import_confirm", kwargs={"slug": "redwire-space", "public_id": pending.public_id}),
        {"digest": preview.select_one("input[name=digest]")["value"]},
    )

    assert list(redwire.capabilities.values_list("publication", flat=True)) == ["published"]


def test_confirming_again_does_not_import_twice(provider_client, redwire):
    upload(provider_client, redwire, document(entry()))
    pending = CapabilityUpload.objects.get()
    url = reverse("partners:import_preview", kwargs={"slug": "redwire-space", "public_id": pending.public_id})
    digest = soup(provider_client.get(url)).select_one("input[name=digest]")["value"]
    confirm = reverse("partners:import_confirm", kwargs={"slug": "redwire-space", "public_id": pending.public_id})
    provider_client.post(confirm, {"digest": digest})

    response = provider_client.post(confirm, {"digest": digest})

    assert response.status_code == 404
    assert Capability.objects.count() == 1


def test_the_confirmation_revalidates_against_the_listings_as_they_are_now(provider_client, redwire, existing):
    upload(provider_client, redwire, three_entries())
    pending = CapabilityUpload.objects.get()
    preview_url = reverse("partners:import_preview", kwargs={"slug": "redwire-space", "public_id": pending.public_id})
    digest = soup(provider_client.get(preview_url)).select_one("input[name=digest]")["value"]
    CapabilityFactory(organisation=redwire, external_id="bff", name="Created meanwhile", categories=["3d_bioprinter"])

    response = provider_client.post(
        reverse("partners:import_confirm", kwargs={"slug": "redwire-space", "public_id": pending.public_id}),
        {"digest": digest},
    )

    assert (response.status_code, response["Location"]) == (302, preview_url)
    assert [str(m) for m in response.wsgi_request._messages] == [
        "The listings changed since you looked at this preview. Here is what the import would do now; confirm "
        "again if it is still right."
    ]
    assert Capability.objects.get(external_id="bff").name == "Created meanwhile"
    page = soup(provider_client.get(preview_url))
    assert page.select_one("[data-outcome=updated] li[data-entry=bff] [data-changed]").get_text(strip=True) == (
        "name, sample_return"
    )


def test_errors_are_listed_by_entry_and_field_and_nothing_is_kept(provider_client, redwire, existing):
    response = upload(
        provider_client,
        redwire,
        document(
            entry(),
            entry(id="other", provider="Space Tango"),
            entry(id="hot", temperature_c={"min": 50, "max": 4}, crew_time="plenty"),
        ),
    )

    page = soup(response)
    assert response.status_code == 200
    assert page.select_one("[data-import-problems] h2").get_text(strip=True) == (
        "Nothing was imported: 2 problems to fix"
    )
    groups = [
        (
            heading.get_text(strip=True),
            [li.get_text(" ", strip=True) for li in heading.find_next_sibling("ul").select("li")],
        )
        for heading in page.select("[data-import-problems] h3")
    ]
    assert groups == [
        (
            "Entry 2 (other · BioFabrication Facility)",
            [
                "Provider ( $.capabilities[1].provider ): this upload can only change listings of Redwire Space; the "
                "entry names 'Space Tango'"
            ],
        ),
        (
            "Entry 3 (hot · BioFabrication Facility)",
            [
                "Crew time needed ( $.capabilities[2].crew_time ): 'plenty' is not one of ['none', 'low', 'medium', "
                "'high']"
            ],
        ),
    ]
    assert CapabilityUpload.objects.count() == 0
    assert Capability.objects.count() == 2


def test_a_file_that_is_not_json_is_explained(provider_client, redwire):
    response = upload(provider_client, redwire, b"\xff\xfe not json")

    page = soup(response)
    assert page.select_one("[data-import-problems] h3").get_text(strip=True) == "The document"
    assert (
        page.select_one("[data-import-problems] li").get_text(" ", strip=True)
        == "The file ( $ ): the file is not UTF-8 text"
    )


def test_a_file_too_big_is_refused_before_reading(provider_client, redwire, settings):
    settings.CAPABILITY_UPLOAD_MAX_KB = 1

    response = upload(provider_client, redwire, document(*[entry(id=f"e{i}") for i in range(30)]))

    page = soup(response)
    assert (
        page.select_one("#id_document")
        .find_parent(class_="mb-3")
        .select_one(".invalid-feedback")
        .get_text(strip=True)
        .startswith("The file is ")
    )
    assert CapabilityUpload.objects.count() == 0


def test_too_many_entries_are_refused(provider_client, redwire, settings):
    settings.CAPABILITY_UPLOAD_MAX_ENTRIES = 2

    page = soup(upload(provider_client, redwire, document(*[entry(id=f"e{i}") for i in range(3)])))

    assert page.select_one("[data-import-problems] li").get_text(" ", strip=True) == (
        "The list of listings ( $.capabilities ): the document holds 3 listings; upload at most 2 at a time"
    )


def test_a_new_upload_replaces_the_pending_one(provider_client, redwire):
    upload(provider_client, redwire, document(entry()))
    first = CapabilityUpload.objects.get()

    upload(provider_client, redwire, document(entry(id="second")))

    assert list(CapabilityUpload.objects.values_list("document__capabilities__0__id", flat=True)) == ["second"]
    assert not CapabilityUpload.objects.filter(pk=first.pk).exists()


def test_an_upload_is_private_to_its_admin_and_organisation(
    provider_client, redwire, tango, provider_user, provider_user2
):
    MembershipFactory(organisation=redwire, user=provider_user2, role=MembershipRole.ADMIN)
    MembershipFactory(organisation=tango, user=provider_user, role=MembershipRole.ADMIN)
    upload(provider_client, redwire, document(entry()))
    pending = CapabilityUpload.objects.get()
    other = Client()
    other.force_login(provider_user2)

    other_admin = other.get(
        reverse("partners:import_preview", kwargs={"slug": "redwire-space", "public_id": pending.public_id})
    )
    wrong_org = provider_client.get(
        reverse("partners:import_preview", kwargs={"slug": "space-tango", "public_id": pending.public_id})
    )

    assert (other_admin.status_code, wrong_org.status_code) == (404, 404)


def test_expired_uploads_of_anyone_are_cleared_by_the_next_upload(
    provider_client, redwire, tango, provider_user2, settings
):
    other = Client()
    other.force_login(provider_user2)
    upload(other, tango, document(entry(provider="Space Tango")))
    CapabilityUpload.objects.update(
        created_at=timezone.now() - timedelta(hours=settings.CAPABILITY_UPLOAD_TTL_HOURS + 1)
    )

    upload(provider_client, redwire, document(entry()))

    assert list(CapabilityUpload.objects.values_list("organisation__name", flat=True)) == ["Redwire Space"]


def test_an_old_upload_must_be_uploaded_again(provider_client, redwire, settings):
    upload(provider_client, redwire, document(entry()))
    pending = CapabilityUpload.objects.get()
    CapabilityUpload.objects.update(
        created_at=timezone.now() - timedelta(hours=settings.CAPABILITY_UPLOAD_TTL_HOURS, minutes=1)
    )

    response = provider_client.get(
        reverse("partners:import_preview", kwargs={"slug": "redwire-space", "public_id": pending.public_id})
    )

    assert response.status_code == 404


def test_a_plain_member_cannot_upload(client, redwire, provider_user2):
    MembershipFactory(organisation=redwire, user=provider_user2, role=MembershipRole.MEMBER)
    client.force_login(provider_user2)

    assert client.get(reverse("partners:import_upload", kwargs={"slug": "redwire-space"})).status_code == 404
    assert upload(client, redwire, document(entry())).status_code == 404
    assert CapabilityUpload.objects.count() == 0


def test_an_upload_with_nothing_new_says_so(provider_client, redwire, existing):
    upload(
        provider_client,
        redwire,
        document(entry(id="pil-box", name="PIL-BOX", categories=["protein_crystallization"], sample_return=None)),
    )
    pending = CapabilityUpload.objects.get()

    page = soup(
        provider_client.get(
            reverse("partners:import_preview", kwargs={"slug": "redwire-space", "public_id": pending.public_id})
        )
    )

    assert page.select_one("[data-nothing-to-do]").get_text(strip=True) == (
        "Every listing in the file is already up to date: there is nothing to import."
    )
    assert page.select("input[name=digest]") == []


def test_download_exports_the_organisations_listings_including_drafts(client, redwire, tango, provider_user2):
    MembershipFactory(organisation=redwire, user=provider_user2, role=MembershipRole.MEMBER)
    CapabilityFactory(organisation=redwire, external_id="b-draft", publication="draft", published_at=None)
    CapabilityFactory(organisation=redwire, external_id="a-live")
    CapabilityFactory(organisation=tango, external_id="not-ours")
    client.force_login(provider_user2)

    response = client.get(reverse("partners:export", kwargs={"slug": "redwire-space"}))

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="redwire-space-capabilities-{timezone.localdate().isoformat()}.json"'
    )
    exported = json.loads(response.content)
    assert (exported["format"], [item["id"] for item in exported["capabilities"]]) == (
        CAPABILITIES,
        ["a-live", "b-draft"],
    )


def test_downloading_then_uploading_changes_nothing(provider_client, redwire):
    CapabilityFactory(
        organisation=redwire, external_id="bff", sample_return=False, cold_stowage_c=[-80.0], confidence="high"
    )
    exported = provider_client.get(reverse("partners:export", kwargs={"slug": "redwire-space"})).content

    upload(provider_client, redwire, exported)

    pending = CapabilityUpload.objects.get()
    page = soup(
        provider_client.get(
            reverse("partners:import_preview", kwargs={"slug": "redwire-space", "public_id": pending.public_id})
        )
    )
    assert [badge.get_text(strip=True) for badge in page.select("[data-import-counts] .badge")] == [
        "0 new",
        "0 changed",
        "1 unchanged",
    ]


def test_outsiders_cannot_download(client, redwire, outsider):
    client.force_login(outsider)

    assert client.get(reverse("partners:export", kwargs={"slug": "redwire-space"})).status_code == 404
