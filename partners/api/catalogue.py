"""The public catalogue in the API (``/api/v1/catalogue/...``): read-only, anonymous, the site's filters.

Every listing is the interchange item of ``leoportal.capabilities/1`` (``null`` = not stated, never "no"), with
its catalogue id, its page and its provider's page. Filter values the site would refuse are refused here too, with
422 and every problem named.
"""

import uuid

from django.conf import settings
from django.http import Http404
from ninja import Router, Schema
from ninja.responses import Status

from leoportal.api.access import FieldProblems, Refused, page_of
from partners.filters import CatalogueFilter
from partners.models import Capability

router = Router(tags=["Catalogue"])


class Listing(Schema):
    id: uuid.UUID
    url: str
    provider_url: str
    listing: dict


class ListingPage(Schema):
    count: int
    page: int
    pages: int
    next: str | None
    previous: str | None
    results: list[Listing]


def _listing(request, capability) -> dict:
    return {
        "id": capability.public_id,
        "url": request.build_absolute_uri(capability.get_absolute_url()),
        "provider_url": request.build_absolute_uri(capability.organisation.get_absolute_url()),
        "listing": capability.to_interchange(),
    }


@router.get(
    "/listings",
    response={200: ListingPage, 422: FieldProblems},
    summary="Search and filter the public catalogue",
    description="The catalogue's query parameters as on the site (q, category, research_area, platform, status, "
    "sample_return, crew_time, centrifuge, holds_c, min_days, min_units, unstated, sort) and page. The answer "
    "counts every listing found and links the next and previous pages.",
)
def listings(request, page: int = 1):
    params = request.GET.copy()
    params.pop("page", None)
    filterset = CatalogueFilter(params or None, queryset=Capability.objects.public().with_related())
    if filterset.is_bound and not filterset.form.is_valid():
        problems = [{"field": name, "message": message} for name, _label, message in filterset.refused_filters()]
        raise Refused(422, "Some filter values cannot be used: fix or remove them.", problems)
    found = page_of(request, filterset.qs, page, settings.CATALOGUE_PAGE_SIZE, lambda c: _listing(request, c))
    return Status(200, found)


@router.get("/listings/{listing_id}", response=Listing, summary="One public listing")
def listing(request, listing_id: uuid.UUID):
    capability = Capability.objects.public().with_related().filter(public_id=listing_id).first()
    if capability is None:
        raise Http404("No such listing in the catalogue.")
    return _listing(request, capability)
