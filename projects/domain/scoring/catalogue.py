"""What the engine reads: the matchable listings and their flight precedents, built into a catalogue (cached
until either changes), the weights in use and each proposal's needs as plain data."""

import threading
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from partners.models import Capability
from projects.domain import precedents as flight_precedents
from projects.matching import (
    DEFAULT_WEIGHTS,
    CapabilityFacts,
    Catalogue,
    PrecedentFacts,
    ProposalNeeds,
    Weights,
    algorithm_version,
)
from projects.models import Proposal


def weights() -> Weights:
    """The fitted weights (projects/matching/weights.json) with any MATCH_WEIGHT_* override from the settings."""
    return DEFAULT_WEIGHTS.with_values(settings.MATCHING_WEIGHTS)


def current_algorithm() -> str:
    return algorithm_version(weights())


@dataclass
class LoadedCatalogue:
    catalogue: Catalogue
    capability_pks: dict[str, int]  # engine id -> Capability.pk
    fingerprint: tuple = ()
    loaded_at: datetime = field(default_factory=timezone.now)


def catalogue_fingerprint() -> tuple:
    """Changes whenever the matchable listings or the flight precedents change (two cheap aggregate queries)."""
    row = Capability.objects.matchable().aggregate(
        count=Count("pk"), changed=Max("updated_at"), verified=Max("organisation__updated_at")
    )
    return row["count"], row["changed"], row["verified"], *flight_precedents.fingerprint()


def capability_items(capabilities) -> tuple[list[dict], dict[str, int]]:
    """Interchange items with ids unique across providers, and the map from those ids back to primary keys."""
    capabilities = list(capabilities)
    seen: dict[str, int] = {}
    for capability in capabilities:
        seen[capability.external_id] = seen.get(capability.external_id, 0) + 1
    items, pks = [], {}
    for capability in capabilities:
        item = capability.to_interchange()
        if seen[capability.external_id] > 1:  # the same id at two providers: keep both apart
            item["id"] = f"{capability.external_id}.{capability.organisation.slug}"[:100]
        items.append(item)
        pks[item["id"]] = capability.pk
    return items, pks


def precedent_items(capability_pks: dict[str, int]) -> list[dict]:
    """The flight precedents as engine items, their listings named by the catalogue's ids (two providers may share
    a listing id: the primary keys decide), listings outside the catalogue left out."""
    engine_id = {pk: capability_id for capability_id, pk in capability_pks.items()}
    items = []
    for item in flight_precedents.engine_items():
        facilities = sorted({engine_id[pk] for pk in item["listing_refs"] if pk in engine_id})
        if not facilities:
            continue
        label = item["label"]
        if item.get("flight_status") == "manifested":
            label = f"{label}, manifested"
        items.append({**item, "facilities": facilities, "label": label})
    return items


def load_catalogue() -> LoadedCatalogue:
    fingerprint = catalogue_fingerprint()
    items, pks = capability_items(Capability.objects.matchable().with_related().order_by("pk"))
    catalogue = Catalogue.build(
        (CapabilityFacts.from_interchange(item, ref=pks[item["id"]]) for item in items),
        [PrecedentFacts.from_interchange(item) for item in precedent_items(pks)],
    )
    return LoadedCatalogue(catalogue, pks, fingerprint)


_cache_lock = threading.Lock()
_cached: LoadedCatalogue | None = None


def cached_catalogue() -> LoadedCatalogue:
    """The catalogue for web pages and single scorings: rebuilt only when the fingerprint says the listings changed."""
    global _cached  # noqa: PLW0603 -- one catalogue per process, rebuilt under the lock when the listings change
    fingerprint = catalogue_fingerprint()
    with _cache_lock:
        if _cached is None or _cached.fingerprint != fingerprint:
            _cached = load_catalogue()
        return _cached


def needs_of(proposal: Proposal) -> ProposalNeeds:
    return proposal.needs_of_matcher()
