"""Portal outcomes become flight precedents (projects/domain/flights.py) and the admin page staff record them from."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from partners.enums import CapabilityStatus
from projects.domain import flights
from projects.domain.flights import FlightRecordError, flight_problem, record_flight
from projects.domain.precedents import PORTAL_LABEL, engine_items
from projects.enums import FlightStatus, PrecedentOrigin, ProposalStatus
from projects.models import Precedent, Proposal, RescoreRequest
from tests.partners.factories import CapabilityFactory, adsep_listing
from tests.projects.factories import IntroductionFactory, ProposalFactory
from tests.projects.introduction_fixtures import *  # noqa: F403
from tests.utils import soup

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year


@pytest.fixture
def adsep(redwire):
    return adsep_listing(redwire)


@pytest.fixture
def accepted(submitted):
    """The submitted proposal, selected for flight (the desk's moves are tested in test_transitions)."""
    Proposal.objects.filter(pk=submitted.pk).update(status=ProposalStatus.ACCEPTED)
    submitted.refresh_from_db()
    return submitted


@pytest.fixture
def introduction(accepted, redwire, staff):
    return IntroductionFactory(proposal=accepted, organisation=redwire, introduced_by=staff)


def flight_url(introduction) -> str:
    return reverse("admin:projects_introduction_flight", args=[introduction.pk])


# --- The domain function ------------------------------------------------------------------------------------------


def test_record_flight_creates_a_portal_precedent_from_the_proposal(introduction, accepted, adsep, staff):
    recorded = record_flight(introduction, adsep, FlightStatus.FLOWN, THIS_YEAR, staff)

    precedent = Precedent.objects.get()
    assert recorded.outcome == "created"
    assert recorded.precedent == precedent
    assert (precedent.origin, precedent.proposal, precedent.introduction, precedent.recorded_by) == (
        PrecedentOrigin.PORTAL,
        accepted,
        introduction,
        staff,
    )
    assert list(precedent.listings.all()) == [adsep]
    assert (precedent.year, precedent.flight_status, precedent.confidence) == (THIS_YEAR, "flown", "high")
    assert precedent.title == "Liver organoids in microgravity"
    assert precedent.summary == (
        "Grow liver organoids for 14 days on orbit and return them live.\n\n"
        "Organoids self-assemble without scaffolds in microgravity."
    )
    assert (precedent.research_areas, precedent.sample_type, precedent.needs) == (
        ["organoids", "stem_cells"],
        "organoids",
        ["cell_culture_bioreactor"],
    )
    assert (precedent.crew_time, precedent.duration_days, precedent.sample_return, precedent.variable_gravity) == (
        "low",
        Decimal("14"),
        True,
        None,
    )
    assert precedent.team == "Midwest Regenerative Medicine Institute"
    assert precedent.sources == [
        f"LEO Portal: program staff recorded that this proposal flew on ADSEP (Redwire Space) in {THIS_YEAR}."
    ]
    assert precedent.external_id == flights.portal_precedent_id(accepted, adsep)
    latest = precedent.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        staff,
        f"Flight recorded: flown on ADSEP in {THIS_YEAR}",
    )


def test_the_portal_precedent_id_is_opaque_and_stable(accepted, adsep):
    first = flights.portal_precedent_id(accepted, adsep)

    assert first == flights.portal_precedent_id(accepted, adsep)
    assert first.startswith("portal-")
    assert len(first) == len("portal-") + 24
    assert str(accepted.public_id) not in first


def test_recording_the_same_flight_again_changes_nothing(introduction, adsep, staff):
    record_flight(introduction, adsep, FlightStatus.FLOWN, THIS_YEAR, staff)
    history = Precedent.history.count()
    RescoreRequest.objects.all().delete()

    recorded = record_flight(introduction, adsep, FlightStatus.FLOWN, THIS_YEAR, staff)

    assert recorded.outcome == "unchanged"
    assert (Precedent.objects.count(), Precedent.history.count(), RescoreRequest.objects.count()) == (1, history, 0)


def test_a_manifested_flight_recorded_again_as_flown_updates_the_same_precedent(introduction, adsep, staff):
    manifested = record_flight(introduction, adsep, FlightStatus.MANIFESTED, THIS_YEAR, staff).precedent
    assert (manifested.flight_status, manifested.confidence) == ("manifested", "medium")

    recorded = record_flight(introduction, adsep, FlightStatus.FLOWN, THIS_YEAR, staff)

    flown = Precedent.objects.get()
    assert (recorded.outcome, flown.pk) == ("updated", manifested.pk)
    assert (flown.flight_status, flown.confidence) == ("flown", "high")
    assert flown.history.latest().history_change_reason == f"Flight recorded again: flown on ADSEP in {THIS_YEAR}"


def test_a_second_listing_of_the_provider_is_a_second_precedent(introduction, redwire, adsep, staff):
    printer = CapabilityFactory(organisation=redwire, external_id="bff", name="BFF", categories=["3d_bioprinter"])

    record_flight(introduction, adsep, FlightStatus.FLOWN, THIS_YEAR, staff)
    record_flight(introduction, printer, FlightStatus.FLOWN, THIS_YEAR, staff)

    assert sorted(p.listings.get().name for p in Precedent.objects.portal()) == ["ADSEP", "BFF"]
    assert [flight.listings.get().name for flight in flights.flights_of(introduction)] == ["ADSEP", "BFF"]


def test_record_flight_refuses_a_listing_of_another_organisation(introduction, tango, staff):
    cubelab = CapabilityFactory(organisation=tango, name="CubeLab")

    with pytest.raises(FlightRecordError) as refused:
        record_flight(introduction, cubelab, FlightStatus.FLOWN, THIS_YEAR, staff)

    assert refused.value.message == (
        "CubeLab is listed by Space Tango, not by Redwire Space, the provider this proposal was introduced to. "
        "Choose one of their listings, or record it from the introduction to Space Tango."
    )
    assert Precedent.objects.count() == 0


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (ProposalStatus.SUBMITTED, "submitted"),
        (ProposalStatus.UNDER_REVIEW, "under review"),
        (ProposalStatus.REVISIONS_REQUESTED, "revisions requested"),
        (ProposalStatus.DECLINED, "declined"),
        (ProposalStatus.WITHDRAWN, "withdrawn"),
    ],
)
def test_record_flight_refuses_a_proposal_that_was_not_accepted(introduction, adsep, staff, status, label):
    Proposal.objects.filter(pk=introduction.proposal_id).update(status=status)

    with pytest.raises(FlightRecordError) as refused:
        record_flight(introduction, adsep, FlightStatus.FLOWN, THIS_YEAR, staff)

    assert refused.value.message == (
        f"“Liver organoids in microgravity” is {label}: only an accepted proposal can have flown or be manifested. "
        "Record the flight once the proposal is accepted."
    )
    assert Precedent.objects.count() == 0


@pytest.mark.parametrize(
    ("status", "year", "message"),
    [
        (
            FlightStatus.FLOWN,
            THIS_YEAR + 1,
            f"A flight in {THIS_YEAR + 1} has not happened yet: record it as manifested, or correct the year.",
        ),
        (
            FlightStatus.MANIFESTED,
            THIS_YEAR - 1,
            f"A flight planned for {THIS_YEAR - 1} should have flown by now: record it as flown, or correct the year.",
        ),
        (FlightStatus.FLOWN, 1975, "Give the year of the flight, from 1981 to 2030."),
        (FlightStatus.MANIFESTED, 2031, "Give the year of the flight, from 1981 to 2030."),
        ("launched", THIS_YEAR, "Say whether the experiment flew or is manifested."),
    ],
)
def test_record_flight_refuses_a_year_or_status_that_cannot_be(introduction, adsep, staff, status, year, message):
    with pytest.raises(FlightRecordError) as refused:
        record_flight(introduction, adsep, status, year, staff)

    assert refused.value.message == message
    assert Precedent.objects.count() == 0


def test_the_year_rules_follow_the_calendar(introduction, adsep):
    assert flight_problem(introduction, adsep, FlightStatus.FLOWN, 2027, today=date(2027, 1, 1)) is None
    assert flight_problem(introduction, adsep, FlightStatus.MANIFESTED, 2027, today=date(2027, 12, 31)) is None


def test_a_retired_listing_takes_no_manifest_but_keeps_what_flew(introduction, adsep, staff):
    adsep.status = CapabilityStatus.RETIRED
    adsep.save()

    with pytest.raises(FlightRecordError) as refused:
        record_flight(introduction, adsep, FlightStatus.MANIFESTED, THIS_YEAR, staff)
    recorded = record_flight(introduction, adsep, FlightStatus.FLOWN, THIS_YEAR - 2, staff)

    assert refused.value.message == (
        "ADSEP is retired and takes no new flights: record a flight that happened as flown."
    )
    assert recorded.outcome == "created"


def test_a_proposal_with_too_little_text_cannot_become_a_precedent(introduction, adsep, staff):
    Proposal.objects.filter(pk=introduction.proposal_id).update(summary="Cells.", why_microgravity="Less shear.")

    with pytest.raises(FlightRecordError) as refused:
        record_flight(introduction, adsep, FlightStatus.FLOWN, THIS_YEAR, staff)

    assert refused.value.message == (
        "“Liver organoids in microgravity” has too little to compare with other proposals: a precedent needs a title "
        "of at least 5 characters, 40 characters of summary and a research area."
    )


@pytest.mark.parametrize("who", ["provider_user", "researcher", "outsider"])
def test_only_staff_record_flights(request, introduction, adsep, who):
    user = request.getfixturevalue(who)

    with pytest.raises(FlightRecordError) as refused:
        record_flight(introduction, adsep, FlightStatus.FLOWN, THIS_YEAR, user)

    assert refused.value.message == "Only program staff record flights."
    assert Precedent.objects.count() == 0


def test_record_flight_queues_rescoring_of_the_open_proposals_it_could_move(
    introduction, adsep, staff, researcher2, django_capture_on_commit_callbacks
):
    waiting = ProposalFactory(owner=researcher2, complete=True, status=ProposalStatus.SUBMITTED, submission_count=1)

    with django_capture_on_commit_callbacks() as callbacks:
        record_flight(introduction, adsep, FlightStatus.FLOWN, THIS_YEAR, staff)
    requests = list(RescoreRequest.objects.values_list("capability_id", "categories"))
    for callback in callbacks:
        callback()

    assert requests == [(adsep.pk, ["cell_culture_bioreactor"])]
    assert RescoreRequest.objects.count() == 0
    waiting.refresh_from_db()
    assert waiting.matched_at is not None
    assert waiting.matches.get().capability == adsep


def test_a_long_proposal_is_clipped_to_the_format(introduction, adsep, staff):
    words = " ".join(["organoid"] * 400)
    Proposal.objects.filter(pk=introduction.proposal_id).update(summary=words, duration_days=Decimal("5000"))

    precedent = record_flight(introduction, adsep, FlightStatus.FLOWN, THIS_YEAR, staff).precedent

    # Cut before 2,000 characters, at the last whole word, with an ellipsis: 222 words and 221 spaces, then "…".
    assert precedent.summary == " ".join(["organoid"] * 222) + "…"
    assert precedent.duration_days is None  # beyond the format's ten years: left not stated


def test_the_engine_sees_a_recorded_flight_only_under_a_generic_label(introduction, adsep, staff):
    record_flight(introduction, adsep, FlightStatus.FLOWN, THIS_YEAR, staff)

    (entry,) = engine_items()

    assert (entry["origin"], entry["label"], entry["facilities"], entry["year"]) == (
        "portal",
        PORTAL_LABEL,
        ["adsep"],
        THIS_YEAR,
    )


# --- The admin page -----------------------------------------------------------------------------------------------


def test_staff_record_a_flight_from_the_introduction_page(client, introduction, redwire, adsep, tango, staff):
    CapabilityFactory(organisation=tango, name="CubeLab")
    client.force_login(staff)

    page = client.get(flight_url(introduction))
    options = [o.get_text() for o in soup(page).select("select[name=listing] option")]
    response = client.post(flight_url(introduction), {"listing": adsep.pk, "status": "flown", "year": THIS_YEAR})

    assert page.status_code == 200
    assert options == ["Choose one of the provider's listings…", "ADSEP (adsep)"]
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("admin:projects_introduction_change", args=[introduction.pk]),
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Recorded: “Liver organoids in microgravity” flew on ADSEP in {THIS_YEAR}. It is a flight precedent now: "
        "matching counts it as evidence for ADSEP, and outside the admin it is only ever “a similar proposal on "
        "this portal”. Open proposals it could move are being rescored."
    ]
    precedent = Precedent.objects.get()
    assert (precedent.recorded_by, precedent.history.latest().history_user) == (staff, staff)


def test_recording_the_same_flight_twice_on_the_page_says_nothing_changed(client, introduction, adsep, staff):
    client.force_login(staff)
    data = {"listing": adsep.pk, "status": "manifested", "year": THIS_YEAR}
    client.post(flight_url(introduction), data)

    response = client.post(flight_url(introduction), data)

    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == (
        f"Already recorded: “Liver organoids in microgravity” is manifested on ADSEP in {THIS_YEAR}. Nothing changed."
    )
    assert Precedent.objects.count() == 1


def test_a_refused_flight_keeps_what_was_typed_and_says_why(client, introduction, adsep, staff):
    client.force_login(staff)

    response = client.post(flight_url(introduction), {"listing": adsep.pk, "status": "flown", "year": THIS_YEAR + 2})

    page = soup(response)
    assert response.status_code == 400
    assert page.select_one(".errorlist.nonfield").get_text(strip=True) == (
        f"A flight in {THIS_YEAR + 2} has not happened yet: record it as manifested, or correct the year."
    )
    assert page.select_one("select[name=listing] option[selected]")["value"] == str(adsep.pk)
    assert page.select_one("input[name=year]")["value"] == str(THIS_YEAR + 2)
    assert page.select_one("input[name=status][checked]")["value"] == "flown"
    assert Precedent.objects.count() == 0


def test_a_listing_of_another_provider_cannot_be_posted(client, introduction, adsep, tango, staff):
    cubelab = CapabilityFactory(organisation=tango, name="CubeLab")
    client.force_login(staff)

    response = client.post(flight_url(introduction), {"listing": cubelab.pk, "status": "flown", "year": THIS_YEAR})

    assert response.status_code == 400
    assert soup(response).select_one(".errorlist").get_text(strip=True) == (
        "Select a valid choice. That choice is not one of the available choices."
    )
    assert Precedent.objects.count() == 0


def test_the_page_says_why_a_proposal_not_accepted_cannot_have_flown(client, submitted, redwire, staff):
    introduction = IntroductionFactory(proposal=submitted, organisation=redwire, introduced_by=staff)
    listing = adsep_listing(redwire)
    client.force_login(staff)

    page = client.get(flight_url(introduction))
    posted = client.post(flight_url(introduction), {"listing": listing.pk, "status": "flown", "year": THIS_YEAR})

    assert soup(page).select_one("[data-flight-refused]").get_text(strip=True) == (
        "“Liver organoids in microgravity” is submitted: only an accepted proposal can have flown or be manifested. "
        "Record the flight once the proposal is accepted."
    )
    assert soup(page).select("[data-flight-form]") == []
    assert posted.status_code == 400
    assert Precedent.objects.count() == 0


def test_the_page_says_when_the_provider_has_no_listings(client, introduction, staff):
    client.force_login(staff)

    page = soup(client.get(flight_url(introduction)))

    assert page.select_one("[data-flight-refused]").get_text(strip=True) == (
        "Redwire Space has no listings: a flight is recorded on one of the provider's listings, so add the listing "
        "first."
    )


@pytest.mark.parametrize("who", ["provider_user", "researcher", "outsider"])
def test_only_staff_reach_the_record_flight_page(client, request, introduction, adsep, who):
    client.force_login(request.getfixturevalue(who))

    page = client.get(flight_url(introduction))
    posted = client.post(flight_url(introduction), {"listing": adsep.pk, "status": "flown", "year": THIS_YEAR})

    login = f"/admin/login/?next={flight_url(introduction)}"
    assert [(r.status_code, r["Location"]) for r in (page, posted)] == [(302, login), (302, login)]
    assert Precedent.objects.count() == 0


def test_an_unknown_introduction_is_not_found(client, staff):
    client.force_login(staff)

    response = client.get(reverse("admin:projects_introduction_flight", args=[987654]))

    assert response.status_code == 404


def test_the_introduction_page_lists_recorded_flights_and_links_to_record_one(client, introduction, adsep, staff):
    record_flight(introduction, adsep, FlightStatus.FLOWN, THIS_YEAR, staff)
    client.force_login(staff)

    page = soup(client.get(reverse("admin:projects_introduction_change", args=[introduction.pk])))

    flights_field = page.select_one(".field-flights_recorded")
    assert [a.get_text() for a in flights_field.select("li a")] == [f"Flown on ADSEP in {THIS_YEAR}"]
    assert flights_field.select_one("li a")["href"] == Precedent.objects.get().get_admin_url()
    assert flights_field.select_one("[data-record-flight]")["href"] == flight_url(introduction)


def test_the_proposal_page_links_to_record_a_flight_once_accepted(client, introduction, staff):
    client.force_login(staff)

    page = soup(client.get(reverse("admin:projects_proposal_change", args=[introduction.proposal_id])))

    assert [a["href"] for a in page.select("#introductions [data-record-flight]")] == [flight_url(introduction)]


def test_the_proposal_page_offers_no_flight_before_acceptance(client, submitted, redwire, staff):
    IntroductionFactory(proposal=submitted, organisation=redwire, introduced_by=staff)
    client.force_login(staff)

    page = soup(client.get(reverse("admin:projects_proposal_change", args=[submitted.pk])))

    assert page.select("#introductions [data-record-flight]") == []
