"""The Django side of matching: load listings and proposals, run the engine (projects.matching), store the results.

The engine is pure; this module is the thin layer around it.

- ``request_scoring`` records that a proposal needs (re)scoring and queues the task after commit. If the broker is
  down the request survives in ``match_requested_at`` and the outbox sweep (leoportal's) queues it again later.
- ``score_proposal`` scores one proposal under a row lock (two scorings of the same proposal never run at once)
  and replaces its stored matches in one transaction (readers see the previous results until then).
- ``rescore`` scores many proposals against one catalogue in vectorized batches and writes the kept rows with
  COPY on PostgreSQL: the nightly run and listing changes use it.
- The catalogue the engine reads is the matchable listings plus every flight precedent naming one of them
  (``projects.domain.precedents.engine_items``); a change to either rebuilds it.
- Staff are told of a proposal's new strong matches in one notification, once (a dedupe key naming them), however
  often it is rescored.
"""

from projects.domain.scoring.catalogue import (
    LoadedCatalogue,
    cached_catalogue,
    capability_items,
    catalogue_fingerprint,
    current_algorithm,
    load_catalogue,
    needs_of,
    precedent_items,
    weights,
)
from projects.domain.scoring.requests import (
    overdue_rescore_request_ids,
    proposals_affected_by,
    request_rescoring,
    request_rescoring_for_capability,
    request_scoring,
    rescore_requested,
)
from projects.domain.scoring.runs import RescoreFigures, preview, rescore, score_proposal
from projects.domain.scoring.upkeep import refresh_listing_demand, stale_proposal_ids, unscored_proposal_ids
from projects.exceptions import ScoringBusy

__all__ = [
    "LoadedCatalogue",
    "RescoreFigures",
    "ScoringBusy",
    "cached_catalogue",
    "capability_items",
    "catalogue_fingerprint",
    "current_algorithm",
    "load_catalogue",
    "needs_of",
    "overdue_rescore_request_ids",
    "precedent_items",
    "preview",
    "proposals_affected_by",
    "refresh_listing_demand",
    "request_rescoring",
    "request_rescoring_for_capability",
    "request_scoring",
    "rescore",
    "rescore_requested",
    "score_proposal",
    "stale_proposal_ids",
    "unscored_proposal_ids",
    "weights",
]
