"""Evidence from past flights: which listings flew experiments like this proposal.

Two signals, both fitted into the score (``weights.py``) and both read only a proposal's science (its text,
research areas and sample type), never its flight needs, so that stating a need cannot move them:

- **votes**: the proposal's most similar precedents (``neighbours`` of them) vote for the listings that flew them,
  each with its similarity raised to ``power``; a listing's vote is its share of the votes (0..1). Similarity is
  the cosine of TF-IDF vectors fitted on the precedents' texts, plus ``area_weight`` times the Jaccard overlap of
  research areas, plus ``sample_type_weight`` when the sample types are the same;
- **profile relevance**: each listing's own text extended with the texts of the precedents that flew on it, as
  one TF-IDF document per listing, and the cosine of the proposal's text with it. A listing with a long record
  is described by the science it carried, not only by the words its provider chose.

Precedents naming no listing of the catalogue are ignored; a listing with no precedent has a profile of its own
text. With no precedents at all both signals reduce to plain text relevance and zero votes.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from projects.matching.arrays import BoolArray, FloatArray, IntArray
from projects.matching.inputs import CapabilityFacts, PrecedentFacts
from projects.matching.lexicon import capability_text
from projects.matching.text import Float32Array, TextIndex
from projects.matching.vocabulary import RESEARCH_AREA_INDEX, RESEARCH_AREAS, SAMPLE_TYPES
from projects.matching.weights import Weights

# Looked up with a proposal's or precedent's sample type, None when unstated (code -1).
SAMPLE_TYPE_CODE: dict[str | None, int] = {name: code for code, name in enumerate(SAMPLE_TYPES)}


@dataclass(frozen=True)
class Neighbourhood:
    """Per proposal row: its nearest precedents (indices into the index, -1 padding) and their vote weights."""

    indices: IntArray  # (P, k) int64
    weights: FloatArray  # (P, k) float64, 0 for padding
    similarity: FloatArray  # (P, k) float64


class PrecedentIndex:
    """The precedents of one catalogue as arrays, built with it; the weights of a scoring run are passed in."""

    def __init__(self, precedents: Iterable[PrecedentFacts], capabilities: Sequence[CapabilityFacts]):
        index = {c.id: i for i, c in enumerate(capabilities)}
        kept = [p for p in sorted(precedents, key=lambda p: p.id) if any(f in index for f in p.facilities)]
        self.precedents: tuple[PrecedentFacts, ...] = tuple(kept)
        n, size = len(kept), len(capabilities)
        self.flew = np.zeros((n, size), dtype=np.float64)
        self.areas = np.zeros((n, len(RESEARCH_AREAS)), dtype=np.float64)
        self.sample_types = np.full(n, -1, dtype=np.int64)
        flown_texts: list[list[str]] = [[] for _ in range(size)]
        for row, precedent in enumerate(kept):
            for facility in precedent.facilities:
                if facility in index:
                    self.flew[row, index[facility]] = 1.0
                    flown_texts[index[facility]].append(precedent.text)
            for area in precedent.research_areas:
                self.areas[row, RESEARCH_AREA_INDEX[area]] = 1.0
            self.sample_types[row] = SAMPLE_TYPE_CODE.get(precedent.sample_type, -1)
        self.area_counts = self.areas.sum(axis=1)
        self.text = TextIndex([p.text for p in kept])
        self.profiles = TextIndex(
            [
                " ".join([capability_text(c.name, c.platform, c.description, c.categories, c.research_areas), *texts])
                for c, texts in zip(capabilities, flown_texts, strict=True)
            ]
        )
        # Per listing, the precedents that flew on it (for explanations).
        self.by_listing = [np.flatnonzero(self.flew[:, column]) for column in range(size)]

    def __len__(self) -> int:
        return len(self.precedents)

    def similarity(
        self, text_rows: sparse.csr_matrix, areas: BoolArray, sample_types: IntArray, weights: Weights
    ) -> FloatArray:
        """(proposals x precedents) similarity; each row depends on its own proposal alone."""
        rows = text_rows.shape[0]
        if not self.precedents:
            return np.zeros((rows, 0))
        similarity = self.text.similarity(text_rows).astype(np.float64)
        areas = areas.astype(np.float64)
        shared = areas @ self.areas.T  # small integers: exact in any order
        union = areas.sum(axis=1)[:, None] + self.area_counts[None, :] - shared
        similarity += weights.area_similarity * np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)
        same_type = (sample_types[:, None] == self.sample_types[None, :]) & (sample_types[:, None] >= 0)
        similarity += weights.sample_type_similarity * same_type
        return similarity

    def neighbourhood(self, similarity: FloatArray, weights: Weights) -> Neighbourhood:
        """The ``weights.neighbours`` most similar precedents of each row, ties broken by precedent order."""
        rows, count = similarity.shape
        k = min(weights.neighbours, count)
        if k == 0:
            empty = np.zeros((rows, 0))
            return Neighbourhood(empty.astype(np.int64), empty, empty)
        # Quantised so that sums computed in a different order never reorder near-ties, then made unique by
        # precedent order (the first wins a tie): every row's neighbours are the same alone or in any batch.
        quantised = np.rint(np.maximum(similarity, 0.0) * 1e6)
        keys = quantised * count + (count - 1 - np.arange(count, dtype=np.float64))[None, :]
        if k < count:
            candidates = np.argpartition(-keys, k - 1, axis=1)[:, :k]
        else:
            candidates = np.broadcast_to(np.arange(count), (rows, count))
        ranked = np.argsort(-np.take_along_axis(keys, candidates, axis=1), axis=1)
        order = np.take_along_axis(candidates, ranked, axis=1)
        chosen = np.take_along_axis(similarity, order, axis=1)
        votes = np.maximum(chosen, 0.0) ** weights.neighbour_power
        return Neighbourhood(order.astype(np.int64), votes, chosen)

    def votes(self, neighbourhood: Neighbourhood) -> Float32Array:
        """(proposals x listings): each listing's share of the neighbours' votes, 0..1."""
        rows = neighbourhood.indices.shape[0]
        if neighbourhood.indices.shape[1] == 0:
            return np.zeros((rows, self.flew.shape[1]), dtype=np.float32)
        total = neighbourhood.weights.sum(axis=1, keepdims=True)
        shares = np.divide(neighbourhood.weights, total, out=np.zeros_like(neighbourhood.weights), where=total > 0)
        k = shares.shape[1]
        sparse_shares = sparse.csr_matrix(
            (shares.ravel(), neighbourhood.indices.ravel(), np.arange(0, rows * k + 1, k)),
            shape=(rows, len(self.precedents)),
        )
        return np.asarray(sparse_shares @ self.flew, dtype=np.float32)

    def profile_relevance(self, text_rows: sparse.csr_matrix) -> Float32Array:
        """(proposals x listings) cosine of the proposal's text with each listing's profile."""
        return self.profiles.similarity(text_rows)
