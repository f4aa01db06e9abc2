"""Weights, the algorithm version, and the vectorized scoring of proposals against the whole catalogue.

For a block of proposals (P x C pairs at once):
- failures: facts whose outcome depends on the listing alone once a proposal states the need (CO2, humidity,
  imaging, sample return, centrifuge) are one matrix product of "proposal states it" by "listing fails it";
  comparisons (temperature, duration, units, power, crew time, biosafety, return temperature, launch window) are
  broadcast comparisons added to the count. A retired listing (or, with ``require_needed_hardware``, a listing
  offering none of the stated kinds) fails outside the count, so "count == 1 and nothing else" is a near-miss
  candidate;
- unknowns: "proposal states it" times "listing does not", again a matrix product;
- score: hardware coverage (stated needs, plus inferred ones at a lower weight, plus partial credit from host
  platforms) and research-area overlap are matrix products of small integer matrices, exact in float32; text is
  a sparse-by-dense product; the share of needs confirmed follows from the counts; heritage and status depend on
  the listing alone.
All products are of small integers (exact in any summation order) or row-wise sparse products, and the rest is
elementwise, so a proposal gets bit-identical scores alone or inside any batch.
"""

import hashlib
import json
from dataclasses import asdict, dataclass

import numpy as np
from threadpoolctl import ThreadpoolController

from projects.matching import lexicon
from projects.matching.catalogue import SCALE, Arrays, Catalogue, ProposalBatch
from projects.matching.criteria import CRITERIA, MARGIN_CRITERIA, Eligibility, eligibility_of

ENGINE_VERSION = "1.0"


@dataclass(frozen=True)
class Weights:
    """Everything tunable. The Django layer builds this from settings; ``algorithm_version`` digests it."""

    # Shares of the score (normalised over the parts that apply to a proposal).
    hardware: float = 35.0
    research_areas: float = 10.0
    text: float = 25.0
    confirmed: float = 15.0
    heritage: float = 7.5
    status: float = 7.5
    # An inferred need counts this much of a stated one when the proposal states no needs, and this much when it
    # states some (it then mostly knows what it needs).
    inferred_need: float = 0.3
    inferred_need_with_stated: float = 0.2
    inferred_need_minimum: float = 0.2
    # A stated need the text also points to weighs up to (1 + this) times a stated need it does not mention: the
    # bioprinter of a bioprinting proposal matters more than the incubator it also lists.
    stated_need_emphasis: float = 1.0
    # Credit for a kind of hardware a host platform could carry as the customer's own payload.
    host_credit: float = 0.35
    # Cosine similarity at which text relevance counts as full.
    text_saturation: float = 0.3
    # Score multipliers: a listing offering none of the stated hardware kinds; an ineligible pair.
    no_hardware_factor: float = 0.6
    ineligible_factor: float = 0.5
    # If True, offering none of the stated hardware kinds makes a pair ineligible (see the package docstring).
    require_needed_hardware: bool = False
    # Status and heritage values.
    status_operational: float = 1.0
    status_unknown: float = 0.5
    status_planned: float = 0.3
    heritage_stated: float = 1.0
    heritage_operational: float = 0.5
    # Near misses: how far a single failed fact may be from passing.
    near_miss_relative: float = 0.5
    near_miss_temperature_c: float = 3.0
    near_miss_days: float = 90.0
    # Provider view: score points a combination loses per listing beyond the first (one more integration).
    provider_extra_listing: float = 2.0

    def __post_init__(self):
        for name, value in asdict(self).items():
            if isinstance(value, float) and (not np.isfinite(value) or value < 0):
                raise ValueError(f"weight {name} must be a finite number >= 0, not {value!r}")
        if self.text_saturation <= 0:
            raise ValueError("weight text_saturation must be above 0")


DEFAULT_WEIGHTS = Weights()


def algorithm_version(weights: Weights = DEFAULT_WEIGHTS) -> str:
    """The engine version plus a digest of the weights and the lexicon: stored with every result."""
    payload = json.dumps({"weights": asdict(weights), "lexicon": lexicon.fingerprint()}, sort_keys=True)
    return f"{ENGINE_VERSION}+{hashlib.sha256(payload.encode()).hexdigest()[:10]}"


ALGORITHM = algorithm_version()


ELIGIBILITY_BY_CODE = (Eligibility.ELIGIBLE, Eligibility.UNCONFIRMED, Eligibility.INELIGIBLE)


HARD = tuple(c for c in CRITERIA if c.hard)
OUTER_FAIL = tuple(c for c in HARD if c.outer_fail and c.fact)
OUTER_UNKNOWN = tuple(c for c in HARD if c.outer_unknown and c.fact)
PAIR_FAIL = tuple(c for c in HARD if not c.outer_fail)
PAIR_UNKNOWN = tuple(c for c in HARD if not c.outer_unknown and c.fact)
CAPABILITY_BITS = 20  # listings per catalogue < 2**20 in a ranking key
SCORE_BITS = 14  # quantised score 0..10000 < 2**14


@dataclass
class Block:
    """Scores of proposals ``rows`` against every listing."""

    rows: slice
    quantised: np.ndarray  # (n, C) float32 holding integers: score x 100, 0..10000
    failures: np.ndarray  # (n, C) float32, count of failed hard facts
    unknowns: np.ndarray  # (n, C) float32, count of unknown hard facts
    ineligible: np.ndarray  # (n, C) bool
    other_failure: np.ndarray  # (n or 1, C) bool: a hard failure that is not a fact (retired, hardware filter)
    hardware_points: np.ndarray  # (n, C) float32, the hardware part of the score (0..1 of the total)
    keys: np.ndarray  # (n, C) float64 integer ranking keys: ineligible last, then score descending, then index


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
        self.status_unknown = (c.status < 0)[None, :]
        host = round(SCALE * w.host_credit)
        self.offer = (c.offered_full * SCALE + c.hostable * host).T.astype(np.float32)
        self.offer_any = (c.offered_full | c.hostable).T.astype(np.float32)
        self.areas = c.areas.T.astype(np.float32)
        status_value = np.select(
            [c.status == 0, c.status == 1, c.status == 2],
            [w.status_operational, w.status_planned, 0.0],
            w.status_unknown,
        )
        heritage = np.where(
            ~np.isnan(c.first_flight), w.heritage_stated, np.where(c.status == 0, w.heritage_operational, 0.0)
        )
        listing_part = (w.heritage * heritage + w.status * status_value).astype(np.float32)[None, :]

        # Proposal side.
        self.applies_fail = np.array([crit.applicable(p) for crit in OUTER_FAIL], dtype=np.float32).T.reshape(
            p.size, len(OUTER_FAIL)
        )
        self.applies_unknown = np.array([crit.applicable(p) for crit in OUTER_UNKNOWN], dtype=np.float32).T.reshape(
            p.size, len(OUTER_UNKNOWN)
        )
        fact_criteria = [crit for crit in CRITERIA if crit.fact]
        facts = np.array([crit.applicable(p) for crit in fact_criteria]).reshape(len(fact_criteria), p.size).sum(0)
        self.pair_applies = {crit.name: crit.applicable(p) for crit in PAIR_FAIL + PAIR_UNKNOWN}

        has_stated = p.stated.any(axis=1)
        strengths = np.where(batch.need_strengths >= w.inferred_need_minimum, batch.need_strengths, 0.0)
        inferred = np.where(has_stated[:, None], w.inferred_need_with_stated, w.inferred_need) * strengths
        need = np.where(
            p.stated, np.rint(SCALE * (1.0 + w.stated_need_emphasis * strengths)), np.rint(SCALE * inferred)
        )
        self.need = need.astype(np.float32)
        self.stated = p.stated.astype(np.float32)
        self.has_stated = has_stated[:, None]
        self.target = p.target.astype(np.float32)
        self.target_any = p.target.any(axis=1)[:, None]
        need_total = need.sum(axis=1)
        area_total = p.areas.sum(axis=1)
        self.proposal_areas = p.areas.astype(np.float32)
        self.facts = facts.astype(np.float32)[:, None]

        # Per proposal, the weight of each part after normalising over the parts that apply.
        # The hardware part weighs as much as we are sure what hardware is needed: fully with a stated need, less
        # when the needs are only inferred.
        hardware_weight = w.hardware * np.minimum(need_total / SCALE, 1.0)
        total = (
            w.text
            + w.heritage
            + w.status
            + hardware_weight
            + w.research_areas * (area_total > 0)
            + w.confirmed * (facts > 0)
        )
        total = np.where(total > 0, total, 1.0)
        self.hardware_share = hardware_weight / total
        self.hardware_coefficient = (hardware_weight / total / np.maximum(need_total, 1) / SCALE).astype(np.float32)[
            :, None
        ]
        self.area_coefficient = (w.research_areas / total / np.maximum(area_total, 1)).astype(np.float32)[:, None]
        self.text_coefficient = (w.text / total).astype(np.float32)[:, None]
        self.confirmed_coefficient = (w.confirmed / total / np.maximum(facts, 1)).astype(np.float32)[:, None]
        self.listing_part = listing_part
        self.listing_coefficient = (1.0 / total).astype(np.float32)[:, None]
        self.text_scale = np.float32(1.0 / w.text_saturation)
        self.capability_index = np.arange(c.size, dtype=np.float64)[None, :]

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

        hardware = (self.need[rows] @ self.offer) * self.hardware_coefficient[rows]
        offers_none = ((self.stated[rows] @ self.offer_any) == 0) & self.has_stated[rows]
        other_failure = self.retired | offers_none if w.require_needed_hardware else self.retired
        ineligible = (failures > 0) | other_failure
        areas = (self.proposal_areas[rows] @ self.areas) * self.area_coefficient[rows]
        text = np.minimum(catalogue.text.similarity(batch.text[rows]) * self.text_scale, np.float32(1.0))
        score = hardware + areas
        score += text * self.text_coefficient[rows]
        score += (self.facts[rows] - failures - unknowns) * self.confirmed_coefficient[rows]
        score += self.listing_part * self.listing_coefficient[rows]
        # Multiplying by (1 - (1 - factor) * condition) applies a factor where a condition holds, without a branch.
        score *= np.float32(1.0) - np.float32(1.0 - w.no_hardware_factor) * offers_none
        score *= np.float32(1.0) - np.float32(1.0 - w.ineligible_factor) * ineligible
        quantised = np.rint(score * np.float32(10000))
        # Ranking key, exact in float64: ineligible last, then higher score, then lower capability index.
        keys = (ineligible * np.float64(2**SCORE_BITS) + (np.float64(10000) - quantised)) * np.float64(
            2**CAPABILITY_BITS
        ) + self.capability_index
        return Block(rows, quantised, failures, unknowns, ineligible, other_failure, hardware, keys)

    def _pair(self, crit, method, rows, p, columns):
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

    def eligibility_codes(self, block: Block, local_rows, columns) -> np.ndarray:
        """0 eligible, 1 unconfirmed, 2 ineligible, for pairs (row within the block, listing index)."""
        failed = block.ineligible[local_rows, columns]
        unknown = (block.unknowns[local_rows, columns] > 0) | self.status_unknown[0, columns]
        return np.where(failed, 2, np.where(unknown, 1, 0)).astype(np.int8)

    def near_miss_candidates(self, block: Block):
        """Pairs (local row, listing) failing exactly one fact by a small margin, and that criterion's index.

        Only listings offering (or able to host) one of the kinds the hardware criterion checks (the stated needs, or
        the likely ones) qualify, or any listing when there are none: "eligible if you fly 10 units instead of 12"
        is no help from a freezer to a bioprinting job.
        """
        rows = block.rows
        relevant = ((self.target[rows] @ self.offer_any) > 0) | ~self.target_any[rows]
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


_threadpools = None


def single_threaded_blas():
    """A context in which BLAS runs on one thread.

    The products here are thin (a few dozen columns); on a small shared machine a multi-threaded BLAS spends more
    time waking and spinning threads than multiplying, and its spinning slows the numpy work between products.
    """
    global _threadpools
    if _threadpools is None:
        _threadpools = ThreadpoolController()
    return _threadpools.limit(limits=1, user_api="blas")


def default_chunk_rows(capabilities: int) -> int:
    """Proposals per block: about 256k pairs, so a block's arrays stay in cache and memory stays bounded."""
    return max(1, min(4096, (1 << 18) // max(capabilities, 1)))


__all__ = [
    "ALGORITHM",
    "DEFAULT_WEIGHTS",
    "Block",
    "Eligibility",
    "Scorer",
    "Weights",
    "algorithm_version",
    "eligibility_of",
]
