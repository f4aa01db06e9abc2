"""Criteria on fit rather than envelope: status, hardware kinds, research areas, flight heritage."""

from collections.abc import Iterable
from typing import cast

import numpy as np

from projects.matching.arrays import Arrays, BoolArray, IntArray
from projects.matching.criteria.base import (
    FAIL,
    NOT_CHECKED,
    PARTIAL,
    PASS,
    UNKNOWN,
    Criterion,
    bits,
    likely_needs,
)
from projects.matching.inputs import CapabilityFacts, ProposalNeeds
from projects.matching.vocabulary import (
    CATEGORY_INDEX,
    CATEGORY_LABELS,
    HOSTABLE_CATEGORIES,
    RESEARCH_AREA_LABELS,
    RESEARCH_AREAS,
    join_words,
)
from projects.matching.weights import Weights


class Status(Criterion):
    name = "status"
    fact = False
    c_fields = ("status",)

    def outcome(self, p: ProposalNeeds, c: CapabilityFacts, weights: Weights | None) -> int | None:
        return {"operational": PASS, "planned": PARTIAL, "retired": FAIL, None: UNKNOWN}[c.status]

    def detail(self, p: ProposalNeeds, c: CapabilityFacts, outcome: int) -> str:
        return {
            PASS: "operational",
            PARTIAL: "planned; not flying yet",
            FAIL: "retired; no longer available",
            UNKNOWN: "provider has not stated whether it is operational",
        }[outcome]

    def applicable(self, p: Arrays) -> BoolArray:
        return np.ones(p.size, dtype=bool)

    def fail_c(self, c: Arrays) -> BoolArray:
        retired: BoolArray = c.status == 2  # numpy's stubs type == as Any
        return retired

    def unknown_c(self, c: Arrays) -> BoolArray:
        return c.status < 0

    def partial_pair(self, p: Arrays, c: Arrays) -> BoolArray | None:
        planned: BoolArray = c.status == 1
        return planned


class Hardware(Criterion):
    """Does the listing offer the kinds of hardware the proposal needs (or, if it lists none, likely needs)?"""

    name = "hardware"
    fact = False
    hard = False  # decides the fit only for stated kinds: see is_stated_fail and is_stated_partial
    p_key_arrays = ("target", "stated_any")
    c_key_arrays = ("offered_full", "hostable")

    @staticmethod
    def targets(p: ProposalNeeds) -> tuple[tuple[str, ...], bool]:
        """(the kinds checked, whether they were stated), in vocabulary order."""
        if p.needs:
            return tuple(sorted(set(p.needs), key=CATEGORY_INDEX.__getitem__)), True
        return likely_needs(p), False

    @staticmethod
    def split(target: Iterable[str], c: CapabilityFacts) -> tuple[list[str], list[str], list[str]]:
        offered = set(c.offered_categories)
        full = [n for n in target if n in offered]
        hosted = [n for n in target if n not in offered and c.is_host and n in HOSTABLE_CATEGORIES]
        missing = [n for n in target if n not in offered and n not in hosted]
        return full, hosted, missing

    def outcome(self, p: ProposalNeeds, c: CapabilityFacts, weights: Weights | None) -> int | None:
        target, stated = self.targets(p)
        if not target:
            return None
        full, hosted, _ = self.split(target, c)
        if len(full) == len(target):
            return PASS
        if full or hosted:
            return PARTIAL
        # Kinds only inferred from the text are a suggestion, not a need the proposal stated: never a failed check.
        return FAIL if stated else UNKNOWN

    def detail(self, p: ProposalNeeds, c: CapabilityFacts, outcome: int) -> str:
        target, stated = self.targets(p)
        full, hosted, missing = self.split(target, c)

        def labels(names: Iterable[str]) -> str:
            return join_words(CATEGORY_LABELS[n] for n in names)

        prefix = "" if stated else f"you listed no hardware; your proposal suggests {labels(target)}; "
        if outcome == PASS:
            if stated:
                return f"offers {labels(target)}, all you need"
            return prefix + ("offers it" if len(target) == 1 else "offers all of them")
        if outcome in (FAIL, UNKNOWN):
            return prefix + f"offers none of {labels(target)}; it offers {labels(c.offered_categories)}"
        parts = []
        if full:
            parts.append(f"offers {labels(full)}")
        if hosted:
            parts.append(f"could carry {labels(hosted)} as your own payload")
        if missing:
            parts.append(f"not {labels(missing)}")
        return prefix + "; ".join(parts)

    @staticmethod
    def is_stated_fail(p: ProposalNeeds, c: CapabilityFacts) -> bool:
        """The proposal states kinds of hardware and the listing offers none of them, not even as a payload."""
        return bool(p.needs) and Hardware().outcome(p, c, None) == FAIL

    @staticmethod
    def is_stated_partial(p: ProposalNeeds, c: CapabilityFacts) -> bool:
        """The proposal states kinds of hardware and the listing offers some of them (or could carry them)."""
        return bool(p.needs) and Hardware().outcome(p, c, None) == PARTIAL

    def applicable(self, p: Arrays) -> BoolArray:
        # any() along an axis is an array; numpy's stubs also allow the scalar of a whole-array any().
        return cast(BoolArray, p.target.any(axis=-1))

    def pair_key(self, p: Arrays, c: Arrays, codes: IntArray) -> IntArray | None:
        target = p.target
        # A failing pair offers none of the target: its sentence names what it offers instead.
        offered = np.where((codes == FAIL) | (codes == UNKNOWN), bits(c.offered_full), bits(target & c.offered_full))
        key = bits(target) | offered << 15 | bits(target & c.hostable) << 30
        return key | p.stated_any.astype(np.int64) << 45

    def codes(self, p: Arrays, c: Arrays, weights: Weights) -> IntArray:
        total = p.target.sum(axis=-1)
        full = (p.target & c.offered_full).sum(axis=-1)
        hosted = (p.target & c.hostable).sum(axis=-1)
        none = np.where(p.stated_any, FAIL, UNKNOWN)
        codes = np.where(full == total, PASS, np.where(full + hosted > 0, PARTIAL, none)).astype(np.int8)
        codes[total == 0] = NOT_CHECKED
        return codes


class ResearchAreas(Criterion):
    name = "research_areas"
    hard = fact = False
    p_fields, c_fields = ("research_areas",), ("research_areas",)

    def outcome(self, p: ProposalNeeds, c: CapabilityFacts, weights: Weights | None) -> int | None:
        if not p.research_areas:
            return None
        if not c.research_areas:
            return UNKNOWN
        shared = set(p.research_areas) & set(c.research_areas)
        if len(shared) == len(set(p.research_areas)):
            return PASS
        # Not listing an area is not refusing it: for the provider to confirm, never a failed check.
        return PARTIAL if shared else UNKNOWN

    def detail(self, p: ProposalNeeds, c: CapabilityFacts, outcome: int) -> str:
        def labels(names: Iterable[str]) -> str:
            return join_words((RESEARCH_AREA_LABELS[n] for n in names), "or")

        # In the vocabulary's order, whatever the order they were given in (the vectorised scorer has only a set).
        mine = sorted(set(p.research_areas), key=RESEARCH_AREAS.index)
        if outcome == UNKNOWN and not c.research_areas:
            return "provider has not listed the research areas it serves"
        if outcome == PASS:
            return "serves " + join_words(RESEARCH_AREA_LABELS[a] for a in mine)
        if outcome == UNKNOWN:
            listed = join_words(RESEARCH_AREA_LABELS[a] for a in sorted(c.research_areas, key=RESEARCH_AREAS.index))
            return f"does not list {labels(mine)}; it lists {listed}"
        shared = [a for a in mine if a in c.research_areas]
        others = [a for a in mine if a not in c.research_areas]
        return f"serves {join_words(RESEARCH_AREA_LABELS[a] for a in shared)}; not {labels(others)}"

    def applicable(self, p: Arrays) -> BoolArray:
        return cast(BoolArray, p.areas.any(axis=-1))  # an array, as in Hardware.applicable

    def pair_key(self, p: Arrays, c: Arrays, codes: IntArray) -> IntArray | None:
        # The sentence names the listing's own areas when it shares none.
        listed = np.where(codes == UNKNOWN, bits(c.areas), 0)
        return (
            bits(p.areas)
            | bits(p.areas & c.areas) << 14
            | (~c.areas.any(axis=-1)).astype(np.int64) << 28
            | listed << 29
        )

    def codes(self, p: Arrays, c: Arrays, weights: Weights) -> IntArray:
        total = p.areas.sum(axis=-1)
        shared = (p.areas & c.areas).sum(axis=-1)
        codes = np.where(shared == total, PASS, np.where(shared > 0, PARTIAL, UNKNOWN)).astype(np.int8)
        codes[~c.areas.any(axis=-1)] = UNKNOWN
        codes[total == 0] = NOT_CHECKED
        return codes


class FlightHeritage(Criterion):
    name = "flight_heritage"
    hard = fact = False
    c_fields = ("first_flight_year", "status")

    def outcome(self, p: ProposalNeeds, c: CapabilityFacts, weights: Weights | None) -> int | None:
        if c.first_flight_year is not None:
            return PASS
        return PARTIAL if c.status == "operational" else UNKNOWN

    def detail(self, p: ProposalNeeds, c: CapabilityFacts, outcome: int) -> str:
        if outcome == PASS:
            return f"first flew in {c.first_flight_year}"
        if outcome == PARTIAL:
            return "operational; provider has not stated when it first flew"
        return "provider has not stated a first flight"

    def applicable(self, p: Arrays) -> BoolArray:
        return np.ones(p.size, dtype=bool)

    def codes(self, p: Arrays, c: Arrays, weights: Weights) -> IntArray:
        stated = ~np.isnan(c.first_flight)
        return np.where(stated, PASS, np.where(c.status == 0, PARTIAL, UNKNOWN)).astype(np.int8)


# The order of the criteria in every explanation.
