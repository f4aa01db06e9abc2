"""Ranking: the top N listings per proposal, the near misses, and the best combination per provider.

Order within a proposal: pairs that fit or are to confirm first, pairs that do not fit after all of them; then
score, highest first; then capability id, so ties always break the same way. Pairs that fit and pairs to confirm
share a tier because real listings state few facts: a right-kind facility that has not confirmed its temperature
range should outrank a fully specified wrong one. The certainty (how many needs are confirmed) is shown beside the
score, not mixed into it.

``rank`` runs in two phases the benchmark times separately: ``select`` scores every pair in blocks and keeps
positions only; ``explain`` turns the kept positions into ``RankedPair`` objects with their criteria.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import NamedTuple, NotRequired, TypedDict

import numpy as np

from projects.matching.arrays import Array, BoolArray, FloatArray, IntArray
from projects.matching.catalogue import Catalogue, ProposalBatch
from projects.matching.criteria import CRITERIA
from projects.matching.explain import (
    Certainty,
    CertaintyDict,
    Check,
    CheckDict,
    Citation,
    CitationDict,
    cycle_collector_paused,
    explain_pairs,
)
from projects.matching.inputs import ProposalNeeds
from projects.matching.scorer import FIT_BY_CODE, Block, Fit, Scorer, default_chunk_rows, score_of, single_threaded_blas
from projects.matching.vocabulary import CATEGORIES
from projects.matching.weights import DEFAULT_WEIGHTS, Weights

# The provider view considers a provider's best few listings and combinations of up to this many.
PROVIDER_CANDIDATES = 6
PROVIDER_MAX_LISTINGS = 3


class MatchDict(TypedDict):
    capability: str
    provider: str
    rank: int
    score: float
    eligibility: str
    summary: str
    certainty: CertaintyDict
    precedents: list[CitationDict]
    criteria: list[CheckDict]
    near_miss: NotRequired[str]


class ProviderOptionDict(TypedDict):
    provider: str
    score: float
    eligibility: str
    capabilities: list[str]
    covers: dict[str, str]
    hosted: list[str]
    missing: list[str]


class RankedPair(NamedTuple):
    """One proposal-listing pair as shown and stored. A NamedTuple: hundreds of thousands are made per run."""

    capability_id: str
    provider: str
    rank: int
    score: float
    fit: Fit
    criteria: tuple[Check, ...]
    change: str | None = None  # for a near miss: what would make it fit
    certainty: Certainty = Certainty()
    precedents: tuple[Citation, ...] = ()  # similar experiments that flew on this listing, most similar first

    @property
    def is_near_miss(self) -> bool:
        return self.change is not None

    @property
    def summary(self) -> str:
        return self.certainty.summary(self.fit, len(self.precedents))

    def as_dict(self) -> MatchDict:
        data: MatchDict = {
            "capability": self.capability_id,
            "provider": self.provider,
            "rank": self.rank,
            "score": self.score,
            "eligibility": str(self.fit),
            "summary": self.summary,
            "certainty": self.certainty.as_dict(),
            "precedents": [citation.as_dict() for citation in self.precedents],
            "criteria": [check.as_dict() for check in self.criteria],
        }
        if self.change is not None:
            data["near_miss"] = self.change
        return data


@dataclass(frozen=True, slots=True)
class ProviderOption:
    """One provider's best combination of listings for a proposal's hardware needs."""

    provider: str
    score: float
    fit: Fit
    capabilities: tuple[str, ...]
    covers: dict[str, str]  # need -> capability id; a need only a host could carry maps to that host
    hosted: tuple[str, ...]  # needs covered only as the proposer's own payload on a host platform
    missing: tuple[str, ...]

    def as_dict(self) -> ProviderOptionDict:
        return {
            "provider": self.provider,
            "score": self.score,
            "eligibility": str(self.fit),
            "capabilities": list(self.capabilities),
            "covers": dict(self.covers),
            "hosted": list(self.hosted),
            "missing": list(self.missing),
        }


@dataclass
class ProposalRanking:
    proposal: ProposalNeeds
    matches: list[RankedPair]
    near_misses: list[RankedPair]
    providers: list[ProviderOption] = field(default_factory=list)

    @property
    def proposal_id(self) -> str:
        return self.proposal.id

    def kept(self) -> list[RankedPair]:
        """The rows to store: the top matches and the near misses, once each, by rank."""
        seen = {m.capability_id for m in self.matches}
        return sorted(self.matches + [m for m in self.near_misses if m.capability_id not in seen], key=lambda m: m.rank)


@dataclass
class Selection:
    """Kept pairs as arrays, sorted by proposal then rank."""

    batch: ProposalBatch
    rows: IntArray
    columns: IntArray
    quantised: IntArray
    fit: IntArray
    ranks: IntArray
    near_criterion: IntArray  # index into CRITERIA of the single failed fact, -1 if not a near miss
    in_top: BoolArray
    providers: dict[int, list[ProviderOption]] = field(default_factory=dict)  # proposal row -> its options
    # Per listing (catalogue order), how many of the proposals it fits or is to confirm for, over all pairs.
    open_counts: IntArray | None = None
    # Per listing, how many of the proposals it fits (nothing contradicted, nothing to confirm).
    fits_counts: IntArray | None = None
    # Per proposal, its nearest precedents (indices into the catalogue's precedents, -1 padding) and similarity.
    neighbour_indices: IntArray | None = None
    neighbour_similarity: FloatArray | None = None

    def __len__(self) -> int:
        return len(self.rows)


def select(
    catalogue: Catalogue,
    batch: ProposalBatch,
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    top: int = 25,
    near_misses: int = 5,
    providers: bool = False,
    chunk_rows: int | None = None,
) -> Selection:
    with single_threaded_blas():
        return _select(catalogue, batch, weights, top, near_misses, providers, chunk_rows)


def _select(
    catalogue: Catalogue,
    batch: ProposalBatch,
    weights: Weights,
    top: int,
    near_misses: int,
    providers: bool,
    chunk_rows: int | None,
) -> Selection:
    scorer = Scorer(catalogue, batch, weights)
    size = len(catalogue)
    chunk_rows = chunk_rows or default_chunk_rows(size)
    keep = min(top, size)
    parts: list[Part] = []
    provider_views: dict[int, list[ProviderOption]] = {}
    open_counts = np.zeros(size, dtype=np.int64)
    fits_counts = np.zeros(size, dtype=np.int64)
    for start in range(0, len(batch), chunk_rows):
        block = scorer.block(slice(start, min(len(batch), start + chunk_rows)))
        n = block.keys.shape[0]
        open_counts += n - np.count_nonzero(block.ineligible, axis=0)
        fits_counts += np.count_nonzero(~block.ineligible & ~block.open_checks, axis=0)
        if keep:
            if keep < size:
                candidates = np.argpartition(block.keys, keep - 1, axis=1)[:, :keep]
            else:
                candidates = np.broadcast_to(np.arange(size), (n, size))
            order = np.argsort(np.take_along_axis(block.keys, candidates, axis=1), axis=1)
            top_columns = np.take_along_axis(candidates, order, axis=1).ravel()
            top_rows = np.repeat(np.arange(n), keep)
            parts.append(_part(scorer, block, top_rows, top_columns, np.tile(np.arange(1, keep + 1), n), None, start))
        if near_misses:
            rows, columns, criterion = scorer.near_miss_candidates(block)
            keys = block.keys[rows, columns]
            order = np.lexsort((keys, rows))
            rows, columns, criterion, keys = rows[order], columns[order], criterion[order], keys[order]
            _, starts, counts = np.unique(rows, return_index=True, return_counts=True)
            position = np.arange(len(rows)) - np.repeat(starts, counts)
            chosen = position < near_misses
            rows, columns, criterion, keys = rows[chosen], columns[chosen], criterion[chosen], keys[chosen]
            ranks = (block.keys[rows] < keys[:, None]).sum(axis=1) + 1
            parts.append(_part(scorer, block, rows, columns, ranks, criterion, start))
        if providers:
            for local in range(n):
                provider_views[start + local] = provider_options(scorer, block, local)
    selection = _merge(batch, parts, provider_views)
    selection.open_counts = open_counts
    selection.fits_counts = fits_counts
    selection.neighbour_indices = scorer.neighbour_indices
    selection.neighbour_similarity = scorer.neighbour_similarity
    return selection


def open_counts(
    catalogue: Catalogue, proposals: Iterable[ProposalNeeds], weights: Weights = DEFAULT_WEIGHTS
) -> dict[str, int]:
    """Per listing id, how many of ``proposals`` it fits or is to confirm for (what a listing page shows)."""
    batch = ProposalBatch.build(proposals, catalogue)
    selection = select(catalogue, batch, weights, top=0, near_misses=0)
    assert selection.open_counts is not None  # select() always counts
    return {c.id: int(count) for c, count in zip(catalogue.capabilities, selection.open_counts, strict=True)}


# Kept pairs of one block, as arrays of equal length named like the fields of ``Selection``.
Part = dict[str, Array]


def _part(
    scorer: Scorer,
    block: Block,
    local_rows: IntArray,
    columns: IntArray,
    ranks: IntArray,
    near_criterion: IntArray | None,
    start: int,
) -> Part:
    return {
        "rows": local_rows + start,
        "columns": columns,
        "quantised": block.quantised[local_rows, columns].astype(np.int32),
        "fit": scorer.fit_codes(block, local_rows, columns),
        "ranks": ranks,
        "near_criterion": np.full(len(local_rows), -1, dtype=np.int16) if near_criterion is None else near_criterion,
        "in_top": np.full(len(local_rows), near_criterion is None),
    }


def _merge(batch: ProposalBatch, parts: Sequence[Part], provider_views: dict[int, list[ProviderOption]]) -> Selection:
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Selection(batch, empty, empty, empty, empty, empty, empty, np.zeros(0, dtype=bool), provider_views)
    merged = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    # A pair both in the top N and a near miss: keep one row, in the top, carrying the near-miss change.
    order = np.lexsort((~merged["in_top"], merged["columns"], merged["rows"]))
    merged = {key: value[order] for key, value in merged.items()}
    same = np.zeros(len(order), dtype=bool)
    same[1:] = (merged["rows"][1:] == merged["rows"][:-1]) & (merged["columns"][1:] == merged["columns"][:-1])
    if same.any():
        duplicate_of = np.flatnonzero(same) - 1
        merged["near_criterion"][duplicate_of] = merged["near_criterion"][same]
        merged = {key: value[~same] for key, value in merged.items()}
    order = np.lexsort((merged["ranks"], merged["rows"]))
    merged = {key: value[order] for key, value in merged.items()}
    return Selection(batch=batch, providers=provider_views, **merged)


def explain(catalogue: Catalogue, selection: Selection, weights: Weights = DEFAULT_WEIGHTS) -> list[ProposalRanking]:
    with cycle_collector_paused():
        return _explain(catalogue, selection, weights)


def _explain(catalogue: Catalogue, selection: Selection, weights: Weights) -> list[ProposalRanking]:
    batch = selection.batch
    explained = explain_pairs(
        catalogue,
        batch,
        weights,
        selection.rows,
        selection.columns,
        neighbours=(selection.neighbour_indices, selection.neighbour_similarity),
    )
    results = [
        ProposalRanking(proposal, [], [], selection.providers.get(row, []))
        for row, proposal in enumerate(batch.proposals)
    ]
    ids = [c.id for c in catalogue.capabilities]
    providers = [c.provider for c in catalogue.capabilities]
    rows, columns = selection.rows.tolist(), selection.columns.tolist()
    scores = (selection.quantised / 100.0).tolist()
    fits = [FIT_BY_CODE[code] for code in selection.fit.tolist()]
    ranks, near, in_top = selection.ranks.tolist(), selection.near_criterion.tolist(), selection.in_top.tolist()
    for i, row in enumerate(rows):
        column = columns[i]
        change = None if near[i] < 0 else CRITERIA[near[i]].change(batch.proposals[row], catalogue.capabilities[column])
        checks, certainty, citations = explained[i]
        match = RankedPair(
            ids[column], providers[column], ranks[i], scores[i], fits[i], checks, change, certainty, citations
        )
        if in_top[i]:
            results[row].matches.append(match)
        if change is not None:
            results[row].near_misses.append(match)
    return results


def rank(
    catalogue: Catalogue,
    proposals: Iterable[ProposalNeeds],
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    top: int = 25,
    near_misses: int = 5,
    providers: bool = False,
    chunk_rows: int | None = None,
) -> list[ProposalRanking]:
    """Rank every proposal (``ProposalNeeds``) against the catalogue; one ``ProposalRanking`` each, in order."""
    batch = ProposalBatch.build(proposals, catalogue)
    selection = select(
        catalogue, batch, weights, top=top, near_misses=near_misses, providers=providers, chunk_rows=chunk_rows
    )
    return explain(catalogue, selection, weights)


def rank_one(
    catalogue: Catalogue,
    proposal: ProposalNeeds,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    top: int = 25,
    near_misses: int = 5,
) -> ProposalRanking:
    """One proposal against the catalogue, with the provider view: what a proposal page shows."""
    (result,) = rank(catalogue, [proposal], weights=weights, top=top, near_misses=near_misses, providers=True)
    return result


def provider_options(scorer: Scorer, block: Block, local: int, limit: int = 10) -> list[ProviderOption]:
    """Per provider, the combination of its listings that best covers the proposal's hardware needs.

    The needs are the stated ones, or the likely ones when none is stated. A provider's best combination covers the
    most needs with its own hardware, then the most as the proposer's payload on a host, then scores best. A
    combination scores what one listing
    would score if it offered the union of the members' hardware: the hardware part of the union, plus the rest of
    the members' linear scores (text, profile, precedents, status, heritage) weighted by the needs each one serves,
    minus a few points per extra listing (each one is another integration). A single listing scores its own score.
    Members are listings that fit or are to confirm and offer at least one need; each provider's best few are
    combined, up to three at a time. Providers are listed by the same preference: the fewest needs missing, the
    fewest left to a host, then score.
    """
    catalogue, weights = scorer.catalogue, scorer.weights
    row = block.rows.start + local
    targets = np.flatnonzero(scorer.batch.arrays.target[row])
    if targets.size == 0:
        return []
    columns = np.arange(len(catalogue))
    codes = scorer.fit_codes(block, np.full(len(columns), local), columns)
    offered = catalogue.arrays.offered_full[:, targets]
    hostable = catalogue.arrays.hostable[:, targets]
    useful = (codes < 2) & (offered | hostable).any(axis=1)
    scores = block.quantised[local] / 100.0
    combination = Combination(
        targets=targets.tolist(),
        offered=offered,
        hostable=hostable,
        scores=scores,
        rest=(block.z[local] - block.hardware_z[local]).astype(np.float64),
        need=scorer.target[row].astype(np.float64),
        offer=scorer.offer.astype(np.float64),
        coefficient=float(scorer.hardware_coefficient),
        weights=weights,
    )
    options = []
    for provider in np.unique(catalogue.provider_of[useful]).tolist():
        members = np.flatnonzero(useful & (catalogue.provider_of == provider))
        members = members[np.lexsort((members, -scores[members]))][:PROVIDER_CANDIDATES].tolist()
        best: Option | None = None
        for size in range(1, min(len(targets), PROVIDER_MAX_LISTINGS, len(members)) + 1):
            for group in combinations(members, size):
                option = combination.evaluate(group)
                if option is not None and (best is None or preference(option) > preference(best)):
                    best = option
        assert best is not None  # every member offers a need: alone it covers something
        value, group, covers, hosted, missing = best
        fits = all(codes[i] == 0 for i in group) and not missing
        options.append(
            ProviderOption(
                provider=catalogue.providers[provider],
                score=round(min(max(value, 0.0), 100.0), 2),
                fit=Fit.FITS if fits else Fit.TO_CONFIRM,
                capabilities=tuple(catalogue.capabilities[i].id for i in group),
                covers={CATEGORIES[t]: catalogue.capabilities[i].id for t, i in covers.items()},
                hosted=tuple(CATEGORIES[t] for t in hosted),
                missing=tuple(CATEGORIES[t] for t in missing),
            )
        )
    options.sort(key=lambda option: (len(option.missing), len(option.hosted), -option.score, option.provider))
    return options[:limit]


# A combination valued: (score, member listings, need -> the member covering it, needs left to a host, needs
# missing); needs and members are indices (into CATEGORIES and the catalogue).
Option = tuple[float, tuple[int, ...], dict[int, int], list[int], list[int]]


def preference(option: Option) -> tuple[int, int, float]:
    """Combinations compare by needs covered in full, then needs left to a host, then score."""
    value, _, covers, hosted, _ = option
    return (len(covers) - len(hosted), -len(hosted), value)


@dataclass
class Combination:
    """What the provider view needs to value a group of one provider's listings for one proposal."""

    targets: list[int]  # category indices the proposal needs
    offered: np.ndarray  # (C, targets) listing offers the kind
    hostable: np.ndarray  # (C, targets) listing could carry it as the proposer's payload
    scores: np.ndarray  # (C,) listing scores, 0..100
    rest: np.ndarray  # (C,) linear scores without their hardware part
    need: np.ndarray  # (K,) 1 for each kind the proposal needs
    offer: np.ndarray  # (K, C) listing offer weights (SCALE for a kind offered, less for one a host could carry)
    coefficient: float  # the hardware coefficient per unit of offer
    weights: Weights

    def evaluate(self, group: Sequence[int]) -> Option | None:
        """(score, group, covers, hosted, missing), or None when a member would cover nothing."""
        by_score = sorted(group, key=lambda i: (-self.scores[i], i))
        covers: dict[int, int] = {}
        hosted: list[int] = []
        missing: list[int] = []
        for position, target in enumerate(self.targets):
            full = [i for i in by_score if self.offered[i, position]]
            host = [i for i in by_score if self.hostable[i, position]]
            if full or host:
                covers[target] = (full or host)[0]
                if not full:
                    hosted.append(target)
            else:
                missing.append(target)
        if len(set(covers.values())) < len(group):
            return None  # a smaller group does the same
        if len(group) == 1:
            return (float(self.scores[group[0]]), tuple(group), covers, hosted, missing)
        # Each need is served by its member: the rest of the score is the members' own, weighted by what they serve.
        served = [covers[target] for target in self.targets if target in covers]
        rest = sum(float(self.rest[member]) for member in served) / len(served)
        union = self.offer[:, list(group)].max(axis=1)
        z = rest + float(self.need @ union) * self.coefficient
        value = float(score_of(np.float32(z), self.weights)) - self.weights.provider_extra_listing * (len(group) - 1)
        return (value, tuple(sorted(group)), covers, hosted, missing)


__all__ = ["ProposalRanking", "ProviderOption", "RankedPair", "explain", "open_counts", "rank", "rank_one", "select"]
