"""An organisation's own listings in the API (``/api/v1/organisation/listings``), with a token of that organisation.

Every listing of the organisation is here, drafts too. A listing is sent as one entry of the interchange format
``leoportal.capabilities/1`` (``partners/data/schemas``, ``leoportal/interchange``) and checked exactly as the
importer checks an uploaded file, so the same problems are refused with the same words, each at its JSON path
within the entry (``$.temperature_c.min``). A listing is written as a whole (``PUT``): a key left out is "not
stated". New listings start as drafts; publishing is its own request. A read token reads; another organisation's
listing is 404.
"""

import copy
import json
import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from ninja import Body, Router, Schema
from ninja.responses import Status

from leoportal.api.access import (
    Detail,
    PathProblems,
    Refused,
    not_found,
    organisation_of,
    page_of,
    require_organisation,
    require_write,
)
from leoportal.interchange import CAPABILITIES, SCHEMA_DIR, SCHEMA_FILES, InterchangeError
from partners.domain import listings
from partners.domain.importing import ENTRY_PATH, FIELD_PATHS, plan_import
from partners.enums import ImportOutcome
from partners.models import Capability

router = Router(tags=["Your organisation's listings"])
PAGE_SIZE = 100

ENTRY_DESCRIPTION = (
    "One listing as an entry of the leoportal.capabilities/1 interchange format (the same keys as a capability "
    "file: id, name, categories, temperature_c {min, max}, availability [{start, end}], ...). provider may be left "
    "out: it is the token's organisation. Problems are answered with 422, each at its JSON path within the entry."
)


def _entry_schema() -> dict:
    """The interchange format's schema of one entry, for the OpenAPI document (provider may be left out here)."""
    document = json.loads((SCHEMA_DIR / SCHEMA_FILES[CAPABILITIES]).read_text())
    entry = copy.deepcopy(document["properties"]["capabilities"]["items"])
    entry["required"] = [name for name in entry["required"] if name != "provider"]
    return entry


ENTRY_BODY = {
    "requestBody": {"required": True, "content": {"application/json": {"schema": _entry_schema()}}},
}


class OwnListing(Schema):
    id: uuid.UUID
    published: bool
    url: str
    manage_url: str
    updated_at: datetime
    listing: dict


class OwnListingPage(Schema):
    count: int
    page: int
    pages: int
    next: str | None
    previous: str | None
    results: list[OwnListing]


def _own(request):
    organisation = organisation_of(request)
    if organisation is None:
        return Capability.objects.none()  # a personal token reaches no organisation's listings
    return Capability.objects.filter(organisation=organisation).with_related().order_by("name", "id")


def _one(request, listing_id) -> Capability:
    capability = _own(request).filter(public_id=listing_id).first()
    if capability is None:
        raise not_found("listing of this token's organisation")
    return capability


def _out(request, capability: Capability) -> dict:
    return {
        "id": capability.public_id,
        "published": capability.is_published,
        "url": request.build_absolute_uri(capability.get_absolute_url()),
        "manage_url": request.build_absolute_uri(capability.get_manage_url()),
        "updated_at": capability.updated_at,
        "listing": capability.to_interchange(),
    }


def _entry_path(path: str) -> str:
    """``$.capabilities[0].temperature_c.min`` of the importer's one-entry document is ``$.temperature_c.min``."""
    match = ENTRY_PATH.match(path)
    if match is None:
        return "$"
    return f"$.{match.group(2)}" if match.group(2) else "$"


def _refused(problems) -> Refused:
    listed = [{"path": path, "message": message} for path, message in problems]
    noun = "problem" if len(listed) == 1 else "problems"
    return Refused(422, f"The listing was not saved: fix the {len(listed)} {noun} below and send it again.", listed)


def _plan(organisation, entry: dict):
    """The importer's plan for one entry (its only entry), or Refused with every problem at its path."""
    entry = {"provider": organisation.name, **entry}
    try:
        plan = plan_import({"format": CAPABILITIES, "capabilities": [entry]}, organisation=organisation)
    except InterchangeError as error:
        raise _refused((_entry_path(problem.path), problem.message) for problem in error.problems) from None
    return plan.entries[0]


def _model_refusal(error: ValidationError) -> Refused:
    """What the model's own checks refused when saving (the domain functions run ``full_clean``)."""
    problems = []
    for name, messages in error.message_dict.items():
        path = "$" if name == "__all__" else f"$.{FIELD_PATHS.get(name, name)}"
        problems += [(path, message) for message in messages]
    return _refused(problems)


def _id_taken(organisation, external_id: str, other_than=None) -> bool:
    taken = Capability.objects.filter(organisation=organisation, external_id=external_id)
    if other_than is not None:
        taken = taken.exclude(pk=other_than.pk)
    return taken.exists()


@router.get(
    "/listings",
    response=OwnListingPage,
    url_name="own_listings",
    summary="Your organisation's listings, drafts too (organisation token)",
)
def own_listings(request, page: int = 1):
    return page_of(request, _own(request), page, PAGE_SIZE, lambda capability: _out(request, capability))


@router.post(
    "/listings",
    response={201: OwnListing, 403: Detail, 422: PathProblems},
    url_name="own_listings_create",
    summary="Add a listing, as a draft (organisation token, write)",
    description=ENTRY_DESCRIPTION,
    openapi_extra=ENTRY_BODY,
)
def create_listing(request, entry: dict = Body(..., description=ENTRY_DESCRIPTION)):  # noqa: B008 -- ninja's way
    organisation = require_organisation(request)
    require_write(request)
    with transaction.atomic():
        plan = _plan(organisation, entry)
        if plan.outcome != ImportOutcome.CREATED:
            raise _refused(
                [
                    (
                        "$.id",
                        f"{plan.external_id!r} is the id of a listing of {organisation.name} already "
                        f"({plan.capability.public_id}); change that one with PUT, or choose another id",
                    )
                ]
            )
        try:
            capability = listings.create_capability(organisation, values=plan.values, windows=plan.windows)
        except ValidationError as error:
            raise _model_refusal(error) from None
    return Status(201, _out(request, _one(request, capability.public_id)))


@router.get("/listings/{listing_id}", response=OwnListing, url_name="own_listing", summary="One of your listings")
def own_listing(request, listing_id: uuid.UUID):
    return _out(request, _one(request, listing_id))


@router.put(
    "/listings/{listing_id}",
    response={200: OwnListing, 403: Detail, 422: PathProblems},
    url_name="own_listing_update",
    summary="Replace a listing's facts (organisation token, write)",
    description=ENTRY_DESCRIPTION + " Its publication state stays as it is.",
    openapi_extra=ENTRY_BODY,
)
def update_listing(
    request,
    listing_id: uuid.UUID,
    entry: dict = Body(..., description=ENTRY_DESCRIPTION),  # noqa: B008 -- ninja's way
):
    capability = _one(request, listing_id)
    require_write(request)
    with transaction.atomic():
        plan = _plan(capability.organisation, entry)
        if _id_taken(capability.organisation, plan.external_id, other_than=capability):
            raise _refused(
                [("$.id", f"{plan.external_id!r} is the id of another listing of {capability.organisation.name}")]
            )
        try:
            listings.update_capability(capability, values=plan.values, windows=plan.windows)
        except ValidationError as error:
            raise _model_refusal(error) from None
    return _out(request, _one(request, listing_id))


@router.post(
    "/listings/{listing_id}/publish",
    response={200: OwnListing, 403: Detail},
    url_name="own_listing_publish",
    summary="Publish a listing: it shows in the catalogue once the organisation is verified",
)
def publish_listing(request, listing_id: uuid.UUID):
    capability = _one(request, listing_id)
    require_write(request)
    listings.publish_capability(capability)
    return _out(request, _one(request, listing_id))


@router.post(
    "/listings/{listing_id}/unpublish",
    response={200: OwnListing, 403: Detail},
    url_name="own_listing_unpublish",
    summary="Take a listing out of the catalogue (it stays as a draft)",
)
def unpublish_listing(request, listing_id: uuid.UUID):
    capability = _one(request, listing_id)
    require_write(request)
    listings.unpublish_capability(capability)
    return _out(request, _one(request, listing_id))


@router.delete(
    "/listings/{listing_id}",
    response={204: None, 403: Detail},
    url_name="own_listing_delete",
    summary="Delete a listing (organisation token, write)",
)
def delete_listing(request, listing_id: uuid.UUID):
    capability = _one(request, listing_id)
    require_write(request)
    listings.delete_capability(capability)
    return Status(204, None)
