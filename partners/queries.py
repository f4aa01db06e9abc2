"""Read-only queries other parts of the site use (the home page's figures)."""

from django.db.models import Count, Max

from partners.models import Capability, Organisation


def public_catalogue_counts() -> dict[str, int]:
    """Published listings of verified providers, and verified providers with at least one of them."""
    return {
        "capabilities": Capability.objects.public().count(),
        "providers": Organisation.objects.with_public_listings().count(),
    }


def public_fingerprint() -> tuple:
    """Changes whenever what the public catalogue shows changes: a listing published, unpublished, edited or
    deleted, or its organisation verified, unverified or edited (one aggregate query)."""
    row = Capability.objects.public().aggregate(
        count=Count("pk"), changed=Max("updated_at"), organisations=Max("organisation__updated_at")
    )
    return row["count"], row["changed"], row["organisations"]
