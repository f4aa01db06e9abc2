"""Read-only queries other parts of the site use (the home page's figures)."""

from partners.models import Capability, Organisation


def public_catalogue_counts() -> dict[str, int]:
    """Published listings of verified providers, and verified providers with at least one of them."""
    return {
        "capabilities": Capability.objects.public().count(),
        "providers": Organisation.objects.with_public_listings().count(),
    }
