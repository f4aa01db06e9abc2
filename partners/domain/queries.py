"""Read-only queries other parts of the site use (the home page's figures)."""

from collections import Counter

from django.db.models import Count, Max

from partners.enums import Category
from partners.models import Capability, Organisation


def public_catalogue_counts() -> dict[str, int]:
    """Published listings of verified providers, and verified providers with at least one of them."""
    return {
        "capabilities": Capability.objects.public().count(),
        "providers": Organisation.objects.with_public_listings().count(),
    }


def public_category_counts() -> list[tuple[str, str, int]]:
    """(category value, label, published listings offering it), most listings first, for the home page."""
    counts: Counter[str] = Counter()
    for categories in Capability.objects.public().values_list("categories", flat=True):
        counts.update(set(categories or ()))
    labels = dict(Category.choices)
    return [(value, labels.get(value, value), count) for value, count in counts.most_common() if value in labels]


def public_fingerprint() -> tuple:
    """Changes whenever what the public catalogue shows changes: a listing published, unpublished, edited or
    deleted, or its organisation verified, unverified or edited (one aggregate query)."""
    row = Capability.objects.public().aggregate(
        count=Count("pk"), changed=Max("updated_at"), organisations=Max("organisation__updated_at")
    )
    return row["count"], row["changed"], row["organisations"]
