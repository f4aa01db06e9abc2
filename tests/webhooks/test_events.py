"""The domain actions emit the events: an introduction received, a researcher's request approved, a listing's demand
figures changed. Each is a delivery row recorded in the action's transaction, for the endpoints that chose it."""

import pytest
from django.conf import settings
from django.db.models import F

from projects.domain import introduction_requests, scoring
from projects.domain.introductions import IntroductionError, introduce_to_provider
from projects.models import ListingDemand
from tests.projects.introduction_fixtures import *  # noqa: F403
from tests.webhooks.factories import EndpointFactory
from webhooks.enums import Event
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db


def recorded(event):
    return list(Delivery.objects.filter(event=event).select_related("endpoint").order_by("pk"))


def test_introduction_emits_introduction_received_to_the_endpoints_that_chose_it(
    submitted, match, staff, redwire, tango
):
    chose = EndpointFactory(organisation=redwire, events=[Event.INTRODUCTION_RECEIVED])
    EndpointFactory(organisation=redwire, events=[Event.DEMAND_CHANGED])
    EndpointFactory(organisation=tango, events=[Event.INTRODUCTION_RECEIVED])

    introduction = introduce_to_provider(submitted, redwire, staff, "Worth a talk.", match=match)

    (delivery,) = Delivery.objects.all()
    assert (delivery.endpoint, delivery.event, delivery.status) == (chose, Event.INTRODUCTION_RECEIVED, "pending")
    assert delivery.payload == {
        "introduction": {
            "id": str(introduction.public_id),
            "url": f"{settings.SITE_URL}{introduction.get_absolute_url()}",
            "proposal_title": "Liver organoids in microgravity",
            "facility": match.capability.name,
            "listing": str(match.capability.public_id),
            "fit": match.fit,
            "introduced_at": introduction.created_at.isoformat(),
        }
    }


def test_refused_introduction_emits_nothing(submitted, match, staff, redwire):
    EndpointFactory(organisation=redwire, events=[Event.INTRODUCTION_RECEIVED])
    introduce_to_provider(submitted, redwire, staff, "Worth a talk.", match=match)

    with pytest.raises(IntroductionError):
        introduce_to_provider(submitted, redwire, staff, "Again.", match=match)

    assert Delivery.objects.count() == 1


def test_granted_request_emits_request_approved_and_introduction_received(submitted, match, researcher, staff, redwire):
    endpoint = EndpointFactory(organisation=redwire, events=[Event.REQUEST_APPROVED, Event.INTRODUCTION_RECEIVED])
    ask = introduction_requests.request_introduction(submitted, match.capability, researcher, "Can ADSEP do 37 °C?")
    assert Delivery.objects.count() == 0  # asking tells the provider nothing

    introduction = introduction_requests.grant_request(ask, staff, "Worth a talk.")

    ask.refresh_from_db()
    (approved,) = recorded(Event.REQUEST_APPROVED)
    assert approved.endpoint == endpoint
    assert approved.payload["request"] == {
        "id": str(ask.public_id),
        "listing": str(match.capability.public_id),
        "facility": match.capability.name,
        "approved_at": ask.decided_at.isoformat(),
    }
    assert approved.payload["introduction"]["id"] == str(introduction.public_id)
    assert [d.payload["introduction"]["id"] for d in recorded(Event.INTRODUCTION_RECEIVED)] == [
        str(introduction.public_id)
    ]


def test_declined_request_emits_nothing(submitted, match, researcher, staff, redwire):
    EndpointFactory(organisation=redwire, events=Event.values)
    ask = introduction_requests.request_introduction(submitted, match.capability, researcher, "Can ADSEP do 37 °C?")

    introduction_requests.decline_request(ask, staff, "Booked for 2027.")

    assert Delivery.objects.count() == 0


def test_demand_figures_changed_by_rescoring_emit_demand_changed_once(submitted, match, redwire, tango):
    endpoint = EndpointFactory(organisation=redwire, events=[Event.DEMAND_CHANGED])
    EndpointFactory(organisation=tango, events=[Event.DEMAND_CHANGED])  # its listings' figures did not change
    listing = match.capability

    scoring.refresh_listing_demand()  # the listing's figures appear (none before)
    demand = ListingDemand.objects.get(capability=listing)
    scoring.refresh_listing_demand()  # nothing changed: nothing more is sent

    (first,) = recorded(Event.DEMAND_CHANGED)
    assert demand.fits + demand.to_confirm == 1
    assert first.endpoint == endpoint
    assert first.payload["listing"]["id"] == str(listing.public_id)
    assert (first.payload["fits"], first.payload["to_confirm"], first.payload["previous"]) == (
        demand.fits,
        demand.to_confirm,
        {"fits": 0, "to_confirm": 0},
    )

    ListingDemand.objects.filter(capability=listing).update(fits=F("fits") + 4)  # as the figures stood before
    scoring.refresh_listing_demand()

    second = recorded(Event.DEMAND_CHANGED)[1]
    assert (second.payload["fits"], second.payload["previous"]) == (
        demand.fits,
        {"fits": demand.fits + 4, "to_confirm": demand.to_confirm},
    )
    assert len(recorded(Event.DEMAND_CHANGED)) == 2
