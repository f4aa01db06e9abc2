from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from partners.domain import listings
from partners.models import AvailabilityWindow, Capability
from partners.signals import capability_changed
from projects.models import ListingDemand
from tests.partners.factories import AvailabilityWindowFactory, CapabilityFactory, OrganisationFactory
from tests.utils import soup

pytestmark = pytest.mark.django_db

TRI_STATE = ["co2_control", "humidity_control", "imaging", "sample_return"]


def form_data(windows=(), initial=0, **overrides):
    data = {
        "name": "BioFab Two",
        "external_id": "",
        "platform": "ISS (US segment)",
        "status": "operational",
        "categories": ["3d_bioprinter"],
        "research_areas": ["biofabrication"],
        "description": "Prints tissue.",
        "first_flight_year": "",
        "temperature_min_c": "",
        "temperature_max_c": "",
        "cold_stowage_c": "",
        "capacity_units": "",
        "max_duration_days": "",
        "power_w": "",
        "crew_time": "",
        "biosafety_level": "",
        "variable_gravity_min_g": "",
        "variable_gravity_max_g": "",
        "sources_text": "",
        **dict.fromkeys(TRI_STATE, "unknown"),
    }
    rows = [*windows, ("", ""), ("", "")]
    data.update(
        {
            "windows-TOTAL_FORMS": str(len(rows)),
            "windows-INITIAL_FORMS": str(initial),
            "windows-MIN_NUM_FORMS": "0",
            "windows-MAX_NUM_FORMS": "1000",
        }
    )
    for index, row in enumerate(rows):
        start, end, *rest = row
        data[f"windows-{index}-start"] = start
        data[f"windows-{index}-end"] = end
        if rest:
            data[f"windows-{index}-id"] = rest[0]
    data.update(overrides)
    return data


def create_url(organisation):
    return reverse("partners:listing_create", kwargs={"slug": organisation.slug})


def edit_url(capability):
    return reverse("partners:listing_edit", kwargs={"public_id": capability.public_id})


def field_error(page, name) -> str:
    return (
        page.select_one(f"#id_{name}").find_parent(class_="mb-3").select_one(".invalid-feedback").get_text(strip=True)
    )


# --- The form -----------------------------------------------------------------------------------------------


def test_listing_form_is_in_sections(provider_client, redwire):
    page = soup(provider_client.get(create_url(redwire)))

    assert [legend.get_text(strip=True) for legend in page.select("form.capability-form > fieldset > legend")] == [
        "The facility",
        "Environment",
        "Capacity and operations",
        "Gravity and sample return",
        "Sources",
        "Availability",
    ]


def test_listing_form_sections_say_when_to_leave_a_range_empty(provider_client, redwire):
    page = soup(provider_client.get(create_url(redwire)))

    fieldsets = {
        fieldset.legend.get_text(strip=True): fieldset for fieldset in page.select("form.capability-form > fieldset")
    }
    hints = {
        legend: fieldsets[legend].select_one("p.form-text").get_text(strip=True)
        for legend in ("Environment", "Gravity and sample return")
    }
    assert hints == {
        "Environment": "Leave both ends empty if the temperature range is not stated.",
        "Gravity and sample return": "Fill in a gravity range only if the facility has an on-orbit centrifuge (a 1 g "
        "control or partial gravity).",
    }


def test_nullable_facts_are_a_three_way_choice_starting_at_not_stated(provider_client, redwire):
    page = soup(provider_client.get(create_url(redwire)))

    for name in TRI_STATE:
        radios = page.select(f"input[name={name}]")
        assert [(radio["type"], radio["value"]) for radio in radios] == [
            ("radio", "true"),
            ("radio", "false"),
            ("radio", "unknown"),
        ]
        assert [radio["value"] for radio in radios if radio.has_attr("checked")] == ["unknown"]


def test_crew_time_offers_not_stated(provider_client, redwire):
    page = soup(provider_client.get(create_url(redwire)))

    assert [option.get_text() for option in page.select("#id_crew_time option")] == [
        "Not stated",
        "None (fully automated)",
        "Low",
        "Medium",
        "High (hands-on)",
    ]


def test_creating_a_listing_keeps_no_distinct_from_not_stated(provider_client, redwire):
    response = provider_client.post(
        create_url(redwire), form_data(sample_return="false", co2_control="true", imaging="unknown")
    )

    capability = Capability.objects.get()
    assert response.status_code == 302
    assert response["Location"] == capability.get_manage_url()
    assert (capability.sample_return, capability.co2_control, capability.imaging, capability.humidity_control) == (
        False,
        True,
        None,
        None,
    )
    assert (capability.crew_time, capability.temperature_min_c, capability.cold_stowage_c) == ("", None, None)
    assert (capability.availability_stated, capability.publication, capability.external_id) == (
        False,
        "draft",
        "biofab-two",
    )


def test_editing_shows_stated_no_as_no(provider_client, redwire):
    capability = CapabilityFactory(organisation=redwire, sample_return=False, imaging=True)

    page = soup(provider_client.get(edit_url(capability)))

    checked = {name: page.select_one(f"input[name={name}][checked]")["value"] for name in TRI_STATE}
    assert checked == {
        "co2_control": "unknown",
        "humidity_control": "unknown",
        "imaging": "true",
        "sample_return": "false",
    }


def test_identifier_from_the_name_is_unique_within_the_organisation(provider_client, redwire):
    CapabilityFactory(organisation=redwire, external_id="biofab-two")
    CapabilityFactory(external_id="biofab-three")

    provider_client.post(create_url(redwire), form_data())
    provider_client.post(create_url(redwire), form_data(name="BioFab Three"))

    assert sorted(redwire.capabilities.values_list("external_id", flat=True)) == [
        "biofab-three",
        "biofab-two",
        "biofab-two-2",
    ]


def test_a_taken_identifier_is_refused(provider_client, redwire):
    CapabilityFactory(organisation=redwire, external_id="bff")

    page = soup(provider_client.post(create_url(redwire), form_data(external_id="bff")))

    assert field_error(page, "external_id") == "Another listing of your organisation already uses this identifier."
    assert redwire.capabilities.count() == 1


def test_an_identifier_with_spaces_is_refused(provider_client, redwire):
    page = soup(provider_client.post(create_url(redwire), form_data(external_id="my facility")))

    assert field_error(page, "external_id") == (
        "Use 1 to 100 letters, digits, dots, hyphens or underscores, starting with a letter or digit."
    )


def test_categories_are_required(provider_client, redwire):
    data = form_data()
    del data["categories"]

    page = soup(provider_client.post(create_url(redwire), data))

    assert page.select_one("#div_id_categories .invalid-feedback").get_text(strip=True) == "This field is required."
    assert Capability.objects.count() == 0


def test_unknown_categories_and_research_areas_are_refused_by_the_form_and_the_model(provider_client, redwire):
    data = form_data(categories=["3d_bioprinter", "warp_drive"], research_areas=["alchemy"])

    page = soup(provider_client.post(create_url(redwire), data))

    errors = {name: page.select_one(f"#div_id_{name} .invalid-feedback") for name in ("categories", "research_areas")}
    assert (
        errors["categories"].get_text(strip=True)
        == "“warp_drive” is not one of the choices here: pick one from the list."
    )
    assert (
        errors["research_areas"].get_text(strip=True)
        == "“alchemy” is not one of the choices here: pick one from the list."
    )
    assert Capability.objects.count() == 0
    listing = CapabilityFactory.build(organisation=redwire, categories=["warp_drive"], research_areas=["alchemy"])
    with pytest.raises(ValidationError) as refused:
        listing.full_clean()
    assert refused.value.message_dict["categories"] == ["Unknown choice(s): warp_drive."]
    assert refused.value.message_dict["research_areas"] == ["Unknown choice(s): alchemy."]


def test_temperature_range_upside_down_is_refused_next_to_the_field_and_input_is_kept(provider_client, redwire):
    response = provider_client.post(
        create_url(redwire), form_data(temperature_min_c="40", temperature_max_c="4", description="Keep me")
    )

    page = soup(response)
    assert response.status_code == 200
    assert field_error(page, "temperature_max_c") == "The highest temperature must be at least the lowest (40)."
    assert (
        page.select_one("#id_temperature_min_c")["value"],
        page.select_one("#id_description").get_text(strip=True),
    ) == (
        "40",
        "Keep me",
    )
    assert Capability.objects.count() == 0


def test_half_a_temperature_range_is_refused(provider_client, redwire):
    page = soup(provider_client.post(create_url(redwire), form_data(temperature_min_c="4")))

    assert field_error(page, "temperature_max_c") == (
        "Give both ends of the temperature range, or leave both empty if not stated."
    )


def test_gravity_range_upside_down_is_refused(provider_client, redwire):
    page = soup(
        provider_client.post(create_url(redwire), form_data(variable_gravity_min_g="2", variable_gravity_max_g="0.5"))
    )

    assert field_error(page, "variable_gravity_max_g") == "The highest gravity must be at least the lowest (2)."


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "temperature_min_c",
            "-300",
            "A temperature of -300 °C is not possible here: enter a number from -273.15 to 200 °C.",
        ),
        (
            "max_duration_days",
            "0",
            "A duration of 0 days is not possible here: enter a number above 0, at most 36,500 days.",
        ),
        ("biosafety_level", "5", "Biosafety level 5 is not possible here: enter a number from 1 to 4."),
        ("first_flight_year", "1900", "A first flight in 1900 is not possible here: enter a number from 1950 to 2100."),
        ("power_w", "-1", "A power of -1 W is not possible here: enter a number from 0 to 1,000,000 W."),
    ],
)
def test_out_of_range_values_are_refused(provider_client, redwire, field, value, message):
    overrides = {field: value}
    if field == "temperature_min_c":
        overrides["temperature_max_c"] = "4"

    page = soup(provider_client.post(create_url(redwire), form_data(**overrides)))

    assert field_error(page, field) == message
    assert Capability.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "stored"),
    [("-80, -20, 4", [-80.0, -20.0, 4.0]), ("4; -80 °C", [-80.0, 4.0]), ("none", []), ("", None)],
)
def test_cold_stowage_is_a_list_none_or_not_stated(provider_client, redwire, text, stored):
    provider_client.post(create_url(redwire), form_data(cold_stowage_c=text))

    assert Capability.objects.get().cold_stowage_c == stored


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-80, cold", "'cold' is not a number. Separate temperatures with commas, e.g. -80, -20, 4."),
        ("-80, 60", "60 °C is outside -273.15 to 50 °C, the range a cold stowage temperature can have."),
    ],
)
def test_bad_cold_stowage_is_refused(provider_client, redwire, text, message):
    page = soup(provider_client.post(create_url(redwire), form_data(cold_stowage_c=text)))

    assert field_error(page, "cold_stowage_c") == message


def test_availability_windows_are_saved_in_order(provider_client, redwire):
    provider_client.post(
        create_url(redwire), form_data(windows=[("2027-06-01", "2027-06-30"), ("2027-03-01", "2027-03-31")])
    )

    capability = Capability.objects.get()
    assert capability.availability_stated is True
    assert [(w.start, w.end) for w in capability.windows()] == [
        (date(2027, 3, 1), date(2027, 3, 31)),
        (date(2027, 6, 1), date(2027, 6, 30)),
    ]


def test_overlapping_availability_windows_are_refused_with_both_named(provider_client, redwire):
    response = provider_client.post(
        create_url(redwire), form_data(windows=[("2027-03-01", "2027-04-15"), ("2027-04-01", "2027-05-31")])
    )

    page = soup(response)
    assert page.select_one("[data-availability-errors]").get_text(strip=True) == (
        "The windows 1 Mar 2027 to 15 Apr 2027 and 1 Apr 2027 to 31 May 2027 overlap; merge them or move one."
    )
    assert page.select_one("#id_windows-1-start")["value"] == "2027-04-01"
    assert Capability.objects.count() == 0


def test_windows_sharing_a_day_overlap(provider_client, redwire):
    page = soup(
        provider_client.post(
            create_url(redwire), form_data(windows=[("2027-03-01", "2027-03-31"), ("2027-03-31", "2027-04-30")])
        )
    )

    assert page.select_one("[data-availability-errors]") is not None
    assert Capability.objects.count() == 0


def test_a_window_ending_before_it_starts_is_refused_next_to_its_end(provider_client, redwire):
    page = soup(provider_client.post(create_url(redwire), form_data(windows=[("2027-05-01", "2027-04-01")])))

    assert field_error(page, "windows-0-end") == "The window must end on or after the day it starts."


def test_a_window_with_one_date_is_refused(provider_client, redwire):
    page = soup(provider_client.post(create_url(redwire), form_data(windows=[("2027-05-01", "")])))

    assert field_error(page, "windows-0-end") == "Give both the first and the last day of the window."


def test_no_open_windows_states_an_empty_availability(provider_client, redwire):
    provider_client.post(create_url(redwire), form_data(no_open_windows="on"))

    capability = Capability.objects.get()
    assert (capability.availability_stated, capability.to_interchange()["availability"]) == (True, [])


def test_no_open_windows_with_windows_is_refused(provider_client, redwire):
    page = soup(
        provider_client.post(
            create_url(redwire), form_data(no_open_windows="on", windows=[("2027-05-01", "2027-05-02")])
        )
    )

    assert field_error(page, "no_open_windows") == (
        "You listed availability windows; remove them, or untick 'No open windows at present'."
    )


def test_sources_are_one_per_line(provider_client, redwire):
    provider_client.post(
        create_url(redwire),
        form_data(sources_text="https://example.org/a\n\n  https://example.org/b (p. 3)  \nhttps://example.org/a"),
    )

    assert Capability.objects.get().sources == ["https://example.org/a", "https://example.org/b (p. 3)"]


def test_editing_changes_only_what_changed_and_replaces_windows(provider_client, redwire):
    capability = CapabilityFactory(organisation=redwire, name="BFF", external_id="bff", sample_return=True)
    window = AvailabilityWindowFactory(capability=capability, start=date(2027, 1, 1), end=date(2027, 1, 31))
    capability.availability_stated = True
    capability.save()
    data = form_data(
        name="BFF",
        external_id="bff",
        categories=["cell_culture_bioreactor"],
        research_areas=[],
        description="",
        platform="",
        sample_return="true",
        windows=[("2027-01-01", "2027-01-31", str(window.pk)), ("2027-02-10", "2027-02-20")],
        initial=1,
        **{"windows-0-DELETE": "on"},
    )

    response = provider_client.post(edit_url(capability), data)

    capability.refresh_from_db()
    assert response.status_code == 302
    assert [str(m) for m in response.wsgi_request._messages] == ["Listing saved."]
    assert [(w.start, w.end) for w in capability.windows()] == [(date(2027, 2, 10), date(2027, 2, 20))]


def test_editing_without_changes_says_so(provider_client, redwire):
    capability = CapabilityFactory(organisation=redwire, name="BFF", external_id="bff")
    data = form_data(
        name="BFF",
        external_id="bff",
        categories=["cell_culture_bioreactor"],
        research_areas=[],
        description="",
        platform="",
    )

    response = provider_client.post(edit_url(capability), data)

    assert [str(m) for m in response.wsgi_request._messages] == ["Nothing to save: no changes."]


# --- Unstated facts --------------------------------------------------------------------------------------


def test_the_form_says_which_unstated_facts_weaken_matching(provider_client, redwire):
    capability = CapabilityFactory(organisation=redwire, sample_return=True, temperature_min_c=4, temperature_max_c=37)

    page = soup(provider_client.get(edit_url(capability)))

    assert page.select_one("#id_imaging_helptext").get_text(strip=True) == (
        "Can samples be imaged on orbit (microscope or camera)? Not stated yet: Researchers needing on-orbit "
        "imaging will see this listing as “to confirm” until you state it."
    )
    assert page.select_one("#id_sample_return_helptext").get_text(strip=True) == (
        "Can samples come back to Earth after the run?"
    )
    facts = [item["data-fact"] for item in page.select("[data-unstated-facts] li")]
    assert facts == [
        "max_duration_days",
        "crew_time",
        "capacity_units",
        "co2_control",
        "humidity_control",
        "imaging",
        "cold_stowage_c",
        "power_w",
        "biosafety_level",
        "availability",
    ]


def test_the_listing_page_names_the_unstated_facts(provider_client, redwire):
    capability = CapabilityFactory(organisation=redwire)

    page = soup(provider_client.get(capability.get_manage_url()))

    first = page.select_one("[data-unstated-facts] li")
    assert first.get_text(" ", strip=True) == (
        "Sample return: Researchers needing sample return will see this listing as “to confirm” until you state it."
    )


def test_a_fully_stated_listing_has_no_unstated_facts():
    capability = Capability(
        sample_return=False,
        temperature_min_c=4,
        temperature_max_c=37,
        max_duration_days=30,
        crew_time="none",
        capacity_units=0,
        co2_control=False,
        humidity_control=False,
        imaging=False,
        cold_stowage_c=[],
        power_w=0,
        biosafety_level=1,
        availability_stated=True,
    )

    assert listings.unstated_facts(capability) == []


# --- Publication and the change hook ------------------------------------------------------------------------


@pytest.fixture
def reports():
    received = []

    def receiver(sender, **kwargs):
        received.append((kwargs["action"], kwargs["fields"]))

    capability_changed.connect(receiver)
    yield received
    capability_changed.disconnect(receiver)


def test_publishing_unpublishing_confirming_and_deleting_report_after_commit(
    provider_client, redwire, reports, django_capture_on_commit_callbacks
):
    capability = CapabilityFactory(organisation=redwire, publication="draft", published_at=None)
    manage = lambda name: reverse(f"partners:listing_{name}", kwargs={"public_id": capability.public_id})  # noqa: E731

    with django_capture_on_commit_callbacks(execute=True):
        provider_client.post(manage("publish"))
        capability.refresh_from_db()
        published = (capability.publication, capability.published_at is not None, capability.is_public)
        provider_client.post(manage("unpublish"))
        capability.refresh_from_db()
        unpublished = capability.publication
        provider_client.post(manage("confirm"))
        capability.refresh_from_db()
        confirmed = capability.last_confirmed
        provider_client.post(manage("delete"))

    assert published == ("published", True, True)
    assert unpublished == "draft"
    assert confirmed == timezone.localdate()
    assert Capability.objects.count() == 0
    assert reports == [("published", []), ("unpublished", []), ("confirmed", []), ("deleted", [])]


def test_update_reports_the_changed_fields(redwire, reports, django_capture_on_commit_callbacks):
    capability = CapabilityFactory(organisation=redwire, categories=["3d_bioprinter", "cell_culture_bioreactor"])

    with django_capture_on_commit_callbacks(execute=True):
        changed = listings.update_capability(
            capability,
            values={
                "categories": ["cell_culture_bioreactor", "3d_bioprinter"],
                "sample_return": False,
                "name": capability.name,
            },
            windows=[(date(2027, 1, 1), date(2027, 1, 2))],
        )

    assert changed == ["sample_return", "availability"]
    assert reports == [("updated", ["sample_return", "availability"])]


def test_a_rolled_back_change_is_not_reported(redwire, reports, django_capture_on_commit_callbacks):
    capability = CapabilityFactory(organisation=redwire)

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            listings.publish_capability(CapabilityFactory(organisation=redwire, publication="draft", published_at=None))
            raise RuntimeError
        listings.update_capability(capability, values={"imaging": True})

    assert reports == [("updated", ["imaging"])]


def test_the_domain_function_refuses_overlapping_windows(redwire):
    with pytest.raises(ValidationError) as error:
        listings.create_capability(
            redwire,
            values={"external_id": "x", "name": "X", "categories": ["3d_bioprinter"]},
            windows=[
                (date(2027, 1, 1), date(2027, 3, 1)),
                (date(2027, 2, 1), date(2027, 2, 5)),
                (date(2027, 2, 20), date(2027, 4, 1)),
            ],
        )

    assert error.value.message_dict == {
        "availability": [
            "The windows 1 Jan 2027 to 1 Mar 2027 and 1 Feb 2027 to 5 Feb 2027 overlap; merge them or move one.",
            "The windows 1 Jan 2027 to 1 Mar 2027 and 20 Feb 2027 to 1 Apr 2027 overlap; merge them or move one.",
        ]
    }
    assert Capability.objects.count() == 0


def test_delete_asks_first(provider_client, redwire):
    capability = CapabilityFactory(organisation=redwire)

    response = provider_client.get(reverse("partners:listing_delete", kwargs={"public_id": capability.public_id}))

    assert soup(response).h1.get_text(strip=True) == f"Delete {capability.name}?"
    assert Capability.objects.count() == 1


def test_publishing_a_listing_of_an_unverified_organisation_keeps_it_out_of_the_catalogue(
    provider_client, provider_user
):
    from partners.enums import MembershipRole
    from tests.partners.factories import MembershipFactory

    organisation = OrganisationFactory(verified=False)
    MembershipFactory(organisation=organisation, user=provider_user, role=MembershipRole.ADMIN)
    capability = CapabilityFactory(organisation=organisation, publication="draft", published_at=None)

    response = provider_client.post(reverse("partners:listing_publish", kwargs={"public_id": capability.public_id}))

    assert [str(m) for m in response.wsgi_request._messages] == [
        f"{capability.name} is published. It appears in the catalogue once staff verify {organisation.name}."
    ]
    assert list(Capability.objects.public()) == []


# --- Database constraints hold even without the forms ---------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"temperature_min_c": 40, "temperature_max_c": 4},
        {"temperature_min_c": 4},
        {"temperature_min_c": -300, "temperature_max_c": 4},
        {"variable_gravity_min_g": 2, "variable_gravity_max_g": 1},
        {"variable_gravity_max_g": 1},
        {"max_duration_days": 0},
        {"power_w": -1},
        {"biosafety_level": 5},
        {"first_flight_year": 1949},
        {"categories": []},
        {"crew_time": "some"},
        {"status": "imaginary"},
        {"publication": "published", "published_at": None},
    ],
)
def test_database_constraints_refuse_bad_rows(redwire, change):
    capability = CapabilityFactory(organisation=redwire)

    with pytest.raises(IntegrityError), transaction.atomic():
        Capability.objects.filter(pk=capability.pk).update(**change)


def test_identifiers_are_unique_per_organisation_only(redwire, tango):
    CapabilityFactory(organisation=redwire, external_id="bff")
    CapabilityFactory(organisation=tango, external_id="bff")

    with pytest.raises(IntegrityError), transaction.atomic():
        CapabilityFactory(organisation=redwire, external_id="bff")


def test_a_window_ending_before_it_starts_cannot_be_stored(redwire):
    capability = CapabilityFactory(organisation=redwire)

    with pytest.raises(IntegrityError), transaction.atomic():
        AvailabilityWindow.objects.create(capability=capability, start=date(2027, 2, 1), end=date(2027, 1, 1))


def test_model_validation_explains_constraint_failures(redwire):
    capability = Capability(
        organisation=redwire,
        external_id="x",
        name="X",
        categories=["3d_bioprinter"],
        biosafety_level=5,
        capacity_units=3,
    )

    with pytest.raises(ValidationError) as error:
        capability.full_clean()

    assert error.value.message_dict == {"biosafety_level": ["Ensure this value is less than or equal to 4."]}


def test_the_public_id_is_a_uuid_not_the_primary_key(redwire):
    capability = CapabilityFactory(organisation=redwire)

    assert capability.get_absolute_url() == f"/catalogue/listings/{capability.public_id}/"
    assert str(capability.pk) not in capability.get_manage_url().split("/")


@pytest.mark.parametrize("with_demand", [False, True])
def test_an_own_listings_page_reads_the_listing_and_its_demand_at_once(
    provider_client, redwire, django_assert_num_queries, with_demand
):
    capability = CapabilityFactory(organisation=redwire)  # published, of a verified organisation
    if with_demand:
        ListingDemand.objects.create(capability=capability, fits=3, to_confirm=5, computed_at=timezone.now())
    provider_client.get(capability.get_manage_url())

    # the user, the listing with its organisation and demand, the membership (the session is read from Redis)
    with django_assert_num_queries(3):
        page = soup(provider_client.get(capability.get_manage_url()))

    panel = page.select_one("[data-demand]")
    if with_demand:
        counts = (
            panel.select_one("[data-demand-fits]").get_text(),
            panel.select_one("[data-demand-to-confirm]").get_text(),
        )
        assert counts == ("3", "5")
    else:
        assert "Fits" not in panel.get_text()
