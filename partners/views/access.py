"""Look-ups that answer 404 for anything the user may not see or act on (never 403: do not reveal it exists)."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from partners.models import Capability, Organisation
from partners.rules import can_manage_capability, is_organisation_admin, is_provider_member


def member_organisation(request, slug: str) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    if not is_provider_member(request.user, organisation):
        raise Http404("No such organisation.")
    return organisation


def admin_organisation(request, slug: str) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    if not is_organisation_admin(request.user, organisation):
        raise Http404("No such organisation.")
    return organisation


def manageable_capability(request, public_id) -> Capability:
    # With its demand (the counts a published listing's page shows), in the same query.
    capability = get_object_or_404(Capability.objects.select_related("organisation", "demand"), public_id=public_id)
    if not can_manage_capability(request.user, capability):
        raise Http404("No such listing.")
    return capability
