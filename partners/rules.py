"""Who may do what with organisations and listings. Every view and the admin ask these predicates.

Views look objects up through querysets scoped to the user (``Organisation.objects.for_member``,
``Capability.objects.manageable_by``), so anything a user may not act on is a 404, never a 403.
"""

import rules

from leoportal.rules import grant_program_staff, is_program_staff, is_provider
from partners.enums import MembershipRole
from partners.models import Membership


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


@rules.predicate
def is_provider_member(user, organisation) -> bool:
    if not _active(user) or organisation is None:
        return False
    return Membership.objects.filter(organisation=organisation, user=user).exists()


@rules.predicate
def is_organisation_admin(user, organisation) -> bool:
    if not _active(user) or organisation is None:
        return False
    return Membership.objects.filter(organisation=organisation, user=user, role=MembershipRole.ADMIN).exists()


@rules.predicate
def can_manage_capability(user, capability) -> bool:
    """Members of the listing's organisation (admins and members alike) create, edit, publish and delete it."""
    return capability is not None and is_provider_member(user, capability.organisation)


# Providers (and only providers) create organisations and accept invitations.
can_create_organisation = is_provider

rules.add_perm("partners.manage_organisation", is_organisation_admin)
rules.add_perm("partners.manage_capability", can_manage_capability)

rules.add_perm("partners", is_program_staff)
for model_name in ("organisation", "membership", "invitation", "capability", "availabilitywindow"):
    grant_program_staff("partners", model_name)
grant_program_staff("partners", "capabilityupload", actions=("view", "delete"))
grant_program_staff("partners", "importjob", actions=("view",))
