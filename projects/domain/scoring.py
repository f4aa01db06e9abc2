"""The Django side of matching: load listings and proposals, run the engine (projects.matching), store the results.

The engine is pure; this module is the thin layer around it.

- ``request_scoring`` records that a proposal needs (re)scoring and queues the task after commit. If the broker is
  down the request survives in ``match_requested_at`` and ``sweep_unscored`` queues it again later.
- ``score_proposal`` scores one proposal under a row lock (two scorings of the same proposal never run at once)
  and replaces its stored matches in one transaction (readers see the previous results until then).
- ``rescore`` scores many proposals against one catalogue in vectorized batches and writes the kept rows with
  COPY on PostgreSQL: the nightly run and listing changes use it.
- The catalogue the engine reads is the matchable listings plus every flight precedent naming one of them
  (``projects.domain.precedents.engine_items``); a change to either rebuilds it.
- Staff are told of a proposal's new strong matches in one notification, once (a dedupe key naming them), however
  often it is rescored.
"""

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from leoportal.dispatch import dispatch
from leoportal.enums import NotificationKind
from leoportal.fields import json_list_contains
from leoportal.models import User
from leoportal.notifications import notify
from partners.models import Capability
from projects.domain import precedents as flight_precedents
from projects.enums import Fit
from projects.exceptions import ScoringBusy
from projects.matching import (
    DEFAULT_WEIGHTS,
    CapabilityFacts,
    Catalogue,
    PrecedentFacts,
    ProposalBatch,
    ProposalNeeds,
    ProposalRanking,
    Weights,
    algorithm_version,
    rank,
    rank_one,
    select,
)
from projects.models import OPEN_STATUSES, Introduction, ListingDemand, Match, Proposal, RescoreRequest
from projects.tasks import rescore_proposals_task, rescore_requested_task, score_proposal_task

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: SELECT ... FOR UPDATE NOWAIT found the row locked


def weights() -> Weights:
    """The fitted weights (projects/matching/weights.json) with any MATCH_WEIGHT_* override from the settings."""
    return DEFAULT_WEIGHTS.with_values(settings.MATCHING_WEIGHTS)


def current_algorithm() -> str:
    return algorithm_version(weights())


# --- Loading --------------------------------------------------------------------------------------------------


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
    global _cached
    fingerprint = catalogue_fingerprint()
    with _cache_lock:
        if _cached is None or _cached.fingerprint != fingerprint:
            _cached = load_catalogue()
        return _cached


def needs_of(proposal: Proposal) -> ProposalNeeds:
    return proposal.needs_of_matcher()


# --- Requests ---------------------------------------------------------------------------------------------------


def request_scoring(proposal: Proposal) -> None:
    """Record that ``proposal`` needs scoring and queue the task once the transaction commits."""
    now = timezone.now()
    Proposal.objects.filter(pk=proposal.pk).update(match_requested_at=now)
    proposal.match_requested_at = now
    dispatch(score_proposal_task, proposal.pk)


def request_rescoring(proposal_ids) -> list[int]:
    """Rescore the open ones of ``proposal_ids`` in one background run (staff asked for it); returns their ids.

    The requests are recorded first (``match_requested_at``), so if the broker is down the sweep still scores them.
    """
    ids = list(
        Proposal.objects.filter(pk__in=list(proposal_ids), status__in=OPEN_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if ids:
        Proposal.objects.filter(pk__in=ids).update(match_requested_at=timezone.now())
        dispatch(rescore_proposals_task, ids)
    return ids


def request_rescoring_for_capability(capability_id: int, categories=()) -> None:
    """Record that a listing changed and queue the rescoring task (which handles every pending request at once)."""
    RescoreRequest.objects.create(capability_id=capability_id, categories=sorted(set(categories)))
    dispatch(rescore_requested_task)


def rescore_requested() -> int:
    """Rescore the open proposals that the pending listing changes could move; returns how many were rescored.

    The requests are locked (a concurrent run skips them) and deleted in the same transaction as the new results,
    so a failure leaves them for the next run.
    """
    with transaction.atomic():
        pending = RescoreRequest.objects.order_by("pk")
        if connection.vendor == "postgresql":
            pending = pending.select_for_update(skip_locked=True)
        requests = list(pending)
        if not requests:
            return 0
        ids = set()
        for request in requests:
            ids.update(proposals_affected_by(request.capability_id, request.categories))
        rescored = rescore(ids).proposals if ids else 0
        RescoreRequest.objects.filter(pk__in=[r.pk for r in requests]).delete()
    return rescored


def pending_rescore_requests(grace_seconds: int = 120) -> bool:
    cutoff = timezone.now() - timezone.timedelta(seconds=grace_seconds)
    return RescoreRequest.objects.filter(requested_at__lte=cutoff).exists()


def proposals_affected_by(capability_id: int, categories) -> list[int]:
    """Open proposals a change to a listing could move: those that need one of its kinds of hardware (before or
    after the change), those that state no needs (their needs are inferred), and those it is matched to now."""
    condition = Q(needs=[]) | Q(pk__in=Match.objects.filter(capability_id=capability_id).values("proposal_id"))
    for category in categories:
        condition |= json_list_contains("needs", category)
    return list(Proposal.objects.filter(status__in=OPEN_STATUSES).filter(condition).values_list("pk", flat=True))


# --- Scoring ----------------------------------------------------------------------------------------------------


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


def rescore(proposal_ids=None, batch_size: int = BATCH_SIZE) -> RescoreFigures:
    """Score many open proposals against one catalogue, in batches; each batch is stored in one transaction.

    ``proposal_ids`` None means every open proposal. Proposals locked by a running single scoring are skipped (that
    scoring stores current results; if it read older listings, the sweep's staleness check catches it).
    """
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


# --- Storing ----------------------------------------------------------------------------------------------------

MATCH_COLUMNS = (
    "proposal_id",
    "capability_id",
    "rank",
    "score",
    "fit",
    "needs_stated",
    "needs_met",
    "needs_to_confirm",
    "needs_not_met",
    "needs_elsewhere",
    "precedents",
    "criteria_json",
    "near_miss",
    "algorithm_version",
    "computed_at",
)


def _store(rankings: list[ProposalRanking], capability_pks: dict[str, int], started, version: str) -> int:
    """Replace the stored matches of the ranked proposals (inside the caller's transaction); returns rows written."""
    proposal_ids = [r.proposal.ref for r in rankings]
    criteria_json: dict = {}  # one JSON text per distinct check: the engine shares them across pairs
    rows = []
    for ranking in rankings:
        for match in ranking.kept():
            text = "[" + ",".join(_check_json(check, criteria_json) for check in match.criteria) + "]"
            rows.append(
                (
                    ranking.proposal.ref,
                    capability_pks[match.capability_id],
                    match.rank,
                    float(match.score),
                    str(match.fit),
                    *match.certainty,
                    len(match.precedents),
                    text,
                    match.change or "",
                    version,
                    started,
                )
            )
    previous_strong = _delete_matches(proposal_ids)
    _insert(rows)
    Proposal.objects.filter(pk__in=proposal_ids).update(matched_at=started, match_version=version)
    new_strong = _strong_pairs_from_rows(rows) - previous_strong
    if new_strong:
        _notify_strong_matches(new_strong)
    return len(rows)


def _delete_matches(proposal_ids) -> set[tuple[int, int]]:
    """Delete the stored matches of ``proposal_ids``; returns the strong pairs among them (to tell staff only of new
    ones).

    On PostgreSQL one statement deletes and returns them (introductions that point at a deleted match keep their copy
    of it and lose the link, as the model's SET_NULL says): the ORM would read every row first to emulate that.
    """
    if connection.vendor != "postgresql":
        previous = _strong_pairs(Match.objects.filter(proposal_id__in=proposal_ids))
        Match.objects.filter(proposal_id__in=proposal_ids).delete()
        return previous
    match, introduction = Match._meta.db_table, Introduction._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {introduction} SET match_id = NULL WHERE match_id IN "  # noqa: S608 -- table names from models
            f"(SELECT id FROM {match} WHERE proposal_id = ANY(%s))",
            [list(proposal_ids)],
        )
        cursor.execute(
            f"WITH gone AS (DELETE FROM {match} WHERE proposal_id = ANY(%s) "  # noqa: S608 -- as above
            "RETURNING proposal_id, capability_id, score, fit) "
            "SELECT proposal_id, capability_id FROM gone WHERE score >= %s AND fit <> %s",
            [list(proposal_ids), settings.MATCH_STRONG_SCORE, Fit.DOES_NOT_FIT],
        )
        return set(cursor.fetchall())


def _check_json(check, cache: dict) -> str:
    text = cache.get(check)
    if text is None:
        text = cache[check] = json.dumps([check.name, check.outcome, check.detail], ensure_ascii=False)
    return text


def _insert(rows) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        columns = ", ".join(MATCH_COLUMNS)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {Match._meta.db_table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    Match.objects.bulk_create(
        [Match(**dict(zip(MATCH_COLUMNS, row, strict=True))) for row in rows],
        batch_size=500,
    )


def _strong_pairs(queryset) -> set[tuple[int, int]]:
    return set(
        queryset.filter(score__gte=settings.MATCH_STRONG_SCORE)
        .exclude(fit=Fit.DOES_NOT_FIT)
        .values_list("proposal_id", "capability_id")
    )


NEAR_MISS_COLUMN = MATCH_COLUMNS.index("near_miss")


def _strong_pairs_from_rows(rows) -> set[tuple[int, int]]:
    return {
        (row[0], row[1])
        for row in rows
        if row[3] >= settings.MATCH_STRONG_SCORE and row[4] != Fit.DOES_NOT_FIT and not row[NEAR_MISS_COLUMN]
    }


def _notify_strong_matches(pairs: set[tuple[int, int]]) -> None:
    """One notification per proposal listing its new strong matches (not one per match: a submission can bring
    dozens). The dedupe key names the matches, so a redelivered task tells nobody twice and a later strong match
    (a new listing) is news again."""
    staff = list(User.objects.filter(is_staff=True, is_active=True))
    if not staff:
        return
    matches = (
        Match.objects.filter(proposal_id__in={p for p, _ in pairs}, capability_id__in={c for _, c in pairs})
        .select_related("proposal", "capability__organisation")
        .order_by("proposal_id", "rank")
    )
    by_proposal: dict[int, list[Match]] = {}
    for match in matches:
        if (match.proposal_id, match.capability_id) in pairs:
            by_proposal.setdefault(match.proposal_id, []).append(match)
    for strong in by_proposal.values():
        proposal, best = strong[0].proposal, strong[0]
        lines = [
            f"- {m.capability.name} ({m.capability.organisation.name}): {m.score:.0f}, "
            f"{m.get_fit_display().lower()} · {m.summary}"
            for m in strong
        ]
        more = f" and {len(strong) - 1} more" if len(strong) > 1 else ""
        key = hashlib.sha256(",".join(sorted(str(m.capability.public_id) for m in strong)).encode()).hexdigest()
        notify(
            staff,
            NotificationKind.STRONG_MATCH,
            subject=f"Strong match: {best.capability.name}{more} for “{proposal.title}”",
            body=f"“{proposal.title}” has {len(strong)} new strong match{'es' if len(strong) > 1 else ''}:\n"
            + "\n".join(lines),
            dedupe_key=f"strong-match:{proposal.public_id}:{key[:32]}",
            url=f"/admin/projects/proposal/{proposal.pk}/change/",
            target=proposal,
        )


# --- Upkeep -----------------------------------------------------------------------------------------------------


def unscored_proposal_ids(grace_seconds: int = 120) -> list[int]:
    """Open proposals whose requested scoring has not happened (older than ``grace_seconds``, so the sweep does not
    race the task queued with the request)."""
    cutoff = timezone.now() - timezone.timedelta(seconds=grace_seconds)
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
    """Count, for every matchable listing, the open proposals it fits or is to confirm for."""
    loaded = load_catalogue()
    proposals = [needs_of(p) for p in Proposal.objects.filter(status__in=OPEN_STATUSES).order_by("pk")]
    now = timezone.now()
    fits = dict.fromkeys(loaded.capability_pks.values(), 0)
    to_confirm = dict(fits)
    if proposals and len(loaded.catalogue):
        batch = ProposalBatch.build(proposals, loaded.catalogue)
        selection = select(loaded.catalogue, batch, weights(), top=0, near_misses=0)
        for capability, n_open, n_fits in zip(
            loaded.catalogue.capabilities, selection.open_counts, selection.fits_counts, strict=True
        ):
            fits[capability.ref], to_confirm[capability.ref] = int(n_fits), int(n_open - n_fits)
    with transaction.atomic():
        ListingDemand.objects.exclude(capability_id__in=fits).delete()
        existing = {d.capability_id: d for d in ListingDemand.objects.all()}
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
    return len(fits)


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
