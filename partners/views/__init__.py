"""Views of the providers' side: thin (parse, check with partners.rules, call a domain function, render)."""

from partners.views.catalogue import capability, catalogue, compare, provider
from partners.views.imports import (
    export,
    import_confirm,
    import_job,
    import_preview,
    import_upload,
)
from partners.views.listings import (
    listing,
    listing_confirm,
    listing_create,
    listing_delete,
    listing_edit,
    listing_publish,
    listing_unpublish,
)
from partners.views.organisations import (
    dashboard,
    invitation,
    invitation_for_you,
    invitation_revoke,
    invite,
    leave,
    member_remove,
    member_role,
    organisation,
    organisation_create,
    organisation_edit,
)

__all__ = [
    "capability",
    "catalogue",
    "compare",
    "dashboard",
    "export",
    "import_confirm",
    "import_job",
    "import_preview",
    "import_upload",
    "invitation",
    "invitation_for_you",
    "invitation_revoke",
    "invite",
    "leave",
    "listing",
    "listing_confirm",
    "listing_create",
    "listing_delete",
    "listing_edit",
    "listing_publish",
    "listing_unpublish",
    "member_remove",
    "member_role",
    "organisation",
    "organisation_create",
    "organisation_edit",
    "provider",
]
