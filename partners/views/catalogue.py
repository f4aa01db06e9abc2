"""The public catalogue: anyone may browse published listings of verified providers."""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET

from leoportal.domain import public_pages
from leoportal.domain.page_cache import for_visitors
from partners.filters import CatalogueFilter
from partners.models import Capability, Organisation
from partners.rules import can_manage_capability
from partners.templatetags.partners_tags import envelope_rows

# A catalogue page (filters and results) is the same for everyone who asks with the same filters while no public
# listing changes: it is cached under the listings' fingerprint, so a change shows at once.
CATALOGUE_CACHE_SECONDS = 300


@require_GET
@for_visitors(public_pages.listings)
def catalogue(request):
    key = _catalogue_key(request.GET)
    parts = cache.get(key)
    if parts is None:
        parts = _catalogue_parts(request.GET)
        cache.set(key, parts, CATALOGUE_CACHE_SECONDS)
    return render(request, "partners/catalogue.html", parts)


def _catalogue_key(params) -> str:
    """The filters asked for (unknown parameters ignored) and the state of the public listings, as a cache key."""
    known = set(CatalogueFilter.base_filters) | {"page"}
    asked = sorted((name, params.getlist(name)) for name in params if name in known)
    digest = hashlib.sha256(repr((public_pages.listings(), settings.CATALOGUE_PAGE_SIZE, asked)).encode()).hexdigest()
    return f"catalogue-page:{digest}"


def _catalogue_parts(params) -> dict:
    filterset = CatalogueFilter(params or None, queryset=Capability.objects.public().select_related("organisation"))
    paginator = Paginator(filterset.qs, settings.CATALOGUE_PAGE_SIZE)
    page = paginator.get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    platforms = (
        Capability.objects.public()
        .exclude(platform="")
        .order_by("platform")
        .values_list("platform", flat=True)
        .distinct()
    )
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "platforms": platforms,
        "is_filtered": filterset.is_bound and filterset.form.is_valid() and filterset.is_filtered,
        "chips": [(active, _without(query, active.name)) for active in filterset.active_filters()],
        "refused": [(label, message, _without(query, name)) for name, label, message in filterset.refused_filters()],
    }
    return {
        "filters_html": render_to_string("partners/_catalogue_filters.html", context),
        "results_html": render_to_string("partners/_catalogue_results.html", context),
    }


def _without(query, name) -> str:
    """The catalogue's address with the filters of ``query`` but ``name`` (and back on the first page)."""
    rest = query.copy()
    rest.pop(name, None)
    address = reverse("partners:catalogue")
    return f"{address}?{rest.urlencode()}" if rest else address


@require_GET
@for_visitors(lambda public_id: public_pages.listings())
def capability(request, public_id):
    listing = get_object_or_404(Capability.objects.public().with_related(), public_id=public_id)
    # The listing's own provider (and staff) see how many open proposals it could serve: counts, never content.
    show_demand = request.user.is_staff or can_manage_capability(request.user, listing)
    return render(request, "partners/capability_detail.html", {"capability": listing, "show_demand": show_demand})


@require_GET
def provider(request, slug):
    organisation = get_object_or_404(Organisation.objects.verified(), slug=slug)
    listings = list(organisation.capabilities.public().select_related("organisation"))
    platforms = sorted({listing.platform for listing in listings if listing.platform})
    return render(
        request,
        "partners/provider_detail.html",
        {"organisation": organisation, "listings": listings, "platforms": platforms},
    )


COMPARE_AT_MOST = 3


@require_GET
def compare(request):
    """Two or three listings side by side (``?listing=<id>`` repeated): every fact in one table."""
    asked = request.GET.getlist("listing")
    ids, problem = [], None
    for value in asked:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            problem = f"“{value[:40]}” is not a listing of the catalogue: tick listings in the catalogue instead."
    found = {c.public_id: c for c in Capability.objects.public().with_related().filter(public_id__in=ids)}
    listings = [found[public_id] for public_id in dict.fromkeys(ids) if public_id in found]
    if problem is None and len(ids) > COMPARE_AT_MOST:
        extra = len(ids) - COMPARE_AT_MOST
        problem = f"Compare at most {COMPARE_AT_MOST} listings at a time: untick {extra} and compare again."
    elif problem is None and len(found) < len(set(ids)):
        problem = "A listing you ticked is no longer in the catalogue: the others are compared."
    elif problem is None and len(listings) < 2:
        problem = "Tick two or three listings in the catalogue to compare them."
    shown = listings[:COMPARE_AT_MOST]
    columns = [envelope_rows(listing) for listing in shown]
    rows = (
        [(label, [column[index][1] for column in columns]) for index, (label, _value) in enumerate(columns[0])]
        if columns
        else []
    )
    return render(
        request,
        "partners/compare.html",
        {"listings": shown, "rows": rows, "problem": problem},
        status=400 if problem and len(shown) < 2 else 200,
    )
