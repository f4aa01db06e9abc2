"""The events the rest of the portal emits, each called by the domain function that did the work, inside its
transaction: the delivery rows commit with it (or not at all) and are sent after the commit.

Payloads carry what the organisation's members can already read on the portal, no more.
"""

from leoportal.domain.notifications import absolute_url
from leoportal.fields import json_list_contains
from partners.models import Capability
from webhooks.domain.deliveries import emit, record
from webhooks.enums import Event
from webhooks.models import Endpoint


def _introduction(introduction) -> dict:
    capability = introduction.capability
    return {
        "id": str(introduction.public_id),
        "url": absolute_url(introduction.get_absolute_url()),
        "proposal_title": introduction.proposal.display_title,
        "facility": introduction.facility_name,
        "listing": str(capability.public_id) if capability is not None else None,
        "fit": introduction.fit,
        "introduced_at": introduction.created_at.isoformat(),
    }


def introduction_received(introduction) -> None:
    emit(
        introduction.organisation_id,
        Event.INTRODUCTION_RECEIVED,
        {"introduction": _introduction(introduction)},
        f"introduction:{introduction.public_id}",
    )


def request_approved(request, introduction) -> None:
    """Program staff granted a researcher's request about one of the organisation's listings."""
    emit(
        request.organisation_id,
        Event.REQUEST_APPROVED,
        {
            "request": {
                "id": str(request.public_id),
                "listing": str(request.capability.public_id) if request.capability_id else None,
                "facility": request.facility_name,
                "approved_at": request.decided_at.isoformat(),
            },
            "introduction": _introduction(introduction),
        },
        f"request-approved:{request.public_id}",
    )


def demand_changed(changes: dict, computed_at) -> int:
    """The figures a provider sees on a listing's page (open proposals it fits, and is to confirm for) changed.

    ``changes`` maps listing primary keys to ((fits, to_confirm) before, (fits, to_confirm) after). Only listings of
    organisations with an endpoint for the event are loaded. Returns how many deliveries were recorded.
    """
    listening = {}
    subscribed = Endpoint.objects.filter(json_list_contains("events", Event.DEMAND_CHANGED))
    for endpoint in subscribed.filter(organisation__capabilities__pk__in=list(changes)).distinct():
        listening.setdefault(endpoint.organisation_id, []).append(endpoint)
    if not listening:
        return 0
    recorded = 0
    listings = Capability.objects.filter(pk__in=list(changes), organisation_id__in=list(listening)).order_by("pk")
    for listing in listings:
        before, after = changes[listing.pk]
        data = {
            "listing": {
                "id": str(listing.public_id),
                "name": listing.name,
                "url": absolute_url(listing.get_manage_url()),
            },
            "fits": after[0],
            "to_confirm": after[1],
            "previous": {"fits": before[0], "to_confirm": before[1]},
            "computed_at": computed_at.isoformat(),
        }
        key = f"demand:{listing.pk}:{computed_at.isoformat()}"
        recorded += len(record(listening[listing.organisation_id], Event.DEMAND_CHANGED, data, key))
    return recorded
