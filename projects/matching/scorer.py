"""The vectorized scoring of a batch of proposals against the whole catalogue, block by block.

For a block of proposals (P x C pairs at once):
- failures: facts whose outcome depends on the listing alone once a proposal states the need (CO2, humidity,
  imaging, sample return, centrifuge) are one matrix product of "proposal states it" by "listing fails it";
  comparisons (temperature, duration, units, power, crew time, biosafety, return temperature, launch window) are
  broadcast comparisons added to the count. A retired listing, or one offering none of the kinds of hardware the
  proposal states, fails outside the count, so "count == 1 and nothing else" is a near-miss candidate;
- open checks: facts the listing has not stated ("proposal states it" times "listing does not", a matrix product),
  a crew-time level more than the proposal accepts, a planned or unstated status, some of the stated kinds only;
- the parts of the score (``weights.py``): hardware (each stated kind offered, weighed by how rare the kind is in
  the catalogue) is a product of small integer matrices (exact in float32),
  text and profile relevance are sparse-by-dense products, precedent votes a sparse product of the neighbours'
  shares by the flights matrix, status and heritage depend on the listing alone.
All products are of small integers or row-wise, and the rest is elementwise, so a proposal gets bit-identical
scores alone or inside any batch.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import cast, overload

import numpy as np
from threadpoolctl import ThreadpoolController

from projects.matching.arrays import Array, Arrays, BoolArray, FloatArray, IntArray
from projects.matching.catalogue import SCALE, Catalogue, ProposalBatch
from projects.matching.criteria import CRITERIA, MARGIN_CRITERIA, Criterion, Fit
from projects.matching.weights import DEFAULT_WEIGHTS, Weights

FIT_BY_CODE = (Fit.FITS, Fit.TO_CONFIRM, Fit.DOES_NOT_FIT)

HARD = tuple(c for c in CRITERIA if c.hard)
OUTER_FAIL = tuple(c for c in HARD if c.outer_fail and c.fact)
OUTER_UNKNOWN = tuple(c for c in HARD if c.outer_unknown and c.fact)
PAIR_FAIL = tuple(c for c in HARD if not c.outer_fail)
PAIR_UNKNOWN = tuple(c for c in HARD if not c.outer_unknown and c.fact)
# The parts of z summed with their coefficients in ``Scorer.block`` (hardware, status and heritage are added apart).
SUMMED = ("text", "profile", "precedents", "research_areas", "confirmed")
RARITY_STEPS = 16
CAPABILITY_BITS = 20  # listings per catalogue < 2**20 in a ranking key
Z_STEPS = 10_000  # z in steps of 1/10,000 in a ranking key
Z_RANGE = 2**24  # |z| below 1,677 (far beyond any real z): 2 x 2**24 x 2**20 < 2**53, exact in float64


@dataclass
class Block:
    """Scores of proposals ``rows`` against every listing."""

    rows: slice
    quantised: np.ndarray  # (n, C) float32 holding integers: score x 100, 0..10000
    z: np.ndarray  # (n, C) float32, the linear score before the sigmoid
    hardware_z: np.ndarray  # (n, C) float32, the hardware part of z
    failures: np.ndarray  # (n, C) float32, count of failed hard facts
    open_checks: np.ndarray  # (n, C) bool: something to confirm (unstated fact, partial outcome, nothing stated)
    ineligible: np.ndarray  # (n, C) bool: does not fit
    other_failure: np.ndarray  # (n, C) bool: a failure that is not a fact (retired, none of the stated kinds)
    keys: np.ndarray  # (n, C) float64 integer ranking keys: does-not-fit last, then z descending, then index
    # name -> (n, C) array: the parts of z before their coefficients (what the fitting tool reads)
    parts: dict[str, FloatArray]


class Scorer:
    """Scores one batch of proposals against one catalogue with one set of weights."""

    def __init__(self, catalogue: Catalogue, batch: ProposalBatch, weights: Weights = DEFAULT_WEIGHTS):
        self.catalogue, self.batch, self.weights = catalogue, batch, weights
        c, p, w = catalogue.arrays, batch.arrays, weights

        # Listing side.
        self.outer_fail = np.array([crit.fail_c(c) for crit in OUTER_FAIL], dtype=np.float32).reshape(
            len(OUTER_FAIL), c.size
        )
        self.retired = (c.status == 2)[None, :]
        self.outer_unknown = np.array([crit.unknown_c(c) for crit in OUTER_UNKNOWN], dtype=np.float32).reshape(
            len(OUTER_UNKNOWN), c.size
        )
        self.status_open = ((c.status < 0) | (c.status == 1))[None, :]
        host = round(SCALE * w.host_credit)
        # A kind few listings offer (a crewed mission, a bioprinter) says more about which listing fits than one
        # most offer (sample return): each kind weighs its rarity in the catalogue, log((C + 1) / (1 + offering)),
        # in steps of 1/RARITY_STEPS so that every product stays a small exact integer.
        self.rarity = np.rint(RARITY_STEPS * np.log((c.size + 1) / (1 + c.offered_full.sum(axis=0))))
        self.offer = ((c.offered_full * SCALE + c.hostable * host) * self.rarity[None, :]).T.astype(np.float32)
        self.offer_full = c.offered_full.T.astype(np.float32)
        self.offer_any = (c.offered_full | c.hostable).T.astype(np.float32)
        status_value = np.select(
            [c.status == 0, c.status == 1, c.status == 2],
            [w.status_operational, w.status_planned, 0.0],
            w.status_unknown,
        )
        heritage = np.where(
            ~np.isnan(c.first_flight), w.heritage_stated, np.where(c.status == 0, w.heritage_operational, 0.0)
        )
        self.status_value = status_value.astype(np.float32)[None, :]
        self.heritage_value = heritage.astype(np.float32)[None, :]
        self.listing_z = (w.status * status_value + w.heritage * heritage).astype(np.float32)[None, :]

        # Proposal side.
        self.applies_fail = np.array([crit.applicable(p) for crit in OUTER_FAIL], dtype=np.float32).T.reshape(
            p.size, len(OUTER_FAIL)
        )
        self.applies_unknown = np.array([crit.applicable(p) for crit in OUTER_UNKNOWN], dtype=np.float32).T.reshape(
            p.size, len(OUTER_UNKNOWN)
        )
        self.pair_applies = {crit.name: crit.applicable(p) for crit in PAIR_FAIL + PAIR_UNKNOWN}
        fact_criteria = [crit for crit in CRITERIA if crit.fact]
        self.facts = (
            np.array([crit.applicable(p) for crit in fact_criteria]).reshape(len(fact_criteria), p.size).sum(0)
        ).astype(np.float32)[:, None]
        self.proposal_areas = p.areas.astype(np.float32)
        self.area_share = (1.0 / np.maximum(p.areas.sum(axis=1), 1)).astype(np.float32)[:, None]
        self.listing_areas = c.areas.T.astype(np.float32)
        self.stated = p.stated.astype(np.float32)
        self.stated_count = p.stated.sum(axis=1).astype(np.float32)[:, None]
        self.has_stated = p.stated_any[:, None]
        self.states_nothing = ~p.states_requirements[:, None]
        self.target = p.target.astype(np.float32)
        self.target_any = cast(BoolArray, p.target.any(axis=1))[:, None]  # an array along an axis
        self.hardware_coefficient = np.float32(w.hardware / SCALE / RARITY_STEPS)
        self.capability_index = np.arange(c.size, dtype=np.float64)[None, :]
        # The precedent neighbourhood of every proposal, filled block by block (explanations read it).
        k = min(w.neighbours, len(catalogue.precedents))
        self.neighbour_indices = np.full((len(batch), k), -1, dtype=np.int64)
        self.neighbour_similarity = np.zeros((len(batch), k), dtype=np.float64)

    def _parts(self, rows: slice, confirmed: FloatArray) -> dict[str, FloatArray]:
        """The parts of z for proposals ``rows`` against every listing, each (n, C), before their coefficients."""
        catalogue, batch = self.catalogue, self.batch
        text_rows = batch.text[rows]
        precedents = catalogue.precedents
        if len(precedents):
            similarity = precedents.similarity(
                batch.precedent_text[rows], batch.arrays.areas[rows], batch.arrays.sample_type[rows], self.weights
            )
            neighbourhood = precedents.neighbourhood(similarity, self.weights)
            self.neighbour_indices[rows] = neighbourhood.indices
            self.neighbour_similarity[rows] = neighbourhood.similarity
            votes = precedents.votes(neighbourhood)
        else:
            votes = np.zeros((text_rows.shape[0], len(catalogue)), dtype=np.float32)
        shape = (text_rows.shape[0], len(catalogue))
        return {
            "hardware": (self.stated[rows] @ self.offer) / np.float32(SCALE * RARITY_STEPS),
            "text": catalogue.text.similarity(text_rows),
            "profile": precedents.profile_relevance(batch.profile_text[rows]),
            "precedents": votes,
            "research_areas": (self.proposal_areas[rows] @ self.listing_areas) * self.area_share[rows],
            "confirmed": confirmed,
            "status": np.broadcast_to(self.status_value, shape),
            "heritage": np.broadcast_to(self.heritage_value, shape),
        }

    def block(self, rows: slice) -> Block:
        catalogue, batch, w = self.catalogue, self.batch, self.weights
        columns = catalogue.columns
        p = batch.arrays.take(rows).as_rows()

        failures = self.applies_fail[rows] @ self.outer_fail
        unknowns = self.applies_unknown[rows] @ self.outer_unknown
        for crit in PAIR_FAIL:
            if self.pair_applies[crit.name][rows].any():
                failures += self._pair(crit, crit.fail_pair, rows, p, columns)
        for crit in PAIR_UNKNOWN:
            if self.pair_applies[crit.name][rows].any():
                unknowns += self._pair(crit, crit.unknown_pair, rows, p, columns)
        crew_partial = columns.crew == p.crew_accepts + 1

        stated = self.stated[rows]
        offers_none = ((stated @ self.offer_any) == 0) & self.has_stated[rows]
        offers_all = (stated @ self.offer_full) == self.stated_count[rows]
        other_failure = self.retired | offers_none
        ineligible = (failures > 0) | other_failure
        open_checks = (unknowns > 0) | crew_partial | self.status_open | ~offers_all | self.states_nothing[rows]

        confirmed = self.facts[rows] - failures - unknowns - crew_partial
        parts = self._parts(rows, confirmed)
        hardware_z = parts["hardware"] * np.float32(w.hardware)
        z = hardware_z + self.listing_z
        for name in SUMMED:
            z += parts[name] * np.float32(getattr(w, name))
        score = score_of(z, w)
        # Multiplying by (1 - (1 - factor) * condition) applies a factor where a condition holds, without a branch.
        score *= np.float32(1.0) - np.float32(1.0 - w.does_not_fit_factor) * ineligible
        quantised = np.rint(score * np.float32(100))
        # Ranking key, exact in float64: does-not-fit last, then higher z (finer than the shown score, so adding
        # the same amount to two pairs never makes them tie), then lower capability index.
        steps = np.clip(np.rint(z.astype(np.float64) * Z_STEPS), -Z_RANGE, Z_RANGE - 1)
        keys = (ineligible * np.float64(2 * Z_RANGE) + (Z_RANGE - 1 - steps)) * np.float64(
            2**CAPABILITY_BITS
        ) + self.capability_index
        return Block(rows, quantised, z, hardware_z, failures, open_checks, ineligible, other_failure, keys, parts)

    def _pair(
        self, crit: Criterion, method: Callable[[Arrays, Arrays], Array], rows: slice, p: Arrays, columns: Arrays
    ) -> Array:
        """``method`` over (proposals x listings); once per distinct proposal value when the criterion allows it.

        A few return temperatures or launch windows recur across many proposals, and those criteria are the
        costly ones: evaluating each distinct value once and gathering rows is much cheaper.
        """
        if not crit.distinct_on:
            return method(p, columns)
        values = np.column_stack([getattr(self.batch.arrays, name)[rows] for name in crit.distinct_on])
        values = np.where(np.isnan(values), np.inf, values)
        distinct, inverse = np.unique(values, axis=0, return_inverse=True)
        distinct = np.where(np.isinf(distinct), np.nan, distinct)
        if len(distinct) * 2 > len(values):
            return method(p, columns)
        stand_in = Arrays(len(distinct), {name: distinct[:, i][:, None] for i, name in enumerate(crit.distinct_on)})
        return method(stand_in, columns)[inverse.ravel()]

    def fit_codes(self, block: Block, local_rows: IntArray, columns: IntArray) -> IntArray:
        """0 fits, 1 to confirm, 2 does not fit, for pairs (row within the block, listing index)."""
        failed = block.ineligible[local_rows, columns]
        open_checks = block.open_checks[local_rows, columns]
        return np.where(failed, 2, np.where(open_checks, 1, 0)).astype(np.int8)

    def near_miss_candidates(self, block: Block) -> tuple[IntArray, IntArray, IntArray]:
        """Pairs (local row, listing) failing exactly one fact by a small margin, and that criterion's index.

        Only listings offering one of the kinds the proposal states in full (or, when it states none, one of its
        likely kinds) qualify: "fits if you fly 10 units instead of 12" is no help from a bioprinter to a culture
        experiment, nor from a host that would carry the proposer's own hardware. A proposal with neither stated
        nor likely kinds gets no near misses: nothing says which listings are of the right kind.
        """
        rows = block.rows
        relevant = (self.target[rows] @ self.offer_full) > 0
        local_rows, columns = np.nonzero((block.failures == 1.0) & ~block.other_failure & relevant)
        criterion = np.full(local_rows.shape, -1, dtype=np.int16)
        if local_rows.size:
            p = self.batch.arrays.take(local_rows + block.rows.start)
            c = self.catalogue.arrays.take(columns)
            for crit in MARGIN_CRITERIA:
                failed = np.flatnonzero(crit.applicable(p) & crit.fail_pair(p, c))
                if failed.size:
                    within = crit.within_margin(p.take(failed), c.take(failed), self.weights)
                    criterion[failed[within]] = CRITERIA.index(crit)
        keep = criterion >= 0
        return local_rows[keep], columns[keep], criterion[keep]


@overload
def score_of(z: np.float32, weights: Weights) -> np.float32: ...
@overload
def score_of(z: FloatArray, weights: Weights) -> FloatArray: ...
def score_of(z: FloatArray | np.float32, weights: Weights) -> FloatArray | np.float32:
    """The 0-100 score of a linear score z (float32 in, float32 out)."""
    exponent = (np.float32(weights.offset) - z) / np.float32(weights.scale)
    score: FloatArray | np.float32 = np.float32(100.0) / (np.float32(1.0) + np.exp(exponent, dtype=np.float32))
    return score


_threadpools: ThreadpoolController | None = None


def single_threaded_blas() -> AbstractContextManager[object]:
    """A context in which BLAS runs on one thread.

    The products here are thin (a few dozen columns); on a small shared machine a multi-threaded BLAS spends more
    time waking and spinning threads than multiplying, and its spinning slows the numpy work between products.
    """
    global _threadpools  # noqa: PLW0603 -- one controller per process, made on first use (it inspects the libraries)
    if _threadpools is None:
        _threadpools = ThreadpoolController()
    limited: AbstractContextManager[object] = _threadpools.limit(limits=1, user_api="blas")  # threadpoolctl is untyped
    return limited


def default_chunk_rows(capabilities: int) -> int:
    """Proposals per block: about 256k pairs, so a block's arrays stay in cache and memory stays bounded."""
    return max(1, min(4096, (1 << 18) // max(capabilities, 1)))


__all__ = ["Block", "Fit", "Scorer", "default_chunk_rows", "score_of", "single_threaded_blas"]
