"""Scoring runs: one proposal under its row lock, many in vectorized batches, and the live preview of a draft."""

import time
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from projects.domain.scoring.catalogue import (
    cached_catalogue,
    current_algorithm,
    load_catalogue,
    needs_of,
    weights,
)
from projects.domain.scoring.store import _store
from projects.exceptions import ScoringBusy
from projects.matching import (
    rank,
    rank_one,
)
from projects.models import OPEN_STATUSES, Proposal

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: SELECT ... FOR UPDATE NOWAIT found the row locked


def score_proposal(proposal_id: int) -> bool:
    """Score one proposal and replace its stored matches. False if it is gone or no longer open."""
    with transaction.atomic():
        locked = Proposal.objects.select_for_update(nowait=connection.vendor == "postgresql").filter(pk=proposal_id)
        try:
            proposal = locked.first()
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
                raise ScoringBusy(proposal_id) from error
            raise
        if proposal is None or proposal.status not in OPEN_STATUSES:
            return False
        started = timezone.now()
        loaded = cached_catalogue()  # rebuilt when the listings changed; loading it is most of a scoring's time
        (ranking,) = rank(
            loaded.catalogue,
            [needs_of(proposal)],
            weights=weights(),
            top=settings.MATCH_TOP_N,
            near_misses=settings.MATCH_NEAR_MISSES,
        )
        _store([ranking], loaded.capability_pks, started, current_algorithm())
    return True


@dataclass
class RescoreFigures:
    proposals: int = 0
    rows: int = 0
    skipped_locked: int = 0
    load_s: float = 0.0
    score_s: float = 0.0
    persist_s: float = 0.0


def rescore(proposal_ids=None, batch_size: int | None = None) -> RescoreFigures:
    """Score many open proposals against one catalogue, in batches; each batch is stored in one transaction.

    ``proposal_ids`` None means every open proposal. Proposals locked by a running single scoring are skipped (that
    scoring stores current results; if it read older listings, the sweep's staleness check catches it).
    """
    batch_size = batch_size or settings.SCORING_BATCH_SIZE
    figures = RescoreFigures()
    clock = time.perf_counter()
    loaded = load_catalogue()
    version = current_algorithm()
    queryset = Proposal.objects.filter(status__in=OPEN_STATUSES)
    if proposal_ids is not None:
        queryset = queryset.filter(pk__in=list(proposal_ids))
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    figures.load_s += time.perf_counter() - clock
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        with transaction.atomic():
            clock = time.perf_counter()
            locked = Proposal.objects.filter(pk__in=chunk, status__in=OPEN_STATUSES).order_by("pk")
            if connection.vendor == "postgresql":
                locked = locked.select_for_update(skip_locked=True)
            proposals = list(locked)
            figures.skipped_locked += len(chunk) - len(proposals)
            started = timezone.now()
            figures.load_s += time.perf_counter() - clock
            if not proposals:
                continue
            clock = time.perf_counter()
            rankings = rank(
                loaded.catalogue,
                [needs_of(p) for p in proposals],
                weights=weights(),
                top=settings.MATCH_TOP_N,
                near_misses=settings.MATCH_NEAR_MISSES,
            )
            figures.score_s += time.perf_counter() - clock
            clock = time.perf_counter()
            figures.rows += _store(rankings, loaded.capability_pks, started, version)
            figures.persist_s += time.perf_counter() - clock
            figures.proposals += len(proposals)
    return figures


def preview(proposal: Proposal):
    """Live ranking of one proposal against the current catalogue (for drafts and the provider view)."""
    loaded = cached_catalogue()
    if not len(loaded.catalogue):
        return None, loaded
    return (
        rank_one(
            loaded.catalogue,
            needs_of(proposal),
            weights=weights(),
            top=settings.MATCH_TOP_N,
            near_misses=settings.MATCH_NEAR_MISSES,
        ),
        loaded,
    )
