"""Provider organisations, their members and invitations, and their capability listings.

A listing keeps every field of ``leoportal.capabilities/1`` as a real column (ranges as min/max pairs) so the
catalogue and the matcher filter in the database, and the constraints hold even for rows written through the
admin or a bulk import. ``None`` (or ``""`` for text) always means "not stated", never "no".
"""

from partners.models.capabilities import AvailabilityWindow, Capability, CapabilityQuerySet
from partners.models.organisations import Invitation, InvitationQuerySet, Membership, Organisation, OrganisationQuerySet
from partners.models.uploads import CapabilityUpload
from partners.models.validation import (
    COLD_STOWAGE_BOUNDS,
    DURATION_MAX_DAYS,
    EXTERNAL_ID_PATTERN,
    FLIGHT_YEAR_BOUNDS,
    GRAVITY_BOUNDS,
    RANGE_PAIRS,
    TEMPERATURE_BOUNDS,
    validate_cold_stowage,
    validate_external_id,
    validate_positive,
    validate_sources,
)

__all__ = [
    "COLD_STOWAGE_BOUNDS",
    "DURATION_MAX_DAYS",
    "EXTERNAL_ID_PATTERN",
    "FLIGHT_YEAR_BOUNDS",
    "GRAVITY_BOUNDS",
    "RANGE_PAIRS",
    "TEMPERATURE_BOUNDS",
    "AvailabilityWindow",
    "Capability",
    "CapabilityQuerySet",
    "CapabilityUpload",
    "Invitation",
    "InvitationQuerySet",
    "Membership",
    "Organisation",
    "OrganisationQuerySet",
    "validate_cold_stowage",
    "validate_external_id",
    "validate_positive",
    "validate_sources",
]
