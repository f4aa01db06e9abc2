"""The catalogue and a batch of proposals as numpy arrays, built once and scored in vectorized passes.

Encodings: NaN for an unstated number; int8 -1 / 0 / 1 for an unstated / stated-no / stated-yes fact; crew time
as its rank (-1 unstated on a listing; a proposal that states nothing accepts 127, anything); status codes
0 operational, 1 planned, 2 retired, -1 unstated; dates as day numbers; multi-valued facts (cold-stowage
temperatures, availability windows) as NaN-padded columns; categories and research areas as boolean columns.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Literal, cast

import numpy as np
from scipy import sparse

from projects.matching.arrays import Array, Arrays, BoolArray, FloatArray, IntArray
from projects.matching.criteria import CRITERIA, LIKELY_NEED_THRESHOLD, Criterion, day_number, returns_samples
from projects.matching.explain import cycle_collector_paused
from projects.matching.inputs import CapabilityFacts, PrecedentFacts, ProposalNeeds
from projects.matching.lexicon import analyze_text, capability_text, inferred_needs
from projects.matching.precedents import SAMPLE_TYPE_CODE, PrecedentIndex
from projects.matching.text import TextIndex
from projects.matching.vocabulary import (
    CATEGORIES,
    CATEGORY_INDEX,
    CREW_RANK,
    HOSTABLE_CATEGORIES,
    RESEARCH_AREA_INDEX,
    RESEARCH_AREAS,
    STATUS_CODE,
)

# Needs and offers are integers on this scale so that products summed by matrix multiplication are exact.
SCALE = 64

# Per item, the id of its combination of the fields or arrays a criterion's sentence reads; and per id, its first item.
KeyIds = tuple[IntArray, IntArray]


def _tri(values: Iterable[bool | None]) -> Array:
    return np.array([-1 if v is None else int(bool(v)) for v in values], dtype=np.int8)


def _floats(values: Iterable[float | None]) -> FloatArray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


def _padded(lists: Sequence[Sequence[float] | None], width: int | None = None) -> FloatArray:
    width = max([len(values) for values in lists if values] + [1]) if width is None else width
    padded = np.full((len(lists), width), np.nan)
    for row, values in enumerate(lists):
        if values:
            padded[row, : len(values)] = values
    return padded


def _key_ids(items: Sequence[object], fields: Sequence[str]) -> KeyIds:
    """Per item, an id of its combination of ``fields`` (the explanation sentences depend on nothing else)."""
    ids: dict[tuple[object, ...], int] = {}
    first_of: list[int] = []
    out = np.empty(len(items), dtype=np.int64)
    for row, item in enumerate(items):
        key = tuple(getattr(item, name) for name in fields)
        key_id = ids.get(key)
        if key_id is None:
            key_id = ids[key] = len(first_of)
            first_of.append(row)
        out[row] = key_id
    return out, np.array(first_of, dtype=np.int64)


def _array_key_ids(arrays: Arrays, names: Sequence[str]) -> KeyIds:
    """The same from derived arrays: one id per distinct row of the named columns."""
    if arrays.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    columns = np.column_stack([getattr(arrays, name).reshape(arrays.size, -1) for name in names])
    _, first_of, inverse = np.unique(columns, axis=0, return_index=True, return_inverse=True)
    return inverse.ravel().astype(np.int64), first_of.astype(np.int64)


def criterion_key_ids(
    criteria: Iterable[Criterion], items: Sequence[object], arrays: Arrays, side: Literal["p", "c"]
) -> dict[str, KeyIds]:
    key_ids: dict[str, KeyIds] = {}
    for criterion in criteria:
        names = criterion.p_key_arrays if side == "p" else criterion.c_key_arrays
        fields = criterion.p_fields if side == "p" else criterion.c_fields
        key_ids[criterion.name] = _array_key_ids(arrays, names) if names else _key_ids(items, fields)
    return key_ids


@dataclass
class Catalogue:
    """Every listing the proposals are matched against, sorted by id, with its arrays, its text index and the
    flight precedents that name its listings."""

    capabilities: tuple[CapabilityFacts, ...]
    index: dict[str, int]
    arrays: Arrays
    columns: Arrays
    text: TextIndex
    providers: tuple[str, ...]
    provider_of: IntArray
    precedents: PrecedentIndex = field(repr=False)
    key_ids: dict[str, KeyIds] = field(repr=False)

    @classmethod
    def build(cls, capabilities: Iterable[CapabilityFacts], precedents: Iterable[PrecedentFacts] = ()) -> "Catalogue":
        capabilities = tuple(sorted(capabilities, key=lambda c: c.id))
        duplicates = sorted(i for i, count in Counter(c.id for c in capabilities).items() if count > 1)
        if duplicates:
            raise ValueError(f"capability ids must be unique; repeated: {', '.join(duplicates)}")
        arrays = capability_arrays(capabilities)
        providers = tuple(sorted({c.provider for c in capabilities}))
        provider_index = {name: i for i, name in enumerate(providers)}
        text = TextIndex(
            [capability_text(c.name, c.platform, c.description, c.categories, c.research_areas) for c in capabilities]
        )
        key_ids = criterion_key_ids(CRITERIA, capabilities, arrays, "c")
        return cls(
            capabilities=capabilities,
            index={c.id: i for i, c in enumerate(capabilities)},
            arrays=arrays,
            columns=arrays.as_columns(),
            text=text,
            providers=providers,
            provider_of=np.array([provider_index[c.provider] for c in capabilities], dtype=np.int32),
            precedents=PrecedentIndex(precedents, capabilities),
            key_ids=key_ids,
        )

    def __len__(self) -> int:
        return len(self.capabilities)

    def with_precedents(self, precedents: Iterable[PrecedentFacts]) -> "Catalogue":
        """The same listings with other flight precedents (the evaluation leaves some out)."""
        return replace(self, precedents=PrecedentIndex(precedents, self.capabilities))


def capability_arrays(capabilities: Sequence[CapabilityFacts]) -> Arrays:
    n = len(capabilities)
    offered_full = np.zeros((n, len(CATEGORIES)), dtype=bool)
    hostable = np.zeros((n, len(CATEGORIES)), dtype=bool)
    areas = np.zeros((n, len(RESEARCH_AREAS)), dtype=bool)
    for row, c in enumerate(capabilities):
        for category in c.offered_categories:
            offered_full[row, CATEGORY_INDEX[category]] = True
        if c.is_host:
            for category in HOSTABLE_CATEGORIES:
                if not offered_full[row, CATEGORY_INDEX[category]]:
                    hostable[row, CATEGORY_INDEX[category]] = True
        for area in c.research_areas:
            areas[row, RESEARCH_AREA_INDEX[area]] = True
    temperature = [c.temperature_c or (None, None) for c in capabilities]
    availability = [c.availability or () for c in capabilities]
    return Arrays(
        n,
        {
            "temp_min": _floats([t[0] for t in temperature]),
            "temp_max": _floats([t[1] for t in temperature]),
            "co2": _tri([c.co2_control for c in capabilities]),
            "humidity": _tri([c.humidity_control for c in capabilities]),
            "imaging": _tri([c.imaging for c in capabilities]),
            "capacity": _floats([c.capacity_units for c in capabilities]),
            "max_duration": _floats([c.max_duration_days for c in capabilities]),
            "power": _floats([c.power_w for c in capabilities]),
            "bsl": _floats([c.biosafety_level for c in capabilities]),
            "crew": np.array([CREW_RANK.get(c.crew_time, -1) for c in capabilities], dtype=np.int8),
            "centrifuge": np.array(
                [
                    1
                    if c.variable_gravity_g is not None or "variable_gravity_centrifuge" in c.categories
                    else (-1 if c.is_host else 0)
                    for c in capabilities
                ],
                dtype=np.int8,
            ),
            "returns": _tri([returns_samples(c) for c in capabilities]),
            "stow": _padded([c.cold_stowage_c for c in capabilities]),
            "stow_stated": np.array([c.cold_stowage_c is not None for c in capabilities], dtype=bool),
            "avail_start": _padded([[day_number(s) for s, _ in w] for w in availability]),
            "avail_end": _padded([[day_number(e) for _, e in w] for w in availability]),
            "avail_stated": np.array([c.availability is not None for c in capabilities], dtype=bool),
            "status": np.array([STATUS_CODE.get(c.status, -1) for c in capabilities], dtype=np.int8),
            "first_flight": _floats([c.first_flight_year for c in capabilities]),
            "offered_full": offered_full,
            "hostable": hostable,
            "areas": areas,
        },
    )


@dataclass
class ProposalBatch:
    """Proposals prepared for scoring against one catalogue: fact arrays, needs, research areas, text vectors."""

    proposals: tuple[ProposalNeeds, ...]
    arrays: Arrays
    text: sparse.csr_matrix  # one row per proposal, in the listings' text space
    precedent_text: sparse.csr_matrix  # the same in the precedents' text space
    profile_text: sparse.csr_matrix  # the same in the listing profiles' text space
    need_strengths: FloatArray  # (P, K) inferred strength per category (stated or not)

    @cached_property
    def key_ids(self) -> dict[str, KeyIds]:
        """Per criterion, an id per proposal of what its sentences depend on (needed only to explain)."""
        return criterion_key_ids(CRITERIA, self.proposals, self.arrays, "p")

    @classmethod
    def build(cls, proposals: Iterable[ProposalNeeds], catalogue: Catalogue) -> "ProposalBatch":
        with cycle_collector_paused():
            return cls._build(tuple(proposals), catalogue)

    @classmethod
    def _build(cls, proposals: tuple[ProposalNeeds, ...], catalogue: Catalogue) -> "ProposalBatch":
        n = len(proposals)
        stated = np.zeros((n, len(CATEGORIES)), dtype=bool)
        strengths = np.zeros((n, len(CATEGORIES)), dtype=np.float64)
        areas = np.zeros((n, len(RESEARCH_AREAS)), dtype=bool)
        features: list[Sequence[str]] = []
        for row, p in enumerate(proposals):
            words, found = analyze_text(p.text)
            features.append(words)
            for category, strength in inferred_needs(
                found, p.sample_type, p.research_areas, p.variable_gravity, p.sample_return
            ).items():
                strengths[row, CATEGORY_INDEX[category]] = strength
            for category in p.needs:
                stated[row, CATEGORY_INDEX[category]] = True
            for area in p.research_areas:
                areas[row, RESEARCH_AREA_INDEX[area]] = True
        has_stated = cast(BoolArray, stated.any(axis=1))  # an array along an axis (the stubs allow a scalar)
        likely = (strengths >= LIKELY_NEED_THRESHOLD) & ~has_stated[:, None]
        temperature = [p.temperature_c or (None, None) for p in proposals]
        window = [p.launch_window or (None, None) for p in proposals]
        crew = np.array([CREW_RANK.get(p.crew_time, 127) for p in proposals], dtype=np.int8)
        arrays = Arrays(
            n,
            {
                "temp_min": _floats([t[0] for t in temperature]),
                "temp_max": _floats([t[1] for t in temperature]),
                "co2": np.array([p.co2 is True for p in proposals], dtype=bool),
                "humidity": np.array([p.humidity is True for p in proposals], dtype=bool),
                "imaging": np.array([p.imaging is True for p in proposals], dtype=bool),
                "variable_gravity": np.array([p.variable_gravity is True for p in proposals], dtype=bool),
                "sample_return": np.array([p.sample_return is True for p in proposals], dtype=bool),
                "units": _floats([p.units_needed for p in proposals]),
                "duration": _floats([p.duration_days for p in proposals]),
                "power": _floats([p.power_w for p in proposals]),
                "bsl": _floats([p.biosafety_level for p in proposals]),
                "crew": np.where(crew == 127, -1, crew).astype(np.int8),
                "crew_accepts": crew.astype(np.int16),  # 127 (anything) + 1 must not wrap
                "return_t": _floats([None if p.sample_return is False else p.return_temperature_c for p in proposals]),
                "launch_start": _floats([day_number(w[0]) for w in window]),
                "launch_end": _floats([day_number(w[1]) for w in window]),
                "stated": stated,
                "target": stated | likely,
                "stated_any": has_stated,
                "states_requirements": np.array([p.states_requirements for p in proposals], dtype=bool),
                "areas": areas,
                "sample_type": np.array([SAMPLE_TYPE_CODE.get(p.sample_type, -1) for p in proposals], dtype=np.int64),
            },
        )
        return cls(
            proposals=proposals,
            arrays=arrays,
            text=catalogue.text.transform(features),
            precedent_text=catalogue.precedents.text.transform(features),
            profile_text=catalogue.precedents.profiles.transform(features),
            need_strengths=strengths,
        )

    def __len__(self) -> int:
        return len(self.proposals)
