"""Upkeep run by the sweeps and the nightly beat: proposals whose scoring never happened or is out of date, and the
demand count per listing."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from partners.models import Capability
from projects.domain import precedents as flight_precedents
from projects.domain.scoring.catalogue import (
    current_algorithm,
    load_catalogue,
    needs_of,
    weights,
)
from projects.matching import (
    ProposalBatch,
    select,
)
from projects.models import OPEN_STATUSES, ListingDemand, Proposal
from webhooks.domain import events as webhook_events

SCORING_GRACE = timedelta(minutes=2)  # the scoring task queued with a request may still be on its way


def unscored_proposal_ids(now: datetime | None = None, grace: timedelta = SCORING_GRACE) -> list[int]:
    """Open proposals whose requested scoring has not happened (requested before ``now - grace``, so the sweep does
    not race the task queued with the request): an outbox the sweep empties."""
    cutoff = (now or timezone.now()) - grace
    return list(
        Proposal.objects.filter(status__in=OPEN_STATUSES)
        .filter(Q(matched_at__isnull=True) | Q(match_requested_at__gt=F("matched_at")))
        .filter(Q(match_requested_at__isnull=True) | Q(match_requested_at__lte=cutoff))
        .values_list("pk", flat=True)
    )


def stale_proposal_ids() -> list[int]:
    """Open proposals whose results come from another algorithm version or predate the listings or precedents they
    read (a precedent may move any proposal whose science resembles it: the nightly run catches those)."""
    catalogue_changed = Capability.objects.aggregate(
        changed=Max("updated_at"), verified=Max("organisation__updated_at")
    )
    _, precedents_changed = flight_precedents.fingerprint()
    changes = [*catalogue_changed.values(), precedents_changed]
    newest = max((value for value in changes if value is not None), default=None)
    stale = Q(matched_at__isnull=True) | ~Q(match_version=current_algorithm())
    if newest is not None:
        stale |= Q(matched_at__lt=newest)
    return list(Proposal.objects.filter(status__in=OPEN_STATUSES).filter(stale).values_list("pk", flat=True))


def refresh_listing_demand() -> int:
    """Count, for every matchable listing, the open proposals it fits or is to confirm for. Listings whose figures
    changed (a listing counted for the first time changes from none) tell their organisation's webhooks."""
    loaded = load_catalogue()
    proposals = [needs_of(p) for p in Proposal.objects.filter(status__in=OPEN_STATUSES).order_by("pk")]
    now = timezone.now()
    fits = dict.fromkeys(loaded.capability_pks.values(), 0)
    to_confirm = dict(fits)
    if proposals and len(loaded.catalogue):
        batch = ProposalBatch.build(proposals, loaded.catalogue)
        selection = select(loaded.catalogue, batch, weights(), top=0, near_misses=0)
        assert selection.open_counts is not None and selection.fits_counts is not None  # select() counts both
        for capability, n_open, n_fits in zip(
            loaded.catalogue.capabilities, selection.open_counts, selection.fits_counts, strict=True
        ):
            fits[capability.ref], to_confirm[capability.ref] = int(n_fits), int(n_open - n_fits)
    with transaction.atomic():
        ListingDemand.objects.exclude(capability_id__in=fits).delete()
        existing = {d.capability_id: d for d in ListingDemand.objects.all()}
        changes = {
            pk: (
                (0, 0) if pk not in existing else (existing[pk].fits, existing[pk].to_confirm),
                (fits[pk], to_confirm[pk]),
            )
            for pk in fits
        }
        for pk, demand in existing.items():
            demand.fits, demand.to_confirm, demand.computed_at = fits[pk], to_confirm[pk], now
        ListingDemand.objects.bulk_update(existing.values(), ["fits", "to_confirm", "computed_at"], batch_size=500)
        ListingDemand.objects.bulk_create(
            [
                ListingDemand(capability_id=pk, fits=fits[pk], to_confirm=to_confirm[pk], computed_at=now)
                for pk in fits
                if pk not in existing
            ]
        )
        webhook_events.demand_changed({pk: pair for pk, pair in changes.items() if pair[0] != pair[1]}, now)
    return len(fits)
