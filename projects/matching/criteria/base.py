"""Shared parts of the criteria: outcome codes, the ``Criterion`` interface, and sentence formatting."""

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Final

import numpy as np

from projects.matching.arrays import Arrays, BoolArray, IntArray
from projects.matching.inputs import CapabilityFacts, ProposalNeeds, Window
from projects.matching.lexicon import concepts, inferred_needs
from projects.matching.vocabulary import CATEGORY_INDEX, join_words
from projects.matching.weights import Weights


class Fit(StrEnum):
    """How a listing fits a proposal, on the facts both sides stated.

    - ``fits``: every need the proposal states is met by a fact the listing states, and nothing fails;
    - ``to_confirm``: nothing contradicts, but some needs are not stated by the provider, are met only in part (one
      of two kinds of hardware, one crew-time level more, a planned facility), or the proposal states no need;
    - ``does_not_fit``: a stated fact contradicts a stated need (the kinds of hardware included), or the listing is
      retired.
    """

    FITS = "fits"
    TO_CONFIRM = "to_confirm"
    DOES_NOT_FIT = "does_not_fit"


def fit_of(failed: bool, open_checks: bool, states_requirements: bool) -> Fit:
    """A stated contradiction makes a pair not fit; anything left open, or nothing stated, leaves it to confirm."""
    if failed:
        return Fit.DOES_NOT_FIT
    if open_checks or not states_requirements:
        return Fit.TO_CONFIRM
    return Fit.FITS


PASS: Final = 0
PARTIAL: Final = 1
UNKNOWN: Final = 2
FAIL: Final = 3
NOT_CHECKED: Final = -1
OUTCOMES: Final = ("pass", "partial", "unknown", "fail")

# A proposal's likely needs (inferred) count as a target for the hardware criterion from this strength on.
LIKELY_NEED_THRESHOLD: Final = 0.5
# Frozen samples: at or below this temperature a colder stowage keeps them.
FROZEN_C: Final = -20.0
# Cold-stowage temperatures within this distance of the return temperature keep it.
STOWAGE_TOLERANCE_C: Final = 1.0


def num(value: float) -> str:
    """37.0 -> "37", 36.5 -> "36.5", 0.125 -> "0.13"."""
    value = float(value)
    if value == int(value):
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def temperature_range(low: float, high: float) -> str:
    if low == high:
        return f"{num(low)} C"
    if low < 0 or high < 0:
        return f"{num(low)} to {num(high)} C"
    return f"{num(low)}-{num(high)} C"


def temperatures(values: Iterable[float]) -> str:
    return join_words([num(v) for v in values]) + " C"


def windows_text(windows: Iterable[Window]) -> str:
    return join_words([f"{start.isoformat()} to {end.isoformat()}" for start, end in windows])


@lru_cache(maxsize=4096)
def likely_needs(p: ProposalNeeds) -> tuple[str, ...]:
    """The hardware kinds a proposal probably needs when it lists none (strength >= LIKELY_NEED_THRESHOLD)."""
    strengths = inferred_needs(concepts(p.text), p.sample_type, p.research_areas, p.variable_gravity, p.sample_return)
    likely = [c for c, s in strengths.items() if s >= LIKELY_NEED_THRESHOLD]
    return tuple(sorted(likely, key=CATEGORY_INDEX.__getitem__))


def bits(matrix: BoolArray) -> IntArray:
    """Each row of a boolean (n, k) matrix as an int64 bit set (k <= 15)."""
    return matrix.astype(np.int64) @ (np.int64(1) << np.arange(matrix.shape[-1], dtype=np.int64))


class Criterion:
    name = ""
    hard = True
    fact = True
    outer_fail = True
    outer_unknown = True
    margin = False  # a failure can be a near miss
    # Proposal arrays the pair form reads, when evaluating it once per distinct value pays off (see Scorer._pair).
    distinct_on: tuple[str, ...] = ()
    # The fields a sentence depends on (explanations are built once per distinct combination).
    p_fields: tuple[str, ...] = ()
    c_fields: tuple[str, ...] = ()
    # Or the arrays the sentence depends on, when those are derived (inferred needs, implied categories).
    p_key_arrays: tuple[str, ...] = ()
    c_key_arrays: tuple[str, ...] = ()

    def pair_key(self, p: Arrays, c: Arrays, codes: IntArray) -> IntArray | None:
        """For set-valued criteria: an int64 < 2**48 per gathered pair naming all its sentence depends on, or None."""
        return None

    def outcome(self, p: ProposalNeeds, c: CapabilityFacts, weights: Weights | None) -> int | None:
        raise NotImplementedError

    def detail(self, p: ProposalNeeds, c: CapabilityFacts, outcome: int) -> str:
        raise NotImplementedError

    def applicable(self, p: Arrays) -> BoolArray:
        raise NotImplementedError

    def fail_c(self, c: Arrays) -> BoolArray:
        return np.zeros(c.size, dtype=bool)

    def unknown_c(self, c: Arrays) -> BoolArray:
        return np.zeros(c.size, dtype=bool)

    def fail_pair(self, p: Arrays, c: Arrays) -> BoolArray:
        raise NotImplementedError

    def unknown_pair(self, p: Arrays, c: Arrays) -> BoolArray:
        raise NotImplementedError

    def partial_pair(self, p: Arrays, c: Arrays) -> BoolArray | None:
        return None

    # Margin criteria (``margin = True``) say which failures are near misses and what would make them fit.
    def within_margin(self, p: Arrays, c: Arrays, weights: Weights) -> BoolArray:
        raise NotImplementedError

    def change(self, p: ProposalNeeds, c: CapabilityFacts) -> str:
        raise NotImplementedError

    def codes(self, p: Arrays, c: Arrays, weights: Weights) -> IntArray:
        """Outcome codes for gathered pairs (1-D arrays of equal length in ``p`` and ``c``)."""
        applicable = self.applicable(p)
        fail = self.fail_c(c) if self.outer_fail else self.fail_pair(p, c)
        unknown = self.unknown_c(c) if self.outer_unknown else self.unknown_pair(p, c)
        partial = self.partial_pair(p, c)
        codes = np.full(applicable.shape, PASS, dtype=np.int8)
        if partial is not None:
            codes[partial] = PARTIAL
        codes[unknown] = UNKNOWN
        codes[fail] = FAIL
        codes[~applicable] = NOT_CHECKED
        return codes


def day_number(value: date | None) -> float:
    return float("nan") if value is None else float(value.toordinal())
