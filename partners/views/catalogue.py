"""The public catalogue: anyone may browse published listings of verified providers."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from partners.filters import CatalogueFilter
from partners.models import Capability, Organisation
from partners.rules import can_manage_capability


@require_GET
def catalogue(request):
    filterset = CatalogueFilter(
        request.GET or None, queryset=Capability.objects.public().select_related("organisation")
    )
    paginator = Paginator(filterset.qs, settings.CATALOGUE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    platforms = (
        Capability.objects.public()
        .exclude(platform="")
        .order_by("platform")
        .values_list("platform", flat=True)
        .distinct()
    )
    return render(
        request,
        "partners/catalogue.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "platforms": platforms,
            "is_filtered": filterset.is_bound and filterset.form.is_valid() and filterset.is_filtered,
        },
    )


@require_GET
def capability(request, public_id):
    listing = get_object_or_404(Capability.objects.public().with_related(), public_id=public_id)
    # The listing's own provider (and staff) see how many open proposals it could serve: counts, never content.
    show_demand = request.user.is_staff or can_manage_capability(request.user, listing)
    return render(request, "partners/capability_detail.html", {"capability": listing, "show_demand": show_demand})


@require_GET
def provider(request, slug):
    organisation = get_object_or_404(Organisation.objects.verified(), slug=slug)
    listings = organisation.capabilities.public().select_related("organisation")
    return render(request, "partners/provider_detail.html", {"organisation": organisation, "listings": listings})
