"""The public catalogue in the API (``/api/v1/catalogue/...``): read-only, anonymous, the site's filters.

Every listing is the interchange item of ``leoportal.capabilities/1`` (``null`` = not stated, never "no"), with
its catalogue id, its page and its provider's page. Filter values the site would refuse are refused here too, with
422 and every problem named.
"""

import uuid

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from ninja import Router, Schema
from ninja.responses import Status

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
    results: list[Listing]


class Problem(Schema):
    field: str
    message: str


class Refused(Schema):
    detail: str
    problems: list[Problem]


def _listing(request, capability) -> dict:
    return {
        "id": capability.public_id,
        "url": request.build_absolute_uri(capability.get_absolute_url()),
        "provider_url": request.build_absolute_uri(capability.organisation.get_absolute_url()),
        "listing": capability.to_interchange(),
    }


@router.get(
    "/listings",
    response={200: ListingPage, 422: Refused},
    summary="Search and filter the public catalogue",
    description="The catalogue's query parameters as on the site (q, category, research_area, platform, status, "
    "sample_return, crew_time, centrifuge, holds_c, min_days, min_units, unstated, sort) and page.",
)
def listings(request, page: int = 1):
    params = request.GET.copy()
    params.pop("page", None)
    filterset = CatalogueFilter(params or None, queryset=Capability.objects.public().with_related())
    if filterset.is_bound and not filterset.form.is_valid():
        problems = [{"field": name, "message": message} for name, _label, message in filterset.refused_filters()]
        return Status(422, {"detail": "Some filter values cannot be used: fix or remove them.", "problems": problems})
    paginator = Paginator(filterset.qs, settings.CATALOGUE_PAGE_SIZE)
    if page < 1 or page > max(paginator.num_pages, 1):
        last = max(paginator.num_pages, 1)
        problem = {"field": "page", "message": f"Pages run from 1 to {last}."}
        return Status(422, {"detail": "No such page.", "problems": [problem]})
    current = paginator.page(page)
    results = [_listing(request, capability) for capability in current.object_list]
    return Status(
        200, {"count": paginator.count, "page": current.number, "pages": paginator.num_pages, "results": results}
    )


@router.get("/listings/{listing_id}", response=Listing, summary="One public listing")
def listing(request, listing_id: uuid.UUID):
    capability = Capability.objects.public().with_related().filter(public_id=listing_id).first()
    if capability is None:
        raise Http404("No such listing in the catalogue.")
    return _listing(request, capability)
